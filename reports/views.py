"""The committee's half-yearly statistics: a page with charts, a PDF and a CSV.

Each view asks ``permissions`` whose report the reader may see (403 for anybody else) and
shows nothing but ``figures.build_report``'s suppressed figures.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from common.http import content_disposition, pdf_response
from cooperation.models import Cooperation

from . import documents
from .figures import MEDIAN_LABEL, HalfYear, Report, build_report
from .permissions import get_report_for_user_or_403

# Half-years offered in the selector; older ones are reachable by URL.
CHOICES = 8
FIRST_YEAR = 2000


def _period(request: HttpRequest) -> HalfYear:
    """``?halbjahr=2026-2``; the current half-year without it. 404 for anything else,
    and for half-years that have not begun."""
    current = HalfYear.containing(timezone.localdate())
    value = request.GET.get("halbjahr")
    if value is None:
        return current
    try:
        period = HalfYear.parse(value)
    except ValueError:
        raise Http404 from None
    if period > current or period.year < FIRST_YEAR:
        raise Http404
    return period


def _report(request: HttpRequest) -> Report:
    cooperation = get_report_for_user_or_403(request.user).cooperation
    return build_report(cooperation, _period(request))


def _filename(cooperation: Cooperation, period: HalfYear, suffix: str) -> str:
    return f"statistik-{cooperation.code}-{period}.{suffix}"


@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    report = _report(request)
    current = HalfYear.containing(timezone.localdate())
    periods = [current]
    while len(periods) < CHOICES:
        periods.append(periods[-1].previous())
    if report.period not in periods:
        periods.append(report.period)
    return render(
        request,
        "reports/report.html",
        {
            "report": report,
            "sections": documents.charts(report),
            "periods": periods,
            "is_running": report.reference_day < report.period.end,
            "median_label": MEDIAN_LABEL,
        },
    )


@login_required
@require_GET
def report_pdf(request: HttpRequest) -> HttpResponse:
    cooperation = get_report_for_user_or_403(request.user).cooperation
    period = _period(request)
    pdf = documents.report_pdf(cooperation, period)
    return pdf_response(pdf, filename=_filename(cooperation, period, "pdf"), family_data=False)


@login_required
@require_GET
def report_csv(request: HttpRequest) -> HttpResponse:
    cooperation = get_report_for_user_or_403(request.user).cooperation
    period = _period(request)
    content = documents.report_csv(cooperation, period)
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(
        _filename(cooperation, period, "csv"), attachment=True
    )
    return response
