"""The back office of the coordination office.

A member of a coordination office manages institutions and staff of their own
cooperation only; a superuser manages everything. Nobody else enters the admin
(``User.is_staff`` follows the role), and nobody without a second factor
(``cooperation.admin_site.AdminSite`` is an ``OTPAdminSite``).

Separation of duties: staff accounts are invited, never given a password here; a
caseworker or lead role waits for the institution's lead (``services``), and nobody
reaches Django's set-password form. Filters and choices offer the coordination office its
own cooperation only.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .forms import StaffInvitationForm
from .models import (
    Committee,
    CommitteeMember,
    Cooperation,
    Institution,
    Invitation,
    StaffChange,
    User,
)

OwnCooperationOnly = admin.RelatedOnlyFieldListFilter


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
        # so that no coordination office reads another cooperation's history. An id that
        # is no id at all (``%00``, 30 digits) is just as absent.
        try:
            found = self.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, TypeError, OverflowError, ValidationError):
            found = False
        if not found:
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
    list_filter = ["kind", "data_protection_law", ("cooperation", OwnCooperationOnly)]
    search_fields = ["name", "short_name", "city"]
    list_select_related = ["cooperation"]
    fieldsets = [
        (None, {"fields": ["cooperation", "name", "short_name", "kind"]}),
        (_("Contact"), {"fields": ["street", "postal_code", "city", "phone", "email"]}),
        (_("Data protection"), {"fields": ["data_protection_law"]}),
    ]


@admin.register(User)
class UserAdmin(CooperationScopedAdmin, DjangoUserAdmin):
    """Staff assignment: who works at which institution in which role.

    New accounts are invitations (name, e-mail, institution, role; no password); changes
    are recorded as staff changes that the institution's lead is told of and, for a
    caseworker or lead role, confirms."""

    cooperation_path = "institution__cooperation"
    add_form = StaffInvitationForm
    list_display = [
        "username",
        "last_name",
        "first_name",
        "institution",
        "role",
        "role_confirmed",
        "second_factor",
        "is_active",
    ]
    list_filter = [
        "role",
        "is_active",
        ("institution__cooperation", OwnCooperationOnly),
        ("institution", OwnCooperationOnly),
    ]
    search_fields = ["username", "first_name", "last_name", "email"]
    list_select_related = ["institution"]
    autocomplete_fields = ["institution"]
    actions = ["reset_second_factor", "resend_invitation"]
    staff_fieldsets = [
        (None, {"fields": ["username", "password_state"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Staff"), {"fields": ["institution", "role", "role_confirmed", "is_active"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "description": _(
                    "The person receives an e-mail with a link, usable once and for a "
                    "limited time, to choose their own password and set up their second "
                    "factor. A caseworker or lead role takes effect once the institution's "
                    "lead confirmed it."
                ),
                "fields": ["username", "first_name", "last_name", "email", "institution", "role"],
            },
        )
    ]
    readonly_fields = ["last_login", "date_joined", "password_state", "role_confirmed"]

    @admin.display(description=_("password"))
    def password_state(self, user: User) -> str:
        if user.has_usable_password():
            return _("set by the person")
        return _("not yet set: the invitation is open")

    @admin.display(description=_("role confirmed"), boolean=True)
    def role_confirmed(self, user: User) -> bool:
        return user.role_is_confirmed

    @admin.display(description=_("second factor"), boolean=True)
    def second_factor(self, user: User) -> bool:
        return user_has_device(user)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if request.user.is_superuser:
            return [
                *self.staff_fieldsets,
                (_("Permissions"), {"fields": ["is_superuser", "groups"]}),
            ]
        return self.staff_fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None or request.user.is_superuser:
            return fields
        if obj.has_usable_password():
            # A password-reset link to an address the office chose would open the account.
            fields.append("email")
        if obj.pk == request.user.pk:
            fields += ["institution", "role", "is_active"]
        return fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The coordination office never manages accounts above its own powers.
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "institution" in form.base_fields:
            form.base_fields["institution"].required = True
        return form

    def save_model(self, request, obj, form, change):
        if change:
            services.staff_save(user=obj, changed_by=request.user)
        else:
            services.staff_invite(user=obj, invited_by=request.user)
            messages.info(
                request,
                _("The invitation was sent to %(email)s.") % {"email": obj.email},
            )

    def user_change_password(self, request, id, form_url=""):
        # Nobody sets another person's password in the web interface: the person sets it
        # through the invitation or the password-reset e-mail; IT operations has the
        # command line (manage.py changepassword) for emergencies.
        raise PermissionDenied

    def revert_disabled(self, request, obj=None):
        # Reverting an account to an earlier state would bring back a role without the
        # lead's confirmation of the change.
        return True

    @admin.action(description=_("Reset the second factor (lost phone or key)"))
    def reset_second_factor(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                services.second_factor_reset(user=user, reset_by=request.user)
            except PermissionDenied as refused:
                self.message_user(request, f"{user}: {refused}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "The second factor of %(count)d account was reset; the person sets it "
                    "up again at the next login.",
                    "The second factors of %(count)d accounts were reset; each person sets "
                    "theirs up again at the next login.",
                    done,
                )
                % {"count": done},
            )

    @admin.action(description=_("Send the invitation again"))
    def resend_invitation(self, request, queryset):
        for user in queryset:
            try:
                services.invitation_resend(user=user, invited_by=request.user)
            except PermissionDenied as refused:
                self.message_user(request, f"{user}: {refused}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("A new invitation was sent to %(email)s.") % {"email": user.email},
                )


@admin.register(StaffChange)
class StaffChangeAdmin(CooperationScopedAdmin):
    """The record of staff changes (read only): who changed what, and whether the
    institution's lead confirmed it."""

    cooperation_path = "institution__cooperation"
    can_add = False
    list_display = ["made_at", "user", "kind", "role", "institution", "made_by", "state"]
    list_filter = ["state", "kind", ("institution", OwnCooperationOnly)]
    search_fields = ["user__username", "user__last_name"]
    list_select_related = ["user", "institution", "made_by"]
    date_hierarchy = "made_at"

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user__is_superuser=False)


@admin.register(Invitation)
class InvitationAdmin(CooperationScopedAdmin):
    """Invitations and whether they were used; the link itself is never stored."""

    cooperation_path = "user__institution__cooperation"
    can_add = False
    list_display = ["user", "created_by", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["user", "created_by"]
    fields = ["user", "created_by", "created_at", "expires_at", "accepted_at"]

    def has_change_permission(self, request, obj=None):
        return False


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
    list_filter = [("cooperation", OwnCooperationOnly)]
    inlines = [CommitteeMemberInline]
    can_delete = False


admin.site.unregister(Group)
# Device secrets stay out of the admin: a second factor is reset (an audited action on the
# account), never read or edited.
for _model in (TOTPDevice, StaticDevice, WebAuthnCredential):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
