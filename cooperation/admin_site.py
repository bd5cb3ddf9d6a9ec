"""The admin site: Django's admin behind a second factor (django-otp's ``OTPAdminSite``).

Installed in place of ``django.contrib.admin`` (``cooperation.apps.AdminConfig``), so
that every app's ``admin.site.register`` lands here. Nobody signs in on the admin's own
page: it sends to the one login of the application, whose second step every staff login
passes.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from .twofactor import is_verified


class AdminSite(OTPAdminSite):
    site_header = _("KispFam administration")
    site_title = _("KispFam")
    index_title = _("Coordination office")

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def has_permission(self, request: HttpRequest) -> bool:
        # django-otp's rule (a verified device), widened to an IdP's asserted second
        # factor (OpenID Connect), which verifies the session as well.
        return super(OTPAdminSite, self).has_permission(request) and is_verified(request)

    def login(self, request: HttpRequest, extra_context=None):
        next_url = request.GET.get("next") or resolve_url("admin:index")
        query = urlencode({"next": next_url})
        return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")
