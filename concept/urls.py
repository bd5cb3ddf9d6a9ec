from django.urls import path

from . import views

app_name = "concept"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("bearbeiten/", views.concept_edit, name="edit"),
    path("kurzkonzept.pdf", views.kurzkonzept_pdf, name="pdf"),
    path("kurzkonzept/veroeffentlichen/", views.kurzkonzept_publish, name="publish"),
    path(
        "kurzkonzept/ausgabe-<int:number>.pdf",
        views.kurzkonzept_edition_pdf,
        name="edition_pdf",
    ),
    path("angebote/", views.offer_list, name="offers"),
    path("angebote.pdf", views.offer_list_pdf, name="offers_pdf"),
    path("anlagen/<slug:kind>/", views.declaration_edit, name="declaration_edit"),
    path("anlagen/<slug:kind>/dokument/", views.declaration_document, name="declaration_document"),
]
