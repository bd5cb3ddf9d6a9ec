"""Uploaded documents: checked by their content, limited in size and pixels, stored
privately under names that say nothing about the family.

What a caseworker uploads (a signed consent, a declaration) may carry anything: a name in
the file name, a script pretending to be a PDF, a PNG that declares 30,000 × 30,000
pixels in 300 bytes. It is accepted only as what its bytes are (PDF, JPEG, PNG), within
``UPLOAD_MAX_BYTES`` and ``UPLOAD_MAX_PIXELS``, stored under a random name in
``MEDIA_ROOT`` and never given a URL: views serve it through their access checks.
"""

import io
import uuid

import pypdf
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

# What an upload may be, by its content (never by its name or the browser's claim).
ALLOWED_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png"}
CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


@deconstructible(path="common.uploads.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files in MEDIA_ROOT, outside the static files, without a public URL."""

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through an access check.")


private_storage = PrivateStorage()


def private_name(folder: str, filename: str) -> str:
    """A storage name under ``folder`` that keeps only the (checked) suffix of ``filename``.

    Never the uploaded name: it may carry a family's name.
    """
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{folder}/{uuid.uuid4().hex}.{suffix}"


class TooManyPixels(Exception):
    """An image whose declared size exceeds ``UPLOAD_MAX_PIXELS``."""


def _image_kind(data: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > settings.UPLOAD_MAX_PIXELS:
                raise TooManyPixels
            kind = ALLOWED_IMAGE_FORMATS.get(image.format or "")
            image.verify()
            return kind
    except Image.DecompressionBombError as bomb:
        # Pillow refuses sizes far beyond its own limit before we can ask.
        raise TooManyPixels from bomb
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def sniff(data: bytes) -> str | None:
    """The checked kind of an upload ("pdf", "jpg", "png"), or None when it is none of them.

    Raises ``TooManyPixels`` for an image larger than the pixel limit.
    """
    if data.startswith(b"%PDF-"):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            return "pdf" if len(reader.pages) >= 1 else None
        except (pypdf.errors.PyPdfError, ValueError, KeyError, OSError, RecursionError):
            return None
    return _image_kind(data)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def check_upload(upload: UploadedFile, *, max_bytes: int | None = None) -> str:
    """Refuse anything but a real PDF, JPEG or PNG within the limits; returns its kind.

    The upload's name becomes ``upload.<kind>``, so that storage names follow the checked
    content. Forms call this from ``clean_<field>``: the message lands on the field and
    every other field keeps what was typed (a browser cannot refill a file input).
    """
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB). At most %(limit)s MB are allowed."),
            params={"size": _megabytes(upload.size), "limit": limit // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        kind = sniff(data)
    except TooManyPixels:
        raise ValidationError(
            _(
                "The image has too many pixels (at most %(limit)s megapixels). Scan it "
                "with a lower resolution, e.g. 300 dpi, or upload it as a PDF."
            ),
            params={"limit": settings.UPLOAD_MAX_PIXELS // 1_000_000},
            code="too_many_pixels",
        ) from None
    if kind is None:
        raise ValidationError(
            _("Only PDF, JPEG or PNG files can be uploaded; this file is none of them."),
            code="bad_type",
        )
    upload.name = f"upload.{kind}"
    return kind


def content_type_of(name: str) -> str:
    """The media type a stored file is served as, from its (checked) suffix."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


class CheckedFileField(forms.FileField):
    """A file field that accepts only what ``check_upload`` accepts.

    Use it as a model form's ``field_classes`` entry: the browser offers PDF, JPEG and
    PNG files, and the server checks the bytes, whatever the browser says.
    """

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "accept": ",".join(CONTENT_TYPES.values())}

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        # A new upload carries its content type; a kept file (``initial``) was checked.
        if upload and hasattr(upload, "content_type"):
            check_upload(upload)
        return upload
