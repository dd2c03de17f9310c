"""The ledger's rows read back as the rules' records (money from cents, days from what the
database gives back), and which rows a load reads: all, one member's, or one fee year's."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from ..rules.ledger import CreditNote, Invoice, LedgerBook, Payment, Void, WriteOff
from . import schema as t


def read_book(conn: Connection, shown: str, *, member_id: str | None = None, fee_year: int | None = None) -> LedgerBook:
    """The ledger's records (all, or one member's, or one fee year's invoices with their
    credit notes), as the rules replay them; ``shown`` names the ledger."""
    book = LedgerBook(shown)
    inv = select(t.invoices)
    if member_id is not None:
        inv = inv.where(t.invoices.c.member_id == member_id)
    if fee_year is not None:
        inv = inv.where(t.invoices.c.fee_year == fee_year)
    for r in conn.execute(inv.order_by(t.invoices.c.seq)).mappings():
        book.invoices.append(invoice_of(r))
        book.invoice_basis[r["number"]] = json.loads(r["basis"])
    cn = _on_these_invoices(t.credit_notes, member_id, fee_year)
    book.credits = [credit_of(r) for r in conn.execute(cn).mappings()]
    wo = _on_these_invoices(t.write_offs, member_id, fee_year)
    book.write_offs = [write_off_of(r) for r in conn.execute(wo).mappings()]
    if fee_year is None:
        pay = select(t.payments).order_by(t.payments.c.seq)
        vo = select(t.voids).order_by(t.voids.c.seq)
        if member_id is not None:
            pay = pay.where(t.payments.c.member_id == member_id)
            vo = vo.join(t.payments, t.payments.c.receipt == t.voids.c.receipt).where(
                t.payments.c.member_id == member_id
            )
        book.payments = [payment_of(r) for r in conn.execute(pay).mappings()]
        book.voids = [void_of(r) for r in conn.execute(vo).mappings()]
    return book


def _on_these_invoices(table: Any, member_id: str | None, fee_year: int | None) -> Any:
    """The rows of ``table`` (credit notes, write-offs) on the invoices a load reads: all, or
    one member's, or one fee year's (the join keeps them to those invoices)."""
    query = select(table).order_by(table.c.seq)
    if member_id is None and fee_year is None:
        return query
    query = query.join(t.invoices, t.invoices.c.number == table.c.invoice_number)
    if member_id is not None:
        query = query.where(t.invoices.c.member_id == member_id)
    if fee_year is not None:
        query = query.where(t.invoices.c.fee_year == fee_year)
    return query


def money(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def stored_day(value: Any) -> dt.date:
    """A date as the database gives it back (a date, or ISO text from SQLite)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def invoice_of(r: Any) -> Invoice:
    return Invoice(r["number"], r["member_id"], r["fee_year"], stored_day(r["issue_date"]), stored_day(r["due_date"]),
                   money(r["amount_cents"]))  # fmt: skip


def credit_of(r: Any) -> CreditNote:
    return CreditNote(r["number"], r["invoice_number"], money(r["amount_cents"]), stored_day(r["date"]), r["reason"])


def payment_of(r: Any) -> Payment:
    if r.get("currency") is None:
        return Payment(r["receipt"], r["member_id"], stored_day(r["date_received"]), money(r["amount_cents"]),
                       r["invoice_number"] or "", money(r["bank_charges_cents"]))  # fmt: skip
    return Payment(r["receipt"], r["member_id"], stored_day(r["date_received"]), money(r["amount_cents"]),
                   r["invoice_number"] or "", money(r["bank_charges_cents"]),
                   money(r["exchange_difference_cents"] or 0), r["currency"],
                   Decimal(r["amount_received"]) if r["amount_received"] else None,
                   Decimal(r["rate"]) if r["rate"] else None,
                   stored_day(r["rate_date"]) if r["rate_date"] else None, r["rate_source"] or "")  # fmt: skip


def write_off_of(r: Any) -> WriteOff:
    return WriteOff(r["number"], r["invoice_number"], money(r["amount_cents"]), stored_day(r["date"]), r["reason"],
                    r["decision"])  # fmt: skip


def void_of(r: Any) -> Void:
    return Void(r["number"], r["receipt"], stored_day(r["date"]), r["reason"])
