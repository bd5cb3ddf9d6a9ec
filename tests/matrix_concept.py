"""Access rows of the concept app; merged into tests/matrix.py.

``ROWS`` follow tests/matrix.py's Row; ``LAZY`` adds world entries built on first use
(key -> function(world, fixture) where ``fixture(name)`` returns a pytest fixture's value).

The Gesamtkonzept is always the user's own cooperation's (no URL names one): the
coordination office edits it, the members of the Kooperationsgremium read it (the world's
committee is chaired by the Erkelenz caseworker), every other staff member gets a 403;
Lindenbrück's coordination office reads its own, never Heinsberg's. The catalogue of
offers is for all staff of the cooperation. A superuser belongs to no cooperation.
"""

from tests.matrix_base import LOGIN, STAFF, Row

HS_REASONS = "Heinsberger Begründung für das Modellprojekt"
HS_OFFER = "Kindergruppe Leuchtturm"


def _concept(world, fixture):
    from concept import services

    concept = services.concept_for_cooperation(
        cooperation=world["institutions"]["erkelenz"].cooperation
    )
    concept.reasons = HS_REASONS
    concept.save()
    return concept


def _offer(world, fixture):
    from concept.models import Offer

    return Offer.objects.create(
        institution=world["institutions"]["caritas"],
        name=HS_OFFER,
        target_group="Kinder von 8 bis 12 Jahren",
    )


def _declaration(world, fixture):
    from concept.models import Declaration
    from tests import factories

    return Declaration.objects.create(
        cooperation=world["institutions"]["erkelenz"].cooperation,
        kind=Declaration.Kind.SUPPORT,
        dated="2026-02-10",
        document=factories.pdf_upload("erklaerung.pdf"),
    )


def _with(key, **kwargs):
    return lambda world: (world[key], kwargs)[1]


def _rows() -> list:
    def expect(**overrides) -> dict:
        return {**dict.fromkeys(STAFF, 403), "anonymous": LOGIN, **overrides}

    readers = expect(
        coordination_office=200, lindenbrueck_coordination=200, erkelenz_caseworker=200
    )
    editors = expect(coordination_office=200, lindenbrueck_coordination=200)
    staff = expect(**{p: 200 for p in STAFF if p != "superuser"})
    return [
        Row(
            "concept:overview",
            readers,
            kwargs=_with("hs_concept"),
            secret=lambda world: HS_REASONS,
            hidden_from=("lindenbrueck_coordination",),
        ),
        Row(
            "concept:edit",
            editors,
            kwargs=_with("hs_concept"),
            secret=lambda world: HS_REASONS,
            hidden_from=("lindenbrueck_coordination",),
        ),
        Row("concept:pdf", readers, kwargs=_with("hs_concept")),
        # Publishing fixes the Kurzkonzept as a new edition and returns to the overview.
        Row(
            "concept:publish",
            {**editors, "coordination_office": 302, "lindenbrueck_coordination": 302},
            kwargs=_with("hs_concept"),
            method="post",
        ),
        # Edition 1 exists in Heinsberg only: Lindenbrück's own (none) is asked for.
        Row(
            "concept:edition_pdf",
            {**readers, "lindenbrueck_coordination": 404},
            kwargs=_with("hs_edition", number=1),
        ),
        Row(
            "concept:offers",
            staff,
            kwargs=_with("hs_offer"),
            secret=lambda world: HS_OFFER,
            hidden_from=("lindenbrueck_coordination",),
        ),
        Row("concept:offers_pdf", staff, kwargs=_with("hs_offer")),
        Row("concept:declaration_edit", editors, kwargs=_with("hs_declaration", kind="support")),
        # Lindenbrück has no such document: its own declaration is asked for, never Heinsberg's.
        Row(
            "concept:declaration_document",
            {**readers, "lindenbrueck_coordination": 404},
            kwargs=_with("hs_declaration", kind="support"),
        ),
    ]


ROWS = _rows()


def _edition(world, fixture):
    from concept import services
    from concept.models import KurzkonzeptEdition

    world["hs_concept"]
    cooperation = world["institutions"]["erkelenz"].cooperation
    # The publish row may have published edition 1 already.
    existing = KurzkonzeptEdition.objects.filter(cooperation=cooperation, number=1).first()
    return existing or services.kurzkonzept_publish(
        cooperation=world["institutions"]["erkelenz"].cooperation,
        published_by=fixture("coordination_office"),
    )


LAZY = {
    "hs_edition": _edition,
    "hs_concept": _concept,
    "hs_offer": _offer,
    "hs_declaration": _declaration,
}
