from django.urls import path

from . import views

app_name = "agreements"
urlpatterns = [
    path("", views.index, name="index"),
    path("vereinbarung/<int:pk>/", views.agreement_detail, name="agreement"),
    path("vereinbarung/<int:pk>/pdf/", views.agreement_pdf, name="agreement_pdf"),
    path("leitfaden/anlegen/", views.guideline_create, name="guideline_create"),
    path("leitfaden/<int:pk>/", views.guideline_detail, name="guideline"),
    path(
        "leitfaden/<int:pk>/fassung/<int:number>/",
        views.guideline_version,
        name="guideline_version",
    ),
    path(
        "leitfaden/<int:pk>/fassung/<int:number>/pdf/",
        views.guideline_pdf,
        name="guideline_pdf",
    ),
    path("leitfaden/<int:pk>/entwurf/", views.draft, name="draft"),
    path("leitfaden/<int:pk>/entwurf/abschnitt/neu/", views.section_add, name="section_add"),
    path("leitfaden/<int:pk>/entwurf/vorschau/", views.preview, name="preview"),
    path("leitfaden/abschnitt/<int:pk>/", views.section_edit, name="section_edit"),
    path("leitfaden/abschnitt/<int:pk>/verschieben/", views.section_move, name="section_move"),
    path("leitfaden/abschnitt/<int:pk>/entfernen/", views.section_delete, name="section_delete"),
    path("leitfaden/<int:pk>/veroeffentlichen/", views.publish, name="publish"),
]
