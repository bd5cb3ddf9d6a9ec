"""Two factors on every staff login: real password logins and real TOTP codes."""

import base64
import re

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cooperation.models import StaffChange
from tests import factories
from tests.two_factor import next_token, totp_device


def password_login(user, next_url: str = "/") -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="de")
    response = browser.post(
        reverse("login"),
        {"username": user.username, "password": factories.PASSWORD, "next": next_url},
    )
    assert response.status_code == 302, "the password was refused"
    return browser


def secret_of(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


@pytest.fixture
def case_reference(family_case) -> str:
    return family_case.reference


def test_a_password_alone_reaches_no_family_data(erkelenz_caseworker, case_reference):
    totp_device(erkelenz_caseworker)
    browser = password_login(erkelenz_caseworker)
    for url in (
        reverse("dashboard"),
        reverse("cases:list"),
        reverse("cases:detail", args=[case_reference]),
    ):
        response = browser.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('cooperation:second_factor')}?next={url}"
        assert "Beispiel" not in response.content.decode()


def test_the_code_from_the_app_completes_the_login(erkelenz_caseworker, case_reference):
    device = totp_device(erkelenz_caseworker)
    detail = reverse("cases:detail", args=[case_reference])
    browser = password_login(erkelenz_caseworker, detail)
    step = browser.get(f"{reverse('cooperation:second_factor')}?next={detail}")
    html = step.content.decode()
    assert 'name="otp_token"' in html
    assert "Zweiter Faktor" in html or "Second factor" in html

    code = pyotp.TOTP(secret_of(device)).now()
    response = browser.post(
        reverse("cooperation:second_factor"), {"otp_token": code, "next": detail}
    )
    assert response.status_code == 302
    assert response["Location"] == detail
    assert "Sabine" in browser.get(detail).content.decode()


def test_the_second_step_gives_the_session_a_new_key(erkelenz_caseworker):
    device = totp_device(erkelenz_caseworker)
    browser = password_login(erkelenz_caseworker)
    before = browser.cookies["sessionid"].value
    browser.post(reverse("cooperation:second_factor"), {"otp_token": next_token(device)})
    assert browser.cookies["sessionid"].value != before


def test_a_wrong_code_is_refused_and_a_used_code_never_counts_twice(erkelenz_caseworker):
    device = totp_device(erkelenz_caseworker)
    browser = password_login(erkelenz_caseworker)
    wrong = browser.post(reverse("cooperation:second_factor"), {"otp_token": "000000"})
    assert wrong.status_code == 200
    assert 'name="otp_token"' in wrong.content.decode()
    assert browser.get(reverse("cases:list")).status_code == 302

    device.throttle_reset()
    code = next_token(device)
    assert (
        browser.post(reverse("cooperation:second_factor"), {"otp_token": code}).status_code == 302
    )
    # Somebody who watched the code being typed cannot use it in their own session.
    other = password_login(erkelenz_caseworker)
    replay = other.post(reverse("cooperation:second_factor"), {"otp_token": code})
    assert replay.status_code == 200
    assert other.get(reverse("cases:list")).status_code == 302


def test_wrong_codes_are_throttled(erkelenz_caseworker):
    device = totp_device(erkelenz_caseworker)
    browser = password_login(erkelenz_caseworker)
    for _ in range(3):
        browser.post(reverse("cooperation:second_factor"), {"otp_token": "123456"})
    device.refresh_from_db()
    # After a failure the device waits (2^n seconds) before it checks another code: tries
    # within the delay are not even checked.
    assert device.throttling_failure_count == 1
    response = browser.post(reverse("cooperation:second_factor"), {"otp_token": next_token(device)})
    assert response.status_code == 200
    assert "warten" in response.content.decode() or "wait" in response.content.decode()
    assert browser.get(reverse("cases:list")).status_code == 302


