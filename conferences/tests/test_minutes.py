"""After the meeting, through the real views: attendance, minutes, approval, actions.

A Beteiligtenkonferenz of family Beispiel (led by Jugendamt Erkelenz) was held on
24.11.2026. Attendance marks it held; the organiser writes the minutes (a concurrent
save is refused); the health section reaches only readers with health release, on the
page and in the PDF; circulated minutes are commented, then approved and frozen as a
PDF/A with its SHA-256; amendments come dated beside it; agreed actions are followed up
on the responsible institution's dashboard. A Gremium sitting's protocol carries no
family data. The clock stands at 25.11.2026.
"""

import datetime
import hashlib
import io
import re
import zoneinfo

import pypdf
import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from cases import services as case_services
from cases.models import DataCategory, FamilyMember
from conferences import services
from conferences.models import Action, Amendment, Meeting, Minutes, MinutesComment, Participant
from cooperation.models import Committee, CommitteeMember, User
from tests import factories
from tests.german import assert_german_error, german, label

TODAY = datetime.date(2026, 11, 25)
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
C = DataCategory
Kind = FamilyMember.Kind
PLACE = "Jugendamt Erkelenz, Johannismarkt 17, Raum 2.14"
HEALTH_ITEM = "The parents' situation and treatment"
HEALTH_TEXT = "Mutter seit März in Substitution (Methadon), Beigebrauch verneint"
CHILD_TEXT = "Mia besucht die Kita Sonnenschein regelmäßig"
CONFIDENTIAL = "Vertraulich – enthält Sozialdaten"


def berlin(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


HELD_AT = berlin(2026, 11, 24, 10, 0)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


# --- helpers -------------------------------------------------------------------------


def url(name: str, *args) -> str:
    return reverse(f"conferences:{name}", args=args)


def version_in(html: str) -> str:
    """The hidden version the minutes form carries (what the browser sends back)."""
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "the minutes form carries no version"
    return match.group(1)


def pdf_of(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.getvalue()
    assert content.startswith(b"%PDF-")
    return content


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def add_staff(meeting: Meeting, user: User, role: str = "") -> Participant:
    """Setup: ``user`` is on the list (what the participant form writes)."""
    return Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.STAFF,
        user=user,
        institution=user.institution,
        name=user.get_full_name() or user.username,
        role=role,
        email=user.email,
    )


def item(meeting: Meeting, title: str):
    return meeting.agenda.get(title=title)


def write(meeting: Meeting, **texts) -> None:
    """Setup: the minutes of the agenda items numbered ``n<number>``."""
    for key, text in texts.items():
        meeting.agenda.filter(number=int(key[1:])).update(minutes=text)


def revoke(consent, recorded_by) -> None:
    case_services.consent_revoke(
        consent=consent, revoked_on=TODAY, channel="in_writing", recorded_by=recorded_by
    )


# --- the world -----------------------------------------------------------------------


@pytest.fixture
def gesundheitsamt_released(family_case, institutions, erkelenz_caseworker):
    """The Gesundheitsamt also receives Erkelenz's health data."""
    return factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["gesundheitsamt"]],
        [C.MASTER, C.PROTOCOLS, C.HEALTH],
        erkelenz_caseworker,
    )


@pytest.fixture
def conference(family_case, caritas_released, erkelenz_caseworker, caritas_caseworker) -> Meeting:
    """Yesterday's conference (not yet marked held): Anna organised, Lena invited."""
    meeting = services.conference_schedule(
        case=family_case, organiser=erkelenz_caseworker, starts_at=HELD_AT, place=PLACE
    )
    add_staff(meeting, caritas_caseworker, role="Suchtberatung")
    return meeting


