"""The dues ledger's records as they are entered: invoices as issued, credit notes, payments,
voids and write-offs, money in :class:`~decimal.Decimal` USD to the cent, and the numbering
of each series. What follows from them is :mod:`wego_xl.rules.ledger`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .inputs import read_money

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def usd(value: object, name: str = "the amount") -> Decimal:
    """An amount in USD to the cent, read exactly by :func:`~wego_xl.rules.inputs.read_money`
    (the one reading of money): never a float sum, never a rounding, never a guess."""
    return read_money(value, name)


@dataclass(frozen=True, slots=True)
class Invoice:
    """One invoice as issued (its basis is frozen in the ledger workbook)."""

    number: str
    member_id: str
    fee_year: int
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal

    @property
    def order(self) -> tuple:
        return (self.fee_year, self.issue_date, self.number)


@dataclass(frozen=True, slots=True)
class CreditNote:
    number: str
    invoice: str
    amount: Decimal
    date: dt.date
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Payment:
    """A receipt. ``amount`` is what it credits to the member, in USD: the value the bank
    credited, plus the bank charges kept on the way, plus a realised exchange difference
    (positive: a loss) for a receipt in another currency."""

    receipt: str
    member_id: str
    date: dt.date
    amount: Decimal  # credited to the member, in USD
    invoice: str = ""  # the invoice the payment names, if any
    bank_charges: Decimal = ZERO
    exchange_difference: Decimal = ZERO
    currency: str = "USD"  # of what the bank credited
    received: Decimal | None = None  # what the bank credited, in ``currency`` (None: the USD value)
    rate: Decimal | None = None  # units of ``currency`` per 1 USD, frozen at posting
    rate_date: dt.date | None = None
    rate_source: str = ""

    @property
    def value(self) -> Decimal:
        """What the bank credited, in USD (at the frozen rate): the cash side of the receipt."""
        return self.amount - self.bank_charges - self.exchange_difference


@dataclass(frozen=True, slots=True)
class Void:
    """A payment taken back on a date (recorded in error, returned by the bank): a new entry;
    the payment itself stays as it was recorded."""

    number: str
    receipt: str
    date: dt.date
    reason: str = ""


@dataclass(frozen=True, slots=True)
class WriteOff:
    """A debt that will not be paid, written off as bad debt on a date, by a decision (the
    Executive Committee's): a new entry; the invoice stays as issued and asks what it asked."""

    number: str
    invoice: str
    amount: Decimal
    date: dt.date
    reason: str = ""
    decision: str = ""


def series(prefix: str, year: int) -> str:
    """The name of a numbering series: "WEGO-2017", "CN-2017", "R-2017", "V-2017"."""
    return f"{prefix}-{year}"


def numbered(prefix: str, year: int, n: int) -> str:
    """The n-th number of a series: "WEGO-2017-004"."""
    return f"{series(prefix, year)}-{n:03d}"
