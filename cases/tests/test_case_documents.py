"""Documents kept on a case: uploaded from the case page, checked by their content,
read under the same consent rules as their data category, served only through the
gateway (no-store, the stored SHA-256 as ETag), every read logged, in the history.

ODT and DOCX are not accepted: ``common.uploads`` has no content check for them.
The clock stands at 25.11.2026.
"""

import datetime
import hashlib
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from cases import services
from cases.models import AccessLog, CaseDocument, DataCategory, Involvement
from tests import factories
from tests.german import label

C = DataCategory


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


@pytest.fixture
def caritas_involved(family_case, institutions):
    return services.involvement_save(
        involvement=Involvement(
            case=family_case, institution=institutions["caritas"], since=datetime.date(2026, 3, 1)
        )
    )


def add_url(case) -> str:
    return reverse("cases:document_add", args=[case.reference])


def file_url(document) -> str:
    return reverse("cases:document", args=[document.case.reference, document.pk])


def upload(browser, case, **changes):
    data = {
        "title": "Bericht der Kita Sonnenschein",
        "date": "2026-11-20",
        "category": C.FAMILY,
        "file": factories.pdf_upload("Kita-Bericht Beispiel.pdf"),
        **changes,
    }
    return browser.post(add_url(case), data)


@pytest.fixture
def kita_report(family_case, institutions, erkelenz_caseworker):
    return services.case_document_add(
        case=family_case,
        institution=institutions["erkelenz"],
        uploaded_by=erkelenz_caseworker,
        category=C.FAMILY,
        title="Bericht der Kita Sonnenschein",
        date=datetime.date(2026, 11, 20),
        upload=factories.pdf_upload(),
    )


def test_the_lead_uploads_a_pdf_stored_privately_with_its_checksum(
    signed_in, family_case, erkelenz_caseworker, settings
):
    pdf = factories.pdf_upload("Kita-Bericht Beispiel.pdf")
    content = pdf.read()
    pdf.seek(0)

    response = upload(signed_in(erkelenz_caseworker), family_case, file=pdf)

    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert document.source_institution_id == family_case.lead_institution_id
    assert document.uploaded_by == erkelenz_caseworker
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    # Stored under a random name: the family's name in the upload's name is gone.
    assert document.file.name.startswith(f"documents/{family_case.reference}/")
    assert "Beispiel" not in document.file.name
    assert (Path(settings.MEDIA_ROOT) / document.file.name).read_bytes() == content
    assert document.history.count() == 1


def test_a_file_that_only_claims_to_be_a_pdf_is_refused_and_the_input_kept(
    signed_in, family_case, erkelenz_caseworker, settings
):
    fake = SimpleUploadedFile("bericht.pdf", b"<script>alert(1)</script>", "application/pdf")

    response = upload(signed_in(erkelenz_caseworker), family_case, file=fake)

    assert response.status_code == 400
    message = label("Only PDF, JPEG or PNG files can be uploaded; this file is none of them.")
    assert message in response.context["form"].errors["file"]
    assert 'value="Bericht der Kita Sonnenschein"' in response.content.decode()
    assert not CaseDocument.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "documents").exists()


def test_a_word_document_is_not_accepted(signed_in, family_case, erkelenz_caseworker):
    # A DOCX is a ZIP; without a real content check for it, it is refused like any other.
    docx = SimpleUploadedFile(
        "bericht.docx",
        b"PK\x03\x04" + b"\x00" * 200,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )

    response = upload(signed_in(erkelenz_caseworker), family_case, file=docx)

    assert response.status_code == 400
    assert not CaseDocument.objects.exists()


def test_a_document_cannot_be_dated_in_the_future(signed_in, family_case, erkelenz_caseworker):
    response = upload(signed_in(erkelenz_caseworker), family_case, date="2026-12-24")

    assert response.status_code == 400
    message = label("A document cannot be dated in the future.")
    assert message in response.context["form"].errors["date"]
    assert escape(message) in response.content.decode()
    assert 'value="2026-12-24"' in response.content.decode()
    assert not CaseDocument.objects.exists()


def test_a_png_is_accepted(signed_in, family_case, erkelenz_caseworker):
    response = upload(
        signed_in(erkelenz_caseworker), family_case, file=factories.png_upload("brief.png")
    )

    assert response.status_code == 302
    assert CaseDocument.objects.get().file.name.endswith(".png")


def test_the_same_form_sent_twice_keeps_one_document(signed_in, family_case, erkelenz_caseworker):
    erkelenz = signed_in(erkelenz_caseworker)
    form = erkelenz.get(add_url(family_case)).context["form"]
    token = form.initial["submission"]

    first = upload(erkelenz, family_case, submission=token)
    second = upload(erkelenz, family_case, submission=token)

    assert first.status_code == second.status_code == 302
    assert CaseDocument.objects.count() == 1


def test_the_file_is_served_through_the_gateway_not_stored_and_logged(
    signed_in, kita_report, erkelenz_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)

    response = erkelenz.get(file_url(kita_report))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["ETag"] == f'"{kita_report.sha256}"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert (
        AccessLog.objects.filter(
            user=erkelenz_caseworker, case=kita_report.case, what=AccessLog.What.CASE_DOCUMENT
        ).count()
        == 1
    )


