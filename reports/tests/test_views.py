"""The statistics page, its PDF and its CSV, through the real views.

Heinsberg's Kooperationsgremium is chaired by the Erkelenz caseworker; the coordination
office prepares its sittings. In the second half of 2026 Jugendamt Erkelenz opened five
cases and the Kreisjugendamt four (shown as "<5"); Lindenbrück opened one of its own. The
clock stands at 25.11.2026.
"""

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET

import pypdf
import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperation.models import CommitteeMember, User
from tests import factories

d = datetime.date
BOM = b"\xef\xbb\xbf"
HEADINGS = [
    "Statistik für das Kooperationsgremium",
    "Fälle nach Art der fallführenden Einrichtung",
    "Beteiligtenkonferenzen",
    "Einwilligungen (Schweigepflichtentbindungen)",
    "Übermittlungen ohne Einwilligung nach Rechtsgrundlage",
    "Vereinbarungen aus den Beteiligtenkonferenzen",
]


@pytest.fixture
def cases(build, committee):
    opened = []
    for day in (d(2026, 7, 1), d(2026, 8, 3), d(2026, 9, 9), d(2026, 10, 12), d(2026, 11, 25)):
        opened.append(build.case("erkelenz", day))
    for day in (d(2026, 7, 20), d(2026, 8, 21), d(2026, 9, 22), d(2026, 11, 2)):
        opened.append(build.case("kreisjugendamt", day))
    build.case("lindenbrueck", d(2026, 9, 1))
    return opened


def url(name: str, period: str | None = None) -> str:
    path = reverse(f"reports:{name}")
    return f"{path}?halbjahr={period}" if period else path


def get(client, user, name, period=None):
    client.force_login(user)
    return client.get(url(name, period))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def rows_of(response) -> list[list[str]]:
    assert response.content.startswith(BOM)
    return list(csv.reader(io.StringIO(response.content[3:].decode("utf-8")), delimiter=";"))


# --- who reads it -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report", "pdf", "csv"])
def test_it_sends_anonymous_users_to_the_login(client, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["report", "pdf", "csv"])
def test_the_coordination_office_and_the_chair_read_it(client, cases, coordination_office, name):
    chair = cases[0].opened_by
    for user in (coordination_office, chair):
        assert get(client, user, name).status_code == 200


@pytest.mark.parametrize("function", list(CommitteeMember.Function))
def test_representatives_deputies_and_the_minute_taker_read_it(
    client, committee, institutions, caritas_caseworker, diakonie_caseworker, function
):
    CommitteeMember.objects.create(
        committee=committee,
        institution=institutions["caritas"],
        user=caritas_caseworker,
        function=function,
    )
    committee.minute_taker = diakonie_caseworker
    committee.save()
    assert get(client, caritas_caseworker, "report").status_code == 200
    assert get(client, diakonie_caseworker, "report").status_code == 200


@pytest.mark.parametrize(
    "persona",
    [
        "erkelenz_lead",
        "gesundheitsamt_caseworker",
        "uninvolved_caseworker",
        "data_protection_officer",
        "superuser",
    ],
)
@pytest.mark.parametrize("name", ["report", "pdf", "csv"])
def test_everybody_else_gets_a_403(client, request, committee, persona, name):
    user = request.getfixturevalue(persona)
    assert get(client, user, name).status_code == 403


def test_a_former_member_no_longer_reads_it(client, committee, erkelenz_caseworker):
    assert get(client, erkelenz_caseworker, "report").status_code == 200
    committee.chair = None
    committee.save()
    assert get(client, erkelenz_caseworker, "report").status_code == 403


def test_a_member_of_heinsbergs_committee_from_elsewhere_reads_no_heinsberg_figures(
    client, cases, committee, lindenbrueck_coordination, institutions
):
    """A misconfigured chair from Lindenbrück reads Lindenbrück's figures, if any."""
    stranger = factories.make_user(institutions["lindenbrueck"], username="lb.fachkraft")
    committee.chair = stranger
    committee.save()
    assert get(client, stranger, "report").status_code == 403