@pytest.fixture
def held(conference, family_case, erkelenz_caseworker, gesundheitsamt_caseworker) -> Meeting:
    """The conference was held: Anna and Lena present, the mother present, the
    Gesundheitsamt excused; minutes written, two agreed actions."""
    mother = family_case.members.get(kind=Kind.MOTHER)
    Participant.objects.create(
        meeting=conference,
        kind=Participant.Kind.FAMILY,
        member=mother,
        name="Sabine Beispiel",
        role="Mutter",
    )
    add_staff(conference, gesundheitsamt_caseworker, role="Substitutionsbegleitung")
    conference.participants.update(attendance=Participant.Attendance.PRESENT)
    conference.participants.filter(user=gesundheitsamt_caseworker).update(
        attendance=Participant.Attendance.EXCUSED
    )
    services.meeting_held(meeting=conference)
    write(conference, n2=CHILD_TEXT, n3=HEALTH_TEXT, n4="Großmutter unterstützt im Alltag")
    caritas = conference.participants.get(institution__short_name="Caritas")
    Action.objects.create(
        meeting=conference,
        what="Anmeldung zur Elterngruppe",
        responsible=Action.Responsible.PARTICIPANT,
        participant=caritas,
        institution_id=caritas.institution_id,
        due_on=datetime.date(2027, 1, 15),
    )
    Action.objects.create(
        meeting=conference,
        what="Termin beim Kinderarzt wahrnehmen",
        responsible=Action.Responsible.PARENTS,
        institution=conference.source_institution,
        due_on=datetime.date(2026, 12, 31),
    )
    conference.refresh_from_db()
    return conference


@pytest.fixture
def approved(held, erkelenz_caseworker, django_capture_on_commit_callbacks) -> Meeting:
    """Setup: circulated, approved by the organiser and its protocol rendered (the
    task runs when the approval commits)."""
    services.minutes_circulate(minutes=held.minutes)
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_approve(minutes=held.minutes, approved_by=erkelenz_caseworker)
    held.refresh_from_db()
    return held


# --- attendance: the meeting was held ------------------------------------------------


def test_recording_attendance_marks_the_meeting_held_and_the_next_conference_due(
    signed_in, conference, family_case, erkelenz_caseworker, caritas_caseworker
):
    anna = conference.participants.get(user=erkelenz_caseworker)
    lena = conference.participants.get(user=caritas_caseworker)
    erkelenz = signed_in(erkelenz_caseworker)
    form = erkelenz.get(url("attendance", conference.pk)).context["form"]
    assert set(form.fields) == {f"p{anna.pk}", f"p{lena.pk}"}

    response = erkelenz.post(
        url("attendance", conference.pk), {f"p{anna.pk}": "present", f"p{lena.pk}": "excused"}
    )

    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.state == Meeting.State.HELD
    anna.refresh_from_db()
    lena.refresh_from_db()
    assert (anna.attendance, lena.attendance) == ("present", "excused")
    family_case.refresh_from_db()
    # Held on 24.11.2026; the cooperation's interval is six months by default.
    assert family_case.conference_due_on == datetime.date(2027, 5, 24)
    page = erkelenz.get(conference.get_absolute_url()).content.decode()
    assert label(Participant.Attendance.EXCUSED.label) in page


def test_a_meeting_still_ahead_cannot_be_recorded_as_held(
    signed_in, family_case, erkelenz_caseworker
):
    ahead = services.conference_schedule(
        case=family_case,
        organiser=erkelenz_caseworker,
        starts_at=berlin(2026, 12, 9),
        place=PLACE,
    )
    anna = ahead.participants.get()

    response = signed_in(erkelenz_caseworker).post(
        url("attendance", ahead.pk), {f"p{anna.pk}": "present"}
    )

    assert response.status_code in (400, 403)
    ahead.refresh_from_db()
    assert ahead.state == Meeting.State.PLANNED
    family_case.refresh_from_db()
    assert family_case.conference_due_on == datetime.date(2027, 5, 25)


def test_attendance_needs_every_participant(signed_in, conference, erkelenz_caseworker):
    anna = conference.participants.get(user=erkelenz_caseworker)
    response = signed_in(erkelenz_caseworker).post(
        url("attendance", conference.pk), {f"p{anna.pk}": "present"}
    )
    assert response.status_code == 400
    conference.refresh_from_db()
    assert conference.state == Meeting.State.PLANNED
    assert set(conference.participants.values_list("attendance", flat=True)) == {"unknown"}


