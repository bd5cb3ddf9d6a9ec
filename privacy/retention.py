"""When each record is due for deletion, and how a deletion reaches every copy.

The plan (``plan_cooperation``) is what the data-protection officer reads and what
``apply_retention`` executes: for every case the day from which its whole file may be
deleted, the records whose own period ends earlier, and outside the cases the access-log
entries, notifications and committee sittings. The purge (``purge``) finds every row that
belongs to what is deleted, in the live tables and in the change history, and the files
they name.

Three guards keep a deletion from doing harm:

- a legal hold (``LegalHold``) on the case stops everything of it;
- a record is deleted at the earliest on the first day of the half-year after the last
  date the committee's statistics count it, once that half-year's figures are stored
  (``reports.figures.figures_of``), so a finished half-year's figures never change;
- a case is deleted at the earliest in the year after it was opened: the next case of a
  year gets the number after the highest one that exists, so a reference is never given
  out twice.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Max, Min, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    AccessLog,
    Case,
    CaseDocument,
    Consent,
    Disclosure,
    FamilyMember,
    HealthSituation,
    Notification,
    ProgressNote,
)
from common.dates import add_months
from conferences.models import Meeting
from cooperation.models import Cooperation, Institution
from reports.figures import HalfYear

from .models import LegalHold, RecordType, Trigger
from .rules import Rule, RuleBook

HORIZON_DAYS = 90
ONE_DAY = datetime.timedelta(days=1)


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def after_half_year(day: datetime.date) -> datetime.date:
    """The first day of the half-year after the one containing ``day``."""
    return HalfYear.containing(day).end + ONE_DAY


def _latest(dates: Iterable[datetime.date | None]) -> datetime.date | None:
    known = [day for day in dates if day is not None]
    return max(known) if known else None


@dataclass
class PlanItem:
    """Something that is, or will be, due for deletion. Never carries family data."""

    record_type: str
    rule: Rule
    due_on: datetime.date | None
    count: int
    reference: str = ""
    case_id: int | None = None
    institution: Institution | None = None
    first_date: datetime.date | None = None
    last_date: datetime.date | None = None
    held: bool = False
    whole_case: bool = False
    # Why no date can be given (e.g. no child's date of birth for §9b SGB VIII).
    problem: str = ""
    # The rows to delete, by model (live models, primary keys).
    seeds: dict[type[models.Model], set[int]] = field(default_factory=dict)
    # For entries outside cases: the rows due, as a queryset.
    queryset: models.QuerySet | None = None

    def is_due(self, today: datetime.date) -> bool:
        return not self.held and self.due_on is not None and self.due_on <= today

    @property
    def label(self) -> str:
        if self.whole_case:
            return str(_("whole case file"))
        return str(RecordType(self.record_type).label)


# --- cases ---------------------------------------------------------------------------------


def cases_for_planning(**filters) -> models.QuerySet[Case]:
    """Cases (``filters``) with everything their deletion dates depend on."""
    return (
        Case.objects.filter(**filters)
        .select_related("lead_institution")
        .prefetch_related(
            Prefetch("members", FamilyMember.objects.select_related("source_institution")),
            Prefetch(
                "members__health", HealthSituation.objects.select_related("source_institution")
            ),
            "involvements",
            Prefetch(
                "consents",
                Consent.objects.select_related("source_institution").order_by("pk"),
            ),
            Prefetch("disclosures", Disclosure.objects.select_related("from_institution")),
            Prefetch("notes", ProgressNote.objects.select_related("source_institution")),
            Prefetch("documents", CaseDocument.objects.select_related("source_institution")),
            Prefetch(
                "conferences",
                Meeting.objects.select_related("source_institution").prefetch_related("actions"),
            ),
        )
        .order_by("pk")
    )


class CaseFacts:
    """What the deletion dates of one case are computed from (read through prefetches)."""

    def __init__(self, case: Case, book: RuleBook, today: datetime.date, held: bool):
        self.case = case
        self.book = book
        self.today = today
        self.held = held
        self.closed_on = case.closed_on if case.status == Case.Status.CLOSED else None
        self.members = list(case.members.all())
        self.involvements = list(case.involvements.all())
        self.consents = list(case.consents.all())
        self.disclosures = list(case.disclosures.all())
        self.notes = list(case.notes.all())
        self.documents = list(case.documents.all())
        self.meetings = list(case.conferences.all())
        self.health = [h for m in self.members for h in m.health.all()]

    # The days a period can run from.

    def purpose_end(self, institution_id: int) -> datetime.date | None:
        """When ``institution`` stopped working with the family: the lead when the case
        was closed; another institution when all its involvements ended, or the case was
        closed, whichever came first."""
        if institution_id == self.case.lead_institution_id:
            return self.closed_on
        ends = [self.closed_on] if self.closed_on else []
        own = [i for i in self.involvements if i.institution_id == institution_id]
        if own and all(i.until for i in own):
            ends.append(max(i.until for i in own))
        return min(ends) if ends else None

    def youngest_child_30(self) -> datetime.date | None:
        """The 30th birthday of the youngest child (§9b Abs. 2 Nr. 1 SGB VIII); None when
        the family has no child with a known date of birth."""
        children = [
            m for m in self.members if m.kind in (FamilyMember.Kind.CHILD, FamilyMember.Kind.UNBORN)
        ]
        born = [m.date_of_birth or m.expected_date for m in children]
        if not children or any(day is None for day in born):
            return None
        return add_months(max(born), 30 * 12)

    def anchor(self, rule: Rule, institution_id: int, own_date: datetime.date | None):
        return {
            Trigger.CASE_CLOSED: lambda: self.closed_on,
            Trigger.PURPOSE_ENDED: lambda: self.purpose_end(institution_id),
            Trigger.RECORD_DATE: lambda: own_date,
            Trigger.AGE_30: self.youngest_child_30,
        }[rule.trigger]()

    def rule(self, record_type: str, institution: Institution) -> Rule:
        return self.book.for_institution(record_type, institution)

    # The dates each record counts in the committee's statistics.

    def consent_end(self, consent: Consent) -> datetime.date | None:
        """When a consent stopped releasing anything (None while it may still): revoked,
        refused, corrected; a given one at the end of its validity, and a given or merely
        requested one at the latest when the case was closed (nothing is shared any more)."""
        if consent.status == Consent.Status.REVOKED:
            return consent.revoked_on
        if consent.status == Consent.Status.REFUSED:
            return consent.obtained_on or consent.valid_from
        if consent.status == Consent.Status.INVALIDATED:
            newer = [c for c in self.consents if c.replaces_id == consent.pk]
            return newer[0].obtained_on or newer[0].valid_from if newer else consent.valid_from
        ends = [self.closed_on] if self.closed_on else []
        if consent.status == Consent.Status.GIVEN and consent.valid_until:
            ends.append(consent.valid_until)
        return min(ends) if ends else None

    @staticmethod
    def consent_counted(consent: Consent) -> datetime.date | None:
        return _latest([consent.obtained_on, consent.revoked_on, consent.valid_until])

    @staticmethod
    def meeting_counted(meeting: Meeting) -> datetime.date:
        days = [timezone.localdate(meeting.starts_at)]
        days += [a.done_on or a.due_on for a in meeting.actions.all()]
        return max(days)

    def last_counted(self) -> datetime.date:
        """The last day the statistics count anything of this case."""
        opened = timezone.localdate(self.case.opened_at)
        days = [opened, self.closed_on]
        days += [self.consent_counted(c) for c in self.consents]
        days += [d.disclosed_on for d in self.disclosures]
        days += [self.meeting_counted(m) for m in self.meetings]
        return _latest(days)

    # The plan.

    def consent_chains(self) -> list[list[Consent]]:
        """Consents with their corrections: a chain is deleted together (a correction
        refers to the consent it corrects)."""
        by_pk = {c.pk: c for c in self.consents}
        root_of = {}
        for consent in self.consents:
            root = consent
            while root.replaces_id and root.replaces_id in by_pk:
                root = by_pk[root.replaces_id]
            root_of[consent.pk] = root.pk
        chains = defaultdict(list)
        for consent in self.consents:
            chains[root_of[consent.pk]].append(consent)
        return list(chains.values())

    def records(self) -> list[tuple[str, Institution, list, datetime.date | None, object]]:
        """(record type, institution, rows, own date, statistics date) of every record
        that can have its own period. Members and involvements go with the file."""
        records = []
        for member in self.members:
            records.append((RecordType.CASE, member.source_institution, [member], None, None))
        for health in self.health:
            records.append((RecordType.CASE, health.source_institution, [health], None, None))
        for chain in self.consent_chains():
            ends = [self.consent_end(c) for c in chain]
            own = None if any(end is None for end in ends) else max(ends)
            counted = _latest(self.consent_counted(c) for c in chain)
            records.append((RecordType.CONSENT, chain[0].source_institution, chain, own, counted))
        for disclosure in self.disclosures:
            day = disclosure.disclosed_on
            records.append(
                (RecordType.DISCLOSURE, disclosure.from_institution, [disclosure], day, day)
            )
        for note in self.notes:
            records.append((RecordType.NOTE, note.source_institution, [note], note.date, None))
        # A document an institution keeps on the case (a Kita report, a doctor's letter)
        # is part of its running record, like its progress notes: same rule, from the
        # document's date. Purging its row removes its file from storage (``files_of``).
        for document in self.documents:
            records.append(
                (RecordType.NOTE, document.source_institution, [document], document.date, None)
            )
        for meeting in self.meetings:
            day = timezone.localdate(meeting.starts_at)
            counted = self.meeting_counted(meeting)
            records.append(
                (RecordType.CONFERENCE, meeting.source_institution, [meeting], day, counted)
            )
        return records

    def plan(self) -> tuple[PlanItem, list[PlanItem]]:
        """The whole file's deletion, and the records due earlier than the file."""
        case = self.case
        lead_rule = self.rule(RecordType.CASE, case.lead_institution)
        opened = timezone.localdate(case.opened_at)
        file_due = lead_rule.due(self.anchor(lead_rule, case.lead_institution_id, None))
        partial: dict[tuple, PlanItem] = {}
        constraints = [file_due]
        unknown = {lead_rule.trigger} if file_due is None else set()
        for record_type, institution, rows, own, counted in self.records():
            rule = self.rule(record_type, institution)
            if rule.follows_case:
                continue
            due = rule.due(self.anchor(rule, institution.pk, own))
            constraints.append(due)
            if due is None:
                unknown.add(rule.trigger)
            if due is None or record_type == RecordType.CASE and isinstance(rows[0], FamilyMember):
                continue
            if counted is not None:
                due = max(due, after_half_year(counted))
            item = partial.setdefault(
                (record_type, rule.key, due),
                PlanItem(
                    record_type,
                    rule,
                    due,
                    0,
                    reference=case.reference,
                    case_id=case.pk,
                    institution=institution,
                    held=self.held,
                ),
            )
            for row in rows:
                item.seeds.setdefault(type(row), set()).add(row.pk)
            item.count += len(rows)
            item.first_date = min(filter(None, [item.first_date, own])) if own else item.first_date
            item.last_date = max(filter(None, [item.last_date, own])) if own else item.last_date
        whole_due = None
        # An open case is in use: its file as a whole is never due.
        if self.closed_on and all(day is not None for day in constraints):
            whole_due = max(
                [
                    *constraints,
                    after_half_year(self.last_counted()),
                    datetime.date(opened.year + 1, 1, 1),
                ]
            )
        problem = ""
        if self.closed_on and whole_due is None:
            problem = (
                _("The period cannot be computed: no date of birth is recorded for every child.")
                if Trigger.AGE_30 in unknown
                else _("The period of a record of this case cannot be computed.")
            )
        whole = PlanItem(
            RecordType.CASE,
            lead_rule,
            whole_due,
            1,
            reference=case.reference,
            case_id=case.pk,
            institution=case.lead_institution,
            first_date=opened,
            last_date=self.closed_on,
            held=self.held,
            whole_case=True,
            problem=str(problem),
            seeds={Case: {case.pk}},
        )
        # What is due with or after the whole file needs no deletion of its own.
        early = [item for item in partial.values() if whole_due is None or item.due_on < whole_due]
        return whole, sorted(early, key=lambda item: item.due_on)


