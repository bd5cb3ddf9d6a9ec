"""Queueing mail: the one way e-mail leaves KispFam.

Apps above the outbox (cases, conferences) call ``mail_queue`` with the cooperation and
the recipient institutions, which decide who sees the message on the outbox page. Apps
below it (cooperation) and Django itself (password resets) send through the default
mailer, ``outbox.backends.OutboxBackend``, which queues the same way.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from common.mail import Mail
from cooperation.models import Cooperation, Institution

from .models import OutboxMessage
from .tasks import deliver


@dataclass(frozen=True)
class Outgoing:
    mail: Mail
    # Whose coordination office sees the message (instance or primary key).
    cooperation: Cooperation | int | None
    # Institutions or their primary keys.
    institutions: tuple[Institution | int, ...] = ()
    # The subject as the outbox page shows it; the mail's subject when empty. Mail about
    # a case leaves its reference out: the coordination office sees no case.
    listed_subject: str = ""


def mail_queue(outgoing: Iterable[Outgoing], *, after_commit: bool = True) -> list[OutboxMessage]:
    """Store each message in the outbox and enqueue its delivery.

    The database task backend writes the task in the current transaction, so message and
    task are committed, or rolled back, with the act that caused them. Another backend
    (the immediate one runs the task at once) is enqueued when the transaction commits,
    so that no mail leaves for an act that is rolled back — unless ``after_commit`` is
    off, for callers whose transaction records nothing but the mail itself.
    """
    now = timezone.now()
    messages = []
    for item in outgoing:
        message = OutboxMessage.objects.create(
            cooperation_id=getattr(item.cooperation, "pk", item.cooperation),
            listed_subject=(item.listed_subject or item.mail.subject)[:300],
            content=item.mail.as_json(),
            next_attempt_at=now,
        )
        if item.institutions:
            message.institutions.set(item.institutions)
        messages.append(message)
    if messages:
        _enqueue([message.pk for message in messages], after_commit=after_commit)
    return messages


@transaction.atomic
def message_resend(*, message: OutboxMessage) -> OutboxMessage:
    """The coordination office sends a failed message again (e.g. after the mail server
    was repaired): it is queued anew, with a fresh count of attempts."""
    message.state = OutboxMessage.State.QUEUED
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["state", "attempts", "next_attempt_at"])
    _enqueue([message.pk])
    return message


def _enqueue(ids: list[int], *, after_commit: bool = True) -> None:
    def enqueue() -> None:
        for pk in ids:
            deliver.enqueue(pk)

    if isinstance(deliver.get_backend(), DatabaseBackend) or not after_commit:
        enqueue()
    else:
        transaction.on_commit(enqueue)
