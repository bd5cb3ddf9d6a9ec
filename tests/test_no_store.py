"""Every answer to a signed-in person is ``Cache-Control: private, no-store``.

Pages, forms, redirects, refusals, PDFs, scans and calendar files alike: no proxy,
browser cache or "back" button keeps a copy of what a signed-in person saw, and every
read reaches the server and its access log. The whole persona matrix is walked as the
lead institution's caseworker, a recipient of released data, the coordination office
and the superuser.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.matrix import ROWS
from tests.test_url_auth import world  # noqa: F401 (the matrix's world fixture)


@pytest.mark.parametrize(
    "persona", ["erkelenz_caseworker", "caritas_caseworker", "coordination_office", "superuser"]
)
def test_every_answer_to_a_signed_in_person_is_no_store(request, world, persona):  # noqa: F811
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    cached = []
    for row in ROWS:
        url = reverse(row.name, kwargs=row.kwargs(world))
        response = getattr(client, row.method)(url)
        if response.streaming:
            b"".join(response)
        if row.name == "logout":
            client.force_login(request.getfixturevalue(persona))
            continue
        if response.get("Cache-Control") != "private, no-store":
            cached.append((row.name, response.status_code, response.get("Cache-Control")))
    assert not cached


def test_static_files_stay_cacheable_for_signed_in_persons(client, erkelenz_caseworker):
    """They carry no family data and are served before the session is read."""
    client.force_login(erkelenz_caseworker)
    response = client.get("/static/css/kispfam.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
