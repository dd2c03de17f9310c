"""The two refresh writers: the same report, cell for cell, into

* a workbook file, with openpyxl (headless: ``wego-xl refresh``), through the one safe save;
* an open xlwings Book: classic Excel, xlwings Lite and Server (``xw.Book(json=...)``,
  whose changes go back to Excel as actions).

Only the report's sheets (Summary, Fees YYYY, Checks) are replaced; everything else in
the workbook stays as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import FileError
from ..workbook.package import refuse_packaged
from ..workbook.report import Report, build_report
from ..workbook.roster import load_roster, read_roster
from ..workbook.xlsx import check_not_open, open_workbook, save_atomically, write_cell, write_table

FEE_YEAR_NAME = "FeeYear"
_FORMULA_START = ("=", "+", "-", "@")


def excel_text(value: Any) -> Any:
    """Text that Excel would read as a formula gets the ' prefix, so it stays text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def characters_to_points(characters: float) -> float:
    """A column width in characters of the default font (Calibri 11: 7 pixels a character
    and 5 pixels of padding, 0.75 points a pixel) as points, which Office.js uses."""
    return round((characters * 7 + 5) * 0.75, 2)


# ---------------------------------------------------------------------------------------
# An open xlwings Book
# ---------------------------------------------------------------------------------------


def fee_year_of(book) -> int:
    """The fee year named ``FeeYear`` in the workbook, else the current calendar year."""
    for name in book.names:
        if name.name == FEE_YEAR_NAME:
            value = name.refers_to_range.value
            if value not in (None, ""):
                return int(value)
    return dt.date.today().year


def write_report_book(book, report: Report) -> None:
    """Replace (or add) the report's sheets in an xlwings Book; touch nothing else."""
    for sheet in report.sheets:
        existing = [s.name for s in book.sheets]
        position = existing.index(sheet.name) if sheet.name in existing else None
        if position is not None:
            book.sheets[sheet.name].delete()  # tables, formats and all: replaced whole
        if position == 0:
            ws = book.sheets.add(sheet.name, before=book.sheets[0])
        elif position is not None:  # the same place as before ("after", as xlwings 0.37.8's
            # remote engine inserts one place too early with "before" past the first sheet)
            ws = book.sheets.add(sheet.name, after=book.sheets[position - 1])
        else:
            ws = book.sheets.add(sheet.name, after=book.sheets[len(book.sheets) - 1])
        grid, placed = sheet.layout()
        ws["A1"].value = [[excel_text(v) for v in row] for row in grid]
        for r in sheet.title_rows():
            ws.range((r + 1, 1)).font.bold = True
        for block, top in placed:
            n_rows = len(block.rows) + 1
            rng = ws.range((top + 1, 1), (top + n_rows, len(block.headers)))
            ws.tables.add(rng, name=block.table)
            for c, header in enumerate(block.headers, start=1):
                fmt = block.formats.get(header)
                if fmt and block.rows:
                    ws.range((top + 2, c), (top + n_rows, c)).number_format = fmt
        if len(placed) == 1:  # one table from the top: keep its header row in view
            ws.freeze_panes.freeze_at(f"{placed[0][1] + 1}:{placed[0][1] + 1}")
        in_points = book.app.engine.type == "remote"  # Office.js measures widths in points
        for c, width in enumerate(sheet.column_widths(), start=1):  # as the headless writer
            ws.range((1, c)).column_width = characters_to_points(width) if in_points else width


def refresh_book(book, fee_year: object | None = None) -> Report:
    """Assess every member and write Summary, Fees YYYY and Checks into ``book``."""
    year = fee_year if fee_year is not None else fee_year_of(book)
    report = build_report(load_roster(), year)
    write_report_book(book, report)
    return report


# ---------------------------------------------------------------------------------------
# Headless: a workbook file, with openpyxl
# ---------------------------------------------------------------------------------------


def write_report_openpyxl(wb, report: Report) -> None:
    """Replace (or add) the report's sheets in an openpyxl workbook; touch nothing else."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    for sheet in report.sheets:
        if sheet.name in wb.sheetnames:
            index = wb.sheetnames.index(sheet.name)
            wb.remove(wb[sheet.name])
            ws = wb.create_sheet(sheet.name, index)
        else:
            ws = wb.create_sheet(sheet.name)
        grid, placed = sheet.layout()
        for r in sheet.title_rows():
            write_cell(ws, r + 1, 1, grid[r][0]).font = bold
        for block, top in placed:
            write_table(
                ws,
                block.headers,
                block.rows,
                name=block.table,
                top=top + 1,
                number_formats=block.formats,
                freeze=len(placed) == 1,
            )
        for c, width in enumerate(sheet.column_widths(), start=1):
            ws.column_dimensions[get_column_letter(c)].width = width


def refresh_file(
    source: Path,
    fee_year: object,
    out: Path | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    before_replace: Callable[[Path], None] | None = None,
) -> tuple[Report, Path]:
    """Refresh the roster workbook ``source`` for ``fee_year`` into ``out`` (default: in place).

    Refuses, changing nothing, while Excel holds the target open; writes atomically and
    keeps the previous version as ``NAME.bak.xlsx``.
    """
    source = Path(source)
    target = Path(out) if out else source
    refuse_packaged(target)
    if target.suffix.lower() != source.suffix.lower():
        raise FileError(f"--out must keep the workbook's type ({source.suffix}), got {target.name}")
    check_not_open(source)
    check_not_open(target)
    roster = read_roster(source)
    report = build_report(roster, fee_year, progress=progress)
    wb = open_workbook(source, for_writing=True)
    write_report_openpyxl(wb, report)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(f"could not create the folder {target.parent}: {exc.strerror or exc}") from None
    save_atomically(wb, target, before_replace=before_replace)
    return report, target
