"""Bad input is answered with 400 or 404 (or a form's German message), never with a 500.

An outside test found requests that ended in a 500: a NUL byte in a search, a reference
or a query parameter on PostgreSQL (which refuses text with NUL in it), an integer
beyond 64 bits in ``?lead=`` or in a consent's recipients on SQLite (which cannot bind
it). ``test_the_reported_requests_are_refused_cleanly`` keeps those; the property tests
walk every URL of the persona matrix (``tests/matrix.py``) as a persona that gets in, and
send hostile values for

- every URL parameter (the row's kwargs),
- every query parameter a view reads (found in the source, and the fields of the forms
  that read ``request.GET``),
- every field of the form the page shows (its POST), and
- the object ids of the admin's change, history and delete pages.

Run them on both databases (``DATABASE_URL=postgres://… pytest tests/test_hostile_input.py``);
``HOSTILE_EXAMPLES`` sets the examples per URL (default 8).
"""

import os
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.matrix import ROWS
from tests.test_url_auth import ADMIN_ROUTES, world  # noqa: F401 (the matrix's world fixture)

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "8"))
SETTINGS = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

# Values that broke, or could break, a parser, a query or a template.
NASTY = [
    "\x00",
    "a\x00b",
    "HS-2026-0001\x00",
    "%00",
    "9" * 20,
    "9" * 40,
    str(2**63),
    str(2**64 + 1),
    "-1",
    "0",
    "-0",
    "1e999",
    "1.5",
    "NaN",
    "",
    " ",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '"',
    "\\",
    "%",
    "%%",
    "\r\n",
    "\u202e",
    "😀",
    "ß" * 300,
    "x" * 5000,
    "2026-02-30",
    "99999-12-31",
    "0000-00-00",
    "1.1.10000",
    "true",
    "null",
    "[]",
]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
BIG = st.integers(min_value=-(2**80), max_value=2**80).map(str)
HOSTILE = st.one_of(st.sampled_from(NASTY), TEXT, BIG)
DIGITS = st.one_of(
    st.integers(min_value=0, max_value=2**80).map(str),
    st.sampled_from(["0", "9" * 19, "9" * 25, str(2**63), str(2**63 - 1)]),
)
# A path segment: anything but a slash.
SEGMENT = st.one_of(st.sampled_from(NASTY), TEXT, BIG).filter(lambda v: v and "/" not in v)


def _query_parameters() -> list[str]:
    """Every query parameter a view reads: found in the source, plus the GET forms' fields."""
    names = set()
    pattern = re.compile(r"""GET(?:\.get|\.getlist)?[\[(]\s*["']([A-Za-z_]+)["']""")
    contains = re.compile(r"""["']([A-Za-z_]+)["']\s+in\s+(?:self\.)?request\.GET""")
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "node_modules" in path.parts:
            continue
        source = path.read_text(encoding="utf-8", errors="replace")
        names |= set(pattern.findall(source)) | set(contains.findall(source))
    from agreements.forms import AsOfForm
    from concept.forms import OfferFilterForm
    from oparl.api import FILTERS

    names |= set(AsOfForm.base_fields) | set(OfferFilterForm.base_fields) | set(FILTERS)
    return sorted(names | {"next", "page"})


QUERY_PARAMETERS = _query_parameters()
PREFERRED = [
    "erkelenz_caseworker",
    "erkelenz_lead",
    "gesundheitsamt_caseworker",
    "caritas_caseworker",
    "kreisjugendamt_caseworker",
    "coordination_office",
    "data_protection_officer",
    "lindenbrueck_coordination",
    "superuser",
]


def _persona(row) -> str | None:
    """Who gets furthest into the row's view: the first persona it lets in."""
    for wanted in (200, 302):
        for persona in PREFERRED:
            if row.expect.get(persona) == wanted:
                return persona
    return None


