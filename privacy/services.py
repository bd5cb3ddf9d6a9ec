"""Writes of the privacy app: rules (four eyes), legal holds, restrictions of access, and
the retention run that deletes what is due.

Views and ``apply_retention`` call these; nothing saves these models by hand.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import AccessLog, Case, Consent, Disclosure, FamilyMember, FormSubmission
from cases.services import case_recompute_grants
from common.dates import add_months
from conferences.models import Meeting
from cooperation.models import Cooperation, Institution, User
from reports.figures import HalfYear, figures_of

from .models import (
    TRIGGERS_BY_RECORD_TYPE,
    AccessReportRendering,
    AccessRestriction,
    DeletionRecord,
    LegalHold,
    PendingFile,
    RecordType,
    RetentionRule,
)
from .retention import (
    ONE_DAY,
    CaseFacts,
    PlanItem,
    Purged,
    case_items,
    cases_for_planning,
    day_start,
    entry_items,
    held_case_ids,
    purge,
    sitting_items,
)
from .rules import RuleBook

logger = logging.getLogger(__name__)


# --- rules: proposed by the coordination office, confirmed by the DPO ----------------------


@transaction.atomic
def rule_propose(
    *,
    cooperation: Cooperation,
    proposed_by: User,
    record_type: str,
    law: str,
    institution_kind: str,
    trigger: str,
    months: int,
    legal_source: str,
    note: str = "",
) -> RetentionRule:
    """Propose a rule; a pending proposal of the same key is replaced. Nothing changes
    until the data-protection officer confirms it (``rule_confirm``)."""
    if trigger not in TRIGGERS_BY_RECORD_TYPE[RecordType(record_type)]:
        raise ValidationError({"trigger": _("This period does not fit this kind of record.")})
    key = {
        "cooperation": cooperation,
        "record_type": record_type,
        "law": law,
        "institution_kind": institution_kind,
    }
    for pending in RetentionRule.objects.proposed().select_for_update().filter(**key):
        pending.status = RetentionRule.Status.WITHDRAWN
        pending.save()
    return RetentionRule.objects.create(
        **key,
        trigger=trigger,
        months=months,
        legal_source=legal_source,
        note=note,
        proposed_by=proposed_by,
    )


def _decide(rule: RetentionRule, decided_by: User, status: str, note: str) -> RetentionRule:
    locked = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    if locked.status != RetentionRule.Status.PROPOSED:
        raise ValidationError(_("This proposal was already decided or replaced."))
    locked.status = status
    locked.decided_by = decided_by
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save()
    return locked


@transaction.atomic
def rule_confirm(*, rule: RetentionRule, confirmed_by: User, note: str = "") -> RetentionRule:
    """The data-protection officer confirms a proposal: from now on it is in force."""
    return _decide(rule, confirmed_by, RetentionRule.Status.CONFIRMED, note)


@transaction.atomic
def rule_reject(*, rule: RetentionRule, rejected_by: User, note: str = "") -> RetentionRule:
    """The data-protection officer rejects a proposal: the rule in force stays."""
    return _decide(rule, rejected_by, RetentionRule.Status.REJECTED, note)


# --- legal holds and restrictions ----------------------------------------------------------


@transaction.atomic
def hold_place(*, case: Case, placed_by: User, reason: str) -> LegalHold:
    """Stop every deletion of ``case`` until the hold is lifted (GDPR Art. 17(3)(e), 18)."""
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if LegalHold.objects.active().filter(case=case).exists():
        raise ValidationError(_("A legal hold already stands on this case."))
    return LegalHold.objects.create(case=case, placed_by=placed_by, reason=reason)


@transaction.atomic
def hold_lift(*, hold: LegalHold, lifted_by: User, reason: str) -> LegalHold:
    """Lift a hold: the case's records are deleted again when they are due."""
    locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if not locked.is_active:
        raise ValidationError(_("This legal hold was already lifted."))
    locked.lifted_by = lifted_by
    locked.lifted_at = timezone.now()
    locked.lift_reason = reason
    locked.save()
    return locked


