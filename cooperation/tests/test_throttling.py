"""Login throttling behind the reverse proxy: the right client address, a limit per
username and address and one per address, and a lockout page that says when."""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from cooperation.throttling import client_address
from tests import factories


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_ADDRESS_FAILURE_LIMIT = 5


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_claims(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # nginx appends the peer it saw; a client-sent header stands to its left.
    assert client_address(request_from("10.0.0.2", "198.51.100.1")) == "198.51.100.1"
    assert client_address(request_from("10.0.0.2", "1.2.3.4, 198.51.100.1")) == "198.51.100.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from("10.0.0.3", "1.2.3.4, 198.51.100.1, 10.0.0.2")) == (
        "198.51.100.1"
    )
    # Not through the proxy, or garbage: the direct peer.
    assert client_address(request_from("10.0.0.3")) == "10.0.0.3"
    assert client_address(request_from("10.0.0.3", "x, y")) == "10.0.0.3"


def attempt(browser: Client, username: str, password: str = "falsch", address="198.51.100.1"):
    return browser.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=address,
    )


def test_a_locked_username_stays_open_from_other_addresses(settings, axes_on, erkelenz_caseworker):
    settings.TRUSTED_PROXY_COUNT = 1
    browser = Client(HTTP_ACCEPT_LANGUAGE="de")
    for _ in range(3):
        attempt(browser, erkelenz_caseworker.username)
    assert attempt(browser, erkelenz_caseworker.username).status_code == 429
    # Behind the same proxy, the colleague at another workstation still logs in.
    response = attempt(
        Client(), erkelenz_caseworker.username, factories.PASSWORD, address="198.51.100.2"
    )
    assert response.status_code == 302


def test_one_address_trying_many_usernames_is_locked(settings, axes_on, erkelenz_caseworker):
    settings.TRUSTED_PROXY_COUNT = 1
    browser = Client()
    for n in range(4):
        assert attempt(browser, f"gibt-es-nicht-{n}").status_code == 200
    # The fifth failure from the address, each username tried once: locked.
    assert attempt(browser, "gibt-es-nicht-4").status_code == 429
    assert attempt(browser, erkelenz_caseworker.username, factories.PASSWORD).status_code == 429
    elsewhere = attempt(Client(), erkelenz_caseworker.username, factories.PASSWORD, "198.51.100.9")
    assert elsewhere.status_code == 302


def test_the_lockout_page_says_when_to_try_again(settings, axes_on, erkelenz_caseworker):
    browser = Client(HTTP_ACCEPT_LANGUAGE="de")
    for _ in range(3):
        attempt(browser, erkelenz_caseworker.username)
    response = attempt(browser, erkelenz_caseworker.username)
    assert response.status_code == 429
    html = response.content.decode()
    until = timezone.localtime() + settings.AXES_COOLOFF_TIME * timezone.timedelta(hours=1)
    shown = re.search(r"\b(\d\d):(\d\d)\b", html)
    assert shown, html
    minutes = int(shown.group(1)) * 60 + int(shown.group(2))
    expected = until.hour * 60 + until.minute
    assert abs(minutes - expected) % (24 * 60) <= 1
    assert until.strftime("%d.%m.%Y") in html
