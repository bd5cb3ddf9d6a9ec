"""CSV cells that a spreadsheet would run as a formula are neutralised."""

import csv
import io

import pytest

from common.export import BOM, csv_cell, csv_text


@pytest.mark.parametrize(
    "value", ["=SUMME(A1:A9)", "+49 2452 13-0", "-1+1", "@cmd", "\t=1+1", "\r=1+1"]
)
def test_a_cell_a_spreadsheet_would_compute_starts_with_an_apostrophe(value):
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Caritas", "<5", "12", "a=b", " =1", ""])
def test_other_cells_stay_as_they_are(value):
    assert csv_cell(value) == value


def test_the_file_is_excel_csv_with_bom_semicolons_and_crlf():
    text = csv_text([["Halbjahr", "Wert"], ["1. Halbjahr 2026", "\t=HYPERLINK(1)"]])
    assert text.startswith(BOM)
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM)), delimiter=";"))
    assert rows == [["Halbjahr", "Wert"], ["1. Halbjahr 2026", "'\t=HYPERLINK(1)"]]
