"""Documents of a case: uploaded consent scans (checked by content) and the consent form PDF."""

import io

import pypdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from .models import Consent

# What a scan may be, by its content (never by its name or the browser's claim).
ALLOWED_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png"}
CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


def sniff(data: bytes) -> str | None:
    """The checked kind of an upload ("pdf", "jpg", "png"), or None when it is none of them."""
    if data.startswith(b"%PDF-"):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if len(reader.pages) >= 1:
                return "pdf"
        except (pypdf.errors.PyPdfError, ValueError, KeyError, OSError):
            return None
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = ALLOWED_IMAGE_FORMATS.get(image.format or "")
            image.verify()
            return kind
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def check_upload(upload: UploadedFile) -> str:
    """Refuse anything but a real PDF, JPEG or PNG within the size limit; returns its kind.

    The upload keeps its place in the form (Django cannot refill a file input), the
    message says what to do; every other field of the form is kept.
    """
    limit = settings.CONSENT_SCAN_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB). At most %(limit)s MB are allowed."),
            params={
                "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                "limit": limit // (1024 * 1024),
            },
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind = sniff(data)
    if kind is None:
        raise ValidationError(
            _("Only PDF, JPEG or PNG files can be uploaded; this file is none of them."),
            code="bad_type",
        )
    # Store under the checked suffix, not the uploaded name.
    upload.name = f"scan.{kind}"
    return kind


def content_type_of(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def consent_form_pdf(consent: Consent, base_url: str) -> bytes:
    """The consent form for the family to sign, in German whatever the user's language."""
    from weasyprint import HTML

    with translation.override("de"):
        html = render_to_string(
            "cases/consent_form_pdf.html",
            {
                "consent": consent,
                "member": consent.given_by,
                "recipients": list(consent.recipients.all()),
                "categories": consent.category_labels,
            },
        )
    return HTML(string=html, base_url=base_url).write_pdf()
