"""The back office of the coordination office.

A member of a coordination office manages institutions and staff of their own
cooperation only; a superuser manages everything. Nobody else enters the admin
(``User.is_staff`` follows the role).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Committee, CommitteeMember, Cooperation, Institution, User

admin.site.site_header = _("KispFam administration")
admin.site.site_title = _("KispFam")
admin.site.index_title = _("Coordination office")


def manages(user) -> bool:
    return user.is_active and (user.is_superuser or user.is_coordination_office)


def scope_choices(db_field, request, kwargs) -> None:
    """Offer a coordination office only institutions and people of its own cooperation."""
    if request.user.is_superuser:
        return
    cooperation = request.user.cooperation
    if db_field.related_model is Institution:
        kwargs["queryset"] = Institution.objects.of_cooperation(cooperation)
    elif db_field.related_model is Cooperation:
        kwargs["queryset"] = Cooperation.objects.filter(pk=cooperation.pk)
    elif db_field.related_model is User:
        kwargs["queryset"] = User.objects.filter(
            institution__cooperation=cooperation, is_superuser=False
        )


class CooperationScopedAdmin(SimpleHistoryAdmin):
    """Admin for records of one cooperation; ``cooperation_path`` leads there."""

    cooperation_path = "cooperation"
    can_add = True
    can_delete = False

    def scope(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.cooperation_path: request.user.cooperation})

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope(request, super().get_queryset(request))

    def _in_scope_or_404(self, request: HttpRequest, object_id) -> None:
        # simple-history's views fetch the object without get_queryset(): check it here,
        # so that no coordination office reads another cooperation's history.
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return manages(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return manages(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return manages(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.can_add and manages(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Records are ended, not deleted: their history must stay (superusers excepted).
        return request.user.is_superuser or (self.can_delete and manages(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Cooperation)
class CooperationAdmin(CooperationScopedAdmin):
    cooperation_path = "pk"
    can_add = False
    list_display = ["name", "code", "body_name", "body_kind", "body_region"]
    search_fields = ["name", "body_name"]

    def scope(self, request, queryset):
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk=request.user.cooperation.pk)

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(Institution)
class InstitutionAdmin(CooperationScopedAdmin):
    list_display = ["name", "short_name", "kind", "city", "data_protection_law", "cooperation"]
    list_filter = ["kind", "data_protection_law", "cooperation"]
    search_fields = ["name", "short_name", "city"]
    list_select_related = ["cooperation"]
    fieldsets = [
        (None, {"fields": ["cooperation", "name", "short_name", "kind"]}),
        (_("Contact"), {"fields": ["street", "postal_code", "city", "phone", "email"]}),
        (_("Data protection"), {"fields": ["data_protection_law"]}),
    ]


@admin.register(User)
class UserAdmin(CooperationScopedAdmin, DjangoUserAdmin):
    """Staff assignment: who works at which institution in which role."""

    cooperation_path = "institution__cooperation"
    list_display = ["username", "last_name", "first_name", "institution", "role", "is_active"]
    list_filter = ["role", "is_active", "institution__cooperation", "institution"]
    search_fields = ["username", "first_name", "last_name", "email"]
    list_select_related = ["institution"]
    autocomplete_fields = ["institution"]
    staff_fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Staff"), {"fields": ["institution", "role", "is_active"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "institution",
                    "role",
                    "password1",
                    "password2",
                ],
            },
        )
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if request.user.is_superuser:
            return [
                *self.staff_fieldsets,
                (_("Permissions"), {"fields": ["is_superuser", "groups"]}),
            ]
        return self.staff_fieldsets

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The coordination office never manages accounts above its own powers.
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "institution" in form.base_fields:
            form.base_fields["institution"].required = True
        return form


class CoordinationInline:
    """An inline the coordination office manages, offering only its own cooperation's
    institutions and people (mix in before ``admin.TabularInline``)."""

    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return manages(request.user)

    def has_change_permission(self, request, obj=None):
        return manages(request.user)

    def has_delete_permission(self, request, obj=None):
        return manages(request.user)

    def has_view_permission(self, request, obj=None):
        return manages(request.user)


class CommitteeMemberInline(CoordinationInline, admin.TabularInline):
    model = CommitteeMember


@admin.register(Committee)
class CommitteeAdmin(CooperationScopedAdmin):
    """The Kooperationsgremium: chair, minute-taker, a representative and a deputy per
    party institution."""

    list_display = ["name", "cooperation", "chair", "minute_taker"]
    inlines = [CommitteeMemberInline]
    can_delete = False


admin.site.unregister(Group)
