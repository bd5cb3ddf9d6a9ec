"""What binds the partners and how they work: the cooperation agreement and the Leitfaden.

The agreement is versioned by its history (django-simple-history): any past state can be
shown as it stood on a date. The Leitfaden is edited as a draft and published as
numbered, dated, immutable versions.
"""

import datetime
import uuid
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.uploads import private_storage
from cooperation.models import Cooperation, Institution

from .markup import AgendaEntry, parse_agenda

MARKDOWN_HELP = _(
    "Markdown: a blank line starts a new paragraph, a line break stays one, **bold**, "
    "*italic*, lists with “-” or “1.”, links as [text](https://…)."
)


class Agreement(models.Model):
    """The Kooperationsvereinbarung of a cooperation."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.PROTECT, related_name="agreements"
    )
    title = models.CharField(_("title"), max_length=300)
    legal_form = models.CharField(
        _("legal form"),
        max_length=200,
        help_text=_("e.g. öffentlich-rechtliche Vereinbarung"),
    )
    responsible_body = models.CharField(_("responsible body"), max_length=200)
    effective_since = models.DateField(_("effective since"))
    goals = models.TextField(_("goals"), blank=True, help_text=MARKDOWN_HELP)
    financing = models.TextField(_("financing"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["cooperation", "-effective_since"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:agreement", kwargs={"pk": self.pk})

    def state_on(self, day: datetime.date | None = None) -> "AgreementState":
        """The agreement with its parties and sections as it stood at the end of ``day``
        (today's state when ``day`` is None), from the change history.

        Raises ``Agreement.DoesNotExist`` when it was not yet recorded on that day.
        """
        if day is None:
            return AgreementState(
                agreement=self,
                parties=list(self.parties.select_related("institution")),
                sections=list(self.sections.all()),
                day=None,
                changed_on=self.last_changed_on(),
            )
        moment = end_of_day(day)
        agreement = self.history.as_of(moment)
        parties = list(
            AgreementParty.history.as_of(moment)
            .filter(agreement_id=self.pk)
            .select_related("institution")
        )
        sections = AgreementSection.history.as_of(moment).filter(agreement_id=self.pk)
        return AgreementState(
            agreement=agreement,
            parties=sorted(parties, key=lambda p: p.institution.name),
            sections=sorted(sections, key=lambda s: s.number),
            day=day,
            changed_on=self.last_changed_on(moment),
        )

    def last_changed_on(self, moment: datetime.datetime | None = None) -> datetime.date | None:
        """The day of the last recorded change of the agreement, its parties or sections
        (up to ``moment``): the "Stand" of the text as it reads then."""
        at = self.version_at(moment)
        return timezone.localdate(at) if at else None

    def version_at(self, moment: datetime.datetime | None = None) -> datetime.datetime | None:
        """The moment of the last recorded change up to ``moment`` (now when None): it
        names the version in force then, whose text never changes again."""
        histories = [
            self.history.all(),
            AgreementParty.history.filter(agreement_id=self.pk),
            AgreementSection.history.filter(agreement_id=self.pk),
        ]
        if moment is not None:
            histories = [history.filter(history_date__lte=moment) for history in histories]
        latest = [h.aggregate(at=models.Max("history_date"))["at"] for h in histories]
        latest = [at for at in latest if at is not None]
        return max(latest) if latest else None

    def state_at(self, moment: datetime.datetime) -> "AgreementState":
        """The version in force at ``moment`` (e.g. a ``version_at``), as printed."""
        agreement = self.history.as_of(moment)
        parties = list(
            AgreementParty.history.as_of(moment)
            .filter(agreement_id=self.pk)
            .select_related("institution")
        )
        sections = AgreementSection.history.as_of(moment).filter(agreement_id=self.pk)
        return AgreementState(
            agreement=agreement,
            parties=sorted(parties, key=lambda p: p.institution.name),
            sections=sorted(sections, key=lambda s: s.number),
            day=None,
            changed_on=self.last_changed_on(moment),
        )

    def changes(self) -> list["AgreementChange"]:
        """Every recorded change of the agreement, its parties and its sections, newest
        first: what a reader picks a past state from."""
        records = [
            *self.history.all().select_related("history_user"),
            *AgreementParty.history.filter(agreement_id=self.pk).select_related(
                "history_user", "institution"
            ),
            *AgreementSection.history.filter(agreement_id=self.pk).select_related("history_user"),
        ]
        records.sort(key=lambda r: r.history_date, reverse=True)
        return [AgreementChange.of(record) for record in records]

    def change_days(self) -> list["AgreementChangeDay"]:
        """The changes grouped by day, newest first: one past state per day to pick."""
        days: dict[datetime.date, AgreementChangeDay] = {}
        for change in self.changes():
            day = days.setdefault(change.day, AgreementChangeDay(change.day, [], []))
            day.changes.append(change)
            if change.user and change.user not in day.users:
                day.users.append(change.user)
        return list(days.values())


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of ``day`` in the local time zone (a change that day counts)."""
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(midnight) - datetime.timedelta(microseconds=1)


@dataclass(frozen=True)
class AgreementState:
    """The agreement as it stood on ``day`` (None: as it stands now)."""

    agreement: Agreement
    parties: list
    sections: list
    day: datetime.date | None
    # The day of the last change up to ``day``: the text's "Stand".
    changed_on: datetime.date | None = None


@dataclass(frozen=True)
class AgreementChange:
    """One recorded change, in words: when, who, what."""

    at: datetime.datetime
    user: object
    action: str
    subject: str

    ACTIONS: ClassVar[dict] = {"+": _("added"), "~": _("changed"), "-": _("removed")}

    @classmethod
    def of(cls, record) -> "AgreementChange":
        model = record.instance_type
        if model is Agreement:
            subject = str(_("Agreement"))
        elif model is AgreementParty:
            subject = _("Party: %(institution)s") % {"institution": record.institution.name}
        else:
            subject = f"§ {record.number} {record.title}"
        return cls(
            at=record.history_date,
            user=record.history_user,
            action=str(cls.ACTIONS.get(record.history_type, "")),
            subject=subject,
        )

    @property
    def day(self) -> datetime.date:
        return timezone.localdate(self.at)


@dataclass(frozen=True)
class AgreementChangeDay:
    """Everything changed on one day, and by whom."""

    day: datetime.date
    changes: list[AgreementChange]
    users: list


class AgreementParty(models.Model):
    """A party institution and who signed for it, when."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    signatory_name = models.CharField(_("signed by"), max_length=200)
    signatory_function = models.CharField(_("function"), max_length=200)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["agreement", "institution__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "institution"], name="one_party_entry")
        ]

    def __str__(self) -> str:
        return f"{self.institution} ({self.signatory_name})"

    def clean(self) -> None:
        if (
            self.agreement_id
            and self.institution_id
            and self.institution.cooperation_id != self.agreement.cooperation_id
        ):
            raise ValidationError(
                {"institution": _("A party must belong to the agreement's cooperation.")}
            )


class AgreementSection(models.Model):
    """A numbered section of the agreement's text."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="sections")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), help_text=MARKDOWN_HELP)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_section_number")
        ]

    def __str__(self) -> str:
        return f"§ {self.number} {self.title}"


