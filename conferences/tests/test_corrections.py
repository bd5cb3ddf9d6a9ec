"""Dates that make sense, and corrections until the minutes are approved.

An agreed action is due on the meeting's day or later, and done no earlier. Agreed
actions and attendance are corrected (not only dropped) until the minutes are approved,
and the history keeps each version; after the approval only a dated amendment changes
the record. A dropped action is left out of the printed protocol. Refusals before the
meeting's day name the date, not the reader's role.
"""

import datetime
import io

import pypdf
import pytest

from cases.models import Notification
from conferences import services
from conferences.access import CORRECTIONS_CLOSED, NOT_YET_BEGUN
from conferences.models import Action, Amendment, Meeting, Participant
from tests.german import label

from .conftest import url

pytestmark = pytest.mark.django_db
ROLE_REFUSAL = (
    "Your role or institution may not do this. If you think it should, ask the lead "
    "institution of the case or your coordination office."
)


def action_form(meeting: Meeting, **changes) -> dict:
    data = {
        "what": "Anmeldung zur Elterngruppe",
        "responsible": Action.Responsible.INSTITUTION,
        "participant": "",
        "institution": str(meeting.source_institution_id),
        "due_on": "2026-12-15",
    }
    data.update(changes)
    return data


def agreed(meeting: Meeting, **fields) -> Action:
    values = {
        "what": "Anmeldung zur Elterngruppe",
        "responsible": Action.Responsible.INSTITUTION,
        "institution": meeting.source_institution,
        "due_on": datetime.date(2026, 12, 15),
        **fields,
    }
    return Action.objects.create(meeting=meeting, **values)


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_an_action_due_before_the_meeting_is_refused_and_the_input_kept(
    signed_in, yesterdays, erkelenz_caseworker
):
    response = signed_in(erkelenz_caseworker).post(
        url("action_add", yesterdays.pk), action_form(yesterdays, due_on="2020-01-01")
    )

    assert response.status_code == 400
    message = label("The due date cannot be before the day of the meeting (%(date)s).") % {
        "date": "24.11.2026"
    }
    assert message in response.context["form"].errors["due_on"]
    assert 'value="2020-01-01"' in response.content.decode()
    assert not Action.objects.exists()


def test_an_action_due_on_the_meeting_day_is_accepted(signed_in, yesterdays, erkelenz_caseworker):
    response = signed_in(erkelenz_caseworker).post(
        url("action_add", yesterdays.pk), action_form(yesterdays, due_on="2026-11-24")
    )

    assert response.status_code == 302
    assert Action.objects.get().due_on == datetime.date(2026, 11, 24)