@transaction.atomic
def restriction_record(
    *, member: FamilyMember, institution: Institution, recorded_by: User, **fields
) -> AccessRestriction:
    """Record a refusal or restriction of the right of access with its reason (§83 Abs. 3
    Satz 1 SGB X); the access report leaves the part out and says so."""
    return AccessRestriction.objects.create(
        case=member.case,
        member=member,
        institution=institution,
        recorded_by=recorded_by,
        **fields,
    )


# --- statistics ----------------------------------------------------------------------------


def statistics_store(*, cooperation: Cooperation, today: datetime.date) -> int:
    """Store the figures of every finished half-year of ``cooperation`` that are not yet
    stored (``reports.figures.figures_of`` counts and keeps them): deletions afterwards do
    not change them. Returns how many half-years there are to keep."""
    firsts = [
        Case.objects.filter(cooperation=cooperation).aggregate(day=Min("opened_at"))["day"],
        Meeting.objects.filter(cooperation=cooperation).aggregate(day=Min("starts_at"))["day"],
    ]
    days = [timezone.localdate(value) for value in firsts if value is not None]
    days += [
        value
        for value in (
            Consent.objects.filter(case__cooperation=cooperation).aggregate(day=Min("obtained_on"))[
                "day"
            ],
            Disclosure.objects.filter(case__cooperation=cooperation).aggregate(
                day=Min("disclosed_on")
            )["day"],
        )
        if value is not None
    ]
    if not days:
        return 0
    period, current = HalfYear.containing(min(days)), HalfYear.containing(today)
    stored = 0
    while period < current:
        figures_of(cooperation, period, today)
        stored += 1
        period = HalfYear(period.year + period.half - 1, 2 if period.half == 1 else 1)
    return stored


# --- the retention run ---------------------------------------------------------------------


def _delete_files_after_commit(files: set[tuple[str, str, str]]) -> None:
    """Remember the files in the transaction; remove them once it commits."""
    for model, field_name, name in files:
        PendingFile.objects.get_or_create(model=model, field=field_name, name=name)
    if files:
        transaction.on_commit(files_delete_pending)


def files_delete_pending() -> int:
    """Remove the files of deleted rows from storage (and any left by a failed run)."""
    removed = 0
    for pending in PendingFile.objects.all():
        storage = apps.get_model(pending.model)._meta.get_field(pending.field).storage
        try:
            storage.delete(pending.name)
        except OSError:
            logger.exception("Could not remove a deleted record's file; retried next run")
            continue
        pending.delete()
        removed += 1
    return removed


def _tombstone(item: PlanItem, cooperation: Cooperation | None, purged: Purged, count: int):
    return DeletionRecord.objects.create(
        cooperation=cooperation,
        record_type=item.record_type,
        reference=item.reference,
        institution=item.institution,
        count=count,
        details=purged.details() if purged else {},
        first_date=item.first_date,
        last_date=item.last_date,
        due_on=item.due_on,
        rule=item.rule.row,
        rule_text=item.rule.describe(),
        legal_source=item.rule.legal_source,
    )


def _delete_items(items: list[PlanItem], cooperation: Cooperation | None) -> None:
    for item in items:
        purged = purge(item.seeds)
        _delete_files_after_commit(purged.files)
        _tombstone(item, cooperation, purged, item.count)


def case_apply_retention(
    *, case_id: int, today: datetime.date, book: RuleBook, commit: bool
) -> list[PlanItem]:
    """Delete what of one case is due, in one transaction: the whole file when it is due,
    otherwise the records whose own period ended. Returns what was (or would be) deleted.

    The case row is locked and its plan read again inside the transaction, so a legal hold
    placed a moment ago is respected.
    """
    with transaction.atomic():
        cases = Case.objects.select_for_update() if commit else Case.objects
        if not cases.filter(pk=case_id).exists():
            return []
        case = cases_for_planning(pk=case_id).get()
        held = LegalHold.objects.active().filter(case_id=case_id).exists()
        whole, early = CaseFacts(case, book, today, held).plan()
        due = [whole] if whole.is_due(today) else [i for i in early if i.is_due(today)]
        if not due or not commit:
            return due
        _delete_items(due, case.cooperation)
        regrant = {RecordType.CONSENT, RecordType.DISCLOSURE}
        if not whole.is_due(today) and any(item.record_type in regrant for item in due):
            # The grants of deleted consents and disclosures went with them.
            case_recompute_grants(case=Case.objects.get(pk=case_id))
        return due