def test_lindenbrueck_reads_its_own_figures_only(client, cases, lindenbrueck_coordination):
    response = get(client, lindenbrueck_coordination, "csv")
    rows = rows_of(response)
    assert {row[0] for row in rows[1:]} == {"Netzwerk Lindenbrück"}
    opened = {row[4]: row[6] for row in rows[1:] if row[5] == "eröffnet"}
    assert opened["Jugendamt einer Stadt"] == "<5"
    assert opened["Jugendamt eines Kreises"] == "0"


@pytest.mark.parametrize("name", ["report", "pdf", "csv"])
def test_it_rejects_post(client, coordination_office, name):
    client.force_login(coordination_office)
    assert client.post(url(name)).status_code == 405


# --- the period ---------------------------------------------------------------------------


def test_the_current_half_year_is_the_default(client, cases, coordination_office):
    response = get(client, coordination_office, "report")
    assert response.context["report"].period.label == "2. Halbjahr 2026"
    assert response.context["report"].reference_day == d(2026, 11, 25)
    assert "heute: das Halbjahr läuft noch" in response.content.decode()


def test_an_earlier_half_year_is_chosen_by_its_parameter(client, cases, coordination_office):
    response = get(client, coordination_office, "report", "2026-1")
    report = response.context["report"]
    assert report.period.label == "1. Halbjahr 2026"
    assert report.reference_day == d(2026, 6, 30)
    content = response.content.decode()
    assert '<option value="2026-1" selected>1. Halbjahr 2026</option>' in content
    assert 'href="/statistik/bericht.pdf?halbjahr=2026-1"' in content
    # Half-years long past are reachable, and offered once chosen.
    content = get(client, coordination_office, "report", "2019-2").content.decode()
    assert '<option value="2019-2" selected>' in content


@pytest.mark.parametrize("value", ["2027-1", "2026-3", "1999-2", "morgen", ""])
@pytest.mark.parametrize("name", ["report", "pdf", "csv"])
def test_a_half_year_to_come_or_malformed_is_not_found(client, coordination_office, value, name):
    assert get(client, coordination_office, name, value or "x").status_code == 404


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_each_section_as_an_inline_chart_and_a_table(
    client, cases, coordination_office
):
    content = get(client, coordination_office, "report").content.decode()
    svgs = re.findall(r"<svg .*?</svg>", content, re.S)
    assert len(svgs) == 5
    ids = []
    for svg in svgs:
        root = ET.fromstring(svg)
        title, desc = root.get("aria-labelledby").split()
        assert root.get("role") == "img"
        ids += [el.get("id") for el in root.iter() if el.get("id")]
        assert f'id="{title}"' in svg and f'id="{desc}"' in svg
        assert "style=" not in svg and "<script" not in svg
    assert len(ids) == len(set(ids))
    for heading in HEADINGS:
        assert f">{heading}</h" in content
    # The table beside every chart: "<5" for the Kreisjugendamt's four, 5 for Erkelenz.
    assert content.count("<table") == 5
    assert '<th scope="row">Jugendamt eines Kreises</th><td><span aria-hidden="true">&lt;5' in (
        content
    )
    assert '<th scope="row">Jugendamt einer Stadt</th><td>5</td>' in content
    assert "weniger als 5" in content


def test_the_page_adds_its_stylesheet_and_no_inline_style_or_script(
    client, cases, coordination_office
):
    content = get(client, coordination_office, "report").content.decode()
    assert '<link rel="stylesheet" href="/static/reports/reports.css">' in content
    main = content.split('<main id="main"', 1)[1]
    assert "style=" not in main and "<script" not in main and "<style" not in main


def test_the_number_of_queries_does_not_grow_with_the_data(
    client, build, committee, coordination_office
):
    client.force_login(coordination_office)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url("report")).status_code == 200
        return len(context.captured_queries)

    build.case("erkelenz", d(2026, 7, 1))
    queries()  # the first request also fills the navigation's cached counts
    few = queries()
    for index in range(10):
        case = build.case("caritas", d(2025, 6, 1) + datetime.timedelta(days=index))
        build.conference(case, d(2026, 1, 10))
        build.conference(case, d(2026, 8, 10))
        build.consent(case, d(2026, 8, 1))
    assert queries() == few


