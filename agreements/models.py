"""What binds the partners and how they work: the cooperation agreement and the Leitfaden.

The agreement is versioned by its history (django-simple-history): any past state can be
shown as it stood on a date. The Leitfaden is edited as a draft and published as
numbered, dated, immutable versions.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cooperation.models import Cooperation, Institution


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
    goals = models.TextField(_("goals"), blank=True)
    financing = models.TextField(_("financing"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["cooperation", "-effective_since"]

    def __str__(self) -> str:
        return self.title


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


class AgreementSection(models.Model):
    """A numbered section of the agreement's text."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="sections")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
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
