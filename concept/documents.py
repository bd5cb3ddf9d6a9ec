"""The printed documents: the Kurzkonzept in the official form's structure and the catalogue.

Both are German whatever the reader's language (``common.pdf``).
"""

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from common.pdf import render_html, render_pdf
from cooperation.models import Cooperation

from . import evaluation
from .models import Concept, Indicator, declaration_checklist


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


def _kurzkonzept_args(concept: Concept) -> tuple:
    # The context is built under German too: the evaluation words its evidence then.
    return (
        "concept/kurzkonzept_pdf.html",
        lambda: concept_context(concept),
    ), {
        "language": "de",
        "title": format_lazy(
            "{}: {}",
            _("Short concept for taking part as pilot municipality"),
            concept.cooperation.body_name,
        ),
        "author": concept.cooperation.body_name,
    }


def kurzkonzept_pdf(concept: Concept) -> bytes:
    """The application's Kurzkonzept: contact block, 1. Ausgangslage, 2. fields of action,
    3. reasons and goals, the attachments checklist."""
    args, kwargs = _kurzkonzept_args(concept)
    return render_pdf(*args, **kwargs)


def kurzkonzept_html(concept: Concept) -> str:
    """The Kurzkonzept's HTML as it reads now: what a published edition fixes (cheap;
    the PDF is made from it later, by a worker)."""
    args, kwargs = _kurzkonzept_args(concept)
    return render_html(*args, **kwargs)


def _offers_args(cooperation: Cooperation, offers, filters: dict) -> tuple:
    return (
        "concept/offers_pdf.html",
        {
            "cooperation": cooperation,
            "offers": list(offers),
            "filters": filters,
            "today": timezone.localdate(),
        },
    ), {
        "language": "de",
        "title": format_lazy("{}: {}", _("Catalogue of offers"), cooperation.body_name),
        "author": cooperation.body_name,
    }


def offers_pdf(cooperation: Cooperation, offers, filters: dict) -> bytes:
    """The catalogue of offers as a printable list, with the filters that produced it."""
    args, kwargs = _offers_args(cooperation, offers, filters)
    return render_pdf(*args, **kwargs)


def offers_html(cooperation: Cooperation, offers, filters: dict) -> str:
    """The catalogue's HTML (cheap; a worker makes the PDF of it, ``tasks``)."""
    args, kwargs = _offers_args(cooperation, offers, filters)
    return render_html(*args, **kwargs)
