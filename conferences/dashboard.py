"""What the dashboard (Meine Übersicht) shows of meetings: each section one query.

Every function reads through the gateway (``meetings_visible_to``), so a revoked consent
takes a conference off the dashboard as it takes it off its page. They return lists, so
that the template never queries again (the dashboard's budget is ten queries for every
persona, however many rows there are).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from common.dates import add_months
from cooperation.models import Committee, User

from .access import meetings_visible_to
from .models import Action, Meeting, Minutes, MinutesComment

WITHIN_DAYS = 14
HELD_STATES = [Meeting.State.HELD, Meeting.State.CIRCULATED, Meeting.State.APPROVED]
OPEN_STATES = [Meeting.State.PLANNED, Meeting.State.INVITED]
# A section lists this many rows at most; the dashboard links to the full lists.
LIMIT = 50


@dataclass
class MyMeetings:
    upcoming: list[Meeting] = field(default_factory=list)
    # Circulated minutes: (meeting, "approve" or "comment").
    minutes_waiting: list[tuple[Meeting, str]] = field(default_factory=list)


def my_meetings(user: User, now: datetime.datetime | None = None) -> MyMeetings:
    """My next meetings (``WITHIN_DAYS``) and the minutes waiting for my comment (as a
    participant who has not commented yet) or my approval (as the organiser): one query."""
    now = now or timezone.now()
    result = MyMeetings()
    if not user.is_authenticated or user.institution_id is None:
        return result
    commented = MinutesComment.objects.filter(minutes__meeting=OuterRef("pk"), author=user)
    upcoming = Q(
        starts_at__gte=now,
        starts_at__lte=now + datetime.timedelta(days=WITHIN_DAYS),
        state__in=OPEN_STATES,
    )
    circulating = Q(minutes__status=Minutes.Status.CIRCULATED)
    meetings = (
        meetings_visible_to(user)
        .filter(Q(participants__user=user) | Q(organiser=user))
        .filter(upcoming | circulating)
        .annotate(commented=Exists(commented))
        .select_related("case", "committee", "minutes")
        .order_by("starts_at", "pk")[: 2 * LIMIT]
    )
    for meeting in meetings:
        minutes = getattr(meeting, "minutes", None)
        if minutes is not None and minutes.status == Minutes.Status.CIRCULATED:
            if meeting.organiser_id == user.pk:
                result.minutes_waiting.append((meeting, "approve"))
            elif not meeting.commented:
                result.minutes_waiting.append((meeting, "comment"))
        elif meeting.state in OPEN_STATES and meeting.starts_at >= now:
            result.upcoming.append(meeting)
    return result


@dataclass
class MyActions:
    # Mine (or my institution's, with no person named), due within WITHIN_DAYS or overdue.
    mine: list[Action] = field(default_factory=list)
    # A lead's view of the team: the institution's other overdue actions.
    team_overdue: list[Action] = field(default_factory=list)


def my_actions(user: User, today: datetime.date, *, team: bool = False) -> MyActions:
    """Open agreed actions of meetings I see: those I answer for (named, or my
    institution's with nobody named) due within ``WITHIN_DAYS`` or overdue; with ``team``
    also the institution's other overdue actions. One query."""
    result = MyActions()
    if not user.is_authenticated or user.institution_id is None:
        return result
    soon = today + datetime.timedelta(days=WITHIN_DAYS)
    mine = Q(participant__user=user) | Q(
        participant__isnull=True, institution_id=user.institution_id
    )
    wanted = mine & Q(due_on__lte=soon)
    if team:
        wanted |= Q(institution_id=user.institution_id, due_on__lt=today)
    actions = (
        Action.objects.filter(status=Action.Status.OPEN)
        .filter(wanted)
        .filter(meeting__in=meetings_visible_to(user, today).values("pk"))
        .select_related("meeting__case", "meeting__committee", "participant", "institution")
        .order_by("due_on", "pk")[: 2 * LIMIT]
    )
    for action in actions:
        participant = action.participant
        is_mine = (participant is not None and participant.user_id == user.pk) or (
            participant is None and action.institution_id == user.institution_id
        )
        if is_mine and action.due_on <= soon:
            result.mine.append(action)
        else:
            result.team_overdue.append(action)
    return result


@dataclass
class CommitteeWork:
    """The coordination office's view of its committee."""

    next_sitting: Meeting | None = None
    # Planned sittings whose invitations have not gone out yet.
    not_invited: list[Meeting] = field(default_factory=list)
    # When no sitting is planned: the day the next one is due.
    sitting_due: datetime.date | None = None


def committee_work(user: User, now: datetime.datetime | None = None) -> CommitteeWork:
    """Planned and invited sittings of the user's cooperation (one query) and, when none
    is planned, the day the next is due (one more)."""
    now = now or timezone.now()
    work = CommitteeWork()
    if not user.is_coordination_office:
        return work
    sittings = list(
        Meeting.objects.filter(
            kind=Meeting.Kind.COMMITTEE_SITTING,
            cooperation_id=user.institution.cooperation_id,
            state__in=OPEN_STATES,
        )
        .select_related("committee")
        .order_by("starts_at", "pk")[:LIMIT]
    )
    upcoming = [s for s in sittings if s.starts_at >= now]
    work.next_sitting = upcoming[0] if upcoming else None
    work.not_invited = [s for s in sittings if s.state == Meeting.State.PLANNED]
    if not sittings:
        last = (
            Meeting.objects.filter(
                kind=Meeting.Kind.COMMITTEE_SITTING,
                cooperation_id=user.institution.cooperation_id,
                state__in=HELD_STATES,
            )
            .select_related("committee")
            .order_by("-starts_at")
            .first()
        )
        if last is not None:
            work.sitting_due = add_months(
                timezone.localtime(last.starts_at).date(), last.committee.sitting_interval_months
            )
    return work


def next_sitting_due(committee: Committee) -> datetime.date | None:
    """Six months (the committee's interval) after the last sitting held."""
    last = (
        Meeting.objects.filter(committee=committee, state__in=HELD_STATES)
        .order_by("-starts_at")
        .first()
    )
    if last is None:
        return None
    planned = Meeting.objects.filter(
        committee=committee,
        starts_at__gt=last.starts_at,
        state__in=OPEN_STATES,
    ).exists()
    if planned:
        return None
    return add_months(timezone.localtime(last.starts_at).date(), committee.sitting_interval_months)
