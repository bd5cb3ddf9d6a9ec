"""The retention rules: the defaults with their legal source, and the rule in force.

A rule is written for a kind of record (``RecordType``), a data protection law (GDPR and
SGB X for public bodies, KDG for Catholic, DSG-EKD for Protestant institutions) and
optionally a kind of institution. The rule in force for a record is found from the
institution that recorded it: its own kind first, then every kind under its law; at each
step a rule the cooperation confirmed wins over the default below.

The defaults are proposals that a cooperation's data-protection officer checks; they
cite their source, and where no statute fixes a period they say so. Nothing here is
legal advice (README, "Retention, Art. 15 and Art. 30").
"""

import datetime
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.dates import add_months
from cooperation.models import Cooperation, Institution

from .models import RecordType, RetentionRule, Trigger

Law = Institution.DataProtectionLaw
Kind = Institution.Kind
YOUTH_WELFARE = (Kind.JUGENDAMT_KREIS, Kind.JUGENDAMT_STADT)
ANY_KIND = ""

# Legal sources, per law. KDG and DSG-EKD mirror the GDPR's storage limitation and right
# to erasure in their own words.
ERASURE = {
    Law.GDPR: "Art. 5 Abs. 1 lit. e, Art. 17 Abs. 1 lit. a DSGVO; § 84 SGB X",
    Law.KDG: "§ 7 Abs. 1 lit. e, § 19 KDG",
    Law.DSG_EKD: "§§ 5, 21 DSG-EKD",
}
HZE = "§ 9b Abs. 2 Nr. 1 SGB VIII (seit 1.7.2025)"
CONSENT_PROOF = {
    Law.GDPR: "Art. 7 Abs. 1 DSGVO; § 67b SGB X; Verjährung § 195 BGB",
    Law.KDG: "§ 8 KDG; Verjährung § 195 BGB",
    Law.DSG_EKD: "§ 11 DSG-EKD; Verjährung § 195 BGB",
}
DISCLOSURE_PROOF = {
    Law.GDPR: "Art. 5 Abs. 2 DSGVO; § 4 KKG, § 8a SGB VIII, § 65 SGB VIII",
    Law.KDG: "§ 7 KDG (Rechenschaftspflicht); § 4 KKG",
    Law.DSG_EKD: "§ 5 DSG-EKD (Rechenschaftspflicht); § 4 KKG",
}
ACCOUNTABILITY = {
    Law.GDPR: "Art. 5 Abs. 2, Art. 32 DSGVO",
    Law.KDG: "KDG, entsprechend Art. 5 Abs. 2, Art. 32 DSGVO",
    Law.DSG_EKD: "DSG-EKD, entsprechend Art. 5 Abs. 2, Art. 32 DSGVO",
}

HZE_NOTE = _(
    "Files of Hilfen zur Erziehung, Eingliederungshilfe, residential care and guardianship "
    "are kept for 70 years after the 30th birthday of the person who received the help. "
    "KispFam counts from the family's youngest child; without a child's date of birth the "
    "period cannot be computed and the case is not deleted automatically. Where a youth "
    "welfare office provided no such help, a shorter rule may apply."
)
PURPOSE_NOTE = _(
    "Deleted once the purpose has ended: when the institution stops working with the "
    "family (its involvement ends) or the case is closed. Duties to keep records outside "
    "KispFam (e.g. a physician's) are not affected."
)
WITH_FILE_NOTE = _("Part of the youth welfare office's file: kept as long as the case file.")
CONSENT_NOTE = _(
    "A consent must stay provable as long as data shared on its basis may be questioned. "
    "Three years after its end (revoked, expired, refused or corrected) follows the "
    "regular limitation period; no statute fixes this period."
)
DISCLOSURE_NOTE = _(
    "Documents the legal basis of a disclosure without consent. Three years after it is "
    "a proposal; no statute fixes this period."
)
CONFERENCE_NOTE = _(
    "The protocol belongs to the file of the institution that organised the conference "
    "(the case's lead) and is kept as long as that file."
)
ACCESS_LOG_NOTE = _(
    "No statute fixes how long access logs are kept. Two years is a proposal: long enough "
    "to answer a request for access and to check a complaint. The entries of a case are "
    "deleted with the case."
)
NOTIFICATION_NOTE = _(
    "A notification only informs; what it reports stays documented with the consent. "
    "One year is a proposal."
)
COMMITTEE_NOTE = _(
    "Sittings of the committee hold no family data, only the names of the professionals "
    "present. Ten years is a proposal; where the state's archive law asks for it, offer "
    "the records to the public archive before they are deleted."
)


@dataclass(frozen=True)
class Default:
    record_type: str
    kinds: tuple[str, ...]  # empty: every kind without a default of its own
    trigger: str
    months: int
    sources: dict[str, str] | str
    note: Promise

    def source(self, law: str) -> str:
        return self.sources if isinstance(self.sources, str) else self.sources[law]


