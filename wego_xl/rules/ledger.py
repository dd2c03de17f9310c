"""The dues ledger's rules: invoices as billed, credit notes, payments, voids, write-offs
(:mod:`.records`), what follows from them on any date (:mod:`.replay`, which says the
rules: allocations, balances, arrears, aging), a member's statement, the reconciliation,
and the records as read from the ledger's database (:class:`LedgerBook`). Pure Python,
money in :class:`~decimal.Decimal` USD to the cent, never floats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter

from ..errors import InputError
from .records import CENT as CENT
from .records import ZERO as ZERO
from .records import CreditNote as CreditNote
from .records import Invoice as Invoice
from .records import Payment as Payment
from .records import Void as Void
from .records import WriteOff as WriteOff
from .records import numbered as numbered
from .records import series as series
from .records import usd as usd
from .replay import AGING_BUCKETS as AGING_BUCKETS
from .replay import Allocation as Allocation
from .replay import InvoiceState as InvoiceState
from .replay import Ledger as Ledger
from .replay import aging_bucket as aging_bucket
from .replay import credit_effective as credit_effective
from .replay import replay as replay


@dataclass(frozen=True)
class Reconciliation:
    """Invoiced less credited less paid, beside the sum of the members' balances: equal, or
    the ledger is wrong."""

    invoiced: Decimal
    credited: Decimal
    paid: Decimal
    outstanding: Decimal  # the sum of the balances
    written_off: Decimal = ZERO

    @property
    def reconciled(self) -> bool:
        return self.invoiced - self.credited - self.paid - self.written_off == self.outstanding


def reconcile(ledger: Ledger) -> Reconciliation:
    """The ledger's totals, reconciled."""
    return Reconciliation(
        invoiced=sum((s.invoice.amount for s in ledger.invoices.values()), ZERO),
        credited=sum((s.credited for s in ledger.invoices.values()), ZERO),
        paid=sum(ledger.paid.values(), ZERO),
        outstanding=sum((ledger.balance(m) for m in ledger.members()), ZERO),
        written_off=sum(ledger.written_off.values(), ZERO),
    )


@dataclass(frozen=True)
class StatementLine:
    """One line of a member's statement: an invoice (positive), a credit note or a payment
    (negative), and the balance after it."""

    date: dt.date
    kind: str  # "invoice", "credit", "payment", "void", "write-off"
    reference: str  # invoice number, credit note number, receipt, void number
    amount: Decimal
    balance: Decimal
    record: Invoice | CreditNote | Payment | Void | WriteOff


@dataclass(frozen=True)
class Statement:
    """A member's account from ``start`` to ``end``: opening balance, the records in date
    order, closing balance (positive is owed, negative is the member's credit)."""

    member_id: str
    start: dt.date
    end: dt.date
    opening: Decimal
    lines: list[StatementLine]
    closing: Decimal
    open_invoices: list[InvoiceState]  # on ``end``, oldest first


def statement(
    invoices: Iterable[Invoice],
    credits: Iterable[CreditNote],
    payments: Iterable[Payment],
    member_id: str,
    start: dt.date,
    end: dt.date,
    voids: Iterable[Void] = (),
    write_offs: Iterable[WriteOff] = (),
) -> Statement:
    """The member's statement; its lines always add up from the opening to the closing
    balance (checked: an error here would be a bug, never a printed wrong total)."""
    invoices, credits, payments, voids = list(invoices), list(credits), list(payments), list(voids)
    write_offs = list(write_offs)
    opening = replay(invoices, credits, payments, start - dt.timedelta(days=1), voids, write_offs).balance(member_id)
    at_end = replay(invoices, credits, payments, end, voids, write_offs)
    mine = {i.number: i for i in invoices if i.member_id == member_id}
    paid_by = {p.receipt: p for p in payments if p.member_id == member_id}
    found: list[tuple[dt.date, int, str, Decimal, Invoice | CreditNote | Payment | Void | WriteOff]] = [
        (i.issue_date, 0, i.number, i.amount, i) for i in mine.values()
    ]
    found += [
        (max(c.date, mine[c.invoice].issue_date), 1, c.number, -c.amount, c) for c in credits if c.invoice in mine
    ]
    found += [(p.date, 2, p.receipt, -p.amount, p) for p in paid_by.values()]
    found += [
        (max(v.date, paid_by[v.receipt].date), 3, v.number, paid_by[v.receipt].amount, v)
        for v in voids
        if v.receipt in paid_by
    ]
    found += [(max(w.date, mine[w.invoice].issue_date), 4, w.number, -w.amount, w) for w in write_offs
              if w.invoice in mine]  # fmt: skip
    lines, running = [], opening
    for when, order, reference, amount, record in sorted(found, key=itemgetter(0, 1, 2)):
        if start <= when <= end:
            running += amount
            kind = ("invoice", "credit", "payment", "void", "write-off")[order]
            lines.append(StatementLine(when, kind, reference, amount, running, record))
    closing = at_end.balance(member_id)
    if running != closing:  # pragma: no cover - the replay and the lines are the same records
        raise InputError(f"the statement of {member_id} does not add up: {running} != {closing}")
    return Statement(member_id, start, end, opening, lines, closing, at_end.open_invoices(member_id))


@dataclass
class LedgerBook:
    """The ledger's records as read from its database (or a part of them: one member's, one
    fee year's), with what follows from them on any date, computed once per date.

    ``location`` names the ledger (a file or a database URL without its password);
    ``invoice_basis`` holds each invoice's frozen basis (population, GDP, bands...)."""

    location: str
    invoices: list[Invoice] = field(default_factory=list)
    credits: list[CreditNote] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    voids: list[Void] = field(default_factory=list)
    write_offs: list[WriteOff] = field(default_factory=list)
    invoice_basis: dict[str, dict[str, object]] = field(default_factory=dict)
    #: Which reading of the ledger this is (a new one whenever an entry was posted): what a
    #: memo of answers is keyed on, never the object's id, which Python reuses.
    generation: int = 0
    _replays: dict[dt.date | None, Ledger] = field(default_factory=dict, repr=False)

    def replay(self, as_of: dt.date | None = None) -> Ledger:
        """The ledger on a date (default: with every record), computed once per date."""
        found = self._replays.get(as_of)
        if found is None:
            if len(self._replays) > 64:
                self._replays.clear()
            found = replay(self.invoices, self.credits, self.payments, as_of, self.voids, self.write_offs)
            self._replays[as_of] = found
        return found

    def invoice_for(self, member_id: str, fee_year: int) -> Invoice | None:
        """The member's invoice for a fee year that is not wholly credited, if any."""
        ledger = self.replay()
        live = [
            i
            for i in self.invoices
            if i.member_id == member_id and i.fee_year == fee_year and ledger.net_of(i.number) > ZERO
        ]
        return max(live, key=lambda i: i.order) if live else None

    def invoiced_in(self, fee_year: int) -> dict[str, tuple[str, Decimal]]:
        """Member id -> (invoice number, what it asks after credit notes) for a fee year."""
        ledger = self.replay()
        found = {}
        for invoice in self.invoices:
            if invoice.fee_year == fee_year and ledger.net_of(invoice.number) > ZERO:
                found[invoice.member_id] = (invoice.number, ledger.net_of(invoice.number))
        return found

    def statement(self, member_id: str, start: dt.date, end: dt.date) -> Statement:
        """The member's statement from ``start`` to ``end``."""
        return statement(self.invoices, self.credits, self.payments, member_id, start, end, self.voids,
                         self.write_offs)  # fmt: skip
