"""The case's timeline: every change in its history, as far as the reader may see it.

Built from django-simple-history's records (one query per kind of record, whatever the
length of the history). A change to a datum the reader may not see is left out entirely:
its mere existence can be telling (a new health entry).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from .models import (
    Case,
    Consent,
    DataCategory,
    Disclosure,
    FamilyMember,
    HealthSituation,
    Involvement,
    ProgressNote,
)
from .permissions import CaseAccess

ACTIONS = {"+": _("added"), "~": _("changed"), "-": _("removed")}
LIMIT = 200


@dataclass(frozen=True)
class Entry:
    at: datetime
    user: str
    institution: str
    what: str
    action: str
    detail: str = ""


def _who(record) -> tuple[str, str]:
    user = record.history_user
    if user is None:
        return "", ""
    institution = user.institution.short_name if user.institution_id else ""
    return user.get_full_name() or user.username, institution


def _entries(records, label, detail=lambda r: ""):
    for record in records:
        name, institution = _who(record)
        yield Entry(
            record.history_date,
            name,
            institution,
            str(label),
            str(ACTIONS[record.history_type]),
            detail(record),
        )


def case_timeline(access: CaseAccess) -> list[Entry]:
    """Newest first, at most ``LIMIT`` entries."""
    case: Case = access.case

    def recent(model, **filters):
        return (
            model.history.filter(**filters)
            .select_related("history_user__institution")
            .order_by("-history_date")[:LIMIT]
        )

    members = [
        r
        for r in recent(FamilyMember, case_id=case.pk)
        if access.can_see(r.source_institution_id, DataCategory.MASTER)
    ]
    member_ids = set(FamilyMember.history.filter(case_id=case.pk).values_list("id", flat=True))
    health = [
        r
        for r in recent(HealthSituation, member_id__in=member_ids)
        if access.can_see(r.source_institution_id, DataCategory.HEALTH)
    ]
    notes = [
        r
        for r in recent(ProgressNote, case_id=case.pk)
        if access.can_see(r.source_institution_id, r.category)
    ]
    entries = [
        *_entries(recent(Case, id=case.pk), _("Case"), lambda r: r.get_status_display()),
        *_entries(members, _("Family member"), lambda r: f"{r.first_name} {r.last_name}".strip()),
        *_entries(health, _("Addiction and treatment situation")),
        *_entries(
            recent(Involvement, case_id=case.pk).select_related("institution"),
            _("Involvement"),
            lambda r: r.institution.short_name,
        ),
        *_entries(
            recent(Consent, case_id=case.pk).select_related("source_institution"),
            _("Consent"),
            lambda r: f"{r.source_institution.short_name}: {r.get_status_display()}",
        ),
        *_entries(
            recent(Disclosure, case_id=case.pk),
            _("Disclosure without consent"),
            lambda r: r.get_basis_display(),
        ),
        *_entries(notes, _("Progress note"), lambda r: r.get_category_display()),
    ]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:LIMIT]