def test_only_the_organising_institution_records_attendance(
    client, signed_in, conference, caritas_caseworker, uninvolved_caseworker, erkelenz_caseworker
):
    target = url("attendance", conference.pk)
    lena = conference.participants.get(user=caritas_caseworker)
    data = dict.fromkeys((f"p{lena.pk}",), "present")
    assert signed_in(caritas_caseworker).get(target).status_code == 403
    assert signed_in(caritas_caseworker).post(target, data).status_code == 403
    assert signed_in(uninvolved_caseworker).get(target).status_code == 404
    assert client.post(target, data).status_code == 302
    assert signed_in(erkelenz_caseworker).put(target).status_code == 405
    conference.refresh_from_db()
    assert conference.state == Meeting.State.PLANNED


# --- writing the minutes -------------------------------------------------------------


def minutes_data(html: str, meeting: Meeting, **texts) -> dict:
    """The minutes form as loaded, with ``texts`` (``n<number>``) typed in."""
    data = {"version": version_in(html)}
    for agenda_item in meeting.agenda.all():
        data[f"minutes_{agenda_item.pk}"] = texts.get(f"n{agenda_item.number}", "")
    return data


def test_the_organiser_writes_the_minutes(signed_in, held, erkelenz_caseworker):
    erkelenz = signed_in(erkelenz_caseworker)
    target = url("minutes", held.pk)
    html = erkelenz.get(target).content.decode()
    assert HEALTH_TEXT in html

    response = erkelenz.post(
        target, minutes_data(html, held, n3=HEALTH_TEXT, n7="Mutter meldet sich bei der Caritas")
    )

    assert response.status_code == 302
    held.minutes.refresh_from_db()
    assert held.minutes.version == 1
    assert held.agenda.get(number=7).minutes == "Mutter meldet sich bei der Caritas"
    assert held.agenda.get(number=2).minutes == ""
    assert "Mutter meldet sich bei der Caritas" in (
        erkelenz.get(held.get_absolute_url()).content.decode()
    )


def test_minutes_are_written_only_after_the_meeting_by_its_organisers(
    signed_in, conference, erkelenz_caseworker, caritas_caseworker, uninvolved_caseworker
):
    # Not yet held: nothing to write.
    assert signed_in(erkelenz_caseworker).get(url("minutes", conference.pk)).status_code == 403
    services.meeting_held(meeting=conference)
    assert signed_in(erkelenz_caseworker).get(url("minutes", conference.pk)).status_code == 200
    assert signed_in(caritas_caseworker).get(url("minutes", conference.pk)).status_code == 403
    assert signed_in(uninvolved_caseworker).get(url("minutes", conference.pk)).status_code == 404


def test_the_second_of_two_concurrent_saves_is_refused_and_keeps_its_text(
    signed_in, held, erkelenz_caseworker, erkelenz_lead
):
    target = url("minutes", held.pk)
    anna, lead = signed_in(erkelenz_caseworker), signed_in(erkelenz_lead)
    anna_html = anna.get(target).content.decode()
    lead_html = lead.get(target).content.decode()
    assert version_in(anna_html) == version_in(lead_html)

    first = anna.post(target, minutes_data(anna_html, held, n5="Anna: keine akute Gefährdung"))
    second = lead.post(target, minutes_data(lead_html, held, n5="Leitung: Schutzplan nötig"))

    assert first.status_code == 302
    assert second.status_code == 400
    assert held.agenda.get(number=5).minutes == "Anna: keine akute Gefährdung"
    assert "Leitung: Schutzplan nötig" in second.content.decode()
    held.minutes.refresh_from_db()
    assert held.minutes.version == 1
    # Saving again carries the current version and goes through.
    retry = lead.post(
        target,
        minutes_data(second.content.decode(), held, n5="Leitung: Schutzplan nötig"),
    )
    assert retry.status_code == 302
    assert held.agenda.get(number=5).minutes == "Leitung: Schutzplan nötig"
    assert_german_error(
        second,
        None,
        "Someone else saved these minutes while you were writing. Your text is kept below "
        "and was not saved: compare it with the current minutes (open them in a new tab), "
        "then save again.",
    )


