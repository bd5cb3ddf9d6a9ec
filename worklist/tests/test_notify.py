"""``notify_due_followups``: the person who set a follow-up is told on its day, in KispFam
and by e-mail, once; with the case reference only."""

import datetime
from io import StringIO

import time_machine
from django.core.management import call_command

from cases import services as case_services
from cases.models import Notification
from outbox.models import OutboxMessage
from worklist import services

from .conftest import TODAY


def run() -> str:
    out = StringIO()
    call_command("notify_due_followups", stdout=out)
    return out.getvalue()


def test_a_follow_up_due_today_is_notified_once(family_case, erkelenz_caseworker):
    due = services.followup_create(
        case=family_case,
        created_by=erkelenz_caseworker,
        due_on=TODAY,
        note="Sabine Beispiel anrufen",
    )
    services.followup_create(
        case=family_case, created_by=erkelenz_caseworker, due_on=TODAY + datetime.timedelta(1)
    )
    done = services.followup_create(case=family_case, created_by=erkelenz_caseworker, due_on=TODAY)
    services.followup_mark_done(followup=done, user=erkelenz_caseworker)

    assert "1 follow-up(s) notified." in run()
    assert "0 follow-up(s) notified." in run()

    notification = Notification.objects.get()
    assert notification.user == erkelenz_caseworker
    assert notification.kind == Notification.Kind.FOLLOW_UP_DUE
    assert notification.case == family_case
    assert family_case.reference in notification.message
    assert "25.11.2026" in notification.message
    message = OutboxMessage.objects.get()
    content = message.content
    assert content["to"] == [erkelenz_caseworker.email]
    assert family_case.reference in content["subject"]
    assert family_case.reference not in message.listed_subject
    # References only: neither the family nor the note leaves in a message.
    for text in (notification.message, content["subject"], content["body"]):
        assert "Beispiel" not in text and "Sabine" not in text
    due.refresh_from_db()
    assert due.notified_on == TODAY


def test_a_missed_day_is_made_up_and_a_lost_case_is_not_notified(
    family_case, caritas_released, caritas_caseworker, erkelenz_caseworker
):
    services.followup_create(case=family_case, created_by=erkelenz_caseworker, due_on=TODAY)
    lost = services.followup_create(case=family_case, created_by=caritas_caseworker, due_on=TODAY)
    case_services.consent_revoke(
        consent=caritas_released,
        revoked_on=TODAY - datetime.timedelta(days=1),
        channel="in_writing",
        recorded_by=erkelenz_caseworker,
    )
    Notification.objects.all().delete()

    with time_machine.travel(datetime.datetime(2026, 11, 27, 5, 0, tzinfo=datetime.UTC)):
        run()

    assert list(Notification.objects.values_list("user__username", flat=True)) == [
        erkelenz_caseworker.username
    ]
    lost.refresh_from_db()
    assert lost.notified_on is not None  # looked at once, never told
