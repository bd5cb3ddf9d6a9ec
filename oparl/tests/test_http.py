"""HTTP for clients in a browser: CORS on every answer, a preflight without a token, and
OParl's error object for every error (with RFC 6750's header on a 401)."""

import pytest
from django.urls import reverse

from tests.german import german

from .conftest import Api, error_of

ANY_ORIGIN = {"Origin": "https://ris.example.org"}


def test_every_answer_allows_any_origin(api, client, heinsberg, approved_sitting):
    minutes = approved_sitting.minutes
    anonymous = Api(client, None)
    answers = {
        200: api.get("system"),
        401: anonymous.get("meeting", approved_sitting.pk),
        404: api.get("meeting", 999999),
        400: api.get("meeting_list", heinsberg.pk, page="zwei"),
        405: client.post(reverse("oparl:system"), headers={"Authorization": f"Bearer {api.token}"}),
    }
    for status, response in answers.items():
        assert response.status_code == status
        assert response["Access-Control-Allow-Origin"] == "*", status
    protocol = api.get("file_download", minutes.pk)
    assert protocol["Access-Control-Allow-Origin"] == "*"
    # A browser script may read the checksum of the file and the reason of a 401.
    assert "X-Checksum-SHA256" in protocol["Access-Control-Expose-Headers"]
    assert "WWW-Authenticate" in answers[401]["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("name", ["system", "meeting", "file_download"])
def test_a_preflight_needs_no_token_and_allows_the_authorization_header(client, heinsberg, name):
    url = reverse(f"oparl:{name}", args=[] if name == "system" else [1])
    response = client.options(
        url,
        headers={
            **ANY_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Headers"] == "Authorization"
    assert {"GET", "OPTIONS"} <= {
        m.strip() for m in response["Access-Control-Allow-Methods"].split(",")
    }
    assert "WWW-Authenticate" not in response


def test_a_preflight_tells_nothing_about_the_data(client, heinsberg, approved_sitting):
    existing = client.options(reverse("oparl:meeting", args=[approved_sitting.pk]))
    missing = client.options(reverse("oparl:meeting", args=[999999]))
    assert existing.status_code == missing.status_code == 204
    assert existing.content == missing.content == b""


def test_a_missing_token_is_a_401_with_rfc_6750s_header_and_an_oparl_error(client, heinsberg):
    response = Api(client, None).get("system")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="OParl"'
    error = error_of(response)
    assert error["message"] == german(
        "This API needs an access token: Authorization: Bearer <token>."
    )
    assert error["debug"].startswith("unauthorized")


def test_a_wrong_token_is_a_401_naming_the_invalid_token(client, heinsberg):
    response = Api(client, "oparl_falsch").get("system")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="OParl", error="invalid_token"'
    error = error_of(response)
    assert error["message"] == german("The access token is invalid or has been revoked.")
    assert error["debug"].startswith("invalid_token")


def test_an_unknown_object_is_a_404_error_object(api):
    response = api.get("agendaitem", 999999)
    assert response.status_code == 404
    error = error_of(response)
    assert error["message"] == german("There is no such object.")
    assert error["debug"] == "not_found: /oparl/v1/agendaitem/999999/"


def test_a_bad_filter_is_a_400_error_object(api, heinsberg):
    response = api.get("person_list", heinsberg.pk, created_since="gestern")
    assert response.status_code == 400
    error = error_of(response)
    assert "created_since" in error["message"]
    assert error["debug"].startswith("bad_request")


def test_a_write_is_a_405_error_object(api, heinsberg):
    url = reverse("oparl:body", args=[heinsberg.pk])
    response = api.client.delete(url, headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert error_of(response)["message"] == german("This API is read-only: use GET.")


def test_an_unknown_address_below_the_api_is_an_error_object_too(api, client, heinsberg):
    response = api.get("/oparl/v1/nirgendwo/")
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"
    assert error_of(response)["debug"].startswith("not_found")
    # Without a token it is a 401 like every other address of the API.
    assert Api(client, None).get("/oparl/v1/nirgendwo/").status_code == 401
