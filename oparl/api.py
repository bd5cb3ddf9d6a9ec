"""The HTTP side of the OParl export: who may read what, JSON, CORS, lists and filters.

Authentication (RFC 6750): ``Authorization: Bearer <token>`` and nothing else. A token in
the query string (``?access_token=``) is refused on purpose: it would end up in server
and proxy logs, in browser histories and in ``Referer`` headers, and OParl's ids must be
the same stable URLs for every client, so links could not carry it anyway. Sessions play
no part: a signed-in user without a token is anonymous here like anybody else.

A token reads its own cooperation's body. A cooperation that publishes its committee
(``Publication``) is readable by everyone, with or without a token; without a token,
anything outside the public bodies answers 401, whether it exists or not.

CORS (OParl 1.1 §2.6): every answer allows any origin, and a preflight (``OPTIONS``) is
answered without a token and allows the ``Authorization`` header, so that a web
application can send its token from the browser.
"""

import datetime
import functools
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cooperation.models import Cooperation

from .models import ApiToken, public_cooperations

JSON = "application/json; charset=utf-8"
ERROR = "https://schema.oparl.org/1.1/Error"
REALM = 'Bearer realm="OParl"'
METHODS = "GET, HEAD, OPTIONS"


def json_response(data, status: int = 200) -> HttpResponse:
    # UTF-8 without escaping, as OParl asks (no \\u escapes needed, none of HTML's).
    body = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)
    return HttpResponse(body, content_type=JSON, status=status)


def error_response(status: int, message: str, debug: str) -> HttpResponse:
    """OParl's error object (§2.9): ``message`` for the client's users, in the language
    of the content (German); ``debug`` for its developers."""
    return json_response({"type": ERROR, "message": message, "debug": debug}, status=status)


def _unauthorized(request: HttpRequest) -> HttpResponse:
    # The header stays as RFC 6750 wants it; the body is OParl's error object.
    if request.headers.get("Authorization"):
        response = error_response(
            401,
            _("The access token is invalid or has been revoked."),
            "invalid_token: the bearer token is unknown or revoked (RFC 6750 §3.1)",
        )
        response["WWW-Authenticate"] = f'{REALM}, error="invalid_token"'
    else:
        response = error_response(
            401,
            _("This API needs an access token: Authorization: Bearer <token>."),
            "unauthorized: send Authorization: Bearer <token>; without a token only "
            "public bodies can be read",
        )
        # RFC 6750 §3.1: no error code when the request carried no credentials.
        response["WWW-Authenticate"] = REALM
    return response


def authenticate(request: HttpRequest) -> ApiToken | None:
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return ApiToken.objects.authenticate(credentials.strip())


@dataclass(frozen=True)
class Access:
    """What one request may read: its token's cooperation and every public one.

    Views ask it for a body or an object; what is not there is a 404 (a 401 without a
    token). Deployments host a handful of cooperations, so looking in each is cheap.
    """

    cooperations: tuple[Cooperation, ...]

    @classmethod
    def of(cls, token: ApiToken | None, public: Iterable[Cooperation]) -> "Access":
        readable = {c.pk: c for c in public}
        if token is not None:
            readable[token.cooperation.pk] = token.cooperation
        return cls(tuple(readable[pk] for pk in sorted(readable)))

    def body(self, pk: int) -> Cooperation:
        for cooperation in self.cooperations:
            if cooperation.pk == pk:
                return cooperation
        raise Http404

    def get(
        self, queryset: Callable[[Cooperation], QuerySet], **lookups
    ) -> tuple[Cooperation, Model]:
        """The record matching ``lookups`` in the scope of a readable cooperation."""
        for cooperation in self.cooperations:
            found = queryset(cooperation).filter(**lookups).first()
            if found is not None:
                return cooperation, found
        raise Http404

    def find(
        self, candidates: Callable[[Cooperation], Iterable], match: Callable[[object], bool]
    ) -> tuple[Cooperation, object]:
        """The first of a readable cooperation's ``candidates`` that ``match`` accepts."""
        for cooperation in self.cooperations:
            for candidate in candidates(cooperation):
                if match(candidate):
                    return cooperation, candidate
        raise Http404


