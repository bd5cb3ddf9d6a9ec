"""The outbox: every e-mail KispFam sends, from the moment it is queued until it is sent.

A message is written in the same transaction as the act that causes it, and a task
delivers it (``outbox.tasks.deliver``). A failed send is tried again with growing
pauses; after ``OUTBOX_MAX_ATTEMPTS`` it stays "failed", and the coordination office
of the cooperation sees it on the outbox page. Once sent, the text and the addresses are
emptied: what remains (recipient institutions, the listed subject, state, attempts) names
no family and no address.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.models import Cooperation, Institution

# A send that has been "sending" this long was cut off (a worker killed mid-send); the
# SMTP timeout (EMAIL_TIMEOUT, 30 s) is far shorter.
STUCK_AFTER = datetime.timedelta(minutes=15)


def retry_delay(attempts: int) -> datetime.timedelta:
    """The pause after the ``attempts``-th failed send: 1, 4, 16, 64, 256 minutes ..."""
    return datetime.timedelta(minutes=4 ** max(attempts - 1, 0))


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime) -> "OutboxMessageQuerySet":
        """Waiting for a (first or further) attempt whose time has come."""
        return self.filter(
            state__in=[OutboxMessage.State.QUEUED, OutboxMessage.State.RETRYING],
            next_attempt_at__lte=now,
        )

    def stuck(self, now: datetime.datetime) -> "OutboxMessageQuerySet":
        return self.filter(state=OutboxMessage.State.SENDING, last_attempt_at__lt=now - STUCK_AFTER)

    def unsent(self) -> "OutboxMessageQuerySet":
        return self.exclude(state=OutboxMessage.State.SENT)


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        RETRYING = "retrying", _("waiting to retry")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    # Whose coordination office sees the message; none (e.g. a superuser's password
    # reset): only the superuser.
    cooperation = models.ForeignKey(
        Cooperation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cooperation"),
    )
    institutions = models.ManyToManyField(
        Institution, blank=True, related_name="+", verbose_name=_("recipient institutions")
    )
    # What the outbox page shows: the subject without a case reference, because the
    # coordination office sees no case.
    listed_subject = models.CharField(_("subject"), max_length=300)
    # The message itself (common.mail.Mail as JSON); emptied once it is sent.
    content = models.JSONField(_("content"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The class of the last error (e.g. SMTPServerDisconnected), never its text: SMTP
    # errors quote addresses.
    last_error = models.CharField(_("last error"), max_length=100, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_waiting",
                condition=Q(state__in=["queued", "retrying"]),
            ),
            models.Index(fields=["cooperation", "-created_at"], name="outbox_by_cooperation"),
        ]

    def __str__(self) -> str:
        return self.listed_subject

    def record_sent(self, now: datetime.datetime) -> None:
        self.state = self.State.SENT
        self.sent_at = now
        self.next_attempt_at = None
        self.last_error = ""
        self.content = {}
        self.save(update_fields=["state", "sent_at", "next_attempt_at", "last_error", "content"])

    def record_failure(self, error: BaseException, now: datetime.datetime) -> None:
        """Another attempt later, or "failed" after the last one."""
        self.last_error = type(error).__name__[:100]
        if self.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            self.state = self.State.FAILED
            self.next_attempt_at = None
        else:
            self.state = self.State.RETRYING
            self.next_attempt_at = now + retry_delay(self.attempts)
        self.save(update_fields=["state", "next_attempt_at", "last_error"])
