"""Who may do what with retention, legal holds, access reports and the register.

In the project's access shape (``common.access``): ``<x>s_visible_to(user)`` for lists and
``get_<x>_for_user_or_404(user, …)`` returning an access object whose ``may_*`` members are
decisions; views only ask.

Rules:
- Retention rules are the cooperation's: its coordination office proposes, its
  data-protection officer confirms (four eyes); both read them. Nobody else, not even a
  superuser (who belongs to no cooperation).
- What will be and what was deleted: the data-protection officer (GDPR Art. 38/39) of
  the cooperation. It names references and dates, never a family.
- The register of processing (GDPR Art. 30): the data-protection officer and the
  coordination office of the cooperation, each their own.
- A legal hold on a case: the lead of the case's lead institution (who answers for the
  file) and the data-protection officer of the cooperation; the hold page shows no family
  data.
- The access report (GDPR Art. 15) for a family member, and restrictions of it (§83 SGB X):
  the lead of an institution that records in the case (the controller answering for its
  records), for a member whose master data the institution sees. A superuser records
  nothing for a family.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from cases.models import Case, DataCategory, FamilyMember
from cases.permissions import CaseAccess, get_case_for_user_or_404, sees_no_family_data
from common.access import DENIED, Decision, decide
from cooperation.models import Cooperation, User

from .models import DeletionRecord, LegalHold, RetentionRule

ALREADY_DECIDED = _("This proposal was already confirmed, rejected or replaced.")


def _cooperation_of_office(user: User) -> Cooperation | None:
    """The cooperation whose coordination office or data-protection officer ``user`` is."""
    if not (user.is_authenticated and user.is_active):
        return None
    if user.is_coordination_office or user.is_data_protection_officer:
        return user.institution.cooperation
    return None


@dataclass(frozen=True)
class OfficeAccess:
    """What the coordination office or the DPO may do with their cooperation's
    retention rules, deletion plan and register."""

    user: User
    cooperation: Cooperation

    @property
    def may_read_rules(self) -> Decision:
        return decide(True)

    @property
    def may_propose_rules(self) -> Decision:
        return decide(self.user.is_coordination_office)

    @property
    def may_confirm_rules(self) -> Decision:
        """Four eyes: the DPO confirms what the coordination office proposed."""
        return decide(self.user.is_data_protection_officer)

    @property
    def may_read_deletions(self) -> Decision:
        return decide(self.user.is_data_protection_officer)

    @property
    def may_read_register(self) -> Decision:
        return decide(True)


def may_use_privacy_pages(user: User) -> bool:
    """The navigation's rule: offices of a cooperation, and leads of institutions."""
    return _cooperation_of_office(user) is not None or (
        user.is_authenticated
        and user.is_active
        and user.role == User.Role.LEAD
        and not sees_no_family_data(user)
    )


def get_office_for_user_or_403(user: User) -> OfficeAccess:
    """The cooperation whose privacy office ``user`` works in; 403 for everyone else."""
    cooperation = _cooperation_of_office(user)
    if cooperation is None:
        raise PermissionDenied
    return OfficeAccess(user, cooperation)


def rule_proposals_visible_to(user: User) -> QuerySet[RetentionRule]:
    cooperation = _cooperation_of_office(user)
    if cooperation is None:
        return RetentionRule.objects.none()
    return RetentionRule.objects.proposed().filter(cooperation=cooperation)


@dataclass(frozen=True)
class ProposalAccess:
    office: OfficeAccess
    rule: RetentionRule

    @property
    def may_decide(self) -> Decision:
        if not self.office.may_confirm_rules:
            return DENIED
        return decide(self.rule.status == RetentionRule.Status.PROPOSED, ALREADY_DECIDED)


def get_rule_proposal_for_user_or_404(user: User, pk: int) -> ProposalAccess:
    """A pending proposal of the user's cooperation (403 outside the offices)."""
    office = get_office_for_user_or_403(user)
    rule = get_object_or_404(RetentionRule, pk=pk, cooperation=office.cooperation)
    return ProposalAccess(office, rule)


def deletions_visible_to(user: User) -> QuerySet[DeletionRecord]:
    """The deletion log of the DPO's cooperation."""
    if not user.is_authenticated or not user.is_data_protection_officer:
        return DeletionRecord.objects.none()
    return DeletionRecord.objects.filter(cooperation=user.institution.cooperation_id)


@dataclass(frozen=True)
class CasePrivacyAccess:
    """A case as the privacy pages see it: the hold for the lead's lead and the DPO, the
    family members (with their access reports) for the lead of a recording institution.

    ``access`` is the user's grant on the case; None for the DPO, who sees no family data.
    """

    case: Case
    user: User
    access: CaseAccess | None

    @property
    def is_dpo(self) -> bool:
        return self.access is None

    @property
    def is_institution_lead(self) -> bool:
        return self.access is not None and self.user.role == User.Role.LEAD

    @property
    def may_read_family(self) -> Decision:
        """The members' names and their reports: the lead of a recording institution."""
        return decide(
            self.is_institution_lead and not self.user.is_superuser and self.access.may_record
        )

    @property
    def may_hold(self) -> Decision:
        """Place or lift a legal hold: the lead institution's lead, or the DPO."""
        if self.is_dpo:
            return decide(True)
        return decide(self.access.may_read_access_log and not self.user.is_superuser)

    def may_report_on(self, member: FamilyMember) -> Decision:
        """An access report for ``member``: the institution answers for what it holds,
        about a person whose master data it sees."""
        if not self.may_read_family:
            return DENIED
        return decide(self.access.can_see(member.source_institution_id, DataCategory.MASTER))

    def members(self) -> list[FamilyMember]:
        if not self.may_read_family:
            return []
        return self.access.visible_members()

    def holds(self) -> QuerySet[LegalHold]:
        return LegalHold.objects.filter(case=self.case).select_related("placed_by", "lifted_by")


def get_case_privacy_for_user_or_404(user: User, reference: str) -> CasePrivacyAccess:
    """The case for the privacy pages: the DPO of its cooperation finds it without any
    family data; everyone else through the cases gateway (404 when they may not see it)."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    if user.is_data_protection_officer:
        case = get_object_or_404(
            Case, reference=reference, cooperation_id=user.institution.cooperation_id
        )
        return CasePrivacyAccess(case, user, None)
    access = get_case_for_user_or_404(user, reference)
    return CasePrivacyAccess(access.case, user, access)


def get_member_for_report_or_404(privacy: CasePrivacyAccess, pk: int) -> FamilyMember:
    """A member of the case (404 for a member of another case)."""
    return get_object_or_404(
        FamilyMember.objects.select_related("source_institution"), case=privacy.case, pk=pk
    )
