from django.core.management.base import BaseCommand
from django.utils import timezone

from cases.services import case_permissions_refresh


class Command(BaseCommand):
    help = (
        "Move the object permissions of cases whose consent or involvement windows opened "
        "or closed in the last days (daily, shortly after midnight). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="How many days to look back.")

    def handle(self, *args, days: int, **options):
        count = case_permissions_refresh(day=timezone.localdate(), days_back=days)
        if options["verbosity"]:
            self.stdout.write(f"{count} case(s) refreshed.")
