"""Tasks that render the agreement's and the Leitfaden's PDFs once (queue "default").

A published Leitfaden version and a version of the agreement never change: each is
rendered by a worker once, stored privately with its SHA-256 and from then on served as
a file (``common.pending``). The tasks carry ids only and are idempotent: a second task
for a document already stored does nothing.
"""

import datetime

from django.db import IntegrityError, transaction
from django.tasks import task

from common.pending import store_pdf

from . import documents
from .models import Agreement, AgreementDocument, GuidelineDocument, GuidelineVersion


@task()
def render_guideline_version(version_id: int) -> str:
    """Render and store the PDF of a published Leitfaden version."""
    if GuidelineDocument.objects.filter(version_id=version_id).exists():
        return "stored already"
    version = GuidelineVersion.objects.select_related("guideline__cooperation", "published_by").get(
        pk=version_id
    )
    content = documents.guideline_pdf(version)
    document = GuidelineDocument(version=version)
    document.sha256 = store_pdf(
        document.pdf, f"leitfaden-{version.guideline_id}-fassung-{version.number}.pdf", content
    )
    return _save_once(document)


@task()
def render_agreement_version(agreement_id: int, version_at: str) -> str:
    """Render and store the agreement as it stood right after the change at
    ``version_at`` (ISO 8601, the ``history_date`` of that change)."""
    moment = datetime.datetime.fromisoformat(version_at)
    if AgreementDocument.objects.filter(agreement_id=agreement_id, version_at=moment).exists():
        return "stored already"
    agreement = Agreement.objects.select_related("cooperation").get(pk=agreement_id)
    content = documents.agreement_pdf(agreement.state_at(moment))
    document = AgreementDocument(agreement=agreement, version_at=moment)
    document.sha256 = store_pdf(
        document.pdf, f"vereinbarung-{agreement.pk}-{moment:%Y%m%dT%H%M%S}.pdf", content
    )
    return _save_once(document)


def _save_once(document) -> str:
    """Save the row; a worker that raced us stored the same document first (its file
    stays, ours is removed)."""
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.pdf.delete(save=False)
        return "stored already"
    return "stored"
