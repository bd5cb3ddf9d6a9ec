"""The current half-year counted from columns: ``Case.last_conference_held_on``.

The conferences app keeps the day of a case's last conference held on the case (and a
data migration fills it in for conferences held before it existed); the due/overdue
figures compare it instead of searching every case's meetings. These tests check that the
column is kept, that the figures equal the former definition (correlated EXISTS over the
meetings, kept here as the reference), and that the queries stay as many and as plain
whatever the number of rows.
"""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from cases.services import CONFERENCE_INTERVAL_MONTHS
from conferences import services as conference_services
from conferences.models import Meeting
from reports.figures import (
    HELD_STATES,
    ONE_DAY,
    HalfYear,
    _day_start,
    _open_on,
    build_report,
    count_figures,
    earliest_base,
)

from .conftest import on

d = datetime.date
H1, H2 = HalfYear(2026, 1), HalfYear(2026, 2)

pytestmark = pytest.mark.django_db


def last_held(case: Case) -> datetime.date | None:
    return Case.objects.values_list("last_conference_held_on", flat=True).get(pk=case.pk)


# --- the column -----------------------------------------------------------------------------


def test_marking_a_conference_held_keeps_its_berlin_day_on_the_case(heinsberg, build):
    case = build.case("erkelenz", d(2026, 1, 5))
    assert last_held(case) is None
    # 00:30 in Berlin is still the previous day in UTC: the Berlin day counts.
    meeting = conference_services.conference_schedule(
        case=case, organiser=build.user, starts_at=on(d(2026, 3, 10), 0).replace(minute=30)
    )
    with time_machine.travel(on(d(2026, 3, 10), 14), tick=False):
        conference_services.meeting_held(meeting=meeting)
    assert last_held(case) == d(2026, 3, 10)
    build.conference(case, d(2026, 9, 2))
    assert last_held(case) == d(2026, 9, 2)


def test_an_earlier_meeting_marked_held_afterwards_does_not_move_it_back(heinsberg, build):
    case = build.case("erkelenz", d(2026, 1, 5))
    build.conference(case, d(2026, 9, 2))
    earlier = conference_services.conference_schedule(
        case=case, organiser=build.user, starts_at=on(d(2026, 6, 1), 10)
    )
    conference_services.meeting_held(meeting=earlier)
    assert last_held(case) == d(2026, 9, 2)


def test_planned_and_cancelled_conferences_leave_it_empty(heinsberg, build):
    case = build.case("caritas", d(2026, 2, 1))
    build.conference(case, d(2026, 9, 1), state=Meeting.State.CANCELLED)
    build.conference(case, d(2026, 11, 24), state=Meeting.State.PLANNED)
    assert last_held(case) is None


def test_the_data_migration_fills_it_in_from_the_meetings_held(heinsberg, lindenbrueck, build):
    twice = build.case("erkelenz", d(2025, 10, 1))
    build.conference(twice, d(2026, 1, 12))
    build.conference(twice, d(2026, 7, 3))
    elsewhere = build.case("lindenbrueck", d(2025, 1, 1))
    build.conference(elsewhere, d(2026, 9, 1))
    never = build.case("caritas", d(2026, 8, 20))
    build.conference(never, d(2026, 9, 1), state=Meeting.State.CANCELLED)
    # As before the column existed.
    Case.objects.update(last_conference_held_on=None)
    migration = importlib.import_module("conferences.migrations.0002_meeting_case_held_backfill")
    migration.backfill(apps, connection.schema_editor())
    assert last_held(twice) == d(2026, 7, 3)
    assert last_held(elsewhere) == d(2026, 9, 1)
    assert last_held(never) is None


# --- the same figures as the former definition ----------------------------------------------


def _held(**lookups) -> Exists:
    return Exists(
        Meeting.objects.filter(
            case=OuterRef("pk"),
            kind=Meeting.Kind.CASE_CONFERENCE,
            state__in=HELD_STATES,
            **lookups,
        )
    )


