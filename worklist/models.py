"""Follow-ups (Wiedervorlagen): a date on which an institution looks at a case again.

A follow-up belongs to the institution of the person who set it: its staff see it and
mark it done, nobody else, and only while the institution may open the case through the
cases gateway (``worklist.access``). It carries a short note of the institution's own; the
due notification and e-mail name the case reference only.
"""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case
from cooperation.models import Institution


class FollowUpQuerySet(models.QuerySet):
    def open(self) -> "FollowUpQuerySet":
        return self.filter(done_at__isnull=True)

    def due_by(self, day: datetime.date) -> "FollowUpQuerySet":
        """Open and due on ``day`` or earlier."""
        return self.open().filter(due_on__lte=day)


class FollowUp(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(_("set at"), default=timezone.now)
    due_on = models.DateField(_("due on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    # The day the due notification went out: ``notify_due_followups`` sends it once.
    notified_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["institution", "done_at", "due_on"], name="followup_worklist")
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.due_on:%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.case.reference]) + "#followups-heading"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_due_on(self, day: datetime.date) -> bool:
        return not self.is_done and self.due_on <= day
