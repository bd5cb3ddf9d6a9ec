"""The tasks that turn the Kurzkonzept into PDFs (queue "default"): a published edition
once, and the current text on demand, kept while the text stays the same."""

import hashlib

from django.db import IntegrityError, transaction
from django.tasks import task

from common.pdf import write_pdf
from common.pending import store_pdf
from cooperation.models import Cooperation

from . import documents, services
from .models import KurzkonzeptEdition, KurzkonzeptRendering


@task()
def render_kurzkonzept(edition_id: int) -> str:
    """WeasyPrint on the edition's fixed HTML; the PDF and its SHA-256 are stored."""
    edition = KurzkonzeptEdition.objects.select_related("cooperation").get(pk=edition_id)
    if edition.pdf:
        return "stored already"
    content = write_pdf(edition.html)
    with transaction.atomic():
        locked = KurzkonzeptEdition.objects.select_for_update().get(pk=edition_id)
        if locked.pdf:
            return "stored already"
        locked.sha256 = store_pdf(
            locked.pdf,
            f"kurzkonzept-{edition.cooperation.code}-{edition.number}.pdf",
            content,
        )
        locked.save(update_fields=["pdf", "sha256"])
    return "stored"


def current_html(cooperation) -> tuple[str, str]:
    """(HTML, its SHA-256) of the Kurzkonzept as it reads now: cheap, no WeasyPrint."""
    concept = services.concept_for_cooperation(cooperation=cooperation)
    html = documents.kurzkonzept_html(concept)
    return html, hashlib.sha256(html.encode()).hexdigest()


@task()
def render_current_kurzkonzept(cooperation_id: int) -> str:
    """Render the Kurzkonzept as it reads now; older renderings are removed."""
    cooperation = Cooperation.objects.get(pk=cooperation_id)
    html, fingerprint = current_html(cooperation)
    mine = KurzkonzeptRendering.objects.filter(cooperation=cooperation)
    if mine.filter(fingerprint=fingerprint).exists():
        return "stored already"
    rendering = KurzkonzeptRendering(cooperation=cooperation, fingerprint=fingerprint)
    rendering.sha256 = store_pdf(
        rendering.pdf, f"kurzkonzept-{cooperation.code}-{fingerprint[:12]}.pdf", write_pdf(html)
    )
    try:
        with transaction.atomic():
            rendering.save()
    except IntegrityError:
        rendering.pdf.delete(save=False)
        return "stored already"
    for older in mine.exclude(pk=rendering.pk):
        older.pdf.delete(save=False)
        older.delete()
    return "stored"