def held_case_ids(cooperation: Cooperation) -> set[int]:
    return set(
        LegalHold.objects.active()
        .filter(case__cooperation=cooperation)
        .values_list("case_id", flat=True)
    )


def case_plan(case: Case, today: datetime.date, book: RuleBook | None = None):
    """The plan of one case (``plan()``'s pair), read afresh."""
    case = cases_for_planning(pk=case.pk).get()
    held = LegalHold.objects.active().filter(case=case).exists()
    return CaseFacts(case, book or RuleBook(case.cooperation), today, held).plan()


# --- entries outside cases -----------------------------------------------------------------


def entry_items(
    cooperation: Cooperation, book: RuleBook, until: datetime.date, held: set[int]
) -> list[PlanItem]:
    """Access-log entries and notifications due by ``until``, per institution; and the
    access-log entries of staff without an institution (IT operations) on the
    cooperation's cases, by the cooperation's rule for every kind under the GDPR."""
    items = []
    institutions = list(Institution.objects.filter(cooperation=cooperation))
    sources = [
        (RecordType.ACCESS_LOG, AccessLog.objects.exclude(case_id__in=held), "at", "institution"),
        (
            RecordType.NOTIFICATION,
            Notification.objects.exclude(case_id__in=held),
            "created_at",
            "user__institution",
        ),
    ]
    for record_type, rows, stamp, owner in sources:
        groups = [(inst, rows.filter(**{owner: inst})) for inst in institutions]
        if record_type == RecordType.ACCESS_LOG:
            groups.append(
                (None, rows.filter(institution__isnull=True, case__cooperation=cooperation))
            )
        for institution, group in groups:
            rule = book.for_institution(record_type, institution)
            cutoff = add_months(until, -rule.months)
            due_rows = group.filter(**{f"{stamp}__lt": day_start(cutoff + ONE_DAY)})
            span = due_rows.aggregate(first=Min(stamp), last=Max(stamp), n=models.Count("pk"))
            if not span["n"]:
                continue
            first = timezone.localdate(span["first"])
            items.append(
                PlanItem(
                    record_type,
                    rule,
                    rule.due(first),
                    span["n"],
                    institution=institution,
                    first_date=first,
                    last_date=timezone.localdate(span["last"]),
                    queryset=due_rows,
                )
            )
    return items


