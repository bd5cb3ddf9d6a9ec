"""Spreadsheet exports (CSV) that Excel and LibreOffice open safely."""

import csv
import io
from collections.abc import Iterable

# Excel opens a UTF-8 file as UTF-8 only with the byte order mark, and splits German
# CSV files at semicolons.
BOM = "\ufeff"
DELIMITER = ";"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection);
# TAB and CR are read as the start of a cell too, so a formula can hide behind them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """The cell as text, with a leading apostrophe where a spreadsheet would compute it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Iterable]) -> str:
    """Rows as German Excel CSV: BOM, semicolons, CRLF, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return BOM + buffer.getvalue()
