"""Daily reminders by e-mail: upcoming meetings, due conferences and sittings, overdue
actions. Idempotent: each reminder goes to each address once (``Reminder``), so running
it twice a day, or again after a failure, sends nothing twice. Each reminder is recorded
and queued in the outbox in one transaction; the outbox's task sends it and tries again
when the mail server fails.

Meant for a daily timer (systemd or cron), see the README. Mails name times, places and
case references only, never a family.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case
from common.mail import Mail
from conferences.access import meetings_visible_to
from conferences.dashboard import next_sitting_due
from conferences.models import Action, Meeting, Participant, Reminder
from conferences.services import listed_title
from cooperation.models import Committee, User
from outbox.services import Outgoing, mail_queue

UPCOMING_HOURS = 48
DUE_SOON_DAYS = 14


def sees(user: User, meeting: Meeting) -> bool:
    return meetings_visible_to(user).filter(pk=meeting.pk).exists()


def staff_addresses(**filters) -> dict[str, int]:
    """Address -> institution of the active staff matching ``filters``."""
    return dict(
        User.objects.filter(is_active=True, **filters)
        .exclude(email="")
        .values_list("email", "institution_id")
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
        self.stdout.write(f"{self.sent} reminder(s) queued.")

    def remind(
        self,
        kind: str,
        key: str,
        addresses: dict[str, int | None],
        subject: str,
        body: str,
        *,
        cooperation_id: int,
        listed: str = "",
    ) -> None:
        """Queue the reminder for each address (address -> its institution) that has not
        had it yet."""
        for address in sorted(addresses):
            institution_id = addresses[address]
            try:
                with transaction.atomic():
                    Reminder.objects.create(kind=kind, key=key, recipient=address)
                    # This transaction records nothing but the mail: enqueue within it.
                    mail_queue(
                        [
                            Outgoing(
                                mail=Mail(subject=subject, body=body, to=(address,)),
                                cooperation=cooperation_id,
                                institutions=(institution_id,) if institution_id else (),
                                listed_subject=listed,
                            )
                        ],
                        after_commit=False,
                    )
            except IntegrityError:
                continue  # sent before
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
                p.email: p.institution_id
                for p in meeting.participants.exclude(kind=Participant.Kind.FAMILY).select_related(
                    "user"
                )
                if p.email and (p.user is None or sees(p.user, meeting))
            }
            text = _("Reminder: %(title)s on %(date)s")
            subject = text % {"title": meeting.title, "date": starts.strftime("%d.%m.%Y %H:%M")}
            listed = text % {
                "title": listed_title(meeting),
                "date": starts.strftime("%d.%m.%Y %H:%M"),
            }
            body = _("%(title)s\nWhen: %(date)s\nWhere: %(place)s") % {
                "title": meeting.title,
                "date": starts.strftime("%d.%m.%Y %H:%M"),
                "place": meeting.place or meeting.video_link,
            }
            self.remind(
                "upcoming",
                f"{meeting.uid}:{meeting.sequence}",
                addresses,
                subject,
                body,
                cooperation_id=meeting.cooperation_id,
                listed=listed,
            )

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
                "conference_due",
                f"{case.pk}:{case.conference_due_on}",
                addresses,
                subject,
                body,
                cooperation_id=case.cooperation_id,
                listed=_("Beteiligtenkonferenz due in a case"),
            )

    def overdue_actions(self, today) -> None:
        actions = Action.objects.overdue_on(today).select_related("meeting__case")
        for action in actions:
            if action.institution_id is None:
                continue
            addresses = {
                user.email: action.institution_id
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
            self.remind(
                "action_overdue",
                f"{action.pk}:{action.due_on}",
                addresses,
                subject,
                body,
                cooperation_id=action.meeting.cooperation_id,
                listed=subject if not action.meeting.case_id else _("Agreed action overdue"),
            )

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
            self.remind(
                "sitting_due",
                f"{committee.pk}:{due}",
                addresses,
                subject,
                subject,
                cooperation_id=committee.cooperation_id,
            )
