"""The two refresh writers: the same report, cell for cell, into

* a workbook file, with openpyxl (headless: ``wego-xl refresh``), through the one safe save;
* an open xlwings Book: classic Excel, xlwings Lite and Server (``xw.Book(json=...)``,
  whose changes go back to Excel as actions).

Only the report's sheets (Summary, Fees YYYY, Checks) are replaced; everything else in
the workbook stays as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..app.report import Report, build_report, check_report_sheet_names, report_sheet_names
from ..errors import FileError, WegoError
from ..ledger.store import LedgerError, LedgerStore, is_url, ledger_location, open_ledger
from ..messages import say
from ..rules.dates import from_excel_day
from ..rules.inputs import read_fee_year
from ..store.roster import Roster, load_roster, read_roster
from ..store.saving import SaveResult, WorkbookUpdate
from ..store.xlsx import FONT_NAME, FONT_SIZE, print_setup, write_cell, write_table

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
    check_report_sheet_names([s.name for s in book.sheets], [sheet.name for sheet in report.sheets])
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
            if block.as_table:
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
        for r, height in sheet.row_heights().items():  # in points everywhere
            ws.range((r + 1, 1)).row_height = height


def refresh_book(book, fee_year: object | None = None) -> Report:
    """Assess every member and write Summary, Fees YYYY and Checks into ``book``."""
    year = fee_year if fee_year is not None else fee_year_of(book)
    roster = load_roster()
    store = _ledger_of(roster)
    report = build_report(roster, year, ledger=store.load() if store else None)  # in the About sheet's Language
    write_report_book(book, report)
    return report


# ---------------------------------------------------------------------------------------
# Headless: a workbook file, with openpyxl
# ---------------------------------------------------------------------------------------


def write_report_openpyxl(wb, report: Report) -> None:
    """Replace (or add) the report's sheets in an openpyxl workbook; touch nothing else."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    title_font = Font(name=FONT_NAME, size=FONT_SIZE + 1, bold=True)
    check_report_sheet_names(wb.sheetnames, [sheet.name for sheet in report.sheets])
    for sheet in report.sheets:
        if sheet.name in wb.sheetnames:
            index = wb.sheetnames.index(sheet.name)
            wb.remove(wb[sheet.name])
            ws = wb.create_sheet(sheet.name, index)
        else:
            ws = wb.create_sheet(sheet.name)
        grid, placed = sheet.layout()
        for r in sheet.title_rows():
            write_cell(ws, r + 1, 1, grid[r][0]).font = title_font
        for block, top in placed:
            write_table(
                ws,
                block.headers,
                block.rows,
                name=block.table,
                top=top + 1,
                number_formats=block.formats,
                freeze=False,
                as_table=block.as_table,
                numeric=[h for h in block.headers if block.numeric(h)],
            )
        for c, width in enumerate(sheet.column_widths(), start=1):
            ws.column_dimensions[get_column_letter(c)].width = width
        for r, height in sheet.row_heights().items():  # wrapped headers: every line shown
            ws.row_dimensions[r + 1].height = height
        single = placed[0][1] + 1 if len(placed) == 1 else None
        if single is not None:  # one table from the top: its header row and identity columns stay in view
            ws.freeze_panes = ws.cell(row=single + 1, column=sheet.printing.frozen_columns + 1)
        title = sheet.title or sheet.name
        print_setup(
            ws,
            title=title,
            note=f"{title}, {sheet.footer_note}" if sheet.footer_note else title,
            page=say("sheet.page", report.language),
            header_row=single,
            landscape=sheet.printing.landscape,
            printed_columns=sheet.printing.printed_columns,
            last_row=len(grid),
            fit_width=sheet.printing.fit_width,
        )


def refresh_file(
    source: Path,
    fee_year: object,
    out: Path | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    before_replace: Callable[[Path], None] | None = None,
    language: str | None = None,
) -> tuple[Report, SaveResult]:
    """Refresh the roster workbook ``source`` for ``fee_year`` into ``out`` (default: in place),
    through the one write path (:mod:`wego_xl.store.saving`): locked, checked, atomic,
    backed up. ``dry_run`` computes the report and says what would change; nothing is written.
    ``language`` ("en", "ko") overrides the roster's About sheet Language cell."""
    source = Path(source)
    if out is not None and Path(out).suffix.lower() != source.suffix.lower():
        raise FileError(f"--out must keep the workbook's type ({source.suffix}), got {Path(out).name}")
    year = read_fee_year(fee_year)
    names = set(report_sheet_names(year))
    with WorkbookUpdate(source, command="refresh", replaces=names, out=out, before_replace=before_replace) as update:
        roster = read_roster(update.source)
        book = _book_of(roster)
        report = build_report(roster, year, progress=progress, ledger=book, language=language)
        wb = update.open()
        write_report_openpyxl(wb, report)
        saved = update.save(wb, dry_run=dry_run)
    if book is not None and book.invoices and not dry_run and out is None:
        from ..ledger.views import VIEW_NAME, write_view

        write_view(roster, book, source.with_name(VIEW_NAME), dt.date.today())  # the ledger's view, beside
    return report, saved


