"""Cases (families), what is recorded about them, and the bases on which it is shared.

Every recorded datum knows its source institution and its data category. Who may see
which part is decided in one place, ``cases.permissions``, from the grants that
``cases.services.case_recompute_grants`` materialises.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
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
    # The day (Berlin) of the last Beteiligtenkonferenz held: a copy kept by the
    # conferences app so that the committee's statistics compare columns instead of
    # searching every case's meetings (reports.figures). Derived, so not in the history.
    last_conference_held_on = models.DateField(
        _("last conference held on"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords(excluded_fields=["updated_at", "last_conference_held_on"])

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
    # Who answers for the family inside the institution, and who stands in: set by the
    # institution's own staff (``CaseAccess.may_assign_responsible``), never by others.
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible caseworker"),
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deputy"),
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

    @cached_property
    def recipient_ids(self) -> frozenset[int]:
        """The recipients' ids (from a ``prefetch_related`` of them where there is one);
        a page that loaded them joined with the consent sets this instead."""
        return frozenset(recipient.pk for recipient in self.recipients.all())

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


class SpecialistQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> "SpecialistQuerySet":
        """Designated on ``day``, and still working at the designating institution."""
        return self.filter(since__lte=day, user__is_active=True).filter(
            Q(until__isnull=True) | Q(until__gte=day),
            user__institution=models.F("institution"),
        )


class Specialist(models.Model):
    """An experienced child-protection specialist (insoweit erfahrene Fachkraft).

    §8a Abs. 4 SGB VIII and §4 Abs. 2 KKG: professionals who perceive signs of a risk to
    a child's welfare may consult such a specialist, with pseudonymised data only
    (§64 Abs. 2a SGB VIII). The institution designates its own staff: its lead on the
    institution's page, the coordination office in the admin. A designation ends, it is
    not deleted: the consultations it advised on keep pointing at it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="specialist_designations",
        verbose_name=_("person"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("designated by institution"),
    )
    qualification = models.CharField(
        _("qualification"),
        max_length=200,
        blank=True,
        help_text=_("e.g. certificate course “Kinderschutzfachkraft”"),
    )
    since = models.DateField(_("designated since"), default=datetime.date.today)
    until = models.DateField(_("designated until"), null=True, blank=True)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("designated by"),
    )
    history = HistoricalRecords()

    objects = SpecialistQuerySet.as_manager()

    class Meta:
        verbose_name = _("experienced child-protection specialist")
        verbose_name_plural = _("experienced child-protection specialists")
        ordering = ["institution__name", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(until__isnull=True),
                name="specialist_one_open_designation",
                violation_error_message=_("This person is already designated as a specialist."),
            ),
        ]

    def __str__(self) -> str:
        name = self.user.get_full_name() or self.user.username
        return f"{name} ({self.institution.short_name})"

    def clean(self) -> None:
        errors = {}
        user = self.user if self.user_id else None
        if user is not None and self.institution_id and user.institution_id != self.institution_id:
            errors["user"] = _("The specialist must work at the designating institution.")
        if user is not None and user.role not in (user.Role.CASEWORKER, user.Role.LEAD):
            errors["user"] = _("Only caseworkers and leads can be designated as specialists.")
        if self.until and self.since and self.until < self.since:
            errors["until"] = _("The end cannot be before the start.")
        if errors:
            raise ValidationError(errors)

    def is_active_on(self, day: datetime.date) -> bool:
        return (
            self.since <= day
            and (self.until is None or self.until >= day)
            and self.user.is_active
            and self.user.institution_id == self.institution_id
        )


