"""Personas shared by every test: staff of the Heinsberg institutions and of Lindenbrück.

- ``erkelenz_caseworker``: Fachkraft of the Jugendamt der Stadt Erkelenz (usually leads cases)
- ``caritas_caseworker``: Fachkraft of the Caritas addiction counselling centre
- ``diakonie_caseworker``: Fachkraft of the Diakonie counselling centre
- ``gesundheitsamt_caseworker``: Fachkraft of the Suchtberatung of the Gesundheitsamt
- ``kreisjugendamt_caseworker``: Fachkraft of the Jugendamt of the Kreis Heinsberg
- ``uninvolved_caseworker``: Fachkraft of the Jugendamt Hückelhoven, never involved
- ``coordination_office``: the Heinsberg Koordinationsstelle (admin, no family data)
- ``data_protection_officer``: reads audit logs
- ``lindenbrueck_coordination``: the coordination office of another cooperation
- ``superuser``: the technical administrator
- ``password_only``: an Erkelenz caseworker whose session passed the password, not the
  second factor

Every staff login needs a second factor: ``Client.force_login`` here also marks the
session as verified by the user's test authenticator (``tests/two_factor.py``), as the
second login step would; ``force_login(user, verified=False)`` leaves it at the password.
"""

import datetime
import os
import shutil

import pytest
from django.test import Client

from cooperation.models import Institution, User
from tests import factories, two_factor

