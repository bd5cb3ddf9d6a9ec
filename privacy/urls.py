from django.urls import path

from . import views

app_name = "privacy"
case = "faelle/<str:reference>/"
urlpatterns = [
    path("", views.index, name="index"),
    path("aufbewahrung/", views.rules, name="rules"),
    path("aufbewahrung/vorschlaege/<int:pk>/bestaetigen/", views.rule_confirm, name="rule_confirm"),
    path("aufbewahrung/vorschlaege/<int:pk>/ablehnen/", views.rule_reject, name="rule_reject"),
    # After the proposals: "vorschlaege" is no kind of record.
    path(
        "aufbewahrung/<str:record_type>/<str:law>/<str:kind>/",
        views.rule_propose,
        name="rule_propose",
    ),
    path("loeschungen/", views.deletions, name="deletions"),
    path("verzeichnis/", views.register, name="register"),
    path("verzeichnis.pdf", views.register_document, name="register_pdf"),
    path(case, views.case, name="case"),
    path(case + "loeschsperre/", views.hold, name="hold"),
    path(case + "personen/<int:pk>/einschraenkung/", views.restriction_add, name="restriction_add"),
    path(case + "personen/<int:pk>/auskunft.pdf", views.access_report, name="access_report"),
]
