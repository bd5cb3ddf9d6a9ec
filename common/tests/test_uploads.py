"""Uploads are taken for what their bytes are, within the size and pixel limits."""

import io
import struct
import zlib

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from common.uploads import CheckedFileField, check_upload, private_name


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes that say "I am width × height pixels" (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def jpeg_declaring(width: int, height: int) -> bytes:
    frame = struct.pack(">BHHB", 8, height, width, 1) + bytes([1, 0x11, 0])
    return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(frame) + 2) + frame + b"\xff\xd9"


def real_png(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


def upload(data: bytes, name: str = "Einwilligung Sabine Beispiel.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.mark.parametrize(
    "data", [png_declaring(30_000, 30_000), jpeg_declaring(60_000, 60_000)], ids=["png", "jpeg"]
)
def test_an_image_declaring_a_huge_size_is_refused_before_it_is_decoded(data):
    assert len(data) < 400
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(data))
    assert refused.value.code == "too_many_pixels"


def test_an_image_above_the_pixel_limit_is_refused(settings):
    settings.UPLOAD_MAX_PIXELS = 40 * 30 - 1
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(real_png()))
    assert refused.value.code == "too_many_pixels"


def test_a_real_image_is_accepted_and_named_after_its_content():
    scan = upload(real_png())
    assert check_upload(scan) == "png"
    assert scan.name == "upload.png"
    stored = private_name("consents/HS-2026-0001", scan.name)
    assert stored.startswith("consents/HS-2026-0001/") and stored.endswith(".png")
    assert "Beispiel" not in stored


def test_a_script_calling_itself_a_pdf_is_refused():
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(b"%PDF-1.7\n<script>alert(1)</script>", "scan.pdf"))
    assert refused.value.code == "bad_type"


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 64
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(real_png()))
    assert refused.value.code == "too_large"


class ScanForm(forms.Form):
    purpose = forms.CharField()
    scan = CheckedFileField(required=False)


def test_a_form_keeps_what_was_typed_and_says_in_german_what_is_wrong():
    with translation.override("de"):
        form = ScanForm(
            {"purpose": "Abstimmung der Hilfen"},
            {"scan": upload(png_declaring(30_000, 30_000))},
        )
        assert not form.is_valid()
        assert list(form.errors) == ["scan"]
        assert "Bildpunkte" in form.errors["scan"][0]
    assert form.cleaned_data["purpose"] == "Abstimmung der Hilfen"
    assert 'accept="application/pdf,image/jpeg,image/png"' in str(form["scan"])
