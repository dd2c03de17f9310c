"""The ledger workbook: finance's book of record, separate from the roster.

Sheets the finance staff keep (Excel tables): **Invoices** (written by ``wego-xl invoice``,
frozen when issued, with the basis of each fee), **Credit notes** (``wego-xl credit``) and
**Payments** (``wego-xl pay``, or rows typed in Excel, which are validated). Sheets the
toolkit derives and replaces: **Allocations**, **Balances**, **Aging**, **Collections**.

Which file: ``WEGO_LEDGER``, else ``wego_ledger.xlsx`` beside the roster in use, never inside
the installed package. Every write goes through :mod:`wego_xl.workbook.saving`.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import FileError, InputError, RosterError, WegoError
from ..rules.dates import read_date
from ..rules.inputs import read_fee_year
from ..rules.ledger import ZERO, CreditNote, Invoice, Ledger, Payment, next_number, replay, usd
from .assessment import Assessment
from .package import is_packaged
from .roster import Roster
from .saving import WorkbookUpdate, save_new
from .xlsx import extend_tables, file_stamp, open_workbook, print_setup, sheet_records, write_cell, write_table

LEDGER_ENV = "WEGO_LEDGER"
LEDGER_NAME = "wego_ledger.xlsx"
INVOICES, CREDITS, PAYMENTS = "Invoices", "Credit notes", "Payments"
ALLOCATIONS, BALANCES, AGING, COLLECTIONS = "Allocations", "Balances", "Aging", "Collections"
DERIVED_SHEETS = (ALLOCATIONS, BALANCES, AGING, COLLECTIONS)
USD_FORMAT, DATE_FORMAT = "#,##0.00", "yyyy-mm-dd"

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
FORMATS = {
    "Amount (USD)": USD_FORMAT, "Bank charges (USD)": USD_FORMAT, "Issue date": DATE_FORMAT,
    "Due date": DATE_FORMAT, "Date": DATE_FORMAT, "Date received": DATE_FORMAT, "Population": "#,##0",
    "GDP per capita (PPP, USD)": "#,##0.000", "Fee year": "0", "GDP year": "0", "Population year": "0",
    "Fee table": "0", "Billed (USD)": USD_FORMAT, "Credited (USD)": USD_FORMAT, "Paid (USD)": USD_FORMAT,
    "Balance (USD)": USD_FORMAT, "Collected (USD)": USD_FORMAT, "Open (USD)": USD_FORMAT,
}  # fmt: skip


def ledger_path(roster_file: Path, path: str | os.PathLike | None = None) -> Path:
    """The ledger to use: ``path``, else ``$WEGO_LEDGER``, else beside the roster in use (never
    inside the installed package)."""
    chosen = path or os.environ.get(LEDGER_ENV)
    if chosen:
        return Path(chosen).expanduser()
    if is_packaged(roster_file):
        raise FileError(
            "the ledger is kept beside your roster, and the roster in use is the one shipped in the package: "
            f"run 'wego-xl init FOLDER' and set WEGO_ROSTER, or set {LEDGER_ENV} to the ledger's path"
        )
    return Path(roster_file).with_name(LEDGER_NAME)


@dataclass
class LedgerBook:
    """The records of a ledger workbook, the rows they came from, and the problems found."""

    path: Path
    invoices: list[Invoice] = field(default_factory=list)
    credits: list[CreditNote] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    invoice_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[RosterError] = field(default_factory=list)
    #: Every bank reference on the Payments sheet, rows with problems included.
    bank_references: set[str] = field(default_factory=set)
    _replays: dict[dt.date | None, Ledger] = field(default_factory=dict, repr=False)

    def replay(self, as_of: dt.date | None = None) -> Ledger:
        """The ledger on a date (default: with every record), computed once per date."""
        found = self._replays.get(as_of)
        if found is None:
            if len(self._replays) > 64:
                self._replays.clear()
            found = self._replays[as_of] = replay(self.invoices, self.credits, self.payments, as_of)
        return found

    def invoice_for(self, member_id: str, fee_year: int) -> Invoice | None:
        """The member's invoice for a fee year that is not wholly credited, if any."""
        ledger = self.replay()
        live = [
            i
            for i in self.invoices
            if i.member_id == member_id and i.fee_year == fee_year and ledger.invoices[i.number].net > ZERO
        ]
        return max(live, key=lambda i: i.order) if live else None