def test_the_first_login_enrols_an_app_with_a_qr_code_and_hands_out_backup_codes(
    erkelenz_caseworker, case_reference
):
    browser = password_login(erkelenz_caseworker)
    to_setup = browser.get(reverse("cases:list"))
    assert to_setup["Location"].startswith(reverse("cooperation:second_factor_setup"))

    page = browser.get(reverse("cooperation:second_factor_setup"))
    html = page.content.decode()
    # The QR code is inline SVG: no script, no style attribute (our CSP forbids both).
    assert '<svg class="qr-code" role="img"' in html
    assert "style=" not in html
    assert "<script>" not in html and '<script type="text/javascript">' not in html
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    secret = re.search(r'<code class="checksum">([A-Z2-7]+)</code>', html).group(1)
    device = TOTPDevice.objects.get(user=erkelenz_caseworker, confirmed=False)
    assert secret == secret_of(device)
    assert "otpauth://totp/KispFam%3Aerkelenz.fachkraft" in device.config_url

    wrong = browser.post(reverse("cooperation:second_factor_setup"), {"otp_token": "000000"})
    assert wrong.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()  # instead of waiting out the delay after a wrong code
    done = browser.post(
        reverse("cooperation:second_factor_setup"),
        {"otp_token": pyotp.TOTP(secret).now(), "next": reverse("cases:list")},
    )
    assert done["Location"].startswith(reverse("cooperation:backup_codes"))
    codes_page = browser.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=erkelenz_caseworker).values_list("token", flat=True)
    )
    # Shown once only.
    assert codes[0] not in browser.get(reverse("cooperation:backup_codes")).content.decode()
    assert browser.get(reverse("cases:list")).status_code == 200


def test_a_backup_code_replaces_the_app_once(erkelenz_caseworker):
    from cooperation import twofactor

    totp_device(erkelenz_caseworker)
    code = twofactor.new_backup_codes(erkelenz_caseworker)[0]
    browser = password_login(erkelenz_caseworker)
    assert (
        browser.post(reverse("cooperation:second_factor"), {"otp_token": code}).status_code == 302
    )
    assert browser.get(reverse("cases:list")).status_code == 200
    again = password_login(erkelenz_caseworker)
    assert again.post(reverse("cooperation:second_factor"), {"otp_token": code}).status_code == 200


def test_a_password_alone_adds_no_authenticator(erkelenz_caseworker):
    totp_device(erkelenz_caseworker)
    browser = password_login(erkelenz_caseworker)
    response = browser.get(reverse("cooperation:second_factor_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cooperation:second_factor"))
    assert not TOTPDevice.objects.filter(user=erkelenz_caseworker, confirmed=False).exists()


def test_the_admin_is_an_otp_admin_site(coordination_office):
    from django.contrib import admin
    from django_otp.admin import OTPAdminSite

    assert isinstance(admin.site, OTPAdminSite)
    device = totp_device(coordination_office)
    browser = password_login(coordination_office, reverse("admin:index"))
    response = browser.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("cooperation:second_factor"))
    browser.post(reverse("cooperation:second_factor"), {"otp_token": next_token(device)})
    assert browser.get(reverse("admin:index")).status_code == 200


def test_the_admins_own_login_page_leads_to_the_one_login(client):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=%2Fadmin%2F"


def test_a_setting_narrows_the_requirement_to_roles(
    settings, erkelenz_caseworker, coordination_office, superuser
):
    settings.OTP_REQUIRED_ROLES = ["coordination"]
    assert password_login(erkelenz_caseworker).get(reverse("cases:list")).status_code == 200
    assert password_login(coordination_office).get(reverse("dashboard")).status_code == 302
    assert superuser.needs_second_factor


def test_a_lost_device_is_reset_by_the_coordination_office_audited_and_enrolled_again(
    erkelenz_caseworker,
    erkelenz_lead,
    coordination_office,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    device = totp_device(erkelenz_caseworker)
    session = password_login(erkelenz_caseworker)
    session.post(reverse("cooperation:second_factor"), {"otp_token": next_token(device)})
    assert session.get(reverse("cases:list")).status_code == 200

    office = Client()
    office.force_login(coordination_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(
            reverse("admin:cooperation_user_changelist"),
            {"action": "reset_second_factor", "_selected_action": [erkelenz_caseworker.pk]},
        )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=erkelenz_caseworker).exists()
    change = StaffChange.objects.get(user=erkelenz_caseworker)
    assert change.kind == StaffChange.Kind.SECOND_FACTOR_RESET
    assert change.made_by == coordination_office
    assert [mail.to for mail in mailoutbox] == [[erkelenz_lead.email]]

    # The running session loses its verification; the person sets up a new app.
    response = session.get(reverse("cases:list"))
    assert response["Location"].startswith(reverse("cooperation:second_factor_setup"))


def test_nobody_resets_their_own_second_factor(coordination_office):
    totp_device(coordination_office)
    office = Client()
    office.force_login(coordination_office)
    office.post(
        reverse("admin:cooperation_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [coordination_office.pk]},
    )
    assert TOTPDevice.objects.filter(user=coordination_office).exists()
