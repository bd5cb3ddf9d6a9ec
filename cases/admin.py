"""Cases in the admin: for the superuser only, read-only, and every read audited.

The coordination office administers the cooperation, never the families: these pages do
not exist for it (no module, no view permission). A superuser may look (technical
support), but cannot change family data here, and each list or page read is written
to the access log like anyone else's read (DOMAIN.md; GDPR Art. 5(2) accountability).
The access log itself is shown, never changed or deleted.
"""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cooperation.admin import CooperationScopedAdmin

from .models import AccessLog, Case, Specialist


class SuperuserReadOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(SuperuserReadOnlyAdmin):
    list_display = ["reference", "status", "lead_institution", "opened_at", "updated_at"]
    list_filter = ["status", "cooperation"]
    search_fields = ["reference"]
    list_select_related = ["lead_institution"]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if getattr(response, "status_code", None) == 200:
            AccessLog.record(request.user, AccessLog.What.ADMIN)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if getattr(response, "status_code", None) == 200:
            case = Case.objects.filter(pk=object_id).first()
            AccessLog.record(request.user, AccessLog.What.ADMIN, case)
        return response


@admin.register(AccessLog)
class AccessLogAdmin(SuperuserReadOnlyAdmin):
    list_display = ["at", "user", "institution", "case", "what"]
    list_filter = ["what"]
    search_fields = ["case__reference", "user__username"]
    list_select_related = ["user", "institution", "case"]
    date_hierarchy = "at"


@admin.register(Specialist)
class SpecialistAdmin(CooperationScopedAdmin):
    """The coordination office keeps the institutions' designations of experienced
    child-protection specialists (as their leads do on the institution's page). A
    designation carries no family data; it is ended, never deleted."""

    cooperation_path = "institution__cooperation"
    list_display = ["user", "institution", "qualification", "since", "until"]
    # Only the institutions that appear in the (cooperation-scoped) list.
    list_filter = [("institution", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__last_name", "user__first_name", "user__username", "qualification"]
    list_select_related = ["user", "institution"]
    fieldsets = [
        (None, {"fields": ["institution", "user", "qualification"]}),
        (_("Period"), {"fields": ["since", "until"]}),
    ]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.designated_by = request.user
        super().save_model(request, obj, form, change)
