"""Single sign-on against a real OpenID provider.

The provider is django-oauth-toolkit's OIDC provider, a Django project of its own
(``tests/oidc_provider``) started in its own process with its own database, as a Kreis
runs Keycloak or ADFS beside KispFam. Every step is real HTTP: the browser's redirects, the
provider's login, the code exchange, the signed ID token checked against the provider's
JWKS, the userinfo call.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings

from cooperation.models import User
from tests import factories
from tests.two_factor import next_token, totp_device

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_ID = "kispfam-test"
CLIENT_SECRET = "kispfam-test-secret-0123456789"
PEOPLE = {
    # Signed in at the provider with a second factor (RFC 8176: "mfa").
    "a.schmitz": {"email": "Anna.Schmitz@kreis-heinsberg.example", "amr": ["pwd", "mfa"]},
    # Password only at the provider.
    "b.peters": {"email": "b.peters@kreis-heinsberg.example", "amr": ["pwd"]},
    # Level of assurance as ``acr`` (Keycloak style), no amr.
    "c.jansen": {"email": "c.jansen@kreis-heinsberg.example", "acr": "gold"},
    # Known to the provider, not to KispFam.
    "x.fremd": {"email": "x.fremd@kreis-heinsberg.example", "amr": ["pwd", "mfa"]},
}
IDP_PASSWORD = "Idp-Passwort-123"


@dataclass
class Provider:
    url: str

    def endpoint(self, path: str) -> str:
        return f"{self.url}/o/{path}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    port = _free_port()
    env = {
        **os.environ,
        "IDP_DATABASE": str(tmp_path_factory.mktemp("idp") / "idp.sqlite3"),
        "IDP_RSA_KEY": pem,
        "IDP_PEOPLE": json.dumps(
            {name: {**person, "password": IDP_PASSWORD} for name, person in PEOPLE.items()}
        ),
        "IDP_CLIENT": json.dumps(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uri": f"{live_server.url}/oidc/callback/",
            }
        ),
    }
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port)],
        cwd=Path(django_settings.BASE_DIR),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                if requests.get(f"{url}/o/.well-known/jwks.json", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                pytest.fail(f"The OpenID provider did not start:\n{output}")
            time.sleep(0.2)
        yield Provider(url)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso(settings, provider):
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Kreis-Login"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.endpoint("authorize/")
    settings.OIDC_OP_TOKEN_ENDPOINT = provider.endpoint("token/")
    settings.OIDC_OP_USER_ENDPOINT = provider.endpoint("userinfo/")
    settings.OIDC_OP_JWKS_ENDPOINT = provider.endpoint(".well-known/jwks.json")
    settings.OIDC_MFA_AMR = ["mfa"]
    settings.OIDC_MFA_ACR = ["gold"]
    return provider


@pytest.fixture
def staff(institutions):
    """KispFam's accounts of the people the provider knows (by e-mail; one by chance
    spelled in another case)."""
    return {
        name: factories.make_user(
            institutions["erkelenz"],
            username=f"kispfam.{name}",
            email=person["email"].lower(),
        )
        for name, person in PEOPLE.items()
        if name != "x.fremd"
    }


def sign_in(live_server, provider, username: str, next_url: str = "/faelle/") -> requests.Session:
    """The browser's way: KispFam → provider login → back to KispFam's callback."""
    browser = requests.Session()
    start = browser.get(
        f"{live_server.url}/oidc/authenticate/", params={"next": next_url}, allow_redirects=False
    )
    assert start.status_code == 302
    assert start.headers["Location"].startswith(provider.endpoint("authorize/"))
    assert "code_challenge=" in start.headers["Location"]
    to_login = browser.get(start.headers["Location"], allow_redirects=False)
    assert to_login.headers["Location"].startswith("/login/")
    login_page = browser.get(provider.url + to_login.headers["Location"])
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text).group(1)
    login_next = re.search(r"next=([^&]+)", to_login.headers["Location"]).group(1)
    logged_in = browser.post(
        f"{provider.url}/login/",
        data={
            "csrfmiddlewaretoken": csrf,
            "username": username,
            "password": IDP_PASSWORD,
            "next": requests.utils.unquote(login_next),
        },
        headers={"Referer": f"{provider.url}/login/"},
        allow_redirects=False,
    )
    assert logged_in.status_code == 302, logged_in.text[:500]
    authorized = browser.get(provider.url + logged_in.headers["Location"], allow_redirects=False)
    callback = authorized.headers["Location"]
    assert callback.startswith(f"{live_server.url}/oidc/callback/?")
    browser.callback = browser.get(callback, allow_redirects=False)
    return browser


def test_the_idps_second_factor_completes_the_login(live_server, sso, staff):
    browser = sign_in(live_server, sso, "a.schmitz")
    assert browser.callback.status_code == 302
    assert browser.callback.headers["Location"] == "/faelle/"
    cases = browser.get(f"{live_server.url}/faelle/", allow_redirects=False)
    assert cases.status_code == 200
    assert staff["a.schmitz"].last_name in cases.text
    admin = browser.get(f"{live_server.url}/admin/", allow_redirects=False)
    assert admin.status_code == 302  # a caseworker: no back office, second factor or not


def test_an_acr_the_settings_name_counts_as_the_second_factor(live_server, sso, staff):
    browser = sign_in(live_server, sso, "c.jansen")
    assert browser.get(f"{live_server.url}/faelle/", allow_redirects=False).status_code == 200


def test_without_the_idps_second_factor_our_own_follows(live_server, sso, staff):
    browser = sign_in(live_server, sso, "b.peters")
    cases = browser.get(f"{live_server.url}/faelle/", allow_redirects=False)
    assert cases.status_code == 302
    assert cases.headers["Location"].startswith("/konto/zweiter-faktor/einrichten/")

    device = totp_device(staff["b.peters"])
    step = browser.get(f"{live_server.url}/konto/zweiter-faktor/?next=/faelle/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', step.text).group(1)
    done = browser.post(
        f"{live_server.url}/konto/zweiter-faktor/",
        data={"csrfmiddlewaretoken": csrf, "otp_token": next_token(device), "next": "/faelle/"},
        allow_redirects=False,
    )
    assert done.status_code == 302 and done.headers["Location"] == "/faelle/"
    assert browser.get(f"{live_server.url}/faelle/", allow_redirects=False).status_code == 200


def test_the_sign_in_never_creates_an_account(live_server, sso, staff):
    count = User.objects.count()
    browser = sign_in(live_server, sso, "x.fremd")
    assert browser.callback.status_code == 302
    assert browser.callback.headers["Location"] == "/konto/login/"
    assert User.objects.count() == count
    assert browser.get(f"{live_server.url}/faelle/", allow_redirects=False).status_code == 302
    login = browser.get(f"{live_server.url}/konto/login/")
    assert "Kreis-Login" in login.text


def test_a_deactivated_account_is_not_signed_in(live_server, sso, staff):
    staff["a.schmitz"].is_active = False
    staff["a.schmitz"].save()
    browser = sign_in(live_server, sso, "a.schmitz")
    assert browser.callback.headers["Location"] == "/konto/login/"