# --- the health section --------------------------------------------------------------


def test_the_health_section_reaches_only_readers_with_health_release(
    signed_in, held, gesundheitsamt_released, caritas_caseworker, gesundheitsamt_caseworker
):
    caritas, gesundheitsamt = signed_in(caritas_caseworker), signed_in(gesundheitsamt_caseworker)

    without = caritas.get(held.get_absolute_url()).content.decode()
    with_health = gesundheitsamt.get(held.get_absolute_url()).content.decode()

    assert CHILD_TEXT in without
    assert HEALTH_TEXT not in without
    assert escape(label(HEALTH_ITEM)) not in without
    assert CHILD_TEXT in with_health
    assert HEALTH_TEXT in with_health
    assert escape(label(HEALTH_ITEM)) in with_health
    # The draft protocol alike.
    draft_without = text_of(pdf_of(caritas.get(url("pdf", held.pk))))
    draft_with = text_of(pdf_of(gesundheitsamt.get(url("pdf", held.pk))))
    assert CHILD_TEXT in draft_without
    assert HEALTH_TEXT not in draft_without
    assert "Gesundheitsdaten ist in dieser Fassung nicht enthalten" in draft_without
    assert HEALTH_TEXT in draft_with


def test_the_approved_protocol_without_health_data_is_frozen_too(
    signed_in,
    approved,
    gesundheitsamt_released,
    caritas_caseworker,
    gesundheitsamt_caseworker,
):
    minutes = approved.minutes
    reduced = signed_in(caritas_caseworker).get(url("pdf", approved.pk))
    full = signed_in(gesundheitsamt_caseworker).get(url("pdf", approved.pk))

    reduced_pdf, full_pdf = pdf_of(reduced), pdf_of(full)
    assert hashlib.sha256(reduced_pdf).hexdigest() == minutes.sha256_without_health
    assert reduced["X-Checksum-SHA256"] == minutes.sha256_without_health
    assert hashlib.sha256(full_pdf).hexdigest() == minutes.sha256
    assert full["X-Checksum-SHA256"] == minutes.sha256
    assert HEALTH_TEXT not in text_of(reduced_pdf)
    assert HEALTH_TEXT in text_of(full_pdf)
    page = signed_in(caritas_caseworker).get(approved.get_absolute_url()).content.decode()
    assert minutes.sha256_without_health in page
    assert minutes.sha256 not in page


# --- circulation, comments, approval -------------------------------------------------


def test_circulated_minutes_are_commented_by_participants(
    signed_in,
    held,
    gesundheitsamt_released,
    erkelenz_caseworker,
    caritas_caseworker,
    uninvolved_caseworker,
    gesundheitsamt_caseworker,
):
    caritas = signed_in(caritas_caseworker)
    comment = {"text": "Bitte TOP 4 ergänzen: Termin bei der Schuldnerberatung"}
    # Before circulation there is nothing to comment on.
    assert caritas.post(url("comment", held.pk), comment).status_code == 403

    response = signed_in(erkelenz_caseworker).post(url("circulate", held.pk))

    assert response.status_code == 302
    held.refresh_from_db()
    held.minutes.refresh_from_db()
    assert held.state == Meeting.State.CIRCULATED
    assert held.minutes.status == Minutes.Status.CIRCULATED
    assert held.minutes.circulated_at is not None
    assert caritas.post(url("comment", held.pk), comment).status_code == 302
    saved = MinutesComment.objects.get()
    assert (saved.author, saved.text) == (caritas_caseworker, comment["text"])
    page = signed_in(erkelenz_caseworker).get(held.get_absolute_url()).content.decode()
    assert comment["text"] in page
    assert "Lena Küppers" in page
    # The Gesundheitsamt was invited too; the Hückelhoven office sees nothing.
    by_gesundheitsamt = signed_in(gesundheitsamt_caseworker).post(url("comment", held.pk), comment)
    assert by_gesundheitsamt.status_code == 302
    assert MinutesComment.objects.count() == 2
    assert signed_in(uninvolved_caseworker).post(url("comment", held.pk), comment).status_code == (
        404
    )
    assert caritas.get(url("comment", held.pk)).status_code == 405


