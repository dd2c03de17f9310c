"""The auditor's pack for a calendar year (``wego-xl year-end YEAR``): one workbook,
``year-end-YEAR.xlsx``, with the roll-forward of the receivables, the aging on 31 December,
the collections by fee year, region and membership type, the year's audit trail and its
journal; and one balance confirmation letter per member with a balance on 31 December.

The roll-forward is proved before anything is written: the opening balance (the sum of the
members' balances on 31 December of the year before), plus what was invoiced, less what was
credited, collected (the cash, in USD), kept as bank charges, lost (or gained) on exchange,
written off, plus the payments taken back, must equal the sum of the balances on 31 December,
and each of those figures must equal the change of the ledger's own totals over the year (what
``wego-xl balances`` prints). A difference is a bug, raised, never a printed wrong total.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..app.confirmations import write_confirmations
from ..app.settings import payment_days
from ..errors import WegoError
from ..ledger.store import LedgerStore, entry_date
from ..ledger.verify import trail
from ..rules.ledger import (
    ZERO,
    CreditNote,
    Invoice,
    Ledger,
    LedgerBook,
    Reconciliation,
    Void,
    WriteOff,
    credit_effective,
    reconcile,
)
from ..store.roster import Roster
from ..store.saving import check_not_open, save_new
from ..store.xlsx import print_setup, write_cell, write_table
from .aging import BUCKET_NAMES, Aging, aging

ROLL_FORWARD, AGING, COLLECTIONS, TRAIL, JOURNAL = "Roll-forward", "Aging", "Collections", "Audit trail", "Journal"
USD_FORMAT, DATE_FORMAT = "#,##0.00", "yyyy-mm-dd"
JOURNAL_COLUMNS = ["Batch", "Transaction", "Date", "Entry", "Member", "Narration", "Account code", "Account",
                   "Debit (USD)", "Credit (USD)", "Debit (KRW)", "Credit (KRW)", "Rate"]  # fmt: skip
_MONEY_HEADERS = (
    "Amount (USD)", "Billed (USD)", "Collected (USD)", "Written off (USD)", "Open (USD)", "Credit (USD)",
    "Balance (USD)", "Debit (USD)", "Credit (USD)", *(f"{b} (USD)" for b in BUCKET_NAMES),
)  # fmt: skip
FORMATS = {**dict.fromkeys(_MONEY_HEADERS, USD_FORMAT), "Debit (KRW)": "#,##0", "Credit (KRW)": "#,##0",
           "Date": DATE_FORMAT, "Dated": DATE_FORMAT, "Collection rate": "0.0%", "Fee year": "0"}  # fmt: skip


class YearEndError(WegoError):
    """The year's figures do not add up: a bug in the toolkit, never a total to print."""


def _usd(amount: Decimal) -> float:
    return float(amount)  # a cell holds a double; amounts under 10 million to the cent are exact there


# -- the roll-forward ----------------------------------------------------------------------


@dataclass(frozen=True)
class RollForward:
    """The receivables from 1 January to 31 December of ``year``, line by line, and the
    ledger's own totals on both days (``before``, ``after``) they were checked against."""

    year: int
    opening: Decimal
    invoiced: Decimal
    credited: Decimal
    collected: Decimal  # the cash: what the bank credited, in USD
    bank_charges: Decimal
    exchange_differences: Decimal  # positive: a loss
    written_off: Decimal
    voids: Decimal  # payments taken back (what they had credited the member)
    balances: Decimal  # the sum of the members' balances on 31 December
    before: Reconciliation
    after: Reconciliation

    @property
    def closing(self) -> Decimal:
        return (self.opening + self.invoiced - self.credited - self.collected - self.bank_charges
                - self.exchange_differences - self.written_off + self.voids)  # fmt: skip

    def lines(self) -> list[tuple[str, Decimal]]:
        """The roll-forward as (label, signed amount): the opening, each movement with the sign
        it is added with, the closing, the balances and the difference (nil)."""
        y = self.year
        return [
            (f"Opening balance: the sum of the members' balances on 31 December {y - 1}", self.opening),
            (f"Invoiced in {y}", self.invoiced),
            (f"Credited (credit notes) in {y}", -self.credited),
            (f"Collected in {y}: cash received, in USD", -self.collected),
            (f"Bank charges kept on receipts of {y}", -self.bank_charges),
            (f"Exchange differences on receipts of {y} (a loss reduces, a gain adds)", -self.exchange_differences),
            (f"Written off as bad debt in {y}", -self.written_off),
            (f"Payments taken back (voids) in {y}", self.voids),
            (f"Closing balance on 31 December {y}", self.closing),
            (f"Check: the sum of the members' balances on 31 December {y} (wego-xl balances)", self.balances),
            ("Difference (must be nil)", self.closing - self.balances),
        ]


