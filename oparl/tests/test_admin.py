"""The coordination office issues tokens for its own cooperation and revokes them."""

import re

from django.urls import reverse

from oparl.models import ApiToken, hash_token

from .conftest import Api, issue

ADD = reverse("admin:oparl_apitoken_add")
CHANGELIST = reverse("admin:oparl_apitoken_changelist")


def plain_token_in(response) -> str:
    match = re.search(r'<code id="oparl-token">([^<]+)</code>', response.content.decode())
    assert match, "the issued token is shown"
    return match.group(1)


def test_the_coordination_office_issues_a_token_shown_once(
    client, coordination_office, heinsberg, lindenbrueck
):
    client.force_login(coordination_office)
    # A cooperation smuggled into the form is ignored: the office's own one is used.
    response = client.post(ADD, {"label": "Ratsinformationssystem", "cooperation": lindenbrueck.pk})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plain = plain_token_in(response)

    token = ApiToken.objects.get()
    assert token.cooperation == heinsberg
    assert token.created_by == coordination_office
    assert token.token_hash == hash_token(plain)
    assert token.history.get().history_user == coordination_office
    assert Api(client, plain).get("system").status_code == 200

    for page in (CHANGELIST, reverse("admin:oparl_apitoken_change", args=[token.pk])):
        shown = client.get(page)
        assert shown.status_code == 200
        assert token.prefix in shown.content.decode()
        assert plain not in shown.content.decode()


def test_a_superuser_issues_a_token_for_a_chosen_cooperation(client, superuser, lindenbrueck):
    client.force_login(superuser)
    response = client.post(ADD, {"label": "RIS", "cooperation": lindenbrueck.pk})
    assert response.status_code == 200
    assert ApiToken.objects.get(token_hash=hash_token(plain_token_in(response))).cooperation == (
        lindenbrueck
    )


def test_the_coordination_office_revokes_a_token(client, coordination_office, heinsberg):
    plain = issue(heinsberg)
    token = ApiToken.objects.get()
    client.force_login(coordination_office)
    response = client.post(CHANGELIST, {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Api(client, plain).get("system").status_code == 401
    # Revoked tokens stay, with their history; nobody but a superuser deletes them.
    delete = reverse("admin:oparl_apitoken_delete", args=[token.pk])
    assert client.get(delete).status_code == 403


def test_another_cooperations_office_neither_sees_nor_revokes_a_token(
    client, lindenbrueck_coordination, heinsberg
):
    plain = issue(heinsberg, "Ratsinformationssystem Heinsberg")
    token = ApiToken.objects.get()
    client.force_login(lindenbrueck_coordination)
    assert "Ratsinformationssystem Heinsberg" not in client.get(CHANGELIST).content.decode()
    for name in ("change", "history"):
        response = client.get(reverse(f"admin:oparl_apitoken_{name}", args=[token.pk]))
        assert response.status_code in (302, 404)
    client.post(CHANGELIST, {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Api(client, plain).get("system").status_code == 200


def test_caseworkers_do_not_issue_tokens(client, erkelenz_caseworker, heinsberg):
    client.force_login(erkelenz_caseworker)
    response = client.post(ADD, {"label": "RIS"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not ApiToken.objects.exists()
