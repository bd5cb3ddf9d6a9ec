from django.urls import path

from . import views

app_name = "outbox"
urlpatterns = [
    path("", views.message_list, name="list"),
    path("<int:pk>/erneut-senden/", views.message_resend, name="resend"),
]
