"""What the half-yearly report counts, and what it lets anyone see of it.

Hand-built data in Heinsberg (and one case in Lindenbrück that must never count); the
clock stands at 25.11.2026, so the second half of 2026 runs until its reference day,
today, and the first half of 2026 is complete (reference day 30.06.2026).
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from cases import services
from cases.models import Case, Consent, Disclosure
from common.dates import add_months
from conferences.models import Action, Meeting
from reports.figures import (
    SUPPRESSED,
    HalfYear,
    build_report,
    count_cell,
    count_figures,
    earliest_base,
    median_cell,
)
from tests.german import german

from .conftest import on

d = datetime.date
H1, H2 = HalfYear(2026, 1), HalfYear(2026, 2)
JA_STADT, JA_KREIS = "jugendamt_stadt", "jugendamt_kreis"
SB_GA, SB_FREI = "suchtberatung_ga", "suchtberatung_frei"


# --- the period -------------------------------------------------------------------------


def test_a_half_year_knows_its_days_and_its_reference_day():
    assert (H1.start, H1.end) == (d(2026, 1, 1), d(2026, 6, 30))
    assert (H2.start, H2.end) == (d(2026, 7, 1), d(2026, 12, 31))
    assert HalfYear.containing(d(2026, 6, 30)) == H1
    assert HalfYear.containing(d(2026, 7, 1)) == H2
    assert H1.previous() == HalfYear(2025, 2) and H2.previous() == H1
    assert H2.reference_day(d(2026, 11, 25)) == d(2026, 11, 25)
    assert H1.reference_day(d(2026, 11, 25)) == d(2026, 6, 30)
    assert str(H2) == "2026-2" and HalfYear.parse("2026-2") == H2


@pytest.mark.parametrize("value", ["", "2026", "2026-3", "2026-0", "26-1", "2026-1x", "x"])
def test_only_year_dash_one_or_two_is_a_half_year(value):
    with pytest.raises(ValueError):
        HalfYear.parse(value)


def test_the_label_is_german():
    assert german("%(half)s. half-year %(year)s", half=2, year=2026) == "2. Halbjahr 2026"


@given(st.dates(min_value=d(2001, 1, 1), max_value=d(2099, 12, 31)), st.integers(1, 12))
def test_earliest_base_is_the_first_day_counted_from_which_a_date_reaches_the_limit(limit, n):
    base = earliest_base(limit, n)
    assert add_months(base, n) >= limit
    assert add_months(base - datetime.timedelta(days=1), n) < limit


# --- suppression ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "text", "value"),
    [(0, "0", 0), (1, "<5", None), (4, "<5", None), (5, "5", 5), (123, "123", 123)],
)
def test_counts_from_one_to_four_are_shown_as_below_five_and_zero_as_zero(count, text, value):
    cell = count_cell(count)
    assert (cell.text, cell.value) == (text, value)
    assert cell.suppressed is (value is None)


@given(st.integers(min_value=0, max_value=10_000))
def test_no_count_from_one_to_four_ever_gets_out(count):
    cell = count_cell(count)
    assert cell.text not in {"1", "2", "3", "4"}
    assert cell.value not in {1, 2, 3, 4}


def test_a_median_of_four_values_is_not_shown_one_of_five_is():
    assert median_cell([180, 190, 200, 170]).suppressed
    assert median_cell([180, 190, 200, 170]).text == german("not shown (fewer than 5 intervals)")
    cell = median_cell([180, 190, 200, 170, 160])
    assert cell.value == 180
    assert cell.text == "180 Tage (5,9 Monate)"
    assert median_cell([]).suppressed


# --- cases ----------------------------------------------------------------------------------


@pytest.fixture
def cases(build, institutions, lindenbrueck, erkelenz_caseworker):
    """H2 2026: Erkelenz (city office) opens 5, the Kreisjugendamt 4; the Gesundheitsamt's
    case of March is closed on 01.08.; Caritas's of 2025 stays open; an Erkelenz case of
    H1 was closed on 30.06. Lindenbrück opens one that must never count."""
    for day in (d(2026, 7, 1), d(2026, 8, 3), d(2026, 9, 9), d(2026, 10, 12), d(2026, 11, 25)):
        build.case("erkelenz", day)
    for day in (d(2026, 7, 20), d(2026, 8, 21), d(2026, 9, 22), d(2026, 11, 2)):
        build.case("kreisjugendamt", day)
    build.case("gesundheitsamt", d(2026, 3, 10), closed=d(2026, 8, 1))
    build.case("caritas", d(2025, 12, 1))
    build.case("hueckelhoven", d(2026, 2, 2), closed=d(2026, 6, 30))
    build.case("lindenbrueck", d(2026, 9, 1))


def test_cases_are_counted_by_the_kind_of_their_lead_institution(heinsberg, cases):
    figures = count_figures(heinsberg, H2)
    assert figures.cases[JA_STADT] == {"opened": 5, "closed": 0, "open": 5}
    assert figures.cases[JA_KREIS] == {"opened": 4, "closed": 0, "open": 4}
    assert figures.cases[SB_GA] == {"opened": 0, "closed": 1, "open": 0}
    assert figures.cases[SB_FREI] == {"opened": 0, "closed": 0, "open": 1}
    assert figures.cases["other"] == {"opened": 0, "closed": 0, "open": 0}
    assert "koordination" not in figures.cases


def test_the_first_half_year_is_counted_at_its_last_day(heinsberg, cases):
    figures = count_figures(heinsberg, H1)
    # Hückelhoven's case opened in February and closed on 30.06.: not open at its end.
    assert figures.cases[JA_STADT] == {"opened": 1, "closed": 1, "open": 0}
    assert figures.cases[SB_GA] == {"opened": 1, "closed": 0, "open": 1}
    assert figures.cases[SB_FREI] == {"opened": 0, "closed": 0, "open": 1}
    assert figures.cases[JA_KREIS] == {"opened": 0, "closed": 0, "open": 0}


def test_four_are_shown_as_below_five_five_as_five(heinsberg, cases):
    table = build_report(heinsberg, H2).table("cases")
    texts = {line.key: [cell.text for cell in line.cells] for line in table.lines}
    assert texts[JA_STADT] == ["5", "0", "5"]
    assert texts[JA_KREIS] == [SUPPRESSED, "0", SUPPRESSED]
    assert texts[SB_GA] == ["0", SUPPRESSED, "0"]
    assert texts[SB_FREI] == ["0", "0", SUPPRESSED]


def test_there_is_no_total_from_which_a_hidden_count_could_be_worked_out(heinsberg, cases):
    report = build_report(heinsberg, H2)
    table = report.table("cases")
    # One row per kind that may lead a case, whether or not it has any: no total row,
    # no total column.
    assert [line.key for line in table.lines] == [
        "jugendamt_kreis",
        "jugendamt_stadt",
        "suchtberatung_ga",
        "suchtberatung_frei",
        "other",
    ]
    assert len(table.columns) == 3
    for other in report.tables[1:]:
        assert all(len(line.cells) == 1 for line in other.lines)


def test_nothing_crosses_cooperations(lindenbrueck, cases):
    figures = count_figures(lindenbrueck, H2)
    assert figures.cases[JA_STADT] == {"opened": 1, "closed": 0, "open": 1}
    assert sum(counts["opened"] for counts in figures.cases.values()) == 1


# --- conferences ----------------------------------------------------------------------------


def test_held_due_and_overdue_conferences(heinsberg, lindenbrueck, build, erkelenz_caseworker):
    # First due six months after opening (02.09.): overdue today, and due in H2.
    build.case("erkelenz", d(2026, 3, 2))
    # Opened in H2: first due in 2027, neither due nor overdue.
    build.case("erkelenz", d(2026, 7, 15))
    # Held 10.04., next due 10.10.: due in H2 and overdue today.
    case = build.case("erkelenz", d(2025, 10, 1))
    build.conference(case, d(2026, 4, 10))
    # Overdue since 01.06., held in H2 on 03.08.: due in H2 and held, no longer overdue.
    case = build.case("erkelenz", d(2025, 12, 1))
    build.conference(case, d(2026, 8, 3))
    # The lead moved the due date to 01.11. (case page): due and overdue.
    case = build.case("erkelenz", d(2026, 8, 1))
    Case.objects.filter(pk=case.pk).update(conference_due_on=d(2026, 11, 1))
    # Overdue, but closed: a closed case needs no conference.
    build.case("erkelenz", d(2025, 11, 1), closed=d(2026, 9, 30))
    # Planned and cancelled conferences are not held.
    case = build.case("caritas", d(2026, 8, 20))
    build.conference(case, d(2026, 9, 1), state=Meeting.State.CANCELLED)
    build.conference(case, d(2026, 11, 24), state=Meeting.State.PLANNED)
    # Lindenbrück's never count.
    case = build.case("lindenbrueck", d(2025, 1, 1))
    build.conference(case, d(2026, 9, 1))

    figures = count_figures(heinsberg, H2)
    assert figures.conferences == {"held": 1, "due": 4, "overdue": 3}


def test_a_half_year_counts_the_same_when_printed_again_later(heinsberg, build):
    """Conferences held after a half-year move the cases' due dates, not its figures."""
    late = build.case("erkelenz", d(2025, 11, 3))  # due 03.05.2026, held only 10.09.
    early = build.case("erkelenz", d(2025, 9, 1))  # held 20.01., next due 20.07.
    build.conference(early, d(2026, 1, 20))
    with time_machine.travel(on(d(2026, 7, 1)), tick=False):
        at_the_time = count_figures(heinsberg, H1)
    build.conference(late, d(2026, 9, 10))
    build.conference(early, d(2026, 7, 25))
    again = count_figures(heinsberg, H1)
    assert at_the_time.conferences == again.conferences == {"held": 1, "due": 2, "overdue": 1}
    assert at_the_time.cases == again.cases


