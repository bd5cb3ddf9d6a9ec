"""Request plumbing that every page needs: refuse what no page can handle, and never
let a page for a signed-in person be stored.

- ``RejectNulMiddleware``: a NUL byte (``%00``) is never part of a reference, a search, a
  form field, a cookie or a header. PostgreSQL refuses text with NUL in it, so a request
  carrying one would end in a 500 wherever it reaches the database (a search, a
  reference, a session cookie). It is answered with a 400 before any view or session
  lookup sees it.
- ``MalformedObjectIdMiddleware``: an admin page whose object id cannot be a key of its
  model (``abc``, ``1.5``, an integer beyond 64 bits) is a 404. Django's admin and
  django-simple-history's history pages would hand it to the database, which answers
  with an error (a 500).
- ``NoStoreForSignedInMiddleware``: every response to a signed-in person is
  ``Cache-Control: private, no-store``: pages, PDFs, scans and calendar files alike. No
  proxy, browser cache or "back" button keeps a copy, and every read reaches the server
  (and so the access log). Static files are served before (WhiteNoise) and stay cacheable.
"""

from collections.abc import Callable, Iterable

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from .forms import parse_id
from .http import NO_STORE

NUL = "\x00"
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(values: Iterable[str]) -> bool:
    return any(NUL in value for value in values)


def _query_dict_has_nul(data) -> bool:
    return any(NUL in key or _has_nul(data.getlist(key)) for key in data)


def carries_nul(request: HttpRequest) -> bool:
    """Whether the path, the query string, the form data (and uploaded file names), a
    cookie or a header of ``request`` contains a NUL byte."""
    if NUL in request.path_info or NUL in request.path:
        return True
    if _query_dict_has_nul(request.GET):
        return True
    if _has_nul(request.COOKIES) or _has_nul(request.COOKIES.values()):
        return True
    headers = (v for k, v in request.META.items() if k.startswith("HTTP_") and isinstance(v, str))
    if _has_nul(headers):
        return True
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        if _query_dict_has_nul(request.POST):
            return True
        names = (upload.name or "" for uploads in request.FILES.lists() for upload in uploads[1])
        if _has_nul(request.FILES) or _has_nul(names):
            return True
    return False


class RejectNulMiddleware:
    """400 for a request that carries a NUL byte anywhere a view could read it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if carries_nul(request):
            return HttpResponseBadRequest(
                _(
                    "The request contains a character that is not allowed (a NUL byte). "
                    "Please check the address or the form input."
                ),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def is_key_of(model: type[models.Model], value: str) -> bool:
    """Whether ``value`` (as the admin quotes it in a URL) can be a primary key of ``model``."""
    pk = model._meta.pk
    try:
        key = pk.to_python(unquote(value))
    except (ValidationError, ValueError, TypeError):
        return False
    target = pk.target_field if pk.is_relation else pk
    if isinstance(target, models.IntegerField | models.AutoField):
        return parse_id(key) is not None
    return True


class MalformedObjectIdMiddleware:
    """404 for an admin object page whose id cannot exist (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        model_admin = getattr(view_func, "model_admin", None)
        # Only for those the admin lets in: everyone else is sent to its login as usual.
        if model_admin is None or not model_admin.admin_site.has_permission(request):
            return None
        object_id = view_kwargs.get("object_id")
        if object_id is not None and not is_key_of(model_admin.model, object_id):
            raise Http404
        version_id = view_kwargs.get("version_id")
        if version_id is not None and parse_id(version_id) is None:
            raise Http404
        return None


class NoStoreForSignedInMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in person."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
        return response
