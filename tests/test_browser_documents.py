"""A case document in a real browser: the Jugendamt uploads a Kita report of the family
situation; Caritas, involved in the case, sees and opens it only while its consent covers
that category (issue 12)."""

import datetime

import pytest
from django.utils import timezone
from django.utils.text import capfirst
from playwright.sync_api import expect

from cases import services
from cases.models import CaseDocument, DataCategory, Involvement
from tests import factories
from tests.test_browser import de, labelled, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Bericht der Kita Sonnenschein"


def test_caritas_sees_an_uploaded_document_only_under_its_consent(
    page, tmp_path, family_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    services.involvement_save(
        involvement=Involvement(
            case=family_case,
            institution=institutions["caritas"],
            since=timezone.localdate() - datetime.timedelta(days=30),
        )
    )
    report = tmp_path / "Kita-Bericht.pdf"
    report.write_bytes(factories.pdf_upload().read())
    case_url = family_case.get_absolute_url()

    # The Jugendamt's caseworker uploads the report from the case page.
    log_in(page, erkelenz_caseworker)
    page.goto(case_url)
    page.get_by_role("link", name=de("Add a document")).click()
    labelled(page, capfirst(de("title"))).fill(TITLE)
    labelled(page, capfirst(de("date of the document"))).fill(
        (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    )
    labelled(page, capfirst(de("data category"))).select_option(DataCategory.FAMILY)
    labelled(page, capfirst(de("file"))).set_input_files(str(report))
    page.get_by_role("button", name=de("Save")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(family_case.reference)
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    document = CaseDocument.objects.get()
    assert document.category == DataCategory.FAMILY
    log_out(page)

    # Caritas works with the family, but no consent releases the family situation to it.
    log_in(page, caritas_caseworker)
    page.goto(case_url)
    expect(page.get_by_role("heading", name=de("Documents"))).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)
    assert page.request.get(document.get_absolute_url()).status == 404

    # The family releases the family situation to Caritas: the report appears.
    consent = factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [DataCategory.FAMILY],
        erkelenz_caseworker,
        valid_from=timezone.localdate(),
    )
    page.reload()
    link = page.get_by_role("link", name=TITLE)
    expect(link).to_be_visible()
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["cache-control"] == "private, no-store"
    assert response.body().startswith(b"%PDF-")

    # The family revokes the consent: the report is gone for Caritas at once.
    services.consent_revoke(
        consent=consent,
        revoked_on=timezone.localdate(),
        channel="in_writing",
        recorded_by=erkelenz_caseworker,
    )
    page.reload()
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)
    assert page.request.get(document.get_absolute_url()).status == 404
