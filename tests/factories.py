"""Small factories for test data. Every person and family here is fictional."""

import datetime
import io
import itertools

import pypdf
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cooperation.models import Cooperation, Institution, User

_seq = itertools.count(1)
PASSWORD = "test-Passwort-123"


def make_cooperation(code: str = "HS", name: str | None = None, **fields) -> Cooperation:
    defaults = {
        "name": name or f"Kooperation {code}",
        "body_name": f"Kreis {code}",
        "body_kind": Cooperation.BodyKind.KREIS,
        "body_region": "Regierungsbezirk Köln",
        "body_seat": "Heinsberg",
    }
    defaults.update(fields)
    return Cooperation.objects.create(code=code, **defaults)


def make_institution(
    cooperation: Cooperation,
    name: str,
    kind: str = Institution.Kind.JUGENDAMT_STADT,
    short_name: str | None = None,
    **fields,
) -> Institution:
    return Institution.objects.create(
        cooperation=cooperation,
        name=name,
        short_name=short_name or name[:40],
        kind=kind,
        **fields,
    )


def make_user(
    institution: Institution | None,
    role: str = User.Role.CASEWORKER,
    username: str | None = None,
    **fields,
) -> User:
    username = username or f"user{next(_seq)}"
    fields.setdefault("first_name", "Test")
    fields.setdefault("last_name", username.title())
    fields.setdefault("email", f"{username}@kispfam.example")
    return User.objects.create_user(
        username=username, password=PASSWORD, institution=institution, role=role, **fields
    )


def png_upload(name: str = "scan.png") -> SimpleUploadedFile:
    """A real (tiny) PNG, as a scanner would deliver it."""
    buffer = io.BytesIO()
    Image.new("L", (40, 56), color=255).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_upload(name: str = "scan.pdf") -> SimpleUploadedFile:
    """A real one-page PDF."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def request_consent(case, source, recipients, categories, obtained_by, **fields):
    """A consent asked for, not yet given."""
    from cases.models import Consent

    consent = Consent.objects.create(
        case=case,
        given_by=fields.pop("given_by", None) or case.members.first(),
        source_institution=source,
        categories=categories,
        purpose="Abstimmung der Hilfen",
        obtained_by=obtained_by,
        valid_from=fields.pop("valid_from", datetime.date(2026, 1, 1)),
        **fields,
    )
    consent.recipients.set(recipients)
    return consent


def give_consent(case, source, recipients, categories, obtained_by, **fields):
    """A consent recorded with everything §67b SGB X asks for, then given."""
    from cases import services

    consent = request_consent(
        case,
        source,
        recipients,
        categories,
        obtained_by,
        informed_of_purpose=True,
        informed_of_refusal_consequences=True,
        informed_of_revocation_right=True,
        **fields,
    )
    return services.consent_give(consent=consent)