Kind = Institution.Kind


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    """Uploaded scans go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def force_login_passes_the_second_factor(monkeypatch):
    """``Client.force_login`` signs in with both factors (see the module docstring)."""
    original = Client.force_login

    def force_login(self, user, backend=None, *, verified=True):
        original(self, user, backend)
        if verified:
            two_factor.mark_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def heinsberg(db):
    return factories.make_cooperation(
        "HS",
        "Kooperation Jugendhilfe und Suchthilfe im Kreis Heinsberg",
        body_name="Kreis Heinsberg",
    )


@pytest.fixture
def lindenbrueck(db):
    return factories.make_cooperation(
        "LB",
        "Netzwerk Lindenbrück",
        body_name="Stadt Lindenbrück",
        body_kind="kreisfreie_stadt",
    )


@pytest.fixture
def institutions(heinsberg, lindenbrueck) -> dict[str, Institution]:
    make = factories.make_institution
    return {
        "erkelenz": make(
            heinsberg, "Jugendamt der Stadt Erkelenz", Kind.JUGENDAMT_STADT, "JA Erkelenz"
        ),
        "hueckelhoven": make(
            heinsberg, "Jugendamt der Stadt Hückelhoven", Kind.JUGENDAMT_STADT, "JA Hückelhoven"
        ),
        "gesundheitsamt": make(
            heinsberg,
            "Suchtberatungsstelle des Kreisgesundheitsamtes",
            Kind.SUCHTBERATUNG_GA,
            "Suchtberatung GA",
        ),
        "caritas": make(
            heinsberg,
            "Beratungsstelle für Suchtfragen des Caritasverbandes",
            Kind.SUCHTBERATUNG_FREI,
            "Caritas",
            data_protection_law="kdg",
        ),
        "diakonie": make(
            heinsberg,
            "Beratungsstelle für Suchtfragen des Diakonischen Werkes",
            Kind.SUCHTBERATUNG_FREI,
            "Diakonie",
            data_protection_law="dsg_ekd",
        ),
        "kreisjugendamt": make(
            heinsberg, "Jugendamt des Kreises Heinsberg", Kind.JUGENDAMT_KREIS, "Kreisjugendamt"
        ),
        "koordination": make(
            heinsberg, "Koordinationsstelle Heinsberg", Kind.KOORDINATION, "Koordination"
        ),
        "lindenbrueck": make(
            lindenbrueck, "Jugendamt der Stadt Lindenbrück", Kind.JUGENDAMT_STADT, "JA Lindenbrück"
        ),
        "lindenbrueck-koordination": make(
            lindenbrueck, "Koordinationsstelle Lindenbrück", Kind.KOORDINATION, "Koordination LB"
        ),
    }


@pytest.fixture
def erkelenz_caseworker(institutions) -> User:
    return factories.make_user(
        institutions["erkelenz"],
        username="erkelenz.fachkraft",
        first_name="Anna",
        last_name="Schmitz",
    )


@pytest.fixture
def erkelenz_lead(institutions) -> User:
    return factories.make_user(
        institutions["erkelenz"], User.Role.LEAD, username="erkelenz.leitung"
    )


@pytest.fixture
def caritas_caseworker(institutions) -> User:
    return factories.make_user(
        institutions["caritas"],
        username="caritas.fachkraft",
        first_name="Lena",
        last_name="Küppers",
    )


@pytest.fixture
def diakonie_caseworker(institutions) -> User:
    return factories.make_user(institutions["diakonie"], username="diakonie.fachkraft")


@pytest.fixture
def gesundheitsamt_caseworker(institutions) -> User:
    return factories.make_user(institutions["gesundheitsamt"], username="ga.fachkraft")


@pytest.fixture
def kreisjugendamt_caseworker(institutions) -> User:
    return factories.make_user(institutions["kreisjugendamt"], username="kreis.fachkraft")


@pytest.fixture
def uninvolved_caseworker(institutions) -> User:
    return factories.make_user(institutions["hueckelhoven"], username="hueckelhoven.fachkraft")


@pytest.fixture
def coordination_office(institutions) -> User:
    return factories.make_user(
        institutions["koordination"], User.Role.COORDINATION, username="koordination"
    )


@pytest.fixture
def data_protection_officer(institutions) -> User:
    return factories.make_user(
        institutions["koordination"], User.Role.DATA_PROTECTION, username="datenschutz"
    )


@pytest.fixture
def lindenbrueck_coordination(institutions) -> User:
    return factories.make_user(
        institutions["lindenbrueck-koordination"],
        User.Role.COORDINATION,
        username="lindenbrueck.koordination",
    )


@pytest.fixture
def password_only(institutions) -> User:
    """A caseworker of Erkelenz (the world's lead institution) with an authenticator, whose
    session has passed only the password."""
    user = factories.make_user(
        institutions["erkelenz"], username="erkelenz.nur-passwort", first_name="Paul"
    )
    two_factor.totp_device(user)
    return user


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("admin", "admin@kispfam.example", factories.PASSWORD)


@pytest.fixture
def signed_in(db):
    """A browser of its own for each user, speaking German."""

    def sign_in(user: User) -> Client:
        browser = Client(HTTP_ACCEPT_LANGUAGE="de")
        browser.force_login(user)
        return browser

    return sign_in


@pytest.fixture
def rendered_pdf(django_capture_on_commit_callbacks):
    """GET a document that a worker renders, as a reader meets it: the first request
    queues the task and shows "Wird erstellt …", the worker runs when the request
    commits (here: at once), the next request gets the stored file. Returns that
    response and the PDF's bytes."""

    def fetch(browser: Client, url: str, data: dict | None = None) -> tuple:
        with django_capture_on_commit_callbacks(execute=True):
            waiting = browser.get(url, data)
        assert waiting.status_code == 200, waiting.status_code
        assert "Wird erstellt" in waiting.content.decode(), "no waiting page"
        response = browser.get(url, data)
        assert response["Content-Type"] == "application/pdf", response["Content-Type"]
        return response, b"".join(response.streaming_content)

    return fetch


@pytest.fixture
def family_case(institutions, erkelenz_caseworker):
    """Family Beispiel, led by Jugendamt Erkelenz, which recorded the mother Sabine."""
    from cases import services
    from cases.models import FamilyMember

    return services.case_open(
        lead_institution=institutions["erkelenz"],
        opened_by=erkelenz_caseworker,
        first_member=FamilyMember(
            kind=FamilyMember.Kind.MOTHER,
            first_name="Sabine",
            last_name="Beispiel",
            date_of_birth=datetime.date(1991, 3, 14),
            address="Marktplatz 1, 41812 Erkelenz",
        ),
    )


# Browser tests (Playwright driving Debian's chromium): one browser for the whole session,
# shared by every module that needs a page. Without a Chromium they are skipped with a
# message; under CI (CI=true) a missing browser is a failure, never a skip.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no chromium is installed: browser tests must run in CI.")
        pytest.skip("Browser tests skipped: Debian's chromium is not installed.")
    # Playwright's sync API runs an event loop; Django must allow ORM calls beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="de-DE", base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()
