from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("faelle/", include("cases.urls")),
    path("konferenzen/", include("conferences.urls")),
    path("kooperation/", include("agreements.urls")),
    path("gesamtkonzept/", include("concept.urls")),
    path("statistik/", include("reports.urls")),
    path("oparl/v1/", include("oparl.urls")),
    path("konto/", include("django.contrib.auth.urls")),
    path("sprache/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
