"""The gateway: the one place that decides who sees a case, and which parts of it.

Every list, detail, PDF, export and calendar view goes through ``cases_visible_to`` and
``get_case_for_user_or_404``; a view that queries ``Case.objects`` directly is a leak.

Rules (DOMAIN.md, "Rules on sharing"):
- An institution sees a case when it leads it, is involved, or an active consent or a
  recorded disclosure names it as recipient (SGB X §67b; §8a SGB VIII; §4 KKG; §65 SGB VIII).
- It sees a datum only when a grant covers that datum's source institution and category:
  health data only where health data was released to it (GDPR Art. 9).
- The coordination office and the data-protection officer see no family data; only a
  superuser sees every case (and is audited like everyone else).
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db.models import Case as Choose
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.core import ObjectPermissionChecker

from common.access import DENIED, Decision, decide, require
from cooperation.models import Institution, User

from .models import (
    AccessLog,
    Case,
    CaseDocument,
    CaseGrant,
    CaseGroupObjectPermission,
    CaseVisibility,
    Consent,
    Consultation,
    DataCategory,
    Disclosure,
    FamilyMember,
    Involvement,
    Specialist,
)


def _today() -> datetime.date:
    return timezone.localdate()


def sees_no_family_data(user: User) -> bool:
    """The coordination office, the data-protection officer, staff without institution,
    and a caseworker or lead whose role the institution's lead has not confirmed yet
    (separation of duties: the coordination office gives roles, the lead answers for
    who sees the institution's families; ``User.role_is_confirmed``)."""
    return (
        user.institution_id is None
        or user.role in (User.Role.COORDINATION, User.Role.DATA_PROTECTION)
        or not user.role_is_confirmed
    )


def cases_visible_to(user: User, day: datetime.date | None = None) -> QuerySet[Case]:
    """The cases ``user`` may see at all on ``day``, annotated with ``listed_at``.

    Read from ``CaseVisibility``: at most one active row per institution and case, so the
    join never duplicates a case, and ``order_by("-listed_at")`` walks its index.
    """
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none().alias(listed_at=F("updated_at"))
    if user.is_superuser:
        return Case.objects.alias(listed_at=F("updated_at"))
    if sees_no_family_data(user):
        return Case.objects.none().alias(listed_at=F("updated_at"))
    day = day or _today()
    return Case.objects.filter(
        Q(visibility__valid_from__isnull=True) | Q(visibility__valid_from__lte=day),
        Q(visibility__valid_until__isnull=True) | Q(visibility__valid_until__gte=day),
        visibility__institution_id=user.institution_id,
    ).alias(listed_at=F("visibility__case_updated_at"))


def name_matches(user: User, query: str) -> Exists:
    """A case filter: members match ``query`` whose master data the user's institution
    may see. A name search must not reveal a family through data the institution has not
    been given: the member's source institution must have released master data to it."""
    members = FamilyMember.objects.filter(case=OuterRef("pk")).filter(
        Q(last_name__icontains=query) | Q(first_name__icontains=query)
    )
    if not user.is_superuser:
        released = CaseGrant.objects.active_on(_today()).filter(
            case=OuterRef("case"),
            institution_id=user.institution_id,
            source=OuterRef("source_institution"),
            category=DataCategory.MASTER,
        )
        members = members.filter(Exists(released))
    return Exists(members)


def _master_released(user: User, case_ref: OuterRef, source_ref: OuterRef) -> Exists:
    """An active grant of master data from the member's source to the user's institution."""
    return Exists(
        CaseGrant.objects.active_on(_today()).filter(
            case=case_ref,
            institution_id=user.institution_id,
            source=source_ref,
            category=DataCategory.MASTER,
        )
    )


def family_name_visible_to(user: User) -> Subquery:
    """A case annotation: the family name as far as ``user`` may see it, else NULL.

    The last name of a parent (or else any member) whose source institution released
    master data to the user's institution: the same rule as the case page's members, as
    one subquery so that a list of any length costs one query.
    """
    members = FamilyMember.objects.filter(case=OuterRef("pk"))
    if not user.is_superuser:
        members = members.filter(
            _master_released(user, OuterRef("case"), OuterRef("source_institution"))
        )
    # Kind codes do not sort parents first: rank them explicitly.
    rank = Choose(
        When(kind__in=list(FamilyMember.PARENT_KINDS), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return Subquery(
        members.annotate(parent_rank=rank).order_by("parent_rank", "pk").values("last_name")[:1]
    )


def responsible_for(user: User) -> Exists:
    """A case filter: ``user`` is the responsible caseworker or the deputy in an
    involvement of their institution that has not ended ("Meine Fälle")."""
    today = _today()
    return Exists(
        Involvement.objects.filter(case=OuterRef("pk"), institution_id=user.institution_id)
        .filter(Q(responsible=user) | Q(deputy=user))
        .filter(Q(until__isnull=True) | Q(until__gte=today))
    )


def assignable_staff(institution_id: int | None) -> QuerySet[User]:
    """Who can be responsible or deputy for an institution's involvement: its active
    caseworkers and leads whose role is confirmed (others see no family data)."""
    return User.objects.filter(
        institution_id=institution_id,
        is_active=True,
        role__in=User.FAMILY_DATA_ROLES,
        confirmed_institution_id=F("institution_id"),
        confirmed_role=F("role"),
    )


@dataclass(frozen=True)
class CaseAccess:
    """What one user may see and do in one case, from the grants of their institution.

    ``pairs`` is the set of (source institution, category) the institution may read;
    ``bases`` how it came to see the case (lead, own records, consent, disclosure).
    """

    case: Case
    user: User
    everything: bool
    pairs: frozenset[tuple[int, str]]
    bases: frozenset[str]

    def can_see(self, source_institution_id: int, category: str) -> bool:
        return self.everything or (source_institution_id, category) in self.pairs

    def can_see_category(self, category: str) -> bool:
        return self.everything or any(cat == category for _source, cat in self.pairs)

    @property
    def institution_id(self) -> int | None:
        return self.user.institution_id

    @property
    def is_lead(self) -> bool:
        """Staff of the lead institution (Fallführung) steer the case and its involvements."""
        return CaseGrant.Basis.LEAD in self.bases

    @property
    def may_lead(self) -> Decision:
        """Edit the case, involve institutions, plan its conferences: the lead's staff."""
        return decide(self.is_lead)

    @property
    def may_record(self) -> Decision:
        """Only the lead and the involved institutions record data on the family; a
        recipient of released data reads it but does not add to the case (SGB X §67b:
        the consent covers receiving, not collecting)."""
        return decide(self.is_lead or CaseGrant.Basis.OWN in self.bases)

    def may_edit_record(self, record) -> Decision:
        """A record is corrected only by the institution that recorded it."""
        return decide(self.may_record and record.source_institution_id == self.institution_id)

    def may_edit_member(self, member: FamilyMember) -> Decision:
        return decide(
            self.can_see(member.source_institution_id, DataCategory.MASTER)
            and self.may_edit_record(member)
        )

    def may_record_health(self, member: FamilyMember) -> Decision:
        """Each institution records its own health data, on a parent it sees."""
        if not (
            self.may_record and self.can_see(member.source_institution_id, DataCategory.MASTER)
        ):
            return DENIED
        return decide(member.is_parent, _("Health data is recorded for parents only."))

    def visible_members(self) -> list[FamilyMember]:
        """The family members whose master data the reader sees (forms that name them)."""
        return [
            member
            for member in FamilyMember.objects.filter(case=self.case)
            if self.can_see(member.source_institution_id, DataCategory.MASTER)
        ]

    @property
    def may_read_access_log(self) -> Decision:
        """The lead institution's lead answers for the case and reads who accessed it."""
        return decide(self.is_lead and self.user.role == User.Role.LEAD)

    # Consents (SGB X §67b): the institution that is released answers for its consent.

    def may_manage_consent(self, consent: Consent) -> Decision:
        """Record, give, refuse and correct: staff of the released (source) institution,
        involved in the case; they obtain the family's signature."""
        return decide(self.may_record and consent.source_institution_id == self.institution_id)

    def may_give_or_refuse(self, consent: Consent) -> Decision:
        if not self.may_manage_consent(consent):
            return DENIED
        return decide(
            consent.status == Consent.Status.REQUESTED,
            _("Only a requested consent is recorded as given or refused."),
        )

    def may_correct(self, consent: Consent) -> Decision:
        if not self.may_manage_consent(consent):
            return DENIED
        return decide(
            consent.status == Consent.Status.GIVEN, _("Only a given consent is corrected.")
        )

    def may_revoke(self, consent: Consent) -> Decision:
        """Staff of the source, the lead or a recipient institution record a revocation:
        a family may revoke with anyone, and a revocation only ever removes access (GDPR
        Art. 7(3)). A superuser records nothing for a family."""
        if self.user.is_superuser:
            return DENIED
        allowed = {consent.source_institution_id, self.case.lead_institution_id}
        allowed |= consent.recipient_ids
        if self.institution_id not in allowed:
            return DENIED
        return decide(
            consent.status == Consent.Status.GIVEN, _("Only a given consent can be revoked.")
        )

    # Pseudonymised consultations (§4 Abs. 2 KKG, §8a Abs. 4 and §64 Abs. 2a SGB VIII).

    @property
    def may_consult(self) -> Decision:
        """Whoever records on the case may ask a specialist for advice on it."""
        return self.may_record

    def may_read_consultation(self, consultation: Consultation) -> Decision:
        """A consultation is the asking institution's datum on the family situation:
        read where that institution's family-situation data is released."""
        return decide(self.can_see(consultation.source_institution_id, Consultation.CATEGORY))

    def may_record_outcome(self, consultation: Consultation) -> Decision:
        """The asking institution records what came of the advice."""
        return self.may_edit_record(consultation)

    def visible_consultations(self) -> list[Consultation]:
        return [
            consultation
            for consultation in self.case.consultations.select_related(
                "case", "source_institution", "specialist__user", "specialist__institution"
            )
            if self.may_read_consultation(consultation)
        ]

    def may_read_disclosure(self, disclosure: Disclosure) -> Decision:
        """The record of a disclosure (its reason and steps) is read by the disclosing
        and the receiving institution; everyone who sees the case sees that it happened."""
        return decide(
            self.everything
            or self.institution_id in (disclosure.from_institution_id, disclosure.to_institution_id)
        )

    def may_assign_responsible(self, involvement: Involvement) -> Decision:
        """Who answers for the family inside an institution is that institution's own
        business: its lead and its caseworkers set the responsible caseworker and the
        deputy, for an involvement that has not ended. Nobody else, not a superuser."""
        if self.user.is_superuser or self.institution_id != involvement.institution_id:
            return DENIED
        if self.user.role not in User.FAMILY_DATA_ROLES:
            return DENIED
        return decide(
            involvement.until is None or involvement.until >= _today(),
            _("The involvement has ended; nobody is made responsible for it any more."),
        )

    # Case documents: read like every other datum, by source and category.

    def may_read_document(self, document: CaseDocument) -> Decision:
        """A document is read where its holder's data of its category is released (the
        same consent rule as a note of that category; health only under GDPR Art. 9)."""
        return decide(self.can_see(document.source_institution_id, document.category))

    @property
    def may_upload_document(self) -> Decision:
        """The institutions that record on the case keep documents on it."""
        return self.may_record

    def visible_documents(self) -> list[CaseDocument]:
        return [
            document
            for document in self.case.documents.select_related("source_institution", "uploaded_by")
            if self.may_read_document(document)
        ]

    def may_read_consent(self, consent: Consent) -> Decision:
        """The form and scan name the person: readable where both the releasing
        institution's master data and the master data of the person who consented are
        released."""
        return decide(
            self.can_see(consent.source_institution_id, DataCategory.MASTER)
            and self.can_see(consent.given_by.source_institution_id, DataCategory.MASTER)
        )


def may_open_case(user: User) -> Decision:
    """Staff of an institution that works with families open cases; nobody else."""
    return decide(user.is_authenticated and user.is_active and not sees_no_family_data(user))


def may_look_up_access_logs(user: User) -> Decision:
    """The data-protection officer (GDPR Art. 38/39) and a superuser look up any case's
    access log by its reference."""
    return decide(user.is_superuser or user.is_data_protection_officer)


def access_logs_visible_to(user: User) -> QuerySet[AccessLog]:
    """The access-log entries ``user`` looks up (``may_look_up_access_logs``), the same
    scope as ``get_case_for_audit_or_404``: a superuser every entry; the data-protection
    officer those about the cases of their cooperation, and the reads without a case
    (lists, searches) by the staff of its institutions."""
    if not user.is_authenticated or not user.is_active or not may_look_up_access_logs(user):
        return AccessLog.objects.none()
    if user.is_superuser:
        return AccessLog.objects.all()
    cooperation = user.institution.cooperation_id
    return AccessLog.objects.filter(
        Q(case__cooperation_id=cooperation)
        | Q(case__isnull=True, institution__cooperation_id=cooperation)
    )


def institution_permissions(institution: Institution, case: Case) -> set[str]:
    """The django-guardian permissions (``view_case``, ``view_case_health``) that the
    institution's group holds on ``case`` today: one query, both permissions."""
    checker = ObjectPermissionChecker(Group(pk=institution.group_id))
    checker.prefetch_perms([case])
    return set(checker.get_perms(case))


def _group_holds(codename: str) -> Exists:
    """A grant annotation: the group of the grant's institution holds guardian's
    ``codename`` on the grant's case (as ``institution_permissions`` asks it)."""
    return Exists(
        CaseGroupObjectPermission.objects.filter(
            content_object=OuterRef("case_id"),
            group=OuterRef("institution__group_id"),
            permission__content_type__app_label="cases",
            permission__codename=codename,
        )
    )


def get_case_for_user_or_404(
    user: User, reference: str, day: datetime.date | None = None
) -> CaseAccess:
    """The case and the user's grant on it, or 404 when the user may not see it at all.

    The object check asks django-guardian: the institution's group must hold
    ``view_case`` on the case (and ``view_case_health`` for any health datum). Each datum
    is then read only where a grant, active on ``day``, covers its source institution and
    category. Guardian's rows carry no dates: ``case_recompute_grants`` writes them for
    today and the daily ``refresh_case_permissions`` moves them when a window opens or
    closes; the windows are checked here too, so a missed run can only delay access,
    never extend it (tests/test_access_agreement.py).
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404
    day = day or _today()
    case = (
        Case.objects.select_related("lead_institution", "cooperation")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404
    if user.is_superuser:
        return CaseAccess(case, user, True, frozenset(), frozenset())
    if sees_no_family_data(user):
        raise Http404
    # The grants and guardian's two permissions of the institution's group in one query
    # (the same rows ``institution_permissions`` reads): the case page's query budget.
    rows = list(
        CaseGrant.objects.active_on(day)
        .filter(case=case, institution_id=user.institution_id)
        .annotate(view=_group_holds("view_case"), health=_group_holds("view_case_health"))
        .values_list("source_id", "category", "basis", "view", "health")
    )
    if not rows or not rows[0][3]:
        raise Http404
    grants = [(source, category, basis) for source, category, basis, _view, _health in rows]
    if not rows[0][4]:
        grants = [grant for grant in grants if grant[1] != DataCategory.HEALTH]
    return CaseAccess(
        case,
        user,
        False,
        frozenset((source, category) for source, category, _basis in grants),
        frozenset(basis for _source, _category, basis in grants),
    )


def get_case_for_audit_or_404(user: User, reference: str) -> Case:
    """The case whose access log ``user`` may read: no family data comes with it.

    The lead institution's lead (who answers for the case) and the data-protection
    officer of the same cooperation (GDPR Art. 38/39: monitors compliance) read "who
    accessed this case"; a superuser too.
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404
    if user.is_superuser:
        return get_object_or_404(Case, reference=reference)
    if user.role == User.Role.DATA_PROTECTION and user.institution_id:
        return get_object_or_404(
            Case, reference=reference, cooperation_id=user.institution.cooperation_id
        )
    access = get_case_for_user_or_404(user, reference)
    require(access.may_read_access_log)
    return access.case


# Experienced child-protection specialists and the consultations they advise on.


def may_designate_specialists(user: User) -> Decision:
    """The lead of an institution that works with families designates its experienced
    child-protection specialists (the coordination office may do so in the admin)."""
    return decide(
        user.is_authenticated
        and user.is_active
        and user.role == User.Role.LEAD
        and not sees_no_family_data(user)
    )


def specialists_to_consult(access: CaseAccess, day: datetime.date | None = None):
    """Whom ``access.user`` may ask about the case: specialists of the case's
    cooperation designated on ``day``, never themselves, and none whose institution sees
    the case (they would recognise the family behind the pseudonym)."""
    day = day or _today()
    seeing = CaseVisibility.objects.active_on(day).filter(case=access.case).values("institution")
    return (
        Specialist.objects.active_on(day)
        .filter(institution__cooperation=access.case.cooperation_id)
        .exclude(user=access.user)
        .exclude(institution__in=seeing)
        .select_related("user", "institution")
    )


def consultations_visible_to(user: User, day: datetime.date | None = None):
    """The consultations ``user`` advises on as a specialist, while designated.

    Only these, and only them: a consultation never opens its case to the specialist.
    """
    if not user.is_authenticated or not user.is_active or sees_no_family_data(user):
        return Consultation.objects.none()
    designations = Specialist.objects.active_on(day or _today()).filter(user=user)
    return Consultation.objects.filter(specialist__in=designations)


@dataclass(frozen=True)
class ConsultationAccess:
    """What the specialist may do with a consultation addressed to them."""

    consultation: Consultation
    user: User

    @property
    def may_advise(self) -> Decision:
        return decide(
            not self.consultation.outcome,
            _("The outcome of this consultation is recorded; the advice can no longer change."),
        )


def get_consultation_for_user_or_404(user: User, pk: int) -> ConsultationAccess:
    """A consultation addressed to ``user`` as a specialist, or 404 (for everyone else,
    whatever they see of the case)."""
    consultation = get_object_or_404(
        consultations_visible_to(user).select_related(
            "source_institution", "requested_by", "specialist__user"
        ),
        pk=pk,
    )
    return ConsultationAccess(consultation, user)