def test_an_action_is_corrected_until_the_approval_with_its_history(
    signed_in, yesterdays, erkelenz_caseworker
):
    action = agreed(yesterdays)
    browser = signed_in(erkelenz_caseworker)
    response = browser.post(
        url("action_edit", action.pk),
        action_form(yesterdays, what="Anmeldung zur Elterngruppe der Caritas", due_on="2026-12-20"),
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.what == "Anmeldung zur Elterngruppe der Caritas"
    assert action.due_on == datetime.date(2026, 12, 20)
    assert [v.due_on for v in action.history.order_by("history_id")] == [
        datetime.date(2026, 12, 15),
        datetime.date(2026, 12, 20),
    ]
    # The correction page shows the earlier version.
    page = browser.get(url("action_edit", action.pk)).content.decode()
    assert label("Earlier versions") in page and "15.12.2026" in page


def test_a_correction_is_refused_with_a_wrong_due_date(signed_in, yesterdays, erkelenz_caseworker):
    action = agreed(yesterdays)
    response = signed_in(erkelenz_caseworker).post(
        url("action_edit", action.pk), action_form(yesterdays, due_on="2026-01-01")
    )

    assert response.status_code == 400
    action.refresh_from_db()
    assert action.due_on == datetime.date(2026, 12, 15)


def test_after_the_approval_only_amendments_change_the_record(
    signed_in, yesterdays, erkelenz_caseworker, caritas_caseworker
):
    action = agreed(yesterdays)
    services.minutes_circulate(minutes=yesterdays.minutes)
    services.minutes_approve(minutes=yesterdays.minutes, approved_by=erkelenz_caseworker)
    browser = signed_in(erkelenz_caseworker)

    for response in (
        browser.get(url("action_edit", action.pk)),
        browser.post(url("action_edit", action.pk), action_form(yesterdays, due_on="2026-12-31")),
        browser.get(url("attendance", yesterdays.pk)),
        browser.get(url("action_add", yesterdays.pk)),
    ):
        assert response.status_code == 403
        assert label(str(CORRECTIONS_CLOSED)) in response.content.decode()
    action.refresh_from_db()
    assert action.due_on == datetime.date(2026, 12, 15)

    response = browser.post(url("amend", yesterdays.pk), {"text": "Frist bis 31.12.2026."})
    assert response.status_code == 302
    assert Amendment.objects.get().text == "Frist bis 31.12.2026."
    told = Notification.objects.get(kind=Notification.Kind.MINUTES_AMENDED)
    assert told.user == caritas_caseworker
    assert "Sabine" not in told.message and yesterdays.case.reference in told.message


def test_attendance_is_corrected_while_the_minutes_circulate(
    signed_in, yesterdays, erkelenz_caseworker, caritas_caseworker
):
    services.minutes_circulate(minutes=yesterdays.minutes)
    lena = yesterdays.participants.get(user=caritas_caseworker)
    browser = signed_in(erkelenz_caseworker)
    form = browser.get(url("attendance", yesterdays.pk)).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data[f"p{lena.pk}"] = Participant.Attendance.EXCUSED

    response = browser.post(url("attendance", yesterdays.pk), data)

    assert response.status_code == 302
    lena.refresh_from_db()
    assert lena.attendance == Participant.Attendance.EXCUSED
    # The history keeps the correction beside what was recorded before.
    assert lena.history.order_by("-history_id").first().attendance == "excused"
    assert lena.history.count() >= 2
    yesterdays.refresh_from_db()
    assert yesterdays.state == Meeting.State.CIRCULATED


def test_before_the_meeting_day_the_refusal_names_the_date(
    signed_in, upcoming, erkelenz_caseworker
):
    browser = signed_in(erkelenz_caseworker)
    for name in ("attendance", "minutes", "action_add"):
        response = browser.get(url(name, upcoming.pk))
        html = response.content.decode()
        assert response.status_code == 403, name
        assert label(str(NOT_YET_BEGUN)) in html, name
        assert label(ROLE_REFUSAL) not in html, name


def test_the_status_cannot_be_done_before_the_meeting(signed_in, yesterdays, erkelenz_caseworker):
    action = agreed(yesterdays)
    response = signed_in(erkelenz_caseworker).post(
        url("action_update", action.pk), {"status": "done", "done_on": "2026-11-01"}
    )

    assert response.status_code == 400
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN


def test_a_dropped_action_is_left_out_of_the_protocol(signed_in, yesterdays, erkelenz_caseworker):
    agreed(yesterdays, what="Hausbesuch durch das Jugendamt")
    agreed(yesterdays, what="Termin beim Kinderarzt", status=Action.Status.DROPPED)

    response = signed_in(erkelenz_caseworker).get(url("pdf", yesterdays.pk))

    text = text_of(response.getvalue())
    assert "Hausbesuch durch das Jugendamt" in text
    assert "Termin beim Kinderarzt" not in text
    # On the page it stays, marked as dropped.
    page = signed_in(erkelenz_caseworker).get(yesterdays.get_absolute_url()).content.decode()
    assert 'class="dropped"' in page and "Termin beim Kinderarzt" in page
