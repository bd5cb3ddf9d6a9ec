"""Access rows of the agreements app; merged into tests/matrix.py.

``ROWS`` follow tests/matrix.py's Row; ``LAZY`` adds world entries built on first use
(key -> function(world, fixture) where ``fixture(name)`` returns a pytest fixture's value).

The world's Heinsberg cooperation gets an agreement whose parties are Erkelenz, the
Gesundheitsamt, Caritas, Diakonie and the Kreisjugendamt; Hückelhoven (the uninvolved
caseworker's office) has not joined. Readers are the parties' staff, the coordination
office and its data-protection officer, and the superuser; Hückelhoven and Lindenbrück's
coordination office get a 404. The Leitfaden has two published versions and an
unpublished change in its draft, which only the coordination office ever sees.
"""

import datetime

from tests.matrix_base import LOGIN, PERSONAS, Row, signed_in

READERS = (
    "erkelenz_caseworker",
    "erkelenz_lead",
    "gesundheitsamt_caseworker",
    "caritas_caseworker",
    "diakonie_caseworker",
    "kreisjugendamt_caseworker",
    "coordination_office",
    "data_protection_officer",
    "superuser",
)
OUTSIDERS = ("uninvolved_caseworker", "lindenbrueck_coordination")
PARTIES = ("erkelenz", "gesundheitsamt", "caritas", "diakonie", "kreisjugendamt")

AGREEMENT_TITLE = "Kooperationsvereinbarung Jugendhilfe – Suchthilfe im Kreis Heinsberg"
AGREEMENT_GOAL = "Handlungssicherheit und Verbindlichkeit für alle Fachkräfte"
VERSION_1 = "Die Eltern erhalten das Protokoll auf Papier."
VERSION_2 = "Die Eltern erhalten das Protokoll auf Papier oder per E-Mail."
DRAFT = "Entwurf: Die Eltern erhalten das Protokoll in leichter Sprache."
AGENDA = "1. Begrüßung\n2. Situation der Eltern (Gesundheitsdaten)\n3. Vereinbarungen\n"


def reading(**overrides) -> dict:
    return {
        "anonymous": LOGIN,
        **dict.fromkeys(READERS, 200),
        **dict.fromkeys(OUTSIDERS, 404),
        **overrides,
    }


def editing(status=200) -> dict:
    """Draft pages: the coordination office edits, other readers are refused."""
    return reading(**{**dict.fromkeys(READERS, 403), "coordination_office": status})


def _agreement(world, fixture):
    from agreements.models import Agreement, AgreementParty, AgreementSection

    institutions = world["institutions"]
    agreement = Agreement.objects.create(
        cooperation=institutions["erkelenz"].cooperation,
        title=AGREEMENT_TITLE,
        legal_form="öffentlich-rechtliche Vereinbarung",
        responsible_body="Kreis Heinsberg",
        effective_since=datetime.date(2016, 5, 1),
        goals=f"Mehr {AGREEMENT_GOAL}.",
        financing="Keine finanziellen Auswirkungen.",
    )
    for key in PARTIES:
        AgreementParty.objects.create(
            agreement=agreement,
            institution=institutions[key],
            signatory_name=f"Leitung {institutions[key].short_name}",
            signatory_function="Leitung",
            signed_on=datetime.date(2016, 4, 20),
        )
    AgreementSection.objects.create(
        agreement=agreement, number=1, title="Gegenstand", body="Zusammenarbeit im Kreis."
    )
    return agreement


def _guideline(world, fixture):
    from agreements import services
    from agreements.models import GuidelineSection

    world["agreement"]  # the parties are the readers
    office = fixture("coordination_office")
    guideline = services.guideline_create(cooperation=world["institutions"]["erkelenz"].cooperation)
    protocol = services.section_add(
        guideline=guideline, section=GuidelineSection(title="Das Protokoll", body=VERSION_1)
    )
    services.section_add(
        guideline=guideline,
        section=GuidelineSection(
            title="Die Beteiligtenkonferenz", body=AGENDA, is_conference_agenda=True
        ),
    )
    services.guideline_publish(guideline=guideline, published_by=office)
    protocol.body = VERSION_2
    protocol.save()
    services.guideline_publish(guideline=guideline, published_by=office)
    protocol.body = f"{VERSION_2}\n\n{DRAFT}"
    protocol.save()
    return guideline


LAZY = {
    "agreement": _agreement,
    "guideline": _guideline,
    "draft_section": lambda world, fixture: world["guideline"].draft_sections().first(),
}


def guideline_kwargs(world) -> dict:
    return {"pk": world["guideline"].pk}


def section_kwargs(world) -> dict:
    return {"pk": world["draft_section"].pk}


NOWHERE = (lambda world: DRAFT, tuple(PERSONAS))  # the draft is never on a reader's page

ROWS = [
    Row(
        "agreements:index",
        signed_in(200),
        kwargs=lambda world: (world["guideline"], {})[1],
        secret=lambda world: AGREEMENT_TITLE,
        hidden_from=OUTSIDERS,
    ),
    Row(
        "agreements:agreement",
        reading(),
        kwargs=lambda world: {"pk": world["agreement"].pk},
        secret=lambda world: AGREEMENT_GOAL,
    ),
    Row(
        "agreements:agreement_pdf",
        reading(),
        kwargs=lambda world: {"pk": world["agreement"].pk},
    ),
    # Starts the Leitfaden of one's own cooperation: any coordination office, no one else.
    Row(
        "agreements:guideline_create",
        {
            **signed_in(403),
            "coordination_office": 302,
            "lindenbrueck_coordination": 302,
        },
        kwargs=lambda world: (world["guideline"], {})[1],
        method="post",
    ),
    Row(
        "agreements:guideline",
        reading(),
        kwargs=guideline_kwargs,
        secret=lambda world: VERSION_2,
        more_secrets=(NOWHERE,),
    ),
    Row(
        "agreements:guideline_version",
        reading(),
        kwargs=lambda world: {"pk": world["guideline"].pk, "number": 1},
        secret=lambda world: VERSION_1,
        more_secrets=(NOWHERE,),
    ),
    Row(
        "agreements:guideline_pdf",
        reading(),
        kwargs=lambda world: {"pk": world["guideline"].pk, "number": 2},
    ),
    Row("agreements:draft", editing(), kwargs=guideline_kwargs, secret=lambda world: DRAFT),
    Row("agreements:section_add", editing(), kwargs=guideline_kwargs),
    # The editor's preview (htmx): an empty body previews as "nothing yet".
    Row("agreements:preview", editing(), kwargs=guideline_kwargs, method="post"),
    Row("agreements:section_edit", editing(), kwargs=section_kwargs, secret=lambda world: DRAFT),
    # Without a direction the move is refused as a bad request.
    Row("agreements:section_move", editing(400), kwargs=section_kwargs, method="post"),
    Row("agreements:section_delete", editing(), kwargs=section_kwargs),
    Row("agreements:publish", editing(), kwargs=guideline_kwargs, secret=lambda world: DRAFT),
]
