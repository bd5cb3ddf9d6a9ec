"""iCalendar for meetings (RFC 5545, iTIP RFC 5546) with the ``icalendar`` package.

An invitation is METHOD:REQUEST with a stable UID and a SEQUENCE that grows with every
change; a cancellation is METHOD:CANCEL with the same UID. Times carry
TZID=Europe/Berlin, defined by a VTIMEZONE of two yearly rules (``_berlin_timezone``).
Family members never appear in a calendar file: a calendar ends up on phones and mail
servers, so it names the time, the place and the case reference, never the family.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vRecur,
    vText,
)

from .models import Meeting, Participant

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
PRODID = "-//KispFam//Konferenzen//DE"


def _berlin_timezone() -> Timezone:
    """Europe/Berlin as Thunderbird and Outlook write it: one yearly rule per change.

    Not icalendar's ``add_missing_timezones()``: it lists every change from 1970 on as
    one RDATE list that ends in 2037. Mozilla's ical.js (Thunderbird, many web calendars)
    reads only the first date of such a list, so a summer meeting arrived an hour late,
    and after 2037 the list gives every reader winter time all year. Two RRULEs, the form
    Thunderbird and Outlook write themselves, hold for ever. They describe the EU rule since
    1996 (last Sunday of March and of October, 01:00 UTC); earlier dates differ, but a
    calendar file only ever carries meetings from now on.
    """
    standard = TimezoneStandard()
    # DTSTART is local time before the change: 03:00 CEST becomes 02:00 CET.
    standard.add("dtstart", datetime.datetime(1970, 10, 25, 3, 0))
    standard.add("rrule", vRecur(freq="YEARLY", bymonth=10, byday="-1SU"))
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", datetime.timedelta(hours=2))
    standard.add("tzoffsetto", datetime.timedelta(hours=1))

    daylight = TimezoneDaylight()
    # 02:00 CET becomes 03:00 CEST.
    daylight.add("dtstart", datetime.datetime(1970, 3, 29, 2, 0))
    daylight.add("rrule", vRecur(freq="YEARLY", bymonth=3, byday="-1SU"))
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", datetime.timedelta(hours=1))
    daylight.add("tzoffsetto", datetime.timedelta(hours=2))

    vtimezone = Timezone()
    vtimezone.add("tzid", "Europe/Berlin")
    vtimezone.add_component(standard)
    vtimezone.add_component(daylight)
    return vtimezone


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    # Every time we write is Berlin time (``event_for``), so the one VTIMEZONE comes first.
    calendar.add_component(_berlin_timezone())
    return calendar


def _address(email: str, name: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def organiser_contact(meeting: Meeting) -> str:
    """How to reach the organiser: name, institution, phone, e-mail (one line)."""
    organiser = meeting.organiser
    institution = meeting.source_institution
    parts = [organiser.get_full_name() or organiser.username, institution.name]
    if institution.phone:
        parts.append(f"Tel. {institution.phone}")
    email = organiser.email or institution.email
    if email:
        parts.append(email)
    return ", ".join(parts)


def event_for(
    meeting: Meeting,
    *,
    with_attendees: bool,
    cancelled: bool = False,
    only: Participant | None = None,
) -> Event:
    """The VEVENT. With ``only`` (an external participant, who has no account) it names
    the organiser and that one attendee, and says how to reach the organiser instead of
    linking to KispFam."""
    event = Event()
    event.add("uid", f"{meeting.uid}@kispfam")
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(BERLIN))
    event.add("dtend", meeting.ends_at.astimezone(BERLIN))
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.title)
    if meeting.place:
        event.add("location", meeting.place)
    description = []
    if meeting.video_link:
        description.append(meeting.video_link)
        event.add("url", meeting.video_link)
    if only is None:
        description.append(
            settings.SITE_URL.rstrip("/") + reverse("conferences:detail", args=[meeting.pk])
        )
    else:
        description.append(f"Ansprechperson: {organiser_contact(meeting)}")
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if with_attendees:
        organiser = meeting.organiser
        if organiser.email:
            event.add(
                "organizer",
                _address(organiser.email, organiser.get_full_name() or organiser.username),
            )
        attendees = [only] if only is not None else meeting.participants.all()
        for participant in attendees:
            if participant.kind == Participant.Kind.FAMILY or not participant.email:
                continue
            event.add(
                "attendee",
                _address(
                    participant.email,
                    participant.name,
                    role="REQ-PARTICIPANT",
                    partstat="NEEDS-ACTION",
                    rsvp="TRUE",
                ),
            )
    return event


def invitation(meeting: Meeting, *, cancel: bool = False, only: Participant | None = None) -> bytes:
    """The iTIP message sent by e-mail: REQUEST, or CANCEL for a cancelled meeting;
    ``only``: the file for that external participant (see ``event_for``)."""
    calendar = _calendar("CANCEL" if cancel else "REQUEST")
    calendar.add_component(event_for(meeting, with_attendees=True, cancelled=cancel, only=only))
    return calendar.to_ical()


def feed(meetings) -> bytes:
    """A user's subscription: upcoming meetings, time, place and reference only."""
    calendar = _calendar()
    calendar.add("x-wr-calname", "KispFam")
    for meeting in meetings:
        calendar.add_component(event_for(meeting, with_attendees=False))
    return calendar.to_ical()
