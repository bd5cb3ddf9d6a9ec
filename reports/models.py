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

from common.pending import Rendering
from common.uploads import private_storage
from cooperation.models import Cooperation


class StoredFigures(models.Model):
    """The raw counts (``figures.Figures``) of one cooperation's finished half-year."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="+", verbose_name=_("cooperation")
    )
    period = models.CharField(_("half-year"), max_length=6)  # "2026-1"
    counts = models.JSONField(_("counts"))
    counted_at = models.DateTimeField(_("counted at"), default=timezone.now)
    # The half-year's PDF, rendered once by a worker (``reports.tasks``) and then served
    # as a file with its checksum as ETag: its figures never change again.
    pdf = models.FileField(storage=private_storage, upload_to="statistik/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

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


class RunningReportPdf(Rendering):
    """The PDF of the running half-year, as its figures stood when it was rendered.

    The running half-year changes with every record, so its PDF is rendered by a worker
    on demand and kept under the fingerprint of the figures it shows
    (``reports.tasks.running_fingerprint``): the next reader of the same figures gets
    the file; a change of the figures (or of the day) asks for a new rendering.
    """

    cooperation = models.ForeignKey(Cooperation, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("half-year"), max_length=6)
    pdf = models.FileField(storage=private_storage, upload_to="statistik/laufend/")

    class Meta:
        verbose_name = _("PDF of the running half-year")
        verbose_name_plural = _("PDFs of the running half-year")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "period", "fingerprint"], name="running_report_pdf_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cooperation} {self.period} {self.rendered_at:%Y-%m-%d %H:%M}"
