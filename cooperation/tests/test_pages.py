"""The base layout: German by default, the user's institution in the header."""

from django.urls import reverse


def test_dashboard_greets_in_german_with_the_users_institution(client, erkelenz_caseworker):
    client.force_login(erkelenz_caseworker)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Meine Übersicht" in html
    assert "Jugendamt der Stadt Erkelenz" in html
    assert 'id="main"' in html and "<nav" in html


def test_the_language_switch_turns_the_page_english(client, erkelenz_caseworker):
    client.force_login(erkelenz_caseworker)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("dashboard")).content.decode()
    assert '<html lang="en">' in html
    assert "My overview" in html


def test_pages_carry_a_content_security_policy_without_unsafe_inline(client):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_password_reset_sends_a_german_mail(client, erkelenz_caseworker, mailoutbox):
    client.post(reverse("password_reset"), {"email": erkelenz_caseworker.email})
    assert len(mailoutbox) == 1
    assert erkelenz_caseworker.email in mailoutbox[0].to
    assert "/konto/reset/" in mailoutbox[0].body
