"""Daily reminders by e-mail: upcoming meetings, due conferences and sittings, overdue
actions. Idempotent: each reminder goes to each address once (``Reminder``), so running
it twice a day, or again after a failure, sends nothing twice.

Meant for a daily timer (systemd or cron), see the README. Mails name times, places and
case references only, never a family.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case
from conferences.access import meetings_visible_to
from conferences.dashboard import next_sitting_due
from conferences.models import Action, Meeting, Participant, Reminder
from cooperation.models import Committee, User

UPCOMING_HOURS = 48
DUE_SOON_DAYS = 14


def sees(user: User, meeting: Meeting) -> bool:
    return meetings_visible_to(user).filter(pk=meeting.pk).exists()


def staff_addresses(**filters) -> set[str]:
    return set(
        User.objects.filter(is_active=True, **filters)
        .exclude(email="")
        .values_list("email", flat=True)
    )


class Command(BaseCommand):
    help = "Send due reminders by e-mail (each once)."

    def handle(self, *args, **options):
        self.sent = 0
        now = timezone.now()
        today = timezone.localdate(now)
        with translation.override(settings.LANGUAGE_CODE):
            self.upcoming_meetings(now)
            self.due_conferences(today)
            self.overdue_actions(today)
            self.due_sittings(today)
        self.stdout.write(f"{self.sent} reminder(s) sent.")

    def remind(self, kind: str, key: str, addresses, subject: str, body: str) -> None:
        for address in sorted(addresses):
            try:
                with transaction.atomic():
                    Reminder.objects.create(kind=kind, key=key, recipient=address)
                    EmailMessage(subject=subject, body=body, to=[address]).send()
            except IntegrityError:
                continue  # sent before
            except OSError as error:
                # Not recorded as sent: the next run tries again.
                self.stderr.write(f"{kind} {key} to {address}: {error}")
                continue
            self.sent += 1

    def upcoming_meetings(self, now) -> None:
        meetings = Meeting.objects.filter(
            state=Meeting.State.INVITED,
            starts_at__gte=now,
            starts_at__lte=now + datetime.timedelta(hours=UPCOMING_HOURS),
        ).select_related("case", "committee", "source_institution")
        for meeting in meetings:
            starts = timezone.localtime(meeting.starts_at)
            # Staff only while they still see the meeting (a revoked consent ends it).
            addresses = {
                p.email
                for p in meeting.participants.exclude(kind=Participant.Kind.FAMILY).select_related(
                    "user"
                )
                if p.email and (p.user is None or sees(p.user, meeting))
            }
            subject = _("Reminder: %(title)s on %(date)s") % {
                "title": meeting.title,
                "date": starts.strftime("%d.%m.%Y %H:%M"),
            }
            body = _("%(title)s\nWhen: %(date)s\nWhere: %(place)s") % {
                "title": meeting.title,
                "date": starts.strftime("%d.%m.%Y %H:%M"),
                "place": meeting.place or meeting.video_link,
            }
            self.remind("upcoming", f"{meeting.uid}:{meeting.sequence}", addresses, subject, body)

    def due_conferences(self, today) -> None:
        planned = Meeting.objects.filter(
            kind=Meeting.Kind.CASE_CONFERENCE,
            state__in=[Meeting.State.PLANNED, Meeting.State.INVITED],
            starts_at__gte=timezone.now(),
        ).values("case_id")
        cases = Case.objects.filter(
            status=Case.Status.OPEN,
            conference_due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        ).exclude(pk__in=planned)
        for case in cases:
            addresses = staff_addresses(
                institution_id=case.lead_institution_id,
                role__in=[User.Role.CASEWORKER, User.Role.LEAD],
            )
            subject = _("Beteiligtenkonferenz due in case %(reference)s") % {
                "reference": case.reference
            }
            body = _(
                "The next Beteiligtenkonferenz of case %(reference)s is due on %(date)s and "
                "none is planned yet."
            ) % {"reference": case.reference, "date": case.conference_due_on.strftime("%d.%m.%Y")}
            self.remind(
                "conference_due", f"{case.pk}:{case.conference_due_on}", addresses, subject, body
            )

    def overdue_actions(self, today) -> None:
        actions = Action.objects.overdue_on(today).select_related("meeting__case")
        for action in actions:
            if action.institution_id is None:
                continue
            addresses = {
                user.email
                for user in User.objects.filter(
                    is_active=True,
                    institution_id=action.institution_id,
                    role__in=[User.Role.CASEWORKER, User.Role.LEAD],
                ).exclude(email="")
                if sees(user, action.meeting)
            }
            where = action.meeting.case.reference if action.meeting.case_id else _("committee")
            subject = _("Agreed action overdue (%(where)s)") % {"where": where}
            body = _(
                "An agreed action of %(where)s was due on %(date)s and is still open. Please "
                "record in KispFam whether it was done."
            ) % {"where": where, "date": action.due_on.strftime("%d.%m.%Y")}
            self.remind("action_overdue", f"{action.pk}:{action.due_on}", addresses, subject, body)

    def due_sittings(self, today) -> None:
        for committee in Committee.objects.select_related("cooperation"):
            due = next_sitting_due(committee)
            if due is None or due > today + datetime.timedelta(days=30):
                continue
            addresses = staff_addresses(
                institution__cooperation=committee.cooperation_id, role=User.Role.COORDINATION
            )
            subject = _("Next sitting of the %(name)s due on %(date)s") % {
                "name": committee.name,
                "date": due.strftime("%d.%m.%Y"),
            }
            self.remind("sitting_due", f"{committee.pk}:{due}", addresses, subject, subject)
