"""The access matrix: every URL of the project against every persona.

``ROWS`` declares, for each named URL pattern, how to build a concrete URL and what each
persona gets. ``tests/test_url_auth.py`` walks the URL configuration and fails for any
pattern that has no row here, so a new URL cannot ship without its access expectations.
Later issues add their rows (and personas) in this file.

Expectations: an HTTP status, or ``LOGIN`` (redirect to the login page) or ``ADMIN_LOGIN``
(redirect to the admin login page).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"
ADMIN_LOGIN = "admin-login"

PERSONAS = [
    "anonymous",
    "erkelenz_caseworker",
    "caritas_caseworker",
    "uninvolved_caseworker",
    "coordination_office",
    "data_protection_officer",
    "lindenbrueck_coordination",
    "superuser",
]
STAFF = [p for p in PERSONAS if p != "anonymous"]


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
    # Text that personas without a 200, and those in ``hidden_from``, must never get.
    secret: Callable[[dict], str] | None = None
    hidden_from: tuple[str, ...] = ()

    def __post_init__(self):
        missing = set(PERSONAS) - set(self.expect)
        assert not missing, f"{self.name}: no expectation for {sorted(missing)}"


ROWS: list[Row] = [
    Row("dashboard", signed_in(200)),
    Row("login", everyone(200)),
    Row("logout", everyone(405)),
    Row("password_change", signed_in(200)),
    Row("password_change_done", signed_in(200)),
    Row("password_reset", everyone(200)),
    Row("password_reset_done", everyone(200)),
    Row(
        "password_reset_confirm",
        everyone(200),
        kwargs=lambda world: {"uidb64": "MQ", "token": "set-password"},
    ),
    Row("password_reset_complete", everyone(200)),
    Row("set_language", everyone(302)),
    # The admin is the coordination office's back office: no caseworker gets in.
    Row(
        "admin:index",
        {
            "anonymous": ADMIN_LOGIN,
            "erkelenz_caseworker": ADMIN_LOGIN,
            "caritas_caseworker": ADMIN_LOGIN,
            "uninvolved_caseworker": ADMIN_LOGIN,
            "data_protection_officer": ADMIN_LOGIN,
            "coordination_office": 200,
            "lindenbrueck_coordination": 200,
            "superuser": 200,
        },
    ),
]

# Cases: the world's case HS-2026-0001 is led by Jugendamt Erkelenz, whose consent
# releases master data to Caritas; the mother is "Sabine Beispiel".
NOT_INVOLVED = (
    "uninvolved_caseworker",
    "coordination_office",
    "data_protection_officer",
    "lindenbrueck_coordination",
)
ROWS += [
    Row(
        "cases:list",
        signed_in(200),
        secret=lambda world: world["case"].reference,
        hidden_from=NOT_INVOLVED,
    ),
    Row(
        "cases:detail",
        {
            "anonymous": LOGIN,
            "erkelenz_caseworker": 200,
            "caritas_caseworker": 200,
            **dict.fromkeys(NOT_INVOLVED, 404),
            "superuser": 200,
        },
        kwargs=lambda world: {"reference": world["case"].reference},
        secret=lambda world: "Sabine",
    ),
]

# Admin patterns are checked wholesale: every one of them (but the login page) sends
# anonymous users and every non-staff persona to the admin login. What the coordination
# office may do inside is tested in cooperation/tests/test_admin.py.
ADMIN_PUBLIC = {"admin:login", "admin:logout"}
