"""The ledger as Excel shows it: a view workbook (Invoices, Credit notes, Payments, Voids,
Allocations, Balances, Aging, Collections), each sheet headed "a view of the ledger on DATE:
edits here change nothing", and the Post sheet where payments are typed to be posted."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import SheetError, WegoError
from ..rules.history import membership_on
from ..rules.inputs import is_blank
from ..rules.ledger import AGING_BUCKETS, ZERO, Invoice, Ledger, LedgerBook, aging_bucket
from ..store.roster import Roster
from ..store.saving import WorkbookUpdate, check_not_open, save_new
from ..store.sheets import SheetReader
from ..store.xlsx import print_setup, write_cell, write_table
from .service import (
    POST_COLUMNS,
    POST_OPTIONAL,
    PaymentInput,
    Posted,
    PostingError,
    TypedRow,
    post_columns,
    post_payments,
)
from .store import Actor, LedgerError, LedgerStore

INVOICES, CREDITS, PAYMENTS, VOIDS, WRITE_OFFS = "Invoices", "Credit notes", "Payments", "Voids", "Write-offs"
ALLOCATIONS, BALANCES, AGING, COLLECTIONS = "Allocations", "Balances", "Aging", "Collections"
VIEW_NAME = "wego_ledger_view.xlsx"
POST_SHEET = "Post"
RECEIPT = "Receipt"
RECEIPT_NUMBER = re.compile(r"R-\d{4}-\d{3,}")
USD_FORMAT, DATE_FORMAT = "#,##0.00", "yyyy-mm-dd"
FORMATS = {
    "Amount (USD)": USD_FORMAT, "Amount received": USD_FORMAT, "Bank charges (USD)": USD_FORMAT, "Issue date": DATE_FORMAT,
    "Due date": DATE_FORMAT, "Date": DATE_FORMAT, "Date received": DATE_FORMAT, "Population": "#,##0",
    "GDP per capita (PPP, USD)": "#,##0.000", "Fee year": "0", "Billed (USD)": USD_FORMAT,
    "Credited (USD)": USD_FORMAT, "Paid (USD)": USD_FORMAT, "Open (USD)": USD_FORMAT, "Balance (USD)": USD_FORMAT,
    "Collected (USD)": USD_FORMAT, "Collection rate": "0.0%", "Written off (USD)": USD_FORMAT,
    **{f"{b} (USD)": USD_FORMAT for b, _, _ in AGING_BUCKETS},
}  # fmt: skip


def _usd(amount: Decimal) -> float:
    return float(amount)  # a cell holds a double; amounts under 10 million to the cent are exact there


def view_tables(roster: Roster, book: LedgerBook, as_of: dt.date) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every sheet of the view, as (headers, rows), on ``as_of``."""
    ledger = book.replay(as_of)
    names = {m.member_id: m.display_name for m in roster.members}
    members = {m.member_id: m for m in roster.members}

    def name(member_id: str) -> str:
        return names.get(member_id, member_id)

    def on_issue(invoice: Invoice, basis: dict[str, object]) -> object:
        """The membership frozen on the invoice; else the roster's history on its issue date."""
        frozen = basis.get("Membership on issue date")
        m = members.get(invoice.member_id)
        if not is_blank(frozen) or m is None:
            return frozen
        return membership_on(roster.history, m.member_id, invoice.issue_date, m.membership)

    invoices = []
    for i in book.invoices:
        state = ledger.invoices.get(i.number)
        basis = book.invoice_basis.get(i.number, {})
        invoices.append([
            i.number, i.member_id, name(i.member_id), i.fee_year, i.issue_date, i.due_date, _usd(i.amount),
            _usd(state.credited) if state else 0.0, _usd(state.applied) if state else 0.0,
            _usd(state.open) if state else None, state.status if state else "issued later",
            basis.get("Population"), basis.get("GDP per capita (PPP, USD)"), basis.get("WEO edition"),
            basis.get("Fee table"), on_issue(i, basis), basis.get("Unconfirmed inputs accepted"),
        ])  # fmt: skip
    member_of = {i.number: i.member_id for i in book.invoices}
    credits = [[c.number, c.invoice, member_of.get(c.invoice, ""), name(member_of.get(c.invoice, "")),
                _usd(c.amount), c.date, c.reason] for c in book.credits]  # fmt: skip
    voided = {v.receipt: v.number for v in book.voids}
    payments = [[p.receipt, p.date, p.member_id, name(p.member_id), _usd(p.amount), _usd(p.bank_charges),
                 p.invoice or None, voided.get(p.receipt)] for p in book.payments]  # fmt: skip
    voids = [[v.number, v.receipt, v.date, v.reason] for v in book.voids]
    write_offs = [[w.number, w.invoice, member_of.get(w.invoice, ""), name(member_of.get(w.invoice, "")),
                   _usd(w.amount), w.date, w.decision, w.reason] for w in book.write_offs]  # fmt: skip
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {
        INVOICES: (["Invoice number", "Member ID", "Member", "Fee year", "Issue date", "Due date", "Amount (USD)",
                    "Credited (USD)", "Paid (USD)", "Open (USD)", "Status", "Population", "GDP per capita (PPP, USD)",
                    "WEO edition", "Fee table", "Membership on issue date", "Unconfirmed inputs accepted"], invoices),
        CREDITS: (["Credit note", "Invoice number", "Member ID", "Member", "Amount (USD)", "Date", "Reason"], credits),
        PAYMENTS: (["Receipt", "Date received", "Member ID", "Member", "Amount (USD)", "Bank charges (USD)",
                    "Invoice number", "Voided by"], payments),
        VOIDS: (["Void", "Receipt", "Date", "Reason"], voids),
        WRITE_OFFS: (["Write-off", "Invoice number", "Member ID", "Member", "Amount (USD)", "Date", "Decision",
                      "Reason"], write_offs),
    }  # fmt: skip
    tables.update(report_tables(names, ledger))
    return tables


