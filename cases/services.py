"""Writes that span models or grant access. Views and commands call these, never save by hand."""

import datetime

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from cooperation.models import Cooperation, Institution, User

from .models import (
    Case,
    CaseGrant,
    CaseVisibility,
    Consent,
    DataCategory,
    Disclosure,
    Involvement,
)

ALL_CATEGORIES = list(DataCategory.values)


def _next_reference(cooperation: Cooperation, year: int) -> str:
    # Lock the cooperation row so that two cases opened at once get distinct numbers.
    Cooperation.objects.select_for_update().get(pk=cooperation.pk)
    prefix = f"{cooperation.code.upper()}-{year}-"
    last = (
        Case.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


@transaction.atomic
def case_open(*, lead_institution: Institution, opened_by: User) -> Case:
    """Open a case led by ``lead_institution``, with a fresh reference like HS-2026-0001."""
    now = timezone.now()
    case = Case.objects.create(
        cooperation=lead_institution.cooperation,
        reference=_next_reference(lead_institution.cooperation, timezone.localdate(now).year),
        lead_institution=lead_institution,
        opened_by=opened_by,
        opened_at=now,
    )
    Involvement.objects.create(
        case=case, institution=lead_institution, since=timezone.localdate(now)
    )
    case_recompute_grants(case=case)
    return case


def _grants_for(case: Case) -> list[CaseGrant]:
    grants = [
        CaseGrant(
            case=case,
            institution_id=case.lead_institution_id,
            source_id=case.lead_institution_id,
            category=category,
            basis=CaseGrant.Basis.LEAD,
        )
        for category in ALL_CATEGORIES
    ]
    # Every involved institution sees the case and what it recorded itself, while it
    # is involved.
    for involvement in case.involvements.all():
        grants += [
            CaseGrant(
                case=case,
                institution_id=involvement.institution_id,
                source_id=involvement.institution_id,
                category=category,
                basis=CaseGrant.Basis.OWN,
                valid_from=involvement.since,
                valid_until=involvement.until,
            )
            for category in ALL_CATEGORIES
        ]
    # SGB X §67b / GDPR Art. 7: a consent releases the named categories from the named
    # institution to the named recipients, only while given and within its period.
    # Revoked, refused, invalidated and requested consents release nothing.
    for consent in case.consents.filter(status=Consent.Status.GIVEN).prefetch_related("recipients"):
        for recipient in consent.recipients.all():
            grants += [
                CaseGrant(
                    case=case,
                    institution=recipient,
                    source_id=consent.source_institution_id,
                    category=category,
                    basis=CaseGrant.Basis.CONSENT,
                    consent=consent,
                    valid_from=consent.valid_from,
                    valid_until=consent.valid_until,
                )
                for category in consent.categories
            ]
    # §8a SGB VIII, §4 Abs. 3 KKG, §65 Abs. 1 SGB VIII: lawful without consent; the
    # recorded disclosure grants the receiving institution what was disclosed.
    for disclosure in case.disclosures.all():
        grants += [
            CaseGrant(
                case=case,
                institution_id=disclosure.to_institution_id,
                source_id=disclosure.from_institution_id,
                category=category,
                basis=CaseGrant.Basis.DISCLOSURE,
                disclosure=disclosure,
                valid_from=disclosure.disclosed_on,
            )
            for category in disclosure.categories
        ]
    return grants


Window = tuple[datetime.date | None, datetime.date | None]


def _merge_windows(windows: list[Window]) -> list[Window]:
    """Merge validity windows (None: unbounded) into disjoint ones, adjacent days joined."""
    lowest, highest = datetime.date.min, datetime.date.max
    spans = sorted((start or lowest, end or highest) for start, end in windows)
    merged: list[list[datetime.date]] = []
    for start, end in spans:
        if merged and (
            merged[-1][1] == highest or start <= merged[-1][1] + datetime.timedelta(days=1)
        ):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [
        (None if start == lowest else start, None if end == highest else end)
        for start, end in merged
    ]


def _windows_by_institution(grants: list[CaseGrant]) -> dict[int, list[Window]]:
    windows: dict[int, list[Window]] = {}
    for grant in grants:
        windows.setdefault(grant.institution_id, []).append((grant.valid_from, grant.valid_until))
    return {institution: _merge_windows(spans) for institution, spans in windows.items()}


@transaction.atomic
def case_recompute_grants(*, case: Case) -> None:
    """Recompute who may see what of ``case``: the one place where access is granted.

    Called whenever the lead, an involvement, a consent or a disclosure changes. It
    rewrites the case's grants and mirrors them as django-guardian object permissions on
    the institutions' groups (``view_case``; ``view_case_health`` where health data is
    released). The gateway (``cases.permissions``) additionally applies each grant's
    validity window on every request.
    """
    CaseGrant.objects.filter(case=case).delete()
    grants = _grants_for(case)
    CaseGrant.objects.bulk_create(grants)

    now = timezone.now()
    CaseVisibility.objects.filter(case=case).delete()
    CaseVisibility.objects.bulk_create(
        CaseVisibility(
            case=case,
            institution_id=institution_id,
            valid_from=start,
            valid_until=end,
            case_updated_at=now,
        )
        for institution_id, windows in _windows_by_institution(grants).items()
        for start, end in windows
    )

    seeing = {grant.institution_id for grant in grants}
    health = {g.institution_id for g in grants if g.category == DataCategory.HEALTH}
    institutions = Institution.objects.filter(cooperation=case.cooperation_id).select_related(
        "group"
    )
    for institution in institutions:
        for perm, granted in (("cases.view_case", seeing), ("cases.view_case_health", health)):
            if institution.pk in granted:
                assign_perm(perm, institution.group, case)
            else:
                remove_perm(perm, institution.group, case)
    Case.objects.filter(pk=case.pk).update(updated_at=now)
    case.updated_at = now


@transaction.atomic
def consent_give(*, consent: Consent, obtained_on: datetime.date | None = None) -> Consent:
    """Record that a requested consent was given (SGB X §67b: in advance and provable)."""
    if consent.status != Consent.Status.REQUESTED:
        raise ValueError("Only a requested consent can be given.")
    consent.status = Consent.Status.GIVEN
    consent.obtained_on = obtained_on or timezone.localdate()
    consent.save()
    case_recompute_grants(case=consent.case)
    return consent


@transaction.atomic
def consent_refuse(*, consent: Consent) -> Consent:
    if consent.status != Consent.Status.REQUESTED:
        raise ValueError("Only a requested consent can be refused.")
    consent.status = Consent.Status.REFUSED
    consent.save()
    return consent


@transaction.atomic
def consent_revoke(
    *, consent: Consent, revoked_on: datetime.date, channel: str, recorded_by: User
) -> Consent:
    """Revoke a given consent (GDPR Art. 7(3)): all future sharing stops at once.

    What was shared before stays lawful and documented: the consent and its history are
    kept. The grants are recomputed here, so the next request of every affected user is
    already refused.
    """
    if consent.status != Consent.Status.GIVEN:
        raise ValueError("Only a given consent can be revoked.")
    consent.status = Consent.Status.REVOKED
    consent.revoked_on = revoked_on
    consent.revocation_channel = channel
    consent.revoked_by = recorded_by
    consent.save()
    case_recompute_grants(case=consent.case)
    return consent


@transaction.atomic
def disclosure_record(*, case: Case, disclosed_by: User, **fields) -> Disclosure:
    """Record a disclosure without consent with its legal basis, and grant its receiver."""
    if fields.get("basis") == Disclosure.Basis.KKG_4_3 and fields.get("family_informed") is None:
        raise ValueError("§4 Abs. 3 KKG: record whether the family was told beforehand.")
    if fields.get("family_informed") is False and not fields.get("family_not_informed_reason"):
        raise ValueError("§4 Abs. 3 KKG: record why the family was not told beforehand.")
    disclosure = Disclosure.objects.create(case=case, disclosed_by=disclosed_by, **fields)
    case_recompute_grants(case=case)
    return disclosure
