"""The figures of finished half-years, counted once and kept.

A half-year that has ended does not change any more: its counts are stored when they are
first needed (or before the retention rules delete the records they were counted from,
``privacy``), so that its report is read, not recounted, and survives the deletion of
the cases behind it. Only numbers are stored, never a row, a reference or a name; the
suppression and the labels are applied when the report is built, as for a running
half-year.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.models import Cooperation


class StoredFigures(models.Model):
    """The raw counts (``figures.Figures``) of one cooperation's finished half-year."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="+", verbose_name=_("cooperation")
    )
    period = models.CharField(_("half-year"), max_length=6)  # "2026-1"
    counts = models.JSONField(_("counts"))
    counted_at = models.DateTimeField(_("counted at"), default=timezone.now)

    class Meta:
        verbose_name = _("figures of a finished half-year")
        verbose_name_plural = _("figures of finished half-years")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "period"], name="stored_figures_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cooperation} {self.period}"
