"""The real thing: the database task backend (django-tasks-db) and its worker.

Production keeps the queue in PostgreSQL and runs ``manage.py db_worker``; these tests
run the same backend and worker, in this process (any database) and as a separate process
that is stopped and started again (PostgreSQL: a second process cannot see SQLite's
in-memory test database).
"""

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from outbox.models import OutboxMessage

from .conftest import queue

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
State = OutboxMessage.State


def run_worker() -> None:
    """``manage.py db_worker --batch --queue-name '*'``, in this process."""
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def state(message: OutboxMessage) -> str:
    return OutboxMessage.objects.values_list("state", flat=True).get(pk=message.pk)


def test_a_queued_mail_waits_in_the_database_until_a_worker_sends_it(
    database_tasks, heinsberg, mailoutbox
):
    message = queue(heinsberg)

    # The task is a row on the "mail" queue that carries the message's id, nothing else.
    task = DBTaskResult.objects.get()
    assert (task.status, task.queue_name) == ("READY", "mail")
    assert task.args_kwargs == {"args": [message.pk], "kwargs": {}}
    assert not mailoutbox

    run_worker()

    assert state(message) == State.SENT
    assert [m.to for m in mailoutbox] == [["lena.caritas@kispfam.example"]]
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"


def test_a_retry_waits_in_the_queue_for_its_time(database_tasks, refusing_mail_server, heinsberg):
    with time_machine.travel(NOW, tick=False) as clock:
        message = queue(heinsberg)
        run_worker()
        assert (state(message), OutboxMessage.objects.get().attempts) == (State.RETRYING, 1)
        retry = DBTaskResult.objects.get(status="READY")
        assert retry.run_after == NOW + datetime.timedelta(minutes=1)

        run_worker()  # too early: the retry is not taken
        assert OutboxMessage.objects.get().attempts == 1

        clock.shift(datetime.timedelta(minutes=1, seconds=1))
        run_worker()
        message.refresh_from_db()
        assert (message.state, message.attempts) == (State.RETRYING, 2)
        assert DBTaskResult.objects.get(status="READY").run_after == message.next_attempt_at
        assert message.next_attempt_at - message.last_attempt_at == datetime.timedelta(minutes=4)


def worker_environment(tmp_path) -> dict[str, str]:
    """The worker process's settings: this test's database, mail written to files."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "TASKS_BACKEND": "database",
        "CACHE_URL": "locmem://",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }


def wait_for(condition, seconds: float = 180) -> None:
    # Generous: a worker starts Django from scratch, slow on a busy CI machine.
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_queued_mail_survives_a_worker_restart(database_tasks, heinsberg, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot reach SQLite's in-memory test database")
    environment = worker_environment(tmp_path)
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*"]
    command += ["--no-startup-delay", "--no-reload", "--verbosity", "0"]

    first = queue(heinsberg, to=("erste@kispfam.example",))
    worker = subprocess.Popen(
        [*command, "--interval", "0.2"], cwd=settings.BASE_DIR, env=environment
    )
    try:
        wait_for(lambda: state(first) == State.SENT)
        # systemd stops the worker with SIGTERM: it finishes its task and exits.
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()

    # Queued while no worker runs: it waits in the database.
    second = queue(heinsberg, to=("zweite@kispfam.example",))
    time.sleep(1)
    assert state(second) == State.QUEUED

    restarted = subprocess.run(
        [*command, "--batch"], cwd=settings.BASE_DIR, env=environment, timeout=120
    )

    assert restarted.returncode == 0
    assert state(second) == State.SENT
    sent = "".join(path.read_text() for path in (tmp_path / "mail").iterdir())
    assert "To: erste@kispfam.example" in sent and "To: zweite@kispfam.example" in sent
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
