"""Access rows of the privacy app; merged into tests/matrix.py.

``ROWS`` follow tests/matrix.py's Row. The privacy app needs nothing built lazily: a
retention proposal is made where its row needs one (``LAZY`` stays empty).

- Retention rules: the coordination office proposes, the data-protection officer
  confirms; both read them, each in their own cooperation (Lindenbrück's office sees
  Lindenbrück's rules, and finds no Heinsberg proposal to decide).
- The deletion plan and log: the data-protection officer only.
- The register of processing: the DPO and the coordination office, their own cooperation.
- A case's privacy page and its legal hold: the lead institution's lead and the DPO; the
  DPO's pages never name the family. Access reports and restrictions: the lead of a
  recording institution (Erkelenz), never the DPO, never a superuser.
"""

from tests.matrix_base import LOGIN, PERSONAS, STAFF, Row

OFFICES = ("coordination_office", "data_protection_officer", "lindenbrueck_coordination")


def expect(default, **overrides) -> dict:
    return {"anonymous": LOGIN, **dict.fromkeys(STAFF, default), **overrides}


def _case(world) -> dict:
    return {"reference": world["case"].reference}


def _member(world) -> dict:
    return {"reference": world["case"].reference, "pk": world["mother"].pk}


def _proposal(world) -> dict:
    """A Heinsberg proposal by its coordination office, awaiting the DPO."""
    from privacy import services

    rule = services.rule_propose(
        cooperation=world["case"].cooperation,
        proposed_by=world.request.getfixturevalue("coordination_office"),
        record_type="notification",
        law="gdpr",
        institution_kind="",
        trigger="record_date",
        months=6,
        legal_source="Art. 5 Abs. 1 lit. e DSGVO",
    )
    return {"pk": rule.pk}


def _rows() -> list:
    no_family = {"secret": lambda world: "Sabine", "hidden_from": tuple(PERSONAS)}
    case_page = expect(
        404,
        erkelenz_caseworker=403,
        erkelenz_lead=200,
        gesundheitsamt_caseworker=403,
        caritas_caseworker=403,
        data_protection_officer=200,
        superuser=403,
    )
    report = {**case_page, "data_protection_officer": 403}
    # Lindenbrück's office does not see Heinsberg's proposal at all.
    deciding = expect(403, data_protection_officer=302, lindenbrueck_coordination=404)
    return [
        Row(
            "privacy:index",
            expect(403, erkelenz_lead=200, **dict.fromkeys(OFFICES, 200)),
            **no_family,
        ),
        Row("privacy:rules", expect(403, **dict.fromkeys(OFFICES, 200)), **no_family),
        Row(
            "privacy:rule_propose",
            expect(403, coordination_office=200, lindenbrueck_coordination=200),
            kwargs=lambda world: {"record_type": "note", "law": "gdpr", "kind": "alle"},
        ),
        Row("privacy:rule_confirm", deciding, kwargs=_proposal, method="post"),
        Row("privacy:rule_reject", deciding, kwargs=_proposal, method="post"),
        Row(
            "privacy:deletions",
            expect(403, data_protection_officer=200),
            secret=lambda world: "Sabine",
            hidden_from=tuple(PERSONAS),
        ),
        Row(
            "privacy:register",
            expect(403, **dict.fromkeys(OFFICES, 200)),
            secret=lambda world: world["case"].cooperation.name,
            hidden_from=("lindenbrueck_coordination",),
            more_secrets=((lambda world: "Sabine", tuple(PERSONAS)),),
        ),
        Row("privacy:register_pdf", expect(403, **dict.fromkeys(OFFICES, 200))),
        # The lead's lead reads the family members' names; the DPO only the hold.
        Row(
            "privacy:case",
            case_page,
            kwargs=_case,
            secret=lambda world: "Sabine",
            hidden_from=("data_protection_officer",),
        ),
        Row("privacy:hold", case_page, kwargs=_case, **no_family),
        Row(
            "privacy:restriction_add",
            report,
            kwargs=_member,
            secret=lambda world: "Sabine",
        ),
        Row("privacy:access_report", report, kwargs=_member),
    ]


ROWS = _rows()
LAZY: dict = {}
