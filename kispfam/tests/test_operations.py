"""Production as configured: settings read from the environment, gunicorn's
configuration, and the systemd units the README documents."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings
from django.core.management import get_commands

PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "tasks": settings.TASKS["default"]["BACKEND"],
    "queues": settings.TASKS["default"]["QUEUES"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "sessions": settings.SESSION_ENGINE,
    "mailer": settings.MAILERS["default"]["BACKEND"],
    "delivery": settings.MAILERS["delivery"]["BACKEND"],
}))
"""


def configured(**environment) -> dict:
    """The settings a process started with ``environment`` (and nothing else) gets."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=settings.BASE_DIR,
        env={**keep, "DJANGO_SETTINGS_MODULE": "kispfam.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_runs_tasks_from_postgresql_and_caches_in_redis():
    production = configured(SECRET_KEY="x" * 50)
    assert production == {
        "tasks": "django_tasks_db.DatabaseBackend",
        "queues": ["default", "mail"],
        "cache": "django.core.cache.backends.redis.RedisCache",
        "cache_location": "redis://127.0.0.1:6379/0",
        "sessions": "django.contrib.sessions.backends.cached_db",
        "mailer": "outbox.backends.OutboxBackend",
        "delivery": "django.core.mail.backends.smtp.EmailBackend",
    }


def test_development_runs_tasks_at_once_and_caches_in_memory():
    development = configured(DEBUG="true")
    assert development["tasks"] == "django.tasks.backends.immediate.ImmediateBackend"
    assert development["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert development["mailer"] == "outbox.backends.OutboxBackend"
    assert development["delivery"] == "django.core.mail.backends.console.EmailBackend"


def test_the_environment_decides():
    chosen = configured(
        DEBUG="true", TASKS_BACKEND="database", CACHE_URL="redis://cache.internal:6380/2"
    )
    assert chosen["tasks"] == "django_tasks_db.DatabaseBackend"
    assert chosen["cache_location"] == "redis://cache.internal:6380/2"


@pytest.mark.parametrize("variable", ["TASKS_BACKEND", "CACHE_URL"])
def test_an_unknown_value_stops_the_start(variable):
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DEBUG": "true", variable: "celery://nowhere"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_serves_with_the_repositorys_configuration(tmp_path):
    """gthread workers, the application preloaded: the health endpoint answers over plain
    HTTP with production settings (an empty SQLite file is enough for its checks)."""
    port = free_port()
    environment = {
        **os.environ,
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CACHE_URL": "locmem://",
        "TASKS_BACKEND": "immediate",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
    }
    environment.pop("DEBUG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "kispfam.wsgi"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/health/", headers={"Host": "localhost"}
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    status, body = response.status, response.read().decode()
                break
            except OSError:
                assert server.poll() is None, "gunicorn stopped"
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.3)
    finally:
        server.terminate()
        _, log = server.communicate(timeout=30)

    assert status == 200
    assert "Database: OK" in body
    assert "Using worker: gthread" in log
    assert server.returncode == 0


UNITS = settings.BASE_DIR / "deploy" / "systemd"


def test_every_command_the_systemd_units_run_exists():
    commands = set(get_commands())
    used = set()
    for unit in UNITS.iterdir():
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                used.update(re.findall(r"manage\.py (\w+)", line))
    assert used >= {"db_worker", "send_reminders", "refresh_case_permissions", "requeue_mail"}
    assert used <= commands


def test_every_timer_starts_a_service_of_the_same_name():
    for timer in UNITS.glob("*.timer"):
        assert timer.with_suffix(".service").exists(), timer.name
        assert "OnCalendar=" in timer.read_text()


def test_the_readme_runs_gunicorn_with_the_repositorys_configuration():
    readme = (settings.BASE_DIR / "README.md").read_text()
    assert "gunicorn -c gunicorn.conf.py kispfam.wsgi" in readme
    assert "db_worker" in readme
    assert "scripts/backup.sh" in readme and "scripts/restore.sh" in readme
