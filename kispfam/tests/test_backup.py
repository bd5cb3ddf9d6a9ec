"""Backup and restore (scripts/backup.sh, scripts/restore.sh) end to end.

The demo is dumped with pg_dump and its media packed; both are restored into a fresh
database and an empty directory; the restored application, a separate process, serves
the same case page and the same frozen protocol PDF, byte for byte (SHA-256), as the
original. PostgreSQL only; in CI the PostgreSQL client tools must be there.
"""

import io
import json
import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from conferences.models import Meeting, Minutes

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPTS = settings.BASE_DIR / "scripts"

# Run by the restored (or the original) application: sign in as the reader and fetch the
# case page and the protocol PDF with Django's test client.
SERVE = """
import hashlib, json, sys
import django
django.setup()
from django.test import Client
from cooperation.models import User
username, case_url, pdf_url, reference = sys.argv[1:5]
client = Client(HTTP_ACCEPT_LANGUAGE="de")
client.force_login(User.objects.get(username=username))
case = client.get(case_url)
pdf = client.get(pdf_url)
body = b"".join(pdf) if pdf.streaming else pdf.content
print(json.dumps({
    "case": case.status_code,
    "reference_shown": reference in case.content.decode(),
    "pdf": pdf.status_code,
    "pdf_sha256": hashlib.sha256(body).hexdigest(),
}))
"""


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "localhost"
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{name}"


def serve(database: str, media, *request) -> dict:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kispfam.settings",
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": database_url(database),
        "MEDIA_ROOT": str(media),
        "CACHE_URL": "locmem://",
        "TASKS_BACKEND": "immediate",
        "AXES_ENABLED": "false",
        # The second factor is not what this test is about.
        "OTP_REQUIRED_ROLES": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", SERVE, *request],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def script(name: str, argument, database: str, media) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": database_url(database), "MEDIA_ROOT": str(media)}
    return subprocess.run(
        ["bash", str(SCRIPTS / name), str(argument)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "--dbname", database_url("postgres"), "--quiet", "--command", sql], check=True
    )


@pytest.fixture
def postgresql_tools():
    if connection.vendor != "postgresql":
        pytest.skip("backup and restore are made for PostgreSQL (pg_dump, pg_restore)")
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if not shutil.which(tool)]
    if missing:
        message = f"PostgreSQL client tools missing: {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def test_a_restored_backup_serves_the_same_case_and_protocol(postgresql_tools, tmp_path):
    call_command("load_demo", force=True, stdout=io.StringIO())
    minutes = (
        Minutes.objects.filter(
            status=Minutes.Status.APPROVED, meeting__kind=Meeting.Kind.CASE_CONFERENCE
        )
        .select_related("meeting__case", "meeting__organiser")
        .first()
    )
    assert minutes is not None, "the demo has an approved Beteiligtenkonferenz"
    meeting = minutes.meeting
    request = (
        meeting.organiser.username,
        meeting.case.get_absolute_url(),
        reverse("conferences:pdf", kwargs={"pk": meeting.pk}),
        meeting.case.reference,
    )
    original_db = connection.settings_dict["NAME"]
    original = serve(original_db, settings.MEDIA_ROOT, *request)
    assert original["case"] == 200 and original["reference_shown"]
    assert original["pdf"] == 200
    assert original["pdf_sha256"] in (minutes.sha256, minutes.sha256_without_health)

    made = script("backup.sh", tmp_path / "backups", original_db, settings.MEDIA_ROOT)
    assert made.returncode == 0, made.stderr
    stem = tmp_path / "backups" / made.stdout.strip().splitlines()[-1]
    assert {p.name for p in stem.parent.iterdir()} == {
        f"{stem.name}.dump",
        f"{stem.name}-media.tar.gz",
        f"{stem.name}.sha256",
    }

    restored_db = f"{original_db}_restored"
    restored_media = tmp_path / "restored-media"
    psql(f'DROP DATABASE IF EXISTS "{restored_db}"')
    psql(f'CREATE DATABASE "{restored_db}"')
    try:
        done = script("restore.sh", stem, restored_db, restored_media)
        assert done.returncode == 0, done.stderr

        assert serve(restored_db, restored_media, *request) == original

        # A second restore into the now filled database is refused.
        again = script("restore.sh", stem, restored_db, tmp_path / "elsewhere")
        assert again.returncode == 3
        assert "already holds" in again.stderr
    finally:
        psql(f'DROP DATABASE IF EXISTS "{restored_db}"')


def test_a_damaged_backup_is_not_restored(postgresql_tools, tmp_path):
    made = script("backup.sh", tmp_path, connection.settings_dict["NAME"], tmp_path / "media")
    assert made.returncode == 0, made.stderr
    stem = tmp_path / made.stdout.strip()
    with open(f"{stem}.dump", "ab") as dump:
        dump.write(b"\0")

    refused = script("restore.sh", stem, "postgres", tmp_path / "restored")

    assert refused.returncode != 0
    assert "FAILED" in refused.stdout + refused.stderr
    assert not (tmp_path / "restored").exists()


def test_backup_refuses_sqlite(tmp_path):
    environment = {**os.environ, "DATABASE_URL": "sqlite:///db.sqlite3"}
    result = subprocess.run(
        ["bash", str(SCRIPTS / "backup.sh"), str(tmp_path)],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "not PostgreSQL" in result.stderr
