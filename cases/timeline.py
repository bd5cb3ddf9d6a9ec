"""The case's timeline: every change in its history, as far as the reader may see it.

Built from django-simple-history's records in one query: a UNION ALL over the history
tables (each part already filtered by the reader's grants and joined to the names it
shows), ordered by date and cut to one page of ``PAGE_SIZE`` entries. The case page shows
the newest page; "show more" (htmx) loads the next through ``cases:timeline``.

A change to a datum the reader may not see is left out entirely: its mere existence can be
telling (a new health entry).

What an entry says (its label and detail) is produced in one place: ``KINDS`` below, one
``Kind`` per history table with its label and the function that turns the row's
``text1``/``text2`` columns into the detail.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, F, Q, QuerySet, Value
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import (
    Case,
    CaseDocument,
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
PAGE_SIZE = 50
# Beyond any real history (500,000 entries); keeps the offset a small number.
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Entry:
    at: datetime
    user: str
    institution: str
    what: str
    action: str
    detail: str = ""


# --- what an entry says: label and detail, one place ---------------------------------------


@dataclass(frozen=True)
class Kind:
    """One history table on the timeline: its label and how its detail reads."""

    label: str | Promise
    detail: Callable[[str, str], str]
    # What happened, when the generic added/changed/removed says too little (a consent
    # "changed" is really given, refused or revoked): (history type, text1, text2) -> verb.
    action: Callable[[str, str, str], str] | None = None


def _choice(model, field: str) -> Callable[[str, str], str]:
    """The display name of a stored choice (``text1``), as ``get_FOO_display`` gives it."""
    choices = dict(model._meta.get_field(field).choices)
    return lambda text1, _text2: str(choices.get(text1, text1))


# A consent's entry reads as what happened to it: "Einwilligung erteilt: Entbindung von
# der Schweigepflicht für JA Erkelenz", never its raw status ("geändert: … angefragt").
CONSENT_ACTIONS = {
    Consent.Status.REQUESTED: _("requested"),
    Consent.Status.GIVEN: _("given"),
    Consent.Status.REFUSED: _("refused"),
    Consent.Status.REVOKED: _("revoked"),
    Consent.Status.INVALIDATED: _("replaced by a correction"),
}


def _consent_detail(text1: str, _text2: str) -> str:
    return str(_("release from confidentiality for %(institution)s") % {"institution": text1})


def _consent_action(history_type: str, _text1: str, status: str) -> str:
    if history_type == "-":
        return str(ACTIONS["-"])
    return str(CONSENT_ACTIONS.get(status, ACTIONS[history_type]))


def _case_action(history_type: str, status: str, _text2: str) -> str:
    if history_type == "+":
        return str(_("opened"))
    if history_type == "~" and status == Case.Status.CLOSED:
        return str(_("closed"))
    return str(ACTIONS[history_type])


KINDS: dict[str, Kind] = {
    "case": Kind(_("Case"), lambda _a, _b: "", _case_action),
    "member": Kind(_("Family member"), lambda first, last: f"{first} {last}".strip()),
    "health": Kind(_("Addiction and treatment situation"), lambda _a, _b: ""),
    "involvement": Kind(_("Involvement"), lambda short_name, _b: short_name),
    "consent": Kind(_("Consent"), _consent_detail, _consent_action),
    "disclosure": Kind(
        _("Disclosure without consent"),
        _choice(Disclosure, "basis"),
        lambda history_type, _a, _b: str(
            _("recorded") if history_type == "+" else ACTIONS[history_type]
        ),
    ),
    "note": Kind(_("Progress note"), _choice(ProgressNote, "category")),
    "document": Kind(_("Document"), _choice(CaseDocument, "category")),
}


def _entry(row: dict) -> Entry:
    kind = KINDS[row["entry_kind"]]
    full_name = f"{row['user_first'] or ''} {row['user_last'] or ''}".strip()
    return Entry(
        at=row["at"],
        user=full_name or row["user_name"] or "",
        institution=row["user_institution"] or "",
        what=str(kind.label),
        action=(
            kind.action(row["action"], row["text1"] or "", row["text2"] or "")
            if kind.action
            else str(ACTIONS[row["action"]])
        ),
        detail=kind.detail(row["text1"] or "", row["text2"] or ""),
    )


# --- the query ------------------------------------------------------------------------------

COLUMNS = (
    "at",
    "hid",
    "action",
    "entry_kind",
    "user_first",
    "user_last",
    "user_name",
    "user_institution",
    "text1",
    "text2",
)


def _text(value: str = "") -> Value:
    return Value(value, output_field=CharField())


def _part(history: QuerySet, kind: str, text1=None, text2=None) -> QuerySet:
    """One history table's rows in the timeline's common columns (same order in every
    part, which UNION needs), joined to the author and the names the detail shows."""
    # No ORDER BY inside a part (the history models order by date): SQLite refuses it
    # in a compound statement; the union is ordered as a whole.
    return (
        history.order_by()
        .annotate(
            at=F("history_date"),
            hid=F("history_id"),
            action=F("history_type"),
            entry_kind=_text(kind),
            user_first=F("history_user__first_name"),
            user_last=F("history_user__last_name"),
            user_name=F("history_user__username"),
            user_institution=F("history_user__institution__short_name"),
            text1=text1 if text1 is not None else _text(),
            text2=text2 if text2 is not None else _text(),
        )
        .values_list(*COLUMNS)
    )


def _sources(access: CaseAccess, category: str) -> Q:
    """Rows whose source institution released ``category`` to the reader."""
    if access.everything:
        return Q()
    return Q(source_institution_id__in={s for s, c in access.pairs if c == category})


def _notes(access: CaseAccess) -> Q:
    """Notes whose (source institution, category) pair the reader holds."""
    if access.everything:
        return Q()
    allowed = Q(pk__in=[])
    for source, category in access.pairs:
        allowed |= Q(source_institution_id=source, category=category)
    return allowed


def timeline_query(access: CaseAccess) -> QuerySet:
    """Every history row of the case the reader may see, newest first (one SQL query)."""
    case_id = access.case.pk
    members = FamilyMember.history.filter(case_id=case_id)
    parts = [
        _part(Case.history.filter(id=case_id), "case", F("status")),
        _part(
            members.filter(_sources(access, DataCategory.MASTER)),
            "member",
            F("first_name"),
            F("last_name"),
        ),
        _part(
            HealthSituation.history.filter(
                _sources(access, DataCategory.HEALTH),
                member_id__in=members.values("id"),
            ),
            "health",
        ),
        _part(
            Involvement.history.filter(case_id=case_id),
            "involvement",
            F("institution__short_name"),
        ),
        _part(
            Consent.history.filter(case_id=case_id),
            "consent",
            F("source_institution__short_name"),
            F("status"),
        ),
        _part(Disclosure.history.filter(case_id=case_id), "disclosure", F("basis")),
        _part(ProgressNote.history.filter(_notes(access), case_id=case_id), "note", F("category")),
        # A document by the same rule as a note: its holder's pair of source and category.
        _part(
            CaseDocument.history.filter(_notes(access), case_id=case_id),
            "document",
            F("category"),
        ),
    ]
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-at", "-hid")


@dataclass(frozen=True)
class TimelinePage:
    entries: list[Entry]
    number: int
    has_next: bool

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def first_position(self) -> int:
        """The first entry's place in the whole timeline (``<ol start>``)."""
        return (self.number - 1) * PAGE_SIZE + 1


def case_timeline(access: CaseAccess, page: int = 1) -> TimelinePage:
    """Page ``page`` (from 1) of the timeline, newest first: one query, ``PAGE_SIZE``
    entries, and whether there are more (one row beyond the page is read to know)."""
    page = min(max(page, 1), MAX_PAGE)
    start = (page - 1) * PAGE_SIZE
    rows = list(timeline_query(access)[start : start + PAGE_SIZE + 1])
    entries = [_entry(dict(zip(COLUMNS, row, strict=True))) for row in rows[:PAGE_SIZE]]
    return TimelinePage(entries, page, len(rows) > PAGE_SIZE)
