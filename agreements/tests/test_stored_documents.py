"""Documents rendered once: a published Leitfaden version and each version of the agreement
are rendered by a task, stored with their SHA-256 and served as files; until the task has
run the download URL shows "being created" and polls itself through htmx.

The tasks run on the immediate backend here, when the transaction that enqueued them
commits (``django_capture_on_commit_callbacks``), as a worker would take them from the
queue; ``test_worker.py`` runs the real database backend and ``manage.py db_worker``.
"""

import hashlib

import pytest
from django.urls import reverse
from django.utils import translation

import common.pdf
from agreements import services, tasks
from agreements.models import AgreementDocument, GuidelineDocument
from tests.german import label

from .conftest import draft

WAITING = 'data-hx-trigger="every 2s"'


def being_created() -> str:
    with translation.override("de"):
        return translation.gettext("Being created …")


def pdf_url(version) -> str:
    return reverse("agreements:guideline_pdf", args=[version.guideline_id, version.number])


@pytest.fixture
def renderer_forbidden(monkeypatch):
    """From here on, any call of WeasyPrint fails the test."""

    def refuse(html):
        raise AssertionError("a request rendered a PDF")

    monkeypatch.setattr(common.pdf, "write_pdf", refuse)


@pytest.fixture
def version_2(guideline, coordination_office, django_capture_on_commit_callbacks):
    """Version 2, published with its task run after the commit, as a worker would."""
    protocol = draft(guideline, "Das Protokoll")
    protocol.body = "Die Eltern erhalten das Protokoll **auf Papier** oder per E-Mail."
    protocol.save()
    with django_capture_on_commit_callbacks(execute=True):
        return services.guideline_publish(guideline=guideline, published_by=coordination_office)


def test_publishing_renders_the_version_once_and_stores_it_with_its_hash(version_2):
    document = GuidelineDocument.objects.get(version=version_2)
    content = document.pdf.read()
    assert content.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    # A second task for the same version leaves the stored file alone.
    assert tasks.render_guideline_version.call(version_2.pk) == "stored already"
    assert GuidelineDocument.objects.count() == 1


def test_the_download_serves_the_stored_bytes_without_rendering(
    signed_in, version_2, caritas_caseworker, renderer_forbidden
):
    document = GuidelineDocument.objects.get(version=version_2)
    browser = signed_in(caritas_caseworker)
    response = browser.get(pdf_url(version_2))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    served = b"".join(response.streaming_content)
    assert hashlib.sha256(served).hexdigest() == document.sha256
    assert response["ETag"] == f'"{document.sha256}"'
    # A reader who has the file gets a 304, not the bytes again.
    again = browser.get(pdf_url(version_2), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_stored_file_missing_from_storage_is_a_503_that_says_so(
    signed_in, version_2, caritas_caseworker, renderer_forbidden
):
    document = GuidelineDocument.objects.get(version=version_2)
    document.pdf.storage.delete(document.pdf.name)  # restored without the media storage

    response = signed_in(caritas_caseworker).get(pdf_url(version_2))

    assert response.status_code == 503
    missing = label(
        "The document is missing from the file storage. Please tell your IT "
        "department: the media storage has to be restored."
    )
    assert response.content.decode() == missing


def test_until_the_task_has_run_the_page_says_it_is_being_created_and_polls(
    signed_in, guideline, caritas_caseworker, renderer_forbidden
):
    # The fixture's version 1 was published inside the test's transaction: its task
    # has not run (no commit yet).
    version = guideline.latest_version()
    assert not GuidelineDocument.objects.filter(version=version).exists()
    browser = signed_in(caritas_caseworker)

    page = browser.get(pdf_url(version))
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert page["Cache-Control"] == "private, no-store"
    text = page.content.decode()
    assert being_created() in text
    assert WAITING in text and f'data-hx-get="{pdf_url(version)}"' in text

    # The poll gets the fragment only, still waiting ...
    poll = browser.get(pdf_url(version), HTTP_HX_REQUEST="true")
    assert WAITING in poll.content.decode() and "<html" not in poll.content.decode()
    # Nothing was rendered in any of these requests (``renderer_forbidden``).
    assert not GuidelineDocument.objects.exists()


def test_the_poll_turns_into_the_download_link_once_the_file_is_stored(
    signed_in, guideline, caritas_caseworker
):
    version = guideline.latest_version()
    tasks.render_guideline_version.call(version.pk)
    poll = signed_in(caritas_caseworker).get(pdf_url(version), HTTP_HX_REQUEST="true")
    fragment = poll.content.decode()
    assert WAITING not in fragment
    assert f'href="{pdf_url(version)}"' in fragment


def test_a_reader_who_may_not_read_it_gets_no_waiting_page(
    signed_in, guideline, uninvolved_caseworker
):
    version = guideline.latest_version()
    response = signed_in(uninvolved_caseworker).get(pdf_url(version))
    assert response.status_code == 404


def test_each_version_of_the_agreement_is_rendered_once(
    signed_in, agreement, caritas_caseworker, django_capture_on_commit_callbacks
):
    target = reverse("agreements:agreement_pdf", args=[agreement.pk])
    browser = signed_in(caritas_caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = browser.get(target)
    assert WAITING in waiting.content.decode()
    document = AgreementDocument.objects.get()
    assert document.version_at == agreement.version_at()
    served = b"".join(browser.get(target).streaming_content)
    assert hashlib.sha256(served).hexdigest() == document.sha256

    # A change makes a new version; the old one stays as it was printed.
    agreement.goals = "Neue Ziele."
    agreement.save()
    with django_capture_on_commit_callbacks(execute=True):
        browser.get(target)
    assert AgreementDocument.objects.count() == 2
    assert AgreementDocument.objects.get(pk=document.pk).sha256 == document.sha256
