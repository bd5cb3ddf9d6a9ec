"""The vocabulary of the access matrix: personas, expectations and ``Row``.

Kept apart from ``tests/matrix.py`` so that the apps' own matrix modules
(``tests/matrix_<app>.py``) can import it without a cycle.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"
ADMIN_LOGIN = "admin-login"

# In the world of tests/test_url_auth.py (case HS-2026-0001, led by Jugendamt Erkelenz):
PERSONAS = [
    "anonymous",
    "erkelenz_caseworker",  # the lead institution
    "erkelenz_lead",  # the lead institution's lead: also reads the access log
    "gesundheitsamt_caseworker",  # involved, its health data released to the lead
    "caritas_caseworker",  # consent towards it: master and family data, no health data
    "diakonie_caseworker",  # its consent was revoked
    "kreisjugendamt_caseworker",  # its consent expired
    "uninvolved_caseworker",  # never involved
    "coordination_office",
    "data_protection_officer",
    "lindenbrueck_coordination",
    "superuser",
]
STAFF = [p for p in PERSONAS if p != "anonymous"]
CASEWORKERS = [p for p in PERSONAS if p.endswith(("_caseworker", "_lead"))]


def everyone(status) -> dict:
    return dict.fromkeys(PERSONAS, status)


def signed_in(status, anonymous=LOGIN) -> dict:
    return {"anonymous": anonymous, **dict.fromkeys(STAFF, status)}


@dataclass
class Row:
    name: str
    expect: dict
    kwargs: Callable[[dict], dict] = field(default=lambda world: {})
    method: str = "get"
    # Text that personas without a 200, and those in ``hidden_from``, must never get;
    # every other persona must get it.
    secret: Callable[[dict], str] | None = None
    hidden_from: tuple[str, ...] = ()
    # Further (text, hidden_from) pairs, e.g. health data hidden from some readers.
    more_secrets: tuple[tuple[Callable[[dict], str], tuple[str, ...]], ...] = ()

    def __post_init__(self):
        missing = set(PERSONAS) - set(self.expect)
        assert not missing, f"{self.name}: no expectation for {sorted(missing)}"

    @property
    def secrets(self):
        first = ((self.secret, self.hidden_from),) if self.secret else ()
        return first + self.more_secrets
