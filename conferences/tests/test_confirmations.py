"""Irreversible steps ask first: sending invitations, approving the minutes, cancelling.

Each confirmation page (GET) says what will happen and to whom, grouped by institution,
family and external persons, and changes nothing; the POST does it. The slow steps carry
a busy note that htmx shows while the request runs (the form works without JavaScript).
"""

import re

import pytest

from cases.models import Notification
from conferences import services
from conferences.access import NOT_CIRCULATED
from conferences.models import Meeting, Minutes, Participant
from outbox.models import OutboxMessage
from tests.german import label

from .conftest import KITA, url

pytestmark = pytest.mark.django_db


def test_the_invitation_page_lists_who_gets_what_and_sends_nothing(
    signed_in, upcoming, erkelenz_caseworker, caritas_caseworker, mailoutbox
):
    response = signed_in(erkelenz_caseworker).get(url("invite", upcoming.pk))

    assert response.status_code == 200
    html = response.content.decode()
    # Grouped by institution: Caritas, the family, the external persons.
    assert caritas_caseworker.institution.name in html
    assert caritas_caseworker.get_full_name() in html
    assert "Suchtberatung" in html  # the role
    assert label("Family") in html and label("letter (print and send it)") in html
    assert label("External persons") in html and "Petra Lenz" in html
    # Organiser, Caritas and the Kita get an e-mail; the mother a letter.
    sent = label(
        "%(count)d e-mail(s) with a calendar file are sent, one to each person listed below."
    )
    assert sent % {"count": 3} in html
    upcoming.refresh_from_db()
    assert upcoming.state == Meeting.State.PLANNED
    assert not OutboxMessage.objects.exists()
    assert not upcoming.participants.exclude(invited_sequence=None).exists()


def test_confirming_the_invitation_sends_it(
    signed_in, upcoming, erkelenz_caseworker, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(erkelenz_caseworker).post(url("invite", upcoming.pk))

    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert upcoming.state == Meeting.State.INVITED
    assert len(mailoutbox) == 3


def test_the_detail_page_links_to_the_confirmations_instead_of_posting(
    signed_in, upcoming, erkelenz_caseworker
):
    html = signed_in(erkelenz_caseworker).get(upcoming.get_absolute_url()).content.decode()

    assert f'href="{url("invite", upcoming.pk)}"' in html
    assert f'action="{url("invite", upcoming.pk)}"' not in html
    assert f'href="{url("cancel", upcoming.pk)}"' in html


def test_only_the_organising_institution_sees_the_invitation_page(
    signed_in, upcoming, caritas_caseworker, uninvolved_caseworker
):
    assert signed_in(caritas_caseworker).get(url("invite", upcoming.pk)).status_code == 403
    assert signed_in(uninvolved_caseworker).get(url("invite", upcoming.pk)).status_code == 404


def test_the_approval_page_says_what_freezing_means_and_who_is_told(
    signed_in, yesterdays, erkelenz_caseworker, caritas_caseworker
):
    services.minutes_circulate(minutes=yesterdays.minutes)
    response = signed_in(erkelenz_caseworker).get(url("approve", yesterdays.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert caritas_caseworker.get_full_name() in html
    assert caritas_caseworker.institution.name in html
    # The family is not notified (no account); the approver is not listed.
    assert "Sabine" not in html.split(label("To whom"))[1]
    # The busy note: hidden until htmx marks the form as running, button disabled then.
    form = re.search(r'<form method="post" class="confirm-form"[^>]*>', html).group(0)
    assert 'data-hx-disabled-elt="find button"' in form
    assert 'data-hx-indicator="#busy"' in form
    assert 'id="busy" class="htmx-indicator busy"' in html
    yesterdays.minutes.refresh_from_db()
    assert yesterdays.minutes.status == Minutes.Status.CIRCULATED


def test_confirming_the_approval_freezes_and_notifies(
    signed_in, yesterdays, erkelenz_caseworker, caritas_caseworker
):
    services.minutes_circulate(minutes=yesterdays.minutes)
    response = signed_in(erkelenz_caseworker).post(url("approve", yesterdays.pk))

    assert response.status_code == 302
    yesterdays.minutes.refresh_from_db()
    assert yesterdays.minutes.status == Minutes.Status.APPROVED
    told = Notification.objects.filter(kind=Notification.Kind.MINUTES_APPROVED)
    assert list(told.values_list("user", flat=True)) == [caritas_caseworker.pk]


def test_draft_minutes_cannot_be_approved_and_the_page_says_why(
    signed_in, yesterdays, erkelenz_caseworker, erkelenz_lead
):
    response = signed_in(erkelenz_caseworker).get(url("approve", yesterdays.pk))

    assert response.status_code == 403
    assert label(str(NOT_CIRCULATED)) in response.content.decode()
    # A colleague of the organiser gets the generic refusal: approval is the organiser's.
    assert signed_in(erkelenz_lead).get(url("approve", yesterdays.pk)).status_code == 403


def test_the_cancellation_page_lists_the_invited(
    signed_in, upcoming, erkelenz_caseworker, caritas_caseworker
):
    services.meeting_invite(meeting=upcoming)
    response = signed_in(erkelenz_caseworker).get(url("cancel", upcoming.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert caritas_caseworker.get_full_name() in html and "Petra Lenz" in html
    assert label("Family members invited by letter are not told automatically: tell them.") in html
    upcoming.refresh_from_db()
    assert upcoming.state == Meeting.State.INVITED


def test_confirming_the_cancellation_sends_cancellations_and_notifies(
    signed_in,
    upcoming,
    erkelenz_caseworker,
    caritas_caseworker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    services.meeting_invite(meeting=upcoming)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(erkelenz_caseworker).post(url("cancel", upcoming.pk), {"text": ""})

    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert upcoming.state == Meeting.State.CANCELLED
    cancellations = [m for m in mailoutbox if m.subject.startswith("Abgesagt")]
    assert sorted(m.to[0] for m in cancellations) == sorted(
        [erkelenz_caseworker.email, caritas_caseworker.email, KITA]
    )
    assert all("method=CANCEL" in m.attachments[0][2] for m in cancellations)
    notified = Notification.objects.filter(kind=Notification.Kind.MEETING_CANCELLED)
    assert set(notified.values_list("user", flat=True)) == {caritas_caseworker.pk}
    assert upcoming.participants.filter(kind=Participant.Kind.FAMILY).exists()
