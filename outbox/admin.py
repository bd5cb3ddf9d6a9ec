"""The outbox in the admin: the superuser's view of every cooperation's mail, read-only.

The coordination office reads its own cooperation's outbox on the outbox page; the admin
shows the same columns and never the messages' text or addresses.
"""

from django.contrib import admin
from django.http import HttpRequest

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["listed_subject", "cooperation", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "cooperation"]
    search_fields = ["listed_subject"]
    fields = [
        "cooperation",
        "institutions",
        "listed_subject",
        "state",
        "attempts",
        "created_at",
        "next_attempt_at",
        "last_attempt_at",
        "sent_at",
        "last_error",
    ]
    readonly_fields = fields
    date_hierarchy = "created_at"

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
