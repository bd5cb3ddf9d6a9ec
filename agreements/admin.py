"""The agreement in the coordination office's back office: its fields, parties and
sections on one page; every save lands in the history (as-of views and PDFs)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cooperation.admin import CooperationScopedAdmin, manages, scope_choices

from .models import Agreement, AgreementParty, AgreementSection


class CoordinationInline:
    """An inline the coordination office manages, offering only its own institutions."""

    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return manages(request.user)

    def has_change_permission(self, request, obj=None):
        return manages(request.user)

    def has_delete_permission(self, request, obj=None):
        # Removing a party or section is a change of the agreement: it stays in the history.
        return manages(request.user)

    def has_view_permission(self, request, obj=None):
        return manages(request.user)


class AgreementPartyInline(CoordinationInline, admin.TabularInline):
    model = AgreementParty
    fields = ["institution", "signatory_name", "signatory_function", "signed_on"]


class AgreementSectionInline(CoordinationInline, admin.StackedInline):
    model = AgreementSection
    fields = ["number", "title", "body"]


@admin.register(Agreement)
class AgreementAdmin(CooperationScopedAdmin):
    list_display = ["title", "cooperation", "legal_form", "effective_since"]
    list_filter = ["cooperation"]
    search_fields = ["title", "responsible_body"]
    list_select_related = ["cooperation"]
    date_hierarchy = "effective_since"
    fieldsets = [
        (None, {"fields": ["cooperation", "title", "legal_form", "responsible_body"]}),
        (_("Content"), {"fields": ["effective_since", "goals", "financing"]}),
    ]
    inlines = [AgreementPartyInline, AgreementSectionInline]

    def view_on_site(self, obj):
        return obj.get_absolute_url()
