"""The task that renders the statistics PDF of a finished half-year once.

A finished half-year's figures are stored (``StoredFigures``) and never change, so its
PDF is rendered by a worker once, kept beside them with its SHA-256 and served as a
file: charts (matplotlib) and WeasyPrint never run inside a request for it. The running
half-year's PDF is rendered on demand, by a worker too, and kept under the fingerprint
of the figures it shows (``RunningReportPdf``).
"""

import hashlib
import json
from dataclasses import asdict

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from common.pending import store_pdf
from cooperation.models import Cooperation

from . import documents
from .figures import HalfYear, figures_of
from .models import RunningReportPdf, StoredFigures


@task()
def render_report(cooperation_id: int, period: str) -> str:
    """Count (if not yet stored) and render the half-year ``period`` ("2026-1")."""
    half_year = HalfYear.parse(period)
    if half_year.end >= timezone.localdate():
        return "not finished"
    cooperation = Cooperation.objects.get(pk=cooperation_id)
    figures_of(cooperation, half_year)  # stores the counts first
    if (
        StoredFigures.objects.filter(cooperation=cooperation, period=period)
        .exclude(pdf="")
        .exists()
    ):
        return "stored already"
    content = documents.report_pdf(cooperation, half_year)
    with transaction.atomic():
        stored = StoredFigures.objects.select_for_update().get(
            cooperation=cooperation, period=period
        )
        if stored.pdf:
            return "stored already"
        stored.sha256 = store_pdf(stored.pdf, f"statistik-{cooperation.code}-{period}.pdf", content)
        stored.save(update_fields=["pdf", "sha256"])
    return "stored"


def running_fingerprint(cooperation: Cooperation, period: HalfYear) -> str:
    """The SHA-256 of the running half-year's counts and reference day: equal exactly
    when a PDF rendered now would show the same figures."""
    today = timezone.localdate()
    counts = asdict(figures_of(cooperation, period, today))
    payload = json.dumps({"day": today.isoformat(), "counts": counts}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@task()
def render_running_report(cooperation_id: int, period: str) -> str:
    """Render the running half-year as its figures stand now; older renderings of it
    are removed (they show figures that no longer hold)."""
    half_year = HalfYear.parse(period)
    cooperation = Cooperation.objects.get(pk=cooperation_id)
    fingerprint = running_fingerprint(cooperation, half_year)
    mine = RunningReportPdf.objects.filter(cooperation=cooperation, period=period)
    if mine.filter(fingerprint=fingerprint).exists():
        return "stored already"
    content = documents.report_pdf(cooperation, half_year)
    document = RunningReportPdf(cooperation=cooperation, period=period, fingerprint=fingerprint)
    document.sha256 = store_pdf(
        document.pdf, f"statistik-{cooperation.code}-{period}-{fingerprint[:12]}.pdf", content
    )
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.pdf.delete(save=False)
        return "stored already"
    for older in mine.exclude(pk=document.pk):
        older.pdf.delete(save=False)
        older.delete()
    return "stored"
