"""Demo data of this app, loaded by `load_demo` after cases and conferences.

The Gesamtkonzept of Kreis Heinsberg: profile (inhabitants and area from the seed
document), fictional indicators (the Hilfen zur Erziehung above the NRW average, the
under-15s on Sozialgeld below it), offers of several institutions, a steering group, two
networks, measures and the declarations, two of four complete. All figures, names and
offers are fictional.
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cooperation.demo import DemoWorld

from . import services
from .models import (
    Declaration,
    FieldOfAction,
    Indicator,
    IndicatorValue,
    Measure,
    Network,
    Offer,
    SteeringGroup,
    SteeringGroupMember,
)

# (year, value, NRW average) per standard indicator — fictional figures.
INDICATOR_VALUES = {
    Indicator.Standard.HZE: [
        (2022, "1012.4", "967.8"),
        (2023, "1048.9", "981.2"),
    ],
    Indicator.Standard.U15_SOZIALGELD: [
        (2022, "11904.0", "14127.5"),
        (2023, "11870.3", "13950.6"),
    ],
}
FURTHER_INDICATOR = (
    "Kinder in Bedarfsgemeinschaften mit Suchtberatung je 100.000 U18 (fiktiv)",
    [(2023, "412.0", "388.5")],
)

# (institution key, name, target group, field, status, contact, description)
OFFERS = [
    (
        "caritas",
        "Kindergruppe „Leuchtturm“",
        "Kinder von 8 bis 12 Jahren mit einem suchtkranken Elternteil",
        FieldOfAction.A,
        Offer.Status.RUNNING,
        "Lena Küppers",
        "Wöchentliche Gruppe: Gefühle benennen, Sucht verstehen, Freizeit erleben.",
    ),
    (
        "diakonie",
        "Elterngruppe „Sucht und Familie“",
        "Suchtkranke und substituierte Mütter und Väter",
        FieldOfAction.A,
        Offer.Status.RUNNING,
        "Nina Stoffels",
        "Monatliche Gesprächsgruppe zu Erziehung und Alltag mit Kindern.",
    ),
    (
        "gesundheitsamt",
        "Sprechstunde für substituierte Eltern",
        "Eltern in Substitutionsbehandlung und ihre Kinder",
        FieldOfAction.A,
        Offer.Status.RUNNING,
        "Katrin Wolters",
        "Beratung zu Kinderschutz, Betreuung und Behandlung; nach Vereinbarung.",
    ),
    (
        "kreisjugendamt",
        "Patenschaften für Kinder aus belasteten Familien",
        "Kinder von 3 bis 14 Jahren mit sucht- oder psychisch erkranktem Elternteil",
        FieldOfAction.A,
        Offer.Status.PLANNED,
        "Miriam Hoffmann",
        "Ehrenamtliche Patinnen und Paten, begleitet durch das Kreisjugendamt.",
    ),
    (
        "koordination",
        "Fortbildungsreihe „Kinder aus suchtbelasteten Familien erkennen“",
        "Fachkräfte aus Kita, Schule, Jugendhilfe und Suchthilfe",
        FieldOfAction.D,
        Offer.Status.RUNNING,
        "Claudia Mertens",
        "Vier Module pro Jahr, kostenfrei für Fachkräfte im Kreis Heinsberg.",
    ),
]


def _demo_declaration_pdf(title: str, body: str) -> bytes:
    from weasyprint import HTML

    html = (
        '<html lang="de"><body style="font-family: DejaVu Sans; font-size: 11pt">'
        f"<h1>{title}</h1><p>{body}</p><p>(Fiktives Demo-Dokument)</p></body></html>"
    )
    return HTML(string=html).write_pdf()


@transaction.atomic
def load(world: DemoWorld) -> None:
    """Create the fictional demo records (idempotent)."""
    today = timezone.localdate()
    cooperation = world.cooperations["HS"]
    institutions = world.institutions
    concept = services.concept_for_cooperation(cooperation=cooperation)
    concept.inhabitants = 248233
    concept.inhabitants_as_of = datetime.date(2013, 12, 31)
    concept.area_km2 = Decimal("1110")
    concept.contact_name = "Claudia Mertens"
    concept.contact_institution = institutions["koordination"]
    concept.contact_function = "Koordinatorin der Kooperation Jugendhilfe – Suchthilfe"
    concept.contact_phone = "02452 13-0"
    concept.contact_email = "koordination@kreis-heinsberg.example"
    concept.situation = (
        "Flächenkreis im Regierungsbezirk Köln mit zehn Städten und Gemeinden; vier Städte "
        "mit eigenem Jugendamt. Etwa 6.000 Kinder im Kreis leben mit einem suchtkranken "
        "Elternteil."
    )
    concept.remarks_b = "Öffentlich-rechtliche Kooperationsvereinbarung seit Mai 2016."
    concept.reasons = (
        "Der Kreis Heinsberg arbeitet seit 2016 verbindlich zwischen Jugendhilfe und "
        "Suchthilfe zusammen. Wir möchten die Kooperation um Angebote für Kinder psychisch "
        "erkrankter Eltern erweitern und Erfahrungen mit anderen Kommunen teilen."
    )
    concept.goals = (
        "Frühere Erkennung belasteter Familien in Kita und Schule; ein kreisweiter "
        "Angebotskatalog; Fortbildung aller Fachkräfte der beteiligten Einrichtungen."
    )
    concept.save()

    for indicator in cooperation.indicators.exclude(standard=""):
        for year, value, average in INDICATOR_VALUES[indicator.standard]:
            IndicatorValue.objects.update_or_create(
                indicator=indicator,
                year=year,
                defaults={
                    "value": Decimal(value),
                    "state_average": Decimal(average),
                    "source": "fiktive Demo-Werte",
                },
            )
    name, values = FURTHER_INDICATOR
    further, _ = Indicator.objects.get_or_create(
        cooperation=cooperation,
        name=name,
        defaults={"order": 3, "counts_for_eligibility": False},
    )
    for year, value, average in values:
        IndicatorValue.objects.update_or_create(
            indicator=further,
            year=year,
            defaults={"value": Decimal(value), "state_average": Decimal(average)},
        )

    for key, offer_name, target, field, status, contact, description in OFFERS:
        institution = institutions[key]
        Offer.objects.update_or_create(
            institution=institution,
            name=offer_name,
            defaults={
                "target_group": target,
                "field_of_action": field,
                "status": status,
                "contact_person": contact,
                "phone": institution.phone,
                "email": institution.email,
                "description": description,
            },
        )

    group, _ = SteeringGroup.objects.update_or_create(
        cooperation=cooperation,
        defaults={
            "name": "Steuerungsgruppe KispFam Kreis Heinsberg",
            "established_on": datetime.date(2025, 3, 1),
            "remit": "Steuert den Aufbau des Gesamtkonzepts; tagt vierteljährlich.",
        },
    )
    for key, person, function in [
        ("kreisjugendamt", "Thomas Berger", "Leitung Kreisjugendamt"),
        ("gesundheitsamt", "Andreas Claßen", "Leitung Suchtberatung des Gesundheitsamtes"),
        ("caritas", "Frank Coenen", "Leitung Suchtberatung Caritas"),
        ("koordination", "Claudia Mertens", "Koordinatorin"),
    ]:
        SteeringGroupMember.objects.update_or_create(
            group=group, institution=institutions[key], name=person, defaults={"function": function}
        )

    network, _ = Network.objects.update_or_create(
        cooperation=cooperation,
        name="Arbeitskreis Kinder aus suchtbelasteten Familien",
        defaults={
            "status": Network.Status.ACTIVE,
            "deals_with_kispfam": True,
            "other_partners": "Kinder- und Jugendpsychiatrie, Familienhebammen, Schulsozialarbeit",
        },
    )
    network.partners.set(
        [institutions[k] for k in ("kreisjugendamt", "gesundheitsamt", "caritas", "diakonie")]
    )
    early, _ = Network.objects.update_or_create(
        cooperation=cooperation,
        name="Netzwerk Frühe Hilfen Kreis Heinsberg",
        defaults={"status": Network.Status.ACTIVE, "deals_with_kispfam": False},
    )
    early.partners.set([institutions["kreisjugendamt"], institutions["erkelenz"]])

    for title, kind, status, date, participants in [
        (
            "Fachtag „Kinder aus suchtbelasteten Familien“",
            Measure.Kind.QUALIFICATION,
            Measure.Status.HELD,
            today - datetime.timedelta(days=120),
            85,
        ),
        (
            "Aktionswoche für Kinder aus Suchtfamilien: Pressegespräch und Plakate",
            Measure.Kind.PUBLIC_RELATIONS,
            Measure.Status.PLANNED,
            today + datetime.timedelta(days=60),
            None,
        ),
    ]:
        Measure.objects.update_or_create(
            cooperation=cooperation,
            title=title,
            defaults={"kind": kind, "status": status, "date": date, "participants": participants},
        )

    # Two declarations complete, one dated without document, one missing.
    for kind, dated, title in [
        (
            Declaration.Kind.SUPPORT,
            datetime.date(2025, 2, 10),
            "Erklärung der Leitungen von Gesundheitsamt und Jugendamt",
        ),
        (Declaration.Kind.INTENT, datetime.date(2025, 2, 24), "Absichtserklärung"),
        (Declaration.Kind.COORDINATION, datetime.date(2025, 3, 3), None),
    ]:
        declaration, _ = Declaration.objects.get_or_create(
            cooperation=cooperation, kind=kind, defaults={"dated": dated}
        )
        if title and not declaration.document:
            pdf = _demo_declaration_pdf(title, "Kreis Heinsberg, " + dated.strftime("%d.%m.%Y"))
            declaration.document.save("erklaerung.pdf", ContentFile(pdf), save=True)
