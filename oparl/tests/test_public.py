"""A cooperation may publish its committee as open data: then its export answers without a
token, as OParl intends for public bodies. The switch is off unless the coordination office
turns it on, a cooperation that is not public still needs the token, and the public export
is exactly what a token of the cooperation sees.
"""

import json

import pytest
from django.urls import reverse

from conferences import services
from oparl.models import Publication

from .conftest import Api, error_of, issue, oparl_url, publish

ADD = reverse("admin:oparl_publication_add")
CHANGELIST = reverse("admin:oparl_publication_changelist")


@pytest.fixture
def anonymous(client) -> Api:
    return Api(client, None)


def test_the_export_is_closed_unless_the_switch_is_on(anonymous, heinsberg, committee):
    assert anonymous.get("system").status_code == 401
    publish(heinsberg, public=False)
    assert anonymous.get("system").status_code == 401
    assert anonymous.get("body", heinsberg.pk).status_code == 401


def test_a_public_cooperation_is_read_without_a_token(
    anonymous, api, schemas, heinsberg, committee, approved_sitting
):
    publish(heinsberg)
    system = anonymous.json("system")
    assert system == api.json("system")
    (body,) = anonymous.walk(system["body"])
    assert body["id"] == oparl_url("body", heinsberg.pk)
    for name in ("organization", "person", "membership", "meeting", "agendaItem", "file"):
        items = anonymous.walk(body[name])
        assert items == api.walk(body[name]), name
        for item in items:
            schemas.validate(item)
            assert anonymous.json(item["id"]) == item
    protocol = anonymous.get("file_download", approved_sitting.minutes.pk)
    assert protocol.status_code == 200
    assert protocol["Content-Type"] == "application/pdf"


def test_a_cooperation_that_is_not_public_still_needs_the_token(
    anonymous, api, heinsberg, lindenbrueck, committee, approved_sitting
):
    publish(lindenbrueck)
    bodies = anonymous.walk(anonymous.json("system")["body"])
    assert [b["name"] for b in bodies] == ["Stadt Lindenbrück"]
    hidden = [
        ("body", heinsberg.pk),
        ("person_list", heinsberg.pk),
        ("meeting", approved_sitting.pk),
        ("person", committee.chair_id),
        ("file_download", approved_sitting.minutes.pk),
    ]
    for name, *args in hidden:
        response = anonymous.get(name, *args)
        assert response.status_code == 401, name
        assert response["WWW-Authenticate"] == 'Bearer realm="OParl"'
        assert b"Heinsberg" not in response.content
        assert api.get(name, *args).status_code == 200, name


def test_without_a_token_a_missing_object_looks_like_a_hidden_one(
    anonymous, heinsberg, lindenbrueck, approved_sitting
):
    publish(lindenbrueck)
    hidden = anonymous.get("meeting", approved_sitting.pk)
    missing = anonymous.get("meeting", 999999)
    assert hidden.status_code == missing.status_code == 401
    assert error_of(hidden) == error_of(missing)


def test_a_token_reads_its_own_body_and_the_public_ones(client, heinsberg, lindenbrueck):
    publish(lindenbrueck)
    heinsberg_client = Api(client, issue(heinsberg))
    names = [b["name"] for b in heinsberg_client.walk("body_list")]
    assert names == ["Kreis Heinsberg", "Stadt Lindenbrück"]
    assert heinsberg_client.get("person_list", lindenbrueck.pk).status_code == 200
    # Heinsberg is not public: Lindenbrück's token still does not see it.
    lindenbrueck_client = Api(client, issue(lindenbrueck))
    assert [b["name"] for b in lindenbrueck_client.walk("body_list")] == ["Stadt Lindenbrück"]
    assert lindenbrueck_client.get("body", heinsberg.pk).status_code == 404


def test_a_wrong_token_is_refused_even_for_public_data(client, heinsberg):
    publish(heinsberg)
    response = Api(client, "oparl_widerrufen").get("system")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="OParl", error="invalid_token"'


def test_closing_the_export_takes_effect_at_once(anonymous, heinsberg, committee):
    publish(heinsberg)
    assert anonymous.get("organization_committee", committee.pk).status_code == 200
    publish(heinsberg, public=False)
    assert anonymous.get("organization_committee", committee.pk).status_code == 401


def test_the_public_export_has_no_family_data(
    anonymous, heinsberg, committee, approved_sitting, family_case, erkelenz_caseworker
):
    conference = services.conference_schedule(
        case=family_case, organiser=erkelenz_caseworker, starts_at=approved_sitting.starts_at
    )
    publish(heinsberg)
    assert anonymous.get("meeting", conference.pk).status_code == 401
    meetings = anonymous.walk("meeting_list", heinsberg.pk)
    assert [m["id"] for m in meetings] == [oparl_url("meeting", approved_sitting.pk)]
    assert family_case.reference not in json.dumps(meetings)


# --- the switch in the admin ---------------------------------------------------------


def test_the_coordination_office_opens_and_closes_its_own_export(
    client, anonymous, coordination_office, heinsberg, lindenbrueck
):
    client.force_login(coordination_office)
    # A cooperation smuggled into the form is ignored: the office's own one is used.
    response = client.post(ADD, {"is_public": "on", "cooperation": lindenbrueck.pk})
    assert response.status_code == 302
    publication = Publication.objects.get()
    assert publication.cooperation == heinsberg and publication.is_public
    assert publication.history.get().history_user == coordination_office
    client.logout()
    assert anonymous.get("body", heinsberg.pk).status_code == 200

    client.force_login(coordination_office)
    # One switch per cooperation: it is changed, not added again.
    assert client.get(ADD).status_code == 403
    change = reverse("admin:oparl_publication_change", args=[publication.pk])
    assert client.post(change, {}).status_code == 302
    publication.refresh_from_db()
    assert not publication.is_public
    client.logout()
    assert anonymous.get("body", heinsberg.pk).status_code == 401


def test_another_cooperations_office_cannot_open_heinsberg(
    client, anonymous, lindenbrueck_coordination, heinsberg
):
    publication = publish(heinsberg, public=False)
    client.force_login(lindenbrueck_coordination)
    assert "Heinsberg" not in client.get(CHANGELIST).content.decode()
    change = reverse("admin:oparl_publication_change", args=[publication.pk])
    response = client.post(change, {"is_public": "on"})
    assert response.status_code in (302, 404)
    publication.refresh_from_db()
    assert not publication.is_public
    client.logout()
    assert anonymous.get("body", heinsberg.pk).status_code == 401


def test_caseworkers_do_not_open_the_export(client, erkelenz_caseworker, heinsberg):
    client.force_login(erkelenz_caseworker)
    response = client.post(ADD, {"is_public": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not Publication.objects.exists()
