"""Flows a person clicks through, in Debian's chromium driven by Playwright.

Without a Chromium these tests are skipped with a message; under CI (CI=true) a missing
browser is a failure, never a skip.
"""

import os
import shutil

import pytest
from django.core.management import call_command

from cooperation.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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


@pytest.fixture
def demo(settings):
    settings.DEMO_PASSWORD = "Demo-Passwort-2026"
    call_command("load_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return settings.DEMO_PASSWORD


def test_a_demo_caseworker_logs_in_sees_her_institution_and_logs_out(page, demo):
    page.goto("/")
    assert page.title().startswith("Anmelden")
    page.get_by_label("Benutzername").fill("erkelenz.fachkraft")
    page.get_by_label("Passwort").fill(demo)
    page.get_by_role("button", name="Anmelden").click()

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Meine Übersicht"
    banner = page.get_by_role("banner")
    assert "Anna Schmitz" in banner.inner_text()
    assert "Jugendamt der Stadt Erkelenz" in banner.inner_text()
    assert User.objects.get(username="erkelenz.fachkraft").last_login is not None

    page.get_by_role("button", name="Abmelden").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Anmelden"
    page.goto("/")
    assert "/konto/login/" in page.url


def test_a_wrong_password_is_refused_in_german_and_keeps_the_username(page, demo):
    page.goto("/konto/login/")
    page.get_by_label("Benutzername").fill("caritas.fachkraft")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    assert "Beide Felder berücksichtigen die Groß-/Kleinschreibung" in page.content()
    assert page.get_by_label("Benutzername").input_value() == "caritas.fachkraft"
