from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from . import health, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("faelle/", include("cases.urls")),
    path("konferenzen/", include("conferences.urls")),
    path("kooperation/", include("agreements.urls")),
    path("gesamtkonzept/", include("concept.urls")),
    path("statistik/", include("reports.urls")),
    path("oparl/v1/", include("oparl.urls")),
    path("datenschutz/", include("privacy.urls")),
    path("wiedervorlagen/", include("worklist.urls")),
    path("konto/", include("cooperation.urls")),
    path("konto/passkeys/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
    path("konto/", include("django.contrib.auth.urls")),
    path("oidc/", include("cooperation.oidc")),
    path("postausgang/", include("outbox.urls")),
    path("sprache/", set_language, name="set_language"),
    # The load balancer's probe: no login, no data.
    path("health/", health.HealthView.as_view(), name="health"),
    path("admin/", admin.site.urls),
]
