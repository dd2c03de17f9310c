"""The review workbook: every receipt that waits for a person, with the proposed member and
invoice and the reason; a person marks Accept (or names another member, or sets the line
aside with a reason, or teaches the payer's name) and ``wego-xl bank post`` posts it all or
nothing. Posting the same workbook again posts nothing twice (each line is posted once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from ..app.settings import BankSettings, bank_settings
from ..errors import SheetError, WegoError
from ..ledger import schema as t
from ..ledger.service import PostingError, plain_text
from ..ledger.store import Actor, LedgerStore
from ..rules.bank import BankLine, Matcher, Proposal
from ..rules.inputs import is_blank, read_name
from ..rules.ledger import Payment
from ..store.roster import Roster
from ..store.saving import save_new
from ..store.sheets import SheetReader
from ..store.xlsx import open_workbook, print_setup, write_table
from .service import (
    dismiss,
    line_of,
    matcher,
    open_lines,
    post_line,
    refresh,
    teach_payer,
    usd_value,
    voided_lines,
)

SHEET = "Review"
COLUMNS = ["Value date", "Amount", "Currency", "USD", "Payer", "Text", "Proposed member", "Proposed invoices",
           "Reason", "Accept", "Member", "Teach payer", "Not dues (reason)", "Line key"]  # fmt: skip
FILLED = ["Accept", "Member", "Teach payer", "Not dues (reason)"]
YES = {"yes", "y", "x", "1", "true", "예", "네", "o"}


def write_review(store: LedgerStore, roster: Roster, path: Path) -> int:
    """Write the receipts that wait for a person to ``path``; returns how many."""
    from openpyxl import Workbook

    bank = bank_settings(roster.settings)
    shown = {m.member_id: m.display_name for m in roster.members}
    rows: list[list[Any]] = []
    with store.reading() as conn:
        match = matcher(store, conn, roster)
        voided = voided_lines(conn)
        for line in open_lines(conn):
            try:
                usd = usd_value(conn, line, bank)
            except WegoError as exc:
                rows.append([line.value_date, float(line.amount), line.currency, None, line.counterparty, line.text,
                             "", "", str(exc), None, None, None, None, line.key])  # fmt: skip
                continue
            p = match.propose(line, usd)
            why = p.reason + (f"; its payment {voided[line.key]} was voided" if line.key in voided else "")
            rows.append([line.value_date, float(line.amount), line.currency, float(usd), line.counterparty, line.text,
                         shown.get(p.member_id or "", ""), ", ".join(p.invoices), why, None, None, None, None,
                         line.key])  # fmt: skip
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    write_table(ws, COLUMNS, rows, name="Review",
                number_formats={"Value date": "yyyy-mm-dd", "Amount": "#,##0.00", "USD": "#,##0.00"},
                widths={"Payer": 28, "Text": 40, "Proposed member": 18, "Proposed invoices": 20, "Reason": 60,
                        "Accept": 8, "Member": 16, "Teach payer": 12, "Not dues (reason)": 24, "Line key": 10})  # fmt: skip
    print_setup(ws, title="Bank lines to review", note="Accept: yes to post the proposal; Member: another member; "
                "Teach payer: yes to remember the payer's name; Not dues: why the line is no member's payment.",
                header_row=1, landscape=True, printed_columns=len(COLUMNS) - 1, last_row=len(rows) + 1)  # fmt: skip
    save_new(wb, Path(path))
    return len(rows)


@dataclass
class Reviewed:
    posted: list[Payment] = field(default_factory=list)
    set_aside: int = 0
    taught: int = 0
    before: int = 0  # lines an earlier run posted or set aside


def post_review(store: LedgerStore, roster: Roster, path: Path, *, by: Actor) -> Reviewed:
    """Post the accepted lines of a review workbook, all or nothing: every bad row is named
    (row, column, value, what to do) and nothing is posted while one is."""
    wb = open_workbook(Path(path))  # a file that is no workbook: one line naming it
    cells = SheetReader(path, SHEET, SheetError)
    records = cells.rows(wb, ["Line key", *FILLED], "write the review workbook again with 'wego-xl bank review'",
                         ["Amount"])  # fmt: skip
    bank = bank_settings(roster.settings)
    done = Reviewed()
    with store.writing() as conn:
        match = matcher(store, conn, roster)
        waiting = {line.key for line in open_lines(conn)}
        plan: list[tuple[BankLine, str | None, Proposal, str, bool]] = []
        for r, rec in records:
            if all(is_blank(rec.get(c)) for c in FILLED):
                continue
            line = _line_of_row(conn, cells, r, rec)
            if line is None:
                continue
            if line.key not in waiting:  # posted or set aside by an earlier run (or another person)
                done.before += 1
                continue
            marks = _marks(cells, roster, r, rec)
            if marks is None:
                continue
            reason, accept, member, typed = marks
            try:
                usd = usd_value(conn, line, bank)
            except WegoError as exc:
                cells.problem(
                    r, "Line key", rec["Line key"], str(exc), "import the rate of the line's day, then post again"
                )
                continue
            proposal = match.propose(line, usd)
            who = member or proposal.member_id
            if (accept or member) and reason:
                cells.problem(r, "Not dues (reason)", reason, "a line is posted or set aside, not both", "clear one")
            elif (accept or member) and who is None:
                cells.problem(r, "Member", typed, "nothing is proposed for this line", "type the member who paid")
            teach = str(rec.get("Teach payer") or "").strip().casefold() in YES
            if teach and not line.counterparty:
                cells.problem(r, "Teach payer", rec.get("Teach payer"), "the line names no payer", "clear the cell")
            plan.append((line, who if (accept or member) else None, proposal, reason, teach))
        if cells.problems:
            raise PostingError(cells.problems)
        _carry_out(store, conn, match, bank, plan, done, by)
    return done


def _line_of_row(conn: Connection, cells: SheetReader[SheetError], r: int, rec: dict[str, Any]) -> BankLine | None:
    """The bank line a review row names by its key; None, the problem recorded, for a key of
    no line, or of a line of another amount than the row shows (a key copied from another row)."""
    row = conn.execute(select(t.bank_lines).where(t.bank_lines.c.key == str(rec["Line key"]).strip())).first()
    if row is None:
        cells.problem(r, "Line key", rec["Line key"], "is no bank line of this ledger", "write the review again")
        return None
    line = line_of(row)
    typed_amount = rec.get("Amount")
    if isinstance(typed_amount, (int, float)) and Decimal(str(typed_amount)) != line.amount:
        cells.problem(r, "Line key", rec["Line key"], f"is the line of {line.amount:,.2f} {line.currency}, not of the "
                      f"row's {typed_amount:,.2f}: was a key copied from another row?", "write the review again")  # fmt: skip
        return None
    return line


def _marks(
    cells: SheetReader[SheetError], roster: Roster, r: int, rec: dict[str, Any]
) -> tuple[str, bool, str | None, object] | None:
    """What the person marked on a row: (why it is not dues, accepted, the member typed, the
    Member cell as typed); None, the problem recorded, when a mark cannot be read."""
    try:
        reason = plain_text(rec.get("Not dues (reason)"), "the reason")
        accept = str(rec.get("Accept") or "").strip().casefold() in YES
        typed = rec.get("Member")
        member = roster.member(read_name(typed)).member_id if not is_blank(typed) else None
    except WegoError as exc:
        cells.problem(r, "Member", rec.get("Member"), str(exc), "type a member's name as the roster has it")
        return None
    return reason, accept, member, typed


def _carry_out(
    store: LedgerStore,
    conn: Connection,
    match: Matcher,
    bank: BankSettings,
    plan: list[tuple[BankLine, str | None, Proposal, str, bool]],
    done: Reviewed,
    by: Actor,
) -> None:
    """Post or set aside each planned line, in the workbook's order, and teach the payers' names."""
    for line, who, proposal, reason, teach in plan:
        if reason:
            dismiss(conn, line, reason, by)
            done.set_aside += 1
        elif who is not None:
            proposal = match.propose(line, usd_value(conn, line, bank))  # after the rows posted before it
            same = who == proposal.member_id
            invoices = proposal.invoices if same else ()
            why = f"review: {proposal.reason}" if same else "review: assigned by hand"
            done.posted.append(post_line(store, conn, line, who, invoices, proposal.open_amount, bank, by, why))
            refresh(store, conn, match, who)
        if teach and who is not None:
            done.taught += teach_payer(conn, line.counterparty, who, by)
