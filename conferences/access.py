"""Who sees a meeting, and what they may do with it. Case conferences go through the
cases gateway.

- A Beteiligtenkonferenz is family data of the case, recorded by the organising (lead)
  institution in the category "conference protocols": an institution sees it only while
  the gateway grants it that category from that institution (lead, or an active consent
  or disclosure). A revoked consent therefore removes it from the conference and its
  minutes on the next request.
- Its health section is shown only where health data of the organising institution is
  released to the reader (GDPR Art. 9), in pages and PDFs alike.
- A Gremium sitting carries no family data: the committee's members and the coordination
  office of the cooperation see it (the committee-reader rule, ``User.reads_committee``).

Views resolve a meeting with ``get_meeting_for_user_or_404`` and ask its ``may_*``
decisions; the reasons of a refusal (the meeting's state, its date) reach the reader.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from cases.models import CaseGrant, DataCategory, FamilyMember
from cases.permissions import CaseAccess, cases_visible_to, get_case_for_user_or_404
from common.access import DENIED, Decision, decide, deny
from cooperation.models import Committee, Institution, User

from .models import Action, Meeting

SCHEDULE_CLOSED = _("The meeting was held or cancelled: its date, place and participants stay.")
NOT_YET_BEGUN = _("This is possible only from the day of the meeting on.")
NOT_HELD = _("The minutes are written once the meeting is held (attendance recorded).")
FROZEN = _("The minutes are approved and frozen; add a dated amendment instead.")
# Attendance and agreed actions stay correctable until the minutes are approved.
CORRECTIONS_CLOSED = _(
    "The minutes are approved: attendance and agreed actions are no longer corrected; add a "
    "dated amendment instead."
)
CANCELLED = _("The meeting was cancelled.")
NOT_CIRCULATED = _("Only circulated minutes can be approved.")
ALREADY_INVITED = _(
    "This person has received the invitation; to take them off, cancel or reschedule and tell them."
)


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

    @cached_property
    def may_organise(self) -> Decision:
        """Schedules, invites, writes and approves: the organising institution's staff
        (a case conference) or the coordination office, chair and minute-taker (a sitting).
        """
        meeting, user = self.meeting, self.user
        if user.is_superuser:
            return DENIED
        if meeting.is_case_conference:
            return decide(
                user.institution_id == meeting.source_institution_id and self.case_access.is_lead
            )
        committee = meeting.committee
        return decide(
            user.pk in (committee.chair_id, committee.minute_taker_id, meeting.organiser_id)
            or (
                user.is_coordination_office
                and user.institution.cooperation_id == meeting.cooperation_id
            )
        )

    @property
    def may_approve(self) -> Decision:
        """Minutes are approved by the organiser, once they have circulated."""
        if self.user.is_superuser or self.user.pk != self.meeting.organiser_id:
            return DENIED
        return decide(
            self.meeting.minutes.status == self.meeting.minutes.Status.CIRCULATED, NOT_CIRCULATED
        )

    @cached_property
    def participates(self) -> bool:
        return self.meeting.participants.filter(user=self.user).exists()

    def _organising(self, allowed: bool, reason) -> Decision:
        if not self.may_organise:
            return DENIED
        return decide(allowed, reason)

    @property
    def may_reschedule(self) -> Decision:
        """Date, place, participants and cancellation: while planned or invited."""
        return self._organising(self.meeting.is_open_for_scheduling, SCHEDULE_CLOSED)

    @property
    def may_add_agenda_item(self) -> Decision:
        meeting = self.meeting
        if meeting.state == Meeting.State.CANCELLED:
            return self._organising(False, SCHEDULE_CLOSED)
        return self._organising(not meeting.minutes.is_frozen, FROZEN)

    @property
    def may_invite(self) -> Decision:
        """Invitations go out while the meeting is planned or invited (new participants)."""
        return self._organising(self.meeting.is_open_for_scheduling, SCHEDULE_CLOSED)

    @property
    def may_cancel(self) -> Decision:
        return self.may_reschedule

    def may_remove_participant(self, participant) -> Decision:
        """Before their invitation is sent; the organiser stays."""
        decision = self.may_reschedule
        if not decision:
            return decision
        if participant.user_id and participant.user_id == self.meeting.organiser_id:
            return deny(_("The organiser stays a participant."))
        return decide(participant.invited_sequence is None, ALREADY_INVITED)

    def _correctable(self) -> Decision:
        """Attendance and agreed actions: from the meeting's day until the approval."""
        meeting = self.meeting
        if meeting.state == Meeting.State.CANCELLED:
            return self._organising(False, CANCELLED)
        if meeting.state == Meeting.State.APPROVED or meeting.minutes.is_frozen:
            return self._organising(False, CORRECTIONS_CLOSED)
        return self._organising(meeting.has_begun, NOT_YET_BEGUN)

    @property
    def may_record_attendance(self) -> Decision:
        """Recorded from the meeting's day on, and corrected until the minutes are approved."""
        return self._correctable()

    @property
    def may_add_action(self) -> Decision:
        """Agreed actions are agreed at the meeting: from its day until the approval."""
        return self._correctable()

    def may_correct_action(self, action: Action) -> Decision:
        return self._correctable()

    @property
    def may_edit_minutes(self) -> Decision:
        meeting, minutes = self.meeting, self.meeting.minutes
        if minutes.is_frozen:
            return self._organising(False, FROZEN)
        if meeting.state not in (Meeting.State.HELD, Meeting.State.CIRCULATED):
            return self._organising(False, NOT_HELD if meeting.has_begun else NOT_YET_BEGUN)
        return self._organising(True, "")

    @property
    def may_amend(self) -> Decision:
        return self._organising(
            self.meeting.minutes.is_frozen, _("Only approved minutes are amended.")
        )

    @property
    def may_comment(self) -> Decision:
        """Participants and organisers comment on circulated minutes."""
        if not (self.participates or self.may_organise):
            return DENIED
        return decide(
            self.meeting.minutes.status == self.meeting.minutes.Status.CIRCULATED,
            _("Comments are possible while the minutes circulate."),
        )

    def may_update_action(self, action: Action) -> Decision:
        """The organiser, or the institution responsible for the action, records its state."""
        if self.user.is_superuser:
            return DENIED
        return decide(bool(self.may_organise) or self.user.institution_id == action.institution_id)

    def invitable_institutions(self) -> QuerySet[Institution]:
        """Who may be invited or made responsible for an action."""
        if self.meeting.is_case_conference:
            return invitable_institutions(self.case_access)
        return Institution.objects.filter(cooperation=self.meeting.cooperation_id)

    def invitable_members(self) -> list[FamilyMember]:
        """Family members the organiser may invite: those whose master data they see."""
        if not self.meeting.is_case_conference:
            return []
        return [
            member
            for member in FamilyMember.objects.filter(case=self.meeting.case).exclude(
                kind=FamilyMember.Kind.UNBORN
            )
            if self.case_access.can_see(member.source_institution_id, DataCategory.MASTER)
        ]


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


def get_action_for_user_or_404(user: User, pk: int) -> tuple[Action, MeetingAccess]:
    """An agreed action through its meeting: seen by whoever sees the meeting."""
    action = Action.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if action is None:
        raise Http404
    access = get_meeting_for_user_or_404(user, action)
    return access.meeting.actions.get(pk=pk), access


def get_committee_for_planning_or_403(user: User) -> Committee:
    """The coordination office plans the sittings of its cooperation's committee."""
    if not user.is_coordination_office:
        raise PermissionDenied
    committee = getattr(user.cooperation, "committee", None)
    if committee is None:
        raise Http404
    return committee


def case_conferences(case_access: CaseAccess) -> dict:
    """The case page's section: the case's conferences that the reader may see."""
    meetings = meetings_visible_to(case_access.user).filter(case=case_access.case)
    return {"conferences": meetings.order_by("-starts_at")}


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
