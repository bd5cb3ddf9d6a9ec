"""Planning and inviting meetings, through the real views.

Beteiligtenkonferenzen of a family led by Jugendamt Erkelenz: planning with the default
agenda, who may be invited (only institutions to which the lead's conference protocols
are released), invitations by e-mail with iCalendar (REQUEST, update, CANCEL), the private
calendar feed, sittings of the Kooperationsgremium, the dashboard's due conferences and
the daily ``send_reminders``. The clock stands at 25.11.2026.
"""

import datetime
import io
import zoneinfo

import icalendar
import pypdf
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from cases import services as case_services
from cases.models import Case, DataCategory, FamilyMember
from conferences import services
from conferences.models import (
    DEFAULT_AGENDA,
    Action,
    AgendaItem,
    CalendarToken,
    Meeting,
    Minutes,
    Participant,
    Reminder,
)
from cooperation.models import Committee, CommitteeMember, User
from tests import factories
from tests.german import assert_german_error, german, label

TODAY = datetime.date(2026, 11, 25)
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
C = DataCategory
Kind = FamilyMember.Kind
PLACE = "Jugendamt Erkelenz, Johannismarkt 17, Raum 2.14"
FAMILY_NAMES = ("Sabine", "Beispiel", "Jonas", "Mia", "Thomas", "Muster")


def berlin(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


WHEN = berlin(2026, 12, 9, 10, 0)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


# --- helpers -------------------------------------------------------------------------


def rows() -> dict[str, int]:
    """How many rows each kind of record has: compared before and after a refused form."""
    models = (Meeting, Participant, AgendaItem, Minutes, Action)
    return {model.__name__: model.objects.count() for model in models}


def url(name: str, *args) -> str:
    return reverse(f"conferences:{name}", args=args)


def meeting_form(**changes) -> dict:
    data = {
        "starts_at": "2026-12-09T10:00",
        "duration_minutes": "90",
        "place": PLACE,
        "video_link": "",
        "next_date": "",
    }
    data.update(changes)
    return data


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


def calendar_of(mail, method: str) -> icalendar.Calendar:
    """The mail's one iCalendar attachment, parsed."""
    attachments = [a for a in mail.attachments if a[2].startswith("text/calendar")]
    assert len(attachments) == 1
    name, content, mimetype = attachments[0]
    assert name.endswith(".ics")
    assert f"method={method}" in mimetype
    raw = content.encode() if isinstance(content, str) else content
    assert not any(word.encode() in raw for word in FAMILY_NAMES)
    return icalendar.Calendar.from_ical(raw)


def the_event(calendar: icalendar.Calendar) -> icalendar.Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def attendees(event) -> set[str]:
    found = event.get("attendee", [])
    if not isinstance(found, list):
        found = [found]
    return {str(a).removeprefix("mailto:") for a in found}


def assert_no_family_names(text: str) -> None:
    for word in FAMILY_NAMES:
        assert word not in text, f"{word!r} must not appear here"


def send_reminders() -> str:
    out = io.StringIO()
    call_command("send_reminders", stdout=out, stderr=out)
    return out.getvalue()


# --- the world -----------------------------------------------------------------------


@pytest.fixture
def mother(family_case) -> FamilyMember:
    return family_case.members.get(kind=Kind.MOTHER)


def add_child(case, institution, first_name, born) -> FamilyMember:
    return FamilyMember.objects.create(
        case=case,
        kind=Kind.CHILD,
        first_name=first_name,
        last_name="Beispiel",
        date_of_birth=born,
        source_institution=institution,
    )


@pytest.fixture
def diakonie_master_only(family_case, institutions, erkelenz_caseworker):
    """Diakonie sees the case (master data) but no conference protocols."""
    return factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["diakonie"]],
        [C.MASTER],
        erkelenz_caseworker,
    )


@pytest.fixture
def conference(family_case, erkelenz_caseworker) -> Meeting:
    """A Beteiligtenkonferenz on 09.12.2026, planned by Anna Schmitz of Erkelenz."""
    return services.conference_schedule(
        case=family_case, organiser=erkelenz_caseworker, starts_at=WHEN, place=PLACE
    )


def invite_everyone(browser, meeting, capture) -> None:
    with capture(execute=True):
        response = browser.post(url("invite", meeting.pk))
    assert response.status_code == 302


# --- planning a Beteiligtenkonferenz -------------------------------------------------


