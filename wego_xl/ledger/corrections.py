"""Corrections: a credit note on an invoice, a payment voided, a debt written off. Each is a
new entry naming who, why (and by what decision); what was issued or received stays as it
was recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, select

from ..errors import InputError
from ..rules.inputs import is_blank, read_money, refuse_in_free_text
from ..rules.ledger import ZERO, CreditNote, Payment, Void, WriteOff
from . import schema as t
from .store import Actor, LedgerError, LedgerStore, payment_of, stored_day
from .values import check_day, stated_reason


def keep_write_offs_whole(store: LedgerStore, conn: Connection, member_id: str, what: str) -> None:
    """Refuse (rolling back) an entry dated before a write-off of the member that would leave
    the write-off more than its invoice left open: bad debt written off stays what it was."""
    book = store.load(conn, member_id=member_id)
    if not book.write_offs:
        return
    taken = book.replay().invoices
    for w in book.write_offs:
        asked = sum((x.amount for x in book.write_offs if x.invoice == w.invoice), ZERO)
        if taken[w.invoice].written_off != asked:
            raise InputError(
                f"{what} would come before {w.number}, which wrote off {w.amount:,.2f} USD of {w.invoice} on "
                f"{w.date}: date it after {w.date} (money received after a write-off is the member's credit)"
            )


def _invoice_row(store: LedgerStore, conn: Connection, number: str) -> Any:
    """An invoice's row, or an error naming the ledger."""
    refuse_in_free_text(number, "the invoice number")
    row = conn.execute(select(t.invoices).where(t.invoices.c.number == number)).mappings().first()
    if row is None:
        raise LedgerError(f"no invoice {number} in the ledger {store.shown}")
    return row


def issue_credit(
    store: LedgerStore,
    invoice_number: str,
    amount: object,
    reason: str,
    *,
    by: Actor,
    date: dt.date | None = None,
    today: dt.date | None = None,
) -> tuple[CreditNote, Decimal]:
    """A credit note on an invoice (the only way what an invoice asks changes), never more
    than the invoice still asks; returns it and what the invoice asks after it."""
    today = today or dt.date.today()
    money = read_money(amount, "the credit")
    why = stated_reason(reason, "the credit note's reason")
    with store.writing() as conn:
        row = _invoice_row(store, conn, invoice_number)
        on = check_day(date or today, "the credit note's date", today)
        book = store.load(conn, member_id=row["member_id"])
        invoice = next(i for i in book.invoices if i.number == invoice_number)
        if on < invoice.issue_date:
            raise InputError(
                f"the credit note's date {on} is before {invoice_number} was issued ({invoice.issue_date})"
            )
        state = book.replay().invoices[invoice_number]
        left = state.net - state.written_off  # what was written off is not credited again
        if state.written_off > ZERO and money > max(state.open, ZERO):
            raise InputError(
                f"{invoice_number} was written off in part as bad debt and has {max(state.open, ZERO):,.2f} USD open: "
                f"a credit note of {money:,.2f} would turn the written-off debt into the member's credit; "
                "credit at most what is open"
            )
        if money <= ZERO or money > left:
            raise InputError(
                f"the credit must be more than 0 and at most {left:,.2f} USD (what {invoice_number} asks now), "
                f"got {money:,.2f}"
            )
        note = CreditNote(store.next_number(conn, "CN", invoice.fee_year), invoice_number, money, on, why)
        store.post(conn, note, by, member_id=invoice.member_id)
        keep_write_offs_whole(store, conn, invoice.member_id, f"a credit note dated {on}")
        if money == state.net:  # credited in full: the member and fee year may be invoiced again
            conn.execute(delete(t.live_invoices).where(t.live_invoices.c.invoice_number == invoice_number))
    return note, left - money


def void_payment(
    store: LedgerStore,
    receipt: str,
    reason: str,
    *,
    by: Actor,
    date: dt.date | None = None,
    today: dt.date | None = None,
) -> tuple[Void, Payment]:
    """Take a payment back (recorded in error, returned by the bank): a void entry naming who
    and why; the payment stays as recorded, its number is never given again."""
    today = today or dt.date.today()
    why = stated_reason(reason, "the void's reason")
    refuse_in_free_text(receipt, "the receipt number")
    with store.writing() as conn:
        row = conn.execute(select(t.payments).where(t.payments.c.receipt == receipt)).mappings().first()
        if row is None:
            raise LedgerError(f"no receipt {receipt} in the ledger {store.shown}")
        payment = payment_of(row)
        done = conn.execute(select(t.voids.c.number).where(t.voids.c.receipt == receipt)).scalar()
        if done:
            raise InputError(f"receipt {receipt} is voided already ({done})")
        on = check_day(date or today, "the void's date", today)
        if on < payment.date:
            raise InputError(f"the void's date {on} is before the payment was received ({payment.date})")
        void = Void(store.next_number(conn, "V", on.year), receipt, on, why)
        store.post(conn, void, by, member_id=payment.member_id)
    return void, payment


def write_off(
    store: LedgerStore,
    invoice_number: str,
    reason: str,
    decision: str,
    *,
    by: Actor,
    amount: object = None,
    date: dt.date | None = None,
    today: dt.date | None = None,
) -> tuple[WriteOff, Decimal]:
    """Write off what an invoice leaves open (or ``amount`` of it) as bad debt, by a decision
    (e.g. "EC 2018-3"): a new entry naming who, why and by what decision; the invoice stays as
    issued. Returns the write-off and what the invoice leaves open after it."""
    today = today or dt.date.today()
    why = stated_reason(reason, "the write-off's reason")
    by_what = stated_reason(decision, "the decision (e.g. EC 2018-3)")
    with store.writing() as conn:
        row = _invoice_row(store, conn, invoice_number)
        on = check_day(date or today, "the write-off's date", today)
        issued = stored_day(row["issue_date"])
        if on < issued:
            raise InputError(f"the write-off's date {on} is before {invoice_number} was issued ({issued})")
        book = store.load(conn, member_id=row["member_id"])
        state = book.replay(on).invoices[invoice_number]
        left = state.open
        money = left if is_blank(amount) else read_money(amount, "the amount written off")
        if left <= ZERO or not ZERO < money <= left:
            raise InputError(f"{invoice_number} leaves {max(left, ZERO):,.2f} USD open on {on}: a write-off is more "
                             f"than 0 and at most that, got {money:,.2f}")  # fmt: skip
        entry = WriteOff(store.next_number(conn, "WO", on.year), invoice_number, money, on, why, by_what)
        store.post(conn, entry, by, member_id=state.invoice.member_id)
    return entry, left - money
