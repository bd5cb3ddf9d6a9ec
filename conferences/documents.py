"""The printed protocol and the invitation letter for parents (German, ``common.pdf``)."""

from django.template.loader import render_to_string
from django.utils import timezone

from common.pdf import render_pdf

from .calendar import organiser_contact
from .models import Action, Meeting, Minutes, Participant


def protocol_context(meeting: Meeting, minutes: Minutes, *, include_health: bool) -> dict:
    participants = list(meeting.participants.select_related("institution").order_by("kind", "name"))
    agenda = list(meeting.agenda.all())
    return {
        "meeting": meeting,
        "minutes": minutes,
        "draft": minutes.status != Minutes.Status.APPROVED,
        "participants": participants,
        "family": [p for p in participants if p.kind == Participant.Kind.FAMILY],
        "agenda": [item for item in agenda if include_health or not item.is_health],
        "health_left_out": not include_health and any(item.is_health for item in agenda),
        "actions": _actions(meeting, minutes),
        "cooperation": meeting.cooperation,
        "starts": timezone.localtime(meeting.starts_at),
        "ends": timezone.localtime(meeting.ends_at),
        "confidential": meeting.is_case_conference,
        "signature_rows": _signature_rows(meeting, participants),
    }


def _actions(meeting: Meeting, minutes: Minutes) -> list[Action]:
    """The agreed actions as the protocol prints them. Approved minutes print each
    action's status as it stood at the approval (the responsible institution may mark
    it done later, and the worker renders the frozen protocol after the approval); an
    action whose history begins after the approval (records entered afterwards, as in
    the demo) prints as it was first recorded. A dropped action was agreed and then
    given up: it is not part of what the protocol records as agreed."""
    actions = list(meeting.actions.select_related("participant", "institution"))
    if minutes.status == Minutes.Status.APPROVED and minutes.approved_at:
        history = {}
        for record in Action.history.filter(id__in=[a.pk for a in actions]).order_by(
            "history_date", "history_id"
        ):
            if record.id not in history or record.history_date <= minutes.approved_at:
                history[record.id] = record
        for action in actions:
            if action.pk in history:
                action.status = history[action.pk].status
                action.done_on = history[action.pk].done_on
    return [a for a in actions if a.status != Action.Status.DROPPED]


def _signature_rows(meeting: Meeting, participants: list[Participant]) -> list[tuple]:
    """Everyone who signs, two to a row, each line labelled with who signs it: the
    minute-taker, the organiser for the inviting institution, then every family member."""
    organiser = meeting.organiser.get_full_name() or meeting.organiser.username
    institution = meeting.source_institution
    signers = [
        "Protokollführung",
        f"{organiser} ({institution.short_name or institution.name}, einladende Stelle)",
        *(p.name for p in participants if p.kind == Participant.Kind.FAMILY),
    ]
    signers += [None] * (len(signers) % 2)
    return list(zip(signers[::2], signers[1::2], strict=True))


def protocol_pdf(meeting: Meeting, minutes: Minutes, *, include_health: bool) -> bytes:
    """The protocol; without the health section for readers without health release."""
    context = protocol_context(meeting, minutes, include_health=include_health)
    starts = context["starts"]
    return render_pdf(
        "conferences/protocol_pdf.html",
        context,
        language="de",
        title=f"Protokoll: {meeting.title} am {starts:%d.%m.%Y}",
        author=meeting.cooperation.name,
    )


def letter_pdf(meeting: Meeting, participant: Participant) -> bytes:
    """The invitation letter for a parent without e-mail, in plain German, in DIN 5008
    form for a window envelope."""
    starts = timezone.localtime(meeting.starts_at)
    return render_pdf(
        "conferences/letter_pdf.html",
        {
            "meeting": meeting,
            "participant": participant,
            "starts": starts,
            "ends": timezone.localtime(meeting.ends_at),
            "institution": meeting.source_institution,
            "organiser": meeting.organiser,
            "today": timezone.localdate(),
        },
        language="de",
        title=f"Einladung zum Gespräch am {starts:%d.%m.%Y}",
        author=meeting.source_institution.name,
    )


def invitation_text(
    meeting: Meeting,
    *,
    external: bool = False,
    previous: Meeting | None = None,
    cancelled: bool = False,
) -> str:
    """The body of an invitation e-mail (or of its update or cancellation): time, place
    and reference, no family data. A sitting's invitation lists its agenda. An external
    participant is told how to reach the organiser, not to look in KispFam."""
    starts = timezone.localtime(meeting.starts_at)
    agenda = [] if meeting.is_case_conference else list(meeting.agenda.all())
    return render_to_string(
        "conferences/invitation_email.txt",
        {
            "meeting": meeting,
            "starts": starts,
            "ends": timezone.localtime(meeting.ends_at),
            "previous": timezone.localtime(previous.starts_at) if previous else None,
            "previous_place": previous.place if previous else "",
            "cancelled": cancelled,
            "external": external,
            "agenda": agenda,
            "contact": organiser_contact(meeting),
        },
    )