def sitting_items(cooperation: Cooperation, book: RuleBook, until: datetime.date):
    sittings = Meeting.objects.filter(
        cooperation=cooperation, kind=Meeting.Kind.COMMITTEE_SITTING
    ).select_related("source_institution", "committee")
    items = []
    for sitting in sittings:
        rule = book.for_institution(RecordType.COMMITTEE, sitting.source_institution)
        day = timezone.localdate(sitting.starts_at)
        due = rule.due(day)
        if due > until:
            continue
        items.append(
            PlanItem(
                RecordType.COMMITTEE,
                rule,
                due,
                1,
                reference=f"{sitting.committee.name} {day:%d.%m.%Y}",
                institution=sitting.source_institution,
                first_date=day,
                last_date=day,
                seeds={Meeting: {sitting.pk}},
            )
        )
    return items


def case_items(
    cooperation: Cooperation,
    book: RuleBook,
    today: datetime.date,
    until: datetime.date,
    held: set[int],
) -> tuple[list[PlanItem], list[PlanItem]]:
    """Of every case of ``cooperation``: what is due by ``until``, and the closed cases
    whose date cannot be computed. Read in chunks, a fixed number of queries each."""
    due, undetermined = [], []
    for case in cases_for_planning(cooperation=cooperation).iterator(chunk_size=200):
        whole, early = CaseFacts(case, book, today, case.pk in held).plan()
        if whole.due_on is not None and whole.due_on <= until:
            due.append(whole)
            continue
        if whole.problem:
            undetermined.append(whole)
        due += [item for item in early if item.due_on <= until]
    return due, undetermined


