"""The report as a PDF for the sitting and as a CSV for Excel, always in German.

Both build the suppressed ``Report`` themselves, under German, so that every label (some
are worded while the figures are computed) reads the same whatever the reader's
interface language, like the conferences' protocols.
"""

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from common.export import csv_text
from common.pdf import render_pdf
from cooperation.models import Cooperation

from .charts import chart_svg
from .figures import DAYS, MEDIAN_LABEL, HalfYear, Report, build_report

LANGUAGE = "de"
CSV_HEADERS = [
    _("Cooperation"),
    _("Half-year"),
    _("Reference day"),
    _("Section"),
    _("Row"),
    _("Column"),
    _("Value"),
]


def charts(report: Report, prefix: str = "chart") -> list[tuple]:
    """Each table with its chart, in the report's order."""
    return [
        (table, chart_svg(table, f"{prefix}-{table.key}", str(table.explanation)))
        for table in report.tables
    ]


def report_pdf(cooperation: Cooperation, period: HalfYear) -> bytes:
    """The statistics of ``period`` for the committee's sitting."""

    def context() -> dict:
        report = build_report(cooperation, period)
        return {
            "report": report,
            "sections": charts(report),
            "median_label": MEDIAN_LABEL,
            "created": timezone.localtime(),
        }

    with translation.override(LANGUAGE):
        title = f"Statistik für das Kooperationsgremium: {period.label}"
    return render_pdf(
        "reports/report_pdf.html",
        context,
        language=LANGUAGE,
        title=title,
        author=cooperation.name,
    )


def report_csv(cooperation: Cooperation, period: HalfYear) -> str:
    """One line per figure: cooperation, half-year, reference day, section, row, column,
    value (``<5`` where suppressed). No totals, as on the page."""
    with translation.override(LANGUAGE):
        report = build_report(cooperation, period)
        common = [
            report.cooperation.name,
            str(report.period.label),
            report.reference_day.strftime("%d.%m.%Y"),
        ]
        rows = [[str(header) for header in CSV_HEADERS]]
        for table in report.tables:
            for line in table.lines:
                for column, cell in zip(table.columns, line.cells, strict=True):
                    rows.append([*common, table.title, line.label, column, cell.text])
            if table.key == "conferences":
                median = report.median_interval
                value = median.value if median.value is not None else median.text
                rows.append([*common, table.title, MEDIAN_LABEL, DAYS, value])
        return csv_text([[str(value) for value in row] for row in rows])