def reference_due_before(day, limit, months) -> Q:
    """The definition before the column: correlated EXISTS over every case's meetings."""
    after = _day_start(day + ONE_DAY)
    held_since = _held(starts_at__gte=after)
    held_by_then = _held(starts_at__lt=after)
    last_held_early = held_by_then & ~_held(
        starts_at__gte=_day_start(earliest_base(limit, months)), starts_at__lt=after
    )
    opened_early = Q(opened_at__lt=_day_start(earliest_base(limit, CONFERENCE_INTERVAL_MONTHS)))
    stored = Q(~held_since) & Q(conference_due_on__lt=limit)
    rebuilt = Q(held_since) & (Q(last_held_early) | (Q(~held_by_then) & opened_early))
    return stored | rebuilt


def reference_conferences(cooperation, period: HalfYear, today: datetime.date) -> dict:
    day = period.reference_day(today)
    months = cooperation.conference_interval_months
    first, last = period.start, period.end
    open_then = _open_on(day)
    return Case.objects.filter(cooperation=cooperation).aggregate(
        due=Count(
            "pk",
            filter=open_then & reference_due_before(first - ONE_DAY, last + ONE_DAY, months),
        ),
        overdue=Count("pk", filter=open_then & reference_due_before(day, day, months)),
    )


@pytest.fixture
def histories(heinsberg, build):
    """Cases with every shape of conference history the due date depends on."""
    build.case("erkelenz", d(2026, 3, 2))  # never held, first due 02.09.
    build.case("erkelenz", d(2026, 7, 15))  # opened in H2
    build.case("caritas", d(2025, 8, 1))  # never held, long overdue
    build.case("erkelenz", d(2025, 11, 1), closed=d(2026, 9, 30))
    for opened, held in (
        (d(2025, 10, 1), [d(2026, 4, 10)]),
        (d(2025, 12, 1), [d(2026, 8, 3)]),
        (d(2025, 9, 1), [d(2026, 1, 20), d(2026, 7, 25)]),
        (d(2025, 11, 3), [d(2026, 9, 10)]),
        (d(2025, 5, 1), [d(2025, 11, 2), d(2026, 5, 4), d(2026, 11, 3)]),
        (d(2025, 6, 1), [d(2025, 12, 30), d(2026, 6, 30), d(2026, 7, 1)]),
    ):
        case = build.case("kreisjugendamt", opened)
        for day in held:
            build.conference(case, day)
    moved = build.case("erkelenz", d(2026, 8, 1))
    Case.objects.filter(pk=moved.pk).update(conference_due_on=d(2026, 11, 1))


@pytest.mark.parametrize(
    ("period", "today"),
    [
        (H2, d(2026, 11, 25)),
        (H1, d(2026, 11, 25)),
        (H1, d(2026, 6, 30)),
        (HalfYear(2025, 2), d(2026, 11, 25)),
        (H2, d(2026, 7, 1)),
    ],
)
def test_due_and_overdue_equal_the_former_subqueries(heinsberg, histories, period, today):
    counted = count_figures(heinsberg, period, today).conferences
    expected = reference_conferences(heinsberg, period, today)
    assert {"due": counted["due"], "overdue": counted["overdue"]} == expected
    # The data spans both outcomes, so equality is not trivially zero against zero.
    if (period, today) == (H2, d(2026, 11, 25)):
        assert expected["due"] > 0 and expected["overdue"] > 0


# --- queries --------------------------------------------------------------------------------


def report_queries(cooperation) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        build_report(cooperation, H2)
    return [query["sql"] for query in context.captured_queries]


def test_the_current_half_year_takes_six_queries_with_no_exists_however_many_rows(heinsberg, build):
    case = build.case("erkelenz", d(2025, 12, 1))
    build.conference(case, d(2026, 8, 1))
    few = report_queries(heinsberg)
    for index in range(10):
        case = build.case(["erkelenz", "caritas", "kreisjugendamt"][index % 3], d(2025, 6, 1))
        build.conference(case, d(2026, 1, 10) + datetime.timedelta(days=index))
        build.conference(case, d(2026, 7, 20) + datetime.timedelta(days=index))
    many = report_queries(heinsberg)
    assert len(few) == len(many) == 6
    # No correlated EXISTS over the meetings any more: due and overdue compare columns.
    assert not any("EXISTS" in sql.upper() for sql in many)
