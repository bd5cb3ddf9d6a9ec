"""The printed protocol (PDF/A, A4, German) and the invitation letter for parents."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Meeting, Minutes, Participant

# PDF/A-3b: archival PDF (ISO 19005-3), fonts embedded; WeasyPrint writes the metadata.
PDF_VARIANT = "pdf/a-3b"


def _render_pdf(template: str, context: dict, base_url: str) -> bytes:
    from weasyprint import HTML

    with translation.override("de"):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant=PDF_VARIANT)


def protocol_context(meeting: Meeting, minutes: Minutes, *, include_health: bool) -> dict:
    participants = list(meeting.participants.select_related("institution").order_by("kind", "name"))
    return {
        "meeting": meeting,
        "minutes": minutes,
        "participants": participants,
        "family": [p for p in participants if p.kind == Participant.Kind.FAMILY],
        "agenda": [item for item in meeting.agenda.all() if include_health or not item.is_health],
        "health_left_out": not include_health
        and any(item.is_health for item in meeting.agenda.all()),
        "actions": meeting.actions.select_related("participant", "institution"),
        "cooperation": meeting.cooperation,
        "starts": timezone.localtime(meeting.starts_at),
        "ends": timezone.localtime(meeting.ends_at),
        "confidential": meeting.is_case_conference,
    }


def protocol_pdf(
    meeting: Meeting, minutes: Minutes, *, include_health: bool, base_url: str
) -> bytes:
    """The protocol; without the health section for readers without health release."""
    context = protocol_context(meeting, minutes, include_health=include_health)
    return _render_pdf("conferences/protocol_pdf.html", context, base_url)


def letter_pdf(meeting: Meeting, participant: Participant, base_url: str) -> bytes:
    """The invitation letter for a parent without e-mail, in plain German."""
    context = {
        "meeting": meeting,
        "participant": participant,
        "starts": timezone.localtime(meeting.starts_at),
        "ends": timezone.localtime(meeting.ends_at),
        "institution": meeting.source_institution,
        "organiser": meeting.organiser,
        "today": timezone.localdate(),
    }
    return _render_pdf("conferences/letter_pdf.html", context, base_url)


def invitation_text(meeting: Meeting) -> str:
    """The body of an invitation e-mail: time, place and reference, no family data."""
    starts = timezone.localtime(meeting.starts_at)
    return render_to_string(
        "conferences/invitation_email.txt",
        {"meeting": meeting, "starts": starts, "ends": timezone.localtime(meeting.ends_at)},
    )