def test_a_reader_who_was_not_invited_does_not_comment(
    signed_in, held, gesundheitsamt_released, gesundheitsamt_caseworker
):
    held.participants.filter(user=gesundheitsamt_caseworker).delete()
    services.minutes_circulate(minutes=held.minutes)
    gesundheitsamt = signed_in(gesundheitsamt_caseworker)
    assert gesundheitsamt.get(held.get_absolute_url()).status_code == 200

    response = gesundheitsamt.post(url("comment", held.pk), {"text": "Ergänzung"})

    assert response.status_code == 403
    assert not MinutesComment.objects.exists()


def test_the_organiser_approves_and_the_protocol_is_frozen(
    signed_in, held, erkelenz_caseworker, caritas_caseworker, django_capture_on_commit_callbacks
):
    erkelenz = signed_in(erkelenz_caseworker)
    erkelenz.post(url("circulate", held.pk))

    # The protocol is rendered by a task once the approval has committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = erkelenz.post(url("approve", held.pk))

    assert response.status_code == 302
    held.refresh_from_db()
    minutes = Minutes.objects.get(meeting=held)
    assert minutes.status == Minutes.Status.APPROVED
    assert held.state == Meeting.State.APPROVED
    assert minutes.approved_by == erkelenz_caseworker
    assert minutes.approved_at.date() == TODAY
    assert minutes.pdf and minutes.sha256
    with minutes.pdf.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == minutes.sha256

    first = erkelenz.get(url("pdf", held.pk))
    second = erkelenz.get(url("pdf", held.pk))
    first_pdf, second_pdf = pdf_of(first), pdf_of(second)
    assert first_pdf == second_pdf
    assert hashlib.sha256(first_pdf).hexdigest() == minutes.sha256
    assert first["X-Checksum-SHA256"] == minutes.sha256
    assert "no-store" in first["Cache-Control"]
    assert minutes.sha256 in erkelenz.get(held.get_absolute_url()).content.decode()

    # Frozen: the minutes are no longer edited, commented or approved again.
    assert erkelenz.get(url("minutes", held.pk)).status_code == 403
    html_data = {"version": str(minutes.version)}
    html_data.update({f"minutes_{i.pk}": "geändert" for i in held.agenda.all()})
    assert erkelenz.post(url("minutes", held.pk), html_data).status_code == 403
    assert not held.agenda.filter(minutes="geändert").exists()
    comment = signed_in(caritas_caseworker).post(url("comment", held.pk), {"text": "spät"})
    assert comment.status_code == 403
    erkelenz.post(url("approve", held.pk))
    assert Minutes.objects.get(meeting=held).sha256 == minutes.sha256


def test_only_the_organiser_approves(
    signed_in, held, erkelenz_lead, caritas_caseworker, uninvolved_caseworker
):
    services.minutes_circulate(minutes=held.minutes)

    assert signed_in(erkelenz_lead).post(url("approve", held.pk)).status_code == 403
    assert signed_in(caritas_caseworker).post(url("approve", held.pk)).status_code == 403
    assert signed_in(uninvolved_caseworker).post(url("approve", held.pk)).status_code == 404
    # The confirmation page is the organiser's too.
    assert signed_in(erkelenz_lead).get(url("approve", held.pk)).status_code == 403
    held.minutes.refresh_from_db()
    assert held.minutes.status == Minutes.Status.CIRCULATED
    assert not held.minutes.pdf


