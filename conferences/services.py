"""Writes that span the meeting, its participants, minutes, mail and the case."""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case
from common.dates import add_months
from common.mail import Attachment, Mail
from cooperation.models import Committee, User
from outbox.services import Outgoing, mail_queue

from . import calendar, documents
from .models import DEFAULT_AGENDA, AgendaItem, AgendaTemplate, Meeting, Minutes, Participant


class StaleMinutes(Exception):
    """Someone else saved the minutes since this editor loaded them."""


AgendaEntries = list[tuple[str, str, bool]]
# Where a cooperation's own documents define the agenda: the Leitfaden (agreements app)
# registers its reader here when Django starts (``AgreementsConfig.ready``), so that this
# layer never imports the layer above it.
agenda_sources: list[Callable[[object], AgendaEntries]] = []


def default_agenda(cooperation) -> AgendaEntries:
    """(title, guidance, is_health) of a Beteiligtenkonferenz's agenda for a cooperation
    (instance or pk).

    A registered source decides first: the latest published version of the
    cooperation's Leitfaden, when one of its sections holds the agenda. Otherwise the
    cooperation's AgendaTemplate, otherwise DEFAULT_AGENDA.
    """
    for source in agenda_sources:
        entries = source(cooperation)
        if entries:
            return entries
    items = list(AgendaTemplate.objects.filter(cooperation=cooperation))
    if items:
        return [(item.title, item.guidance, item.is_health) for item in items]
    # The protocol is German whatever the planner's interface language.
    with translation.override(settings.LANGUAGE_CODE):
        return [(str(title), "", is_health) for title, is_health in DEFAULT_AGENDA]


@transaction.atomic
def conference_schedule(*, case: Case, organiser: User, **fields) -> Meeting:
    """Plan a Beteiligtenkonferenz of ``case``, organised by its lead institution."""
    meeting = Meeting.objects.create(
        kind=Meeting.Kind.CASE_CONFERENCE,
        cooperation_id=case.cooperation_id,
        case=case,
        source_institution_id=case.lead_institution_id,
        organiser=organiser,
        **fields,
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, number=n, title=title, guidance=guidance, is_health=health)
        for n, (title, guidance, health) in enumerate(default_agenda(case.cooperation_id), 1)
    )
    Minutes.objects.create(meeting=meeting)
    Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.STAFF,
        user=organiser,
        institution=organiser.institution,
        name=organiser.get_full_name() or organiser.username,
        role=_("organiser"),
        email=organiser.email,
    )
    case.touch()
    return meeting


