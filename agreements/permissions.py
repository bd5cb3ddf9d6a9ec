"""The gateway: who reads the agreement and the Leitfaden of a cooperation, who edits.

Every view of this app resolves its records through these functions.

- Reading: staff of every institution that is a party of an agreement of the
  cooperation, and the staff of its coordination office (the coordination office and the
  data-protection officer). The agreement binds its parties, and the Leitfaden is the
  parties' shared way of working; an institution that has not joined reads neither.
- Editing: the coordination office of the same cooperation. The agreement is edited in
  the admin (its back office), the Leitfaden's draft on the app's pages.
- A superuser reads every cooperation's documents but edits only in the admin.
- Whoever may not read gets a 404 (another cooperation's documents do not exist for
  them); whoever reads but may not edit gets a 403.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from common.access import Decision, decide, require
from cooperation.models import Cooperation, Institution, User

from .models import Agreement, AgreementParty, Guideline, GuidelineSection


def readable_cooperations(user: User) -> QuerySet[Cooperation]:
    """The cooperations whose agreement and published Leitfaden ``user`` reads."""
    if not user.is_authenticated or not user.is_active:
        return Cooperation.objects.none()
    if user.is_superuser:
        return Cooperation.objects.all()
    institution = user.institution
    if institution is None:
        return Cooperation.objects.none()
    own = Cooperation.objects.filter(pk=institution.cooperation_id)
    if user.is_coordination_office or institution.kind == Institution.Kind.KOORDINATION:
        return own
    is_party = AgreementParty.objects.filter(
        institution=institution, agreement__cooperation_id=institution.cooperation_id
    ).exists()
    return own if is_party else Cooperation.objects.none()


def guideline_readers(cooperation: Cooperation | int) -> QuerySet[User]:
    """Everyone who reads the cooperation's Leitfaden (the rule of
    ``readable_cooperations``, asked the other way round): the active staff of its party
    institutions and of its coordination office. Superusers are IT operations, not
    readers to be told."""
    cooperation_id = getattr(cooperation, "pk", cooperation)
    institutions = Institution.objects.filter(cooperation_id=cooperation_id).filter(
        Q(kind=Institution.Kind.KOORDINATION)
        | Q(
            pk__in=AgreementParty.objects.filter(agreement__cooperation_id=cooperation_id).values(
                "institution"
            )
        )
    )
    return User.objects.filter(is_active=True, institution__in=institutions)


def may_edit(user: User, cooperation: Cooperation | int) -> Decision:
    """The coordination office of that cooperation edits its agreement and Leitfaden."""
    cooperation_id = getattr(cooperation, "pk", cooperation)
    return decide(
        user.is_authenticated
        and user.is_active
        and user.is_coordination_office
        and user.institution.cooperation_id == cooperation_id
    )


def may_start_guideline(user: User) -> Decision:
    """The coordination office starts its cooperation's Leitfaden."""
    return decide(user.is_authenticated and user.is_coordination_office)


@dataclass(frozen=True)
class AgreementAccess:
    agreement: Agreement
    may_edit: Decision


@dataclass(frozen=True)
class GuidelineAccess:
    guideline: Guideline
    may_edit: Decision


def agreements_visible_to(user: User) -> QuerySet[Agreement]:
    return Agreement.objects.filter(cooperation__in=readable_cooperations(user))


def get_agreement_for_user_or_404(user: User, pk: int) -> AgreementAccess:
    agreement = get_object_or_404(agreements_visible_to(user).select_related("cooperation"), pk=pk)
    return AgreementAccess(agreement, may_edit(user, agreement.cooperation_id))


def guidelines_visible_to(user: User) -> QuerySet[Guideline]:
    return Guideline.objects.filter(cooperation__in=readable_cooperations(user))


def get_guideline_for_user_or_404(user: User, pk: int) -> GuidelineAccess:
    guideline = get_object_or_404(guidelines_visible_to(user).select_related("cooperation"), pk=pk)
    return GuidelineAccess(guideline, may_edit(user, guideline.cooperation_id))


def get_guideline_for_editor(user: User, pk: int) -> Guideline:
    """The Leitfaden whose draft ``user`` edits: 404 if unseen, 403 if only read."""
    access = get_guideline_for_user_or_404(user, pk)
    require(access.may_edit)
    return access.guideline


def get_section_for_editor(user: User, pk: int) -> GuidelineSection:
    """A section of a Leitfaden ``user`` edits (draft or published: the caller refuses
    published ones with its own message)."""
    section = get_object_or_404(
        GuidelineSection.objects.filter(guideline__in=guidelines_visible_to(user)).select_related(
            "guideline", "version"
        ),
        pk=pk,
    )
    require(may_edit(user, section.guideline.cooperation_id))
    return section