def test_the_median_interval_counts_consecutive_held_conferences_of_a_case(heinsberg, build):
    intervals = []
    for index, gap in enumerate((160, 170, 180, 190, 200)):
        case = build.case("erkelenz", d(2025, 6, 1))
        second = d(2026, 8, 1) + datetime.timedelta(days=index)
        build.conference(case, second - datetime.timedelta(days=gap))
        # A cancelled one in between does not count.
        build.conference(case, second - datetime.timedelta(days=10), Meeting.State.CANCELLED)
        build.conference(case, second)
        intervals.append(gap)
    # A case's first conference has no interval.
    build.conference(build.case("caritas", d(2026, 1, 5)), d(2026, 7, 6))
    figures = count_figures(heinsberg, H2)
    assert sorted(figures.intervals) == intervals
    assert figures.conferences["held"] == 6
    report = build_report(heinsberg, H2)
    assert report.median_interval.value == 180
    assert report.table("conferences").lines[0].cells[0].text == "6"


def test_a_median_of_four_intervals_is_suppressed(heinsberg, build):
    for gap in (160, 170, 180, 190):
        case = build.case("erkelenz", d(2025, 6, 1))
        build.conference(case, d(2026, 8, 1) - datetime.timedelta(days=gap))
        build.conference(case, d(2026, 8, 1))
    report = build_report(heinsberg, H2)
    assert report.median_interval.suppressed
    assert report.table("conferences").lines[0].cells[0].text == SUPPRESSED