def test_the_lead_plans_a_conference_with_the_default_agenda(
    signed_in, family_case, institutions, erkelenz_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)
    response = erkelenz.post(url("conference_new", family_case.reference), meeting_form())

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.kind == Meeting.Kind.CASE_CONFERENCE
    assert meeting.case == family_case
    assert meeting.source_institution == institutions["erkelenz"]
    assert meeting.organiser == erkelenz_caseworker
    assert meeting.starts_at == WHEN
    assert (meeting.duration_minutes, meeting.place) == (90, PLACE)
    assert (meeting.state, meeting.sequence) == (Meeting.State.PLANNED, 0)
    agenda = list(meeting.agenda.order_by("number"))
    assert [(i.number, i.title, i.is_health) for i in agenda] == [
        (n, str(title), health) for n, (title, health) in enumerate(DEFAULT_AGENDA, 1)
    ]
    assert len(agenda) == 8
    health = [item for item in agenda if item.is_health]
    assert [(i.number, i.title) for i in health] == [
        (3, german("The parents' situation and treatment"))
    ]
    assert meeting.minutes.status == Minutes.Status.DRAFT
    organiser = meeting.participants.get()
    assert (organiser.user, organiser.institution) == (
        erkelenz_caseworker,
        institutions["erkelenz"],
    )
    page = erkelenz.get(response["Location"]).content.decode()
    assert family_case.reference in page
    assert "09.12.2026" in page
    assert "Anna Schmitz" in page


def test_only_the_lead_plans_a_conference(
    client,
    signed_in,
    family_case,
    caritas_released,
    caritas_caseworker,
    uninvolved_caseworker,
    coordination_office,
    erkelenz_caseworker,
):
    target = url("conference_new", family_case.reference)
    caritas = signed_in(caritas_caseworker)
    # Caritas sees the case through the consent, but does not steer it.
    assert caritas.get(family_case.get_absolute_url()).status_code == 200
    assert caritas.get(target).status_code == 403
    assert caritas.post(target, meeting_form()).status_code == 403
    assert signed_in(uninvolved_caseworker).get(target).status_code == 404
    assert signed_in(uninvolved_caseworker).post(target, meeting_form()).status_code == 404
    assert signed_in(coordination_office).get(target).status_code == 404
    anonymous = client.post(target, meeting_form())
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert signed_in(erkelenz_caseworker).put(target).status_code == 405
    assert not Meeting.objects.exists()


def test_a_conference_is_not_planned_in_the_past(signed_in, family_case, erkelenz_caseworker):
    before = rows()
    response = signed_in(erkelenz_caseworker).post(
        url("conference_new", family_case.reference), meeting_form(starts_at="2026-11-20T10:00")
    )

    assert response.status_code == 400
    assert rows() == before
    assert f'value="{PLACE}"' in response.content.decode()
    assert_german_error(response, "starts_at", "A meeting cannot be scheduled in the past.")


def test_a_conference_needs_a_place_or_a_video_link(signed_in, family_case, erkelenz_caseworker):
    erkelenz = signed_in(erkelenz_caseworker)
    target = url("conference_new", family_case.reference)
    before = rows()

    refused = erkelenz.post(target, meeting_form(place=""))
    assert refused.status_code == 400
    assert rows() == before
    online = erkelenz.post(target, meeting_form(place="", video_link="https://video.example/k1"))
    assert online.status_code == 302
    assert Meeting.objects.get().video_link == "https://video.example/k1"
    assert_german_error(refused, "place", "Enter a place or a video link.")


# --- who may be invited --------------------------------------------------------------


def test_a_caseworker_of_an_institution_with_released_protocols_is_invited(
    signed_in, conference, institutions, caritas_released, erkelenz_caseworker, caritas_caseworker
):
    response = signed_in(erkelenz_caseworker).post(
        url("participant_add", conference.pk),
        {"kind": "staff", "user": caritas_caseworker.pk, "role": "Suchtberatung der Mutter"},
    )

    assert response.status_code == 302
    invited = conference.participants.get(user=caritas_caseworker)
    assert invited.kind == Participant.Kind.STAFF
    assert invited.institution == institutions["caritas"]
    assert invited.name == "Lena Küppers"
    assert invited.email == caritas_caseworker.email
    assert invited.invited_sequence is None
    # The invited person now sees the conference.
    assert signed_in(caritas_caseworker).get(conference.get_absolute_url()).status_code == 200


def test_an_institution_without_release_of_the_protocols_is_not_invited(
    signed_in,
    conference,
    caritas_released,
    diakonie_master_only,
    erkelenz_caseworker,
    caritas_caseworker,
    diakonie_caseworker,
):
    erkelenz = signed_in(erkelenz_caseworker)
    target = url("participant_add", conference.pk)
    choices = erkelenz.get(target).context["form"].fields["user"].queryset
    assert caritas_caseworker in choices
    assert diakonie_caseworker not in choices
    before = rows()

    response = erkelenz.post(target, {"kind": "staff", "user": diakonie_caseworker.pk})

    assert response.status_code == 400
    assert rows() == before
    assert not conference.participants.filter(user=diakonie_caseworker).exists()
    # Diakonie sees the case (master data), but not the conference.
    diakonie = signed_in(diakonie_caseworker)
    assert diakonie.get(conference.case.get_absolute_url()).status_code == 200
    assert diakonie.get(conference.get_absolute_url()).status_code == 404
    assert_german_error(
        response, "user", "This institution is not covered by a consent or disclosure of the case."
    )


