"""Cases (families), what is recorded about them, and the bases on which it is shared.

Every recorded datum knows its source institution and its data category. Who may see
which part is decided in one place, ``cases.permissions``, from the grants that
``cases.services.case_recompute_grants`` materialises.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from common import uploads
from cooperation.models import Cooperation, Institution

# Migrations name the storage by its old place.
PrivateStorage = uploads.PrivateStorage
private_storage = uploads.private_storage


class DataCategory(models.TextChoices):
    """What a consent or disclosure releases (SGB X §67b: no blanket consent)."""

    MASTER = "master", _("Master data")
    FAMILY = "family", _("Family situation")
    HEALTH = "health", _("Health, addiction and substitution data")
    PROTOCOLS = "protocols", _("Conference protocols")
    NOTES = "notes", _("Progress notes")


class Case(models.Model):
    """A family known to at least one institution of a cooperation."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.PROTECT, related_name="cases", verbose_name=_("cooperation")
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    lead_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="led_cases",
        verbose_name=_("lead institution (Fallführung)"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), auto_now=True, db_index=True)
    # When the next Beteiligtenkonferenz is due: six months after opening, then after
    # the last conference held (kept up to date by the conferences app).
    conference_due_on = models.DateField(_("next conference due"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-updated_at"]
        permissions = [("view_case_health", _("Can view health data of the case"))]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "updated_at" in update_fields:
            self.visibility.update(case_updated_at=self.updated_at)

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.reference])

    def touch(self) -> None:
        """Mark the case as changed now (a record of it was added or edited)."""
        self.updated_at = timezone.now()
        Case.objects.filter(pk=self.pk).update(updated_at=self.updated_at)
        self.visibility.update(case_updated_at=self.updated_at)


class CaseUserObjectPermission(UserObjectPermissionBase):
    # Never granted (permissions go to institution groups); required by guardian's
    # direct foreign-key configuration.
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class Recorded(models.Model):
    """A datum recorded by one institution: its source for every sharing decision."""

    source_institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        abstract = True


