"""The refresh through an open xlwings Book: classic Excel, xlwings Lite and Server.

Works on any ``xw.Book`` (a real workbook, or ``xw.Book(json=...)`` under Server and
Lite, whose changes go back to Excel as actions). Writes the same report, cell for cell,
as the headless writer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .refresh import Report, build_report
from .roster import load_roster

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
