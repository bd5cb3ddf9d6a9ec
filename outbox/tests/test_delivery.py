"""Queueing and delivering mail: after the commit, in a task, with retries and backoff."""

import datetime
import io

import time_machine
from django.core import mail as django_mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from common.mail import Attachment, Mail
from outbox.models import OutboxMessage
from outbox.services import Outgoing, mail_queue

from .conftest import queue

NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
State = OutboxMessage.State


def requeue(**options) -> str:
    out = io.StringIO()
    call_command("requeue_mail", stdout=out, **options)
    return out.getvalue()


def test_it_sends_after_the_commit_and_keeps_no_text(
    institutions, heinsberg, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue(heinsberg, [institutions["caritas"]])

    assert len(callbacks) == 1
    [sent] = mailoutbox
    assert sent.subject == "Einladung: Beteiligtenkonferenz HS-2026-0001"
    assert sent.to == ["lena.caritas@kispfam.example"]
    message.refresh_from_db()
    assert message.state == State.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    # Once sent, neither the text nor the addresses stay in the outbox.
    assert message.content == {}
    assert message.listed_subject == "Einladung: Beteiligtenkonferenz"
    assert list(message.institutions.all()) == [institutions["caritas"]]


def test_nothing_leaves_before_the_commit(
    heinsberg, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        message = queue(heinsberg)

    assert not mailoutbox
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.QUEUED, 0)


def test_a_batch_is_one_commit_callback(heinsberg, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mail_queue(
            Outgoing(
                mail=Mail(subject="S", body="B", to=(f"{n}@example.org",)), cooperation=heinsberg
            )
            for n in range(3)
        )
    assert len(callbacks) == 1
    assert OutboxMessage.objects.count() == 3


def test_calendar_attachments_arrive_as_sent(
    heinsberg, mailoutbox, django_capture_on_commit_callbacks
):
    ics = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    mimetype = 'text/calendar; charset="utf-8"; method=REQUEST'
    with django_capture_on_commit_callbacks(execute=True):
        mail_queue(
            [
                Outgoing(
                    mail=Mail(
                        subject="S",
                        body="B",
                        to=("a@example.org",),
                        attachments=(Attachment("einladung.ics", ics, mimetype),),
                    ),
                    cooperation=heinsberg,
                )
            ]
        )
    [(name, content, sent_type)] = mailoutbox[0].attachments
    assert name == "einladung.ics"
    assert (content.encode() if isinstance(content, str) else content) == ics
    assert "method=REQUEST" in sent_type


def test_a_failing_send_is_tried_again_with_growing_pauses_then_failed(
    heinsberg, refusing_mail_server, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """1, 4, 16, 64 and 256 minutes apart; after the sixth attempt it stays failed. The
    immediate backend cannot defer a task: ``requeue_mail`` picks each retry up."""
    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            message = queue(heinsberg)
        pauses = []
        for _ in range(settings.OUTBOX_MAX_ATTEMPTS - 1):
            message.refresh_from_db()
            assert message.state == State.RETRYING
            assert message.last_error == "SMTPServerDisconnected"
            pause = message.next_attempt_at - timezone.now()
            pauses.append(pause)
            # Not before its time, not even by the sweep.
            requeue(grace=0)
            message.refresh_from_db()
            assert message.state == State.RETRYING
            clock.shift(pause + datetime.timedelta(minutes=6))
            requeue()
        message.refresh_from_db()

    assert pauses == [datetime.timedelta(minutes=m) for m in (1, 4, 16, 64, 256)]
    assert (message.state, message.attempts) == (State.FAILED, settings.OUTBOX_MAX_ATTEMPTS)
    assert message.next_attempt_at is None
    assert message.content["to"] == ["lena.caritas@kispfam.example"]  # kept to send again
    assert not mailoutbox
    # A failed message is not picked up again by the sweep.
    assert "0 message(s) re-enqueued" in requeue()


def test_a_send_cut_off_by_a_killed_worker_is_tried_again(
    heinsberg, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        message = queue(heinsberg)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.SENDING,
        attempts=1,
        last_attempt_at=timezone.now() - datetime.timedelta(hours=1),
    )

    assert "1 cut-off send(s) reset, 1 message(s) re-enqueued" in requeue()

    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.SENT, 2)
    assert len(mailoutbox) == 1


def test_a_message_whose_task_went_missing_is_enqueued_again_only_once_sent(
    heinsberg, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=False):
            message = queue(heinsberg)  # its task was lost with the commit callback
        assert "0 message(s) re-enqueued" in requeue()  # still within the grace
        clock.shift(datetime.timedelta(minutes=10))
        assert "1 message(s) re-enqueued" in requeue()
        requeue()
    message.refresh_from_db()
    assert message.state == State.SENT
    assert len(mailoutbox) == 1


def test_a_second_task_for_the_same_message_sends_nothing(
    heinsberg, mailoutbox, django_capture_on_commit_callbacks
):
    from outbox.tasks import deliver

    with django_capture_on_commit_callbacks(execute=True):
        message = queue(heinsberg)
    assert deliver.call(message.pk) == "not due"
    assert len(mailoutbox) == 1


def test_old_sent_and_failed_messages_are_deleted(heinsberg, settings):
    old = timezone.now() - datetime.timedelta(days=settings.OUTBOX_KEEP_DAYS + 1)
    for state in (State.SENT, State.FAILED, State.RETRYING):
        OutboxMessage.objects.create(
            cooperation=heinsberg, listed_subject=state, state=state, created_at=old
        )
    OutboxMessage.objects.create(cooperation=heinsberg, listed_subject="new", state=State.SENT)

    assert "2 old message(s) deleted" in requeue()
    assert set(OutboxMessage.objects.values_list("listed_subject", flat=True)) == {
        "retrying",
        "new",
    }


def test_the_default_mailer_is_the_outbox(
    outbox_as_default_mailer,
    institutions,
    heinsberg,
    caritas_caseworker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """Mail sent the plain Django way (apps below the outbox, Django itself) is queued,
    attributed to the institution and cooperation of its addresses."""
    with django_capture_on_commit_callbacks(execute=True):
        django_mail.EmailMessage(
            subject="Neue Mitarbeiterin", body="…", to=[caritas_caseworker.email]
        ).send()

    message = OutboxMessage.objects.get()
    assert message.state == State.SENT
    assert message.cooperation == heinsberg
    assert list(message.institutions.all()) == [institutions["caritas"]]
    assert message.listed_subject == "Neue Mitarbeiterin"
    assert [m.to for m in mailoutbox] == [[caritas_caseworker.email]]


def test_mail_to_addresses_of_no_cooperation_is_the_superusers_alone(
    outbox_as_default_mailer, superuser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        django_mail.EmailMessage(subject="Hallo", body="…", to=[superuser.email]).send()
    message = OutboxMessage.objects.get()
    assert message.cooperation is None
    assert not message.institutions.exists()


def test_a_password_reset_goes_through_the_outbox(
    outbox_as_default_mailer,
    client,
    erkelenz_caseworker,
    institutions,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": erkelenz_caseworker.email})

    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.state == State.SENT
    assert list(message.institutions.all()) == [institutions["erkelenz"]]
    # The reset link (a secret) is not kept once the mail is sent.
    assert message.content == {}
    [sent] = mailoutbox
    assert "/konto/reset/" in sent.body


def test_blind_copies_stay_blind(heinsberg, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mail_queue(
            [
                Outgoing(
                    mail=Mail(subject="S", body="B", bcc=("a@example.org", "b@example.org")),
                    cooperation=heinsberg,
                )
            ]
        )
    [sent] = mailoutbox
    assert (sent.to, sent.bcc) == ([], ["a@example.org", "b@example.org"])
    assert "a@example.org" not in sent.message().as_string()