# --- the PDF --------------------------------------------------------------------------------


def test_the_pdf_is_a_german_pdf_a_with_the_charts_and_the_suppressed_counts(
    client, cases, coordination_office, get_pdf
):
    client.force_login(coordination_office)
    response = get_pdf(client, url("pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="statistik-HS-2026-2.pdf"'
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    for heading in HEADINGS:
        assert heading in re.sub(r"\s+", " ", text)
    assert "2. Halbjahr 2026" in text and "Stichtag" in text
    assert "<5" in text
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Statistik für das Kooperationsgremium: 2. Halbjahr 2026"
    metadata = reader.xmp_metadata.stream.get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", metadata), "no PDF/A-3 identification"
    # The charts are drawn (vector paths), not printed as their title text.
    assert "fallführenden EinrichtungEröffnet" not in text
    for case in cases:
        assert case.reference not in text


def test_the_pdf_is_german_whatever_the_readers_language(
    client, cases, coordination_office, get_pdf
):
    client.force_login(coordination_office)
    client.cookies["django_language"] = "en"
    page = client.get(url("report")).content.decode()
    assert "Statistics for the Kooperationsgremium" in page
    text = text_of(b"".join(get_pdf(client, url("pdf")).streaming_content))
    assert "Statistik für das Kooperationsgremium" in text


# --- the CSV --------------------------------------------------------------------------------


def test_the_csv_is_excels_german_csv_with_one_line_per_figure(client, cases, coordination_office):
    response = get(client, coordination_office, "csv", "2026-2")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="statistik-HS-2026-2.csv"'
    rows = rows_of(response)
    assert rows[0] == [
        "Kooperation",
        "Halbjahr",
        "Stichtag",
        "Bereich",
        "Merkmal",
        "Kennzahl",
        "Wert",
    ]
    assert {tuple(row[:3]) for row in rows[1:]} == {
        (
            "Kooperation Jugendhilfe und Suchthilfe im Kreis Heinsberg",
            "2. Halbjahr 2026",
            "25.11.2026",
        )
    }
    figures = {(row[3], row[4], row[5]): row[6] for row in rows[1:]}
    cases_section = "Fälle nach Art der fallführenden Einrichtung"
    assert figures[(cases_section, "Jugendamt einer Stadt", "eröffnet")] == "5"
    assert figures[(cases_section, "Jugendamt eines Kreises", "eröffnet")] == "<5"
    assert figures[(cases_section, "Jugendamt eines Kreises", "abgeschlossen")] == "0"
    median = (
        "Beteiligtenkonferenzen",
        "Median des Abstands zwischen aufeinanderfolgenden Konferenzen eines Falls",
        "Tage",
    )
    assert figures[median] == "nicht ausgewiesen (weniger als 5 Abstände)"
    # 5 kinds × 3 + 3 conferences + the median + 3 consents + 3 bases + 2 actions.
    assert len(rows) - 1 == 15 + 3 + 1 + 3 + 3 + 2
    assert not any("umme" in cell or "gesamt" in cell.lower() for row in rows for cell in row)


def test_a_cooperation_named_like_a_formula_is_not_run_by_excel(client, cases, coordination_office):
    cooperation = coordination_office.institution.cooperation
    cooperation.name = "=HYPERLINK(1)"
    cooperation.save()
    rows = rows_of(get(client, coordination_office, "csv"))
    assert rows[1][0] == "'=HYPERLINK(1)"


# --- the navigation -------------------------------------------------------------------------


def test_the_navigation_filter_tells_who_reads_it(
    committee, coordination_office, erkelenz_caseworker, caritas_caseworker, superuser
):
    template = Template("{% load reports %}{{ user|may_read_report }}")
    for user, expected in (
        (coordination_office, "True"),
        (erkelenz_caseworker, "True"),
        (caritas_caseworker, "False"),
        (superuser, "False"),
    ):
        assert template.render(Context({"user": user})) == expected
    assert User  # the filter takes any user object