def invoiced_in_ledger(roster: Roster, fee_year: int) -> Any:
    """The roster's ledger as it stands (None without one): what ``check`` and the refresh
    compare today's fees and membership with (``fee_year`` is kept for the callers)."""
    return _book_of(roster)


def _book_of(roster: Roster) -> Any:
    """The roster's ledger as it stands, or None when it has none."""
    store = _ledger_of(roster)
    return store.load() if store else None


def _ledger_of(roster: Roster) -> LedgerStore | None:
    """The roster's ledger, if it has one (none beside the packaged roster, none made yet)."""
    try:
        location = ledger_location(roster.path)
    except LedgerError:
        return None
    if not is_url(location) and not Path(location).exists():
        return None
    return open_ledger(location)


INVOICING_SHEET = "Invoicing"


def invoice_book(book: Any, fee_year: object | None = None, user: str | None = None) -> Any:
    """The invoicing run from Excel: issue the fee year's invoices into the ledger beside the
    roster (inputs nobody confirmed are skipped, as the command does without
    --accept-unconfirmed), due after the Settings sheet's Payment days, and write what was
    done on an Invoicing sheet of ``book``."""
    from ..app.settings import payment_days
    from ..ledger.service import actor, issue_invoices

    year = read_fee_year(fee_year if fee_year is not None else fee_year_of(book))
    roster = load_roster()
    store = open_ledger(ledger_location(roster.path))
    plan = issue_invoices(store, roster, year, dt.date.today(), payment_days(roster.settings),
                          by=actor("Excel script invoice_fee_year", user))  # fmt: skip
    rows: list[list[Any]] = [["What", "Member or invoice", "Amount (USD) or reason"]]
    rows += [["issued", r["Invoice number"], float(r["Amount (USD)"])] for r in plan.new]
    rows += [["skipped", who, why.text(roster.language)] for who, why in plan.skipped.items()]
    rows += [["changed since invoiced", who, what.text(roster.language)] for who, what in plan.changed.items()]
    rows += [["stands as issued", number, None] for number in plan.already]
    _replace_sheet(book, INVOICING_SHEET, rows)
    return plan


def _replace_sheet(book: Any, name: str, rows: list[list[Any]]) -> Any:
    names = [s.name for s in book.sheets]
    if name in names:
        book.sheets[name].delete()
    ws = book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
    ws["A1"].value = [[excel_text(v) for v in row] for row in rows]
    ws.range((1, 1), (1, len(rows[0]))).font.bold = True
    return ws


POSTING_SHEET = "Posting"


def post_payments_book(book: Any, user: str | None = None) -> list[Any]:
    """The posting run from Excel: post the payments typed on the Post sheet of ``book`` all or
    nothing, write each posted row's receipt number in its Receipt column, and list what was
    done (or every bad row, with nothing posted) on a Posting sheet."""
    from ..ledger.service import POST_COLUMNS, PostingError, actor, post_columns, post_payments
    from ..ledger.views import POST_SHEET, RECEIPT, rows_of

    if POST_SHEET not in [s.name for s in book.sheets]:
        raise LedgerError(f"this workbook has no {POST_SHEET} sheet: add one with the columns "
                          + ", ".join([*POST_COLUMNS, RECEIPT]))  # fmt: skip
    ws = book.sheets[POST_SHEET]
    grid = ws.used_range.options(ndim=2).value or [[]]
    header = [str(h).strip() if h is not None else "" for h in grid[0]]
    post_columns(header)  # a renamed column never drops its values
    if RECEIPT not in header:
        header.append(RECEIPT)
        ws.range((1, len(header))).value = RECEIPT
    records = []
    for r, values in enumerate(grid[1:], start=2):
        rec = {h: (values[i] if i < len(values) else None) for i, h in enumerate(header) if h}
        day = rec.get("Date received")
        if isinstance(day, (int, float)) and not isinstance(day, bool):  # Office.js sends a date as its day number
            with contextlib.suppress(WegoError):  # not a day number: the posting names the cell
                rec["Date received"] = from_excel_day(day)
        if any(v not in (None, "") for v in rec.values()):
            records.append((r, rec))
    store = open_ledger(ledger_location(load_roster().path))
    try:
        rows = rows_of(records, book.name)
        posted = post_payments(store, load_roster(), rows, by=actor("Excel script post_payments", user), header=header)
    except PostingError as exc:
        _replace_sheet(book, POSTING_SHEET, [["Not posted: nothing was posted"]] + [[str(p)] for p in exc.problems])
        raise
    column = header.index(RECEIPT) + 1
    for done in posted:
        ws.range((done.row.row, column)).value = done.payment.receipt
    _replace_sheet(book, POSTING_SHEET, [["Receipt", "Row", "Member ID", "Amount (USD)", "Date received"]]
                   + [[d.payment.receipt, d.row.row, d.payment.member_id, float(d.payment.amount),
                       d.payment.date.isoformat()] for d in posted])  # fmt: skip
    return posted