def test_a_person_is_invited_only_once(signed_in, conference, erkelenz_caseworker):
    before = rows()
    response = signed_in(erkelenz_caseworker).post(
        url("participant_add", conference.pk), {"kind": "staff", "user": erkelenz_caseworker.pk}
    )
    assert response.status_code == 400
    assert rows() == before
    assert_german_error(response, "user", "This person is already invited.")


def test_a_parent_is_invited(signed_in, conference, mother, erkelenz_caseworker):
    response = signed_in(erkelenz_caseworker).post(
        url("participant_add", conference.pk), {"kind": "family", "member": mother.pk}
    )

    assert response.status_code == 302
    parent = conference.participants.get(kind=Participant.Kind.FAMILY)
    assert (parent.member, parent.name, parent.user) == (mother, "Sabine Beispiel", None)
    assert parent.role == str(Kind.MOTHER.label)


def test_a_child_under_twelve_is_refused_and_an_older_child_invited(
    signed_in, conference, family_case, institutions, erkelenz_caseworker
):
    mia = add_child(family_case, institutions["erkelenz"], "Mia", datetime.date(2019, 6, 1))
    jonas = add_child(family_case, institutions["erkelenz"], "Jonas", datetime.date(2012, 4, 2))
    erkelenz = signed_in(erkelenz_caseworker)
    target = url("participant_add", conference.pk)
    before = rows()

    refused = erkelenz.post(target, {"kind": "family", "member": mia.pk})
    assert refused.status_code == 400
    assert rows() == before
    accepted = erkelenz.post(target, {"kind": "family", "member": jonas.pk})
    assert accepted.status_code == 302
    assert conference.participants.filter(member=jonas).exists()
    assert not conference.participants.filter(member=mia).exists()
    assert_german_error(refused, "member", "A child takes part from about %(age)d years.", age=12)


def test_an_external_person_needs_a_name(signed_in, conference, erkelenz_caseworker):
    erkelenz = signed_in(erkelenz_caseworker)
    target = url("participant_add", conference.pk)
    before = rows()

    refused = erkelenz.post(
        target, {"kind": "external", "role": "Kita Sonnenschein", "email": "kita@example.org"}
    )
    assert refused.status_code == 400
    assert rows() == before
    assert 'value="kita@example.org"' in refused.content.decode()
    accepted = erkelenz.post(
        target,
        {
            "kind": "external",
            "name": "Petra Lenz",
            "role": "Kita Sonnenschein",
            "email": "kita@example.org",
        },
    )
    assert accepted.status_code == 302
    external = conference.participants.get(kind=Participant.Kind.EXTERNAL)
    assert (external.name, external.email, external.user) == (
        "Petra Lenz",
        "kita@example.org",
        None,
    )
    assert_german_error(refused, "name", "Enter the external person's name.")


def test_only_the_organising_institution_manages_the_list(
    signed_in,
    conference,
    caritas_released,
    caritas_caseworker,
    uninvolved_caseworker,
    erkelenz_lead,
):
    add_staff(conference, caritas_caseworker)
    before = rows()
    caritas = signed_in(caritas_caseworker)
    for name in ("participant_add", "edit", "cancel"):
        assert caritas.get(url(name, conference.pk)).status_code == 403
        assert signed_in(uninvolved_caseworker).get(url(name, conference.pk)).status_code == 404
    assert caritas.post(url("invite", conference.pk)).status_code == 403
    response = caritas.post(
        url("participant_add", conference.pk), {"kind": "external", "name": "X"}
    )
    assert response.status_code == 403
    assert rows() == before
    # A colleague at the lead institution organises too.
    assert signed_in(erkelenz_lead).get(url("participant_add", conference.pk)).status_code == 200


# --- invitations and iCalendar -------------------------------------------------------


@pytest.fixture
def invited_list(conference, mother, caritas_released, caritas_caseworker):
    """Anna (organiser), Lena of Caritas, the mother (an address typed in) and two
    external persons, one with and one without e-mail."""
    add_staff(conference, caritas_caseworker, role="Suchtberatung")
    Participant.objects.create(
        meeting=conference,
        kind=Participant.Kind.FAMILY,
        member=mother,
        name="Sabine Beispiel",
        email="sabine.beispiel@example.org",
    )
    Participant.objects.create(
        meeting=conference,
        kind=Participant.Kind.EXTERNAL,
        name="Petra Lenz",
        role="Kita Sonnenschein",
        email="kita@example.org",
    )
    Participant.objects.create(
        meeting=conference, kind=Participant.Kind.EXTERNAL, name="Dr. Fiktiv", role="Hausarzt"
    )
    return conference


