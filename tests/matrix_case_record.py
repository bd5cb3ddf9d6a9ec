"""Access rows for the case record (issue 12): responsible caseworkers, case documents,
closing a case; merged into tests/matrix.py.

In the world of tests/test_url_auth.py (HS-2026-0001, led by Jugendamt Erkelenz, the
Gesundheitsamt involved, a consent releasing Erkelenz's master, family and protocol data
to Caritas and the Gesundheitsamt, the Gesundheitsamt's health data released to Erkelenz):

- The responsible caseworker of an involvement is named by that institution's own staff
  only: the Gesundheitsamt for its involvement, Erkelenz for its own.
- Documents are uploaded by the institutions that record on the case; a family document
  of Erkelenz is read by everyone the family category is released to, a health document
  of the Gesundheitsamt only where health data is released (Erkelenz), never by Caritas.
- Closing a case is the lead's step.

The documents are made when a row first asks for them (``kwargs`` keeps them in the
world): test_url_auth.py builds no case document of its own.
"""

import datetime

from tests.matrix_base import LOGIN, Row

LEAD = ("erkelenz_caseworker", "erkelenz_lead")
NO_CASE = (
    "diakonie_caseworker",
    "kreisjugendamt_caseworker",
    "uninvolved_caseworker",
    "coordination_office",
    "data_protection_officer",
    "lindenbrueck_coordination",
)


def case_row(name, lead, gesundheitsamt, caritas, superuser, **options) -> Row:
    expect = {
        "anonymous": LOGIN,
        **dict.fromkeys(LEAD, lead),
        "gesundheitsamt_caseworker": gesundheitsamt,
        "caritas_caseworker": caritas,
        **dict.fromkeys(NO_CASE, 404),
        "superuser": superuser,
    }
    options.setdefault("kwargs", lambda world: {"reference": world["case"].reference})
    return Row(name, expect, **options)


def _document(world, key: str, institution: str, category: str):
    """A document of ``institution`` in ``category`` on the world's case, made once."""
    if key not in world:
        from cases import services
        from tests import factories

        holder = world["institutions"][institution]
        world[key] = services.case_document_add(
            case=world["case"],
            institution=holder,
            uploaded_by=holder.staff.first(),
            category=category,
            title=f"Dokument {key}",
            date=datetime.date(2026, 1, 15),
            upload=factories.pdf_upload(),
        )
    return {"reference": world["case"].reference, "pk": world[key].pk}


def _erkelenz_involvement(world) -> dict:
    involvement = world["case"].involvements.get(institution=world["institutions"]["erkelenz"])
    return {"reference": world["case"].reference, "pk": involvement.pk}


def _gesundheitsamt_involvement(world) -> dict:
    return {"reference": world["case"].reference, "pk": world["involvement"].pk}


ROWS: list[Row] = [
    case_row("cases:close", 200, 403, 403, 403),
    case_row("cases:involvement_responsible", 200, 403, 403, 403, kwargs=_erkelenz_involvement),
    case_row(
        "cases:involvement_responsible", 403, 200, 403, 403, kwargs=_gesundheitsamt_involvement
    ),
    case_row("cases:document_add", 200, 200, 403, 403),
    case_row(
        "cases:document",
        200,
        200,
        200,
        200,
        kwargs=lambda world: _document(world, "family_document", "erkelenz", "family"),
    ),
    case_row(
        "cases:document",
        200,
        200,
        404,
        200,
        kwargs=lambda world: _document(world, "health_document", "gesundheitsamt", "health"),
    ),
]

# The case timeline's older entries ("show more" on the case page; the speed work of
# issue 11): whoever reads the case page reads its timeline, through the same gateway,
# and the mother's name (Erkelenz's master data) only where it was released.
ROWS += [
    case_row(
        "cases:timeline", 200, 200, 200, 200, secret=lambda world: "Sabine", hidden_from=NO_CASE
    ),
]
