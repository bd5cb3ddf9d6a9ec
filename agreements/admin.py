"""The agreement in the coordination office's back office: its fields, parties and
sections on one page; every save lands in the history (as-of views and PDFs)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cooperation.admin import CooperationScopedAdmin, CoordinationInline

from .models import Agreement, AgreementParty, AgreementSection


class AgreementPartyInline(CoordinationInline, admin.TabularInline):
    model = AgreementParty
    extra = 0
    fields = ["institution", "signatory_name", "signatory_function", "signed_on"]


class AgreementSectionInline(CoordinationInline, admin.StackedInline):
    model = AgreementSection
    extra = 0
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
