"""The sections of Meine Übersicht beyond meetings, each one query (``conferences.dashboard``
has the meetings). Everything is read through the gateways: ``cases_visible_to`` for
cases and consents, ``followups_visible_to`` for follow-ups, ``outbox_visible_to`` for
mail. The functions return lists, so that the template never queries again.
"""

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext

from cases.models import Case, Consent, Disclosure
from cases.permissions import cases_visible_to
from cases.views.browse import case_link
from cooperation.models import Cooperation, Invitation, StaffChange, User
from outbox.access import outbox_visible_to
from outbox.models import OutboxMessage
from privacy.retention import HORIZON_DAYS, plan_cooperation

from .access import followups_visible_to
from .models import FollowUp

# Due conferences and expiring consents are announced a month ahead (the consent form's
# own warning uses the same window).
WARNING_DAYS = 30
# Dates as the dashboard's template writes them (``date:"d.m.Y"``).
DATE_FORMAT = "%d.%m.%Y"
RECENT_DISCLOSURE_DAYS = 90
LIMIT = 50


@dataclass
class CasesToWatch:
    # Each case carries what its line shows: ``url``, its page; ``due_text`` ("fällig am
    # 25.11.2026") and ``overdue``. Made here once per case: drawn by the template's tags
    # per line, a Kreis-sized list of a hundred took a quarter of the page's time.
    due_conferences: list[Case] = field(default_factory=list)
    # Cases with a consent ending soon, annotated ``consent_expires`` and
    # ``consent_source``, with ``url`` and ``expires_text`` ("läuft am 15.12.2026 ab").
    expiring: list[Case] = field(default_factory=list)


def cases_to_watch(user: User, today: datetime.date) -> CasesToWatch:
    """Open cases my institution leads whose next Beteiligtenkonferenz is due within
    ``WARNING_DAYS``, and cases I see with an active consent ending within that window:
    one query over the cases I see."""
    result = CasesToWatch()
    if user.institution_id is None and not user.is_superuser:
        return result
    soon = today + datetime.timedelta(days=WARNING_DAYS)
    expiring = (
        Consent.objects.active_on(today)
        .filter(case=OuterRef("pk"), valid_until__lte=soon)
        .order_by("valid_until", "pk")
    )
    due = Q(
        lead_institution_id=user.institution_id,
        status=Case.Status.OPEN,
        conference_due_on__lte=soon,
    )
    cases = (
        cases_visible_to(user, today)
        .annotate(
            consent_expires=Subquery(expiring.values("valid_until")[:1]),
            consent_source=Subquery(expiring.values("source_institution__short_name")[:1]),
        )
        .filter(due | Q(consent_expires__isnull=False))
        .only("reference", "status", "lead_institution", "conference_due_on")
        .order_by("conference_due_on", "pk")[: 2 * LIMIT]
    )
    link = case_link()
    due_on, expires_on = gettext("due on %(date)s"), gettext("expires on %(date)s")
    institution_id = user.institution_id
    for case in cases:
        case.url = link(case.reference)
        if (
            case.lead_institution_id == institution_id
            and case.status == Case.Status.OPEN
            and case.conference_due_on is not None
            and case.conference_due_on <= soon
        ):
            case.due_text = due_on % {"date": case.conference_due_on.strftime(DATE_FORMAT)}
            case.overdue = case.conference_due_on < today
            result.due_conferences.append(case)
        if case.consent_expires is not None:
            case.expires_text = expires_on % {"date": case.consent_expires.strftime(DATE_FORMAT)}
            result.expiring.append(case)
    result.expiring.sort(key=lambda case: (case.consent_expires, case.pk))
    return result


@dataclass
class MyFollowUps:
    # Set by me, open, due first.
    mine: list[FollowUp] = field(default_factory=list)
    # A lead's view of the team: colleagues' overdue follow-ups.
    team_overdue: list[FollowUp] = field(default_factory=list)


