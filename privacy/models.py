"""Retention rules, legal holds, restrictions of the right of access, and the deletion log.

Retention (GDPR Art. 5(1)(e) and 17, §84 SGB X, §9b SGB VIII; KDG and DSG-EKD alike): each
kind of record is kept for a period that depends on the kind of record and on the law and
kind of the institution that recorded it. The defaults live in ``privacy.rules`` with their
legal source; a cooperation's coordination office proposes a different rule and it takes
effect only once the data-protection officer confirms it. ``apply_retention`` deletes what
is due and leaves a ``DeletionRecord`` (a tombstone without family data) behind.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, FamilyMember
from common.pending import Rendering
from common.uploads import private_storage
from cooperation.models import Cooperation, Institution


class RecordType(models.TextChoices):
    """The kinds of record a retention rule is written for."""

    CASE = "case", _("Case file (case, family members, health data, involvements)")
    CONSENT = "consent", _("Consents and their scans")
    DISCLOSURE = "disclosure", _("Disclosures without consent")
    CONFERENCE = "conference", _("Beteiligtenkonferenzen and their frozen protocols")
    NOTE = "note", _("Progress notes")
    ACCESS_LOG = "access_log", _("Access-log entries")
    NOTIFICATION = "notification", _("Notifications")
    COMMITTEE = "committee", _("Committee sittings and their minutes")


class Trigger(models.TextChoices):
    """From when a retention period runs (``TRIGGER_HELP`` says it at length)."""

    WITH_CASE = "with_case", _("as long as the case file")
    CASE_CLOSED = "case_closed", _("after the case was closed")
    PURPOSE_ENDED = "purpose_ended", _("after the purpose ended")
    RECORD_DATE = "record_date", _("after the record's date")
    AGE_30 = "age_30", _("after the 30th birthday of the youngest child")


TRIGGER_HELP = {
    Trigger.WITH_CASE: _("Deleted together with the case file, whenever that is due."),
    Trigger.CASE_CLOSED: _("The period runs from the day the case was closed."),
    Trigger.PURPOSE_ENDED: _(
        "The period runs from the day the institution stopped working with the family (its "
        "involvement ended) or the case was closed, whichever came first; for the lead "
        "institution from the closing of the case."
    ),
    Trigger.RECORD_DATE: _(
        "The period runs from the record's own date: the end of a consent (revoked, "
        "expired, refused or corrected), the day of a disclosure, note, conference or "
        "sitting, the time of an access-log entry or notification."
    ),
    Trigger.AGE_30: _(
        "The period runs from the 30th birthday of the family's youngest child (§9b SGB "
        "VIII). Without a date of birth for every child it cannot be computed, and the case "
        "is not deleted automatically."
    ),
}


# Which periods make sense for which record: the case file is the container and has no
# "with the case"; log entries, notifications and sittings have only their own date.
TRIGGERS_BY_RECORD_TYPE = {
    RecordType.CASE: (Trigger.CASE_CLOSED, Trigger.PURPOSE_ENDED, Trigger.AGE_30),
    RecordType.CONSENT: (
        Trigger.WITH_CASE,
        Trigger.CASE_CLOSED,
        Trigger.PURPOSE_ENDED,
        Trigger.RECORD_DATE,
    ),
    RecordType.DISCLOSURE: (
        Trigger.WITH_CASE,
        Trigger.CASE_CLOSED,
        Trigger.PURPOSE_ENDED,
        Trigger.RECORD_DATE,
    ),
    RecordType.CONFERENCE: (
        Trigger.WITH_CASE,
        Trigger.CASE_CLOSED,
        Trigger.PURPOSE_ENDED,
        Trigger.RECORD_DATE,
    ),
    RecordType.NOTE: (
        Trigger.WITH_CASE,
        Trigger.CASE_CLOSED,
        Trigger.PURPOSE_ENDED,
        Trigger.RECORD_DATE,
    ),
    RecordType.ACCESS_LOG: (Trigger.RECORD_DATE,),
    RecordType.NOTIFICATION: (Trigger.RECORD_DATE,),
    RecordType.COMMITTEE: (Trigger.RECORD_DATE,),
}
# 100 years: the longest period any rule may set (§9b SGB VIII needs 70 after the 30th
# birthday).
MAX_MONTHS = 1200


class RetentionRuleQuerySet(models.QuerySet):
    def confirmed(self) -> "RetentionRuleQuerySet":
        return self.filter(status=RetentionRule.Status.CONFIRMED)

    def proposed(self) -> "RetentionRuleQuerySet":
        return self.filter(status=RetentionRule.Status.PROPOSED)


class RetentionRule(models.Model):
    """A cooperation's own retention rule for one kind of record and institution law.

    Proposed by the coordination office, in force once the data-protection officer of the
    same cooperation confirmed it (four eyes). A rule is never edited: a change is a new
    proposal, and the newest confirmed rule of a key is the one in force. Where a
    cooperation has none, the default of ``privacy.rules`` applies.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed, awaiting the data-protection officer")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("replaced by a newer proposal")

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.PROTECT, related_name="+", verbose_name=_("cooperation")
    )
    record_type = models.CharField(_("kind of record"), max_length=20, choices=RecordType.choices)
    law = models.CharField(
        _("data protection law"), max_length=10, choices=Institution.DataProtectionLaw.choices
    )
    # Blank: every kind of institution under this law without a rule of its own.
    institution_kind = models.CharField(
        _("kind of institution"), max_length=30, choices=Institution.Kind.choices, blank=True
    )
    trigger = models.CharField(_("period runs"), max_length=20, choices=Trigger.choices)
    months = models.PositiveIntegerField(_("period in months"))
    legal_source = models.CharField(_("legal source"), max_length=500)
    note = models.TextField(_("explanation"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or rejected by"),
    )
    decided_at = models.DateTimeField(_("confirmed or rejected at"), null=True, blank=True)
    decision_note = models.TextField(_("reason for the decision"), blank=True)
    history = HistoricalRecords()

    objects = RetentionRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["cooperation", "record_type", "law", "institution_kind", "-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "record_type", "law", "institution_kind"],
                condition=Q(status="proposed"),
                name="retention_rule_one_proposal_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_record_type_display()} ({self.get_law_display()})"


class LegalHoldQuerySet(models.QuerySet):
    def active(self) -> "LegalHoldQuerySet":
        return self.filter(lifted_at__isnull=True)


class LegalHold(models.Model):
    """A Löschsperre: while it stands, nothing of the case is deleted (GDPR Art. 17(3)(e),
    Art. 18; e.g. a pending court case, a complaint, an investigation of the supervisory
    authority, or the family's request to restrict processing instead of erasing).

    The reason is part of the case and is deleted with it once the hold is lifted and the
    case is due.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(
        _("reason"),
        help_text=_(
            "Why the case must not be deleted, e.g. a court case or a complaint, with its "
            "file number. Do not write names of family members."
        ),
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)
    history = HistoricalRecords()

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(lifted_at__isnull=True), name="one_active_hold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.placed_at:%d.%m.%Y}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class AccessRestriction(models.Model):
    """A refusal or restriction of the right of access for one family member, with its
    reason (§83 Abs. 3 Satz 1 SGB X: the reasons for refusing are documented).

    The access report leaves the restricted part out and says so; it names the ground
    unless telling it would defeat its purpose (§83 Abs. 3 Satz 2 SGB X), and it always
    names the supervisory authority the person can turn to.
    """

    class Scope(models.TextChoices):
        MASTER = "master", _("Master data")
        FAMILY = "family", _("Family situation")
        HEALTH = "health", _("Health, addiction and substitution data")
        PROTOCOLS = "protocols", _("Conference protocols")
        NOTES = "notes", _("Progress notes")
        DISCLOSURES = "disclosures", _("Disclosures without consent")
        READERS = "readers", _("Institutions that read the data")
        ALL = "all", _("The whole report (access refused)")

    class Ground(models.TextChoices):
        TASKS = (
            "tasks",
            _(
                "The access would endanger the proper performance of the institution's tasks, "
                "e.g. the protection of a child (§83 Abs. 1 Nr. 1 with §82a SGB X)"
            ),
        )
        THIRD_PARTY = (
            "third_party",
            _(
                "The data must be kept secret by their nature, in particular because of the "
                "overriding legitimate interests of a third person (§83 Abs. 1 Nr. 1 with §82a "
                "SGB X)"
            ),
        )
        AUTHORITIES = (
            "authorities",
            _(
                "The data was transmitted to a prosecutor, court, police or security authority, "
                "which has not agreed to the access (§83 Abs. 5 SGB X)"
            ),
        )
        ARCHIVE_ONLY = (
            "archive_only",
            _(
                "The data is kept only because a retention rule forbids deleting it, or only for "
                "data security or data-protection control, and access would take "
                "disproportionate effort (§83 Abs. 1 Nr. 2 SGB X)"
            ),
        )
        OTHER = "other", _("Another ground, named in the reason")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    scope = models.CharField(_("restricted part"), max_length=20, choices=Scope.choices)
    ground = models.CharField(_("legal ground"), max_length=20, choices=Ground.choices)
    reason = models.TextField(
        _("reason (documented, not printed)"),
        help_text=_("The facts the decision rests on (§83 Abs. 3 Satz 1 SGB X)."),
    )
    reason_withheld = models.BooleanField(
        _("do not tell the person the ground"),
        default=False,
        help_text=_(
            "Only where telling the ground would defeat the purpose of the restriction "
            "(§83 Abs. 3 Satz 2 SGB X); the report then names the supervisory authority only."
        ),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("restriction of the right of access")
        verbose_name_plural = _("restrictions of the right of access")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_scope_display()}"


class DeletionRecord(models.Model):
    """A tombstone: what the retention rules deleted, when, and by which rule.

    Never any family data: the case reference, dates, the kind and number of records, the
    rule and its legal source. The data-protection officer reads these. Access-log
    entries of IT operations outside any case belong to no cooperation.
    """

    cooperation = models.ForeignKey(
        Cooperation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cooperation"),
    )
    record_type = models.CharField(_("kind of record"), max_length=20, choices=RecordType.choices)
    # The case reference, or for a committee sitting the committee and the sitting's date.
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    count = models.PositiveIntegerField(_("records deleted"))
    # Rows per model ("cases.FamilyMember": 3), files and history rows: numbers only.
    details = models.JSONField(_("details"), default=dict)
    first_date = models.DateField(_("from"), null=True, blank=True)
    last_date = models.DateField(_("until"), null=True, blank=True)
    due_on = models.DateField(_("due on"))
    deleted_at = models.DateTimeField(_("deleted at"), default=timezone.now)
    rule = models.ForeignKey(
        RetentionRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rule of the cooperation"),
    )
    rule_text = models.CharField(_("rule"), max_length=500)
    legal_source = models.CharField(_("legal source"), max_length=500)

    class Meta:
        verbose_name = _("deletion record")
        verbose_name_plural = _("deletion log")
        ordering = ["-deleted_at", "-pk"]
        indexes = [models.Index(fields=["cooperation", "-deleted_at"], name="deletion_log_order")]

    def __str__(self) -> str:
        return f"{self.deleted_at:%d.%m.%Y} {self.get_record_type_display()} {self.reference}"


class PendingFile(models.Model):
    """A stored file whose row was deleted: removed from storage after the deletion
    commits, and by the next run of ``apply_retention`` if that failed (a crash between
    the commit and the removal must not leave a signed consent behind)."""

    model = models.CharField(max_length=100)  # "cases.Consent"
    field = models.CharField(max_length=100)  # "scan"
    name = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "field", "name"], name="pending_file_once")
        ]

    def __str__(self) -> str:
        return self.name


class RegisterRendering(Rendering):
    """The register of processing activities as PDF, rendered on demand by a worker (18
    pages take WeasyPrint seconds) and kept under the fingerprint (SHA-256) of its HTML:
    the next reader of the same register gets the file, any change of the configuration
    (or the next day, printed on it) asks for a new rendering. ``part`` is 0 for the
    cooperation's whole register, else the institution whose part it is. No family data:
    the register names institutions, rules and settings."""

    cooperation = models.ForeignKey(Cooperation, on_delete=models.CASCADE, related_name="+")
    part = models.PositiveBigIntegerField(default=0)
    pdf = models.FileField(storage=private_storage, upload_to="verzeichnis/")

    class Meta:
        verbose_name = _("PDF of the register of processing activities")
        verbose_name_plural = _("PDFs of the register of processing activities")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "part", "fingerprint"], name="register_rendering_once"
            )
        ]

    def __str__(self) -> str:
        return f"Verzeichnis {self.cooperation} {self.rendered_at:%Y-%m-%d %H:%M}"


class AccessReportRendering(Rendering):
    """An access report (Art. 15) as PDF, rendered by a worker: a family with years of
    reads fills dozens of pages, which take WeasyPrint many seconds. Kept under the
    fingerprint (SHA-256) of its HTML for the staff member who asked, so the download
    is exactly what was asked for; replaced by the next rendering for the same person
    and staff member, removed after a day (``render_access_report``) and with the
    family's data (its foreign keys put it under the retention's deletion)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(FamilyMember, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    pdf = models.FileField(storage=private_storage, upload_to="auskunft/")

    # Handed out, not archived: the file is removed after a day.
    KEPT = datetime.timedelta(days=1)

    class Meta:
        verbose_name = _("PDF of an access report")
        verbose_name_plural = _("PDFs of access reports")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "requested_by", "fingerprint"], name="access_report_once"
            )
        ]

    def __str__(self) -> str:
        return f"Auskunft {self.case_id}/{self.member_id} {self.rendered_at:%Y-%m-%d %H:%M}"

    @classmethod
    def remove_expired(cls, now: datetime.datetime) -> int:
        """Remove the renderings older than ``KEPT`` at ``now``, files first."""
        expired = list(cls.objects.filter(rendered_at__lt=now - cls.KEPT))
        for rendering in expired:
            rendering.pdf.delete(save=False)
            rendering.delete()
        return len(expired)
