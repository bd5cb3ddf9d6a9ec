from django.urls import path

from . import views

app_name = "cooperation"

urlpatterns = [
    path("zweiter-faktor/", views.second_factor, name="second_factor"),
    path("zweiter-faktor/einrichten/", views.second_factor_setup, name="second_factor_setup"),
    path("zweiter-faktor/ersatzcodes/", views.backup_codes, name="backup_codes"),
    path("sicherheit/", views.security, name="security"),
    path("einladung/<str:token>/", views.invitation, name="invitation"),
    path("mitarbeitende/", views.staff_changes, name="staff_changes"),
    path(
        "mitarbeitende/<int:pk>/bestaetigen/",
        views.staff_change_confirm,
        name="staff_change_confirm",
    ),
    path(
        "mitarbeitende/<int:pk>/ablehnen/",
        views.staff_change_decline,
        name="staff_change_decline",
    ),
]