def my_followups(user: User, today: datetime.date, *, team: bool = False) -> MyFollowUps:
    """My open follow-ups (done ones are hidden), due first; with ``team`` also the
    institution's other overdue ones. One query."""
    result = MyFollowUps()
    wanted = Q(created_by=user)
    if team:
        wanted |= Q(due_on__lt=today)
    followups = (
        followups_visible_to(user, today)
        .open()
        .filter(wanted)
        .select_related("case", "created_by")
        .order_by("due_on", "pk")[: 2 * LIMIT]
    )
    for followup in followups:
        if followup.created_by_id == user.pk:
            result.mine.append(followup)
        else:
            result.team_overdue.append(followup)
    return result


def recent_disclosures(user: User, today: datetime.date) -> list[Disclosure]:
    """For the data-protection officer: disclosures without consent in the cooperation
    in the last ``RECENT_DISCLOSURE_DAYS`` (reference, basis, institutions: no family
    data; the officer follows up through the case's access log)."""
    if not user.is_data_protection_officer:
        return []
    since = today - datetime.timedelta(days=RECENT_DISCLOSURE_DAYS)
    return list(
        Disclosure.objects.filter(
            case__cooperation_id=user.institution.cooperation_id, disclosed_on__gte=since
        )
        .select_related("case", "from_institution", "to_institution")
        .order_by("-disclosed_on", "-pk")[:LIMIT]
    )


def failed_mails(user: User) -> list[OutboxMessage]:
    """For the coordination office: e-mails whose sending failed for good."""
    if not user.is_coordination_office:
        return []
    return list(
        outbox_visible_to(user)
        .filter(state=OutboxMessage.State.FAILED)
        .order_by("-created_at", "-pk")[:LIMIT]
    )


def pending_staff_changes(user: User) -> list[StaffChange]:
    """For the coordination office: staff changes of its cooperation that wait for an
    institution lead's confirmation."""
    if not user.is_coordination_office:
        return []
    return list(
        StaffChange.objects.pending()
        .filter(institution__cooperation_id=user.institution.cooperation_id)
        .select_related("user", "institution")
        .order_by("made_at", "pk")[:LIMIT]
    )


def open_account_invitations(user: User, now: datetime.datetime) -> list[Invitation]:
    """For the coordination office: invitations to new accounts not accepted yet and still
    valid (an expired one is sent again from the admin)."""
    if not user.is_coordination_office:
        return []
    return list(
        Invitation.objects.filter(
            user__institution__cooperation_id=user.institution.cooperation_id,
            accepted_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("user__institution")
        .order_by("expires_at", "pk")[:LIMIT]
    )


@dataclass(frozen=True)
class DeletionsPreview:
    until: datetime.date
    due_items: int
    whole_cases: int
    held: int
    undetermined: int
    first_due: datetime.date | None


# The plan reads every case of the cooperation: computed once in a while, not per visit.
PREVIEW_SECONDS = 15 * 60


def deletions_preview(cooperation: Cooperation, today: datetime.date) -> DeletionsPreview:
    """What the privacy app's plan (``plan_cooperation``) makes due in the next
    ``HORIZON_DAYS`` days, in figures; cached a quarter of an hour per cooperation."""
    key = f"worklist:deletions:{cooperation.pk}:{today.isoformat()}"
    preview = cache.get(key)
    if preview is None:
        until = today + datetime.timedelta(days=HORIZON_DAYS)
        due, undetermined = plan_cooperation(cooperation, today, until)
        active = [item for item in due if not item.held]
        preview = DeletionsPreview(
            until=until,
            due_items=len(active),
            whole_cases=sum(1 for item in active if item.whole_case),
            held=sum(1 for item in due if item.held),
            undetermined=len(undetermined),
            first_due=min((item.due_on for item in active), default=None),
        )
        cache.set(key, preview, PREVIEW_SECONDS)
    return preview
