"""Writes that span the meeting, its participants, minutes, mail and the case."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case, FamilyMember, Notification
from common.dates import add_months
from common.mail import Attachment, Mail
from common.pending import enqueue_on_commit
from cooperation.models import Committee, User
from outbox.services import Outgoing, mail_queue

from . import calendar, documents, tasks
from .models import (
    DEFAULT_AGENDA,
    AgendaItem,
    AgendaTemplate,
    Amendment,
    Meeting,
    Minutes,
    Participant,
)


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
            role=staff_role(user, meeting),
            email=user.email,
        )
        for user in committee.member_users().select_related("institution")
    )
    return meeting


def staff_role(user: User, meeting: Meeting) -> str:
    """The role a staff participant is listed with, in German like the protocol: the
    committee function, the case's leading institution, otherwise the user's role."""
    with translation.override(settings.LANGUAGE_CODE):
        if user.pk == meeting.organiser_id:
            return _("organiser")
        if not meeting.is_case_conference:
            committee = meeting.committee
            if user.pk == committee.chair_id:
                return _("chair")
            if user.pk == committee.minute_taker_id:
                return _("minute-taker")
            return _("committee member")
        if user.institution_id == meeting.case.lead_institution_id:
            return _("%(role)s of the leading institution") % {"role": user.get_role_display()}
        return str(user.get_role_display())


@transaction.atomic
def participants_add(
    *, meeting: Meeting, users: list[User], members: list[FamilyMember], roles: dict[int, str]
) -> list[Participant]:
    """Add several staff members and family members at once (each once).

    ``roles`` maps a user's pk to the role typed for them; an empty one takes the default
    (``staff_role``). The caller has checked that each may be invited (``MeetingAccess``).
    """
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    present_users = set(meeting.participants.values_list("user_id", flat=True))
    present_members = set(meeting.participants.values_list("member_id", flat=True))
    added = [
        Participant(
            meeting=meeting,
            kind=Participant.Kind.STAFF,
            user=user,
            institution_id=user.institution_id,
            name=user.get_full_name() or user.username,
            role=(roles.get(user.pk) or "").strip() or staff_role(user, meeting),
            email=user.email,
        )
        for user in users
        if user.pk not in present_users
    ]
    with translation.override(settings.LANGUAGE_CODE):
        added += [
            Participant(
                meeting=meeting,
                kind=Participant.Kind.FAMILY,
                member=member,
                name=str(member),
                role=str(member.get_kind_display()),
            )
            for member in members
            if member.pk not in present_members
        ]
    # One by one rather than bulk_create: the history records each addition.
    for participant in added:
        participant.save()
    return added


@transaction.atomic
def participant_remove(*, participant: Participant) -> None:
    """Take someone off the list before their invitation is sent (nobody was told)."""
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    if locked.invited_sequence is not None:
        raise ValidationError(_("This person has already received the invitation."))
    locked.delete()


@transaction.atomic
def attendance_record(*, meeting: Meeting, attendance: dict[int, str]) -> Meeting:
    """Record or correct who came. The first record marks the meeting held; corrections
    are possible until the minutes are approved, and the history keeps every change."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.state in (Meeting.State.APPROVED, Meeting.State.CANCELLED):
        raise ValidationError(_("Attendance is no longer corrected once the minutes are approved."))
    for participant in locked.participants.filter(pk__in=attendance):
        if participant.attendance != attendance[participant.pk]:
            participant.attendance = attendance[participant.pk]
            participant.save()
    if locked.state in (Meeting.State.PLANNED, Meeting.State.INVITED):
        return meeting_held(meeting=meeting)
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
def meeting_reschedule(
    *, meeting: Meeting, changed: set[str], changed_by: User | None = None
) -> Meeting:
    """Save a changed meeting. When the date, time or place changed, SEQUENCE grows and the
    invited get the update; a changed "next date" alone concerns nobody's calendar."""
    if not changed & SCHEDULE_FIELDS:
        meeting.save()
        return meeting
    before = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.sequence = before.sequence + 1
    meeting.save()
    if meeting.state == Meeting.State.INVITED:
        invited = meeting.participants.exclude(invited_sequence=None)
        _send_invitations(meeting, invited, previous=before)
        details = {"previous": _when(before)}
        _notify(
            meeting,
            Notification.Kind.MEETING_RESCHEDULED,
            details=details,
            mail=False,
            actor=changed_by,
        )
    return meeting


