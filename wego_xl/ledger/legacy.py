"""The workbook ledger of wego-xl before the ledger became a database (Invoices, Credit
notes and Payments sheets of ``wego_ledger.xlsx``), read strictly once, to be imported by
``wego-xl ledger init --from``: a cell that cannot be read for sure stops the import naming it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from ..errors import InputError, SheetError, WegoError
from ..rules.dates import read_date
from ..rules.inputs import read_fee_year
from ..rules.ledger import ZERO, CreditNote, Invoice, LedgerBook, Payment, usd
from ..store.roster import Roster
from ..store.sheets import SheetReader
from ..store.xlsx import open_workbook
from . import schema as t
from .store import Actor, LedgerError, LedgerStore, create_ledger, is_url

INVOICES, CREDITS, PAYMENTS = "Invoices", "Credit notes", "Payments"


@dataclass
class LegacyLedger:
    """What the workbook held: records, each invoice's row (its frozen basis), bank
    references, and every problem found."""

    path: Path
    invoices: list[Invoice] = field(default_factory=list)
    credits: list[CreditNote] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    invoice_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[SheetError] = field(default_factory=list)
    bank_references: set[str] = field(default_factory=set)
    payment_refs: dict[str, str] = field(default_factory=dict)


INVOICE_COLUMNS = [
    "Invoice number", "Member ID", "English name", "Korean name", "Fee year", "Issue date", "Due date",
    "Amount (USD)", "Currency", "Status", "Population", "Population year", "Population source",
    "GDP per capita (PPP, USD)", "GDP year", "WEO edition", "Population band", "GDP band", "Fee table",
    "Membership on issue date", "Unconfirmed inputs accepted",
]  # fmt: skip
CREDIT_COLUMNS = ["Credit note", "Invoice number", "Amount (USD)", "Reason", "Date"]
PAYMENT_COLUMNS = [
    "Receipt", "Date received", "Member", "Amount (USD)", "Bank charges (USD)", "Amount received",
    "Currency received", "Exchange rate", "Bank reference", "Invoice number", "Note",
]  # fmt: skip


def _date(value: object) -> dt.date | None:
    """A date cell of the ledger; None when blank or not a date (a Payments row's problem)."""
    try:
        return read_date(value)
    except InputError:
        return None


#: What to do about a cell of an invoice or a credit note that cannot be read.
CELL_FIX = "correct the cell, or restore the ledger from its latest backup"


#: The columns each record sheet must have (the others are read when there).
INVOICE_NEEDS = ["Invoice number", "Member ID", "Fee year", "Issue date", "Due date", "Amount (USD)"]
CREDIT_NEEDS = ["Credit note", "Invoice number", "Amount (USD)", "Date"]
PAYMENT_NEEDS = ["Date received", "Member", "Amount (USD)"]


def _rows(
    wb: Any, cells: SheetReader[SheetError], columns: list[str], needs: list[str]
) -> Iterable[tuple[int, dict[str, Any]]]:
    """The sheet's rows by header, read strictly: a missing sheet or column, or a column
    twice, stops the read naming it (never a total that silently leaves rows out)."""
    optional = [c for c in columns if c not in needs]
    fix = "restore the ledger from its latest backup (.wego-backups)"
    return cells.rows(wb, needs, fix, optional, any_cell=True)  # a half-typed row is a problem


def read_ledger(path: Path, roster: Roster, today: dt.date | None = None) -> LegacyLedger:
    """The ledger's records; a typed Payments row that cannot be right is a problem naming its
    row (an unknown member, a negative amount, a date in the future, a bank reference used
    twice) and is left out of every total until corrected."""
    if not Path(path).exists():
        raise LedgerError(f"no workbook ledger at {path} to import")
    wb = open_workbook(Path(path))
    try:
        return _book_from(wb, Path(path), roster, today or dt.date.today())
    finally:
        wb.close()


def _book_from(wb: Any, path: Path, roster: Roster, today: dt.date) -> LegacyLedger:
    book = LegacyLedger(path)
    try:
        _read_invoices(wb, book)
        _read_credits(wb, book)
        _read_payments(wb, book, roster, today)
    except (KeyError, ValueError, TypeError, WegoError) as exc:
        if isinstance(exc, SheetError):
            raise
        raise SheetError(f"the ledger cannot be read ({exc})", path=str(path), fix="restore it from a backup") from None
    return book


def _read_invoices(wb: Any, book: LegacyLedger) -> None:
    """The Invoices sheet: each invoice, and its row as the basis it was issued on."""
    cells = SheetReader(book.path, INVOICES, SheetError)
    for r, rec in _rows(wb, cells, INVOICE_COLUMNS, INVOICE_NEEDS):
        cell = partial(cells.required, r, rec, fix=CELL_FIX)
        invoice = Invoice(
            str(rec["Invoice number"]), str(rec["Member ID"]), cell("Fee year", read_fee_year),
            cell("Issue date", read_date), cell("Due date", read_date), cell("Amount (USD)", usd),
        )  # fmt: skip
        book.invoices.append(invoice)
        book.invoice_rows[invoice.number] = rec


def _read_credits(wb: Any, book: LegacyLedger) -> None:
    """The Credit notes sheet; a note on no invoice of the ledger is a problem of its row."""
    cells = SheetReader(book.path, CREDITS, SheetError)
    for r, rec in _rows(wb, cells, CREDIT_COLUMNS, CREDIT_NEEDS):
        cell = partial(cells.required, r, rec, fix=CELL_FIX)
        note = CreditNote(str(rec["Credit note"]), str(rec["Invoice number"]), cell("Amount (USD)", usd),
                          cell("Date", read_date), str(rec.get("Reason") or ""))  # fmt: skip
        if note.invoice not in book.invoice_rows:
            cells.problem(r, "Invoice number", note.invoice, "is not an invoice of this ledger",
                          "type the number of the invoice the credit note is for")  # fmt: skip
            continue
        book.credits.append(note)
    book.problems += cells.problems


def _read_payments(wb: Any, book: LegacyLedger, roster: Roster, today: dt.date) -> None:
    """The Payments sheet; a row that cannot be right is a problem of its row."""
    cells = SheetReader(book.path, PAYMENTS, SheetError)
    seen_refs: dict[str, int] = {}
    for r, rec in _rows(wb, cells, PAYMENT_COLUMNS, PAYMENT_NEEDS):
        if rec.get("Bank reference"):
            book.bank_references.add(str(rec["Bank reference"]))
        payment = _payment(book, cells, roster, r, rec, today, seen_refs)
        if payment is not None:
            book.payments.append(payment)
    book.problems += cells.problems


def _payment(
    book: LegacyLedger,
    cells: SheetReader[SheetError],
    roster: Roster,
    r: int,
    rec: dict[str, Any],
    today: dt.date,
    refs: dict[str, int],
) -> Payment | None:
    def problem(column: str, text: str, fix: str) -> None:
        cells.problem(r, column, rec.get(column), text, fix)

    try:
        member = roster.member(rec.get("Member") or "")
    except WegoError:
        problem("Member", "is not a member on the roster", "type the member's name or id as the roster has it")
        return None
    try:
        amount = usd(rec.get("Amount (USD)"))
        charges = usd(rec.get("Bank charges (USD)") or 0)
    except InputError as exc:
        problem("Amount (USD)", str(exc), "type the amount in USD")
        return None
    if amount <= ZERO or charges < ZERO:
        problem("Amount (USD)", "must be more than 0 (and bank charges 0 or more)", "type the amount received in USD")
        return None
    date = _date(rec.get("Date received"))
    if date is None or date > today:
        problem("Date received", "must be a date not after today", "type the date the money arrived")
        return None
    reference = str(rec.get("Bank reference") or "").strip()
    if reference and reference in refs:
        problem("Bank reference", f"is also on row {refs[reference]}: the same transfer twice?", "delete one row")
        return None
    if reference:
        refs[reference] = r
    invoice = str(rec.get("Invoice number") or "").strip()
    receipt = str(rec.get("Receipt") or f"row {r}")
    if reference:
        book.payment_refs[receipt] = reference
    return Payment(receipt, member.member_id, date, amount, invoice, charges)


def ledger_from_workbook(location: str, workbook: Path, roster: Roster, by: Actor) -> tuple[LedgerStore, LedgerBook]:
    """Make the ledger at ``location`` from a workbook ledger: read strictly first (nothing is
    made when a row cannot be right), then imported whole or not at all (a ledger file made
    for a failed import is removed)."""
    legacy = read_ledger(workbook, roster)
    refuse_problems(legacy)
    store = create_ledger(location)
    try:
        return store, import_workbook(store, legacy, by)
    except BaseException:
        store.engine.dispose()
        if not is_url(location):
            Path(location).unlink(missing_ok=True)
        raise


def refuse_problems(legacy: LegacyLedger) -> None:
    """A workbook with a row that cannot be right is not imported at all, naming every row."""
    if legacy.problems:
        raise LedgerError(f"{len(legacy.problems)} problem(s) in {legacy.path}, so nothing was imported: "
                          + "; ".join(str(p) for p in legacy.problems))  # fmt: skip


def import_workbook(store: LedgerStore, legacy: LegacyLedger, by: Actor) -> LedgerBook:
    """Post every record of a workbook ledger into the new, empty ledger ``store``, in date
    order, keeping numbers (a typed payment without a receipt gets the next one), and commit
    only if invoice numbers and amounts, credit notes, payments and every member's balance
    come out identical; otherwise nothing is written."""
    refuse_problems(legacy)
    events: list[tuple[dt.date, int, str, Any]] = [(i.issue_date, 0, i.number, i) for i in legacy.invoices]
    issued = {i.number: i for i in legacy.invoices}
    events += [(max(c.date, issued[c.invoice].issue_date), 1, c.number, c) for c in legacy.credits]
    events += [(p.date, 2, p.receipt, p) for p in legacy.payments]
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    before = LedgerBook(str(legacy.path), legacy.invoices, legacy.credits, legacy.payments)
    with store.writing() as conn:
        _take_numbers(conn, legacy)
        for _, _, _, record in events:
            if isinstance(record, Invoice):
                store.post(conn, record, by, basis=legacy.invoice_rows.get(record.number, {}))
            elif isinstance(record, CreditNote):
                store.post(conn, record, by, member_id=issued[record.invoice].member_id)
            else:
                reference = legacy.payment_refs.get(record.receipt, "")
                if not record.receipt.startswith("R-"):
                    number = store.next_number(conn, "R", record.date.year)
                    record = Payment(number, record.member_id, record.date, record.amount, record.invoice,
                                     record.bank_charges)  # fmt: skip
                store.post(conn, record, by, bank_reference=reference)
        after = store.load(conn)
        ledger = after.replay()
        for i in after.invoices:
            if ledger.invoices[i.number].net > ZERO:
                conn.execute(t.live_invoices.insert().values(member_id=i.member_id, fee_year=i.fee_year,
                                                             invoice_number=i.number))  # fmt: skip
        _same(before, after)
    return after


def _take_numbers(conn: Connection, legacy: LegacyLedger) -> None:
    """The number series as far as the workbook used them."""
    last: dict[str, int] = {}
    for number in (
        [i.number for i in legacy.invoices] + [c.number for c in legacy.credits] + [p.receipt for p in legacy.payments]
    ):
        head, _, seq = number.rpartition("-")
        if seq.isdigit() and head:
            last[head] = max(last.get(head, 0), int(seq))
    for name, n in last.items():  # gaps the workbook had (a deleted row) are its own, not this ledger's
        conn.execute(t.number_series.insert().values(series=name, last=n, imported_through=n))


def _same(before: LedgerBook, after: LedgerBook) -> None:
    def invoices(book: LedgerBook) -> list[tuple[str, str, int, Decimal]]:
        return sorted((i.number, i.member_id, i.fee_year, i.amount) for i in book.invoices)

    def credits(book: LedgerBook) -> list[tuple[str, str, Decimal]]:
        return sorted((c.number, c.invoice, c.amount) for c in book.credits)

    def paid(book: LedgerBook) -> list[tuple[str, dt.date, Decimal]]:
        return sorted((p.member_id, p.date, p.amount) for p in book.payments)

    old, new = before.replay(), after.replay()
    checks = {
        "invoices": (invoices(before), invoices(after)),
        "credit notes": (credits(before), credits(after)),
        "payments": (paid(before), paid(after)),
        "balances": ({m: old.balance(m) for m in old.members()}, {m: new.balance(m) for m in new.members()}),
    }
    for what, (was, now) in checks.items():
        if was != now:
            raise LedgerError(f"the imported {what} differ from the workbook's, so nothing was imported")
