"""The vocabulary of the access matrix: personas, expectations and ``Row``.

Kept apart from ``tests/matrix.py`` so that the apps' own matrix modules
(``tests/matrix_<app>.py``) can import it without a cycle.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
# A redirect to the second login step (cooperation:second_factor).
SECOND_FACTOR = "second-factor"

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
    # An Erkelenz caseworker whose session passed the password but not the second factor.
    "password_only",
]
# Personas whose sessions are complete (both factors).
STAFF = [p for p in PERSONAS if p not in ("anonymous", "password_only")]
CASEWORKERS = [p for p in PERSONAS if p.endswith(("_caseworker", "_lead"))]

# The only URLs a password-only session reaches (as an anonymous visitor would): the login
# steps, the invitation, the language switch and the passkey ceremonies. Every other URL
# sends it to the second login step, so it reaches no page with family data.
BEFORE_SECOND_FACTOR = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "cooperation:invitation",
    "oidc_authentication_init",
    "oidc_authentication_callback",
}


def everyone(status) -> dict:
    """Every persona with a complete login, and anonymous visitors (``password_only``
    follows from ``BEFORE_SECOND_FACTOR``)."""
    return dict.fromkeys(["anonymous", *STAFF], status)


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
        if "password_only" not in self.expect and "anonymous" in self.expect:
            passes = self.name in BEFORE_SECOND_FACTOR or self.name.startswith("otp_webauthn:")
            self.expect["password_only"] = self.expect["anonymous"] if passes else SECOND_FACTOR
        missing = set(PERSONAS) - set(self.expect)
        assert not missing, f"{self.name}: no expectation for {sorted(missing)}"

    @property
    def secrets(self):
        first = ((self.secret, self.hidden_from),) if self.secret else ()
        return first + self.more_secrets
