"""How calendar programs read our iCalendar files: Python's icalendar and Mozilla's ical.js.

A Beteiligtenkonferenz of the family led by Jugendamt Erkelenz at 10:00 Berlin time, in
summer (07.07.2027), in winter (12.01.2027) and in summer 2040, after the year-2038 limit of
a VTIMEZONE written as a list of dates. Each reaches the calendar twice: as the invitation
mailed to the organiser and in her private calendar feed. Both files are parsed by two
independent readers, and each must land on the same UTC instant. ical.js (Thunderbird and
many web calendars) runs under Node through ``icaljs_instants.mjs``. The clock stands at
25.11.2026.
"""

import datetime
import json
import os
import shutil
import subprocess
import zoneinfo
from pathlib import Path

import icalendar
import pytest
import time_machine
from django.urls import reverse

from conferences import services
from conferences.models import Meeting

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = datetime.UTC
ROOT = Path(__file__).resolve().parents[2]
ICALJS_HELPER = Path(__file__).with_name("icaljs_instants.mjs")
ICALJS_PACKAGE = ROOT / "node_modules" / "ical.js" / "package.json"

# The same wall-clock time, 10:00 for 90 minutes, and the UTC instants written out by
# hand (CEST is UTC+2, CET is UTC+1) so that no time zone code of ours computes them.
SEASONS = {
    "summer-2027": (datetime.date(2027, 7, 7), "2027-07-07T08:00:00Z", "2027-07-07T09:30:00Z"),
    "winter-2027": (datetime.date(2027, 1, 12), "2027-01-12T09:00:00Z", "2027-01-12T10:30:00Z"),
    "summer-2040": (datetime.date(2040, 7, 4), "2040-07-04T08:00:00Z", "2040-07-04T09:30:00Z"),
}


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


@pytest.fixture(params=SEASONS)
def season(request) -> str:
    return request.param


@pytest.fixture
def meeting(season, family_case, erkelenz_caseworker) -> Meeting:
    day = SEASONS[season][0]
    return services.conference_schedule(
        case=family_case,
        organiser=erkelenz_caseworker,
        starts_at=datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=BERLIN),
        duration_minutes=90,
        place="Jugendamt Erkelenz, Johannismarkt 17, Raum 2.14",
    )


@pytest.fixture(params=["invitation", "feed"])
def ics(
    request,
    meeting,
    erkelenz_caseworker,
    client,
    signed_in,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> bytes:
    """The .ics as the organiser's calendar receives it: mailed, or from her feed."""
    if request.param == "invitation":
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_invite(meeting=meeting)
        (mail,) = mailoutbox
        (attachment,) = [a for a in mail.attachments if a[2].startswith("text/calendar")]
        content = attachment[1]
        return content.encode() if isinstance(content, str) else content
    browser = signed_in(erkelenz_caseworker)
    browser.post(reverse("conferences:calendar"), {"action": "create"})
    response = client.get(browser.get(reverse("conferences:calendar")).context["url"])
    assert response.status_code == 200
    return response.content


def observance(component) -> dict:
    """A STANDARD or DAYLIGHT as text, every property; the RRULE by its parts, whose
    order RFC 5545 leaves free (only FREQ must come first)."""
    found = {}
    for name, value in component.items():
        if name == "RRULE":
            found[name] = {part: [str(v) for v in values] for part, values in value.items()}
        else:
            text = value.to_ical()
            found[name] = text.decode() if isinstance(text, bytes) else text
    return found


def ci() -> bool:
    return bool(os.environ.get("CI"))


@pytest.fixture
def icaljs():
    """Run ical.js over an .ics; return {uid: {"zone", "start", "end"}} as it reads them.

    Without Node or the npm package the test is skipped locally, but under CI a missing
    reader must not pass as a skip.
    """
    node = shutil.which("node")
    missing = []
    if not node:
        missing.append("node is not on PATH")
    if not ICALJS_PACKAGE.exists():
        missing.append(f"{ICALJS_PACKAGE.parent} is missing (run `npm ci` in {ROOT})")
    if missing:
        reason = "ical.js tests need Node and the ical.js package: " + "; ".join(missing)
        if ci():
            pytest.fail(f"CI is set, so this must not be skipped. {reason}")
        pytest.skip(reason)

    def read(raw: bytes) -> dict[str, dict]:
        result = subprocess.run(
            [node, str(ICALJS_HELPER)],
            input=raw,
            capture_output=True,
            cwd=ROOT,
            # A time ical.js leaves floating would follow the machine's zone; pin it.
            env={**os.environ, "TZ": "UTC"},
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr.decode()
        return {event["uid"]: event for event in json.loads(result.stdout)}

    return read


def test_the_time_zone_is_written_as_yearly_rules(ics):
    calendar = icalendar.Calendar.from_ical(ics)
    (timezone,) = calendar.walk("VTIMEZONE")
    assert str(timezone["tzid"]) == "Europe/Berlin"
    # One STANDARD and one DAYLIGHT, each a yearly rule: no RDATE list that ends.
    (standard,) = timezone.standard
    (daylight,) = timezone.daylight
    assert observance(standard) == {
        "DTSTART": "19701025T030000",
        "RRULE": {"FREQ": ["YEARLY"], "BYMONTH": ["10"], "BYDAY": ["-1SU"]},
        "TZNAME": "CET",
        "TZOFFSETFROM": "+0200",
        "TZOFFSETTO": "+0100",
    }
    assert observance(daylight) == {
        "DTSTART": "19700329T020000",
        "RRULE": {"FREQ": ["YEARLY"], "BYMONTH": ["3"], "BYDAY": ["-1SU"]},
        "TZNAME": "CEST",
        "TZOFFSETFROM": "+0100",
        "TZOFFSETTO": "+0200",
    }


def test_python_icalendar_reads_the_meeting_at_its_time(ics, meeting, season):
    _, start, end = SEASONS[season]
    calendar = icalendar.Calendar.from_ical(ics)
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["uid"]) == f"{meeting.uid}@kispfam"]
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert event["dtend"].params["TZID"] == "Europe/Berlin"
    begins, ends = event.decoded("dtstart"), event.decoded("dtend")
    assert (begins.hour, begins.minute) == (10, 0)
    # icalendar resolves TZID by name against the tz database ...
    assert (begins.astimezone(UTC), ends.astimezone(UTC)) == (utc(start), utc(end))
    # ... so read the wall time once more with the file's own VTIMEZONE, as a client
    # without a tz database of its own has to.
    (timezone,) = calendar.timezones
    own = timezone.to_tz(lookup_tzid=False)
    assert begins.replace(tzinfo=own).astimezone(UTC) == utc(start)
    assert ends.replace(tzinfo=own).astimezone(UTC) == utc(end)


def test_ical_js_reads_the_meeting_at_its_time(ics, meeting, season, icaljs):
    _, start, end = SEASONS[season]
    event = icaljs(ics)[f"{meeting.uid}@kispfam"]
    assert event["zone"] == "Europe/Berlin"
    assert (utc(event["start"]), utc(event["end"])) == (utc(start), utc(end))