def _date(value: object) -> dt.date | None:
    """A date cell of the ledger; None when blank or not a date (a Payments row's problem)."""
    try:
        return read_date(value)
    except InputError:
        return None


def _field(path: Path, sheet: str, r: int, rec: dict[str, Any], column: str, read: Callable[[Any], Any]) -> Any:
    """A record's cell read by ``read``; blank or unreadable is an error naming the cell: an
    invoice or a credit note is money, never skipped or guessed."""
    value = rec.get(column)
    try:
        found = read(value)
    except (InputError, ValueError, TypeError) as exc:
        found, why = None, str(exc)
    else:
        why = "is blank"
    if found is None:
        raise RosterError(why if value is not None else "is blank", path=str(path), sheet=sheet, row=r, column=column,
                          value=value, fix="correct the cell, or restore the ledger from its latest backup")  # fmt: skip
    return found


#: The columns each record sheet must have (the others are read when there).
INVOICE_NEEDS = ["Invoice number", "Member ID", "Fee year", "Issue date", "Due date", "Amount (USD)"]
CREDIT_NEEDS = ["Credit note", "Invoice number", "Amount (USD)", "Date"]
PAYMENT_NEEDS = ["Date received", "Member", "Amount (USD)"]


def _rows(
    wb: Any, path: Path, sheet: str, columns: list[str], needs: list[str]
) -> Iterable[tuple[int, dict[str, Any]]]:
    """The sheet's rows by header, read strictly: a missing sheet or column, or a column
    twice, stops the read naming it (never a total that silently leaves rows out)."""
    optional = [c for c in columns if c not in needs]
    fix = "restore the ledger from its latest backup (.wego-backups)"
    return sheet_records(wb, path, sheet, needs, fix, optional, any_cell=True)  # a half-typed row is a problem


def read_ledger(path: Path, roster: Roster, today: dt.date | None = None) -> LedgerBook:
    """The ledger's records; a typed Payments row that cannot be right is a problem naming its
    row (an unknown member, a negative amount, a date in the future, a bank reference used
    twice) and is left out of every total until corrected."""
    if not Path(path).exists():
        return LedgerBook(Path(path))
    wb = open_workbook(Path(path))
    try:
        return _book_from(wb, Path(path), roster, today or dt.date.today())
    finally:
        wb.close()


def _book_from(wb: Any, path: Path, roster: Roster, today: dt.date) -> LedgerBook:
    book = LedgerBook(path)
    try:
        for r, rec in _rows(wb, path, INVOICES, INVOICE_COLUMNS, INVOICE_NEEDS):
            cell = partial(_field, path, INVOICES, r, rec)
            invoice = Invoice(
                str(rec["Invoice number"]), str(rec["Member ID"]), cell("Fee year", read_fee_year),
                cell("Issue date", read_date), cell("Due date", read_date), cell("Amount (USD)", usd),
            )  # fmt: skip
            book.invoices.append(invoice)
            book.invoice_rows[invoice.number] = rec
        for r, rec in _rows(wb, path, CREDITS, CREDIT_COLUMNS, CREDIT_NEEDS):
            cell = partial(_field, path, CREDITS, r, rec)
            note = CreditNote(str(rec["Credit note"]), str(rec["Invoice number"]), cell("Amount (USD)", usd),
                              cell("Date", read_date), str(rec.get("Reason") or ""))  # fmt: skip
            if note.invoice not in book.invoice_rows:
                book.problems.append(RosterError("is not an invoice of this ledger", path=str(path), sheet=CREDITS,
                                                 row=r, column="Invoice number", value=note.invoice,
                                                 fix="type the number of the invoice the credit note is for"))  # fmt: skip
                continue
            book.credits.append(note)
        seen_refs: dict[str, int] = {}
        for r, rec in _rows(wb, path, PAYMENTS, PAYMENT_COLUMNS, PAYMENT_NEEDS):
            if rec.get("Bank reference"):
                book.bank_references.add(str(rec["Bank reference"]))
            payment = _payment(book, roster, r, rec, today, seen_refs)
            if payment is not None:
                book.payments.append(payment)
    except (KeyError, ValueError, TypeError, WegoError) as exc:
        if isinstance(exc, RosterError):
            raise
        raise RosterError(
            f"the ledger cannot be read ({exc})", path=str(path), fix="restore it from a backup"
        ) from None
    return book