def report_tables(names: dict[str, str], ledger: Ledger) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Allocations, Balances, Aging and Collections, as (headers, rows)."""

    def name(member_id: str) -> str:
        return names.get(member_id, member_id)

    allocations = [[a.receipt, a.invoice, a.member_id, name(a.member_id), _usd(a.amount), a.date]
                   for a in ledger.allocations]  # fmt: skip
    balances = []
    for member_id in ledger.members():
        states = ledger.by_member.get(member_id, [])
        arrears = ledger.arrears(member_id)
        balances.append([
            member_id, name(member_id), _usd(sum((s.invoice.amount for s in states), ZERO)),
            _usd(sum((s.credited for s in states), ZERO)), _usd(ledger.paid.get(member_id, ZERO)),
            _usd(ledger.written_off.get(member_id, ZERO)), _usd(ledger.balance(member_id)),
            min(arrears) if arrears else None, len(arrears),
        ])  # fmt: skip
    aging = []
    for member_id in ledger.members():  # a member with anything open, by days past due on the view's date
        open_invoices = ledger.open_invoices(member_id)
        if open_invoices:
            buckets = dict.fromkeys((b for b, _, _ in AGING_BUCKETS), ZERO)
            for state in open_invoices:
                buckets[aging_bucket((ledger.as_of - state.invoice.due_date).days)] += state.open
            aging.append([member_id, name(member_id), *map(_usd, buckets.values()),
                          _usd(sum(buckets.values(), ZERO))])  # fmt: skip
    by_year: dict[int, dict[str, Decimal]] = defaultdict(lambda: {"billed": ZERO, "collected": ZERO})
    for s in ledger.invoices.values():
        by_year[s.invoice.fee_year]["billed"] += s.net
        by_year[s.invoice.fee_year]["collected"] += s.applied
    collections = [[year, _usd(v["billed"]), _usd(v["collected"]), _rate(v)] for year, v in sorted(by_year.items())]
    return {
        ALLOCATIONS: (["Receipt", "Invoice number", "Member ID", "Member", "Amount (USD)", "Date"], allocations),
        BALANCES: (["Member ID", "Member", "Billed (USD)", "Credited (USD)", "Paid (USD)", "Written off (USD)",
                    "Balance (USD)", "Oldest unpaid fee year", "Years in arrears"], balances),
        AGING: (["Member ID", "Member", *(f"{b} (USD)" for b, _, _ in AGING_BUCKETS), "Open (USD)"], aging),
        COLLECTIONS: (["Fee year", "Billed (USD)", "Collected (USD)", "Collection rate"], collections),
    }  # fmt: skip


def _rate(v: dict[str, Decimal]) -> float | None:
    return float((v["collected"] / v["billed"]).quantize(Decimal("0.0001"))) if v["billed"] > ZERO else None


#: The view's sheets per member that end with a row of totals.
TOTALLED = (BALANCES, AGING)


def _total(rows: list[list[Any]], column: int) -> float | None:
    """A money column's total, summed as cents (exact); None under a column that is not money."""
    values = [r[column] for r in rows]
    if not all(isinstance(v, float) for v in values):
        return None
    return _usd(sum((Decimal(str(v)) for v in values), ZERO))