@transaction.atomic
def sitting_schedule(*, committee: Committee, organiser: User, **fields) -> Meeting:
    """Plan a sitting of the committee; its members are invited, and "approval of the
    minutes of the previous sitting" opens the agenda when there was one."""
    meeting = Meeting.objects.create(
        kind=Meeting.Kind.COMMITTEE_SITTING,
        cooperation_id=committee.cooperation_id,
        committee=committee,
        source_institution_id=organiser.institution_id,
        organiser=organiser,
        **fields,
    )
    previous = (
        Meeting.objects.filter(committee=committee, starts_at__lt=meeting.starts_at)
        .exclude(pk=meeting.pk)
        .exclude(state=Meeting.State.CANCELLED)
        .order_by("-starts_at")
        .first()
    )
    if previous:
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Approval of the minutes of the sitting of %(date)s") % {
                "date": timezone.localtime(previous.starts_at).strftime("%d.%m.%Y")
            }
        AgendaItem.objects.create(meeting=meeting, number=1, title=title)
    Minutes.objects.create(meeting=meeting)
    Participant.objects.bulk_create(
        Participant(
            meeting=meeting,
            kind=Participant.Kind.STAFF,
            user=user,
            institution_id=user.institution_id,
            name=user.get_full_name() or user.username,
            email=user.email,
        )
        for user in committee.member_users().select_related("institution")
    )
    return meeting


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, title: str) -> AgendaItem:
    last = (
        AgendaItem.objects.select_for_update()
        .filter(meeting=meeting)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return AgendaItem.objects.create(meeting=meeting, number=(last or 0) + 1, title=title)


SCHEDULE_FIELDS = {"starts_at", "duration_minutes", "place", "video_link"}


@transaction.atomic
def meeting_reschedule(*, meeting: Meeting, changed: set[str]) -> Meeting:
    """Save a changed meeting. When the date, time or place changed, SEQUENCE grows and the
    invited get the update; a changed "next date" alone concerns nobody's calendar."""
    if not changed & SCHEDULE_FIELDS:
        meeting.save()
        return meeting
    current = Meeting.objects.select_for_update().values_list("sequence", flat=True)
    meeting.sequence = current.get(pk=meeting.pk) + 1
    meeting.save()
    if meeting.state == Meeting.State.INVITED:
        _send_invitations(meeting, meeting.participants.exclude(invited_sequence=None))
    return meeting


def _send_invitations(meeting: Meeting, participants) -> int:
    recipients = [p for p in participants if p.email and p.kind != Participant.Kind.FAMILY]
    if recipients:
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Invitation: %(title)s on %(date)s")
            subject = text % {"title": meeting.title, "date": _when(meeting)}
            listed = text % {"title": listed_title(meeting), "date": _when(meeting)}
            body = documents.invitation_text(meeting)
        ics = calendar.invitation(meeting)
        _mail(meeting, subject, listed, body, recipients, ics, "REQUEST")
    Participant.objects.filter(pk__in=[p.pk for p in participants]).update(
        invited_sequence=meeting.sequence
    )
    return len(recipients)


def _when(meeting: Meeting) -> str:
    return timezone.localtime(meeting.starts_at).strftime("%d.%m.%Y %H:%M")


def listed_title(meeting: Meeting) -> str:
    """The meeting as the outbox page names it: without the case reference, because the
    coordination office sees no case."""
    return meeting.get_kind_display() if meeting.is_case_conference else meeting.title


def _mail(meeting, subject, listed, body, participants, ics: bytes, method: str) -> None:
    """One e-mail per participant with the calendar file, queued in the outbox: it leaves
    after the commit, in a task that tries again when the mail server fails."""
    mail_queue(
        Outgoing(
            mail=Mail(
                subject=subject,
                body=body,
                to=(p.email,),
                attachments=(
                    Attachment(
                        "einladung.ics", ics, f'text/calendar; charset="utf-8"; method={method}'
                    ),
                ),
            ),
            cooperation=meeting.cooperation_id,
            institutions=(p.institution_id,) if p.institution_id else (),
            listed_subject=listed,
        )
        for p in participants
    )


@transaction.atomic
def meeting_invite(*, meeting: Meeting) -> int:
    """Send invitations (with iCalendar) to everyone not yet invited to this version."""
    if not meeting.is_open_for_scheduling:
        raise ValidationError(_("Only a planned meeting can be invited to."))
    pending = list(meeting.participants.exclude(invited_sequence=meeting.sequence))
    sent = _send_invitations(meeting, pending)
    meeting.state = Meeting.State.INVITED
    meeting.save(update_fields=["state"])
    return sent


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    if not meeting.is_open_for_scheduling:
        raise ValidationError(_("A meeting that was held cannot be cancelled."))
    invited = list(meeting.participants.exclude(invited_sequence=None))
    meeting.sequence += 1
    meeting.state = Meeting.State.CANCELLED
    meeting.save()
    recipients = [p for p in invited if p.email and p.kind != Participant.Kind.FAMILY]
    if recipients:
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Cancelled: %(title)s on %(date)s")
            subject = text % {"title": meeting.title, "date": _when(meeting)}
            listed = text % {"title": listed_title(meeting), "date": _when(meeting)}
        ics = calendar.invitation(meeting, cancel=True)
        _mail(meeting, subject, listed, subject, recipients, ics, "CANCEL")
    return meeting


@transaction.atomic
def meeting_held(*, meeting: Meeting) -> Meeting:
    """The meeting took place: the family's next conference is due an interval later."""
    if meeting.state not in (Meeting.State.PLANNED, Meeting.State.INVITED):
        raise ValidationError(_("This meeting is already marked as held or cancelled."))
    if not meeting.has_begun:
        raise ValidationError(_("A meeting can be marked as held from its day on."))
    meeting.state = Meeting.State.HELD
    meeting.save()
    if meeting.is_case_conference:
        held_on = timezone.localtime(meeting.starts_at).date()
        months = meeting.cooperation.conference_interval_months
        due = add_months(held_on, months)
        case = meeting.case
        Case.objects.filter(pk=case.pk).update(conference_due_on=due)
        case.touch()
    return meeting


@transaction.atomic
def minutes_save(*, minutes: Minutes, version: int, texts: dict[int, dict[str, str]]) -> Minutes:
    """Save the items' texts if nobody saved in between; otherwise raise StaleMinutes.

    The version check and the increment are one UPDATE, so of two concurrent saves
    exactly one wins.
    """
    if minutes.is_frozen:
        raise ValidationError(_("Approved minutes are not edited; add an amendment."))
    # The status is part of the condition: a save racing the approval loses.
    won = Minutes.objects.filter(
        pk=minutes.pk, version=version, status__in=[Minutes.Status.DRAFT, Minutes.Status.CIRCULATED]
    ).update(version=F("version") + 1)
    if not won:
        raise StaleMinutes
    for item in minutes.meeting.agenda.all():
        if item.pk in texts:
            changed = {k: v for k, v in texts[item.pk].items() if getattr(item, k) != v}
            if changed:
                for key, value in changed.items():
                    setattr(item, key, value)
                item.save()
    minutes.refresh_from_db()
    return minutes


@transaction.atomic
def minutes_circulate(*, minutes: Minutes) -> Minutes:
    if minutes.meeting.state != Meeting.State.HELD or minutes.status != Minutes.Status.DRAFT:
        raise ValidationError(_("Only the draft minutes of a held meeting can be circulated."))
    minutes.status = Minutes.Status.CIRCULATED
    minutes.circulated_at = timezone.now()
    minutes.save()
    meeting = minutes.meeting
    meeting.state = Meeting.State.CIRCULATED
    meeting.save(update_fields=["state"])
    return minutes


@transaction.atomic
def minutes_approve(*, minutes: Minutes, approved_by: User) -> Minutes:
    """Approve and freeze: the PDF is rendered once and stored with its SHA-256.

    A case conference gets two frozen PDFs: the full one, and one without the health
    section for readers to whom health data is not released.
    """
    locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if locked.status != Minutes.Status.CIRCULATED:
        raise ValidationError(_("Only circulated minutes can be approved."))
    meeting = locked.meeting
    locked.status = Minutes.Status.APPROVED
    locked.approved_at = timezone.now()
    locked.approved_by = approved_by
    stamp = f"{meeting.uid.hex[:12]}-{timezone.localdate():%Y%m%d}"
    full = documents.protocol_pdf(meeting, locked, include_health=True)
    locked.pdf.save(f"protokoll-{stamp}.pdf", ContentFile(full), save=False)
    locked.sha256 = hashlib.sha256(full).hexdigest()
    if meeting.is_case_conference:
        reduced = documents.protocol_pdf(meeting, locked, include_health=False)
        locked.pdf_without_health.save(
            f"protokoll-{stamp}-ohne-gesundheit.pdf", ContentFile(reduced), save=False
        )
        locked.sha256_without_health = hashlib.sha256(reduced).hexdigest()
    locked.save()
    meeting.state = Meeting.State.APPROVED
    meeting.save(update_fields=["state"])
    return locked