@dataclass
class RunResult:
    items: list[PlanItem] = field(default_factory=list)
    statistics: int = 0
    files: int = 0
    expired: int = 0


# Claimed form tokens only tell a double click from a new entry: a week is plenty.
FORM_TOKENS_KEPT = datetime.timedelta(days=7)


def expired_copies_delete(*, now: datetime.datetime) -> int:
    """Working copies that outlive their use, whatever the retention rules: claimed form
    tokens older than ``FORM_TOKENS_KEPT`` and access reports handed out longer ago than
    ``AccessReportRendering.KEPT`` (with their files)."""
    tokens, _by_model = FormSubmission.objects.filter(
        created_at__lt=now - FORM_TOKENS_KEPT
    ).delete()
    return tokens + AccessReportRendering.remove_expired(now)


def retention_apply(*, today: datetime.date, commit: bool) -> RunResult:
    """Delete everything that is due on ``today`` (a dry run unless ``commit``).

    For each cooperation: first the figures of every finished half-year are stored, then
    each case is handled in its own transaction, then access-log entries, notifications
    and committee sittings. Held cases are left alone, with their log entries.
    """
    result = RunResult()
    if commit:
        result.files += files_delete_pending()
        result.expired += expired_copies_delete(now=day_start(today))
    for cooperation in Cooperation.objects.order_by("pk"):
        book = RuleBook(cooperation)
        if commit:
            result.statistics += statistics_store(cooperation=cooperation, today=today)
        held = held_case_ids(cooperation)
        # The plan read in bulk finds the cases with something due; each is then planned
        # again, locked, in its own transaction.
        due, _undetermined = case_items(cooperation, book, today, today, held)
        for case_id in sorted({item.case_id for item in due if not item.held}):
            result.items += case_apply_retention(
                case_id=case_id, today=today, book=book, commit=commit
            )
        for item in entry_items(cooperation, book, today, held):
            result.items.append(item)
            if commit:
                with transaction.atomic():
                    # A queryset delete: the sanctioned way past AccessLog.delete(), which
                    # refuses so that nobody removes a single entry by hand.
                    item.queryset.delete()
                    _tombstone(item, cooperation, None, item.count)
        for item in sitting_items(cooperation, book, today):
            result.items.append(item)
            if commit:
                with transaction.atomic():
                    _delete_items([item], cooperation)
    result.items += _entries_outside_cooperations(today, commit)
    return result


def _entries_outside_cooperations(today: datetime.date, commit: bool) -> list[PlanItem]:
    """Access-log entries of IT operations outside any case (e.g. the admin's case list):
    by the default rule, as they belong to no cooperation."""
    rule = RuleBook(None).for_institution(RecordType.ACCESS_LOG, None)
    cutoff = day_start(add_months(today, -rule.months) + ONE_DAY)
    rows = AccessLog.objects.filter(institution__isnull=True, case__isnull=True, at__lt=cutoff)
    span = rows.aggregate(first=Min("at"), last=Max("at"), n=Count("pk"))
    if not span["n"]:
        return []
    first = timezone.localdate(span["first"])
    item = PlanItem(
        RecordType.ACCESS_LOG,
        rule,
        rule.due(first),
        span["n"],
        first_date=first,
        last_date=timezone.localdate(span["last"]),
    )
    if commit:
        with transaction.atomic():
            rows.delete()
            _tombstone(item, None, None, item.count)
    return [item]