# --- the Leitfaden ------------------------------------------------------------------

IMMUTABLE = _(
    "A published version of the Leitfaden is never changed. Edit the draft and publish "
    "a new version."
)


class Guideline(models.Model):
    """The Leitfaden / Arbeitshilfe of a cooperation.

    Its draft sections (``version`` empty) are edited by the coordination office; each
    publication copies them into a new numbered ``GuidelineVersion`` that never changes.
    """

    cooperation = models.OneToOneField(
        Cooperation,
        on_delete=models.PROTECT,
        related_name="guideline",
        verbose_name=_("cooperation"),
    )
    title = models.CharField(
        _("title"), max_length=300, default="Leitfaden und Arbeitshilfe für die Fachkräfte"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Leitfaden")
        verbose_name_plural = _("Leitfäden")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:guideline", kwargs={"pk": self.pk})

    def latest_version(self) -> "GuidelineVersion | None":
        return self.versions.order_by("-number").first()

    def draft_sections(self) -> "GuidelineSectionQuerySet":
        return self.sections.drafts().order_by("position")


class GuidelineVersionQuerySet(models.QuerySet):
    def latest_of(self, cooperation) -> "GuidelineVersion | None":
        """The latest published version of a cooperation's Leitfaden (instance or pk)."""
        return self.filter(guideline__cooperation=cooperation).order_by("-number").first()

    def conference_agenda(self, cooperation) -> list[tuple[str, str, bool]]:
        """(title, guidance, is_health) of the Beteiligtenkonferenz agenda that the latest
        published version prescribes; [] when it has no agenda section. Published versions
        never change, so a conference's agenda is fixed by the version current when it is
        planned."""
        latest = self.latest_of(cooperation)
        entries = latest.conference_agenda() if latest else []
        return [(entry.title, entry.guidance, entry.is_health) for entry in entries]

    def update(self, **kwargs):
        raise ValidationError(IMMUTABLE, code="immutable")

    def delete(self):
        raise ValidationError(IMMUTABLE, code="immutable")


class GuidelineVersion(models.Model):
    """A published version of the Leitfaden: numbered, dated, immutable.

    Written once by ``agreements.services.guideline_publish`` together with the snapshot
    of its sections; ``save()`` refuses every later change and ``delete()`` every removal.
    """

    guideline = models.ForeignKey(
        Guideline, on_delete=models.PROTECT, related_name="versions", verbose_name=_("Leitfaden")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    note = models.TextField(
        _("what changed"),
        blank=True,
        help_text=_("A sentence or two for the readers, e.g. “Section 4 on consent revised.”"),
    )
    published_at = models.DateTimeField(_("published on"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )

    objects = GuidelineVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("published version of the Leitfaden")
        verbose_name_plural = _("published versions of the Leitfaden")
        ordering = ["guideline", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["guideline", "number"], name="guideline_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.title}, {_('version')} {self.number}"

    def save(self, *args, **kwargs) -> None:
        # Readers rely on "version 2" meaning the same text forever (and printed copies
        # cite it): a published version is written once and never again.
        if not self._state.adding:
            raise ValidationError(IMMUTABLE, code="immutable")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "agreements:guideline_version",
            kwargs={"pk": self.guideline_id, "number": self.number},
        )

    def delete(self, *args, **kwargs):
        raise ValidationError(IMMUTABLE, code="immutable")

    def previous(self) -> "GuidelineVersion | None":
        return (
            GuidelineVersion.objects.filter(guideline_id=self.guideline_id, number__lt=self.number)
            .order_by("-number")
            .first()
        )

    def ordered_sections(self) -> list["GuidelineSection"]:
        return list(self.sections.order_by("position"))

    def conference_agenda(self) -> list[AgendaEntry]:
        """The Beteiligtenkonferenz agenda this version prescribes ([] when none)."""
        section = self.sections.filter(is_conference_agenda=True).first()
        return parse_agenda(section.body) if section else []


class GuidelineSectionQuerySet(models.QuerySet):
    def drafts(self) -> "GuidelineSectionQuerySet":
        return self.filter(version__isnull=True)

    def update(self, **kwargs):
        if self.filter(version__isnull=False).exists():
            raise ValidationError(IMMUTABLE, code="immutable")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(version__isnull=False).exists():
            raise ValidationError(IMMUTABLE, code="immutable")
        return super().delete()


class GuidelineSection(models.Model):
    """A numbered section of the Leitfaden: in the draft, or frozen in a published version.

    ``key`` is the same for a section in the draft and in every version copied from it,
    so that a version can say which sections were added, removed or changed even when
    they were renamed or moved.
    """

    guideline = models.ForeignKey(
        Guideline, on_delete=models.CASCADE, related_name="sections", verbose_name=_("Leitfaden")
    )
    version = models.ForeignKey(
        GuidelineVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="sections",
        verbose_name=_("published version"),
    )
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text (Markdown)"), blank=True, help_text=MARKDOWN_HELP)
    is_conference_agenda = models.BooleanField(
        _("default agenda of the Beteiligtenkonferenz"),
        default=False,
        help_text=_(
            "The text of this section is the default agenda of every Beteiligtenkonferenz: "
            "each item of its Markdown list becomes an agenda item, indented lines below an "
            "item become guidance for the minute-taker, and an item ending in "
            "“(Gesundheitsdaten)” becomes the health item, shown only to institutions to "
            "which health data is released."
        ),
    )
    history = HistoricalRecords()

    objects = GuidelineSectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("section of the Leitfaden")
        verbose_name_plural = _("sections of the Leitfaden")
        ordering = ["guideline", "version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "position"],
                condition=models.Q(version__isnull=True),
                name="guideline_draft_section_position",
            ),
            models.UniqueConstraint(
                fields=["version", "position"],
                condition=models.Q(version__isnull=False),
                name="guideline_version_section_position",
            ),
            models.UniqueConstraint(
                fields=["version", "key"],
                condition=models.Q(version__isnull=False),
                name="guideline_version_section_key",
            ),
            models.UniqueConstraint(
                fields=["guideline", "key"],
                condition=models.Q(version__isnull=True),
                name="guideline_draft_section_key",
            ),
            models.UniqueConstraint(
                fields=["guideline"],
                condition=models.Q(version__isnull=True, is_conference_agenda=True),
                name="guideline_draft_one_agenda_section",
            ),
            models.UniqueConstraint(
                fields=["version"],
                condition=models.Q(version__isnull=False, is_conference_agenda=True),
                name="guideline_version_one_agenda_section",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    def save(self, *args, **kwargs) -> None:
        # Sections of a published version are written once, in bulk, by
        # guideline_publish; nothing saves them one by one, neither new nor changed.
        if self._is_published():
            raise ValidationError(IMMUTABLE, code="immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._is_published():
            raise ValidationError(IMMUTABLE, code="immutable")
        return super().delete(*args, **kwargs)

    def _is_published(self) -> bool:
        # Asks the database too: an instance whose version was blanked in memory is
        # still the published row.
        return self.version_id is not None or bool(
            self.pk and GuidelineSection.objects.filter(pk=self.pk, version__isnull=False).exists()
        )

    @property
    def is_published(self) -> bool:
        return self.version_id is not None

    @property
    def anchor(self) -> str:
        return f"abschnitt-{self.position}"

    def agenda(self) -> list[AgendaEntry]:
        return parse_agenda(self.body) if self.is_conference_agenda else []


# --- the printed documents, rendered once by a task (agreements.tasks) --------------------


class GuidelineDocument(models.Model):
    """The PDF of a published Leitfaden version, rendered once when it is published.

    Kept apart from ``GuidelineVersion``, which is written once and never saved again:
    the file arrives later, from the worker.
    """

    version = models.OneToOneField(
        GuidelineVersion, on_delete=models.PROTECT, related_name="document"
    )
    pdf = models.FileField(storage=private_storage, upload_to="leitfaden/")
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("PDF of a Leitfaden version")
        verbose_name_plural = _("PDFs of Leitfaden versions")

    def __str__(self) -> str:
        return str(self.version)


class AgreementDocument(models.Model):
    """The PDF of one version of the agreement: its state right after the change at
    ``version_at`` (the ``history_date`` of the last change it includes). A version
    never changes once a later change exists or not: the history is append-only."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="documents")
    version_at = models.DateTimeField()
    pdf = models.FileField(storage=private_storage, upload_to="vereinbarung/")
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("PDF of an agreement version")
        verbose_name_plural = _("PDFs of agreement versions")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "version_at"], name="agreement_document_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.version_at:%Y-%m-%d %H:%M}"