def test_an_amendment_is_shown_dated_while_the_pdf_stays_identical(
    signed_in, approved, erkelenz_caseworker, caritas_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)
    before = pdf_of(erkelenz.get(url("pdf", approved.pk)))
    # Only the organising institution amends.
    assert signed_in(caritas_caseworker).get(url("amend", approved.pk)).status_code == 403

    # A week later (sessions last a working day: sign in again).
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0), tick=False):
        erkelenz = signed_in(erkelenz_caseworker)
        response = erkelenz.post(
            url("amend", approved.pk), {"text": "Berichtigung zu TOP 4: Tante statt Großmutter"}
        )

    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.author == erkelenz_caseworker
    page = signed_in(caritas_caseworker).get(approved.get_absolute_url()).content.decode()
    assert "Berichtigung zu TOP 4: Tante statt Großmutter" in page
    assert "02.12.2026" in page
    after = pdf_of(erkelenz.get(url("pdf", approved.pk)))
    assert after == before
    assert hashlib.sha256(after).hexdigest() == approved.minutes.sha256


def test_draft_minutes_take_no_amendment(signed_in, held, erkelenz_caseworker):
    response = signed_in(erkelenz_caseworker).post(url("amend", held.pk), {"text": "zu früh"})
    assert response.status_code == 403
    assert not Amendment.objects.exists()


# --- the protocol PDF ----------------------------------------------------------------


def test_the_protocol_is_a_complete_pdfa(
    signed_in, approved, family_case, heinsberg, institutions, erkelenz_caseworker
):
    pdf = pdf_of(signed_in(erkelenz_caseworker).get(url("pdf", approved.pk)))
    text = text_of(pdf)

    assert heinsberg.name in text
    assert "Beteiligtenkonferenz" in text
    assert family_case.reference in text
    assert "24.11.2026" in text
    for name, institution, attendance in [
        ("Anna Schmitz", institutions["erkelenz"].name, Participant.Attendance.PRESENT),
        ("Lena Küppers", institutions["caritas"].name, Participant.Attendance.PRESENT),
        (
            "Test Ga.Fachkraft",
            institutions["gesundheitsamt"].name,
            Participant.Attendance.EXCUSED,
        ),
    ]:
        assert re.search(
            rf"{re.escape(name)} {re.escape(institution)} .*?{re.escape(label(attendance.label))}",
            text,
        ), f"{name} is not listed with institution and attendance"
    assert "Sabine Beispiel" in text
    for agenda_item in approved.agenda.all():
        assert f"{agenda_item.number}. {agenda_item.title}" in text
    assert CHILD_TEXT in text
    assert HEALTH_TEXT in text
    assert "Anmeldung zur Elterngruppe" in text
    assert "15.01.2027" in text
    assert "Termin beim Kinderarzt wahrnehmen" in text
    assert "31.12.2026" in text
    assert "Unterschrift" in text
    assert "Unterschrift Sabine Beispiel" in text
    assert CONFIDENTIAL in text
    assert "Seite 1 von" in text
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata
    assert xmp is not None
    metadata = xmp.stream.get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", metadata), "no PDF/A-3 identification"


def test_the_protocol_speaks_german(signed_in, approved, erkelenz_caseworker):
    text = text_of(pdf_of(signed_in(erkelenz_caseworker).get(url("pdf", approved.pk))))
    assert german("present") in text
    assert german("excused") in text
    assert german(HEALTH_ITEM) in text


# --- a revocation takes the minutes away ---------------------------------------------


def test_a_revoked_consent_takes_the_minutes_away(
    signed_in, approved, caritas_released, caritas_caseworker, erkelenz_caseworker
):
    caritas = signed_in(caritas_caseworker)
    assert caritas.get(approved.get_absolute_url()).status_code == 200
    pdf_of(caritas.get(url("pdf", approved.pk)))

    revoke(caritas_released, erkelenz_caseworker)

    assert caritas.get(approved.get_absolute_url()).status_code == 404
    assert caritas.get(url("pdf", approved.pk)).status_code == 404
    assert caritas.post(url("comment", approved.pk), {"text": "x"}).status_code == 404


# --- agreed actions ------------------------------------------------------------------


