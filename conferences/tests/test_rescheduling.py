"""Rescheduling and cancelling tell everyone what changed, in their own words.

The update of an invited meeting has its own subject and says "geändert: neuer Termin …
(bisher …)"; the organiser is reminded to send the parents a new letter; the staff are
notified in the application. An external participant (the Kita) has no account: her
mail and calendar file name only the organiser, say how to reach them and never show
another participant's address. A sitting's invitation lists its agenda.
"""

import pytest
from django.urls import reverse

from cases.models import Notification
from conferences import services
from conferences.models import Meeting
from cooperation.models import Committee, CommitteeMember
from tests.german import label

from .conftest import (
    KITA,
    PLACE,
    UPCOMING_AT,
    assert_no_family_names,
    attendees,
    calendar_of,
    the_event,
    url,
)

pytestmark = pytest.mark.django_db
PHONE = "02431 85-0"


def moved(**changes) -> dict:
    data = {
        "starts_at": "2026-12-10T14:00",
        "duration_minutes": "90",
        "place": PLACE,
        "video_link": "",
        "next_date": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def invited(upcoming, institutions, mailoutbox, django_capture_on_commit_callbacks):
    """``upcoming`` with its invitations sent (and the outbox emptied again)."""
    erkelenz = institutions["erkelenz"]
    erkelenz.phone = PHONE
    erkelenz.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_invite(meeting=upcoming)
    mailoutbox.clear()
    upcoming.refresh_from_db()
    return upcoming


def test_the_update_says_what_changed_under_its_own_subject(
    signed_in,
    invited,
    erkelenz_caseworker,
    caritas_caseworker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(erkelenz_caseworker).post(url("edit", invited.pk), moved())

    assert response.status_code == 302
    subject = label("Changed: %(title)s, new date %(date)s (previously %(previous)s)") % {
        "title": invited.title,
        "date": "10.12.2026 14:00",
        "previous": "09.12.2026 10:00",
    }
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [erkelenz_caseworker.email, caritas_caseworker.email, KITA]
    )
    for mail in mailoutbox:
        assert mail.subject == subject
        assert not mail.subject.startswith(label("Invitation: %(title)s on %(date)s")[:10])
        assert "Geändert: neuer Termin 10.12.2026, 14:00" in mail.body
        assert "(bisher 09.12.2026, 10:00 Uhr)" in mail.body
        assert_no_family_names(mail.subject + mail.body)
        event = the_event(calendar_of(mail))
        assert event["sequence"] == 1
        assert event.decoded("dtstart").hour == 14


def test_the_organiser_is_prompted_to_send_the_parents_a_new_letter(
    signed_in, invited, erkelenz_caseworker, django_capture_on_commit_callbacks
):
    browser = signed_in(erkelenz_caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(url("edit", invited.pk), moved(), follow=True)

    html = response.content.decode()
    assert "Sabine Beispiel" in html  # the organiser sees whom to write to
    prompt = label(
        "The date or place changed: print the invitation letter again for %(names)s "
        "and send it (links in the list of participants)."
    ) % {"names": "Sabine Beispiel"}
    assert prompt in [str(m) for m in response.context["messages"]]


def test_the_staff_are_notified_of_the_new_date(
    signed_in, invited, erkelenz_caseworker, caritas_caseworker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(erkelenz_caseworker).post(url("edit", invited.pk), moved())

    note = Notification.objects.get(kind=Notification.Kind.MEETING_RESCHEDULED)
    assert note.user == caritas_caseworker
    assert note.link == invited.get_absolute_url()
    assert "10.12.2026 14:00" in note.message and "09.12.2026 10:00" in note.message
    assert_no_family_names(note.message)
    # The Caritas caseworker reads it on her notifications page, linked to the meeting.
    page = signed_in(caritas_caseworker).get(reverse("cases:notifications"))
    assert f'href="{invited.get_absolute_url()}"' in page.content.decode()


def test_a_changed_next_date_alone_sends_nothing(
    signed_in, invited, erkelenz_caseworker, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(erkelenz_caseworker).post(
            url("edit", invited.pk),
            moved(starts_at="2026-12-09T10:00", next_date="2027-06-01"),
        )

    assert not mailoutbox
    assert not Notification.objects.exists()
    invited.refresh_from_db()
    assert invited.sequence == 0


def test_the_external_participant_learns_only_how_to_reach_the_organiser(
    upcoming, institutions, erkelenz_caseworker, mailoutbox, django_capture_on_commit_callbacks
):
    institutions["erkelenz"].phone = PHONE
    institutions["erkelenz"].save()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_invite(meeting=upcoming)

    (kita,) = [m for m in mailoutbox if m.to == [KITA]]
    assert "KispFam" not in kita.body
    assert erkelenz_caseworker.get_full_name() in kita.body
    assert PHONE in kita.body and erkelenz_caseworker.email in kita.body
    assert kita.reply_to == [erkelenz_caseworker.email]
    event = the_event(calendar_of(kita))
    raw = kita.attachments[0][1]
    raw = raw.decode() if isinstance(raw, bytes) else raw
    assert attendees(event) == {KITA}
    assert str(event["organizer"]) == f"mailto:{erkelenz_caseworker.email}"
    assert "caritas" not in raw.lower()
    assert "/konferenzen/" not in raw
    assert PHONE in str(event["description"])
    # Staff still get the list of attendees and the link into KispFam.
    (caritas,) = [m for m in mailoutbox if "caritas" in m.to[0]]
    assert "KispFam" in caritas.body
    assert len(attendees(the_event(calendar_of(caritas)))) == 3


def test_a_rescheduled_external_update_names_only_the_organiser(
    signed_in, invited, erkelenz_caseworker, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(erkelenz_caseworker).post(url("edit", invited.pk), moved())

    (kita,) = [m for m in mailoutbox if m.to == [KITA]]
    assert attendees(the_event(calendar_of(kita))) == {KITA}
    assert PHONE in kita.body


def test_a_sittings_invitation_lists_the_agenda(
    heinsberg,
    institutions,
    coordination_office,
    kreisjugendamt_caseworker,
    caritas_caseworker,
    mailoutbox,
    clock,
    django_capture_on_commit_callbacks,
):
    committee = Committee.objects.create(
        cooperation=heinsberg, name="Kooperationsgremium", chair=kreisjugendamt_caseworker
    )
    CommitteeMember.objects.create(
        committee=committee,
        institution=institutions["caritas"],
        user=caritas_caseworker,
        function=CommitteeMember.Function.REPRESENTATIVE,
    )
    sitting = services.sitting_schedule(
        committee=committee, organiser=coordination_office, starts_at=UPCOMING_AT, place="Kreishaus"
    )
    services.agenda_item_add(meeting=sitting, title="Bericht der Koordinationsstelle")
    services.agenda_item_add(meeting=sitting, title="Fortschreibung des Leitfadens")

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_invite(meeting=sitting)

    assert mailoutbox
    for mail in mailoutbox:
        assert "Tagesordnung:" in mail.body
        assert "1. Bericht der Koordinationsstelle" in mail.body
        assert "2. Fortschreibung des Leitfadens" in mail.body
    roles = dict(sitting.participants.values_list("user_id", "role"))
    assert all(roles.values())
    sitting.refresh_from_db()
    assert sitting.state == Meeting.State.INVITED
