"""The register of processing (GDPR Art. 30): generated from the configuration, per
cooperation and per institution as controller, as a page and a PDF."""

import pytest
from django.urls import reverse

from cases.models import DataCategory
from privacy import services
from privacy.models import RegisterRendering
from tests import factories
from tests.pdf_checks import archival_problems, pages_text


@pytest.fixture
def consent_to_caritas(family_case, institutions, erkelenz_caseworker):
    return factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [DataCategory.MASTER],
        erkelenz_caseworker,
    )


def test_the_register_names_every_controller_its_law_and_periods(
    signed_in, data_protection_officer, consent_to_caritas, institutions
):
    response = signed_in(data_protection_officer).get(reverse("privacy:register"))
    assert response.status_code == 200
    page = response.content.decode()
    for key in ("erkelenz", "gesundheitsamt", "caritas", "diakonie", "kreisjugendamt"):
        assert institutions[key].name in page
    assert "Kreis Heinsberg (" in page  # the cooperation's responsible body
    assert "Art. 30 DSGVO" in page and "§ 31 KDG" in page and "§ 31 DSG-EKD" in page
    # Periods from the rules in force, with their sources.
    assert "§ 9b Abs. 2 Nr. 1 SGB VIII" in page and "§ 19 KDG" in page
    # Recipients: the consent named the Caritas.
    assert page.count("Beratungsstelle für Suchtfragen des Caritasverbandes") >= 2
    # No family data, and nothing of the other cooperation.
    assert "Sabine" not in page and "Beispiel" not in page
    assert institutions["lindenbrueck"].name not in page
    # The data-protection officer is named.
    assert data_protection_officer.email in page


def test_a_confirmed_rule_changes_the_register(
    signed_in, institutions, coordination_office, data_protection_officer
):
    rule = services.rule_propose(
        cooperation=institutions["erkelenz"].cooperation,
        proposed_by=coordination_office,
        record_type="access_log",
        law="gdpr",
        institution_kind="",
        trigger="record_date",
        months=18,
        legal_source="Beschluss der Steuerungsgruppe 2/2026",
    )
    browser = signed_in(coordination_office)
    assert (
        "Beschluss der Steuerungsgruppe"
        not in browser.get(reverse("privacy:register")).content.decode()
    )
    services.rule_confirm(rule=rule, confirmed_by=data_protection_officer)
    assert (
        "Beschluss der Steuerungsgruppe"
        in browser.get(reverse("privacy:register")).content.decode()
    )


@pytest.fixture
def fetch_pdf(rendered_pdf):
    def fetch(browser, **params):
        return rendered_pdf(browser, reverse("privacy:register_pdf"), params)[1]

    return fetch


def test_the_register_as_pdf_whole_and_per_institution(
    signed_in, data_protection_officer, institutions, fetch_pdf
):
    browser = signed_in(data_protection_officer)
    content = fetch_pdf(browser)
    assert archival_problems(content) == []
    text = " ".join(pages_text(content))
    assert "Verzeichnis von Verarbeitungstätigkeiten" in text
    assert institutions["diakonie"].name in text

    caritas = institutions["caritas"]
    text = " ".join(pages_text(fetch_pdf(browser, stelle=caritas.pk)))
    assert caritas.name in text and "§ 31 KDG" in text
    assert institutions["diakonie"].name not in text.split("Empfänger")[0]

    for value in (institutions["lindenbrueck"].pk, "abc", "9" * 30):
        assert browser.get(reverse("privacy:register_pdf"), {"stelle": value}).status_code == 404


def test_the_register_is_rendered_once_while_it_reads_the_same(
    signed_in, data_protection_officer, coordination_office, institutions, fetch_pdf
):
    first = fetch_pdf(signed_in(data_protection_officer))
    # Another reader of the same register gets the stored file: no second rendering.
    response = signed_in(coordination_office).get(reverse("privacy:register_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == first
    assert RegisterRendering.objects.count() == 1
    etag = response["ETag"]
    assert (
        signed_in(coordination_office)
        .get(reverse("privacy:register_pdf"), HTTP_IF_NONE_MATCH=etag)
        .status_code
        == 304
    )

    # A change of what the register says asks for a new rendering, which replaces the old.
    institutions["diakonie"].name = "Diakonie Suchtberatung Heinsberg-Nord"
    institutions["diakonie"].save()
    second = fetch_pdf(signed_in(data_protection_officer))
    assert "Heinsberg-Nord" in " ".join(pages_text(second))
    assert RegisterRendering.objects.count() == 1


def test_the_other_cooperation_reads_its_own_register(
    signed_in, lindenbrueck_coordination, institutions
):
    page = signed_in(lindenbrueck_coordination).get(reverse("privacy:register")).content.decode()
    assert institutions["lindenbrueck"].name in page
    assert institutions["erkelenz"].name not in page
