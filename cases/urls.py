from django.urls import path

from .views import audit, browse, case_record, consents, consultations, documents, records

app_name = "cases"
consent = "<str:reference>/einwilligungen/<int:pk>/"
urlpatterns = [
    path("", browse.case_list, name="list"),
    path("neu/", records.case_open, name="open"),
    path("benachrichtigungen/", browse.notifications, name="notifications"),
    path("zugriffsprotokoll/", audit.access_log_lookup, name="access_log_lookup"),
    # The specialist's pages name no case: they come before the case's own.
    path("fallberatungen/", consultations.consultation_inbox, name="consultation_inbox"),
    path(
        "fallberatungen/<int:pk>/",
        consultations.consultation_advise,
        name="consultation_advise",
    ),
    path("fachkraefte-kinderschutz/", consultations.specialists, name="specialists"),
    path(
        "fachkraefte-kinderschutz/<int:pk>/beenden/",
        consultations.specialist_end,
        name="specialist_end",
    ),
    path("<str:reference>/", case_record.case_detail, name="detail"),
    path("<str:reference>/bearbeiten/", records.case_edit, name="edit"),
    path("<str:reference>/zugriffe/", browse.access_log, name="access_log"),
    path("<str:reference>/verlauf/", browse.case_timeline_page, name="timeline"),
    path("<str:reference>/abschliessen/", case_record.case_close, name="close"),
    path(
        "<str:reference>/beteiligte/<int:pk>/zustaendig/",
        case_record.involvement_responsible,
        name="involvement_responsible",
    ),
    path("<str:reference>/dokumente/neu/", documents.document_add, name="document_add"),
    path("<str:reference>/dokumente/<int:pk>/", documents.document_file, name="document"),
    path("<str:reference>/personen/neu/", records.member_add, name="member_add"),
    path("<str:reference>/personen/<int:pk>/", records.member_edit, name="member_edit"),
    path("<str:reference>/personen/<int:pk>/gesundheit/", records.health_edit, name="health_edit"),
    path("<str:reference>/beteiligte/neu/", records.involvement_add, name="involvement_add"),
    path("<str:reference>/beteiligte/<int:pk>/", records.involvement_edit, name="involvement_edit"),
    path("<str:reference>/notizen/neu/", records.note_add, name="note_add"),
    path("<str:reference>/offenbarungen/neu/", records.disclosure_add, name="disclosure_add"),
    path("<str:reference>/offenbarungen/<int:pk>/", records.disclosure_detail, name="disclosure"),
    path(
        "<str:reference>/fallberatungen/neu/",
        consultations.consultation_add,
        name="consultation_add",
    ),
    path(
        "<str:reference>/fallberatungen/<int:pk>/",
        consultations.consultation_detail,
        name="consultation",
    ),
    path(
        "<str:reference>/fallberatungen/<int:pk>/ergebnis/",
        consultations.consultation_outcome,
        name="consultation_outcome",
    ),
    path("<str:reference>/einwilligungen/neu/", consents.consent_add, name="consent_add"),
    path(consent + "erteilt/", consents.consent_give, name="consent_give"),
    path(consent + "abgelehnt/", consents.consent_refuse, name="consent_refuse"),
    path(consent + "widerruf/", consents.consent_revoke, name="consent_revoke"),
    path(consent + "korrektur/", consents.consent_correct, name="consent_correct"),
    path(consent + "formular.pdf", consents.consent_pdf, name="consent_pdf"),
    path(consent + "scan/", consents.consent_scan, name="consent_scan"),
]