def roll_forward(book: LedgerBook, year: int) -> RollForward:
    """The year's roll-forward from the records, each movement checked against the change of
    the ledger's totals over the year and the closing against the balances on 31 December."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    before, after = book.replay(start - dt.timedelta(days=1)), book.replay(end)

    def within(day: dt.date) -> bool:
        return start <= day <= end

    issued = {i.number: i.issue_date for i in book.invoices}
    credits = [c for c in book.credits if c.invoice in issued and within(credit_effective(c, issued[c.invoice]))]
    received = {p.receipt: p for p in book.payments}
    paid = [p for p in book.payments if within(p.date)]
    voided = [received[v.receipt] for v in book.voids
              if v.receipt in received and within(max(v.date, received[v.receipt].date))]  # fmt: skip
    found = RollForward(
        year=year,
        opening=_balances(before),
        invoiced=sum((i.amount for i in book.invoices if within(i.issue_date)), ZERO),
        credited=sum((c.amount for c in credits), ZERO),
        collected=sum((p.value for p in paid), ZERO),
        bank_charges=sum((p.bank_charges for p in paid), ZERO),
        exchange_differences=sum((p.exchange_difference for p in paid), ZERO),
        written_off=sum(after.written_off.values(), ZERO) - sum(before.written_off.values(), ZERO),
        voids=sum((p.amount for p in voided), ZERO),
        balances=_balances(after),
        before=reconcile(before),
        after=reconcile(after),
    )
    _prove(found)
    return found


def _balances(ledger: Ledger) -> Decimal:
    return sum((ledger.balance(m) for m in ledger.members()), ZERO)


def _prove(r: RollForward) -> None:
    """Every line of the roll-forward equals the change of the ledger's total it moves, and
    the closing equals the balances: else a bug, raised before anything is written."""
    changes = {
        "invoiced": (r.invoiced, r.after.invoiced - r.before.invoiced),
        "credited": (r.credited, r.after.credited - r.before.credited),
        "paid (collected + bank charges + exchange differences - voids)": (
            r.collected + r.bank_charges + r.exchange_differences - r.voids, r.after.paid - r.before.paid),
        "written off": (r.written_off, r.after.written_off - r.before.written_off),
        "opening balance": (r.opening, r.before.outstanding),
        "closing balance": (r.closing, r.balances),
        "balances on 31 December": (r.balances, r.after.outstanding),
    }  # fmt: skip
    for name, (ours, ledgers) in changes.items():
        if ours != ledgers:
            raise YearEndError(
                f"the roll-forward of {r.year} does not add up: {name} {ours:,.2f} USD, the ledger says "
                f"{ledgers:,.2f} USD; nothing was written (a bug: please report it with the ledger's 'ledger log')"
            )
    if not r.after.reconciled or not r.before.reconciled:
        raise YearEndError(f"the ledger's balances do not reconcile on 31 December of {r.year - 1} or {r.year}: "
                           "run 'wego-xl ledger verify'; nothing was written")  # fmt: skip


# -- the sheets ----------------------------------------------------------------------------

Table = tuple[list[str], list[list[Any]]]


def _name(roster: Roster) -> Callable[[str], str]:
    names = {m.member_id: m.display_name for m in roster.members}
    return lambda member_id: names.get(member_id, member_id)


def roll_forward_tables(r: RollForward) -> tuple[Table, Table]:
    """The roll-forward (label, amount), and the ledger's totals on 31 December of the year
    before and of the year with the change between: the figures ``wego-xl balances`` prints."""
    lines = (["Receivables", "Amount (USD)"], [[label, _usd(amount)] for label, amount in r.lines()])
    y = r.year
    headers = ["The ledger's totals", f"31 December {y - 1} (USD)", f"In {y} (USD)", f"31 December {y} (USD)"]
    rows = []
    for label, key in (("Invoiced", "invoiced"), ("Credited", "credited"),
                       ("Paid (credited to members: cash, bank charges, exchange differences; less voids)", "paid"),
                       ("Written off", "written_off"), ("Outstanding: the sum of the balances", "outstanding")):  # fmt: skip
        was, now = getattr(r.before, key), getattr(r.after, key)
        rows.append([label, _usd(was), _usd(now - was), _usd(now)])
    return lines, (headers, rows)


def aging_table(found: Aging, name: Callable[[str], str]) -> Table:
    """One row per member with anything open or a credit, then the totals."""
    headers = ["Member ID", "Member", *(f"{b} (USD)" for b in BUCKET_NAMES), "Open (USD)", "Credit (USD)",
               "Balance (USD)"]  # fmt: skip
    rows: list[list[Any]] = []
    for m in found.members:
        rows.append([m.member_id, name(m.member_id), *(_usd(m.buckets[b]) for b in BUCKET_NAMES), _usd(m.open),
                     _usd(m.credit), _usd(m.balance)])  # fmt: skip
    totals = found.totals()
    rows.append(["Total", f"{len(found.members)} member(s)", *(_usd(totals[b]) for b in BUCKET_NAMES),
                 _usd(totals["open"]), _usd(totals["credit"]), _usd(totals["balance"])])  # fmt: skip
    return headers, rows


def collections_tables(roster: Roster, ledger: Ledger) -> dict[str, Table]:
    """What was billed (less credit notes), collected, written off and left open on the
    ledger's date, by fee year, by fee year and region, by fee year and membership type (the
    member's region and membership type as the roster has them). Billed and collected are the
    ledger view's Collections sheet's."""

    def member_of(member_id: str) -> tuple[str, str]:
        try:
            member = roster.member(member_id)
        except WegoError:
            return "(not on the roster)", "(not on the roster)"
        return member.region, member.membership.english

    groups: dict[str, Callable[[Any], tuple[Any, ...]]] = {
        "By fee year": lambda s: (s.invoice.fee_year,),
        "By region": lambda s: (s.invoice.fee_year, member_of(s.invoice.member_id)[0]),
        "By membership type": lambda s: (s.invoice.fee_year, member_of(s.invoice.member_id)[1]),
    }
    keys = {"By fee year": ["Fee year"], "By region": ["Fee year", "Region"],
            "By membership type": ["Fee year", "Membership"]}  # fmt: skip
    tables = {}
    for title, key in groups.items():
        sums: dict[tuple[Any, ...], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
        for state in ledger.invoices.values():
            row = sums[key(state)]
            row[0] += state.net
            row[1] += state.applied
            row[2] += state.written_off
            row[3] += state.open
        body: list[list[Any]] = []
        for k, (billed, collected, written_off, left) in sorted(sums.items()):
            rate = float((collected / billed).quantize(Decimal("0.0001"))) if billed > ZERO else None
            body.append([*k, _usd(billed), _usd(collected), _usd(written_off), _usd(left), rate])
        tables[title] = ([*keys[title], "Billed (USD)", "Collected (USD)", "Written off (USD)", "Open (USD)",
                          "Collection rate"], body)  # fmt: skip
    return tables


def trail_table(store: LedgerStore, book: LedgerBook, year: int, name: Callable[[str], str]) -> Table:
    """The audit trail of the year: every entry dated in the year (the day it counts from) or
    posted in it, in the order posted, with who, when, through what, and its hash."""
    dated: dict[str, dt.date] = {p.receipt: entry_date(p) for p in book.payments}
    records: list[Invoice | CreditNote | Void | WriteOff] = [*book.invoices, *book.credits, *book.voids,
                                                           *book.write_offs]  # fmt: skip
    for record in records:
        dated[record.number] = entry_date(record)
    rows = []
    for e in trail(store):
        day = dated.get(e["number"])
        if (day is not None and day.year == year) or str(e["posted_at"]).startswith(f"{year}-"):
            rows.append([e["seq"], e["kind"], e["number"], day, e["member_id"], name(e["member_id"]),
                         str(e["posted_at"])[:19].replace("T", " "), e["posted_by"], e["command"], e["hash"]])  # fmt: skip
    return ["Entry", "Kind", "Number", "Dated", "Member ID", "Member", "Posted at (UTC)", "Posted by", "Command",
            "Hash (SHA-256)"], rows  # fmt: skip


def journal_table(store: LedgerStore, roster: Roster, start: dt.date, end: dt.date) -> Table:
    """The period's journal (one row per posting), or one row saying why there is none."""
    try:
        from .journal import journal_lines
    except ImportError:
        return ["Journal"], [["The journal is not available in this version of wego-xl."]]
    try:
        lines = journal_lines(store, roster, start, end)
    except WegoError as exc:
        return ["Journal"], [[f"The journal of {start} to {end} could not be made: {exc}"]]
    if not lines:
        return JOURNAL_COLUMNS, []
    rows = []
    for line in lines:
        row = []
        for header in JOURNAL_COLUMNS:
            value = line.get(header)
            if header in FORMATS and header != "Date" and isinstance(value, str):
                value = float(value.replace(",", "")) if value.strip() else None
            elif header == "Date" and isinstance(value, str) and value:
                value = dt.date.fromisoformat(value)
            elif isinstance(value, Decimal):
                value = float(value)
            row.append(value)
        rows.append(row)
    return JOURNAL_COLUMNS, rows


