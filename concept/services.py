"""Writes of the concept app that touch several records at once."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.pending import enqueue_on_commit
from cooperation.models import Cooperation, User

from . import documents, tasks
from .models import Concept, Indicator, KurzkonzeptEdition

STANDARD_INDICATORS = [
    # (standard, German name as the form words it, order)
    (Indicator.Standard.HZE, "Hilfen zur Erziehung je 100.000 Einwohner", 1),
    (
        Indicator.Standard.U15_SOZIALGELD,
        "U15-Jährige im Sozialgeld-Bezug je 100.000 Einwohner",
        2,
    ),
]


@transaction.atomic
def concept_for_cooperation(*, cooperation: Cooperation) -> Concept:
    """The cooperation's concept, created on first use with the two standard indicators.

    The form names the Hilfen zur Erziehung and the under-15s on Sozialgeld (per 100,000
    inhabitants) as the figures of which at least one must lie above the state average;
    they are set up once, and the coordination office adds further ones in the admin.
    Idempotent.
    """
    concept, created = Concept.objects.get_or_create(cooperation=cooperation)
    if created:
        for standard, name, order in STANDARD_INDICATORS:
            if not Indicator.objects.filter(cooperation=cooperation, standard=standard).exists():
                Indicator.objects.get_or_create(
                    cooperation=cooperation,
                    name=name,
                    defaults={"standard": standard, "order": order},
                )
    return concept


@transaction.atomic
def kurzkonzept_publish(*, cooperation: Cooperation, published_by: User) -> KurzkonzeptEdition:
    """Fix the Kurzkonzept as it reads now as the next numbered edition (what goes out
    with the application). Its text is fixed here; a worker renders the PDF once.
    Refused (ValidationError) when the text is the latest edition's."""
    # One publication at a time per cooperation: the numbers stay gapless and unique.
    Cooperation.objects.select_for_update().get(pk=cooperation.pk)
    concept = concept_for_cooperation(cooperation=cooperation)
    latest = KurzkonzeptEdition.objects.filter(cooperation=cooperation).order_by("-number").first()
    html = documents.kurzkonzept_html(concept)
    if latest and latest.html == html:
        # Also what a double click meets: the second request finds the same text.
        raise ValidationError(
            _("Nothing changed since edition %(number)d.") % {"number": latest.number},
            code="unchanged",
        )
    edition = KurzkonzeptEdition.objects.create(
        cooperation=cooperation,
        number=(latest.number if latest else 0) + 1,
        published_by=published_by,
        html=html,
    )
    enqueue_on_commit(tasks.render_kurzkonzept, edition.pk)
    return edition
