"""Documents through the real task backend (django-tasks-db) and its worker: publishing a
Leitfaden version leaves a task in the database, and ``manage.py db_worker`` renders and
stores the PDF that the download then serves as a file.

The worker runs in this process on any database, and as a separate process on
PostgreSQL (it cannot see SQLite's in-memory test database), as in production.
"""

import hashlib
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from agreements import services
from agreements.models import GuidelineDocument, GuidelineSection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    """As in production: tasks are rows in the database until a worker runs them."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }


@pytest.fixture
def published(database_tasks, agreement, heinsberg, coordination_office):
    guideline = services.guideline_create(cooperation=heinsberg)
    services.section_add(
        guideline=guideline,
        section=GuidelineSection(title="Grundsätze", body="Das Wohl des Kindes zählt."),
    )
    return services.guideline_publish(
        guideline=guideline, published_by=coordination_office, send_mail=False
    )


def check_served(client, reader, version) -> None:
    document = GuidelineDocument.objects.get(version=version)
    client.force_login(reader)
    response = client.get(
        reverse("agreements:guideline_pdf", args=[version.guideline_id, version.number])
    )
    served = b"".join(response.streaming_content)
    assert served.startswith(b"%PDF-")
    assert hashlib.sha256(served).hexdigest() == document.sha256


def test_publishing_queues_the_rendering_for_a_worker(published, client, caritas_caseworker):
    task = DBTaskResult.objects.get(queue_name="default")
    assert task.status == "READY"
    assert task.args_kwargs == {"args": [published.pk], "kwargs": {}}
    assert not GuidelineDocument.objects.exists()

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

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    check_served(client, caritas_caseworker, published)


def test_the_db_worker_process_renders_and_stores_it(published, client, caritas_caseworker):
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot reach SQLite's in-memory test database")
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    environment = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "TASKS_BACKEND": "database",
        "CACHE_URL": "locmem://",
        # The worker stores where the web reads: the shared media directory.
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--batch"]
    command += ["--no-startup-delay", "--no-reload", "--verbosity", "0"]

    finished = subprocess.run(command, cwd=settings.BASE_DIR, env=environment, timeout=300)

    assert finished.returncode == 0
    assert DBTaskResult.objects.get(queue_name="default").status == "SUCCESSFUL"
    check_served(client, caritas_caseworker, published)
