"""The task that prints the register of processing activities (queue "default")."""

import hashlib

from django.db import IntegrityError, transaction
from django.tasks import task

from common.pdf import write_pdf
from common.pending import store_pdf
from cooperation.models import Cooperation

from .models import RegisterRendering
from .register import register_html


def current_html(cooperation: Cooperation, part: int) -> tuple[str, str]:
    """(HTML, its SHA-256) of the register as it reads now; ``part`` 0 is the whole."""
    html = register_html(cooperation, part or None)
    return html, hashlib.sha256(html.encode()).hexdigest()


@task()
def render_register(cooperation_id: int, part: int) -> str:
    """Render the register (or one institution's part) as it reads now; the part's
    older renderings are removed."""
    cooperation = Cooperation.objects.get(pk=cooperation_id)
    html, fingerprint = current_html(cooperation, part)
    mine = RegisterRendering.objects.filter(cooperation=cooperation, part=part)
    if mine.filter(fingerprint=fingerprint).exists():
        return "stored already"
    rendering = RegisterRendering(cooperation=cooperation, part=part, fingerprint=fingerprint)
    rendering.sha256 = store_pdf(
        rendering.pdf,
        f"verzeichnis-{cooperation.code}-{part}-{fingerprint[:12]}.pdf",
        write_pdf(html),
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
