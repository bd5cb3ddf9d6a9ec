"""The Gesamtkonzept (overall concept) of a municipality, as the KispFam application form asks.

One concept per cooperation: the municipality's profile, its socio-structural indicators
against the state average, the records that show the state of the four fields of action
(offers, steering group, networks, measures) and the four declarations to attach. None of
it is family data; everything belongs to exactly one cooperation.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.pending import Rendering
from common.uploads import private_name, private_storage
from cooperation.models import Cooperation, Institution


class FieldOfAction(models.TextChoices):
    """The four Handlungsfelder of the application form."""

    A = "A", _("A) Interdisciplinary support and care repertoire")
    B = "B", _("B) Steering, planning and binding coordination of help")
    C = "C", _("C) Local networks")
    D = "D", _("D) Sensitisation and qualification of professionals, public relations")


class Concept(models.Model):
    """The municipality's profile and its own words in the Kurzkonzept (sections 1 and 3)."""

    cooperation = models.OneToOneField(
        Cooperation,
        on_delete=models.CASCADE,
        related_name="concept",
        verbose_name=_("cooperation"),
    )
    inhabitants = models.PositiveIntegerField(_("inhabitants"), null=True, blank=True)
    inhabitants_as_of = models.DateField(_("inhabitants as of"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("area (km²)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution of the contact person"),
    )
    contact_function = models.CharField(_("function"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    situation = models.TextField(
        _("socio-structural situation"),
        blank=True,
        help_text=_("A few sentences or key words on the municipality's situation."),
    )
    remarks_a = models.TextField(_("remarks on field of action A"), blank=True)
    remarks_b = models.TextField(_("remarks on field of action B"), blank=True)
    remarks_c = models.TextField(_("remarks on field of action C"), blank=True)
    remarks_d = models.TextField(_("remarks on field of action D"), blank=True)
    reasons = models.TextField(
        _("reasons for taking part"),
        blank=True,
        help_text=_("Why the municipality wants to take part in the model project."),
    )
    goals = models.TextField(
        _("first ideas and goals"),
        blank=True,
        help_text=_("What the municipality wants to achieve, and first ideas how."),
    )
    updated_at = models.DateTimeField(_("last change"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("overall concept")
        verbose_name_plural = _("overall concepts")

    def __str__(self) -> str:
        return gettext("Overall concept %(body)s") % {"body": self.cooperation.body_name}

    def clean(self) -> None:
        if (
            self.contact_institution_id
            and self.cooperation_id
            and self.contact_institution.cooperation_id != self.cooperation_id
        ):
            raise ValidationError(
                {"contact_institution": _("Choose an institution of the cooperation.")}
            )

    def remarks(self, field: str) -> str:
        return getattr(self, f"remarks_{field.lower()}")

    def eligibility(self) -> "Eligibility":
        return IndicatorValue.objects.filter(indicator__cooperation=self.cooperation).eligibility()


class Indicator(models.Model):
    """A socio-structural figure of the municipality, e.g. Hilfen zur Erziehung per 100,000."""

    class Standard(models.TextChoices):
        """The two figures the application form names as examples of a burden."""

        HZE = "hze", _("Hilfen zur Erziehung per 100,000 inhabitants")
        U15_SOZIALGELD = "u15_sozialgeld", _("Under-15s receiving Sozialgeld per 100,000")

    cooperation = models.ForeignKey(
        Cooperation,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("cooperation"),
    )
    name = models.CharField(_("name"), max_length=200)
    standard = models.CharField(
        _("standard indicator"), max_length=20, choices=Standard.choices, blank=True
    )
    counts_for_eligibility = models.BooleanField(
        _("counts for the eligibility condition"),
        default=True,
        help_text=_(
            "At least one value of the latest year of these indicators must lie above "
            "the state average."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["cooperation", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "name"], name="indicator_unique_name_per_cooperation"
            ),
            models.UniqueConstraint(
                fields=["cooperation", "standard"],
                condition=~models.Q(standard=""),
                name="indicator_one_standard_per_cooperation",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Eligibility:
    """Whether the socio-structural condition of the form holds, and which values carry it."""

    year: int | None
    values: tuple["IndicatorValue", ...]

    @property
    def reasons(self) -> tuple["IndicatorValue", ...]:
        return tuple(value for value in self.values if value.is_above_average)

    @property
    def holds(self) -> bool:
        return bool(self.reasons)

    @property
    def statement(self) -> str:
        """The sentence for page and PDF, in the active language."""
        if self.year is None:
            return gettext("No indicator values have been recorded yet.")
        if not self.holds:
            return gettext(
                "The condition is not met: in %(year)s no value lies above the state average."
            ) % {"year": self.year}
        parts = [
            gettext("%(indicator)s with %(value)s (state average %(average)s)")
            % {
                "indicator": value.indicator.name,
                "value": value.formatted_value,
                "average": value.formatted_average,
            }
            for value in self.reasons
        ]
        return ngettext(
            "The condition is met: in %(year)s this value lies above the state average: "
            "%(values)s.",
            "The condition is met: in %(year)s these values lie above the state average: "
            "%(values)s.",
            len(parts),
        ) % {"year": self.year, "values": "; ".join(parts)}


class IndicatorValueQuerySet(models.QuerySet):
    def of_cooperation(self, cooperation: Cooperation) -> "IndicatorValueQuerySet":
        return self.filter(indicator__cooperation=cooperation)

    def eligibility(self) -> Eligibility:
        """The form's condition: at least one value of the latest year above the state average.

        Only indicators that count for eligibility are looked at; the latest year is the
        latest one with any such value. "Above" is strictly above.
        """
        relevant = self.filter(indicator__counts_for_eligibility=True)
        year = relevant.aggregate(latest=models.Max("year"))["latest"]
        if year is None:
            return Eligibility(year=None, values=())
        values = relevant.filter(year=year).select_related("indicator")
        return Eligibility(
            year=year,
            values=tuple(values.order_by("indicator__order", "indicator__name")),
        )


class IndicatorValue(models.Model):
    """One year's value of an indicator beside the state average (Landesdurchschnitt)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=1)
    state_average = models.DecimalField(_("state average"), max_digits=12, decimal_places=1)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("e.g. IT.NRW, Kinder- und Jugendhilfestatistik"),
    )
    history = HistoricalRecords()

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="one_value_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.formatted_value}"

    @property
    def is_above_average(self) -> bool:
        return self.value > self.state_average

    @property
    def formatted_value(self) -> str:
        return _number(self.value)

    @property
    def formatted_average(self) -> str:
        return _number(self.state_average)


def _number(value: Decimal) -> str:
    """German style in German: 1.048,9 (grouped, one decimal)."""
    return formats.number_format(value, decimal_pos=1, use_l10n=True, force_grouping=True)


class OfferQuerySet(models.QuerySet):
    def current(self) -> "OfferQuerySet":
        return self.filter(status__in=[Offer.Status.RUNNING, Offer.Status.PLANNED])

    def search(self, text: str) -> "OfferQuerySet":
        query = models.Q()
        for word in text.split():
            query &= (
                models.Q(name__icontains=word)
                | models.Q(description__icontains=word)
                | models.Q(target_group__icontains=word)
                | models.Q(contact_person__icontains=word)
                | models.Q(institution__name__icontains=word)
                | models.Q(institution__short_name__icontains=word)
                | models.Q(address__icontains=word)
                | models.Q(institution__city__icontains=word)
            )
        return self.filter(query)

    def selected(self, filters: dict) -> "OfferQuerySet":
        """The current offers that the catalogue's filters (``OfferFilterForm.filters``)
        select, in the order the page and the PDF list them."""
        offers = self.current().select_related("institution")
        if filters.get("q"):
            offers = offers.search(filters["q"])
        if filters.get("field"):
            offers = offers.filter(field_of_action=filters["field"])
        if filters.get("institution"):
            offers = offers.filter(institution=filters["institution"])
        return offers.order_by("institution__name", "name")


class Offer(models.Model):
    """An Angebot for children and parents of the target group, run by an institution."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        PLANNED = "planned", _("planned")
        ENDED = "ended", _("ended")

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("institution"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    target_group = models.CharField(
        _("target group"),
        max_length=300,
        help_text=_("e.g. children aged 8 to 12 with an addicted parent"),
    )
    field_of_action = models.CharField(
        _("field of action"), max_length=1, choices=FieldOfAction.choices, default="A"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(
        _("address"),
        max_length=300,
        blank=True,
        help_text=_("Where the offer takes place; empty: the institution's address."),
    )
    history = HistoricalRecords()

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["institution__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name"], name="offer_unique_name_per_institution"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self) -> str:
        return self.address or self.institution.address


class SteeringGroup(models.Model):
    """The municipality's Steuerungsgruppe (field of action B)."""

    cooperation = models.OneToOneField(
        Cooperation,
        on_delete=models.CASCADE,
        related_name="steering_group",
        verbose_name=_("cooperation"),
    )
    name = models.CharField(_("name"), max_length=200, default="Steuerungsgruppe")
    established_on = models.DateField(
        _("established on"),
        null=True,
        blank=True,
        help_text=_("Empty or in the future while the group is still being set up."),
    )
    remit = models.TextField(_("remit"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("steering group")
        verbose_name_plural = _("steering groups")

    def __str__(self) -> str:
        return self.name

    def is_established_on(self, day) -> bool:
        return self.established_on is not None and self.established_on <= day


class SteeringGroupMember(models.Model):
    """A member of the steering group, for an institution of the cooperation."""

    group = models.ForeignKey(
        SteeringGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("group")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("steering group member")
        verbose_name_plural = _("steering group members")
        ordering = ["group", "institution__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.institution.short_name})"

    def clean(self) -> None:
        if (
            self.institution_id
            and self.group_id
            and self.institution.cooperation_id != self.group.cooperation_id
        ):
            raise ValidationError({"institution": _("Choose an institution of the cooperation.")})


class Network(models.Model):
    """A local interdisciplinary network (field of action C)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        PLANNED = "planned", _("planned")

    cooperation = models.ForeignKey(
        Cooperation,
        on_delete=models.CASCADE,
        related_name="networks",
        verbose_name=_("cooperation"),
    )
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    partners = models.ManyToManyField(
        Institution, blank=True, related_name="+", verbose_name=_("partner institutions")
    )
    other_partners = models.TextField(
        _("further partners"),
        blank=True,
        help_text=_("Partners outside the cooperation, e.g. schools, Kitas, clinics."),
    )
    deals_with_kispfam = models.BooleanField(
        _("deals with children from addiction- and mentally-ill-burdened families"),
        default=False,
    )
    history = HistoricalRecords(m2m_fields=[partners])

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["cooperation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "name"], name="network_unique_name_per_cooperation"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    """A qualification or public-relations measure (field of action D), planned or held."""

    class Kind(models.TextChoices):
        QUALIFICATION = "qualification", _("qualification of professionals")
        PUBLIC_RELATIONS = "public_relations", _("public relations")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")

    cooperation = models.ForeignKey(
        Cooperation,
        on_delete=models.CASCADE,
        related_name="measures",
        verbose_name=_("cooperation"),
    )
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    participants = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["cooperation", "-date"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.status == self.Status.HELD and self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("A measure in the future cannot have been held.")})
        if self.status == self.Status.PLANNED and self.participants is not None:
            raise ValidationError(
                {"participants": _("Participants are counted once the measure was held.")}
            )


def declaration_path(declaration: "Declaration", filename: str) -> str:
    return private_name(f"concept/{declaration.cooperation.code}", filename)


class Declaration(models.Model):
    """One of the four declarations the form asks to attach ("Diesem Kurzkonzept liegt bei")."""

    class Kind(models.TextChoices):
        SUPPORT = "support", _("Support by the heads of the health and youth welfare office")
        INTENT = "intent", _("Declaration of intent signed by the heads of both offices")
        COORDINATION = "coordination", _("Coordination office will be set up")
        CONSULTATION = "consultation", _("Available as consultation municipality")

    cooperation = models.ForeignKey(
        Cooperation,
        on_delete=models.CASCADE,
        related_name="declarations",
        verbose_name=_("cooperation"),
    )
    kind = models.CharField(_("declaration"), max_length=20, choices=Kind.choices)
    dated = models.DateField(_("date of the declaration"), null=True, blank=True)
    document = models.FileField(
        _("document"), upload_to=declaration_path, storage=private_storage, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        constraints = [
            models.UniqueConstraint(fields=["cooperation", "kind"], name="one_declaration_per_kind")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_complete(self) -> bool:
        return bool(self.dated and self.document)

    @property
    def form_text(self) -> str:
        """What the application form says about this declaration."""
        return DECLARATION_FORM_TEXT[self.kind]


# What the form says under "Diesem Kurzkonzept liegt bei", in the form's order.
DECLARATION_FORM_TEXT = {
    Declaration.Kind.SUPPORT: _(
        "Written declaration of the heads of the health and the youth welfare office that "
        "they support the application as pilot municipality and are prepared to commit "
        "themselves in the long term to improving the situation of children from addiction- "
        "or mentally-ill-burdened families in the municipality."
    ),
    Declaration.Kind.INTENT: _(
        "Binding declaration of intent to take part in the model project together, signed at "
        "least by the heads of the youth welfare and the health office (and the social "
        "welfare office, if applicable), with the aim of developing a cooperation agreement "
        "in the long term."
    ),
    Declaration.Kind.COORDINATION: _(
        "Informal declaration of the pilot municipality that a coordination office will be "
        "set up and staffed soon."
    ),
    Declaration.Kind.CONSULTATION: _(
        "Informal declaration of the pilot municipality to be available to other "
        "municipalities as consultation municipality during the project."
    ),
}


def declaration_checklist(cooperation: Cooperation) -> list[Declaration]:
    """The four declarations in the form's order; unsaved ones where none is recorded yet."""
    recorded = {d.kind: d for d in cooperation.declarations.all()}
    return [
        recorded.get(kind) or Declaration(cooperation=cooperation, kind=kind)
        for kind in Declaration.Kind.values
    ]


class KurzkonzeptEdition(models.Model):
    """A published Kurzkonzept: the text as it stood when the coordination office
    published it (sent with the application), numbered and never changed.

    The HTML is fixed at publication; a worker turns it into the PDF once
    (``concept.tasks``), which is then served as a file with its SHA-256.
    """

    cooperation = models.ForeignKey(
        Cooperation,
        on_delete=models.PROTECT,
        related_name="kurzkonzept_editions",
        verbose_name=_("cooperation"),
    )
    number = models.PositiveIntegerField(_("edition"))
    published_at = models.DateTimeField(_("published on"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    html = models.TextField(editable=False)
    pdf = models.FileField(storage=private_storage, upload_to="kurzkonzept/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("published Kurzkonzept")
        verbose_name_plural = _("published Kurzkonzepte")
        ordering = ["cooperation", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "number"], name="kurzkonzept_edition_number"
            )
        ]

    def __str__(self) -> str:
        return f"Kurzkonzept {self.cooperation} {self.number}"


class KurzkonzeptRendering(Rendering):
    """The PDF of the Kurzkonzept as it reads now, rendered on demand by a worker and
    kept under the fingerprint (SHA-256) of its HTML: the next reader of the same text
    gets the file; any change of the records (or of the day printed on it) asks for a
    new rendering."""

    cooperation = models.ForeignKey(Cooperation, on_delete=models.CASCADE, related_name="+")
    pdf = models.FileField(storage=private_storage, upload_to="kurzkonzept/aktuell/")

    class Meta:
        verbose_name = _("PDF of the current Kurzkonzept")
        verbose_name_plural = _("PDFs of the current Kurzkonzept")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "fingerprint"], name="kurzkonzept_rendering_once"
            )
        ]

    def __str__(self) -> str:
        return f"Kurzkonzept {self.cooperation} {self.rendered_at:%Y-%m-%d %H:%M}"


class OfferCatalogueRendering(Rendering):
    """The catalogue of offers as printed with one selection of filters, rendered on
    demand by a worker and kept under the fingerprint (SHA-256) of its HTML, as the
    current Kurzkonzept is: the next reader of the same list gets the file. It names
    offers and institutions, never a family."""

    cooperation = models.ForeignKey(Cooperation, on_delete=models.CASCADE, related_name="+")
    pdf = models.FileField(storage=private_storage, upload_to="angebote/")

    class Meta:
        verbose_name = _("PDF of the catalogue of offers")
        verbose_name_plural = _("PDFs of the catalogue of offers")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "fingerprint"], name="offer_catalogue_rendering_once"
            )
        ]

    def __str__(self) -> str:
        return f"Angebote {self.cooperation} {self.rendered_at:%Y-%m-%d %H:%M}"
