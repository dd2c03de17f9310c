"""Recording a payment received: every typed value read and checked (naming the field that
cannot be right), converted to USD at the day's rate when in another currency, numbered
R-YYYY-NNN and written in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import Connection, select

from ..app.settings import BankSettings, bank_settings
from ..errors import InputError, WegoError
from ..rules.bank import HOME, Settlement, settle, to_usd
from ..rules.dates import read_date
from ..rules.inputs import MONEY_LIMIT, is_blank, read_money, read_name, refuse_in_free_text
from ..rules.ledger import ZERO, Payment
from ..store.roster import Roster
from . import schema as t
from .corrections import keep_write_offs_whole
from .exchange import rate_on
from .store import Actor, LedgerStore, check_open, reference_key
from .values import REFERENCE_LIMIT, check_day, plain_text

T = TypeVar("T")


class FieldProblem(InputError):
    """A typed value that cannot be recorded, naming its field (a column of the Post sheet,
    an option of the command)."""

    def __init__(self, field_name: str, message: str, value: object = None):
        self.field_name, self.value = field_name, value
        super().__init__(message)


@dataclass(frozen=True)
class PaymentInput:
    """A payment as typed: every value as the user gave it, read by the service."""

    member: object
    amount: object
    date: object = None
    bank_charges: object = None
    reference: object = None
    invoice: object = None
    note: object = None
    currency: object = None  # blank: USD


@dataclass(frozen=True)
class Receipt:
    """A payment as recorded, and the member's balance after it."""

    payment: Payment
    member_name: str
    balance: Decimal
    #: receipts posted from the bank's statement of the same value within ten days: the same
    #: transfer typed again? (void one if so)
    twins: tuple[str, ...] = ()


def read_payment(
    store: LedgerStore,
    conn: Connection,
    roster: Roster,
    given: PaymentInput,
    today: dt.date,
    seen: dict[str, str],
    *,
    typed_date: bool = False,
) -> tuple[Payment, str, str, str]:
    """(payment without its receipt, member name, bank reference, note), or a FieldProblem;
    ``seen``: the bank references of the rows read before, by key."""
    if isinstance(given.member, str):
        _field(given, "member", lambda: refuse_in_free_text(str(given.member), "the member's name"))
    member = _field(given, "member", lambda: roster.member(read_name(given.member)))
    currency = _field(given, "currency", lambda: read_currency(given.currency))
    amount, charges = _amounts(given, currency)
    if typed_date and is_blank(given.date):
        raise FieldProblem("date", "the date received is blank: type the date the money arrived", given.date)
    day = _field(given, "date", lambda: read_date(given.date, "the date received") or today)
    _field(given, "date", lambda: check_day(day, "the date received", today))
    _field(given, "date", lambda: check_open(conn, day))  # a closed period: named on its row
    reference = _reference(conn, given, seen)
    invoice = _field(given, "invoice", lambda: plain_text(given.invoice, "the invoice number", 40))
    if invoice:
        owner = conn.execute(select(t.invoices.c.member_id).where(t.invoices.c.number == invoice)).scalar()
        if owner != member.member_id:
            raise FieldProblem("invoice", f"{member.display_name} has no invoice {invoice}", invoice)
    note = _field(given, "note", lambda: plain_text(given.note, "the note"))
    bank = _field(given, "currency", lambda: bank_settings(roster.settings))
    typed_charges = None if is_blank(given.bank_charges) else charges
    payment = _field(
        given,
        "currency" if currency != "USD" else "amount",
        lambda: receipt(
            store, conn, bank, Payment("", member.member_id, day, amount, invoice), currency, typed_charges
        ),
    )
    return payment, member.display_name, reference, note


def _field(given: PaymentInput, name: str, read: Callable[[], T]) -> T:
    """``read()`` of one typed field; a formula, or a value ``read`` refuses, is a FieldProblem
    naming the field."""
    try:
        if isinstance(getattr(given, name), str) and getattr(given, name).lstrip().startswith("="):
            plain_text(getattr(given, name), f"the {name.replace('_', ' ')}")  # a formula: refused
        return read()
    except WegoError as exc:
        raise FieldProblem(name, str(exc), getattr(given, name)) from None


def _amounts(given: PaymentInput, currency: str) -> tuple[Decimal, Decimal]:
    """(amount received, bank charges) as typed: more than 0, and charges 0 or more (and, in
    USD, no more than the amount)."""
    amount = _field(given, "amount", lambda: read_money(given.amount, "the amount received", currency=currency))
    if amount <= ZERO:
        raise FieldProblem("amount", f"the amount received must be more than 0 {currency}, got {amount}", given.amount)
    charges = _field(
        given,
        "bank_charges",
        lambda: read_money(0 if is_blank(given.bank_charges) else given.bank_charges, "the bank charges"),
    )
    if charges < ZERO:
        raise FieldProblem("bank_charges", f"bank charges cannot be negative, got {charges}", given.bank_charges)
    if currency == "USD" and charges > amount:
        raise FieldProblem("bank_charges", f"bank charges of {charges:,.2f} are more than the {amount:,.2f} received: "
                           "check the two amounts", given.bank_charges)  # fmt: skip
    return amount, charges