def plan_cooperation(
    cooperation: Cooperation, today: datetime.date, until: datetime.date | None = None
) -> tuple[list[PlanItem], list[PlanItem]]:
    """Everything of ``cooperation`` due by ``until`` (default: today), and the closed
    cases whose date cannot be computed. Held cases are listed, marked as held."""
    until = until or today
    book = RuleBook(cooperation)
    held = held_case_ids(cooperation)
    due, undetermined = case_items(cooperation, book, today, until, held)
    due += entry_items(cooperation, book, until, held)
    due += sitting_items(cooperation, book, until)
    due.sort(key=lambda item: (item.due_on, item.record_type, item.reference))
    return due, undetermined


# --- the purge -----------------------------------------------------------------------------


def _is_history(model) -> bool:
    return hasattr(model, "instance_type")


@cache
def _edges() -> tuple[tuple[type[models.Model], models.ForeignKey], ...]:
    """Every foreign key of every model, live and historical (historical ones point at
    the live model, without a database constraint)."""
    return tuple(
        (model, f)
        for model in apps.get_models(include_auto_created=True)
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is not None and not f.related_model._meta.abstract
    )


@cache
def _history_models() -> tuple[type[models.Model], ...]:
    """The historical models that mirror one live model row for row."""
    return tuple(
        model
        for model in apps.get_models()
        if _is_history(model)
        and model._meta.pk.name == "history_id"
        and model.instance_type._meta.pk is not None
    )


def _chunks(values, size: int = 500):
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _select(model, column: str, values, *fields):
    found = []
    for chunk in _chunks(values):
        found += model._base_manager.filter(**{f"{column}__in": chunk}).values_list(*fields)
    return found


