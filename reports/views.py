"""The committee's half-yearly statistics: a page with charts, a PDF and a CSV.

Each view asks ``permissions`` whose report the reader may see (403 for anybody else) and
shows nothing but ``figures.build_report``'s suppressed figures.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.http import content_disposition
from common.pending import enqueue_on_commit, is_poll, pending_response, stored_pdf_response
from cooperation.models import Cooperation

from . import documents, tasks
from .figures import MEDIAN_LABEL, HalfYear, Report, build_report
from .models import RunningReportPdf, StoredFigures
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
    finished = report.period.end < timezone.localdate()
    if (
        finished
        and not StoredFigures.objects.filter(
            cooperation=report.cooperation, period=str(report.period), sha256__gt=""
        ).exists()
    ):
        # The half-year is over: its PDF is rendered once, by a worker, before anyone
        # asks for it (build_report has just stored its figures).
        enqueue_on_commit(tasks.render_report, report.cooperation.pk, str(report.period))
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
    """The stored PDF, or "being created" while a worker renders it: a finished
    half-year once, the running one once per state of its figures. No request renders."""
    cooperation = get_report_for_user_or_403(request.user).cooperation
    period = _period(request)
    filename = _filename(cooperation, period, "pdf")
    if period.end >= timezone.localdate():
        # Running: rendered on demand by a worker, kept while the figures stay the same.
        fingerprint = tasks.running_fingerprint(cooperation, period)
        stored = RunningReportPdf.objects.filter(
            cooperation=cooperation, period=str(period), fingerprint=fingerprint
        ).first()
        task = tasks.render_running_report
    else:
        stored = (
            StoredFigures.objects.filter(cooperation=cooperation, period=str(period))
            .exclude(pdf="")
            .first()
        )
        task = tasks.render_report
    ready = stored is not None
    if ready and not is_poll(request):
        return stored_pdf_response(request, stored.pdf, sha256=stored.sha256, filename=filename)
    if not ready and not is_poll(request):
        enqueue_on_commit(task, cooperation.pk, str(period))
    return pending_response(
        request,
        ready=ready,
        title=_("Statistics of %(period)s as PDF") % {"period": period.label},
        label=_("Download the PDF"),
        back_url=f"{reverse('reports:report')}?halbjahr={period}",
    )


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