# --- consents, disclosures, actions ---------------------------------------------------------


def test_consents_given_revoked_and_expired_in_the_half_year(heinsberg, build, institutions):
    case = build.case("erkelenz", d(2025, 12, 1))
    for day in (d(2026, 7, 1), d(2026, 8, 1), d(2026, 9, 1)):
        build.consent(case, day)
    revoked = build.consent(case, d(2026, 10, 1))
    build.revoke(revoked, d(2026, 11, 2))
    build.revoke(build.consent(case, d(2026, 5, 1)), d(2026, 7, 2))
    # Corrected: the correction is the same consent, counted once (as given on 12.10.).
    old = build.consent(case, d(2026, 10, 12))
    new = Consent(
        given_by=old.given_by,
        source_institution=old.source_institution,
        categories=old.categories,
        purpose="Abstimmung der Hilfen (berichtigt)",
        valid_from=old.valid_from,
        informed_of_purpose=True,
        informed_of_refusal_consequences=True,
        informed_of_revocation_right=True,
    )
    with time_machine.travel(on(d(2026, 10, 20)), tick=False):
        services.consent_correct(
            old=old, new=new, recipients=[institutions["caritas"]], obtained_by=build.user
        )
    # Expired: the day after the last valid day, from 01.07. to today.
    build.consent(case, d(2026, 1, 1), valid_until=d(2026, 6, 29))  # expired 30.06.: H1
    build.consent(case, d(2026, 1, 2), valid_until=d(2026, 6, 30))  # expired 01.07.
    build.consent(case, d(2026, 1, 3), valid_until=d(2026, 11, 24))  # expired today
    build.consent(case, d(2026, 1, 4), valid_until=d(2026, 11, 25))  # valid today
    figures = count_figures(heinsberg, H2)
    assert figures.consents == {"given": 5, "revoked": 2, "expired": 2}
    texts = [line.cells[0].text for line in build_report(heinsberg, H2).table("consents").lines]
    assert texts == ["5", SUPPRESSED, SUPPRESSED]


