"""Delete what the retention rules say is due (daily timer). A dry run unless --commit.

Prints one line per deletion: the date due, the kind of record, the case reference or
institution, the number of records and the rule. Never a family's data.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.services import retention_apply


class Command(BaseCommand):
    help = "Delete records whose retention period has ended (dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--commit", action="store_true", help="Delete; without it nothing is changed."
        )
        parser.add_argument(
            "--date", help="Act as if today were this day (YYYY-MM-DD), e.g. to preview."
        )

    def handle(self, *args, commit: bool, date: str | None, **options):
        today = timezone.localdate()
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD.") from None
            if commit and today > timezone.localdate():
                raise CommandError("--commit only for today or an earlier day.")
        result = retention_apply(today=today, commit=commit)
        for item in result.items:
            where = item.reference or (item.institution.short_name if item.institution else "–")
            self.stdout.write(
                f"{item.due_on:%Y-%m-%d} {item.label}: {where}, {item.count} "
                f"({item.rule.describe()}; {item.rule.legal_source})"
            )
        verb = "deleted" if commit else "due (dry run, nothing deleted; use --commit)"
        summary = f"{len(result.items)} deletions {verb}."
        if commit:
            summary += f" Figures of {result.statistics} finished half-years are kept."
            summary += f" {result.expired} expired working copies removed."
        self.stdout.write(summary)
