"""The four declarations of the form: date and signed document, uploaded by the
coordination office, checked by content and served only through the access check."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from concept.models import Declaration, declaration_checklist
from concept.tests.conftest import de
from tests import factories


def edit_url(kind="support") -> str:
    return reverse("concept:declaration_edit", args=[kind])


def document_url(kind="support") -> str:
    return reverse("concept:declaration_document", args=[kind])


def test_the_checklist_has_the_four_declarations_of_the_form_in_order(hs):
    Declaration.objects.create(cooperation=hs, kind=Declaration.Kind.COORDINATION)
    checklist = declaration_checklist(hs)
    assert [d.kind for d in checklist] == ["support", "intent", "coordination", "consultation"]
    assert [d.pk is not None for d in checklist] == [False, False, True, False]


def test_the_coordination_office_uploads_a_signed_declaration(client, coordination_office, hs):
    client.force_login(coordination_office)
    response = client.post(
        edit_url(),
        {"dated": "2026-02-10", "document": factories.pdf_upload("Erklärung Landrat.pdf")},
    )
    assert response.status_code == 302
    declaration = Declaration.objects.get(cooperation=hs, kind="support")
    assert declaration.is_complete
    assert declaration.dated.isoformat() == "2026-02-10"
    # Stored under a name of its own, in the private storage.
    assert declaration.document.name.startswith("concept/HS/")
    assert declaration.document.name.endswith(".pdf")
    assert "Landrat" not in declaration.document.name

    served = client.get(document_url())
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content).startswith(b"%PDF-")

    overview = client.get(reverse("concept:overview")).content.decode()
    assert "10.02.2026" in overview
    assert document_url() in overview


def test_a_scanned_image_is_accepted_like_a_consent_scan(client, coordination_office, hs):
    client.force_login(coordination_office)
    response = client.post(
        edit_url("intent"), {"dated": "10.02.2026", "document": factories.png_upload()}
    )
    assert response.status_code == 302
    assert client.get(document_url("intent"))["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("erklaerung.pdf", b"Dies ist kein PDF.", content_type="application/pdf"),
        SimpleUploadedFile("erklaerung.html", b"<html><script>alert(1)</script></html>"),
        SimpleUploadedFile("erklaerung.pdf", b"%PDF-1.7 kaputt", content_type="application/pdf"),
    ],
    ids=["text-named-pdf", "html", "broken-pdf"],
)
def test_an_upload_that_is_no_pdf_or_image_by_content_is_refused(
    client, coordination_office, hs, upload
):
    client.force_login(coordination_office)
    response = client.post(edit_url(), {"dated": "2026-02-10", "document": upload})
    assert response.status_code == 400
    message = de("Only PDF, JPEG or PNG files can be uploaded; this file is none of them.")
    assert message in response.context["form"].errors["document"]
    assert escape(message) in response.content.decode()
    assert not Declaration.objects.filter(cooperation=hs).exists()


def test_a_document_needs_its_date(client, coordination_office, hs):
    client.force_login(coordination_office)
    response = client.post(edit_url(), {"document": factories.pdf_upload()})
    assert response.status_code == 400
    assert (
        de("Enter the date of the uploaded declaration.")
        in (response.context["form"].errors["dated"])
    )


def test_a_date_alone_is_recorded_as_incomplete(client, coordination_office, hs):
    client.force_login(coordination_office)
    client.post(edit_url("coordination"), {"dated": "2026-03-03"})
    declaration = Declaration.objects.get(cooperation=hs, kind="coordination")
    assert not declaration.is_complete
    assert client.get(document_url("coordination")).status_code == 404


def test_an_unknown_declaration_is_not_found(client, coordination_office):
    client.force_login(coordination_office)
    assert client.get(edit_url("beliebig")).status_code == 404
    assert client.get(document_url("beliebig")).status_code == 404


def test_a_committee_member_reads_but_does_not_upload(
    client, committee_member, coordination_office, hs
):
    Declaration.objects.create(
        cooperation=hs, kind="support", dated="2026-02-10", document=factories.pdf_upload()
    )
    client.force_login(committee_member)
    assert client.get(document_url()).status_code == 200
    assert client.get(edit_url()).status_code == 403
    refused = client.post(edit_url(), {"dated": "2026-01-01", "document": factories.pdf_upload()})
    assert refused.status_code == 403
    assert Declaration.objects.get(cooperation=hs, kind="support").dated.isoformat() == (
        "2026-02-10"
    )


def test_caseworkers_and_the_dpo_get_no_declaration(
    client, erkelenz_caseworker, data_protection_officer, hs
):
    Declaration.objects.create(
        cooperation=hs, kind="support", dated="2026-02-10", document=factories.pdf_upload()
    )
    for user in (erkelenz_caseworker, data_protection_officer):
        client.force_login(user)
        assert client.get(document_url()).status_code == 403


def test_another_cooperation_never_gets_heinsbergs_document(client, lindenbrueck_coordination, hs):
    Declaration.objects.create(
        cooperation=hs, kind="support", dated="2026-02-10", document=factories.pdf_upload()
    )
    client.force_login(lindenbrueck_coordination)
    assert client.get(document_url()).status_code == 404
    # Its own upload lands in its own cooperation and leaves Heinsberg's untouched.
    client.post(edit_url(), {"dated": "2026-04-01", "document": factories.png_upload()})
    assert Declaration.objects.filter(kind="support").count() == 2
    assert Declaration.objects.get(cooperation=hs, kind="support").dated.isoformat() == (
        "2026-02-10"
    )
