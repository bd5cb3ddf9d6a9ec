from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    default = True
    name = "cooperation"
    verbose_name = _("Cooperation")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site: an ``OTPAdminSite`` (``cooperation.admin_site``)."""

    default = False
    default_site = "cooperation.admin_site.AdminSite"