def _recipients(participants) -> list[Participant]:
    """Who is invited by e-mail: family members get a letter (``documents.letter_pdf``)."""
    return [p for p in participants if p.email and p.kind != Participant.Kind.FAMILY]


def _send_invitations(meeting: Meeting, participants, previous: Meeting | None = None) -> int:
    """The invitation, or after a change of date or place the update ("geändert: neuer
    Termin … (bisher …)") under its own subject, so that nobody takes it for a second
    meeting."""
    recipients = _recipients(participants)
    if recipients:
        with translation.override(settings.LANGUAGE_CODE):
            if previous is None:
                text = _("Invitation: %(title)s on %(date)s")
                params = {"date": _when(meeting)}
            else:
                text = _("Changed: %(title)s, new date %(date)s (previously %(previous)s)")
                params = {"date": _when(meeting), "previous": _when(previous)}
            subject = text % {"title": meeting.title, **params}
            listed = text % {"title": listed_title(meeting), **params}
        _mail(meeting, subject, listed, recipients, "REQUEST", previous=previous)
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


def _mail(meeting, subject, listed, participants, method: str, previous=None) -> None:
    """One e-mail per participant with the calendar file, queued in the outbox: it leaves
    after the commit, in a task that tries again when the mail server fails.

    An external participant (no account) gets a text and a calendar file that name only
    the organiser and say how to reach them: no other participant's address, and no
    pointer to KispFam, where they cannot log in.
    """
    cancel = method == "CANCEL"
    outgoing = []
    for p in participants:
        external = p.kind == Participant.Kind.EXTERNAL
        with translation.override(settings.LANGUAGE_CODE):
            body = documents.invitation_text(
                meeting, external=external, previous=previous, cancelled=cancel
            )
        ics = calendar.invitation(meeting, cancel=cancel, only=p if external else None)
        outgoing.append(
            Outgoing(
                mail=Mail(
                    subject=subject,
                    body=body,
                    to=(p.email,),
                    reply_to=(meeting.organiser.email,) if meeting.organiser.email else (),
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
        )
    mail_queue(outgoing)


def _notify(
    meeting: Meeting, kind: str, *, details: dict | None = None, mail: bool = True, actor=None
) -> int:
    """Tell the meeting's staff participants (and the organiser) in the application and,
    with ``mail``, by e-mail: the meeting's reference and dates only, never a family's
    names. Only those who still see the meeting are told (a revoked consent ends it).
    """
    from .access import meetings_visible_to

    users = {p.user for p in meeting.participants.select_related("user") if p.user_id}
    users.add(meeting.organiser)
    users = [
        user
        for user in users
        if user.is_active
        and user != actor
        and meetings_visible_to(user).filter(pk=meeting.pk).exists()
    ]
    with translation.override(settings.LANGUAGE_CODE):
        details = {"meeting": meeting.title, "date": _when(meeting), **(details or {})}
        listed_details = {**details, "meeting": listed_title(meeting)}
        notifications = Notification.objects.bulk_create(
            Notification(
                user=user,
                case=meeting.case,
                kind=kind,
                details=details,
                link=meeting.get_absolute_url(),
            )
            for user in users
        )
        sample = Notification(kind=kind, details=details)
        body = sample.message
        listed = Notification(kind=kind, details=listed_details).message
    addresses = sorted({user.email for user in users if user.email})
    if mail and addresses:
        link = settings.SITE_URL.rstrip("/") + meeting.get_absolute_url()
        # Blind copies: the recipients do not learn each other's addresses.
        mail_queue(
            [
                Outgoing(
                    mail=Mail(
                        subject=f"KispFam: {body}"[:200],
                        body=f"{body}\n\n{link}\n",
                        bcc=tuple(addresses),
                    ),
                    cooperation=meeting.cooperation_id,
                    institutions=tuple({user.institution_id for user in users}),
                    listed_subject=f"KispFam: {listed}",
                )
            ]
        )
    return len(notifications)


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
def meeting_cancel(*, meeting: Meeting, cancelled_by: User | None = None) -> Meeting:
    if not meeting.is_open_for_scheduling:
        raise ValidationError(_("A meeting that was held cannot be cancelled."))
    invited = list(meeting.participants.exclude(invited_sequence=None))
    meeting.sequence += 1
    meeting.state = Meeting.State.CANCELLED
    meeting.save()
    recipients = _recipients(invited)
    if recipients:
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Cancelled: %(title)s on %(date)s")
            subject = text % {"title": meeting.title, "date": _when(meeting)}
            listed = text % {"title": listed_title(meeting), "date": _when(meeting)}
        _mail(meeting, subject, listed, recipients, "CANCEL")
    if invited:
        # The e-mail is the cancellation itself; the application notes it for the staff.
        _notify(meeting, Notification.Kind.MEETING_CANCELLED, mail=False, actor=cancelled_by)
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
        # The last conference held stays the latest one, also when an earlier meeting
        # is marked held afterwards (the statistics read it: reports.figures).
        last = Greatest(Coalesce(F("last_conference_held_on"), Value(held_on)), Value(held_on))
        Case.objects.filter(pk=case.pk).update(conference_due_on=due, last_conference_held_on=last)
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
def minutes_circulate(
    *, minutes: Minutes, circulated_at: datetime.datetime | None = None
) -> Minutes:
    if minutes.meeting.state != Meeting.State.HELD or minutes.status != Minutes.Status.DRAFT:
        raise ValidationError(_("Only the draft minutes of a held meeting can be circulated."))
    minutes.status = Minutes.Status.CIRCULATED
    # ``circulated_at``: when it happened, for records entered afterwards (the demo).
    minutes.circulated_at = circulated_at or timezone.now()
    minutes.save()
    meeting = minutes.meeting
    meeting.state = Meeting.State.CIRCULATED
    meeting.save(update_fields=["state"])
    _notify(meeting, Notification.Kind.MINUTES_CIRCULATED, actor=meeting.organiser)
    return minutes


@transaction.atomic
def minutes_approve(
    *, minutes: Minutes, approved_by: User, approved_at: datetime.datetime | None = None
) -> Minutes:
    """Approve and freeze: from now on the minutes, agenda and actions are locked.

    The protocol PDF is rendered once, by a task after the commit (``tasks``), and
    stored with its SHA-256; a case conference gets two, the full one and one without
    the health section for readers to whom health data is not released.
    """
    locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if locked.status != Minutes.Status.CIRCULATED:
        raise ValidationError(_("Only circulated minutes can be approved."))
    meeting = locked.meeting
    locked.status = Minutes.Status.APPROVED
    # ``approved_at``: when it happened, for records entered afterwards (the demo); the
    # frozen PDF prints it.
    locked.approved_at = approved_at or timezone.now()
    locked.approved_by = approved_by
    locked.save()
    meeting.state = Meeting.State.APPROVED
    meeting.save(update_fields=["state"])
    enqueue_on_commit(tasks.render_protocol, locked.pk)
    _notify(meeting, Notification.Kind.MINUTES_APPROVED, actor=approved_by)
    return locked


@transaction.atomic
def minutes_amend(*, minutes: Minutes, author: User, text: str) -> Amendment:
    """A dated amendment of approved minutes; the frozen PDF stays as it was."""
    if not minutes.is_frozen:
        raise ValidationError(_("Only approved minutes are amended."))
    amendment = Amendment.objects.create(minutes=minutes, author=author, text=text)
    _notify(minutes.meeting, Notification.Kind.MINUTES_AMENDED, actor=author)
    return amendment
