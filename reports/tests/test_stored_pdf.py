"""The statistics PDF of a finished half-year is rendered once, by a task, stored beside
its figures with its SHA-256 and served as a file; until then the download says "being
created" and polls. The running half-year (2026-2: the clock stands at 25.11.2026) is
rendered on demand by a task too, and kept while its figures stay the same.
"""

import datetime
import hashlib
import io

import pypdf
import pytest
from django.urls import reverse

import common.pdf
from reports import tasks
from reports.models import RunningReportPdf, StoredFigures

WAITING = 'data-hx-trigger="every 2s"'
FINISHED = "2026-1"


def url(period: str) -> str:
    return f"{reverse('reports:pdf')}?halbjahr={period}"


@pytest.fixture
def first_half(build, committee):
    build.case("erkelenz", datetime.date(2026, 2, 3))
    build.case("kreisjugendamt", datetime.date(2026, 3, 4))


@pytest.fixture
def renderer_forbidden(monkeypatch):
    def refuse(html):
        raise AssertionError("a request rendered a PDF")

    monkeypatch.setattr(common.pdf, "write_pdf", refuse)


def test_the_task_stores_the_pdf_beside_the_figures_with_its_hash(first_half, heinsberg):
    assert tasks.render_report.call(heinsberg.pk, FINISHED) == "stored"
    stored = StoredFigures.objects.get(cooperation=heinsberg, period=FINISHED)
    content = stored.pdf.read()
    assert content.startswith(b"%PDF-")
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert "1. Halbjahr 2026" in text
    assert tasks.render_report.call(heinsberg.pk, FINISHED) == "stored already"
    # The running half-year is never stored.
    assert tasks.render_report.call(heinsberg.pk, "2026-2") == "not finished"


def test_the_download_serves_the_stored_bytes_without_rendering(
    client, first_half, heinsberg, coordination_office, request
):
    tasks.render_report.call(heinsberg.pk, FINISHED)  # the worker's part
    request.getfixturevalue("renderer_forbidden")  # from here on, nothing renders
    stored = StoredFigures.objects.get(cooperation=heinsberg, period=FINISHED)
    client.force_login(coordination_office)
    response = client.get(url(FINISHED))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    served = b"".join(response.streaming_content)
    assert hashlib.sha256(served).hexdigest() == stored.sha256
    assert response["ETag"] == f'"{stored.sha256}"'
    assert response["Content-Disposition"] == 'inline; filename="statistik-HS-2026-1.pdf"'


def test_until_the_task_has_run_the_download_says_it_is_being_created(
    client, first_half, heinsberg, coordination_office, renderer_forbidden
):
    client.force_login(coordination_office)
    page = client.get(url(FINISHED)).content.decode()
    assert WAITING in page and f'data-hx-get="{url(FINISHED).replace("&", "&amp;")}"' in page
    poll = client.get(url(FINISHED), HTTP_HX_REQUEST="true").content.decode()
    assert WAITING in poll and "<html" not in poll


def test_the_report_page_of_a_finished_half_year_has_its_pdf_rendered_ahead(
    client, first_half, heinsberg, coordination_office, django_capture_on_commit_callbacks
):
    client.force_login(coordination_office)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"{reverse('reports:report')}?halbjahr={FINISHED}")
    assert StoredFigures.objects.get(cooperation=heinsberg, period=FINISHED).sha256


def test_others_get_no_waiting_page(client, first_half, caritas_caseworker):
    client.force_login(caritas_caseworker)
    assert client.get(url(FINISHED)).status_code == 403


def test_the_running_half_year_is_rendered_by_a_task_and_kept_while_its_figures_hold(
    client, build, committee, heinsberg, coordination_office, django_capture_on_commit_callbacks
):
    build.case("erkelenz", datetime.date(2026, 9, 3))
    client.force_login(coordination_office)
    running = reverse("reports:pdf")
    with django_capture_on_commit_callbacks(execute=True):
        waiting = client.get(running)
    assert WAITING in waiting.content.decode()  # the request itself rendered nothing
    first = RunningReportPdf.objects.get()
    served = b"".join(client.get(running).streaming_content)
    assert hashlib.sha256(served).hexdigest() == first.sha256

    # A new case changes the figures: the stored PDF no longer holds, a new one is made.
    build.case("erkelenz", datetime.date(2026, 10, 5))
    with django_capture_on_commit_callbacks(execute=True):
        assert WAITING in client.get(running).content.decode()
    second = RunningReportPdf.objects.get()
    assert second.pk != first.pk and second.fingerprint != first.fingerprint
