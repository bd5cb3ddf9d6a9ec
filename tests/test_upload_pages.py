"""Uploads through the real pages: a decompression bomb or an image beyond the pixel
limit is refused with one German message on the file field, everything typed is kept,
nothing is stored.

``common/tests/test_uploads.py`` checks the files themselves; here the consent pages
(record, give) and the declaration page of the Gesamtkonzept go through the client.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from cases.models import Consent
from common.tests.test_uploads import jpeg_declaring, png_declaring, real_png
from tests import factories
from tests.german import german

PIXELS = (
    "The image has too many pixels (at most %(limit)s megapixels). Scan it with a lower "
    "resolution, e.g. 300 dpi, or upload it as a PDF."
)
PURPOSE = "Abstimmung der Hilfen zwischen Jugendamt und Suchtberatung"
BOMBS = {
    "png_30000x30000": lambda: SimpleUploadedFile(
        "scan.png", png_declaring(30_000, 30_000), content_type="image/png"
    ),
    "jpeg_60000x60000": lambda: SimpleUploadedFile(
        "scan.jpg", jpeg_declaring(60_000, 60_000), content_type="image/jpeg"
    ),
    "png_above_the_limit": lambda: SimpleUploadedFile(
        "scan.png", real_png(200, 100), content_type="image/png"
    ),
}


@pytest.fixture(autouse=True)
def small_pixel_limit(settings):
    # 20,000 pixels: the 200 × 100 PNG (a real image) is above it; the bombs far above.
    settings.UPLOAD_MAX_PIXELS = 20_000 - 1


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def one_german_message_at_the_file(response, field: str) -> None:
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field], form.errors
    message = german(PIXELS, limit=0)
    assert form.errors[field] == [message]
    # Once at the field; long forms repeat it once in the error summary at their top.
    page = response.content.decode()
    at_field, _summary_start, summary = page.partition('class="error-summary"')
    summary, _end, after_summary = summary.partition("</div>")
    assert summary.count(escape(message)) == (1 if summary else 0)
    assert (at_field + after_summary).count(escape(message)) == 1


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_recording_a_consent_with_a_bomb_as_scan(
    signed_in, family_case, institutions, erkelenz_caseworker, bomb
):
    mother = family_case.members.get()
    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:consent_add", args=[family_case.reference]),
        {
            "record_as": "given",
            "given_by": mother.pk,
            "recipients": [institutions["caritas"].pk],
            "categories": ["master", "family"],
            "purpose": PURPOSE,
            "kind": "time_limited",
            "valid_from": "2026-11-25",
            "valid_until": "2027-05-25",
            "form": "paper",
            "obtained_on": "2026-11-25",
            "informed_of_purpose": "on",
            "informed_of_refusal_consequences": "on",
            "informed_of_revocation_right": "on",
            "scan": bomb(),
        },
    )
    one_german_message_at_the_file(response, "scan")
    html = response.content.decode()
    assert PURPOSE in html and 'value="2027-05-25"' in html
    assert not Consent.objects.exists()
    assert not stored_files()


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_giving_a_consent_with_a_bomb_as_scan(
    signed_in, family_case, institutions, erkelenz_caseworker, bomb
):
    consent = factories.request_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        ["master"],
        erkelenz_caseworker,
    )
    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:consent_give", args=[family_case.reference, consent.pk]),
        {
            "obtained_on": "2026-11-20",
            "informed_of_purpose": "on",
            "informed_of_refusal_consequences": "on",
            "informed_of_revocation_right": "on",
            "scan": bomb(),
        },
    )
    one_german_message_at_the_file(response, "scan")
    assert 'value="2026-11-20"' in response.content.decode()
    consent.refresh_from_db()
    assert consent.status == Consent.Status.REQUESTED and not consent.scan
    assert not stored_files()


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_uploading_a_bomb_as_a_declaration(signed_in, institutions, coordination_office, bomb):
    response = signed_in(coordination_office).post(
        reverse("concept:declaration_edit", args=["support"]),
        {"dated": "2026-02-10", "note": "Unterschrieben vom Landrat", "document": bomb()},
    )
    one_german_message_at_the_file(response, "document")
    html = response.content.decode()
    assert "Unterschrieben vom Landrat" in html and "2026-02-10" in html
    assert not stored_files()