def test_disclosures_by_legal_basis(heinsberg, build):
    case = build.case("erkelenz", d(2025, 12, 1))
    for day in (d(2026, 7, 1), d(2026, 8, 1), d(2026, 9, 1), d(2026, 10, 1), d(2026, 11, 1)):
        build.disclosure(case, Disclosure.Basis.SGB_VIII_8A, day)
    build.disclosure(case, Disclosure.Basis.KKG_4_3, d(2026, 6, 30))
    build.disclosure(case, Disclosure.Basis.SGB_VIII_65_1, d(2026, 7, 1))
    assert count_figures(heinsberg, H2).disclosures == {"sgb8_8a": 5, "kkg_4_3": 0, "sgb8_65_1": 1}
    table = build_report(heinsberg, H2).table("disclosures")
    assert [(line.key, line.cells[0].text) for line in table.lines] == [
        ("sgb8_8a", "5"),
        ("kkg_4_3", "0"),
        ("sgb8_65_1", SUPPRESSED),
    ]


def test_agreed_actions_done_and_overdue(heinsberg, build, committee, erkelenz_caseworker):
    case = build.case("erkelenz", d(2025, 12, 1))
    meeting = build.conference(case, d(2026, 5, 4))
    Done, Open, Dropped = Action.Status.DONE, Action.Status.OPEN, Action.Status.DROPPED
    build.action(meeting, d(2026, 9, 1), status=Done, done_on=d(2026, 9, 1))
    build.action(meeting, d(2026, 6, 1), status=Done, done_on=d(2026, 7, 15))
    build.action(meeting, d(2026, 6, 1), status=Done, done_on=d(2026, 6, 20))  # H1
    build.action(meeting, d(2026, 11, 1), status=Open)  # overdue
    build.action(meeting, d(2026, 11, 25), status=Open)  # due today: not yet overdue
    build.action(meeting, d(2026, 10, 1), status=Dropped)
    # A sitting's actions are the committee's own, not the families'.
    sitting = Meeting.objects.create(
        kind=Meeting.Kind.COMMITTEE_SITTING,
        cooperation=heinsberg,
        committee=committee,
        source_institution=erkelenz_caseworker.institution,
        organiser=erkelenz_caseworker,
        starts_at=on(d(2026, 5, 5)),
    )
    build.action(sitting, d(2026, 6, 1), status=Open)
    assert count_figures(heinsberg, H2).actions == {"done": 2, "overdue": 1}
    # At the end of H1, the one done on 15.07. was overdue.
    assert count_figures(heinsberg, H1).actions == {"done": 1, "overdue": 1}


# --- queries --------------------------------------------------------------------------------


def queries(cooperation) -> int:
    with CaptureQueriesContext(connection) as context:
        build_report(cooperation, H2)
    return len(context.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(heinsberg, build):
    case = build.case("erkelenz", d(2025, 12, 1))
    build.conference(case, d(2026, 8, 1))
    few = queries(heinsberg)
    assert few == 6
    for index in range(12):
        case = build.case(["erkelenz", "caritas", "kreisjugendamt"][index % 3], d(2025, 6, 1))
        first = build.conference(case, d(2026, 1, 10) + datetime.timedelta(days=index))
        build.conference(case, d(2026, 7, 20) + datetime.timedelta(days=index))
        build.action(first, d(2026, 9, 1), status=Action.Status.DONE, done_on=d(2026, 9, 2))
        build.consent(case, d(2026, 8, 1))
        build.disclosure(case, Disclosure.Basis.SGB_VIII_8A, d(2026, 8, 2))
    assert queries(heinsberg) == few
