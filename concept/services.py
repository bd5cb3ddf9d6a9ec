"""Writes of the concept app that touch several records at once."""

from django.db import transaction

from cooperation.models import Cooperation

from .models import Concept, Indicator

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