# -- the pack ------------------------------------------------------------------------------


@dataclass
class Pack:
    """What ``year_end`` wrote: the workbook, the letters, and the figures behind them."""

    workbook: Path
    roll_forward: RollForward
    aging: Aging
    letters: list[Path] = field(default_factory=list)


def year_end(
    store: LedgerStore,
    roster: Roster,
    year: int,
    out: Path,
    *,
    language: str,
    written: dt.date | None = None,
    templates: Path | None = None,
) -> Pack:
    """Write the auditor's pack of ``year`` into ``out``: ``year-end-YEAR.xlsx`` and one
    confirmation letter per member with a balance on 31 December (``language`` first).
    The roll-forward is proved first; the pack is a view, written again on every run."""
    written = written or dt.date.today()
    end = dt.date(year, 12, 31)
    if end > written:
        raise YearEndError(f"the year {year} has not ended (31 December {year} is after {written}): "
                           "run the year-end pack once it has")  # fmt: skip
    book = store.load()
    found = roll_forward(book, year)  # a figure that does not add up stops here, before any file
    owed = aging(book, end)
    workbook = out / f"year-end-{year}.xlsx"
    if workbook.exists():
        check_not_open(workbook)
    letters = []
    if owed.members:  # the Settings' bank details are needed, and checked before anything is written
        reply_by = written + dt.timedelta(days=payment_days(roster.settings))
        letters = write_confirmations(roster, book, end, out, language=language, reply_by=reply_by,
                                      written=written, templates=templates)  # fmt: skip
    write_workbook(store, roster, book, found, owed, workbook, written)
    return Pack(workbook, found, owed, letters)


