"""Who sees a meeting, and what of it. Case conferences go through the cases gateway.

- A Beteiligtenkonferenz is family data of the case, recorded by the organising (lead)
  institution in the category "conference protocols": an institution sees it only while
  the gateway grants it that category from that institution (lead, or an active consent
  or disclosure). A revoked consent therefore removes it from the conference and its
  minutes on the next request.
- Its health section is shown only where health data of the organising institution is
  released to the reader (GDPR Art. 9), in pages and PDFs alike.
- A Gremium sitting carries no family data: the committee's members and the coordination
  office of the cooperation see it.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import CaseGrant, DataCategory
from cases.permissions import CaseAccess, cases_visible_to, get_case_for_user_or_404
from cooperation.models import Committee, Institution, User

from .models import Meeting


def _committee_q(user: User) -> Q:
    if user.is_coordination_office:
        return Q(kind=Meeting.Kind.COMMITTEE_SITTING, cooperation=user.institution.cooperation_id)
    member_of = Committee.objects.filter(
        Q(chair=user) | Q(minute_taker=user) | Q(members__user=user)
    ).values("pk")
    return Q(kind=Meeting.Kind.COMMITTEE_SITTING, committee__in=member_of)


def meetings_visible_to(user: User, day: datetime.date | None = None) -> QuerySet[Meeting]:
    if not user.is_authenticated or not user.is_active:
        return Meeting.objects.none()
    if user.is_superuser:
        return Meeting.objects.all()
    if user.institution_id is None:
        return Meeting.objects.none()
    day = day or timezone.localdate()
    protocols = CaseGrant.objects.active_on(day).filter(
        case=OuterRef("case"),
        institution_id=user.institution_id,
        source=OuterRef("source_institution"),
        category=DataCategory.PROTOCOLS,
    )
    conferences = Q(
        kind=Meeting.Kind.CASE_CONFERENCE,
        case__in=cases_visible_to(user, day).values("pk"),
    ) & Q(Exists(protocols))
    return Meeting.objects.filter(conferences | _committee_q(user)).distinct()


@dataclass(frozen=True)
class MeetingAccess:
    meeting: Meeting
    user: User
    case_access: CaseAccess | None

    @property
    def sees_health(self) -> bool:
        if not self.meeting.is_case_conference:
            return False
        return self.case_access.can_see(self.meeting.source_institution_id, DataCategory.HEALTH)

    @property
    def organises(self) -> bool:
        """Schedules, invites, writes and approves: the organising institution's staff
        (a case conference) or the coordination office, chair and minute-taker (a sitting).
        """
        meeting, user = self.meeting, self.user
        if user.is_superuser:
            return False
        if meeting.is_case_conference:
            return user.institution_id == meeting.source_institution_id and self.case_access.is_lead
        committee = meeting.committee
        return user.pk in (committee.chair_id, committee.minute_taker_id, meeting.organiser_id) or (
            user.is_coordination_office
            and user.institution.cooperation_id == meeting.cooperation_id
        )

    @property
    def approves(self) -> bool:
        """Minutes are approved by the organiser."""
        return self.user.pk == self.meeting.organiser_id

    @property
    def participates(self) -> bool:
        return self.meeting.participants.filter(user=self.user).exists()


def get_meeting_for_user_or_404(user: User, pk: int) -> MeetingAccess:
    meeting = (
        meetings_visible_to(user)
        .select_related("case", "committee", "source_institution", "organiser", "cooperation")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    case_access = None
    if meeting.is_case_conference:
        case_access = get_case_for_user_or_404(user, meeting.case.reference)
    return MeetingAccess(meeting, user, case_access)


def invitable_institutions(case_access: CaseAccess) -> QuerySet[Institution]:
    """Institutions a Beteiligtenkonferenz of this case may invite: the lead, and those to
    which a consent or disclosure releases the lead's conference protocols today.

    Anyone else would learn family data without a legal basis (SGB X §67b, §203 StGB).
    """
    case = case_access.case
    covered = CaseGrant.objects.active_on(timezone.localdate()).filter(
        case=case,
        source_id=case.lead_institution_id,
        category=DataCategory.PROTOCOLS,
    )
    return Institution.objects.filter(
        Q(pk=case.lead_institution_id) | Q(pk__in=covered.values("institution_id"))
    )
