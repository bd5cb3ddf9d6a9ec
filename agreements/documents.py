"""The printed agreement and Leitfaden: PDF/A (archival), A4, German.

Both are public records of the cooperation: PDF/A-3b (ISO 19005-3) with embedded fonts,
tagged for screen readers, a running header naming the document and its state, "Seite X
von Y" in the footer. The Leitfaden has a title page and a table of contents whose page
numbers WeasyPrint fills in (``target-counter``). The PDFs are always German, whatever
the reader's interface language, like the conference protocols.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from conferences.documents import PDF_VARIANT

from . import diff
from .models import AgreementState, GuidelineVersion


def _render_pdf(template: str, context: dict, base_url: str) -> bytes:
    from weasyprint import HTML

    with translation.override("de"):
        html = render_to_string(template, context)
    # Tagged (headings, lists, tables in the structure tree) for screen readers (BITV 2.0).
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)


def agreement_pdf(state: AgreementState, *, base_url: str) -> bytes:
    """The agreement as it stands now, or as it stood on ``state.day``."""
    context = {
        "agreement": state.agreement,
        "cooperation": state.agreement.cooperation,
        "parties": state.parties,
        "sections": state.sections,
        "day": state.day or timezone.localdate(),
        "past": state.day is not None,
    }
    return _render_pdf("agreements/agreement_pdf.html", context, base_url)


def guideline_pdf(version: GuidelineVersion, *, base_url: str) -> bytes:
    """A published version of the Leitfaden, with what changed against its predecessor."""
    previous = version.previous()
    sections = version.ordered_sections()
    comparison = (
        diff.compare(previous.title, previous.ordered_sections(), version.title, sections)
        if previous
        else None
    )
    context = {
        "version": version,
        "guideline": version.guideline,
        "cooperation": version.guideline.cooperation,
        "sections": sections,
        "previous": previous,
        "comparison": comparison,
        "published": timezone.localtime(version.published_at),
    }
    return _render_pdf("agreements/guideline_pdf.html", context, base_url)
