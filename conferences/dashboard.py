"""What the dashboard shows of conferences: due conferences and sittings, overdue actions."""

import datetime

from django.utils import timezone

from cases.permissions import cases_visible_to
from common.dates import add_months
from cooperation.models import Committee, User

from .access import meetings_visible_to
from .models import Action, Meeting

DUE_SOON_DAYS = 30


def dashboard_context(user: User) -> dict:
    today = timezone.localdate()
    context = {"due_conferences": [], "overdue_actions": [], "sitting_due": None}
    if not user.is_authenticated or user.institution_id is None:
        return context
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    context["due_conferences"] = list(
        cases_visible_to(user, today)
        .filter(
            lead_institution_id=user.institution_id,
            status="open",
            conference_due_on__lte=soon,
        )
        .order_by("conference_due_on")[:50]
    )
    context["overdue_actions"] = list(
        Action.objects.overdue_on(today)
        .filter(
            institution_id=user.institution_id,
            meeting__in=meetings_visible_to(user, today).values("pk"),
        )
        .select_related("meeting__case")
        .order_by("due_on")[:50]
    )
    committee = getattr(user.cooperation, "committee", None) if user.reads_committee else None
    if committee is not None:
        context["sitting_due"] = next_sitting_due(committee)
    context["today"] = today
    return context


def next_sitting_due(committee: Committee) -> datetime.date | None:
    """Six months (the committee's interval) after the last sitting held."""
    last = (
        Meeting.objects.filter(
            committee=committee,
            state__in=[Meeting.State.HELD, Meeting.State.CIRCULATED, Meeting.State.APPROVED],
        )
        .order_by("-starts_at")
        .first()
    )
    if last is None:
        return None
    planned = Meeting.objects.filter(
        committee=committee,
        starts_at__gt=last.starts_at,
        state__in=[Meeting.State.PLANNED, Meeting.State.INVITED],
    ).exists()
    if planned:
        return None
    return add_months(timezone.localtime(last.starts_at).date(), committee.sitting_interval_months)
