"""The data-protection officer's access log across cases: filter, page, export."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from common.access import require
from common.export import csv_text
from common.http import content_disposition, no_store

from ..audit import AccessLogFilterForm, export_rows
from ..models import AccessLog
from ..permissions import access_logs_visible_to, may_look_up_access_logs

PAGE_SIZE = 50
FILTERS = ("reference", "person", "institution", "user", "date_from", "date_to")


@login_required
@require_GET
def access_log_lookup(request: HttpRequest) -> HttpResponse:
    """Who read which case, when: filtered, paginated, and as CSV (``?export=csv``).

    Every page and every export is itself a read of the log and is logged; both name
    references, staff and institutions, never a family.
    """
    user = request.user
    require(may_look_up_access_logs(user))
    bound = any(request.GET.get(name) for name in FILTERS)
    form = AccessLogFilterForm(request.GET if bound else None, reader=user)
    entries = access_logs_visible_to(user).select_related("user", "institution", "case")
    valid = not bound or form.is_valid()
    if bound and valid:
        entries = form.filter(entries)
    entries = entries.order_by("-at", "-pk")
    if valid and request.GET.get("export") == "csv":
        AccessLog.record(user, AccessLog.What.ACCESS_LOG_EXPORT, form.case)
        response = HttpResponse(
            csv_text(export_rows(entries)), content_type="text/csv; charset=utf-8"
        )
        filename = f"zugriffsprotokoll-{timezone.localdate():%Y%m%d}.csv"
        response["Content-Disposition"] = content_disposition(filename, attachment=True)
        return no_store(response)
    page = None
    if valid:
        # Recorded first, so that the page and its count agree: this read is the newest.
        AccessLog.record(user, AccessLog.What.ACCESS_LOG, form.case)
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return no_store(
        render(
            request,
            "cases/access_log_lookup.html",
            {"form": form, "page": page, "case": form.case, "filtered": bound and valid},
        )
    )
