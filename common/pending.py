"""Documents that a task renders: store them once, serve the stored bytes, and show
"Wird erstellt …" while the task has not run yet.

An immutable document (a published Leitfaden version, a past state of the agreement, the
statistics of a finished half-year) is rendered once by a task and kept in private storage
with its SHA-256; a request only ever reads it. Until the file exists the download URL
answers with a page that polls the same URL through htmx every two seconds and turns
into the download link once the file is there: no request waits on WeasyPrint.
"""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .http import file_response, no_store

PAGE = "includes/document_pending_page.html"
PARTIAL = "includes/document_pending.html"

logger = logging.getLogger(__name__)


def fingerprint(html: str) -> str:
    """The SHA-256 of a document's HTML: the name of its rendering while it reads the same."""
    return hashlib.sha256(html.encode()).hexdigest()


class Rendering(models.Model):
    """A PDF a worker rendered on demand, kept under the ``fingerprint`` of its HTML so that
    the next reader of the same document gets the file (``save_rendering``). Each concrete
    model adds what it belongs to and its ``pdf`` field (where it is stored)."""

    fingerprint = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


def store_pdf(field_file, name: str, content: bytes) -> str:
    """Write ``content`` into ``field_file`` (not saving its model) and return its
    SHA-256, the checksum the download's ETag is made of."""
    field_file.save(name, ContentFile(content), save=False)
    return hashlib.sha256(content).hexdigest()


def save_rendering(rendering, *, name: str, html: str, older) -> str:
    """Render ``html`` into ``rendering.pdf`` (a row keyed by the fingerprint of that
    HTML), save the row once, then remove the ``older`` renderings it replaces (a
    queryset of the same model) with their files. A worker that raced us saved the
    same rendering first: ours is dropped."""
    from .pdf import write_pdf

    rendering.sha256 = store_pdf(rendering.pdf, name, write_pdf(html))
    try:
        with transaction.atomic():
            rendering.save()
    except IntegrityError:
        rendering.pdf.delete(save=False)
        return "stored already"
    for stale in older.exclude(pk=rendering.pk):
        stale.pdf.delete(save=False)
        stale.delete()
    return "stored"


def enqueue_on_commit(task, *args) -> None:
    """Enqueue ``task`` once the current transaction commits.

    The database backend writes the task in the transaction itself (it exists exactly
    when the change that caused it was committed); any other backend (the immediate one
    of development) runs it after the commit, so it never renders a rolled-back state.
    """
    from django_tasks_db import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def is_poll(request: HttpRequest) -> bool:
    """The htmx poll of the waiting page (it wants the fragment, not the file)."""
    return request.headers.get("HX-Request") == "true"


def pending_response(
    request: HttpRequest, *, ready: bool, title: str, label: str, back_url: str = ""
) -> HttpResponse:
    """The waiting page, or (for the poll) its fragment: still waiting, or the link.

    The poll and the link go to the URL that was asked for, so a view needs no second
    URL: it serves the file when it is stored and the request is not the poll.
    """
    context = {
        "ready": ready,
        "title": title,
        "label": label,
        "url": request.get_full_path(),
        "back_url": back_url,
    }
    template = PARTIAL if is_poll(request) else PAGE
    # Never cached: the same URL serves the PDF once it is there.
    return no_store(render(request, template, context))


def stored_pdf_response(
    request: HttpRequest, field_file, *, sha256: str, filename: str
) -> HttpResponse:
    """The stored PDF with its SHA-256 as ETag (a 304 when the client has it).

    A row whose file is gone from storage (a database restored without its media) is
    an operations fault, not the reader's: a 503 that says so, and an error in the log,
    instead of a 500 on every request."""
    try:
        stored = field_file.open("rb")
    except OSError:
        logger.error("Stored document %s is missing from storage", field_file.name)
        response = HttpResponse(
            _(
                "The document is missing from the file storage. Please tell your IT "
                "department: the media storage has to be restored."
            ),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        return no_store(response)
    response = file_response(
        stored,
        filename=filename,
        content_type="application/pdf",
        family_data=False,
        request=request,
        sha256=sha256,
    )
    response["X-Checksum-SHA256"] = sha256
    return response
