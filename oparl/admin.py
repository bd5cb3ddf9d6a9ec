"""The coordination office issues and revokes the OParl API tokens of its cooperation,
and decides whether its committee's export is public.

The plain token is shown once, on the page that answers the "add" form, and stored
nowhere (not in a message, which would travel in a cookie or the session): the database
keeps only its SHA-256. Tokens are revoked, never deleted, so that their history stays.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cooperation.admin import CooperationScopedAdmin

from .models import ApiToken, Publication

READ_ONLY = ["cooperation", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", _("active")), ("revoked", _("revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(CooperationScopedAdmin):
    list_display = [
        "label",
        "prefix",
        "cooperation",
        "created_at",
        "created_by",
        "last_used_at",
        "is_active",
    ]
    list_filter = [StatusFilter, "cooperation"]
    list_select_related = ["cooperation", "created_by"]
    search_fields = ["label", "prefix"]
    actions = ["revoke"]
    can_delete = False

    @admin.display(boolean=True, description=_("active"))
    def is_active(self, obj: ApiToken) -> bool:
        return obj.is_active

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            # A coordination office issues tokens for its own cooperation only.
            return ["cooperation", "label"] if request.user.is_superuser else ["label"]
        return ["label", *READ_ONLY]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return READ_ONLY if obj is not None else []

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        if not change:
            if not request.user.is_superuser:
                obj.cooperation = request.user.cooperation
            obj.created_by = request.user
            obj.plain_token = obj.set_new_secret()
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: ApiToken, post_url_continue=None):
        """Show the token now, once; a redirect would have to carry it somewhere."""
        messages.success(request, _("The token was issued. It is shown below this once only."))
        response = TemplateResponse(
            request,
            "admin/oparl/apitoken/issued.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("OParl API token issued"),
                "token": obj,
                "plain_token": obj.plain_token,
                "entry": settings.SITE_URL + reverse("oparl:system"),
                "changelist": reverse("admin:oparl_apitoken_changelist"),
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            token.revoke()
        self.message_user(
            request,
            ngettext("%(count)d token was revoked.", "%(count)d tokens were revoked.", len(tokens))
            % {"count": len(tokens)},
            messages.SUCCESS,
        )


@admin.register(Publication)
class PublicationAdmin(CooperationScopedAdmin):
    """One switch per cooperation, off until the coordination office turns it on; its
    history records who opened or closed the export."""

    list_display = ["cooperation", "is_public"]
    list_filter = ["is_public"]
    list_select_related = ["cooperation"]

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None and request.user.is_superuser:
            return ["cooperation", "is_public"]
        return ["is_public"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One per cooperation: an office adds its own once, then changes it.
        if not super().has_add_permission(request):
            return False
        if request.user.is_superuser:
            return True
        return not Publication.objects.filter(cooperation=request.user.cooperation).exists()

    def save_model(self, request: HttpRequest, obj: Publication, form, change: bool) -> None:
        if not change and not request.user.is_superuser:
            obj.cooperation = request.user.cooperation
        super().save_model(request, obj, form, change)
