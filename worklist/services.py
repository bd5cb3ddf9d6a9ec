"""Writes of follow-ups: set, done, open again, and the due notification.

Each is one transaction; the history (django-simple-history) records who changed what.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case, Notification
from common.mail import Mail
from cooperation.models import User
from outbox.services import Outgoing, mail_queue

from .access import followups_visible_to
from .models import FollowUp


@transaction.atomic
def followup_create(
    *, case: Case, created_by: User, due_on: datetime.date, note: str = ""
) -> FollowUp:
    """A follow-up of ``created_by``'s institution on ``case`` (the caller checked, through
    the gateway, that the institution may open the case)."""
    return FollowUp.objects.create(
        case=case,
        institution_id=created_by.institution_id,
        created_by=created_by,
        due_on=due_on,
        note=note.strip(),
    )


@transaction.atomic
def followup_mark_done(*, followup: FollowUp, user: User) -> FollowUp:
    if followup.done_at is None:
        followup.done_at = timezone.now()
        followup.done_by = user
        followup.save(update_fields=["done_at", "done_by"])
    return followup


@transaction.atomic
def followup_reopen(*, followup: FollowUp, user: User) -> FollowUp:
    """Done by mistake, or not done after all: open again (the history keeps both)."""
    if followup.done_at is not None:
        followup.done_at = None
        followup.done_by = None
        followup.save(update_fields=["done_at", "done_by"])
    return followup


def followups_to_notify(today: datetime.date):
    """Open follow-ups due today (or earlier, when a daily run was missed) whose creator
    has not been told yet."""
    return (
        FollowUp.objects.due_by(today)
        .filter(notified_on__isnull=True)
        .select_related("case", "created_by", "institution")
        .order_by("due_on", "pk")
    )


def followup_notify_due(*, followup: FollowUp, today: datetime.date) -> bool:
    """Tell the person who set the follow-up, in the application and by e-mail, once.

    Only while they still work at the institution and it may still open the case (a
    revoked consent ends the follow-up's visibility, and so its notification). The
    message names the case reference and the date, never the family or the note.
    """
    user = followup.created_by
    with transaction.atomic():
        # Claimed under a row lock: two runs at once notify once.
        claimed = FollowUp.objects.filter(pk=followup.pk, notified_on__isnull=True).update(
            notified_on=today
        )
        if not claimed:
            return False
        if (
            not user.is_active
            or user.institution_id != followup.institution_id
            or not followups_visible_to(user, today).filter(pk=followup.pk).exists()
        ):
            return False
        details = {
            "reference": followup.case.reference,
            "date": followup.due_on.strftime("%d.%m.%Y"),
        }
        link = reverse("cases:detail", args=[followup.case.reference])
        Notification.objects.create(
            user=user,
            case=followup.case,
            kind=Notification.Kind.FOLLOW_UP_DUE,
            details=details,
            link=link,
        )
        if user.email:
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Follow-up due in case %(reference)s") % details
                body = _(
                    "A follow-up of your institution on case %(reference)s is due on "
                    "%(date)s.\n\nOpen the case in KispFam: %(url)s"
                ) % {**details, "url": settings.SITE_URL.rstrip("/") + link}
                listed = _("Follow-up due in a case")
            mail_queue(
                [
                    Outgoing(
                        mail=Mail(subject=subject, body=body, to=(user.email,)),
                        cooperation=followup.case.cooperation_id,
                        institutions=(followup.institution_id,),
                        listed_subject=listed,
                    )
                ]
            )
    return True


def notify_due_followups(today: datetime.date | None = None) -> int:
    """Every follow-up due by ``today`` notified once; returns how many were notified."""
    today = today or timezone.localdate()
    return sum(
        followup_notify_due(followup=followup, today=today)
        for followup in followups_to_notify(today)
    )