#: The widest a view's column grows (characters); a longer value wraps within it.
WIDEST = 60.0


def shown_text(value: Any, number_format: str | None) -> str:
    """A cell's value as Excel shows it in ``number_format`` (as the view's formats go)."""
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        if number_format == "0.0%":
            return f"{value:.1%}"
        if number_format and number_format.startswith("#,##0"):
            places = len(number_format.partition(".")[2])
            return f"{value:,.{places}f}"
        return str(value)
    return str(value)


def fitted_widths(headers: list[str], rows: list[list[Any]]) -> tuple[dict[str, float], list[int]]:
    """Each column's width (characters) for its header and its longest value as shown, every
    row measured, Hangul counted twice; and the 0-based columns capped at ``WIDEST``, whose
    cells wrap instead of being cut."""
    from ..app.report import display_width

    widths, wrapped = {}, []
    for c, header in enumerate(headers):
        fmt = FORMATS.get(header)
        longest = max([display_width(header)] + [display_width(shown_text(r[c], fmt)) for r in rows
                                                 if c < len(r) and r[c] is not None])  # fmt: skip
        width = max(10.0, longest + 3.0)  # the text's indent and the cell's padding
        if width > WIDEST:
            width = WIDEST
            wrapped.append(c)
        widths[header] = width
    return widths, wrapped


def view_heading(location: str, as_of: dt.date) -> str:
    return f"A view of the ledger {location} on {as_of.isoformat()}: edits here change nothing (the ledger is the database)"


def write_view(roster: Roster, book: LedgerBook, out: Path, as_of: dt.date) -> Path:
    """Write the view workbook ``out`` (replaced whole: it is a view, never a record)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    heading = view_heading(book.location, as_of)
    for sheet, (headers, rows) in view_tables(roster, book, as_of).items():
        ws = wb.create_sheet(sheet)
        write_cell(ws, 1, 1, heading).font = Font(bold=True)
        if sheet in TOTALLED and rows:  # per member, then the totals (the sums of the rows above)
            rows = [*rows, ["Total", "", *(_total(rows, c) for c in range(2, len(headers)))]]
        widths, wrapped = fitted_widths(headers, rows)
        write_table(ws, headers, rows, name=sheet.replace(" ", "_"), top=3, number_formats=FORMATS, widths=widths)
        for c in wrapped:  # a value wider than the widest column wraps within it, never cut
            for r in range(4, len(rows) + 4):
                cell = ws.cell(r, c + 1)
                was = cell.alignment
                cell.alignment = Alignment(horizontal=was.horizontal, vertical=was.vertical, indent=was.indent,
                                           wrap_text=True)  # fmt: skip
        ws.freeze_panes = "A4"
        print_setup(ws, title=f"{sheet}, {as_of.isoformat()}", note=heading, header_row=3,
                    landscape=len(headers) > 5, printed_columns=None, last_row=len(rows) + 3)  # fmt: skip
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        check_not_open(out)  # Excel holds it: say so rather than fail half-way
    return save_new(wb, out)


# -- the Post sheet -------------------------------------------------------------------------


def new_post_workbook(path: Path) -> Path:
    """A workbook with an empty Post sheet, its columns as the posting reads them."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = POST_SHEET
    write_post_sheet(ws)
    return save_new(wb, Path(path))


