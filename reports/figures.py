"""The half-yearly figures for the Kooperationsgremium: counted, then suppressed.

The committee sees institutional, aggregate figures only, never a family (DOMAIN.md).
This module is therefore the one place that counts cases, consents, disclosures and
conferences without the gateway ``cases.permissions``: it reads numbers, never rows, and
hands out only a suppressed :class:`Report`. ``count_figures`` (the raw counts) is for
this module and its tests; views, PDF, CSV and charts get ``build_report``'s result.

Small-count suppression, so that no family can be recognised:

- every count from 1 to 4 is shown as "<5"; 0 is shown as 0 (that no family was
  counted identifies nobody, and "<5" for nothing would mislead the committee);
- a median computed from fewer than 5 values is not shown;
- there are no totals (no sums of rows or columns): with a total, a single "<5" cell could
  be computed back from the others, and secondary suppression would hide more cells of
  tables this small than it would show. No figure of the report is the sum of others.

Not covered: differencing across reports. Per kind, "open" at one half-year's end plus
the next half-year's "opened" minus its "closed" gives that half-year's "open", so with
three of these shown exactly a "<5" among them can be worked out from two consecutive
reports (as long as no case changed its lead or was reopened). Only rounding every
figure would close that, at the price of every exact count.

Every figure is counted with a fixed number of queries, however many rows there are.
"""

import datetime
import re
import statistics
from dataclasses import asdict, dataclass
from typing import ClassVar

from django.db.models import Case as DbCase
from django.db.models import Count, DateTimeField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.db.models.lookups import GreaterThan, IsNull
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Case, Consent, Disclosure
from cases.services import CONFERENCE_INTERVAL_MONTHS
from common.dates import add_months
from conferences.models import Action, Meeting
from cooperation.models import Cooperation, Institution

from .models import StoredFigures

THRESHOLD = 5
SUPPRESSED = "<5"
ONE_DAY = datetime.timedelta(days=1)
HELD_STATES = (Meeting.State.HELD, Meeting.State.CIRCULATED, Meeting.State.APPROVED)
# The coordination office never leads a case; every other kind is a row, even when empty,
# so that the table's shape does not depend on (and reveal) the data.
LEAD_KINDS = tuple(kind for kind in Institution.Kind if kind != Institution.Kind.KOORDINATION)


