"""Posting a sheet of typed payments (the Post sheet, or rows Excel hands over), all or
nothing: every row is read first and every bad row named (sheet, row, column, value, what to
do); a row an earlier run posted is found, never posted twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ..errors import SheetError, WegoError
from ..rules.dates import read_date
from ..rules.inputs import read_money, read_name
from ..rules.ledger import Payment
from ..store.roster import Roster
from ..store.sheets import SheetReader
from . import schema as t
from .payments import FieldProblem, PaymentInput, read_payment, record_receipt
from .store import Actor, LedgerError, LedgerStore, payment_of, reference_key
from .values import plain_text


class PostingError(WegoError):
    """Typed payments that cannot be posted; ``problems`` names every bad row. Nothing was posted."""

    def __init__(self, problems: Sequence[SheetError]):
        self.problems = problems
        super().__init__(f"{len(problems)} row(s) cannot be posted, so none was: " + "; ".join(map(str, problems)))


@dataclass(frozen=True)
class TypedRow:
    """A row of the Post sheet: where it is and what it holds."""

    sheet: str
    row: int
    payment: PaymentInput
    source: str = ""

    def key(self, roster: Roster) -> str | None:
        """The row as read (file name, sheet, row, member, cents, date, reference, invoice,
        note), the same whichever reader gave it (openpyxl's 4000 and datetime, Office.js's
        4000.0 and day number): posted once however often and from wherever the posting runs.
        None for a row that cannot be read (it is refused anyway)."""
        given = self.payment
        try:
            day = read_date(given.date, "the date received")
            read = (
                os.path.basename(self.source), self.sheet, self.row, roster.member(read_name(given.member)).member_id,
                str(read_money(given.amount)), day.isoformat() if day else "",
                reference_key(plain_text(given.reference, "the bank reference")),
                plain_text(given.invoice, "the invoice"), plain_text(given.note, "the note"),
            )  # fmt: skip
        except WegoError:
            return None
        return hashlib.sha256(repr(read).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Posted:
    """A row of the Post sheet and its payment; ``before`` when an earlier run posted it."""

    row: TypedRow
    payment: Payment
    before: bool = False


#: The Post sheet's columns, and the field each fills.
POST_COLUMNS = {
    "Date received": "date", "Member": "member", "Amount received": "amount", "Currency": "currency",
    "Bank charges (USD)": "bank_charges", "Bank reference": "reference", "Invoice number": "invoice", "Note": "note",
}  # fmt: skip
#: Columns a Post sheet made before them may lack (blank: USD), and the earlier names of columns.
POST_OPTIONAL = ("Currency",)
POST_EARLIER = {"Amount (USD)": "Amount received"}


def post_columns(header: Iterable[object]) -> dict[str, str]:
    """The Post sheet's columns by the names its header row gives them (an earlier sheet's
    "Amount (USD)" is the amount received); a missing column is an error naming it."""
    found = {str(h).strip() for h in header if h is not None}
    columns = {}
    for column, name in POST_COLUMNS.items():
        earlier = [old for old, new in POST_EARLIER.items() if new == column and old in found]
        if column in found or not earlier:
            columns[column] = name
        else:
            columns[earlier[0]] = name
    missing = [c for c in columns if c not in found and c not in POST_OPTIONAL]
    if missing:
        raise LedgerError(f"column {missing[0]!r} is missing from the Post sheet's header row: restore it in row 1")
    return columns


def post_payments(
    store: LedgerStore,
    roster: Roster,
    rows: Iterable[TypedRow],
    *,
    by: Actor,
    today: dt.date | None = None,
    header: Iterable[object] = POST_COLUMNS,
) -> list[Posted]:
    """Post typed payments all or nothing: every row is checked first and every bad row named
    (sheet, row, column, value, what to do); then all are recorded in one transaction. A row
    an earlier run posted (its receipt number not written back) is found, never posted twice."""
    today = today or dt.date.today()
    rows = list(rows)
    columns = {v: k for k, v in post_columns(header).items()}  # as the sheet names them
    with store.writing() as conn:
        read: list[tuple[TypedRow, Payment, str, str]] = []
        done: dict[int, Posted] = {}
        problems: list[SheetError] = []
        seen: dict[str, str] = {}
        keys = {typed.row: typed.key(roster) for typed in rows}
        for typed in rows:
            key = keys[typed.row]
            earlier = None
            if key is not None:
                earlier = conn.execute(select(t.payments).where(t.payments.c.source_key == key)).mappings().first()
            if earlier is not None:
                done[typed.row] = Posted(typed, payment_of(earlier), before=True)
                continue
            try:
                payment, _, reference, note = read_payment(
                    store, conn, roster, typed.payment, today, seen, typed_date=True
                )
            except FieldProblem as exc:
                cells = SheetReader(typed.source, typed.sheet, SheetError)
                problems.append(cells.error(typed.row, columns[exc.field_name], exc.value, str(exc),
                                            "correct the cell, then post again"))  # fmt: skip
                continue
            if reference:
                seen[reference_key(reference)] = f"row {typed.row}"
            read.append((typed, payment, reference, note))
        if problems:
            raise PostingError(problems)
        for typed, payment, reference, note in read:
            recorded = record_receipt(conn, store, payment, reference, note, by, keys[typed.row] or "")
            done[typed.row] = Posted(typed, recorded)
    return [done[typed.row] for typed in rows]
