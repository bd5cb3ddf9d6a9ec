"""The report as a PDF for the sitting (PDF/A, A4, German) and as a CSV for Excel.

Both are built from the suppressed ``Report`` only, in German whatever the reader's
interface language, like the conferences' protocols.
"""

import csv
import io

from django.template.loader import render_to_string
from django.utils import timezone

from .charts import chart_svg
from .figures import DAYS, MEDIAN_LABEL, Report

# PDF/A-3b as for the protocols (conferences.documents): archival, fonts embedded.
PDF_VARIANT = "pdf/a-3b"
# Excel opens a UTF-8 file as UTF-8 only with the byte order mark, and splits German
# CSV files at semicolons.
BOM = "\ufeff"
DELIMITER = ";"


def charts(report: Report, prefix: str = "chart") -> list[tuple]:
    """Each table with its chart, in the report's order."""
    return [
        (table, chart_svg(table, f"{prefix}-{table.key}", str(table.explanation)))
        for table in report.tables
    ]


def report_pdf(report: Report, base_url: str) -> bytes:
    """Render under ``translation.override("de")``: the labels are translated lazily."""
    from weasyprint import HTML

    html = render_to_string(
        "reports/report_pdf.html",
        {
            "report": report,
            "sections": charts(report),
            "median_label": MEDIAN_LABEL,
            "created": timezone.localtime(),
        },
    )
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant=PDF_VARIANT)


def _cell(value) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula; ours never should.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def report_csv(report: Report, headers: list[str]) -> str:
    """One line per figure: cooperation, half-year, reference day, section, row, column,
    value (``<5`` where suppressed). No totals, as on the page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(headers)
    common = [
        report.cooperation.name,
        report.period.label,
        report.reference_day.strftime("%d.%m.%Y"),
    ]
    for table in report.tables:
        for line in table.lines:
            for column, cell in zip(table.columns, line.cells, strict=True):
                writer.writerow(
                    [_cell(v) for v in (*common, table.title, line.label, column, cell.text)]
                )
        if table.key == "conferences":
            median = report.median_interval
            value = median.value if median.value is not None else median.text
            row = (*common, table.title, MEDIAN_LABEL, DAYS, value)
            writer.writerow([_cell(v) for v in row])
    return BOM + buffer.getvalue()
