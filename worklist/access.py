"""Who sees a follow-up, and who sets and closes one: through the cases gateway.

A follow-up is the working note of one institution: its staff see it, and only while the
institution may open the case (``cases.permissions.cases_visible_to``). When a consent is
revoked and the case leaves the institution's sight, its follow-ups leave with it. The
coordination office, the data-protection officer and a superuser (no institution, or no
family data) see none.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from cases.permissions import CaseAccess, cases_visible_to, get_case_for_user_or_404
from common.access import Decision, decide
from cooperation.models import User

from .forms import FollowUpForm
from .models import FollowUp


def followups_visible_to(user: User, day: datetime.date | None = None) -> QuerySet[FollowUp]:
    """The follow-ups of the user's institution on the cases it may open on ``day``."""
    if not user.is_authenticated or not user.is_active or user.institution_id is None:
        return FollowUp.objects.none()
    if user.is_superuser:
        return FollowUp.objects.none()
    visible = cases_visible_to(user, day or timezone.localdate()).values("pk")
    return FollowUp.objects.filter(institution_id=user.institution_id, case__in=visible)


def may_set_followup(case_access: CaseAccess) -> Decision:
    """Whoever works on the case at an institution sets follow-ups for it; they are the
    institution's own and show nothing to anyone else. A superuser works on no case."""
    user = case_access.user
    return decide(not user.is_superuser and user.institution_id is not None)


@dataclass(frozen=True)
class FollowUpAccess:
    followup: FollowUp
    case_access: CaseAccess

    @property
    def may_close(self) -> Decision:
        """Anyone of the institution marks it done or open again (a colleague covers)."""
        return may_set_followup(self.case_access)


def get_followup_for_user_or_404(user: User, pk: int) -> FollowUpAccess:
    followup = followups_visible_to(user).select_related("case", "created_by").filter(pk=pk).first()
    if followup is None:
        raise Http404
    return FollowUpAccess(followup, get_case_for_user_or_404(user, followup.case.reference))


def case_followups(case_access: CaseAccess) -> dict:
    """The case page's section: the reader's institution's follow-ups (open first)."""
    if not may_set_followup(case_access):
        return {}
    followups = (
        FollowUp.objects.filter(
            case=case_access.case, institution_id=case_access.user.institution_id
        )
        .select_related("created_by", "done_by")
        .order_by("done_at", "due_on", "pk")
    )
    return {"followups": list(followups), "followup_form": FollowUpForm(), "followups_shown": True}