# --- the period ---------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class HalfYear:
    """H1 is January to June, H2 July to December; written ``2026-2`` in URLs."""

    year: int
    half: int

    PATTERN: ClassVar[re.Pattern] = re.compile(r"^(\d{4})-([12])$")

    @classmethod
    def containing(cls, day: datetime.date) -> "HalfYear":
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse(cls, value: str) -> "HalfYear":
        match = cls.PATTERN.match(value or "")
        if match is None:
            raise ValueError(f"Not a half-year: {value!r}")
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.year}-{self.half}"

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> datetime.date:
        return (
            datetime.date(self.year, 6, 30) if self.half == 1 else datetime.date(self.year, 12, 31)
        )

    @property
    def label(self) -> str:
        return _("%(half)s. half-year %(year)s") % {"half": self.half, "year": self.year}

    def previous(self) -> "HalfYear":
        return HalfYear(self.year, 1) if self.half == 2 else HalfYear(self.year - 1, 2)

    def reference_day(self, today: datetime.date) -> datetime.date:
        """The day whose end the stock figures describe: the period's last day, or today
        while the period is running."""
        return min(self.end, today)


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in Berlin (the project's time zone)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def earliest_base(limit: datetime.date, months: int) -> datetime.date:
    """The first day ``x`` with ``add_months(x, months) >= limit``.

    A date counted from ``x`` (``add_months`` never decreases with ``x``) lies before
    ``limit`` exactly when ``x`` lies before this day, so "due before" turns into a plain
    comparison the database can make.
    """
    day = add_months(limit, -months)
    while add_months(day - ONE_DAY, months) >= limit:
        day -= ONE_DAY
    while add_months(day, months) < limit:
        day += ONE_DAY
    return day


# --- the raw counts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Raw counts of one cooperation and half-year. Never shown: see ``build_report``."""

    cases: dict[str, dict[str, int]]  # lead institution kind -> opened, closed, open
    conferences: dict[str, int]  # held, due, overdue
    intervals: list[int]  # days between consecutive held conferences of a case
    consents: dict[str, int]  # given, revoked, expired
    disclosures: dict[str, int]  # legal basis -> count
    actions: dict[str, int]  # done, overdue


def _last_held_before(after: datetime.datetime) -> Subquery:
    """When the outer case's last Beteiligtenkonferenz before ``after`` began (or NULL).

    One probe of the partial index ``meeting_case_held`` (case, starts_at descending).
    """
    return Subquery(
        Meeting.objects.filter(
            case=OuterRef("pk"),
            kind=Meeting.Kind.CASE_CONFERENCE,
            state__in=HELD_STATES,
            starts_at__lt=after,
        )
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )


def _open_on(day: datetime.date) -> Q:
    """The case was open at the end of ``day``."""
    return Q(opened_at__lt=_day_start(day + ONE_DAY)) & (
        Q(closed_on__isnull=True) | Q(closed_on__gt=day)
    )


def _due_before(day: datetime.date, limit: datetime.date, interval_months: int) -> Q:
    """The case's next conference, as it stood at the end of ``day``, was due before ``limit``.

    A case stores only its current due date (``conference_due_on``: six months after
    opening, an interval after each conference held, or what the lead set) and the day of
    its last conference held (``last_conference_held_on``, both kept by the conferences
    app). While no conference has been held since ``day``, the stored date is the one
    that stood then: two columns decide. Once one was held later, the date that stood at
    ``day`` is rebuilt as the conferences app sets it: an interval after the last
    conference held by then, or six months after opening. Only for those cases is the
    last conference held by then looked up (one index probe each, skipped for every other
    case). So a half-year's figures stay the same when its report is printed again later.
    """
    held_since = Q(last_conference_held_on__gt=day)
    stored = ~held_since & Q(conference_due_on__lt=limit)
    early_day = earliest_base(limit, interval_months)
    opened_early = Q(opened_at__lt=_day_start(earliest_base(limit, CONFERENCE_INTERVAL_MONTHS)))
    after = _day_start(day + ONE_DAY)
    if early_day > day:
        # Every conference held by ``day`` began before ``early_day``: the rebuilt date
        # lies before ``limit`` whenever one was held by then, and for a case without one
        # whenever it was opened early. A case opened early is due either way; only a
        # case opened later needs the probe, to learn whether one was held by then. So a
        # running half-year costs one probe per case opened in it with a conference held
        # since, not one per case with a conference held since.
        probed = held_since & ~opened_early
        last_by_then = DbCase(
            When(probed, then=_last_held_before(after)), default=None, output_field=DateTimeField()
        )
        rebuilt = held_since & (opened_early | Q(IsNull(last_by_then, False)))
    else:
        # NULL unless a conference was held since ``day``: CASE keeps the probe from running.
        last_by_then = DbCase(
            When(held_since, then=_last_held_before(after)),
            default=None,
            output_field=DateTimeField(),
        )
        early = _day_start(early_day)
        rebuilt = held_since & (
            Q(GreaterThan(Value(early), last_by_then))
            | (Q(IsNull(last_by_then, True)) & opened_early)
        )
    return stored | rebuilt


def count_figures(
    cooperation: Cooperation, period: HalfYear, today: datetime.date | None = None
) -> Figures:
    """Count everything the report shows, in six queries (however many rows there are)."""
    today = today or timezone.localdate()
    first, last = period.start, period.end
    day = period.reference_day(today)
    begins, ends = _day_start(first), _day_start(last + ONE_DAY)

    # 1. Cases by the kind of their (current) lead institution.
    cases = {kind: {"opened": 0, "closed": 0, "open": 0} for kind in LEAD_KINDS}
    rows = (
        Case.objects.filter(cooperation=cooperation)
        .order_by()
        .values("lead_institution__kind")
        .annotate(
            opened=Count("pk", filter=Q(opened_at__gte=begins, opened_at__lt=ends)),
            closed=Count("pk", filter=Q(closed_on__gte=first, closed_on__lte=day)),
            open=Count("pk", filter=_open_on(day)),
        )
    )
    for row in rows:
        cases[row.pop("lead_institution__kind")] = row

    # 2. Conferences held in the half-year, each with the one held before it in its case,
    # as one row per interval in days (Berlin days, as ``timezone.localdate`` gives them)
    # with its number of conferences: the rows are as many as the distinct intervals,
    # however many conferences there are. The median is taken here, since SQLite has no
    # median aggregate; the histogram gives it exactly.
    previous = (
        Meeting.objects.filter(
            case=OuterRef("case"),
            kind=Meeting.Kind.CASE_CONFERENCE,
            state__in=HELD_STATES,
            starts_at__lt=OuterRef("starts_at"),
        )
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    histogram = (
        Meeting.objects.filter(
            cooperation=cooperation,
            kind=Meeting.Kind.CASE_CONFERENCE,
            state__in=HELD_STATES,
            starts_at__gte=begins,
            starts_at__lt=ends,
        )
        .order_by()
        .annotate(gap=TruncDate("starts_at") - TruncDate(Subquery(previous)))
        .values("gap")
        .annotate(n=Count("pk"))
        .values_list("gap", "n")
    )
    held = 0
    intervals: list[int] = []
    # A case's first conference has no interval (``gap`` is NULL) but counts as held.
    for gap, n in sorted(histogram, key=lambda row: (row[0] is None, row[0])):
        held += n
        if gap is not None:
            intervals += [gap.days] * n

    # 3. Conferences due and overdue, among the cases open at the reference day.
    months = cooperation.conference_interval_months
    open_then = _open_on(day)
    conferences = Case.objects.filter(cooperation=cooperation).aggregate(
        # Due by the half-year's end, as the due date stood when the half-year began.
        due=Count("pk", filter=open_then & _due_before(first - ONE_DAY, last + ONE_DAY, months)),
        overdue=Count("pk", filter=open_then & _due_before(day, day, months)),
    )
    conferences["held"] = held

    # 4. Consents. A correction (``replaces``) is the consent it corrects, not a new one.
    Status = Consent.Status
    consents = Consent.objects.filter(case__cooperation=cooperation).aggregate(
        given=Count(
            "pk",
            filter=Q(
                status__in=[Status.GIVEN, Status.REVOKED, Status.INVALIDATED],
                replaces__isnull=True,
                obtained_on__gte=first,
                obtained_on__lte=last,
            ),
        ),
        revoked=Count(
            "pk", filter=Q(status=Status.REVOKED, revoked_on__gte=first, revoked_on__lte=last)
        ),
        # Expired: valid until the day before; from the half-year's first day to the
        # reference day (revoked only after it had expired still counts as expired).
        expired=Count(
            "pk",
            filter=Q(valid_until__gte=first - ONE_DAY, valid_until__lt=day)
            & (Q(status=Status.GIVEN) | Q(status=Status.REVOKED, revoked_on__gt=F("valid_until"))),
        ),
    )

    # 5. Disclosures without consent by legal basis.
    disclosures = dict.fromkeys(Disclosure.Basis.values, 0)
    disclosures |= dict(
        Disclosure.objects.filter(
            case__cooperation=cooperation, disclosed_on__gte=first, disclosed_on__lte=last
        )
        .order_by()
        .values("basis")
        .annotate(n=Count("pk"))
        .values_list("basis", "n")
    )

    # 6. Agreed actions of Beteiligtenkonferenzen. Overdue at the reference day: due
    # before it and not done by its end (a dropped action is neither).
    actions = Action.objects.filter(
        meeting__cooperation=cooperation, meeting__kind=Meeting.Kind.CASE_CONFERENCE
    ).aggregate(
        done=Count(
            "pk", filter=Q(status=Action.Status.DONE, done_on__gte=first, done_on__lte=last)
        ),
        overdue=Count(
            "pk",
            filter=Q(due_on__lt=day)
            & (Q(status=Action.Status.OPEN) | Q(status=Action.Status.DONE, done_on__gt=day)),
        ),
    )

    return Figures(
        cases=cases,
        conferences=conferences,
        intervals=intervals,
        consents=consents,
        disclosures=disclosures,
        actions=actions,
    )


# --- suppression and the report -----------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A figure as shown: ``value`` is None when it is suppressed."""

    value: int | None
    text: str

    @property
    def suppressed(self) -> bool:
        return self.value is None


def count_cell(count: int) -> Cell:
    """1 to 4 become "<5"; 0 and 5 upwards are shown as they are."""
    if 0 < count < THRESHOLD:
        return Cell(None, SUPPRESSED)
    return Cell(count, str(count))


def median_cell(days: list[int]) -> Cell:
    """The median in whole days (and months), or nothing from fewer than five values."""
    if len(days) < THRESHOLD:
        return Cell(None, str(_("not shown (fewer than 5 intervals)")))
    median = round(statistics.median(days))
    months = number_format(median / (365.25 / 12), decimal_pos=1)
    return Cell(
        median,
        str(_("%(days)s days (%(months)s months)"))
        % {
            "days": median,
            "months": months,
        },
    )


@dataclass(frozen=True)
class Line:
    key: str
    label: str | Promise
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    """One section of the report: rows of suppressed counts under named columns."""

    key: str
    title: str | Promise
    row_header: str | Promise
    columns: tuple[str | Promise, ...]
    lines: tuple[Line, ...]
    explanation: str | Promise


@dataclass(frozen=True)
class Report:
    cooperation: Cooperation
    period: HalfYear
    reference_day: datetime.date
    tables: tuple[Table, ...]
    median_interval: Cell

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


COUNT = pgettext_lazy("column of a table", "Number")
CASE_COLUMNS = {
    "opened": _("opened"),
    "closed": _("closed"),
    "open": _("open at the reference day"),
}
CONFERENCE_ROWS = {
    "held": _("held in the half-year"),
    "due": _("due by the half-year's end"),
    "overdue": _("overdue at the reference day"),
}
CONSENT_ROWS = {
    "given": _("given"),
    "revoked": _("revoked"),
    "expired": _("expired"),
}
MEDIAN_LABEL = _("Median interval between consecutive conferences of a case")
DAYS = _("days")
ACTION_ROWS = {
    "done": _("done in the half-year"),
    "overdue": _("overdue at the reference day"),
}


def _single(key, title, row_header, labels, counts, explanation) -> Table:
    lines = tuple(Line(k, label, (count_cell(counts[k]),)) for k, label in labels.items())
    return Table(key, title, row_header, (COUNT,), lines, explanation)


def figures_of(
    cooperation: Cooperation, period: HalfYear, today: datetime.date | None = None
) -> Figures:
    """The counts of ``period``: counted now while it runs, read from ``StoredFigures``
    once it has ended (counted and stored the first time they are asked for)."""
    today = today or timezone.localdate()
    if period.end >= today:
        return count_figures(cooperation, period, today)
    stored = StoredFigures.objects.filter(cooperation=cooperation, period=str(period)).first()
    if stored is None:
        figures = count_figures(cooperation, period, today)
        stored, _created = StoredFigures.objects.get_or_create(
            cooperation=cooperation, period=str(period), defaults={"counts": asdict(figures)}
        )
    return Figures(**stored.counts)


def _kind_order(kind: str) -> tuple[int, str]:
    values = Institution.Kind.values
    return (values.index(kind) if kind in values else len(values), kind)


def build_report(
    cooperation: Cooperation, period: HalfYear, today: datetime.date | None = None
) -> Report:
    """The suppressed report of one cooperation and half-year: all anyone gets to see."""
    today = today or timezone.localdate()
    figures = figures_of(cooperation, period, today)
    kinds = dict(Institution.Kind.choices)
    cases = Table(
        "cases",
        _("Cases by the kind of their lead institution"),
        _("Lead institution"),
        tuple(CASE_COLUMNS.values()),
        tuple(
            Line(
                kind,
                kinds.get(kind, kind),
                tuple(count_cell(counts[column]) for column in CASE_COLUMNS),
            )
            # In the order of the kinds: stored counts come back from a JSON column,
            # whose keys PostgreSQL does not keep in order.
            for kind in sorted(figures.cases, key=_kind_order)
            for counts in (figures.cases[kind],)
        ),
        _(
            "Opened and closed in the half-year; open at the end of the reference day. "
            "A case counts under the kind of its current lead institution."
        ),
    )
    conferences = _single(
        "conferences",
        _("Beteiligtenkonferenzen"),
        _("Conferences"),
        CONFERENCE_ROWS,
        figures.conferences,
        _(
            "Held: conferences held in the half-year. Due: cases open at the reference day "
            "whose next conference, as it stood when the half-year began, was due by its "
            "end. Overdue: cases open at the reference day whose due date had passed then "
            "(each case counted once)."
        ),
    )
    consents = _single(
        "consents",
        _("Consents (releases from confidentiality)"),
        _("Consents"),
        CONSENT_ROWS,
        figures.consents,
        _(
            "Given, revoked or expired in the half-year (expired: the day after the last "
            "day of validity, up to the reference day). A corrected consent counts once."
        ),
    )
    disclosures = _single(
        "disclosures",
        _("Disclosures without consent by legal basis"),
        _("Legal basis"),
        dict(Disclosure.Basis.choices),
        figures.disclosures,
        _("Disclosures recorded with a date in the half-year."),
    )
    actions = _single(
        "actions",
        _("Agreed actions of the Beteiligtenkonferenzen"),
        _("Agreed actions"),
        ACTION_ROWS,
        figures.actions,
        _(
            "Done: marked done with a date in the half-year. Overdue: due before the "
            "reference day and not done by its end. Dropped actions are not counted."
        ),
    )
    return Report(
        cooperation=cooperation,
        period=period,
        reference_day=period.reference_day(today),
        tables=(cases, conferences, consents, disclosures, actions),
        median_interval=median_cell(figures.intervals),
    )
