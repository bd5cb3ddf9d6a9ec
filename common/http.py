"""File and PDF responses: a proper file name, caching that fits the content.

Anything with family data is ``Cache-Control: private, no-store``: no proxy, no browser
cache and no "back" button keeps a copy (BSI, and the access log would not see a cached
read). Immutable documents with a stored SHA-256 get it as their ETag, so a client that
has the file gets a 304 instead of the bytes again.
"""

from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import quote_etag

NO_STORE = "private, no-store"


def no_store(response: HttpResponse) -> HttpResponse:
    """Mark ``response`` as never to be stored anywhere."""
    response["Cache-Control"] = NO_STORE
    return response


def content_disposition(filename: str, *, attachment: bool = False) -> str:
    """``inline``/``attachment`` with an ASCII fallback and the RFC 6266 UTF-8 name."""
    kind = "attachment" if attachment else "inline"
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    if ascii_name == filename:
        return f'{kind}; filename="{filename}"'
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _not_modified(request: HttpRequest | None, etag: str | None) -> bool:
    if request is None or etag is None:
        return False
    asked = request.headers.get("If-None-Match", "")
    return any(tag.strip() in (etag, f"W/{etag}", "*") for tag in asked.split(","))


def _finish(response, *, filename, attachment, family_data, etag) -> HttpResponse:
    response["Content-Disposition"] = content_disposition(filename, attachment=attachment)
    response["X-Content-Type-Options"] = "nosniff"
    if etag:
        response["ETag"] = etag
    if family_data:
        no_store(response)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response


def file_response(
    file,
    *,
    filename: str,
    content_type: str,
    family_data: bool,
    request: HttpRequest | None = None,
    sha256: str | None = None,
    attachment: bool = False,
) -> HttpResponse:
    """Serve an open file. ``sha256`` (the stored checksum of an immutable file) becomes
    the ETag, and a matching ``If-None-Match`` a 304 without reading the file."""
    etag = quote_etag(sha256) if sha256 else None
    if _not_modified(request, etag):
        file.close()
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return no_store(response) if family_data else response
    response = FileResponse(file, content_type=content_type)
    return _finish(
        response, filename=filename, attachment=attachment, family_data=family_data, etag=etag
    )


def pdf_response(
    pdf: bytes,
    *,
    filename: str,
    family_data: bool,
    request: HttpRequest | None = None,
    sha256: str | None = None,
    attachment: bool = False,
) -> HttpResponse:
    """Serve PDF bytes (rendered now, or read from storage with their ``sha256``)."""
    etag = quote_etag(sha256) if sha256 else None
    if _not_modified(request, etag):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return no_store(response) if family_data else response
    response = HttpResponse(pdf, content_type="application/pdf")
    return _finish(
        response, filename=filename, attachment=attachment, family_data=family_data, etag=etag
    )