def test_invitations_go_out_by_mail_with_a_calendar_request(
    signed_in,
    invited_list,
    family_case,
    erkelenz_caseworker,
    caritas_caseworker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    meeting = invited_list
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = signed_in(erkelenz_caseworker).post(url("invite", meeting.pk))

    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert len(callbacks) == 1
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.INVITED
    assert set(meeting.participants.values_list("invited_sequence", flat=True)) == {0}
    staff_and_external = {erkelenz_caseworker.email, caritas_caseworker.email, "kita@example.org"}
    # One mail per address; never to the family.
    assert sorted(address for mail in mailoutbox for address in mail.to) == sorted(
        staff_and_external
    )
    for mail in mailoutbox:
        assert family_case.reference in mail.subject
        assert "09.12.2026 10:00" in mail.subject
        assert PLACE in mail.body
        assert_no_family_names(mail.subject + mail.body)
        calendar = calendar_of(mail, "REQUEST")
        assert calendar["method"] == "REQUEST"
        event = the_event(calendar)
        assert str(event["uid"]) == f"{meeting.uid}@kispfam"
        assert str(event["uid"]).endswith("@kispfam")
        assert event["sequence"] == 0
        assert str(event["organizer"]) == f"mailto:{erkelenz_caseworker.email}"
        # An external person's file names the organiser and herself, nobody else.
        external = mail.to == ["kita@example.org"]
        assert attendees(event) == ({"kita@example.org"} if external else staff_and_external)
        assert event["dtstart"].params["TZID"] == "Europe/Berlin"
        assert event.decoded("dtstart") == WHEN
        assert event.decoded("dtend") == WHEN + datetime.timedelta(minutes=90)
        assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
        assert family_case.reference in str(event["summary"])
        assert str(event["location"]) == PLACE
        assert_no_family_names(str(event["summary"]) + str(event.get("description", "")))


def test_no_invitation_leaves_before_the_commit(
    signed_in, invited_list, erkelenz_caseworker, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signed_in(erkelenz_caseworker).post(url("invite", invited_list.pk))
    assert len(callbacks) == 1
    assert not mailoutbox


def test_inviting_again_reaches_only_those_added_since(
    signed_in,
    conference,
    caritas_released,
    erkelenz_caseworker,
    caritas_caseworker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    erkelenz = signed_in(erkelenz_caseworker)
    invite_everyone(erkelenz, conference, django_capture_on_commit_callbacks)
    assert [mail.to for mail in mailoutbox] == [[erkelenz_caseworker.email]]
    mailoutbox.clear()

    erkelenz.post(
        url("participant_add", conference.pk), {"kind": "staff", "user": caritas_caseworker.pk}
    )
    invite_everyone(erkelenz, conference, django_capture_on_commit_callbacks)

    assert [mail.to for mail in mailoutbox] == [[caritas_caseworker.email]]
    assert the_event(calendar_of(mailoutbox[0], "REQUEST"))["sequence"] == 0


def test_rescheduling_sends_an_update_with_the_same_uid_and_a_higher_sequence(
    signed_in,
    invited_list,
    erkelenz_caseworker,
    caritas_caseworker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    meeting = invited_list
    erkelenz = signed_in(erkelenz_caseworker)
    invite_everyone(erkelenz, meeting, django_capture_on_commit_callbacks)
    first_uid = str(the_event(calendar_of(mailoutbox[0], "REQUEST"))["uid"])
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = erkelenz.post(
            url("edit", meeting.pk), meeting_form(starts_at="2026-12-10T14:30", place="Rathaus")
        )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert meeting.starts_at == berlin(2026, 12, 10, 14, 30)
    assert {a for mail in mailoutbox for a in mail.to} == {
        erkelenz_caseworker.email,
        caritas_caseworker.email,
        "kita@example.org",
    }
    for mail in mailoutbox:
        event = the_event(calendar_of(mail, "REQUEST"))
        assert str(event["uid"]) == first_uid
        assert event["sequence"] == 1
        assert event.decoded("dtstart") == berlin(2026, 12, 10, 14, 30)
        assert str(event["location"]) == "Rathaus"


def test_a_change_before_inviting_sends_nothing(
    signed_in, conference, erkelenz_caseworker, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(erkelenz_caseworker).post(
            url("edit", conference.pk), meeting_form(place="Rathaus")
        )
    assert response.status_code == 302
    assert not mailoutbox


def test_cancelling_sends_a_cancellation_with_the_same_uid(
    signed_in,
    invited_list,
    erkelenz_caseworker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    meeting = invited_list
    erkelenz = signed_in(erkelenz_caseworker)
    invite_everyone(erkelenz, meeting, django_capture_on_commit_callbacks)
    invitation = the_event(calendar_of(mailoutbox[0], "REQUEST"))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = erkelenz.post(url("cancel", meeting.pk), {"text": "Mutter erkrankt"})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CANCELLED
    assert len(mailoutbox) == 3
    for mail in mailoutbox:
        assert_no_family_names(mail.subject + mail.body)
        calendar = calendar_of(mail, "CANCEL")
        assert calendar["method"] == "CANCEL"
        event = the_event(calendar)
        assert str(event["uid"]) == str(invitation["uid"])
        assert event["status"] == "CANCELLED"
        assert event["sequence"] > invitation["sequence"]
    # A cancelled meeting is no longer changed, invited to or cancelled again.
    assert erkelenz.get(url("edit", meeting.pk)).status_code == 403
    assert erkelenz.get(url("cancel", meeting.pk)).status_code == 403
    assert erkelenz.get(url("participant_add", meeting.pk)).status_code == 403


def test_the_calendar_file_of_the_page_names_no_family(
    signed_in, invited_list, caritas_caseworker, family_case
):
    response = signed_in(caritas_caseworker).get(url("ics", invited_list.pk))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert not any(word.encode() in response.content for word in FAMILY_NAMES)
    event = the_event(icalendar.Calendar.from_ical(response.content))
    assert family_case.reference in str(event["summary"])


def test_a_parent_without_e_mail_gets_a_letter(
    signed_in, conference, mother, caritas_released, erkelenz_caseworker, caritas_caseworker
):
    parent = Participant.objects.create(
        meeting=conference, kind=Participant.Kind.FAMILY, member=mother, name="Sabine Beispiel"
    )
    target = url("letter", conference.pk, parent.pk)

    response = signed_in(erkelenz_caseworker).get(target)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Guten Tag Sabine Beispiel" in text
    assert "09.12.2026" in text
    assert PLACE in text
    assert signed_in(caritas_caseworker).get(target).status_code == 403
    organiser = conference.participants.get(user=erkelenz_caseworker)
    assert (
        signed_in(erkelenz_caseworker).get(url("letter", conference.pk, organiser.pk)).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("invite", "put"),
        ("ics", "post"),
        ("detail", "put"),
        ("edit", "put"),
        ("participant_add", "delete"),
        ("cancel", "put"),
    ],
)
def test_the_meeting_pages_accept_only_their_methods(
    signed_in, conference, erkelenz_caseworker, name, method
):
    browser = signed_in(erkelenz_caseworker)
    assert getattr(browser, method)(url(name, conference.pk)).status_code == 405
    conference.refresh_from_db()
    assert (conference.state, conference.sequence) == (Meeting.State.PLANNED, 0)


@pytest.mark.parametrize(
    "name", ["detail", "edit", "participant_add", "invite", "cancel", "ics", "attendance"]
)
def test_the_meeting_pages_need_a_login(client, conference, name):
    response = client.post(url(name, conference.pk), {"text": "x", "kind": "external"})
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))
    conference.refresh_from_db()
    assert conference.state == Meeting.State.PLANNED
    assert conference.participants.count() == 1


# --- the private calendar feed -------------------------------------------------------


def feed_url(browser) -> str:
    """Create the user's calendar address through the settings page; return it."""
    response = browser.post(url("calendar"), {"action": "create"})
    assert response.status_code == 302
    address = browser.get(url("calendar")).context["url"]
    assert address
    return address


def test_the_feed_lists_the_users_upcoming_meetings_without_names(
    client,
    signed_in,
    family_case,
    conference,
    caritas_released,
    erkelenz_caseworker,
    caritas_caseworker,
    mother,
):
    add_staff(conference, caritas_caseworker)
    Participant.objects.create(
        meeting=conference, kind=Participant.Kind.FAMILY, member=mother, name="Sabine Beispiel"
    )
    # Not listed: a conference without Lena, a past one and a cancelled one.
    services.conference_schedule(
        case=family_case, organiser=erkelenz_caseworker, starts_at=berlin(2026, 12, 16), place="A"
    )
    past = services.conference_schedule(
        case=family_case, organiser=erkelenz_caseworker, starts_at=berlin(2026, 11, 2), place="B"
    )
    cancelled = services.conference_schedule(
        case=family_case, organiser=erkelenz_caseworker, starts_at=berlin(2027, 1, 13), place="C"
    )
    for meeting in (past, cancelled):
        add_staff(meeting, caritas_caseworker)
    services.meeting_cancel(meeting=cancelled)

    address = feed_url(signed_in(caritas_caseworker))
    response = client.get(address)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert not any(word.encode() in response.content for word in FAMILY_NAMES)
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"{conference.uid}@kispfam"]
    event = events[0]
    assert event.decoded("dtstart") == WHEN
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert str(event["location"]) == PLACE
    assert family_case.reference in str(event["summary"])
    assert "attendee" not in event
    assert "organizer" not in event


def test_a_revoked_calendar_address_is_gone(client, signed_in, conference, erkelenz_caseworker):
    browser = signed_in(erkelenz_caseworker)
    old = feed_url(browser)
    assert client.get(old).status_code == 200

    # A new address replaces the old one ...
    new = feed_url(browser)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    # ... and revoking leaves none.
    assert browser.post(url("calendar"), {"action": "revoke"}).status_code == 302
    assert client.get(new).status_code == 404
    assert browser.get(url("calendar")).context["url"] is None
    assert not CalendarToken.objects.filter(revoked_at__isnull=True).exists()
    assert client.get(url("feed", "erfunden")).status_code == 404


def test_the_calendar_settings_need_a_login(db, client):
    response = client.get(url("calendar"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.post(url("calendar"), {"action": "create"}).status_code == 302
    assert not CalendarToken.objects.exists()


def test_after_a_revocation_the_meeting_leaves_the_feed(
    client, signed_in, conference, caritas_released, caritas_caseworker, erkelenz_caseworker
):
    add_staff(conference, caritas_caseworker)
    address = feed_url(signed_in(caritas_caseworker))
    assert len(icalendar.Calendar.from_ical(client.get(address).content).walk("VEVENT")) == 1

    case_services.consent_revoke(
        consent=caritas_released,
        revoked_on=TODAY,
        channel="in_writing",
        recorded_by=erkelenz_caseworker,
    )

    response = client.get(address)
    assert response.status_code == 200
    assert icalendar.Calendar.from_ical(response.content).walk("VEVENT") == []


# --- who sees a conference -----------------------------------------------------------


def test_a_conference_is_seen_where_its_protocols_are_released(
    client,
    signed_in,
    conference,
    caritas_released,
    erkelenz_caseworker,
    caritas_caseworker,
    diakonie_master_only,
    diakonie_caseworker,
    uninvolved_caseworker,
    coordination_office,
):
    target = conference.get_absolute_url()
    assert signed_in(erkelenz_caseworker).get(target).status_code == 200
    assert signed_in(caritas_caseworker).get(target).status_code == 200
    assert signed_in(diakonie_caseworker).get(target).status_code == 404
    assert signed_in(uninvolved_caseworker).get(target).status_code == 404
    assert signed_in(coordination_office).get(target).status_code == 404
    assert client.get(target).status_code == 302
    assert signed_in(erkelenz_caseworker).post(target).status_code == 405
    listing = signed_in(caritas_caseworker).get(url("list")).content.decode()
    assert conference.get_absolute_url() in listing
    assert conference.get_absolute_url() not in (
        signed_in(uninvolved_caseworker).get(url("list")).content.decode()
    )


def test_a_revoked_consent_takes_the_conference_away_on_the_next_request(
    signed_in, conference, caritas_released, caritas_caseworker, erkelenz_caseworker
):
    add_staff(conference, caritas_caseworker)
    caritas = signed_in(caritas_caseworker)
    assert caritas.get(conference.get_absolute_url()).status_code == 200
    assert caritas.get(url("ics", conference.pk)).status_code == 200

    case_services.consent_revoke(
        consent=caritas_released,
        revoked_on=TODAY,
        channel="in_writing",
        recorded_by=erkelenz_caseworker,
    )

    assert caritas.get(conference.get_absolute_url()).status_code == 404
    assert caritas.get(url("ics", conference.pk)).status_code == 404
    assert conference.get_absolute_url() not in caritas.get(url("list")).content.decode()


# --- sittings of the Kooperationsgremium ---------------------------------------------


@pytest.fixture
def committee(heinsberg, institutions, kreisjugendamt_caseworker, caritas_caseworker):
    """The Heinsberg committee: chaired by the Kreisjugendamt, Caritas a representative."""
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


def test_the_coordination_office_plans_a_sitting_with_the_committee_listed(
    signed_in, committee, coordination_office, kreisjugendamt_caseworker, caritas_caseworker
):
    office = signed_in(coordination_office)
    assert office.get(url("sitting_new")).status_code == 200
    response = office.post(url("sitting_new"), meeting_form())

    sitting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == sitting.get_absolute_url()
    assert sitting.kind == Meeting.Kind.COMMITTEE_SITTING
    assert (sitting.committee, sitting.case) == (committee, None)
    assert sitting.organiser == coordination_office
    assert set(sitting.participants.values_list("user", flat=True)) == {
        kreisjugendamt_caseworker.pk,
        caritas_caseworker.pk,
    }
    # The first sitting has no previous minutes to approve.
    assert not sitting.agenda.filter(title__startswith="Approval").exists()
    assert office.get(sitting.get_absolute_url()).status_code == 200


def test_the_next_sitting_opens_with_the_approval_of_the_previous_minutes(
    signed_in, committee, coordination_office
):
    services.sitting_schedule(
        committee=committee,
        organiser=coordination_office,
        starts_at=berlin(2026, 6, 10, 14, 0),
        place="Kreishaus Heinsberg",
    )

    response = signed_in(coordination_office).post(url("sitting_new"), meeting_form())

    assert response.status_code == 302
    sitting = Meeting.objects.get(starts_at=WHEN)
    first = sitting.agenda.order_by("number").first()
    assert first.number == 1
    assert first.title == label("Approval of the minutes of the sitting of %(date)s") % {
        "date": "10.06.2026"
    }


def test_a_sitting_is_seen_by_the_committee_and_the_coordination_office_only(
    client,
    signed_in,
    committee,
    coordination_office,
    kreisjugendamt_caseworker,
    caritas_caseworker,
    erkelenz_caseworker,
    diakonie_caseworker,
    lindenbrueck_coordination,
):
    sitting = services.sitting_schedule(
        committee=committee, organiser=coordination_office, starts_at=WHEN, place="Kreishaus"
    )
    target = sitting.get_absolute_url()

    for member in (coordination_office, kreisjugendamt_caseworker, caritas_caseworker):
        assert signed_in(member).get(target).status_code == 200
    for outsider in (erkelenz_caseworker, diakonie_caseworker, lindenbrueck_coordination):
        assert signed_in(outsider).get(target).status_code == 404
    assert client.get(target).status_code == 302
    # A member reads, the coordination office and the chair organise.
    assert signed_in(caritas_caseworker).get(url("edit", sitting.pk)).status_code == 403
    assert signed_in(kreisjugendamt_caseworker).get(url("edit", sitting.pk)).status_code == 200


def test_only_a_coordination_office_with_a_committee_plans_a_sitting(
    signed_in, heinsberg, coordination_office, erkelenz_caseworker
):
    assert signed_in(erkelenz_caseworker).get(url("sitting_new")).status_code == 403
    assert signed_in(erkelenz_caseworker).post(url("sitting_new"), meeting_form()).status_code == (
        403
    )
    # No committee set up yet: nothing to plan.
    assert signed_in(coordination_office).get(url("sitting_new")).status_code == 404
    assert not Meeting.objects.exists()


# --- due conferences on the dashboard ------------------------------------------------


@pytest.fixture
def due_case(institutions, erkelenz_caseworker) -> Case:
    """Family Muster, led by Erkelenz; its next conference is due on 02.12.2026."""
    case = case_services.case_open(
        lead_institution=institutions["erkelenz"],
        opened_by=erkelenz_caseworker,
        first_member=FamilyMember(kind=Kind.FATHER, first_name="Thomas", last_name="Muster"),
    )
    Case.objects.filter(pk=case.pk).update(conference_due_on=datetime.date(2026, 12, 2))
    case.refresh_from_db()
    return case


def test_the_lead_sees_a_conference_due_within_thirty_days(
    signed_in, family_case, due_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    factories.give_consent(
        due_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
    )

    page = signed_in(erkelenz_caseworker).get(reverse("dashboard")).content.decode()

    assert due_case.reference in page
    assert "02.12.2026" in page
    # Family Beispiel's conference is due in May 2027: not yet shown.
    assert family_case.reference not in page
    # Caritas sees the case, but the lead plans its conferences.
    assert (
        due_case.reference
        not in signed_in(caritas_caseworker).get(reverse("dashboard")).content.decode()
    )


def test_holding_a_conference_moves_the_due_date(
    signed_in, due_case, erkelenz_caseworker, heinsberg
):
    heinsberg.conference_interval_months = 4
    heinsberg.save()
    meeting = services.conference_schedule(
        case=due_case,
        organiser=erkelenz_caseworker,
        starts_at=berlin(2026, 11, 24, 9, 0),
        place=PLACE,
    )
    participant = meeting.participants.get()

    response = signed_in(erkelenz_caseworker).post(
        url("attendance", meeting.pk), {f"p{participant.pk}": "present"}
    )

    assert response.status_code == 302
    due_case.refresh_from_db()
    assert due_case.conference_due_on == datetime.date(2027, 3, 24)
    page = signed_in(erkelenz_caseworker).get(reverse("dashboard")).content.decode()
    assert due_case.reference not in page


# --- send_reminders ------------------------------------------------------------------


@pytest.fixture
def reminder_world(
    family_case, due_case, institutions, caritas_released, erkelenz_caseworker, caritas_caseworker
):
    """A conference of family Beispiel tomorrow at 14:00 (invited), family Muster's
    conference due in a week and none planned, an action of Caritas five days overdue."""
    tomorrow = services.conference_schedule(
        case=family_case,
        organiser=erkelenz_caseworker,
        starts_at=berlin(2026, 11, 26, 14, 0),
        place=PLACE,
    )
    add_staff(tomorrow, caritas_caseworker)
    services.meeting_invite(meeting=tomorrow)
    earlier = services.conference_schedule(
        case=family_case,
        organiser=erkelenz_caseworker,
        starts_at=berlin(2026, 11, 2, 10, 0),
        place=PLACE,
    )
    action = Action.objects.create(
        meeting=earlier,
        what="Termin bei der Erziehungsberatung für Sabine Beispiel vereinbaren",
        responsible=Action.Responsible.INSTITUTION,
        institution=institutions["caritas"],
        due_on=datetime.date(2026, 11, 20),
    )
    return {"tomorrow": tomorrow, "action": action}


def test_send_reminders_sends_each_reminder_once(
    reminder_world,
    family_case,
    due_case,
    erkelenz_caseworker,
    erkelenz_lead,
    caritas_caseworker,
    mailoutbox,
):
    send_reminders()

    sent = {(mail.to[0], mail.subject) for mail in mailoutbox}
    upcoming = {to for to, subject in sent if "26.11.2026 14:00" in subject}
    assert upcoming == {erkelenz_caseworker.email, caritas_caseworker.email}
    due = {to for to, subject in sent if due_case.reference in subject}
    assert due == {erkelenz_caseworker.email, erkelenz_lead.email}
    overdue = {
        mail.to[0]
        for mail in mailoutbox
        if "20.11.2026" in mail.body and family_case.reference in mail.subject
    }
    assert overdue == {caritas_caseworker.email}
    assert len(mailoutbox) == 5
    for mail in mailoutbox:
        assert len(mail.to) == 1
        assert_no_family_names(mail.subject + mail.body)
    assert Reminder.objects.count() == 5

    mailoutbox.clear()
    send_reminders()
    assert mailoutbox == []
    assert Reminder.objects.count() == 5


def test_a_rescheduled_meeting_is_reminded_of_again(
    reminder_world, erkelenz_caseworker, caritas_caseworker, mailoutbox
):
    send_reminders()
    mailoutbox.clear()
    meeting = reminder_world["tomorrow"]
    meeting.starts_at = berlin(2026, 11, 26, 16, 0)
    services.meeting_reschedule(meeting=meeting, changed={"starts_at"})

    send_reminders()

    assert {mail.to[0] for mail in mailoutbox if "26.11.2026 16:00" in mail.subject} == {
        erkelenz_caseworker.email,
        caritas_caseworker.email,
    }


def test_a_planned_sitting_does_not_silence_due_conference_reminders(
    due_case, committee, coordination_office, erkelenz_caseworker, mailoutbox
):
    services.sitting_schedule(
        committee=committee, organiser=coordination_office, starts_at=WHEN, place="Kreishaus"
    )

    send_reminders()

    assert erkelenz_caseworker.email in {
        mail.to[0] for mail in mailoutbox if due_case.reference in mail.subject
    }


def test_an_institution_whose_consent_was_revoked_is_no_longer_reminded(
    reminder_world,
    family_case,
    caritas_released,
    erkelenz_caseworker,
    caritas_caseworker,
    mailoutbox,
):
    case_services.consent_revoke(
        consent=caritas_released,
        revoked_on=TODAY,
        channel="in_writing",
        recorded_by=erkelenz_caseworker,
    )

    send_reminders()

    to_caritas = [mail.subject for mail in mailoutbox if mail.to == [caritas_caseworker.email]]
    assert to_caritas == []


def test_reminders_speak_german(reminder_world, mailoutbox):
    send_reminders()
    meeting = reminder_world["tomorrow"]
    subjects = {mail.subject for mail in mailoutbox}
    assert (
        german("Reminder: %(title)s on %(date)s", title=meeting.title, date="26.11.2026 14:00")
        in subjects
    )


def test_the_coordination_office_is_reminded_of_the_next_sitting(
    committee, coordination_office, mailoutbox
):
    last = services.sitting_schedule(
        committee=committee,
        organiser=coordination_office,
        starts_at=berlin(2026, 6, 10, 14, 0),
        place="Kreishaus Heinsberg",
    )
    services.meeting_held(meeting=last)

    send_reminders()
    send_reminders()

    assert [(mail.to, "10.12.2026" in mail.subject) for mail in mailoutbox] == [
        ([coordination_office.email], True)
    ]
