"""Fixtures shared by the conference tests.

The clock of the newer tests (confirmations, corrections, rescheduling, participants)
stands at 25.11.2026, 10:00 Berlin: ``upcoming`` is a Beteiligtenkonferenz of family
Beispiel on 09.12.2026, ``yesterdays`` one that took place on 24.11.2026.
"""

import datetime
import zoneinfo

import icalendar
import pytest
import time_machine
from django.urls import reverse

from cases.models import DataCategory, FamilyMember
from conferences import services
from conferences.models import Meeting, Participant
from cooperation.models import User
from tests import factories

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
PLACE = "Jugendamt Erkelenz, Johannismarkt 17, Raum 2.14"
UPCOMING_AT = datetime.datetime(2026, 12, 9, 10, 0, tzinfo=BERLIN)
YESTERDAY_AT = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN)
FAMILY_NAMES = ("Sabine", "Beispiel", "Jonas", "Mia")
KITA = "kita@example.org"


@pytest.fixture
def caritas_released(family_case, institutions, erkelenz_caseworker):
    """Erkelenz's master data and conference protocols released to Caritas, health not."""
    return factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [DataCategory.MASTER, DataCategory.PROTOCOLS],
        erkelenz_caseworker,
    )


@pytest.fixture
def clock():
    """Tests that ask for it run on 25.11.2026 at 10:00 Berlin time (09:00 UTC)."""
    with time_machine.travel(
        datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


def url(name: str, *args) -> str:
    return reverse(f"conferences:{name}", args=args)


def add_staff(meeting: Meeting, user: User, role: str = "") -> Participant:
    return Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.STAFF,
        user=user,
        institution=user.institution,
        name=user.get_full_name() or user.username,
        role=role,
        email=user.email,
    )


def add_mother(meeting: Meeting) -> Participant:
    mother = meeting.case.members.get(kind=FamilyMember.Kind.MOTHER)
    return Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.FAMILY,
        member=mother,
        name=str(mother),
        role="Mutter",
    )


def add_kita(meeting: Meeting) -> Participant:
    return Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.EXTERNAL,
        name="Petra Lenz",
        role="Kita Sonnenschein",
        email=KITA,
    )


def calendar_of(mail) -> icalendar.Calendar:
    """The mail's one calendar attachment, parsed with icalendar."""
    found = [a for a in mail.attachments if a[2].startswith("text/calendar")]
    assert len(found) == 1
    content = found[0][1]
    return icalendar.Calendar.from_ical(content.encode() if isinstance(content, str) else content)


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


@pytest.fixture
def upcoming(clock, family_case, caritas_released, erkelenz_caseworker, caritas_caseworker):
    """Planned for 09.12.2026 by the Erkelenz caseworker: Caritas, the mother and the
    Kita (an external person) on the list, nobody invited yet."""
    meeting = services.conference_schedule(
        case=family_case, organiser=erkelenz_caseworker, starts_at=UPCOMING_AT, place=PLACE
    )
    add_staff(meeting, caritas_caseworker, role="Suchtberatung")
    add_mother(meeting)
    add_kita(meeting)
    return meeting


@pytest.fixture
def yesterdays(clock, family_case, caritas_released, erkelenz_caseworker, caritas_caseworker):
    """Held yesterday (24.11.2026): the organiser and Caritas present, the mother too."""
    meeting = services.conference_schedule(
        case=family_case, organiser=erkelenz_caseworker, starts_at=YESTERDAY_AT, place=PLACE
    )
    add_staff(meeting, caritas_caseworker, role="Suchtberatung")
    add_mother(meeting)
    meeting.participants.update(attendance=Participant.Attendance.PRESENT)
    services.meeting_held(meeting=meeting)
    meeting.refresh_from_db()
    return meeting
