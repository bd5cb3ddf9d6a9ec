from django.urls import path

from . import views

app_name = "worklist"
urlpatterns = [
    path("faelle/<str:reference>/neu/", views.followup_add, name="followup_add"),
    path("<int:pk>/erledigt/", views.followup_done, name="followup_done"),
    path("<int:pk>/wieder-offen/", views.followup_reopen, name="followup_reopen"),
    path("loeschvorschau/", views.deletions_preview, name="deletions_preview"),
]