def test_the_organiser_agrees_actions(signed_in, held, institutions, erkelenz_caseworker):
    erkelenz = signed_in(erkelenz_caseworker)
    target = url("action_add", held.pk)

    by_caritas = erkelenz.post(
        target,
        {
            "what": "Rückmeldung zur Gruppenteilnahme",
            "responsible": "institution",
            "institution": institutions["caritas"].pk,
            "due_on": "2026-12-15",
        },
    )
    by_parents = erkelenz.post(
        target,
        {"what": "Kita-Anmeldung abgeben", "responsible": "parents", "due_on": "2026-12-20"},
    )

    assert (by_caritas.status_code, by_parents.status_code) == (302, 302)
    caritas_action = Action.objects.get(what="Rückmeldung zur Gruppenteilnahme")
    assert caritas_action.institution == institutions["caritas"]
    assert caritas_action.due_on == datetime.date(2026, 12, 15)
    assert caritas_action.status == Action.Status.OPEN
    parents_action = Action.objects.get(what="Kita-Anmeldung abgeben")
    # The lead follows up what the parents agreed to do.
    assert parents_action.institution == institutions["erkelenz"]
    page = erkelenz.get(held.get_absolute_url()).content.decode()
    assert "Rückmeldung zur Gruppenteilnahme" in page
    assert "15.12.2026" in page


def test_an_action_is_not_given_to_an_institution_without_release(
    signed_in, held, institutions, erkelenz_caseworker, caritas_caseworker
):
    before = Action.objects.count()
    response = signed_in(erkelenz_caseworker).post(
        url("action_add", held.pk),
        {
            "what": "Beratungstermin anbieten",
            "responsible": "institution",
            "institution": institutions["diakonie"].pk,
            "due_on": "2026-12-15",
        },
    )
    assert response.status_code == 400
    assert Action.objects.count() == before
    assert signed_in(caritas_caseworker).get(url("action_add", held.pk)).status_code == 403


def test_an_overdue_action_waits_on_the_responsible_institutions_dashboard(
    signed_in,
    held,
    gesundheitsamt_released,
    institutions,
    erkelenz_caseworker,
    caritas_caseworker,
    gesundheitsamt_caseworker,
):
    signed_in(erkelenz_caseworker).post(
        url("action_add", held.pk),
        {
            "what": "Rückmeldung zur Gruppenteilnahme",
            "responsible": "institution",
            "institution": institutions["caritas"].pk,
            "due_on": "2026-12-15",
        },
    )
    action = Action.objects.get(what="Rückmeldung zur Gruppenteilnahme")
    caritas = signed_in(caritas_caseworker)
    assert "Rückmeldung zur Gruppenteilnahme" not in (
        caritas.get(reverse("dashboard")).content.decode()
    )

    with time_machine.travel(datetime.datetime(2026, 12, 20, 9, 0), tick=False):
        caritas = signed_in(caritas_caseworker)
        on_caritas = caritas.get(reverse("dashboard")).content.decode()
        assert "Rückmeldung zur Gruppenteilnahme" in on_caritas
        assert held.case.reference in on_caritas
        assert "15.12.2026" in on_caritas
        for other in (gesundheitsamt_caseworker, erkelenz_caseworker):
            dashboard = signed_in(other).get(reverse("dashboard")).content.decode()
            assert "Rückmeldung zur Gruppenteilnahme" not in dashboard
        # The Gesundheitsamt sees the meeting, but the action is not its own.
        target = url("action_update", action.pk)
        assert signed_in(gesundheitsamt_caseworker).get(target).status_code == 403

        response = caritas.post(target, {"status": "done", "done_on": "2026-12-18"})

        assert response.status_code == 302
        action.refresh_from_db()
        assert (action.status, action.done_on) == ("done", datetime.date(2026, 12, 18))
        on_caritas = caritas.get(reverse("dashboard")).content.decode()
        assert "Rückmeldung zur Gruppenteilnahme" not in on_caritas


def test_an_action_is_not_done_in_the_future(signed_in, held, erkelenz_caseworker):
    action = held.actions.get(responsible=Action.Responsible.PARENTS)
    response = signed_in(erkelenz_caseworker).post(
        url("action_update", action.pk), {"status": "done", "done_on": "2026-12-01"}
    )
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN
    assert_german_error(response, "done_on", "The date done cannot be in the future.")


