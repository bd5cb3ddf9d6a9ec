"""Fixtures of the outbox tests: a mail server that refuses, the outbox as Django's
default mailer (pytest-django replaces every mailer by the in-memory one), and the
database task backend in place of the immediate one."""

import pytest

from common.mail import Mail
from outbox.services import Outgoing, mail_queue

LOCMEM = {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}


@pytest.fixture
def refusing_mail_server(settings):
    """The delivery mailer fails every send, as an unreachable SMTP server does."""
    settings.MAILERS = {
        **settings.MAILERS,
        "delivery": {"BACKEND": "outbox.tests.refusing.Backend"},
    }


@pytest.fixture
def outbox_as_default_mailer(settings):
    """As in production: ``EmailMessage.send()`` queues in the outbox."""
    settings.MAILERS = {"default": {"BACKEND": "outbox.backends.OutboxBackend"}, "delivery": LOCMEM}


@pytest.fixture
def database_tasks(settings):
    """As in production: tasks are rows in the database until a worker runs them."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }


def queue(
    cooperation,
    institutions=(),
    *,
    subject="Einladung: Beteiligtenkonferenz HS-2026-0001",
    listed="Einladung: Beteiligtenkonferenz",
    to=("lena.caritas@kispfam.example",),
):
    """One mail, as the conferences app queues an invitation."""
    [message] = mail_queue(
        [
            Outgoing(
                mail=Mail(subject=subject, body="Am 09.12.2026 um 10:00 Uhr.", to=tuple(to)),
                cooperation=cooperation,
                institutions=tuple(institutions),
                listed_subject=listed,
            )
        ]
    )
    return message