def test_a_client_with_the_file_gets_a_304(signed_in, kita_report, erkelenz_caseworker):
    response = signed_in(erkelenz_caseworker).get(
        file_url(kita_report), HTTP_IF_NONE_MATCH=f'"{kita_report.sha256}"'
    )

    assert response.status_code == 304
    assert response["Cache-Control"] == "private, no-store"


def test_caritas_reads_the_document_only_while_its_consent_covers_the_category(
    signed_in,
    family_case,
    kita_report,
    caritas_involved,
    institutions,
    erkelenz_caseworker,
    caritas_caseworker,
):
    caritas = signed_in(caritas_caseworker)
    page = family_case.get_absolute_url()
    assert "Kita Sonnenschein" not in caritas.get(page).content.decode()
    assert caritas.get(file_url(kita_report)).status_code == 404

    # A consent for notes only does not open a document on the family situation.
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.NOTES],
        erkelenz_caseworker,
    )
    assert caritas.get(file_url(kita_report)).status_code == 404

    consent = factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.FAMILY],
        erkelenz_caseworker,
    )
    assert "Kita Sonnenschein" in caritas.get(page).content.decode()
    assert caritas.get(file_url(kita_report)).status_code == 200

    services.consent_revoke(
        consent=consent,
        revoked_on=datetime.date(2026, 11, 25),
        channel="in_writing",
        recorded_by=erkelenz_caseworker,
    )
    assert "Kita Sonnenschein" not in caritas.get(page).content.decode()
    assert caritas.get(file_url(kita_report)).status_code == 404


def test_a_health_document_needs_released_health_data(
    signed_in,
    family_case,
    caritas_involved,
    institutions,
    erkelenz_caseworker,
    caritas_caseworker,
):
    letter = services.case_document_add(
        case=family_case,
        institution=institutions["erkelenz"],
        uploaded_by=erkelenz_caseworker,
        category=C.HEALTH,
        title="Arztbrief",
        date=datetime.date(2026, 11, 1),
        upload=factories.pdf_upload(),
    )
    caritas = signed_in(caritas_caseworker)
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.FAMILY, C.MASTER],
        erkelenz_caseworker,
    )
    assert caritas.get(file_url(letter)).status_code == 404

    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.HEALTH],
        erkelenz_caseworker,
    )
    assert caritas.get(file_url(letter)).status_code == 200


def test_caritas_keeps_its_own_documents_and_the_lead_needs_a_consent(
    signed_in, family_case, caritas_involved, erkelenz_caseworker, caritas_caseworker
):
    response = upload(signed_in(caritas_caseworker), family_case, title="Beratungsvereinbarung")
    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert document.source_institution == caritas_caseworker.institution

    assert signed_in(caritas_caseworker).get(file_url(document)).status_code == 200
    assert signed_in(erkelenz_caseworker).get(file_url(document)).status_code == 404


def test_a_consent_recipient_that_is_not_involved_reads_but_uploads_nothing(
    signed_in, family_case, kita_report, institutions, erkelenz_caseworker, diakonie_caseworker
):
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["diakonie"]],
        [C.FAMILY],
        erkelenz_caseworker,
    )
    diakonie = signed_in(diakonie_caseworker)

    assert diakonie.get(file_url(kita_report)).status_code == 200
    assert diakonie.get(add_url(family_case)).status_code == 403
    assert upload(diakonie, family_case).status_code == 403
    assert CaseDocument.objects.count() == 1


def test_outsiders_and_anonymous_readers_get_nothing(
    client, signed_in, family_case, kita_report, uninvolved_caseworker, coordination_office
):
    for person in (uninvolved_caseworker, coordination_office):
        browser = signed_in(person)
        assert browser.get(file_url(kita_report)).status_code == 404
        assert browser.get(add_url(family_case)).status_code == 404
    for url in (file_url(kita_report), add_url(family_case)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_it_rejects_other_methods(signed_in, family_case, kita_report, erkelenz_caseworker):
    erkelenz = signed_in(erkelenz_caseworker)
    assert erkelenz.post(file_url(kita_report)).status_code == 405
    assert erkelenz.put(add_url(family_case)).status_code == 405


def test_a_document_of_another_case_is_not_found_under_this_one(
    signed_in, kita_report, institutions, erkelenz_caseworker
):
    other = services.case_open(
        lead_institution=institutions["erkelenz"], opened_by=erkelenz_caseworker
    )
    url = reverse("cases:document", args=[other.reference, kita_report.pk])

    assert signed_in(erkelenz_caseworker).get(url).status_code == 404


def test_the_upload_is_in_the_case_history(
    signed_in, family_case, kita_report, erkelenz_caseworker
):
    page = signed_in(erkelenz_caseworker).get(family_case.get_absolute_url())

    entries = [(e.what, e.detail) for e in page.context["timeline"].entries]
    assert (label("Document"), label("Family situation")) in entries


def test_the_history_hides_a_document_the_reader_may_not_see(
    signed_in, family_case, kita_report, caritas_involved, caritas_caseworker
):
    page = signed_in(caritas_caseworker).get(family_case.get_absolute_url())

    assert label("Document") not in [e.what for e in page.context["timeline"].entries]
