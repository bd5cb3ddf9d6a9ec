"""The charts: they show only what the table shows, and inline safely under the CSP."""

import re
import xml.etree.ElementTree as ET

import pytest

from reports.charts import chart_svg, figure
from reports.figures import Line, Table, count_cell

ROWS = {"a": (12, 3, 0), "b": (5, 4, 40)}


@pytest.fixture
def table() -> Table:
    return Table(
        key="cases",
        title="Fälle nach Art der fallführenden Einrichtung",
        row_header="Art",
        columns=("eröffnet", "abgeschlossen", "offen am Stichtag"),
        lines=tuple(
            Line(key, f"Einrichtung {key}", tuple(count_cell(n) for n in counts))
            for key, counts in ROWS.items()
        ),
        explanation="Eröffnet und abgeschlossen im Halbjahr.",
    )


def test_a_suppressed_count_gets_no_bar_only_its_label(table):
    ax = figure(table).axes[0]
    widths = sorted(round(patch.get_width(), 6) for patch in ax.patches)
    # Bars for 12, 5 and 40; none for the suppressed 3 and 4, none for 0.
    assert [w for w in widths if w] == [5, 12, 40]
    labels = [text.get_text() for text in ax.texts]
    assert sorted(labels) == sorted(["12", "<5", "0", "5", "<5", "40"])
    assert not {"1", "2", "3", "4"} & set(labels)


def test_the_svg_carries_no_style_script_or_comment_for_the_csp(table):
    svg = chart_svg(table, "chart-cases", "Beschreibung")
    assert svg.startswith("<svg ")
    assert "style" not in svg
    assert "<script" not in svg and "<!--" not in svg and "metadata" not in svg
    assert "xlink" not in svg and "ns0" not in svg
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not [el for el in root.iter() if any(a.startswith("on") for a in el.attrib)]
    # Presentation attributes carry what the style attributes did.
    assert root.find(".//*[@fill='#0072b2']") is not None


def test_the_svg_is_labelled_and_its_ids_are_its_own(table):
    svg = chart_svg(table, "chart-cases", "Beschreibung")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-cases-title chart-cases-desc"
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == table.title
    assert root.find(f"{ns}desc").text == "Beschreibung"
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("chart-cases-") for i in ids)
    references = re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', svg)
    assert references
    assert {a or b for a, b in references} <= set(ids)


def test_two_charts_on_one_page_share_no_id(table):
    first = chart_svg(table, "chart-a", "")
    second = chart_svg(table, "chart-b", "")
    ids = re.findall(r'id="([^"]+)"', first + second)
    assert len(ids) == len(set(ids))


def test_the_labels_are_escaped(table):
    hostile = Table(
        "x",
        "<script>alert(1)</script>",
        "Art",
        ("Anzahl",),
        (Line("a", "<b>fett</b>", (count_cell(7),)),),
        "",
    )
    svg = chart_svg(hostile, "chart-x", "<img src=x onerror=alert(1)>")
    assert "<script>" not in svg and "<img" not in svg
    assert "&lt;script&gt;" in svg