def _client(request, persona: str | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    if persona:
        client.force_login(request.getfixturevalue(persona))
    return client


def _hostile_kwargs(draw, kwargs: dict) -> dict:
    return {
        name: draw(DIGITS if isinstance(value, int) else SEGMENT) for name, value in kwargs.items()
    }


def _form_of(response):
    context = getattr(response, "context", None)
    if context is None:
        return None
    try:
        return context.get("form")
    except AttributeError:
        return None


def _values(form) -> dict:
    """What the browser would send back of ``form`` unchanged (files left out)."""
    data = {}
    for name, field in form.fields.items() if form else ():
        if isinstance(field, forms.FileField):
            continue
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


def _check(response, what) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if getattr(response, "streaming", False):
        b"".join(response)


ROWS_TO_WALK = [row for row in ROWS if _persona(row) is not None or row.method == "get"]


@pytest.mark.parametrize("row", ROWS_TO_WALK, ids=[row.name for row in ROWS_TO_WALK])
def test_no_url_parameter_query_or_form_field_ends_in_a_server_error(request, world, row):  # noqa: F811
    persona = _persona(row)
    client = _client(request, persona)
    kwargs = row.kwargs(world)
    url = reverse(row.name, kwargs=kwargs)
    form = None
    if row.method == "get":
        first = client.get(url)
        _check(first, url)
        form = _form_of(first)
    base = _values(form)
    fields = sorted(
        set(base) | ({"text", "action", "submission"} if row.method == "post" else set())
    )

    @SETTINGS
    @given(data=st.data())
    def walk(data):
        # 1. The URL's own parameters.
        if kwargs:
            try:
                hostile = reverse(row.name, kwargs=_hostile_kwargs(data.draw, kwargs))
            except NoReverseMatch:
                hostile = None
            if hostile:
                _check(getattr(client, row.method)(hostile), hostile)
        # 2. Query parameters.
        query = data.draw(
            st.dictionaries(st.sampled_from(QUERY_PARAMETERS), HOSTILE, min_size=1, max_size=4)
        )
        if row.method == "get":
            _check(client.get(url, query), (url, query))
        else:
            _check(client.post(f"{url}?{urlencode(query)}"), (url, query))
        # 3. The form's fields, some of them hostile, the rest as shown.
        if fields and (form is not None or row.method == "post"):
            changed = data.draw(
                st.dictionaries(
                    st.sampled_from(fields),
                    st.one_of(HOSTILE, st.lists(HOSTILE, max_size=3)),
                    min_size=1,
                    max_size=4,
                )
            )
            _check(client.post(url, {**base, **changed}), (url, changed))

    walk()


ADMIN_OBJECT_ROUTES = [route for route, _name in ADMIN_ROUTES if "object_id" in route]


def _admin_url(route: str, object_id: str) -> str:
    url = route.replace("^", "").replace("$", "")
    url = re.sub(r"\(\?P<object_id>[^)]*\)|<(?:\w+:)?object_id>", quote(object_id, safe=""), url)
    return "/" + url


@pytest.mark.parametrize("persona", ["coordination_office", "superuser"])
def test_no_admin_object_id_ends_in_a_server_error(request, institutions, persona):
    client = _client(request, persona)

    @SETTINGS
    @given(route=st.sampled_from(ADMIN_OBJECT_ROUTES), object_id=SEGMENT)
    def walk(route, object_id):
        url = _admin_url(route, object_id)
        _check(client.get(url), url)

    walk()


def test_the_reported_requests_are_refused_cleanly(world, request):  # noqa: F811
    """The outside report: NUL bytes on PostgreSQL, integers beyond 64 bits on SQLite."""
    client = _client(request, "erkelenz_caseworker")
    reference = world["case"].reference
    nul = [
        "/faelle/?q=%00",
        f"/faelle/{reference}%00/",
        "/faelle/zugriffsprotokoll/?reference=%00",
        f"/faelle/{reference}/einwilligungen/neu/?x=%00",
        "/konferenzen/?q=%00",
    ]
    for url in nul:
        assert client.get(url).status_code == 400, url
    assert (
        client.post(reverse("cases:note_add", args=[reference]), {"text": "a\x00b"}).status_code
        == 400
    )
    big = "9" * 25
    assert client.get(f"/faelle/?lead={big}").status_code == 200
    assert client.get(f"/faelle/{reference}/personen/{big}/").status_code == 404
    response = client.post(
        reverse("cases:consent_add", args=[reference]),
        {"recipients": [big], "given_by": big, "categories": ["master"]},
    )
    assert response.status_code == 400
    assert "recipients" in response.context["form"].errors