def oparl_view(view: Callable) -> Callable:
    """A read-only API view: GET or HEAD (OPTIONS for CORS), answered in JSON (German).

    The view gets the request's ``Access`` and returns a dict (the JSON object) or a
    response of its own (a file). Http404 and BadRequest become OParl error objects.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        # OParl's vocabulary, our labels and our errors in the language of the standard.
        with translation.override(settings.LANGUAGE_CODE):
            response = _respond(view, request, *args, **kwargs)
        # OParl 1.1 §2.6: on every answer, errors included, so that a web application
        # on another origin can read them (a file's too: its URLs are the API's).
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "WWW-Authenticate, X-Checksum-SHA256"
        response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ["Authorization"])
        return response

    # No session, no cookie: nothing for CSRF to protect; a POST gets our JSON 405.
    return csrf_exempt(wrapped)


def _preflight() -> HttpResponse:
    """The CORS preflight: browsers send it without credentials, so it needs no token
    and tells nothing about the data."""
    response = HttpResponse(status=204)
    del response["Content-Type"]
    response["Allow"] = METHODS
    response["Access-Control-Allow-Methods"] = METHODS
    response["Access-Control-Allow-Headers"] = "Authorization"
    response["Access-Control-Max-Age"] = "86400"
    return response


def _respond(view, request, *args, **kwargs) -> HttpResponseBase:
    if request.method == "OPTIONS":
        return _preflight()
    if request.method not in ("GET", "HEAD"):
        response = error_response(
            405,
            _("This API is read-only: use GET."),
            f"method_not_allowed: {request.method}; the API answers {METHODS}",
        )
        response["Allow"] = METHODS
        return response
    token = authenticate(request)
    if token is None and request.headers.get("Authorization"):
        return _unauthorized(request)  # a wrong token is refused even for public data
    public = list(public_cooperations())
    if token is None and not public:
        return _unauthorized(request)
    if token is not None:
        token.record_use()
    try:
        result = view(request, Access.of(token, public), *args, **kwargs)
    except Http404:
        if token is None:
            # Not in a public body: a token may show it. Whether it exists stays unsaid.
            return _unauthorized(request)
        return error_response(404, _("There is no such object."), f"not_found: {request.path}")
    except BadRequest as error:
        return error_response(400, str(error), f"bad_request: {request.get_full_path()}")
    return result if isinstance(result, HttpResponseBase) else json_response(result)


# --- lists ---------------------------------------------------------------------------

FILTERS = {
    "created_since": "oparl_created",
    "created_until": "oparl_created",
    "modified_since": "oparl_modified",
    "modified_until": "oparl_modified",
}
PAGE_SIZE = 100  # OParl recommends pages from 100 elements on
SECOND = datetime.timedelta(seconds=1)


def page_size() -> int:
    return getattr(settings, "OPARL_ELEMENTS_PER_PAGE", PAGE_SIZE)


def parse_timestamp(name: str, value: str) -> datetime.datetime:
    """A full ISO 8601 date-time with its offset, as OParl requires for the filters.

    An unencoded ``+`` of the offset arrives as a space; it is read as the ``+`` it was.
    Fractions of a second are dropped: the API shows its times to the second.
    """
    try:
        parsed = datetime.datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise BadRequest(
            _("%(name)s must be a date and time with offset, e.g. 2026-01-01T00:00:00+01:00.")
            % {"name": name}
        )
    return parsed.replace(microsecond=0)


def parse_filters(request: HttpRequest) -> dict[str, datetime.datetime]:
    return {
        name: parse_timestamp(name, request.GET[name]) for name in FILTERS if name in request.GET
    }


def _bounds(filters: dict[str, datetime.datetime]) -> list[tuple[str, str, datetime.datetime]]:
    """(attribute, lookup, bound) per filter, both ends inclusive at the second.

    ``created`` and ``modified`` are shown to the second, but stored to the microsecond:
    an object shown as modified at 10:00:00 matches ``modified_until=10:00:00`` and
    ``modified_since=10:00:00`` alike, as a client comparing what it sees expects (and as
    the spec's example of a month, ``…-01T00:00:00`` to ``…-31T23:59:59``, needs).
    """
    bounds = []
    for name, value in filters.items():
        if name.endswith("_since"):
            bounds.append((FILTERS[name], "gte", value))
        else:
            bounds.append((FILTERS[name], "lt", value + SECOND))
    return bounds


def _matches(item, bounds) -> bool:
    for attribute, lookup, bound in bounds:
        stamp = getattr(item, attribute)
        if stamp is None or (stamp < bound if lookup == "gte" else stamp >= bound):
            return False
    return True


def apply_filters(items, filters: dict):
    """Filter a queryset in the database, a list (of annotated objects) in Python."""
    bounds = _bounds(filters)
    if isinstance(items, QuerySet):
        return items.filter(**{f"{attribute}__{lookup}": b for attribute, lookup, b in bounds})
    return [item for item in items if _matches(item, bounds)]


def with_deleted(request: HttpRequest) -> bool:
    """OParl 1.1 §2.5: deleted objects are listed when, and only when, the client asks
    for changes (``modified_since``), so that it learns what to delete."""
    return "modified_since" in request.GET


def omit_internal(request: HttpRequest) -> bool:
    """``omit_internal=true`` (OParl 1.1 §2.5): leave out the internal lists that the
    external lists repeat; here a Person's ``membership``, a Meeting's ``agendaItem``
    and a Body's ``legislativeTerm``."""
    return request.GET.get("omit_internal", "").strip().lower() == "true"


def _elements_per_page(request: HttpRequest) -> int:
    largest = page_size()
    # ``limit`` is the spec's name (§2.5), ``elementsPerPage`` the attribute it sets.
    wanted = request.GET.get("elementsPerPage", request.GET.get("limit", largest))
    try:
        wanted = int(wanted)
    except ValueError:
        wanted = largest
    # A client may ask for fewer; OParl lets the server keep its own maximum.
    return min(max(wanted, 1), largest)


def _page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        raise BadRequest(_("page must be a positive whole number.")) from None
    if number < 1:
        raise BadRequest(_("page must be a positive whole number."))
    return number


def paginated(
    request: HttpRequest, items: QuerySet | Sequence, render: Callable[[list], list[dict]]
) -> dict:
    """One page of an external object list, with OParl's ``pagination`` and ``links``.

    ``items`` must be stably ordered (by primary key); the filters, ``omit_internal`` and
    the page size are kept in every link. ``render`` turns the page's records into OParl
    objects at once, so that it can fetch what they embed in a few queries.
    """
    filters = parse_filters(request)
    per_page = _elements_per_page(request)
    number = _page_number(request)
    items = apply_filters(items, filters)
    total = items.count() if isinstance(items, QuerySet) else len(items)
    pages = max(1, math.ceil(total / per_page))
    if number > pages:
        raise Http404
    records = list(items[(number - 1) * per_page : number * per_page])

    kept = {name: request.GET[name] for name in FILTERS if name in request.GET}
    if "elementsPerPage" in request.GET or "limit" in request.GET:
        kept["elementsPerPage"] = per_page
    if "omit_internal" in request.GET:
        kept["omit_internal"] = request.GET["omit_internal"]
    base = settings.SITE_URL + request.path

    def link(page: int) -> str:
        return f"{base}?{urlencode({**kept, 'page': page})}"

    links = {"first": link(1)}
    if number > 1:
        links["prev"] = link(number - 1)
    links["self"] = link(number)
    if number < pages:
        links["next"] = link(number + 1)
    links["last"] = link(pages)
    return {
        "data": render(records),
        "pagination": {
            "totalElements": total,
            "elementsPerPage": per_page,
            "currentPage": number,
            "totalPages": pages,
        },
        "links": links,
    }
