// Test helper: how Mozilla's ical.js (Thunderbird, many web calendars) reads our .ics.
//
// Reads one iCalendar text from stdin, registers its VTIMEZONEs with the
// TimezoneService the way a calendar client does, and prints every VEVENT's UID, its
// start and end as UTC ISO strings, and the zone ical.js resolved TZID to, as JSON.
// Run by conferences/tests/test_calendar_parsers.py; the instants come from ical.js
// alone, never from Python, so a VTIMEZONE ical.js misreads shows up as a wrong hour.
import { readFileSync } from "node:fs";

import ICAL from "ical.js";

const text = readFileSync(0, "utf8");
const vcalendar = new ICAL.Component(ICAL.parse(text));

for (const vtimezone of vcalendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

const events = vcalendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    // The zone's tzid tells a resolved Europe/Berlin from "floating" (unresolved) time.
    zone: event.startDate.zone ? event.startDate.zone.tzid : null,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
  };
});

process.stdout.write(JSON.stringify(events));