def owned_rows(seeds: dict[type[models.Model], set]) -> dict[type[models.Model], set]:
    """Every row that belongs to ``seeds``, by model: rows whose foreign key points at a
    row that belongs (children, grandchildren, ...), in the live tables and the change
    history, including the history of children deleted long ago.

    A row belongs when any of its foreign keys points at a belonging row: deleting a
    family reaches whatever any app links to it, without this module knowing the app.
    """
    rows: dict[type[models.Model], set] = defaultdict(set)
    frontier: dict[type[models.Model], set] = defaultdict(set)
    for model, pks in seeds.items():
        rows[model] |= set(pks)
        frontier[model] |= set(pks)
    while frontier:
        found: dict[type[models.Model], set] = defaultdict(set)
        for model, fk in _edges():
            targets = frontier.get(fk.related_model)
            if targets:
                found[model] |= {pk for (pk,) in _select(model, fk.attname, targets, "pk")}
        # A historical row is the same object as the live row with its id: the history of
        # a belonging row belongs, and so do the live ids of belonging history rows.
        for history in _history_models():
            live = history.instance_type
            pk = live._meta.pk.attname
            if frontier.get(live):
                found[history] |= {h for (h,) in _select(history, pk, frontier[live], "history_id")}
            if frontier.get(history):
                found[live] |= {i for (i,) in _select(history, "history_id", frontier[history], pk)}
        frontier = defaultdict(set)
        for model, pks in found.items():
            new = pks - rows[model]
            if new:
                rows[model] |= new
                frontier[model] = new
    return {model: pks for model, pks in rows.items() if pks}


def _file_fields(model) -> list[tuple[str, models.FileField]]:
    """(column name on ``model``, the live FileField with its storage)."""
    live = model.instance_type if _is_history(model) else model
    fields = []
    for f in live._meta.concrete_fields:
        if isinstance(f, models.FileField):
            fields.append((f.attname, f))
    return [(name, f) for name, f in fields if any(x.attname == name for x in model._meta.fields)]


def files_of(rows: dict[type[models.Model], set]) -> set[tuple[str, str, str]]:
    """(model label, field name, stored name) of every file the rows name."""
    files = set()
    for model, pks in rows.items():
        for name, f in _file_fields(model):
            for (stored,) in _select(model, "pk", pks, name):
                if stored:
                    files.add((f.model._meta.label, f.name, str(stored)))
    return files


def _generic_models() -> list[tuple[type[models.Model], str]]:
    """Models pointing at any row by content type and id: the admin's log, guardian's
    generic object permissions."""
    generic = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if "content_type" in names:
            for id_field in ("object_id", "object_pk"):
                if id_field in names:
                    generic.append((model, id_field))
    return generic


def _raw_delete(model, pks) -> int:
    """Delete rows by primary key in plain SQL, in the caller's transaction.

    No ``delete()`` of a model and no signal runs: simple-history would otherwise write a
    new history row (with every field) for each row deleted, and ``AccessLog.delete()``
    refuses on purpose. Foreign keys are checked when the transaction commits, so the
    order of the tables does not matter.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.pk.column)
    deleted = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(pks):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)  # noqa: S608
            deleted += cursor.rowcount
    return deleted


@dataclass
class Purged:
    counts: dict[str, int]  # live model label -> rows
    history: int
    references: int  # admin log entries and generic permissions
    files: set[tuple[str, str, str]]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def details(self) -> dict:
        return {
            **self.counts,
            "history": self.history,
            "references": self.references,
            "files": len(self.files),
        }


def purge(seeds: dict[type[models.Model], set]) -> Purged:
    """Delete ``seeds`` and everything that belongs to them, history included; returns
    what went, with the files to remove from storage once the transaction commits."""
    rows = owned_rows(seeds)
    files = files_of(rows)
    counts, history, references = {}, 0, 0
    for model, id_field in _generic_models():
        for live, pks in rows.items():
            if _is_history(live) or live._meta.auto_created:
                continue
            content_type = ContentType.objects.get_for_model(live, for_concrete_model=False)
            for chunk in _chunks(pks):
                references += model._base_manager.filter(
                    content_type=content_type, **{f"{id_field}__in": [str(pk) for pk in chunk]}
                ).delete()[0]
    for model, pks in rows.items():
        deleted = _raw_delete(model, pks)
        if _is_history(model):
            history += deleted
        elif deleted:
            counts[model._meta.label] = deleted
    return Purged(counts, history, references, files)
