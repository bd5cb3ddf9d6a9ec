"""A finished half-year is counted once and then read: its report neither changes nor
costs the counting queries again, and survives the records it was counted from. Charts
keep their text as text and are drawn once per content."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import charts
from reports.figures import HalfYear, Line, Table, build_report, count_cell
from reports.models import StoredFigures

H1 = HalfYear(2026, 1)
H2 = HalfYear(2026, 2)


def d(year, month, day) -> datetime.date:
    return datetime.date(year, month, day)


def test_a_finished_half_year_is_counted_once_and_then_read(heinsberg, build):
    build.case("erkelenz", d(2026, 2, 3))
    with CaptureQueriesContext(connection) as first:
        counted = build_report(heinsberg, H1)
    assert StoredFigures.objects.filter(cooperation=heinsberg, period="2026-1").count() == 1
    with CaptureQueriesContext(connection) as again:
        read = build_report(heinsberg, H1)
    assert len(again) == 1 < len(first)
    assert read == counted


def test_later_records_do_not_change_a_finished_half_year(heinsberg, build):
    case = build.case("erkelenz", d(2026, 2, 3))
    before = build_report(heinsberg, H1).table("cases").lines[0].cells
    # A case recorded later as opened in the first half-year, and the first one deleted.
    build.case("erkelenz", d(2026, 3, 3))
    case.delete()
    assert build_report(heinsberg, H1).table("cases").lines[0].cells == before


def test_the_running_half_year_is_never_stored(heinsberg, build):
    build.case("erkelenz", d(2026, 8, 3))
    build_report(heinsberg, H2)
    assert not StoredFigures.objects.filter(period="2026-2").exists()


def _table(count: int) -> Table:
    return Table(
        "cases",
        "Fälle",
        "Art",
        ("eröffnet",),
        (Line("a", "Jugendamt der Stadt Erkelenz", (count_cell(count),)),),
        "Erläuterung",
    )


def test_chart_labels_stay_text_without_style_attributes():
    svg = str(charts.chart_svg(_table(7), "chart-cases", "Beschreibung"))
    assert "Jugendamt der Stadt Erkelenz</text>" in svg
    assert "style=" not in svg
    assert "font-family=\"'DejaVu Sans', sans-serif\"" in svg


def test_a_chart_is_drawn_once_per_content(monkeypatch):
    drawn = []
    draw = charts.figure
    monkeypatch.setattr(charts, "figure", lambda table: drawn.append(table) or draw(table))
    first = charts.chart_svg(_table(11), "chart-x", "Beschreibung")
    assert charts.chart_svg(_table(11), "chart-x", "Beschreibung") == first
    charts.chart_svg(_table(12), "chart-x", "Beschreibung")
    assert len(drawn) == 2