class Consultation(Recorded):
    """An anonymous case consultation (§4 Abs. 2 KKG, §8a Abs. 4 and §64 Abs. 2a SGB VIII).

    A professional of an institution working with the family asks a designated
    specialist for advice on a possible risk to a child's welfare. The specialist reads
    the pseudonym, the summary and the question, never the case or a name: the form
    refuses text that names the family (``cases.pseudonyms``). The asking institution
    records the outcome on the case. It is that institution's datum in the category
    "family situation": others read it where that category is released to them.
    """

    CATEGORY = DataCategory.FAMILY

    class Outcome(models.TextChoices):
        NO_RISK = "no_risk", _("no indication of a risk to the child's welfare")
        SUPPORT = "support", _("need for support, no risk to the child's welfare")
        UNCLEAR = "unclear", _("a risk cannot be ruled out: further assessment")
        RISK = "risk", _("indications of a risk to the child's welfare: inform the Jugendamt")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consultations")
    specialist = models.ForeignKey(
        Specialist,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("specialist"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    pseudonym = models.CharField(
        _("pseudonym"),
        max_length=100,
        help_text=_("How the family is called in the consultation, e.g. “Familie M.”."),
    )
    summary = models.TextField(
        _("situation (pseudonymised)"),
        help_text=_("Ages instead of dates of birth, the region instead of the address, no names."),
    )
    question = models.TextField(_("question to the specialist"))
    advice = models.TextField(_("advice of the specialist"), blank=True)
    advised_at = models.DateTimeField(_("advised at"), null=True, blank=True)
    outcome = models.CharField(_("assessment"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(_("agreed next steps"), blank=True)
    outcome_recorded_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome recorded by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pseudonymised consultation")
        verbose_name_plural = _("pseudonymised consultations")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        # Never the case reference: the specialist reads this too.
        return f"{self.pseudonym} ({timezone.localtime(self.recorded_at):%d.%m.%Y})"

    def get_absolute_url(self) -> str:
        return reverse("cases:consultation", args=[self.case.reference, self.pk])

    @property
    def state(self) -> str:
        if self.outcome:
            return str(_("outcome recorded"))
        if self.advised_at:
            return str(_("advised"))
        return str(_("asked"))


class FormSubmission(models.Model):
    """A one-time form token, claimed by the request that created a record with it.

    A second request with the same token (a double click, a resent form) finds it
    claimed and is sent to what the first created (``common.forms.claim_once``).
    """

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    url = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.token


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
    # The established steps before a disclosure under §4 KKG or §8a SGB VIII, answered
    # in the guided form and kept with the record (its page, the Art. 15 report).
    # 1. §4 Abs. 1 KKG, §8a Abs. 1 SGB VIII: working with the family towards help.
    family_work_tried = models.BooleanField(_("working with the family was tried"), null=True)
    family_work = models.TextField(_("how working with the family was tried"), blank=True)
    family_work_not_tried_reason = models.TextField(
        _("why working with the family was not tried"), blank=True
    )
    # 2. §4 Abs. 2 KKG, §8a Abs. 1 and 4 SGB VIII: advice of an experienced specialist
    # (or the assessment by several professionals in the youth welfare office).
    specialist_consulted = models.BooleanField(_("a specialist was consulted"), null=True)
    consultation = models.ForeignKey(
        Consultation,
        # Kept while the disclosure documents it; both go when their case is deleted.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="disclosures",
        verbose_name=_("pseudonymised consultation"),
    )
    specialist_note = models.TextField(
        _("on the specialist's advice"),
        blank=True,
        help_text=_(
            "With whom and when, if the consultation is not recorded here; or why no "
            "specialist was consulted."
        ),
    )
    # 3. §4 Abs. 3 KKG, §8a Abs. 1 SGB VIII: the family is told beforehand unless that
    # endangers the child's effective protection.
    family_informed = models.BooleanField(_("family informed beforehand"), null=True)
    family_not_informed_reason = models.TextField(_("why the family was not informed"), blank=True)
    history = HistoricalRecords()

    GUIDED_BASES = (Basis.KKG_4_3, Basis.SGB_VIII_8A)

    class Meta:
        verbose_name = _("disclosure without consent")
        verbose_name_plural = _("disclosures without consent")
        ordering = ["-disclosed_on"]

    def __str__(self) -> str:
        return f"{self.case} – {self.get_basis_display()}"

    def get_absolute_url(self) -> str:
        return reverse("cases:disclosure", args=[self.case.reference, self.pk])

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
        if self.basis in self.GUIDED_BASES:
            for field, message in self.step_problems().items():
                problems.setdefault(field, message)
        return problems

    def step_problems(self) -> dict[str, str]:
        """The established steps before a disclosure under §4 KKG or §8a SGB VIII that
        this record leaves unanswered, by field."""
        problems = {}
        if self.family_work_tried is None:
            problems["family_work_tried"] = _(
                "Step 1: record whether working with the family was tried."
            )
        elif self.family_work_tried and not self.family_work.strip():
            problems["family_work"] = _("Step 1: describe how working with the family was tried.")
        elif not self.family_work_tried and not self.family_work_not_tried_reason.strip():
            problems["family_work_not_tried_reason"] = _(
                "Step 1: record why working with the family was not tried (it would have "
                "endangered the child's effective protection)."
            )
        if self.specialist_consulted is None:
            problems["specialist_consulted"] = _(
                "Step 2: record whether an experienced specialist was consulted."
            )
        elif self.specialist_consulted and not (
            self.consultation_id or self.specialist_note.strip()
        ):
            problems["consultation"] = _(
                "Step 2: link the pseudonymised consultation, or note with whom and when "
                "the specialist was consulted."
            )
        elif not self.specialist_consulted and not self.specialist_note.strip():
            problems["specialist_note"] = _("Step 2: record why no specialist was consulted.")
        if self.consultation_id and self.specialist_consulted is False:
            problems["consultation"] = _(
                "Step 2: a consultation is linked only when a specialist was consulted."
            )
        if self.consultation_id and self.consultation.case_id != self.case_id:
            problems["consultation"] = _("Step 2: the consultation belongs to another case.")
        if self.family_informed is None:
            problems["family_informed"] = _(
                "Step 3: record whether the family was told beforehand."
            )
        elif self.family_informed is False and not self.family_not_informed_reason.strip():
            problems["family_not_informed_reason"] = _(
                "Step 3: record why the family was not told beforehand."
            )
        return problems

    @property
    def category_labels(self) -> list[str]:
        return [DataCategory(value).label for value in DataCategory if value in self.categories]

    @property
    def is_guided(self) -> bool:
        return self.basis in self.GUIDED_BASES


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


def case_document_path(document: "CaseDocument", filename: str) -> str:
    return uploads.private_name(f"documents/{document.case.reference}", filename)


class CaseDocument(Recorded):
    """A document an institution holds on the family (a Kita report, a doctor's letter,
    a school statement): its source and data category decide who may read it, as for
    every other datum (SGB X §67b: no blanket consent)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    category = models.CharField(_("data category"), max_length=20, choices=DataCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date of the document"))
    file = models.FileField(
        _("file"), upload_to=case_document_path, storage=private_storage, max_length=200
    )
    # The checksum of the stored bytes: the file never changes, so it is its ETag.
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        ordering = ["-date", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.date:%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        return reverse("cases:document", args=[self.case.reference, self.pk])


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
        # Pseudonymised consultations (read by the specialist or on the case), the page
        # of a disclosure without consent, and the list of conferences.
        CONSULTATION = "consultation", _("pseudonymised consultation")
        DISCLOSURE = "disclosure", _("disclosure without consent")
        CONFERENCE_LIST = "conference_list", _("list of conferences")
        # The privacy app: the access report (GDPR Art. 15) and the page naming the
        # family members it is produced for.
        ACCESS_REPORT = "access_report", _("access report for a family member (Art. 15 GDPR)")
        PRIVACY_CASE = "privacy_case", _("data protection page of the case")
        CASE_DOCUMENT = "case_document", _("case document")
        # Older entries of the case's timeline ("show more" on the case page).
        CASE_TIMELINE = "case_timeline", _("case timeline (older entries)")
        # The data-protection officer's export of the access log (itself a read of it).
        ACCESS_LOG_EXPORT = "access_log_export", _("access log export (CSV)")
        # Meine Übersicht: the worklist names cases, agreed actions and follow-up notes.
        WORKLIST = "worklist", _("worklist (My overview)")

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


# ``meeting``: the meeting as its title names it (kind and case reference), ``date``: its
# day and time; ``previous``: the earlier date of a rescheduled meeting.
MEETING_MESSAGES = {
    "minutes_circulated": _(
        "%(meeting)s of %(date)s: the draft minutes are circulated for your comments."
    ),
    "minutes_approved": _("%(meeting)s of %(date)s: the minutes were approved."),
    "minutes_amended": _("%(meeting)s of %(date)s: an amendment was added to the minutes."),
    "meeting_rescheduled": _("%(meeting)s changed: new date %(date)s (previously %(previous)s)."),
    "meeting_cancelled": _("%(meeting)s of %(date)s was cancelled."),
    # The worklist app's follow-ups (``details``: the case reference and the due day).
    "follow_up_due": _("Case %(reference)s: a follow-up of your institution is due on %(date)s."),
    # The agreements app (``details``: the version's number and title, the day).
    "guideline_published": _(
        "Version %(number)s of the Leitfaden “%(title)s” was published on %(date)s."
    ),
}


class Notification(models.Model):
    """A message in the application for one user, e.g. that a consent was revoked."""

    class Kind(models.TextChoices):
        CONSENT_REVOKED = "consent_revoked", _("consent revoked")
        # Meetings (the conferences app writes these; ``details`` holds the
        # reference-only parameters of ``MEETING_MESSAGES``).
        MINUTES_CIRCULATED = "minutes_circulated", _("minutes circulated")
        MINUTES_APPROVED = "minutes_approved", _("minutes approved")
        MINUTES_AMENDED = "minutes_amended", _("minutes amended")
        MEETING_RESCHEDULED = "meeting_rescheduled", _("meeting rescheduled")
        MEETING_CANCELLED = "meeting_cancelled", _("meeting cancelled")
        FOLLOW_UP_DUE = "follow_up_due", _("follow-up due")
        GUIDELINE_PUBLISHED = "guideline_published", _("Leitfaden published")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # Empty for a sitting of the Kooperationsgremium, which belongs to no case.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, null=True, related_name="+")
    # Parameters of the message (references and dates only, never a family's names), so
    # that the text is written in the reader's language when shown.
    details = models.JSONField(default=dict, blank=True)
    # Where the reader follows the notification (a path inside KispFam).
    link = models.CharField(max_length=200, blank=True)
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
        if self.kind in MEETING_MESSAGES:
            defaults = {"meeting": "", "date": "", "previous": ""}
            return MEETING_MESSAGES[self.kind] % {**defaults, **self.details}
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
