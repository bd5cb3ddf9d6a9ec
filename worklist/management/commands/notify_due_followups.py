"""Daily: tell each person whose follow-up (Wiedervorlage) is due, in KispFam and by
e-mail. Idempotent: a follow-up is notified once (``FollowUp.notified_on``), so a second
run the same day sends nothing. Meant for the daily timer beside ``send_reminders``."""

from django.core.management.base import BaseCommand

from worklist.services import notify_due_followups


class Command(BaseCommand):
    help = "Notify the people whose follow-ups are due (each once)."

    def handle(self, *args, **options):
        count = notify_due_followups()
        self.stdout.write(f"{count} follow-up(s) notified.")
