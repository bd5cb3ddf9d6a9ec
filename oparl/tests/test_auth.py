"""A valid bearer token opens the API to its own cooperation's data; what a public
cooperation shows without one is in test_public.py."""

import json

import pytest
from django.urls import reverse

from oparl.models import ApiToken, hash_token

from .conftest import Api, error_of


def test_it_requires_a_token(client, heinsberg):
    response = Api(client, None).get("system")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="OParl"'
    assert error_of(response)["debug"].startswith("unauthorized")


@pytest.mark.parametrize(
    "header", ["Bearer oparl_falsch", "Bearer ", "Basic a29vcmRpbmF0aW9uOmdlaGVpbQ==", "oparl_x"]
)
def test_it_rejects_an_invalid_token(client, token, header):
    response = client.get(reverse("oparl:system"), headers={"Authorization": header})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="OParl", error="invalid_token"'
    assert error_of(response)["debug"].startswith("invalid_token")


def test_it_rejects_a_revoked_token(api, token):
    assert api.get("system").status_code == 200
    ApiToken.objects.get(token_hash=hash_token(token)).revoke()
    response = api.get("system")
    assert response.status_code == 401
    assert error_of(response)["debug"].startswith("invalid_token")


def test_it_accepts_the_scheme_in_any_case(client, token):
    response = client.get(reverse("oparl:system"), headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


def test_it_does_not_take_the_token_from_the_query_string(client, token):
    response = client.get(reverse("oparl:system"), {"access_token": token})
    assert response.status_code == 401


def test_it_ignores_a_session(client, heinsberg, coordination_office, superuser):
    for user in (coordination_office, superuser):
        client.force_login(user)
        assert client.get(reverse("oparl:system")).status_code == 401


def test_it_rejects_writes_without_csrf_or_session(client, token, heinsberg):
    url = reverse("oparl:body", args=[heinsberg.pk])
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert error_of(response)["debug"].startswith("method_not_allowed")


def test_it_answers_head(api):
    assert (
        api.client.head(
            reverse("oparl:system"), headers={"Authorization": f"Bearer {api.token}"}
        ).status_code
        == 200
    )


def test_it_keeps_answers_out_of_shared_caches(api):
    response = api.get("system")
    assert response["Cache-Control"] == "private, no-store"
    assert "Authorization" in response["Vary"]


def test_it_records_when_a_token_was_last_used(api, token):
    stored = ApiToken.objects.get(token_hash=hash_token(token))
    assert stored.last_used_at is None
    api.get("system")
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_it_stores_only_the_tokens_hash(heinsberg):
    token = ApiToken(cooperation=heinsberg, label="RIS")
    plain = token.set_new_secret()
    token.save()
    assert plain.startswith("oparl_") and len(plain) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert plain not in json.dumps(stored, default=str)
    assert stored["token_hash"] == hash_token(plain)
    assert ApiToken.objects.authenticate(plain) == token
    assert ApiToken.objects.authenticate(stored["token_hash"]) is None


def test_unknown_objects_are_a_json_404(api):
    response = api.get("meeting", 999999)
    assert response.status_code == 404
    assert error_of(response)["debug"].startswith("not_found")


# --- one cooperation's token never sees another's data -------------------------------


def test_another_cooperations_token_never_sees_heinsberg(
    lindenbrueck_api, heinsberg, lindenbrueck, committee, approved_sitting
):
    system = lindenbrueck_api.json("system")
    bodies = lindenbrueck_api.walk(system["body"])
    assert [b["name"] for b in bodies] == ["Stadt Lindenbrück"]
    for kind in ("person", "membership", "meeting", "agendaitem", "file", "paper"):
        assert lindenbrueck_api.walk(f"{kind}_list", lindenbrueck.pk) == []
    for kind in ("organization", "person", "membership", "meeting", "agendaitem", "file"):
        assert lindenbrueck_api.get(f"{kind}_list", heinsberg.pk).status_code == 404

    minutes = approved_sitting.minutes
    item = approved_sitting.agenda.first()
    seat = committee.members.first()
    forbidden = [
        ("body", heinsberg.pk),
        ("location_body", heinsberg.pk),
        ("organization_committee", committee.pk),
        ("organization_committee_meetings", committee.pk),
        ("organization_institution", committee.members.first().institution_id),
        ("person", committee.chair_id),
        ("membership", seat.pk),
        ("membership_post", committee.pk, "chair", committee.chair_id),
        ("meeting", approved_sitting.pk),
        ("location_meeting", approved_sitting.pk),
        ("agendaitem", item.pk),
        ("file", minutes.pk),
        ("file_access", minutes.pk),
        ("file_download", minutes.pk),
    ]
    for name, *args in forbidden:
        response = lindenbrueck_api.get(name, *args)
        assert response.status_code == 404, name
        assert b"Heinsberg" not in response.content

    # Lindenbrück's own organizations are its institutions only (it has no committee).
    organizations = lindenbrueck_api.walk("organization_list", lindenbrueck.pk)
    assert {o["organizationType"] for o in organizations} == {"Institution"}
    assert all("Heinsberg" not in json.dumps(o, ensure_ascii=False) for o in organizations)
