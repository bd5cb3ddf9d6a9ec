"""The HTTP side of the OParl export: token authentication, JSON, lists and their filters.

Authentication (RFC 6750): ``Authorization: Bearer <token>`` and nothing else. A token in
the query string (``?access_token=``) is refused on purpose: it would end up in server
and proxy logs, in browser histories and in ``Referer`` headers, and OParl's ids must be
the same stable URLs for every client, so links could not carry it anyway. Browsers are
not clients of this API; a council information system fetches with the header and shows
its users what it fetched. Sessions play no part: a signed-in user without a token gets a
401 like anybody else.
"""

import datetime
import functools
import json
import math
from collections.abc import Callable, Sequence
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cooperation.models import Cooperation

from .models import ApiToken

JSON = "application/json; charset=utf-8"
REALM = 'Bearer realm="OParl"'


def json_response(data, status: int = 200) -> HttpResponse:
    # UTF-8 without escaping, as OParl asks (no \\u escapes needed, none of HTML's).
    body = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)
    return HttpResponse(body, content_type=JSON, status=status)


def error_response(status: int, error: str, description: str) -> HttpResponse:
    return json_response({"error": error, "error_description": description}, status=status)


def _unauthorized(request: HttpRequest) -> HttpResponse:
    if request.headers.get("Authorization"):
        description = _("The access token is invalid or has been revoked.")
        response = error_response(401, "invalid_token", description)
        response["WWW-Authenticate"] = f'{REALM}, error="invalid_token"'
    else:
        description = _("This API needs an access token: Authorization: Bearer <token>.")
        response = error_response(401, "unauthorized", description)
        # RFC 6750 §3.1: no error code when the request carried no credentials.
        response["WWW-Authenticate"] = REALM
    return response


def authenticate(request: HttpRequest) -> ApiToken | None:
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return ApiToken.objects.authenticate(credentials.strip())


def oparl_view(view: Callable) -> Callable:
    """A read-only API view: GET or HEAD, a valid token, answered in JSON (German).

    The view gets the token's cooperation after the request and returns a dict (the JSON
    object) or a response of its own (a file). Http404 and BadRequest become JSON errors.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        # OParl's vocabulary, our labels and our errors in the language of the standard.
        with translation.override(settings.LANGUAGE_CODE):
            response = _respond(view, request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ["Authorization"])
        return response

    # No session, no cookie: nothing for CSRF to protect; a POST gets our JSON 405.
    return csrf_exempt(wrapped)


def _respond(view, request, *args, **kwargs) -> HttpResponseBase:
    if request.method not in ("GET", "HEAD"):
        response = error_response(405, "method_not_allowed", _("This API is read-only: use GET."))
        response["Allow"] = "GET, HEAD"
        return response
    token = authenticate(request)
    if token is None:
        return _unauthorized(request)
    token.record_use()
    try:
        result = view(request, token.cooperation, *args, **kwargs)
    except Http404:
        return error_response(404, "not_found", _("There is no such object."))
    except BadRequest as error:
        return error_response(400, "bad_request", str(error))
    return result if isinstance(result, HttpResponseBase) else json_response(result)


def own_body_or_404(cooperation: Cooperation, body: int) -> None:
    """A token sees its own body only; another body does not exist for it."""
    if body != cooperation.pk:
        raise Http404


# --- lists ---------------------------------------------------------------------------

FILTERS = {
    "created_since": ("oparl_created", "gte"),
    "created_until": ("oparl_created", "lte"),
    "modified_since": ("oparl_modified", "gte"),
    "modified_until": ("oparl_modified", "lte"),
}
PAGE_SIZE = 100  # OParl recommends pages from 100 elements on


def page_size() -> int:
    return getattr(settings, "OPARL_ELEMENTS_PER_PAGE", PAGE_SIZE)


def parse_timestamp(name: str, value: str) -> datetime.datetime:
    """A full ISO 8601 date-time with its offset, as OParl requires for the filters.

    An unencoded ``+`` of the offset arrives as a space; it is read as the ``+`` it was.
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
    return parsed


def parse_filters(request: HttpRequest) -> dict[str, datetime.datetime]:
    return {
        name: parse_timestamp(name, request.GET[name]) for name in FILTERS if name in request.GET
    }


def _matches(item, filters) -> bool:
    for name, value in filters.items():
        attribute, lookup = FILTERS[name]
        stamp = getattr(item, attribute)
        if stamp is None or (stamp < value if lookup == "gte" else stamp > value):
            return False
    return True


def apply_filters(items, filters: dict):
    """Filter a queryset in the database, a list (of annotated objects) in Python."""
    if isinstance(items, QuerySet):
        lookups = {f"{FILTERS[n][0]}__{FILTERS[n][1]}": v for n, v in filters.items()}
        return items.filter(**lookups)
    return [item for item in items if _matches(item, filters)]


def _elements_per_page(request: HttpRequest) -> int:
    largest = page_size()
    try:
        wanted = int(request.GET.get("elementsPerPage", largest))
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

    ``items`` must be stably ordered (by primary key); the filters and the page size are
    kept in every link. ``render`` turns the page's records into OParl objects at once,
    so that it can fetch what they embed in a few queries.
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
    if "elementsPerPage" in request.GET:
        kept["elementsPerPage"] = per_page
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