def write_workbook(store: LedgerStore, roster: Roster, book: LedgerBook, found: RollForward, owed: Aging,
                   target: Path, written: dt.date) -> Path:  # fmt: skip
    """The pack's workbook: each sheet headed, an Excel table per block, printable on A4."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    year = found.year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    name = _name(roster)
    heading = (f"WeGO membership dues, year end {year}: from the ledger {book.location}, written {written.isoformat()} "
               "(a view: edits here change nothing)")  # fmt: skip
    lines, totals = roll_forward_tables(found)
    sheets: dict[str, list[tuple[str, Table]]] = {
        ROLL_FORWARD: [(f"Roll-forward of the receivables, 1 January to 31 December {year}", lines),
                       ("Agreement with the ledger's totals (wego-xl balances)", totals)],
        AGING: [(f"Aging on 31 December {year}: open amounts by days past due; a member's credit apart",
                 aging_table(owed, name))],
        COLLECTIONS: [(f"Collections on 31 December {year}, {title.lower()}", table)
                      for title, table in collections_tables(roster, book.replay(end)).items()],
        TRAIL: [(f"Audit trail: the entries dated or posted in {year}", trail_table(store, book, year, name))],
        JOURNAL: [(f"Journal, {start} to {end}", journal_table(store, roster, start, end))],
    }  # fmt: skip
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, blocks in sheets.items():
        ws = wb.create_sheet(sheet)
        write_cell(ws, 1, 1, heading).font = Font(bold=True)
        top, widest, first_header = 3, 0, 4
        widths: dict[int, float] = {}
        for n, (title, (headers, rows)) in enumerate(blocks):
            write_cell(ws, top, 1, title).font = Font(bold=True)
            write_table(ws, headers, rows, name=f"{sheet} {n + 1}".replace("-", "_"), top=top + 1,
                        number_formats={**{h: USD_FORMAT for h in headers if h.endswith("(USD)")}, **FORMATS}, freeze=n == 0, as_table=len(blocks) == 1)  # fmt: skip
            for c in range(1, len(headers) + 1):  # the widest need of the blocks sharing a column
                letter = ws.cell(1, c).column_letter
                widths[c] = max(widths.get(c, 0), ws.column_dimensions[letter].width or 0)
            widest = max(widest, len(headers))
            top += len(rows) + 4
        if sheet == ROLL_FORWARD:
            widths[1] = 72  # the labels, whole
        if widest == 1:  # one column: a sentence (the journal's "not available"), wrapped on the page
            widths[1] = 100
            for row in ws.iter_rows(min_row=first_header + 1, max_col=1):
                row[0].alignment = Alignment(wrap_text=True, vertical="top")
        for c, width in widths.items():
            ws.column_dimensions[ws.cell(1, c).column_letter].width = width
        print_setup(ws, title=f"{sheet}, {year}", note=heading, header_row=first_header if len(blocks) == 1 else None,
                    landscape=widest > 5 or sum(widths.values()) > 100, printed_columns=widest, last_row=top)  # fmt: skip
    target.parent.mkdir(parents=True, exist_ok=True)
    return save_new(wb, target)
