"""The task that sends one outbox message (Django's task framework, queue "mail").

The task carries only the message's id: the text stays in the outbox table. Claiming the
message is one conditional UPDATE, so two tasks for the same message (a re-queued one,
``requeue_mail``) never send it twice; a worker killed in the middle of a send leaves it
"sending", and ``requeue_mail`` tries it again later (at least once, not exactly once).
"""

import logging

from django.db.models import F
from django.tasks import task
from django.utils import timezone

from common.mail import Mail

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# Django's MAILERS alias that really delivers (SMTP in production); "default" is the
# outbox itself.
DELIVERY_MAILER = "delivery"


@task(queue_name="mail")
def deliver(message_id: int) -> str:
    """Send the message if it is due; on failure, schedule the next attempt."""
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id)
        .due(now)
        .update(state=OutboxMessage.State.SENDING, attempts=F("attempts") + 1, last_attempt_at=now)
    )
    if not claimed:
        return "not due"
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        Mail.from_json(message.content).message().send(using=DELIVERY_MAILER)
    except Exception as error:
        message.record_failure(error, timezone.now())
        logger.warning(
            "Outbox message %s: attempt %s failed (%s), now %s",
            message.pk,
            message.attempts,
            message.last_error,
            message.state,
        )
        if message.state == OutboxMessage.State.RETRYING:
            schedule(message)
        return str(message.state)
    message.record_sent(timezone.now())
    return str(message.state)


def schedule(message: OutboxMessage) -> None:
    """Enqueue the next attempt for its time. A backend that cannot defer (the immediate
    one of development) leaves it to ``requeue_mail``."""
    backend = deliver.get_backend()
    if backend.supports_defer:
        deliver.using(run_after=message.next_attempt_at).enqueue(message.pk)
