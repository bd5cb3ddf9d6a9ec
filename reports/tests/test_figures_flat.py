"""The running half-year's conference figures at the cost of a few rows, and still exact.

The intervals between consecutive conferences come back from the database as one row per
interval in days (a histogram) instead of one row per conference held, and the due
figure probes a case's meetings only where the two columns on the case cannot decide.
Both are checked here against the definitions they replace, for a mixed population:
conferences near midnight in Berlin, cancelled and planned ones, cases opened in the
half-year, a conference dated before its case was opened, another cooperation, and every
interval a cooperation may choose.
"""

import datetime

import pytest
import time_machine
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cases.models import Case
from conferences import services as conference_services
from conferences.models import Meeting
from reports.figures import HELD_STATES, HalfYear, _day_start, count_figures

from .conftest import on
from .test_figures_columns import histories, reference_conferences  # noqa: F401

d = datetime.date
H1, H2 = HalfYear(2026, 1), HalfYear(2026, 2)

pytestmark = pytest.mark.django_db


def held_at(build, case: Case, when: datetime.datetime) -> Meeting:
    """A conference that began at ``when`` (Berlin), held the same day."""
    with time_machine.travel(when + datetime.timedelta(minutes=90), tick=False):
        meeting = conference_services.conference_schedule(
            case=case, organiser=build.user, starts_at=when
        )
        conference_services.meeting_held(meeting=meeting)
    return meeting


@pytest.fixture
def mixed(heinsberg, histories, build):  # noqa: F811
    """The histories of ``test_figures_columns`` and more: midnight, the half-year's edges,
    a case opened in it with a conference, one whose conference predates its opening,
    and a case of Lindenbrück that must never count."""
    midnight = build.case("caritas", d(2025, 9, 1))
    # 00:30 and 23:30 in Berlin lie on other days in UTC: the Berlin days count.
    held_at(build, midnight, on(d(2026, 2, 28), 0).replace(minute=30))
    held_at(build, midnight, on(d(2026, 8, 31), 23).replace(minute=30))
    held_at(build, midnight, on(d(2026, 10, 1), 0).replace(minute=30))
    edges = build.case("kreisjugendamt", d(2025, 12, 31))
    held_at(build, edges, on(d(2026, 6, 30), 23).replace(minute=59))
    held_at(build, edges, on(d(2026, 7, 1), 0))
    build.conference(edges, d(2026, 11, 20), state=Meeting.State.CANCELLED)
    build.conference(edges, d(2026, 12, 10), state=Meeting.State.PLANNED)
    opened_in_h2 = build.case("erkelenz", d(2026, 7, 20))
    build.conference(opened_in_h2, d(2026, 10, 5))
    predates = build.case("caritas", d(2026, 8, 10))
    build.conference(predates, d(2026, 9, 15))
    # Entered afterwards with the day it really took place, before the case was opened.
    early = build.conference(predates, d(2026, 9, 16))
    Meeting.objects.filter(pk=early.pk).update(starts_at=on(d(2026, 6, 20), 10))
    elsewhere = build.case("lindenbrueck", d(2025, 6, 1))
    build.conference(elsewhere, d(2026, 1, 10))
    build.conference(elsewhere, d(2026, 8, 10))


def reference_held(cooperation, period: HalfYear) -> tuple[int, list[int]]:
    """The former definition: every conference held in the half-year as a row, each with
    the one held before it in its case, the days between them taken in Python."""
    previous = (
        Meeting.objects.filter(
            case=OuterRef("case"),
            kind=Meeting.Kind.CASE_CONFERENCE,
            state__in=HELD_STATES,
            starts_at__lt=OuterRef("starts_at"),
        )
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    held = list(
        Meeting.objects.filter(
            cooperation=cooperation,
            kind=Meeting.Kind.CASE_CONFERENCE,
            state__in=HELD_STATES,
            starts_at__gte=_day_start(period.start),
            starts_at__lt=_day_start(period.end + datetime.timedelta(days=1)),
        )
        .annotate(previous=Subquery(previous))
        .values_list("starts_at", "previous")
    )
    intervals = [
        (timezone.localdate(starts_at) - timezone.localdate(before)).days
        for starts_at, before in held
        if before is not None
    ]
    return len(held), sorted(intervals)


@pytest.mark.parametrize("period", [H2, H1, HalfYear(2025, 2)])
def test_held_and_intervals_equal_one_row_per_conference(heinsberg, mixed, period):
    held, intervals = reference_held(heinsberg, period)
    figures = count_figures(heinsberg, period)
    assert figures.conferences["held"] == held
    assert sorted(figures.intervals) == intervals
    if period == H2:
        # Midnight in Berlin: 28.02. to 31.08. and 31.08. to 01.10. (not 30.09.), and
        # the 30.06. to the 01.07. a minute later.
        assert {184, 31, 1} <= set(intervals)


@pytest.mark.parametrize("months", [1, 3, 6, 9, 12])
@pytest.mark.parametrize(
    ("period", "today"),
    [
        (H2, d(2026, 11, 25)),
        (H2, d(2026, 7, 1)),
        (H1, d(2026, 11, 25)),
        (H1, d(2026, 3, 31)),
        (HalfYear(2025, 2), d(2026, 11, 25)),
    ],
)
def test_due_and_overdue_equal_the_former_definition_for_every_interval(
    heinsberg, mixed, months, period, today
):
    heinsberg.conference_interval_months = months
    heinsberg.save(update_fields=["conference_interval_months"])
    counted = count_figures(heinsberg, period, today).conferences
    expected = reference_conferences(heinsberg, period, today)
    assert {"due": counted["due"], "overdue": counted["overdue"]} == expected
    if (period, today) == (H2, d(2026, 11, 25)):
        assert expected["due"] > 0 and expected["overdue"] > 0
