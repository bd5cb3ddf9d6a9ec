"""Access rows for the worklist work (see tests/matrix.py).

A follow-up is set on the world's case HS-2026-0001 by the Erkelenz caseworker: only
Erkelenz (the lead institution) sees and closes it; everyone else gets a 404, a superuser
too (a follow-up belongs to an institution, and a superuser has none).
"""

import datetime

from django.utils import timezone

from tests.matrix_base import LOGIN, PERSONAS, STAFF, Row

LEAD = ("erkelenz_caseworker", "erkelenz_lead")
NO_CASE = (
    "diakonie_caseworker",
    "kreisjugendamt_caseworker",
    "uninvolved_caseworker",
    "coordination_office",
    "data_protection_officer",
    "lindenbrueck_coordination",
)
NOTE = "Wiedervorlage: Kita-Bericht"


def _followup(world):
    """Built on first use (``World`` is a dict: ``in`` does not build anything)."""
    if "worklist_followup" not in world:
        from cooperation.models import User
        from worklist import services

        world["worklist_followup"] = services.followup_create(
            case=world["case"],
            created_by=User.objects.get(username="erkelenz.fachkraft"),
            due_on=timezone.localdate() + datetime.timedelta(days=1),
            note=NOTE,
        )
    return world["worklist_followup"]


def _followup_kwargs(world) -> dict:
    return {"pk": _followup(world).pk}


# Only the institution that set it sees it; for everyone else it does not exist.
CLOSING = {
    "anonymous": LOGIN,
    **dict.fromkeys(STAFF, 404),
    **dict.fromkeys(LEAD, 302),
}

ROWS: list[Row] = [
    # The form page: whoever sees the case at an institution; the superuser works on no case.
    Row(
        "worklist:followup_add",
        {
            "anonymous": LOGIN,
            **dict.fromkeys(LEAD, 200),
            "gesundheitsamt_caseworker": 200,
            "caritas_caseworker": 200,
            **dict.fromkeys(NO_CASE, 404),
            "superuser": 403,
        },
        kwargs=lambda world: {"reference": world["case"].reference},
    ),
    Row("worklist:followup_done", dict(CLOSING), kwargs=_followup_kwargs, method="post"),
    Row("worklist:followup_reopen", dict(CLOSING), kwargs=_followup_kwargs, method="post"),
    # The DPO's figures of the deletion plan (no family data in them).
    Row(
        "worklist:deletions_preview",
        {
            "anonymous": LOGIN,
            **dict.fromkeys(STAFF, 403),
            "data_protection_officer": 200,
        },
        secret=lambda world: "Sabine",
        hidden_from=tuple(PERSONAS),
    ),
]
