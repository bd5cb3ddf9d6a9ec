"""The task that renders an approved protocol once (queue "default").

Approved minutes never change: their agenda, texts and actions are locked from the
approval on, so a worker renders the protocol from the database, stores it privately
with its SHA-256 and from then on the download serves that file (``common.pending``).
A case conference gets two files, the full protocol and the one without the health
section for readers to whom health data is not released.

The task carries the id only: task rows stay in the database, and no family data may
sit in them. It is idempotent: minutes stored already are left alone.
"""

from django.tasks import task
from django.utils import timezone

from common.pending import store_pdf

from . import documents
from .models import Minutes


@task()
def render_protocol(minutes_id: int) -> str:
    """Render and store the frozen protocol of approved minutes."""
    minutes = Minutes.objects.select_related("meeting__cooperation").get(pk=minutes_id)
    if minutes.sha256:
        return "stored already"
    if not minutes.is_frozen:
        return "not approved"
    meeting = minutes.meeting
    stamp = f"{meeting.uid.hex[:12]}-{timezone.localdate(minutes.approved_at):%Y%m%d}"
    minutes.sha256 = store_pdf(
        minutes.pdf,
        f"protokoll-{stamp}.pdf",
        documents.protocol_pdf(meeting, minutes, include_health=True),
    )
    if meeting.is_case_conference:
        minutes.sha256_without_health = store_pdf(
            minutes.pdf_without_health,
            f"protokoll-{stamp}-ohne-gesundheit.pdf",
            documents.protocol_pdf(meeting, minutes, include_health=False),
        )
    return _save_once(minutes)


def _save_once(minutes: Minutes) -> str:
    """Record the files, unless a worker that raced us stored them first (its files
    stay, ours are removed).

    A queryset update: the stored file is no change of the minutes, whose history
    already records the approval, so it writes no history row of its own.
    """
    updated = Minutes.objects.filter(pk=minutes.pk, sha256="").update(
        pdf=minutes.pdf.name,
        sha256=minutes.sha256,
        pdf_without_health=minutes.pdf_without_health.name,
        sha256_without_health=minutes.sha256_without_health,
    )
    if updated:
        return "stored"
    minutes.pdf.delete(save=False)
    if minutes.pdf_without_health:
        minutes.pdf_without_health.delete(save=False)
    return "stored already"