DEFAULTS = (
    Default(RecordType.CASE, YOUTH_WELFARE, Trigger.AGE_30, 70 * 12, HZE, HZE_NOTE),
    Default(RecordType.CASE, (), Trigger.PURPOSE_ENDED, 0, ERASURE, PURPOSE_NOTE),
    Default(RecordType.CONSENT, YOUTH_WELFARE, Trigger.WITH_CASE, 0, HZE, WITH_FILE_NOTE),
    Default(RecordType.CONSENT, (), Trigger.RECORD_DATE, 36, CONSENT_PROOF, CONSENT_NOTE),
    Default(RecordType.DISCLOSURE, YOUTH_WELFARE, Trigger.WITH_CASE, 0, HZE, WITH_FILE_NOTE),
    Default(RecordType.DISCLOSURE, (), Trigger.RECORD_DATE, 36, DISCLOSURE_PROOF, DISCLOSURE_NOTE),
    Default(RecordType.CONFERENCE, (), Trigger.WITH_CASE, 0, ERASURE, CONFERENCE_NOTE),
    Default(RecordType.NOTE, YOUTH_WELFARE, Trigger.WITH_CASE, 0, HZE, WITH_FILE_NOTE),
    Default(RecordType.NOTE, (), Trigger.PURPOSE_ENDED, 0, ERASURE, PURPOSE_NOTE),
    Default(RecordType.ACCESS_LOG, (), Trigger.RECORD_DATE, 24, ACCOUNTABILITY, ACCESS_LOG_NOTE),
    Default(RecordType.NOTIFICATION, (), Trigger.RECORD_DATE, 12, ERASURE, NOTIFICATION_NOTE),
    Default(RecordType.COMMITTEE, (), Trigger.RECORD_DATE, 120, ERASURE, COMMITTEE_NOTE),
)
DEFAULTS_BY_KEY: dict[tuple[str, str], Default] = {
    (default.record_type, kind): default
    for default in DEFAULTS
    for kind in (default.kinds or (ANY_KIND,))
}


def period_text(months: int) -> str:
    """The period in words: 70 years, 18 months, immediately."""
    if months == 0:
        return str(_("immediately"))
    if months % 12 == 0:
        return ngettext("%(n)s year", "%(n)s years", months // 12) % {"n": months // 12}
    return ngettext("%(n)s month", "%(n)s months", months) % {"n": months}


@dataclass(frozen=True)
class Rule:
    """The rule in force for one key: the cooperation's confirmed rule or the default."""

    record_type: str
    law: str
    institution_kind: str
    trigger: str
    months: int
    legal_source: str
    note: str | Promise = ""
    row: RetentionRule | None = field(default=None, compare=False)

    @property
    def is_default(self) -> bool:
        return self.row is None

    @property
    def follows_case(self) -> bool:
        return self.trigger == Trigger.WITH_CASE

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.record_type, self.law, self.institution_kind)

    def describe(self) -> str:
        """In words: "70 years after the 30th birthday of the family's youngest child"."""
        trigger = Trigger(self.trigger).label
        if self.follows_case:
            return str(trigger)
        return f"{period_text(self.months)} {trigger}"

    def due(self, anchor: datetime.date | None) -> datetime.date | None:
        """The day from which a record anchored on ``anchor`` may be deleted."""
        return add_months(anchor, self.months) if anchor else None


def _from_row(row: RetentionRule) -> Rule:
    return Rule(
        row.record_type,
        row.law,
        row.institution_kind,
        row.trigger,
        row.months,
        row.legal_source,
        row.note,
        row,
    )


def default_rule(record_type: str, law: str, kind: str = ANY_KIND) -> Rule | None:
    default = DEFAULTS_BY_KEY.get((record_type, kind))
    if default is None:
        return None
    return Rule(
        record_type, law, kind, default.trigger, default.months, default.source(law), default.note
    )


class RuleBook:
    """The rules in force for one cooperation, read once."""

    def __init__(self, cooperation: Cooperation | None):
        rows = (
            RetentionRule.objects.confirmed()
            .filter(cooperation=cooperation)
            .order_by("decided_at", "pk")
            if cooperation is not None
            else RetentionRule.objects.none()
        )
        # The newest confirmed rule of a key is in force.
        self.configured = {(r.record_type, r.law, r.institution_kind): r for r in rows}

    def rule_for_key(self, record_type: str, law: str, kind: str) -> Rule | None:
        row = self.configured.get((record_type, law, kind))
        return _from_row(row) if row else default_rule(record_type, law, kind)

    def rule(self, record_type: str, law: str, kind: str) -> Rule:
        """The rule for a record of ``record_type`` kept by an institution of ``kind``
        under ``law``: its kind's own rule, else the rule for every kind."""
        for candidate in (kind, ANY_KIND):
            rule = self.rule_for_key(record_type, law, candidate)
            if rule is not None:
                return rule
        raise LookupError((record_type, law, kind))

    def for_institution(self, record_type: str, institution: Institution | None) -> Rule:
        if institution is None:
            return self.rule(record_type, Law.GDPR, ANY_KIND)
        return self.rule(record_type, institution.data_protection_law, institution.kind)

    def keys(self, extra=()) -> list[tuple[str, str, str]]:
        """Every key with a default or a rule of the cooperation (and ``extra`` keys, e.g.
        of pending proposals), in a stable order: by law, kind of record, institution."""
        keys = {(record_type, law, kind) for (record_type, kind) in DEFAULTS_BY_KEY for law in Law}
        keys |= set(self.configured) | set(extra)
        types, laws, kinds = list(RecordType), list(Law), [ANY_KIND, *Kind]
        return sorted(keys, key=lambda k: (laws.index(k[1]), types.index(k[0]), kinds.index(k[2])))
