import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from agreements import demo as agreements_demo
from cases import demo as case_demo
from concept import demo as concept_demo
from conferences import demo as conference_demo
from cooperation import demo
from oparl import demo as oparl_demo
from reports import demo as reports_demo
from worklist import demo as worklist_demo


class Command(BaseCommand):
    help = "Load the fictional demo data (Kreis Heinsberg and Lindenbrück). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even with DEBUG off (never in production)."
        )
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, force: bool, format: str, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data with DEBUG off; pass --force if this really is "
                "a demo or test installation."
            )
        world = demo.load_institutions()
        case_demo.load_cases(world)
        agreements_demo.load(world)  # before the conferences: the Leitfaden shapes agendas
        reports_demo.load(world)
        # Before any document prints a reference: numbered in the order opened.
        case_demo.renumber(world)
        conference_demo.load_conferences(world)
        concept_demo.load(world)
        oparl_demo.load(world)
        # After every loader: each case was last changed when its story's last step was.
        case_demo.settle(world)
        worklist_demo.load(world)  # last: every dashboard section has something to show
        accounts = [
            {
                "username": user.username,
                "institution": user.institution.name if user.institution else "",
                "role": user.role if user.institution else "superuser",
                "totp_secret": settings.DEMO_TOTP_SECRET,
            }
            for user in world.users.values()
        ]
        cases = case_demo.describe_cases(world)
        meetings = conference_demo.describe_meetings(world)
        if format == "json":
            self.stdout.write(
                json.dumps(
                    {"accounts": accounts, "cases": cases, "meetings": meetings},
                    ensure_ascii=False,
                )
            )
            return
        width_user = max(len(a["username"]) for a in accounts)
        width_inst = max(len(a["institution"]) for a in accounts)
        self.stdout.write(f"{'username':<{width_user}}  {'institution':<{width_inst}}  role")
        self.stdout.write(f"{'-' * width_user}  {'-' * width_inst}  {'-' * 15}")
        for a in accounts:
            self.stdout.write(
                f"{a['username']:<{width_user}}  {a['institution']:<{width_inst}}  {a['role']}"
            )
        self.stdout.write("")
        for case in cases:
            self.stdout.write(f"{case['reference']}: {', '.join(case['visible_to'])}")
        self.stdout.write(
            _("Every demo account's password is the value of DEMO_PASSWORD (see the README).")
        )
        self.stdout.write(
            _(
                "The second factor: the code of an authenticator with the secret %(secret)s "
                "(DEMO_TOTP_SECRET), e.g. oathtool --totp -b %(secret)s"
            )
            % {"secret": settings.DEMO_TOTP_SECRET}
        )
