from django.urls import path

from . import views

app_name = "conferences"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("fall/<str:reference>/neu/", views.conference_new, name="conference_new"),
    path("gremium/neu/", views.sitting_new, name="sitting_new"),
    path("kalender/", views.calendar_settings, name="calendar"),
    path("kalender/<str:token>.ics", views.calendar_feed, name="feed"),
    path("vereinbarungen/<int:pk>/", views.action_update, name="action_update"),
    path("vereinbarungen/<int:pk>/korrigieren/", views.action_edit, name="action_edit"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/bearbeiten/", views.meeting_edit, name="edit"),
    path("<int:pk>/teilnehmende/neu/", views.participant_add, name="participant_add"),
    path("<int:pk>/teilnehmende/vorschlaege/", views.participants_bulk, name="participants_bulk"),
    path(
        "<int:pk>/teilnehmende/<int:participant>/entfernen/",
        views.participant_remove,
        name="participant_remove",
    ),
    path(
        "<int:pk>/teilnehmende/<int:participant>/einladung.pdf",
        views.invitation_letter,
        name="letter",
    ),
    path("<int:pk>/tagesordnung/neu/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/einladen/", views.meeting_invite, name="invite"),
    path("<int:pk>/absagen/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/termin.ics", views.meeting_ics, name="ics"),
    path("<int:pk>/anwesenheit/", views.attendance, name="attendance"),
    path("<int:pk>/protokoll/", views.minutes_edit, name="minutes"),
    path("<int:pk>/protokoll/umlauf/", views.minutes_circulate, name="circulate"),
    path("<int:pk>/protokoll/freigabe/", views.minutes_approve, name="approve"),
    path("<int:pk>/protokoll/kommentar/", views.minutes_comment, name="comment"),
    path("<int:pk>/protokoll/nachtrag/", views.minutes_amend, name="amend"),
    path("<int:pk>/protokoll.pdf", views.minutes_pdf, name="pdf"),
    path("<int:pk>/vereinbarungen/neu/", views.action_add, name="action_add"),
]
