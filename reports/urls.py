from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_page, name="report"),
    path("bericht.pdf", views.report_pdf, name="pdf"),
    path("bericht.csv", views.report_csv, name="csv"),
]
