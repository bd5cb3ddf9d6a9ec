"""The request plumbing: NUL bytes refused with a 400, no-store for signed-in persons,
admin object ids that cannot exist answered with a 404."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from common.middleware import (
    MalformedObjectIdMiddleware,
    NoStoreForSignedInMiddleware,
    RejectNulMiddleware,
    is_key_of,
)

factory = RequestFactory()


def ok(request):
    return HttpResponse("ok")


def through_nul_check(request) -> int:
    return RejectNulMiddleware(ok)(request).status_code


NUL_REQUESTS = {
    "path": lambda: factory.get("/faelle/HS-2026-0001\x00/"),
    "query_value": lambda: factory.get("/faelle/", {"q": "\x00"}),
    "query_key": lambda: factory.get("/faelle/", {"q\x00": "x"}),
    "form_field": lambda: factory.post("/faelle/neu/", {"last_name": "Bei\x00spiel"}),
    "multipart_field": lambda: factory.post(
        "/faelle/neu/", {"purpose": "a\x00", "scan": SimpleUploadedFile("a.png", b"x")}
    ),
    "cookie": lambda: _with_cookie(factory.get("/"), "sessionid", "abc\x00"),
    "header": lambda: factory.get("/", HTTP_USER_AGENT="Mozilla\x00"),
}


def _with_cookie(request, name, value):
    request.COOKIES[name] = value
    return request


@pytest.mark.parametrize("make", NUL_REQUESTS.values(), ids=NUL_REQUESTS.keys())
def test_a_nul_byte_anywhere_is_a_bad_request(make):
    assert through_nul_check(make()) == 400


def test_the_refusal_says_why_in_german():
    response = RejectNulMiddleware(ok)(factory.get("/", {"q": "\x00"}))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "NUL" in response.content.decode()


def test_a_request_without_nul_passes_untouched():
    assert through_nul_check(factory.get("/faelle/", {"q": "Beispiel %00"})) == 200
    assert through_nul_check(factory.post("/faelle/neu/", {"last_name": "Beispiel"})) == 200
    json = factory.post("/api/", data='{"a": "\\u0000"}', content_type="application/json")
    assert through_nul_check(json) == 200


class Person:
    is_authenticated = True


def signed_in_request(user):
    request = factory.get("/")
    request.user = user
    return request


def test_every_answer_to_a_signed_in_person_is_no_store():
    def cached(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=3600"
        response["Expires"] = "Thu, 01 Jan 2099 00:00:00 GMT"
        return response

    response = NoStoreForSignedInMiddleware(cached)(signed_in_request(Person()))
    assert response["Cache-Control"] == "private, no-store"
    assert "Expires" not in response


def test_anonymous_answers_keep_their_caching():
    def cached(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    anonymous = NoStoreForSignedInMiddleware(cached)(signed_in_request(AnonymousUser()))
    assert anonymous["Cache-Control"] == "public, max-age=3600"
    # Before authentication (a static file, a refused request) there is no user at all.
    assert NoStoreForSignedInMiddleware(cached)(factory.get("/"))["Cache-Control"]


@pytest.mark.parametrize(
    ("value", "fits"),
    [
        ("1", True),
        ("9223372036854775807", True),
        ("9223372036854775808", False),
        ("9" * 30, False),
        ("0", False),
        ("-1", False),
        ("abc", False),
        ("1.5", False),
        ("_5F", False),
        ("", False),
    ],
)
def test_an_admin_id_must_be_able_to_exist(value, fits):
    assert is_key_of(Group, value) is fits


def test_the_admin_view_of_an_impossible_id_is_a_404():
    def view(request, object_id):
        raise AssertionError("the database would have been asked")

    class Site:
        def has_permission(self, request):
            return request.user.is_authenticated

    view.model_admin = type("GroupAdmin", (), {"model": Group, "admin_site": Site()})()
    middleware = MalformedObjectIdMiddleware(ok)
    with pytest.raises(Http404):
        middleware.process_view(signed_in_request(Person()), view, (), {"object_id": "abc"})
    assert (
        middleware.process_view(signed_in_request(Person()), view, (), {"object_id": "12"}) is None
    )
    assert (
        middleware.process_view(signed_in_request(Person()), ok, (), {"object_id": "abc"}) is None
    )
    # Whom the admin does not let in is sent to its login by the admin itself.
    outsider = signed_in_request(AnonymousUser())
    assert middleware.process_view(outsider, view, (), {"object_id": "abc"}) is None
