"""Keep the outbox moving when a task went missing. Idempotent; every ten minutes.

- A message "sending" for 15 minutes was cut off (its worker was killed): it is tried
  again (at least once, not exactly once).
- A message whose attempt is due for more than ``--grace`` minutes has no task that will
  run it (the immediate backend cannot defer a retry; a process died between commit and
  enqueue): a task is enqueued. A surplus task finds the message not due and does nothing.
- Sent and failed messages older than ``OUTBOX_KEEP_DAYS`` are deleted.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from outbox.models import OutboxMessage
from outbox.tasks import deliver


class Command(BaseCommand):
    help = "Re-enqueue outbox messages whose delivery task went missing; prune old ones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace",
            type=int,
            default=5,
            help="Minutes a due message may wait for its task before it gets another.",
        )

    def handle(self, *args, grace: int, **options):
        now = timezone.now()
        stuck = OutboxMessage.objects.stuck(now).update(
            state=OutboxMessage.State.RETRYING, next_attempt_at=now
        )
        overdue = list(
            OutboxMessage.objects.due(now - datetime.timedelta(minutes=grace)).values_list(
                "pk", flat=True
            )
        )
        if stuck:
            # Just made due: enqueue them now rather than after the grace.
            overdue += OutboxMessage.objects.filter(
                state=OutboxMessage.State.RETRYING, next_attempt_at=now
            ).values_list("pk", flat=True)
        for pk in sorted(set(overdue)):
            deliver.enqueue(pk)
        _, deleted = OutboxMessage.objects.filter(
            state__in=[OutboxMessage.State.SENT, OutboxMessage.State.FAILED],
            created_at__lt=now - datetime.timedelta(days=settings.OUTBOX_KEEP_DAYS),
        ).delete()
        pruned = deleted.get(OutboxMessage._meta.label, 0)
        if options["verbosity"]:
            self.stdout.write(
                f"{stuck} cut-off send(s) reset, {len(set(overdue))} message(s) re-enqueued, "
                f"{pruned} old message(s) deleted."
            )
