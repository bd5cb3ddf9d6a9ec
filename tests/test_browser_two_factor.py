"""The second factor in Debian's chromium: the invitation, the QR code, backup codes, and
a passkey on Chromium's virtual authenticator. No page may break our CSP."""

import re

import pyotp
import pytest
from django.core import mail
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from cooperation import services
from cooperation.models import User
from tests.test_browser import de, enter_second_factor, labelled, log_in, log_out
from tests.two_factor import totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(page):
    """Console reports of anything our Content-Security-Policy blocked."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def test_an_invited_caseworker_sets_her_password_and_app_and_waits_for_her_lead(
    page, live_server, settings, institutions, coordination_office, erkelenz_lead, csp_violations
):
    settings.SITE_URL = live_server.url
    colleague = User(
        username="neu.fachkraft",
        first_name="Paula",
        last_name="Neu",
        email="paula.neu@kispfam.example",
        institution=institutions["erkelenz"],
        role=User.Role.CASEWORKER,
    )
    services.staff_invite(user=colleague, invited_by=coordination_office)
    link = re.search(r"http://\S+/konto/einladung/\S+/", mail.outbox[-1].body).group(0)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(de("Welcome to KispFam"))
    labelled(page, "Neues Passwort").fill("Mein-eigenes-Passwort-7")
    labelled(page, "Neues Passwort bestätigen").fill("Mein-eigenes-Passwort-7")
    page.get_by_role("button", name=de("Set password")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(de("Set up the second factor"))
    assert page.get_by_role("img", name=de("QR code for the authenticator app")).is_visible()
    secret = page.locator("code.checksum").inner_text()
    labelled(page, de("Code from the app")).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name=de("Confirm")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(de("Backup codes"))
    assert page.locator(".backup-codes li").count() == 10
    page.get_by_role("link", name=de("Continue")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Übersicht")
    # No case until the lead confirms.
    page.goto("/faelle/")
    assert "HS-" not in page.locator("main").inner_text()
    assert csp_violations == []


def test_a_passkey_is_registered_and_confirms_the_next_login(
    page, live_server, settings, erkelenz_caseworker, csp_violations
):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url.replace("127.0.0.1", "localhost")]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    log_in(page, erkelenz_caseworker)
    page.goto("/konto/sicherheit/")
    page.get_by_role("button", name=de("Register a passkey")).click()
    expect(page.locator("#passkey-register-status-message")).not_to_be_empty()
    page.reload()
    assert page.get_by_role("heading", name=de("Passkeys")).is_visible()
    assert WebAuthnCredential.objects.filter(user=erkelenz_caseworker, confirmed=True).exists()
    log_out(page)

    page.goto("/konto/login/")
    page.get_by_label("Benutzername").fill(erkelenz_caseworker.username)
    page.get_by_label("Passwort").fill("test-Passwort-123")
    page.get_by_role("button", name="Anmelden").click()
    # The passkey button works once its script is loaded; on a busy machine a click can
    # come earlier than that.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name=de("Confirm with a passkey")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Übersicht", timeout=20_000)
    assert csp_violations == []


def test_the_second_step_is_typed_in_the_browser(page, erkelenz_caseworker):
    totp_device(erkelenz_caseworker)
    page.goto("/faelle/")
    page.get_by_label("Benutzername").fill(erkelenz_caseworker.username)
    page.get_by_label("Passwort").fill("test-Passwort-123")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(de("Second factor"))
    # Nothing but the step itself: no navigation into the application yet.
    assert page.get_by_role("navigation", name="Hauptnavigation").count() == 0
    enter_second_factor(page, erkelenz_caseworker)
    expect(page.get_by_role("heading", level=1)).to_have_text("Fälle")