def _reference(conn: Connection, given: PaymentInput, seen: dict[str, str]) -> str:
    """The bank reference as typed; one typed on a row before, or recorded already, is refused
    (the same transfer twice?)."""
    reference = _field(given, "reference", lambda: plain_text(given.reference, "the bank reference", REFERENCE_LIMIT))
    if reference:
        key = reference_key(reference)
        if key in seen:
            raise FieldProblem("reference", f"the bank reference {reference!r} is also on {seen[key]}: the same "
                               "transfer twice? delete one", reference)  # fmt: skip
        found = conn.execute(select(t.payments.c.receipt).where(t.payments.c.bank_reference_key == key)).scalar()
        if found:
            raise FieldProblem("reference", f"the bank reference {reference!r} is recorded already (receipt {found}):"
                               " the same transfer twice?", reference)  # fmt: skip
    return reference


def read_currency(value: object) -> str:
    """A currency code as typed ("krw", " EUR "); blank is USD."""
    if is_blank(value):
        return HOME
    code = plain_text(value, "the currency", 3).upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        raise InputError(f"the currency {value!r} is not a three-letter code such as USD, KRW or EUR")
    import pycountry

    if pycountry.currencies.get(alpha_3=code) is None:
        raise InputError(f"{code} is not a currency (ISO 4217): type a code such as USD, KRW or EUR")
    return code


def receipt(
    store: LedgerStore,
    conn: Connection,
    bank: BankSettings,
    given: Payment,
    currency: str,
    charges: Decimal | None,
    *,
    settles: Decimal | None = None,
) -> Payment:
    """A receipt of ``given.amount`` in ``currency`` as it is recorded: converted to USD at
    the day's rate (frozen on it), and settling what it pays when short by no more than the
    tolerance (bank charges; an exchange difference for another currency). ``charges`` typed
    are taken as they are; ``settles``: what the receipt pays (default: the invoice it names,
    else the member's oldest open invoice, else all it owes)."""
    foreign = currency != HOME
    rate, value = None, given.amount
    if foreign:
        rate, _ = rate_on(conn, currency, given.date, bank)
        value = to_usd(given.amount, rate.per_usd)
    if value >= MONEY_LIMIT:
        raise InputError(f"{given.amount:,.2f} {currency} is worth {value:,.2f} USD, more than any receipt can be "
                         f"(under {MONEY_LIMIT:,.0f} USD): check the amount")  # fmt: skip
    if charges is not None and charges > value:
        raise InputError(f"bank charges of {charges:,.2f} USD are more than the {value:,.2f} USD received: "
                         "check the two amounts")  # fmt: skip
    if charges is not None and not foreign:
        done = Settlement(value, bank_charges=charges)
    else:
        done = Settlement(value)
        for open_amount in [settles] if settles is not None else _open_amounts(store, conn, given):
            found = settle(value + (charges or ZERO), open_amount, bank.tolerance, foreign=foreign)
            if found.credited != value + (charges or ZERO):
                done = found
                break
        if charges:
            done = Settlement(value, charges, done.exchange_difference)
    if done.credited <= ZERO:
        raise InputError(f"{given.amount:,.2f} {currency} is worth {value:,.2f} USD: too little to record")
    return Payment(given.receipt, given.member_id, given.date, done.credited, given.invoice, done.bank_charges,
                   done.exchange_difference, currency, given.amount if foreign else None,
                   rate.per_usd if rate else None, rate.day if rate else None, rate.source if rate else "")  # fmt: skip


def _open_amounts(store: LedgerStore, conn: Connection, given: Payment) -> list[Decimal]:
    """What a receipt may settle: the invoice it names; else the member's oldest open invoice,
    then everything the member owes."""
    ledger = store.load(conn, member_id=given.member_id).replay(given.date)
    if given.invoice and given.invoice in ledger.invoices:
        return [ledger.invoices[given.invoice].open]
    open_invoices = ledger.open_invoices(given.member_id)
    return [open_invoices[0].open, sum((s.open for s in open_invoices), ZERO)] if open_invoices else []


def record_receipt(
    conn: Connection, store: LedgerStore, payment: Payment, reference: str, note: str, by: Actor, source_key: str = ""
) -> Payment:
    """Number a payment read (R-YYYY-NNN) and write it; an entry dated before a write-off it
    would change is refused."""
    number = store.next_number(conn, "R", payment.date.year)
    recorded = replace(payment, receipt=number)
    store.post(conn, recorded, by, bank_reference=reference, note=note, source_key=source_key or None)
    keep_write_offs_whole(store, conn, payment.member_id, f"a payment dated {payment.date}")
    return recorded


def record_payment(
    store: LedgerStore, roster: Roster, given: PaymentInput, *, by: Actor, today: dt.date | None = None
) -> Receipt:
    """Record one payment received: checked, numbered (R-YYYY-NNN) and written in one
    transaction; returns it with the member's balance after it."""
    today = today or dt.date.today()
    with store.writing() as conn:
        payment, name, reference, note = read_payment(store, conn, roster, given, today, {})
        recorded = record_receipt(conn, store, payment, reference, note, by)
        book = store.load(conn, member_id=payment.member_id)
        from_bank = set(conn.execute(select(t.bank_matches.c.receipt)).scalars())
        twins = tuple(p.receipt for p in book.payments if p.receipt in from_bank and p.value == recorded.value
                      and abs((p.date - recorded.date).days) <= 10)  # fmt: skip
    return Receipt(recorded, name, book.replay().balance(payment.member_id), twins)
