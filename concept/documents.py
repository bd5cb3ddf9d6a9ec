"""The printed documents: the Kurzkonzept in the official form's structure and the catalogue.

Both are German whatever the reader's language, A4, PDF/A-3b with embedded DejaVu fonts
(like the conference protocols).
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from cooperation.models import Cooperation

from . import evaluation
from .models import Concept, Indicator, declaration_checklist

PDF_VARIANT = "pdf/a-3b"


def _render_pdf(template: str, context_factory, base_url: str) -> bytes:
    from weasyprint import HTML

    # The context is built under German too: the evaluation words its evidence then.
    with translation.override("de"):
        html = render_to_string(template, context_factory())
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant=PDF_VARIANT)


def concept_context(concept: Concept) -> dict:
    """What the overview page and the Kurzkonzept show, from the records."""
    cooperation = concept.cooperation
    indicators = list(Indicator.objects.filter(cooperation=cooperation).prefetch_related("values"))
    return {
        "concept": concept,
        "cooperation": cooperation,
        "indicators": [(indicator, list(indicator.values.all())) for indicator in indicators],
        "eligibility": concept.eligibility(),
        "fields": [
            (state, concept.remarks(state.field.value))
            for state in evaluation.fields_of_action(cooperation)
        ],
        "declarations": declaration_checklist(cooperation),
        "today": timezone.localdate(),
    }


def kurzkonzept_pdf(concept: Concept, base_url: str) -> bytes:
    """The application's Kurzkonzept: contact block, 1. Ausgangslage, 2. fields of action,
    3. reasons and goals, the attachments checklist."""
    return _render_pdf("concept/kurzkonzept_pdf.html", lambda: concept_context(concept), base_url)


def offers_pdf(cooperation: Cooperation, offers, filters: dict, base_url: str) -> bytes:
    """The catalogue of offers as a printable list, with the filters that produced it."""
    return _render_pdf(
        "concept/offers_pdf.html",
        lambda: {
            "cooperation": cooperation,
            "offers": list(offers),
            "filters": filters,
            "today": timezone.localdate(),
        },
        base_url,
    )
