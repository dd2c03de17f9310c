"""What the refresh writes is meant to be printed: print setup on every report sheet, one
named font, numbers right-aligned, no filter buttons on small tables; and LibreOffice, a
real client, prints Fees 2016 for 100 members on at most 3 pages, at 7 pt or more."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import openpyxl
import pytest

from wego_xl.app.report import FEES_PRINTED
from wego_xl.excel.writers import refresh_file
from wego_xl.store.xlsx import FONT_NAME, FONT_SIZE

from ..conftest import require_program

REPORT_SHEETS = ("Summary", "Fees 2016", "Checks")


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory) -> Path:
    from wego_xl.store.package import SHIPPED_ROSTER

    out = tmp_path_factory.mktemp("print") / "roster_2016.xlsx"
    refresh_file(SHIPPED_ROSTER, 2016, out)
    return out


def test_every_report_sheet_has_a_print_setup(refreshed):
    wb = openpyxl.load_workbook(refreshed)
    for name in REPORT_SHEETS:
        ws = wb[name]
        assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4) and ws.page_setup.scale
        assert f"WeGO — {name}" in ws.oddHeader.center.text
        assert "Page &P of &N" in ws.oddFooter.right.text and "fee year 2016, written" in ws.oddFooter.left.text
    fees = wb["Fees 2016"]
    assert fees.print_title_rows == "$1:$1" and fees.page_setup.orientation == "landscape"
    assert fees.freeze_panes == "D2"  # the id and both names stay in view with the header row
    assert fees.print_area is not None and fees.print_area.endswith("$I$101") and FEES_PRINTED == 9
    assert [c.value for c in fees[1]][:6] == ["Member ID", "English name", "Korean name", "Membership", "Fee owed",
                                            "Amount owed (USD)"]  # fmt: skip
    assert fees.page_setup.scale * FONT_SIZE / 100 >= 7  # text of 7 pt or more on paper


def test_one_named_font_and_numbers_right_aligned(refreshed):
    wb = openpyxl.load_workbook(refreshed)
    for name in REPORT_SHEETS:
        for row in wb[name].iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == FONT_NAME, (name, cell.coordinate)
    fees = wb["Fees 2016"]
    header = {c.value: c for c in fees[1]}
    for column in ("Amount owed (USD)", "Population", "Invoiced (USD)"):
        assert header[column].alignment.horizontal == "right"
        assert fees.cell(2, header[column].column).alignment.horizontal == "right"
    assert header["English name"].alignment.horizontal == "left"


def test_small_summary_tables_have_no_filter_buttons(refreshed):
    wb = openpyxl.load_workbook(refreshed)
    assert not wb["Summary"].tables  # plain ranges styled as tables
    assert "WeGO_Fees_2016" in wb["Fees 2016"].tables and "WeGO_Checks" in wb["Checks"].tables


def test_widths_fit_hangul():
    from wego_xl.app.report import display_width

    assert display_width("서울") == 4 and display_width("Seoul") == 5
    assert display_width("바라트퍼 서브메트로폴리탄") == 25


@pytest.mark.parametrize(("language", "header", "last_page"), [
    ("en", "Member ID", "Page {n} of {n}"),
    ("ko", "회원 ID", "{n} / {n}쪽"),
])  # fmt: skip
def test_libreoffice_prints_the_fee_list_on_at_most_three_pages(refreshed, tmp_path, language, header, last_page):
    soffice = require_program("soffice", "libreoffice-calc")
    pdfinfo = require_program("pdfinfo", "poppler-utils")
    if language != "en":
        from wego_xl.store.package import SHIPPED_ROSTER

        refreshed = tmp_path / "ko.xlsx"
        refresh_file(SHIPPED_ROSTER, 2016, refreshed, language=language)
    wb = openpyxl.load_workbook(refreshed)
    for other in [n for n in wb.sheetnames if n != "Fees 2016"]:
        wb.remove(wb[other])
    only = tmp_path / "fees.xlsx"
    wb.save(only)
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(only)], check=True,
                   capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})  # fmt: skip
    info = subprocess.run([pdfinfo, str(tmp_path / "fees.pdf")], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 2 <= pages <= 3, pages  # 101 rows: more than one page, never a column cut onto another page
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "fees.pdf"), "-"], capture_output=True, text=True
    ).stdout
    squeezed = "".join(text.split())  # pdftotext spaces Hangul from Latin letters by the glyphs' places
    assert squeezed.count("".join(header.split())) == pages  # the header row repeated on every page
    assert squeezed.count("".join(last_page.format(n=pages).split())) == 1


def test_no_label_of_the_finance_workbook_is_cut_off():
    """A text cell with a value to its right must fit its column (or wrap): Fees!C3
    "Fee cells that failed" and the note in Fees!A4 were cut off."""
    from wego_xl.app.report import display_width
    from wego_xl.store.package import SHIPPED_FINANCE

    wb = openpyxl.load_workbook(SHIPPED_FINANCE, keep_vba=True)
    for ws in wb.worksheets:
        merged = {cell for rng in ws.merged_cells.ranges for row in ws.iter_rows(
            min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col) for cell in row}  # fmt: skip
        for row in ws.iter_rows(min_row=1, max_row=12):
            for cell in row:
                text = cell.value
                if not isinstance(text, str) or text.startswith("=") or (cell in merged and cell.alignment.wrap_text):
                    continue
                right = ws.cell(cell.row, cell.column + 1).value
                if right is None and cell.column < ws.max_column:
                    continue  # runs on into the empty cell, as Excel shows it
                width = ws.column_dimensions[cell.column_letter].width or 8.43
                needed = display_width(text) * (1.15 if cell.font.bold else 1.0)
                assert needed <= width, f"{ws.title}!{cell.coordinate} {text!r}: {needed:.0f} > {width}"
    calculator = wb["Calculator"]
    assert calculator["C7"].number_format == "#,##0" and wb["Fees"]["A4"].alignment.wrap_text


def test_every_sheet_of_the_shipped_roster_prints():
    """The roster's own sheets print on A4 with their header row on every page; a wide list
    (Members, GDP, History) at 80 % across pages, its id and names repeated on each."""
    from wego_xl.store.package import SHIPPED_ROSTER

    wb = openpyxl.load_workbook(SHIPPED_ROSTER)
    for ws in wb.worksheets:
        assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4) and ws.page_setup.scale >= 70, ws.title
        assert f"WeGO — {ws.title}" in ws.oddHeader.center.text and "Page &P of &N" in ws.oddFooter.right.text
    assert wb["Members"].print_title_rows == "$1:$1" and wb["Members"].print_title_cols == "$A:$C"
    assert wb["About"].print_title_rows == "$3:$3"  # the sheet table's header, under the Language cell