def _payment(
    book: LedgerBook, roster: Roster, r: int, rec: dict[str, Any], today: dt.date, refs: dict[str, int]
) -> Payment | None:
    def problem(column: str, text: str, fix: str) -> None:
        book.problems.append(
            RosterError(text, path=str(book.path), sheet=PAYMENTS, row=r, column=column, value=rec.get(column), fix=fix)
        )

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
    return Payment(receipt, member.member_id, date, amount, invoice, charges)


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------


def _new_ledger(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = INVOICES
    for sheet, columns in ((INVOICES, INVOICE_COLUMNS), (CREDITS, CREDIT_COLUMNS), (PAYMENTS, PAYMENT_COLUMNS)):
        ws = wb[sheet] if sheet in wb.sheetnames else wb.create_sheet(sheet)
        write_table(ws, columns, [], name=sheet.replace(" ", "_"), number_formats=FORMATS)
        _print_like_a_ledger(ws, sheet, len(columns), first_columns=sheet == INVOICES)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_new(wb, path)


def _append(wb: Any, sheet: str, columns: list[str], record: dict[str, Any]) -> None:
    """Add a row to a sheet's table (the table grows with it)."""
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    last = max((r for r in range(2, ws.max_row + 1) if any(c.value not in (None, "") for c in ws[r])), default=1)
    row = last + 1
    for c, name in enumerate(header, start=1):
        if name in record:
            value = record[name]
            write_cell(ws, row, c, float(value) if isinstance(value, Decimal) else value, FORMATS.get(name))
    extend_tables(ws, row)


def write_records(
    path: Path,
    roster: Roster,
    *,
    command: str,
    invoices: Iterable[dict[str, Any]] = (),
    credits: Iterable[dict[str, Any]] = (),
    payments: Iterable[dict[str, Any]] = (),
    today: dt.date | None = None,
) -> LedgerBook:
    """Append records to the ledger and rewrite its derived sheets, in one save."""
    today = today or dt.date.today()
    if not path.exists():
        _new_ledger(path)
    with WorkbookUpdate(path, command=command, replaces=set(DERIVED_SHEETS)) as update:
        wb = update.open()
        for sheet, columns, records in (
            (INVOICES, INVOICE_COLUMNS, invoices),
            (CREDITS, CREDIT_COLUMNS, credits),
            (PAYMENTS, PAYMENT_COLUMNS, payments),
        ):
            for record in records:
                _append(wb, sheet, columns, record)
        book = _book_from(wb, path, roster, today)
        _write_derived(wb, roster, book, today)
        update.save(wb)
    return book


def write_reports(path: Path, roster: Roster, *, today: dt.date | None = None) -> LedgerBook:
    """Replace the derived sheets and the Invoices' Status column from the records as they are."""
    return write_records(path, roster, command="ledger report", today=today)


def _write_derived(wb: Any, roster: Roster, book: LedgerBook, today: dt.date) -> None:
    from openpyxl.utils import get_column_letter

    ledger = book.replay(today)
    ws = wb[INVOICES]
    header = [c.value for c in ws[1]]
    status_col, number_col = header.index("Status") + 1, header.index("Invoice number") + 1
    for r in range(2, ws.max_row + 1):
        state = ledger.invoices.get(str(ws.cell(r, number_col).value))
        if state is not None:
            ws.cell(r, status_col).value = state.status
    printed = f"$A$1:${get_column_letter(INVOICES_PRINTED)}$"
    if ws.print_area and ws.print_area.split("!")[-1].startswith(printed):  # ours: grow it with the list
        ws.print_area = f"A1:{get_column_letter(INVOICES_PRINTED)}{ws.max_row}"
    for name, (columns, rows) in report_tables(roster, ledger).items():
        if name in wb.sheetnames:
            wb.remove(wb[name])
        ws = wb.create_sheet(name)
        write_table(ws, columns, rows, name=name, number_formats=FORMATS)
        _print_like_a_ledger(ws, f"{name}, {today.isoformat()}", len(columns))


#: The Invoices columns a printed list shows (number, member, fee year, dates, amount, status);
#: the frozen basis after them stays on screen.
INVOICES_PRINTED = 10


def _print_like_a_ledger(ws: Any, title: str, columns: int, *, first_columns: bool = False) -> None:
    """A4, one page wide, the header row on every page; the Invoices list prints its
    ``first_columns`` to its last row (set again on every ledger write, as it grows), so its
    text stays readable (the frozen basis stays on screen)."""
    print_setup(ws, title=title, note=f"WeGO dues ledger: {title}", header_row=1, landscape=columns > 5,
                printed_columns=INVOICES_PRINTED if first_columns else None, last_row=ws.max_row)  # fmt: skip


def report_tables(roster: Roster, ledger: Ledger) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The derived sheets' tables, as (headers, rows)."""
    members = {m.member_id: m for m in roster.members}

    def name(member_id: str) -> str:
        m = members.get(member_id)
        return m.display_name if m else member_id

    allocations = [
        [a.receipt, a.invoice, a.member_id, name(a.member_id), float(a.amount), a.date] for a in ledger.allocations
    ]
    balances = []
    for member_id in ledger.members():
        states = ledger.by_member.get(member_id, [])
        arrears = ledger.arrears(member_id)
        balances.append([
            member_id, name(member_id),
            float(sum((s.invoice.amount for s in states), ZERO)), float(sum((s.credited for s in states), ZERO)),
            float(ledger.paid.get(member_id, ZERO)), float(ledger.balance(member_id)),
            min(arrears) if arrears else None, len(arrears),
        ])  # fmt: skip
    aging = [[bucket, float(amount)] for bucket, amount in ledger.aging().items()]
    by_year: dict[int, dict[str, Decimal]] = defaultdict(lambda: {"billed": ZERO, "collected": ZERO})
    by_group: dict[tuple[int, str, str], dict[str, Decimal]] = defaultdict(lambda: {"billed": ZERO, "collected": ZERO})
    for s in ledger.invoices.values():
        m = members.get(s.invoice.member_id)
        group = (s.invoice.fee_year, m.region if m else "", m.membership.english if m else "")
        for totals in (by_year[s.invoice.fee_year], by_group[group]):
            totals["billed"] += s.net
            totals["collected"] += s.applied
    collections = [
        [year, region, kind, float(v["billed"]), float(v["collected"]), _rate(v)]
        for (year, region, kind), v in sorted(by_group.items())
    ] + [
        [year, "All", "All", float(v["billed"]), float(v["collected"]), _rate(v)] for year, v in sorted(by_year.items())
    ]
    return {
        ALLOCATIONS: (["Receipt", "Invoice number", "Member ID", "Member", "Amount (USD)", "Date"], allocations),
        BALANCES: (
            [
                "Member ID",
                "Member",
                "Billed (USD)",
                "Credited (USD)",
                "Paid (USD)",
                "Balance (USD)",
                "Oldest unpaid fee year",
                "Years in arrears",
            ],
            balances,
        ),
        AGING: (["Days past due", "Open (USD)"], aging),
        COLLECTIONS: (
            ["Fee year", "Region", "Membership", "Billed (USD)", "Collected (USD)", "Collection rate"],
            collections,
        ),
    }


def _rate(v: dict[str, Decimal]) -> float | None:
    return float((v["collected"] / v["billed"]).quantize(Decimal("0.0001"))) if v["billed"] > ZERO else None


def invoice_record(a: Assessment, number: str, issue: dt.date, due_days: int, accepted: bool) -> dict[str, Any]:
    """An Invoices row: the amount and the basis it was computed from, frozen."""
    m = a.member
    assert a.fee is not None and a.gdp is not None and a.schedule is not None
    return {
        "Invoice number": number, "Member ID": m.member_id, "English name": m.name_en, "Korean name": m.name_ko,
        "Fee year": a.fee_year, "Issue date": issue, "Due date": issue + dt.timedelta(days=due_days),
        "Amount (USD)": usd(a.fee), "Currency": "USD", "Status": "open", "Population": m.population,
        "Population year": m.population_year, "Population source": m.population_source,
        "GDP per capita (PPP, USD)": a.gdp.value, "GDP year": a.gdp_year, "WEO edition": a.gdp.edition,
        "Population band": a.population_band, "GDP band": a.gdp_band, "Fee table": a.schedule.effective_year,
        "Membership on issue date": m.membership.english, "Unconfirmed inputs accepted": "Yes" if accepted else "No",
    }  # fmt: skip


def invoiced_in(book: LedgerBook, fee_year: int) -> dict[str, tuple[str, Decimal]]:
    """Member id -> (invoice number, amount as issued less credit notes) for a fee year."""
    ledger = book.replay()
    found = {}
    for invoice in book.invoices:
        if invoice.fee_year == fee_year and ledger.invoices[invoice.number].net > ZERO:
            found[invoice.member_id] = (invoice.number, ledger.invoices[invoice.number].net)
    return found


def new_invoice_number(book: LedgerBook, fee_year: int) -> str:
    return next_number("WEGO", fee_year, [i.number for i in book.invoices])


def new_credit_number(book: LedgerBook, fee_year: int) -> str:
    return next_number("CN", fee_year, [c.number for c in book.credits])


_cache: dict[Path, tuple[tuple[int, int], int, LedgerBook]] = {}
_cache_lock = threading.Lock()


def load_ledger(path: Path, roster: Roster) -> LedgerBook:
    """The ledger, from the cache unless the file (or the roster) changed."""
    stamp = file_stamp(path)
    with _cache_lock:
        hit = _cache.get(path)
        if hit and hit[0] == stamp and hit[1] == id(roster):
            return hit[2]
    book = read_ledger(path, roster)
    with _cache_lock:
        _cache[path] = (stamp, id(roster), book)
    return book


@dataclass
class InvoicePlan:
    """What ``issue_invoices`` did (or, for a dry run, would do), member by member."""

    new: list[dict[str, Any]] = field(default_factory=list)  # Invoices rows
    skipped: dict[str, str] = field(default_factory=dict)  # member -> why not invoiced
    changed: dict[str, str] = field(default_factory=dict)  # member -> invoice vs today's data
    already: list[str] = field(default_factory=list)  # invoice numbers that stand


def issue_invoices(
    roster: Roster,
    book: LedgerBook,
    fee_year: int,
    issue_date: dt.date,
    due_days: int = 60,
    *,
    accept_unconfirmed: bool = False,
    dry_run: bool = False,
) -> InvoicePlan:
    """One invoice per member owing a fee for ``fee_year`` with complete, checked inputs;
    nothing twice; a member whose data changed since its invoice is reported, not re-billed."""
    from .report import assess_year

    assessments, findings = assess_year(roster, fee_year)
    errors = {f.row for f in findings if f.severity == "error" and f.sheet == "Members"}
    plan = InvoicePlan()
    number = new_invoice_number(book, fee_year)
    for a in assessments:
        m = a.member
        if not a.due.owed:
            continue
        existing = book.invoice_for(m.member_id, fee_year)
        if existing is not None:
            if a.fee is None or usd(a.fee) != existing.amount:
                today = f"{a.fee:,.0f}" if a.fee is not None else "no fee (inputs missing)"
                plan.changed[m.display_name] = (
                    f"invoice {existing.number}: {existing.amount:,.0f}; today's data gives {today}"
                )
            else:
                plan.already.append(existing.number)
            continue
        unconfirmed = m.population_imported or (a.gdp is not None and not a.gdp.manual and not a.gdp.confirmed)
        if a.fee is None or a.gdp is None:
            plan.skipped[m.display_name] = a.missing_text
        elif m.row in errors:
            plan.skipped[m.display_name] = "the Members sheet has an error in its row (see wego-xl check)"
        elif unconfirmed and not accept_unconfirmed:
            plan.skipped[m.display_name] = "inputs not confirmed yet (wego-xl confirm), or accept unconfirmed inputs"
        else:
            plan.new.append(invoice_record(a, number, issue_date, due_days, bool(unconfirmed)))
            head, seq = number.rsplit("-", 1)
            number = f"{head}-{int(seq) + 1:03d}"
    if plan.new and not dry_run:
        write_records(book.path, roster, command="invoice", invoices=plan.new)
    return plan