def test_an_outsider_does_not_reach_an_action(signed_in, held, uninvolved_caseworker):
    action = held.actions.first()
    response = signed_in(uninvolved_caseworker).post(
        url("action_update", action.pk), {"status": "done"}
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN


# --- a sitting of the Kooperationsgremium --------------------------------------------


@pytest.fixture
def committee(heinsberg, institutions, kreisjugendamt_caseworker, caritas_caseworker):
    committee = Committee.objects.create(
        cooperation=heinsberg, name="Kooperationsgremium", chair=kreisjugendamt_caseworker
    )
    CommitteeMember.objects.create(
        committee=committee,
        institution=institutions["caritas"],
        user=caritas_caseworker,
        function=CommitteeMember.Function.REPRESENTATIVE,
    )
    return committee


@pytest.fixture
def held_sitting(committee, coordination_office) -> Meeting:
    """The sitting of 24.11.2026 (after one on 10.06.2026), held."""
    services.sitting_schedule(
        committee=committee,
        organiser=coordination_office,
        starts_at=berlin(2026, 6, 10, 14, 0),
        place="Kreishaus Heinsberg",
    )
    sitting = services.sitting_schedule(
        committee=committee, organiser=coordination_office, starts_at=HELD_AT, place="Kreishaus"
    )
    services.meeting_held(meeting=sitting)
    return sitting


def test_the_sitting_protocol_carries_resolutions_and_no_confidentiality_mark(
    signed_in, held_sitting, coordination_office, caritas_caseworker, erkelenz_caseworker
):
    office = signed_in(coordination_office)
    target = url("minutes", held_sitting.pk)
    html = office.get(target).content.decode()
    first = held_sitting.agenda.get(number=1)
    response = office.post(
        target,
        {
            "version": version_in(html),
            f"minutes_{first.pk}": "Das Protokoll wurde ohne Änderungen genehmigt.",
            f"resolution_{first.pk}": "Einstimmig angenommen",
        },
    )
    assert response.status_code == 302

    pdf = pdf_of(signed_in(caritas_caseworker).get(url("pdf", held_sitting.pk)))
    text = text_of(pdf)

    assert "Kooperationsgremium" in text
    assert "24.11.2026" in text
    assert "10.06.2026" in text
    assert "Das Protokoll wurde ohne Änderungen genehmigt." in text
    assert "Einstimmig angenommen" in text
    assert CONFIDENTIAL not in text
    assert "Kreis Heinsberg" in text
    assert signed_in(erkelenz_caseworker).get(url("pdf", held_sitting.pk)).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("circulate", "get"),
        ("approve", "put"),
        ("comment", "get"),
        ("pdf", "post"),
        ("minutes", "put"),
        ("attendance", "delete"),
        ("amend", "put"),
    ],
)
def test_the_minutes_pages_accept_only_their_methods(
    signed_in, held, erkelenz_caseworker, name, method
):
    assert getattr(signed_in(erkelenz_caseworker), method)(url(name, held.pk)).status_code == 405
    held.minutes.refresh_from_db()
    assert held.minutes.status == Minutes.Status.DRAFT


@pytest.mark.parametrize("name", ["minutes", "circulate", "approve", "comment", "amend", "pdf"])
def test_the_minutes_pages_need_a_login(client, held, name):
    response = client.get(url(name, held.pk))
    assert response.status_code in (302, 405)
    response = client.post(url(name, held.pk), {"text": "x"})
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))
    held.minutes.refresh_from_db()
    assert held.minutes.status == Minutes.Status.DRAFT
    assert not MinutesComment.objects.exists()


def test_only_the_organising_institution_circulates(
    signed_in, held, caritas_caseworker, uninvolved_caseworker
):
    assert signed_in(caritas_caseworker).post(url("circulate", held.pk)).status_code == 403
    assert signed_in(uninvolved_caseworker).post(url("circulate", held.pk)).status_code == 404
    held.minutes.refresh_from_db()
    assert held.minutes.status == Minutes.Status.DRAFT
