"""Access rows of the oparl app; merged into tests/matrix.py.

``ROWS`` follow tests/matrix.py's Row; ``LAZY`` adds world entries built on first use
(key -> function(world, fixture) where ``fixture(name)`` returns a pytest fixture's value).

The OParl API authenticates with a bearer token only, never with a session: the matrix
sends no token, so every persona, signed in or not, superuser included, gets a 401 (and
nothing of the object). No cooperation of the matrix's world publishes its export. What a
token sees, that it sees its own cooperation only, and what a public cooperation shows
without a token, is tested in oparl/tests/.
"""

from conferences.models import Meeting
from cooperation.models import Committee, CommitteeMember
from oparl.tests import builders
from tests.matrix_base import PERSONAS, Row, everyone


def _committee(world, fixture) -> Committee:
    # The world's Heinsberg committee, chaired by the Erkelenz caseworker.
    return Committee.objects.get(cooperation=world["institutions"]["erkelenz"].cooperation)


def _sitting(world, fixture) -> Meeting:
    office = fixture("coordination_office")
    return builders.approve(builders.sitting(world["oparl_committee"], office), office)


def _member(world, fixture) -> CommitteeMember:
    return CommitteeMember.objects.create(
        committee=world["oparl_committee"],
        institution=world["institutions"]["caritas"],
        user=fixture("caritas_caseworker"),
        function=CommitteeMember.Function.REPRESENTATIVE,
    )


LAZY = {"oparl_committee": _committee, "oparl_sitting": _sitting, "oparl_member": _member}


def _body(world) -> dict:
    return {"body": world["institutions"]["erkelenz"].cooperation_id}


def _pk(key, attribute="pk"):
    return lambda world: {"pk": getattr(world[key], attribute)}


def _minutes(world) -> dict:
    return {"pk": world["oparl_sitting"].minutes.pk}


def _rows() -> list:
    def row(name, kwargs=lambda world: {}, secret=None) -> Row:
        return Row(f"oparl:{name}", everyone(401), kwargs, secret=secret, hidden_from=PERSONAS)

    def body_pk(world) -> dict:
        return {"pk": world["institutions"]["erkelenz"].cooperation_id}

    return [
        row("system"),
        row("body_list"),
        row("body", body_pk),
        row("location_body", body_pk),
        *(
            row(f"{kind}_list", _body)
            for kind in ("organization", "person", "membership", "meeting", "agendaitem", "file")
        ),
        row("paper_list", _body),
        row("location_list", _body, secret=lambda world: "Heinsberg"),
        row("organization_committee", _pk("oparl_committee")),
        row("organization_committee_meetings", _pk("oparl_committee")),
        row("organization_institution", lambda world: {"pk": world["institutions"]["caritas"].pk}),
        row("person", _pk("oparl_committee", "chair_id"), secret=lambda world: "Schmitz"),
        row("membership", _pk("oparl_member")),
        row(
            "membership_post",
            lambda world: {
                "committee": world["oparl_committee"].pk,
                "post": "chair",
                "user": world["oparl_committee"].chair_id,
            },
        ),
        row("meeting", _pk("oparl_sitting"), secret=lambda world: "Kreishaus"),
        row("location_meeting", _pk("oparl_sitting"), secret=lambda world: "Kreishaus"),
        row("agendaitem", lambda world: {"pk": world["oparl_sitting"].agenda.first().pk}),
        row("file", _minutes),
        row("file_access", _minutes),
        row("file_download", _minutes),
        row("not_found", lambda world: {"path": "nirgendwo/"}),
    ]


ROWS = _rows()