def write_post_sheet(ws: Any) -> None:
    """The Post sheet's header row (an Excel table), each column wide enough for its label."""
    headers = [*POST_COLUMNS, RECEIPT]
    widths = {h: max(14.0, len(h) + 6.0) for h in headers}
    write_table(ws, headers, [], name="Post", number_formats=FORMATS, widths=widths)


def rows_of(records: Any, source: str) -> list[TypedRow]:
    """The Post sheet's rows not posted yet (a blank Receipt); a Receipt cell holding anything
    but a receipt number stops the posting, naming it (never a row skipped without a word)."""
    rows, sheet = [], SheetReader(source, POST_SHEET, SheetError)
    for r, rec in records:
        receipt = rec.get(RECEIPT)
        if not is_blank(receipt):
            if not RECEIPT_NUMBER.fullmatch(str(receipt).strip()):
                sheet.problem(
                    r,
                    RECEIPT,
                    receipt,
                    "is not a receipt number, so it is not clear whether the row was posted",
                    "clear the cell to post the row, or type its receipt number (R-2017-001) if it was posted",
                )
            continue  # posted already
        given = PaymentInput(**{field: rec.get(column) for column, field in post_columns(rec).items()})
        rows.append(TypedRow(POST_SHEET, r, given, source))
    if sheet.problems:
        raise PostingError(sheet.problems)
    return rows


def post_file(store: LedgerStore, roster: Roster, path: Path, by: Actor) -> list[Posted]:
    """Post the Post sheet of the workbook ``path``, all or nothing, and write each receipt
    number into its row. Whatever would stop the workbook being written (open in Excel,
    parts openpyxl would lose, read-only) is found before anything is posted; a write that
    still fails says which receipts were posted, and running it again posts nothing twice."""
    with WorkbookUpdate(path, command="ledger post") as update:
        wb = update.open()  # formulas as typed: a formula is refused, never read as its last value
        columns = post_columns(c.value for c in wb[POST_SHEET][1]) if POST_SHEET in wb.sheetnames else POST_COLUMNS
        records = SheetReader(path, POST_SHEET, SheetError).rows(
            wb, [c for c in columns if c not in POST_OPTIONAL], "restore the Post sheet's header row",
            [*POST_OPTIONAL, RECEIPT], any_cell=True)  # every column: a renamed one never drops its values  # fmt: skip
        rows = rows_of(records, str(path))
        if not rows:
            return []
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            raise LedgerError(f"{path} is read-only, so the receipt numbers could not be written: nothing was posted")
        posted = post_payments(store, roster, rows, by=by, header=columns)
        ws = wb[POST_SHEET]
        header = [c.value for c in ws[1]]
        column = header.index(RECEIPT) + 1 if RECEIPT in header else len(header) + 1
        write_cell(ws, 1, column, RECEIPT)
        for done in posted:
            write_cell(ws, done.row.row, column, done.payment.receipt)
        try:
            update.save(wb)
        except WegoError as exc:
            receipts = ", ".join(d.payment.receipt for d in posted)
            raise LedgerError(
                f"posted {receipts}, but their receipt numbers could not be written into {path.name} ({exc}): "
                "run the posting again once the file can be written; it finds these rows and posts nothing twice"
            ) from None
    return posted