class FamilyMember(Recorded):
    """A parent, caregiver or child of the family (master data)."""

    class Kind(models.TextChoices):
        MOTHER = "mother", _("mother")
        FATHER = "father", _("father")
        EXPECTANT_MOTHER = "expectant_mother", _("expectant mother")
        PARTNER = "partner", _("partner")
        OTHER_CAREGIVER = "other_caregiver", _("other caregiver")
        CHILD = "child", _("child")
        UNBORN = "unborn", _("unborn child")

    PARENT_KINDS = {
        Kind.MOTHER,
        Kind.FATHER,
        Kind.EXPECTANT_MOTHER,
        Kind.PARTNER,
        Kind.OTHER_CAREGIVER,
    }

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    expected_date = models.DateField(_("expected date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["case", "kind", "date_of_birth"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_parent(self) -> bool:
        return self.kind in self.PARENT_KINDS

    @property
    def address_lines(self) -> list[str]:
        """The address as an envelope shows it: street, then postcode and town (DIN 5008)."""
        return [part.strip() for part in self.address.replace("\n", ",").split(",") if part.strip()]

    def age_on(self, day: datetime.date) -> int | None:
        if not self.date_of_birth:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class HealthSituation(Recorded):
    """A parent's addiction and treatment situation: special-category data (GDPR Art. 9)."""

    member = models.ForeignKey(FamilyMember, on_delete=models.CASCADE, related_name="health")
    substance = models.CharField(_("substance"), max_length=200, blank=True)
    counselling = models.CharField(_("counselling"), max_length=300, blank=True)
    in_substitution = models.BooleanField(_("in substitution treatment"), default=False)
    substitution_practice = models.CharField(_("substituting practice"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("addiction and treatment situation")
        verbose_name_plural = _("addiction and treatment situations")

    def __str__(self) -> str:
        return str(self.member)


class Involvement(models.Model):
    """An institution that works with the family, since when and with which contact."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involvements")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    since = models.DateField(_("since"), default=datetime.date.today)
    until = models.DateField(_("until"), null=True, blank=True)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("involvement")
        verbose_name_plural = _("involvements")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "institution", "since"], name="involvement_unique_per_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} ({self.case})"


def consent_scan_path(consent: "Consent", filename: str) -> str:
    return uploads.private_name(f"consents/{consent.case.reference}", filename)


class ConsentQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> "ConsentQuerySet":
        """Given and within its validity: an expired consent stops on the following day."""
        return self.filter(status=Consent.Status.GIVEN, valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class Consent(models.Model):
    """A Schweigepflichtentbindung: one direction, named data, a purpose, a period.

    SGB X §67b: given in advance, specific, provable, normally written, revocable at any
    time for the future; the person is told the purpose and the consequences of refusing.
    GDPR Art. 9(2)(a): health data needs explicit consent, so it is its own category.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        GIVEN = "given", _("given")
        REFUSED = "refused", _("refused")
        REVOKED = "revoked", _("revoked")
        INVALIDATED = "invalidated", _("invalidated (corrected)")

    class Kind(models.TextChoices):
        ONE_TIME = "one_time", _("one-time")
        TIME_LIMITED = "time_limited", _("time-limited")
        RECURRING = "recurring", _("recurring")

    class Channel(models.TextChoices):
        IN_WRITING = "in_writing", _("in writing")
        IN_PERSON = "in_person", _("in person")
        TELEPHONE = "telephone", _("by telephone")
        EMAIL = "email", _("by e-mail")

    class Form(models.TextChoices):
        PAPER = "paper", _("signed on paper (scan)")
        ELECTRONIC = "electronic", _("electronic")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    given_by = models.ForeignKey(
        FamilyMember, on_delete=models.PROTECT, related_name="consents", verbose_name=_("given by")
    )
    source_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("released institution"),
    )
    recipients = models.ManyToManyField(
        Institution, related_name="+", verbose_name=_("recipient institutions")
    )
    categories = models.JSONField(_("data categories"), default=list)
    purpose = models.TextField(_("purpose"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.TIME_LIMITED
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices, default=Form.PAPER)
    obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("obtained by"),
    )
    obtained_on = models.DateField(_("obtained on"), null=True, blank=True)
    informed_of_purpose = models.BooleanField(_("informed of the purpose"), default=False)
    informed_of_refusal_consequences = models.BooleanField(
        _("informed of the consequences of refusing"), default=False
    )
    informed_of_revocation_right = models.BooleanField(
        _("informed of the right to revoke"), default=False
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_channel = models.CharField(
        _("revocation channel"), max_length=20, choices=Channel.choices, blank=True
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revocation recorded by"),
    )
    scan = models.FileField(
        _("scan of the signed form"),
        upload_to=consent_scan_path,
        storage=private_storage,
        blank=True,
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("corrects"),
    )
    history = HistoricalRecords(m2m_fields=[recipients])

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.case} – {self.source_institution.short_name}"

    @property
    def category_labels(self) -> list[str]:
        return [DataCategory(value).label for value in DataCategory if value in self.categories]

    def expires_soon(self, day: datetime.date, days: int = 30) -> bool:
        """Active, and its end date within ``days``: the case page and dashboard warn."""
        return (
            self.is_active_on(day)
            and self.valid_until is not None
            and (self.valid_until - day).days <= days
        )

    def is_active_on(self, day: datetime.date) -> bool:
        return (
            self.status == self.Status.GIVEN
            and self.valid_from <= day
            and (self.valid_until is None or self.valid_until >= day)
        )

    def is_expired_on(self, day: datetime.date) -> bool:
        return (
            self.status == self.Status.GIVEN
            and self.valid_until is not None
            and (self.valid_until < day)
        )


class Disclosure(models.Model):
    """Data shared without consent, on a legal basis that is recorded with it."""

    class Basis(models.TextChoices):
        SGB_VIII_8A = "sgb8_8a", _("§8a SGB VIII (risk assessment by the youth welfare office)")
        KKG_4_3 = (
            "kkg_4_3",
            _("§4 Abs. 3 KKG (professional bound by secrecy informs the youth welfare office)"),
        )
        SGB_VIII_65_1 = "sgb8_65_1", _("§65 Abs. 1 SGB VIII")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    basis = models.CharField(_("legal basis"), max_length=20, choices=Basis.choices)
    from_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("disclosed by institution"),
    )
    to_institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("disclosed to")
    )
    categories = models.JSONField(_("data categories"), default=list)
    disclosed_on = models.DateField(_("disclosed on"))
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("disclosed by"),
    )
    reason = models.TextField(_("reason"))
    family_informed = models.BooleanField(_("family informed beforehand"), null=True)
    family_not_informed_reason = models.TextField(_("why the family was not informed"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disclosure without consent")
        verbose_name_plural = _("disclosures without consent")
        ordering = ["-disclosed_on"]

    def __str__(self) -> str:
        return f"{self.case} – {self.get_basis_display()}"

    def legal_problems(self) -> dict[str, str]:
        """What the chosen legal basis requires and this record lacks, by field."""
        youth_welfare = {Institution.Kind.JUGENDAMT_KREIS, Institution.Kind.JUGENDAMT_STADT}
        problems = {}
        from_kind = self.from_institution.kind if self.from_institution_id else None
        to_kind = self.to_institution.kind if self.to_institution_id else None
        if self.from_institution_id and self.from_institution_id == self.to_institution_id:
            problems["to_institution"] = _("An institution cannot disclose to itself.")
        if self.basis == self.Basis.KKG_4_3:
            # §4 Abs. 3 KKG: a professional bound by secrecy informs the Jugendamt, after
            # telling the family unless that endangers the child.
            if from_kind in youth_welfare:
                problems["basis"] = _(
                    "§4 Abs. 3 KKG applies to professionals outside the youth welfare "
                    "office who inform it."
                )
            if to_kind is not None and to_kind not in youth_welfare:
                problems["to_institution"] = _(
                    "Under §4 Abs. 3 KKG data is disclosed to the youth welfare office only."
                )
            if self.family_informed is None:
                problems["family_informed"] = _(
                    "§4 Abs. 3 KKG: record whether the family was told beforehand."
                )
            elif self.family_informed is False and not self.family_not_informed_reason.strip():
                problems["family_not_informed_reason"] = _(
                    "§4 Abs. 3 KKG: record why the family was not told beforehand."
                )
        elif from_kind is not None and from_kind not in youth_welfare:
            # §8a and §65 Abs. 1 SGB VIII are powers of the youth welfare office.
            problems["basis"] = _(
                "§8a and §65 Abs. 1 SGB VIII are bases for disclosures by the youth "
                "welfare office only."
            )
        if not self.categories:
            problems["categories"] = _("Name the data categories that were disclosed.")
        return problems


class ProgressNote(Recorded):
    """A Verlaufsnotiz: dated, by an author of an institution, in one data category."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    date = models.DateField(_("date"), default=datetime.date.today)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    category = models.CharField(
        _("data category"), max_length=20, choices=DataCategory.choices, default=DataCategory.NOTES
    )
    text = models.TextField(_("text"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["-date", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.date:%d.%m.%Y}"


class GrantQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> "GrantQuerySet":
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class CaseGrant(models.Model):
    """Materialised: ``institution`` may see ``category`` data that ``source`` recorded.

    Written only by ``services.case_recompute_grants``; read only by ``permissions``.
    The validity window is copied from the consent, so that expiry takes effect on the
    following day without anyone running anything.
    """

    class Basis(models.TextChoices):
        LEAD = "lead", _("case lead")
        OWN = "own", _("own records")
        CONSENT = "consent", _("consent")
        DISCLOSURE = "disclosure", _("disclosure without consent")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="grants")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20, choices=DataCategory.choices)
    basis = models.CharField(max_length=20, choices=Basis.choices)
    valid_from = models.DateField(null=True)
    valid_until = models.DateField(null=True)
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, null=True, related_name="+")
    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, null=True, related_name="+"
    )

    objects = GrantQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["institution", "case"])]

    def __str__(self) -> str:
        return f"{self.case}: {self.source_id}→{self.institution_id} {self.category}"


class CaseVisibility(models.Model):
    """Materialised: ``institution`` sees ``case`` (at all) from ``valid_from`` to ``valid_until``.

    One row per institution and case and disjoint window, so that on any day at most one
    row is active. It carries the case's last change time and is indexed in the case
    list's order, so that a caseworker's first page is read from this index alone instead
    of scanning every case (bench/README.md). Written only by
    ``services.case_recompute_grants`` and ``Case.touch``; read only by ``permissions``.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visibility")
    # Indexed by the list index below (its first column); the case by its foreign key.
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    valid_from = models.DateField(null=True)
    valid_until = models.DateField(null=True)
    case_updated_at = models.DateTimeField()

    objects = GrantQuerySet.as_manager()

    class Meta:
        indexes = [
            # PostgreSQL reads the first page from the index alone (``include``).
            models.Index(
                fields=["institution", "-case_updated_at", "-case"],
                name="visibility_list_order",
                include=["valid_from", "valid_until"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}→{self.institution_id}"


class AccessLog(models.Model):
    """Append-only record of every read of family data (who, which case, what, when).

    Never changed or deleted through the application or the admin.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("case")
    )

    class What(models.TextChoices):
        CASE_LIST = "case_list", _("case list")
        CASE_SEARCH = "case_search", _("case search (hit list)")
        CASE_DETAIL = "case_detail", _("case page")
        CONSENT_PDF = "consent_pdf", _("consent form (PDF)")
        CONSENT_SCAN = "consent_scan", _("consent scan")
        CONFERENCE = "conference", _("Beteiligtenkonferenz")
        INVITATION_LETTER = "invitation_letter", _("invitation letter to the family (PDF)")
        CONFERENCE_PDF = "conference_pdf", _("conference protocol (PDF)")
        ACCESS_LOG = "access_log", _("access log")
        ADMIN = "admin", _("administration (superuser)")

    what = models.CharField(_("what was viewed"), max_length=100, choices=What.choices)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.user} {self.what}"

    def save(self, *args, **kwargs) -> None:
        # Append-only: an entry once written is never rewritten.
        if self.pk is not None:
            raise ValueError("Access log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Access log entries cannot be deleted.")

    @classmethod
    def record(cls, user, what: "AccessLog.What", case: Case | None = None) -> "AccessLog":
        # The data-protection officer reads labels: a code outside the vocabulary would
        # reach them raw.
        if what not in cls.What.values:
            raise ValueError(f"Unknown access log entry kind: {what!r}")
        return cls.objects.create(
            user=user, institution_id=user.institution_id, case=case, what=what
        )


class Notification(models.Model):
    """A message in the application for one user, e.g. that a consent was revoked."""

    class Kind(models.TextChoices):
        CONSENT_REVOKED = "consent_revoked", _("consent revoked")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        # The reference and the institutions only: a notification never carries family data.
        consent = self.consent
        return _(
            "Case %(reference)s: the consent releasing %(source)s towards %(recipients)s was "
            "revoked on %(date)s. No further data is shared on its basis; what was shared "
            "before stays documented."
        ) % {
            "reference": self.case.reference,
            "source": consent.source_institution.short_name if consent else "",
            "recipients": ", ".join(r.short_name for r in consent.recipients.all())
            if consent
            else "",
            "date": consent.revoked_on.strftime("%d.%m.%Y")
            if consent and consent.revoked_on
            else "",
        }
