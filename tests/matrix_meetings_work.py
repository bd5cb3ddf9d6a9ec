"""Access rows of the conferences' safe and correctable steps (see tests/matrix.py).

The world's conferences (tests/test_url_auth.py): "planned" (Caritas and the mother on
the list, nobody invited yet, begun an hour ago), "held" with an agreed action of Caritas,
"circulated". Confirmation pages (GET) are the organising institution's, approval the
organiser's alone; whoever does not see the meeting gets a 404.
"""

from conferences.models import Participant
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


def meeting_row(name, key, lead, gesundheitsamt, caritas, superuser, **options) -> Row:
    """Rows of a meeting URL: whoever does not see the meeting gets a 404."""
    expect = {
        "anonymous": LOGIN,
        **(lead if isinstance(lead, dict) else dict.fromkeys(LEAD, lead)),
        "gesundheitsamt_caseworker": gesundheitsamt,
        "caritas_caseworker": caritas,
        **dict.fromkeys(NO_CASE, 404),
        "superuser": superuser,
    }
    options.setdefault("kwargs", lambda world: {"pk": world[key].pk})
    return Row(name, expect, **options)


ORGANISING = {"lead": 200, "gesundheitsamt": 403, "caritas": 403, "superuser": 403}


def _caritas_on_planned(world) -> dict:
    meeting = world["planned"]
    person = meeting.participants.get(
        kind=Participant.Kind.STAFF, institution__short_name="Caritas"
    )
    return {"pk": meeting.pk, "participant": person.pk}


ROWS: list[Row] = [
    # The confirmation pages of the irreversible steps.
    meeting_row("conferences:invite", "planned", **ORGANISING),
    meeting_row(
        "conferences:approve",
        "circulated",
        {"erkelenz_caseworker": 200, "erkelenz_lead": 403},
        403,
        403,
        403,
    ),
    # Suggestions (staff of the covered institutions, the family) and removal.
    meeting_row("conferences:participants_bulk", "planned", **ORGANISING),
    meeting_row(
        "conferences:participant_remove", "planned", **ORGANISING, kwargs=_caritas_on_planned
    ),
    meeting_row(
        "conferences:participant_remove",
        "planned",
        **{**ORGANISING, "lead": 302},
        kwargs=_caritas_on_planned,
        method="post",
    ),
    # Correcting an agreed action is the organisers' (the responsible Caritas records its
    # progress through conferences:action_update, not its content).
    meeting_row(
        "conferences:action_edit",
        "action",
        **ORGANISING,
        kwargs=lambda world: {"pk": world["action"].pk},
    ),
]
