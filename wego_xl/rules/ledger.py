"""The dues ledger's rules: invoices as billed, credit notes, payments, and what follows from
them (allocations, balances, arrears, aging). Pure Python, money in :class:`~decimal.Decimal`
USD to the cent, never floats.

* An invoice is frozen when issued; only a credit note changes what it asks for.
* Payments are applied in the order they were received: first to the invoice a payment
  names, then to the member's oldest open invoice (fee year, then issue date, then number).
  What is left is the member's credit, applied to the next invoice when it is issued.
* A credit note that takes an invoice below what was already applied to it gives the
  difference back to the member as credit, applied to the next open invoice.
* A member's balance is what was invoiced, less credit notes, less payments: positive is
  owed, negative is the member's credit. So the sum of the balances always equals invoices
  less credits less payments, to the cent.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter

from ..errors import InputError
from .inputs import read_money

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: Days past due, as the Aging sheet groups open amounts.
AGING_BUCKETS = (("not yet due", None, 0), ("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("over 90", 91, None))


def usd(value: object, name: str = "the amount") -> Decimal:
    """An amount in USD to the cent, read exactly by :func:`~wego_xl.rules.inputs.read_money`
    (the one reading of money): never a float sum, never a rounding, never a guess."""
    return read_money(value, name)


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class CreditNote:
    number: str
    invoice: str
    amount: Decimal
    date: dt.date
    reason: str = ""


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Void:
    """A payment taken back on a date (recorded in error, returned by the bank): a new entry;
    the payment itself stays as it was recorded."""

    number: str
    receipt: str
    date: dt.date
    reason: str = ""


@dataclass(frozen=True)
class WriteOff:
    """A debt that will not be paid, written off as bad debt on a date, by a decision (the
    Executive Committee's): a new entry; the invoice stays as issued and asks what it asked."""

    number: str
    invoice: str
    amount: Decimal
    date: dt.date
    reason: str = ""
    decision: str = ""


@dataclass(frozen=True)
class Allocation:
    """Part of a payment applied to an invoice, on a date."""

    receipt: str
    invoice: str
    member_id: str
    amount: Decimal
    date: dt.date


@dataclass
class InvoiceState:
    invoice: Invoice
    credited: Decimal = ZERO
    applied: Decimal = ZERO
    written_off: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.invoice.amount - self.credited

    @property
    def open(self) -> Decimal:
        return self.net - self.applied - self.written_off

    @property
    def status(self) -> str:
        """Derived, never typed: credited, paid, written off, partly paid or open."""
        if self.net <= ZERO:
            return "credited"
        if self.open <= ZERO:
            return "written off" if self.written_off > ZERO else "paid"
        return "partly paid" if self.applied > ZERO else "open"


@dataclass
class Ledger:
    """Everything that follows from the records up to a date."""

    as_of: dt.date
    invoices: dict[str, InvoiceState] = field(default_factory=dict)
    by_member: dict[str, list[InvoiceState]] = field(default_factory=lambda: defaultdict(list))  # oldest first
    allocations: list[Allocation] = field(default_factory=list)
    unapplied: dict[str, list[list]] = field(default_factory=lambda: defaultdict(list))  # member -> [[receipt, left]]
    paid: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    payments: dict[str, Payment] = field(default_factory=dict)  # receipt -> payment, as replayed
    voided: set[str] = field(default_factory=set)  # receipts taken back
    written_off: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))  # member -> bad debt

    def add(self, invoice: Invoice) -> InvoiceState:
        state = self.invoices[invoice.number] = InvoiceState(invoice)
        bisect.insort(self.by_member[invoice.member_id], state, key=lambda s: s.invoice.order)
        return state

    def balance(self, member_id: str) -> Decimal:
        """Owed (positive) or the member's credit (negative)."""
        invoiced = sum((s.net for s in self.by_member.get(member_id, ())), ZERO)
        return invoiced - self.paid.get(member_id, ZERO) - self.written_off.get(member_id, ZERO)

    def members(self) -> list[str]:
        return sorted(set(self.by_member) | set(self.paid))

    def open_invoices(self, member_id: str) -> list[InvoiceState]:
        """The member's invoices with something left to pay, oldest first."""
        return [s for s in self.by_member.get(member_id, ()) if s.open > ZERO]

    def arrears(self, member_id: str) -> list[int]:
        """Fee years with an amount open past its due date."""
        return sorted({s.invoice.fee_year for s in self.open_invoices(member_id) if s.invoice.due_date < self.as_of})

    def aging(self) -> dict[str, Decimal]:
        """Open amounts by days past due (see ``AGING_BUCKETS``)."""
        buckets = {name: ZERO for name, _, _ in AGING_BUCKETS}
        for s in self.invoices.values():
            if s.open <= ZERO:
                continue
            days = (self.as_of - s.invoice.due_date).days
            buckets[aging_bucket(days)] += s.open
        return buckets


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


def aging_bucket(days_past_due: int, buckets: tuple[tuple[str, int | None, int | None], ...] = AGING_BUCKETS) -> str:
    """The bucket of an amount ``days_past_due`` days past its due date (0 or less: not yet due)."""
    for name, low, high in buckets:
        if (low is None or days_past_due >= low) and (high is None or days_past_due <= high):
            return name
    return buckets[-1][0]  # pragma: no cover - the buckets cover every integer


def replay(
    invoices: Iterable[Invoice],
    credits: Iterable[CreditNote],
    payments: Iterable[Payment],
    as_of: dt.date | None = None,
    voids: Iterable[Void] = (),
    write_offs: Iterable[WriteOff] = (),
) -> Ledger:
    """Apply every record dated on or before ``as_of`` (default: all), in date order."""
    gc_was_on = gc.isenabled()
    gc.disable()  # many small objects and no cycles: collection passes would make it quadratic
    try:
        return _replay(invoices, credits, payments, voids, as_of or dt.date.max, write_offs)
    finally:
        if gc_was_on:
            gc.enable()


def _replay(
    invoices: Iterable[Invoice],
    credits: Iterable[CreditNote],
    payments: Iterable[Payment],
    voids: Iterable[Void],
    as_of: dt.date,
    write_offs: Iterable[WriteOff] = (),
) -> Ledger:
    ledger = Ledger(as_of)
    events: list[tuple] = []
    issued = {}
    for i in invoices:
        issued[i.number] = i.issue_date
        if i.issue_date <= as_of:
            events.append((i.issue_date, 0, i.number, i))
    for c in credits:
        effective = credit_effective(c, issued.get(c.invoice, c.date))
        if effective <= as_of:
            events.append((effective, 1, c.number, c))
    received = {}
    for p in payments:
        received[p.receipt] = p.date
        if p.date <= as_of:
            events.append((p.date, 2, p.receipt, p))
    for v in voids:
        effective = max(v.date, received.get(v.receipt, v.date))
        if effective <= as_of:
            events.append((effective, 3, v.number, v))
    for w in write_offs:
        effective = max(w.date, issued.get(w.invoice, w.date))
        if effective <= as_of:
            events.append((effective, 4, w.number, w))
    events.sort(key=itemgetter(0, 1, 2))
    for _, _, _, record in events:
        if isinstance(record, Invoice):
            ledger.add(record)
            _apply_credit(ledger, record.member_id, record.issue_date)
        elif isinstance(record, CreditNote):
            _credit(ledger, record)
        elif isinstance(record, Payment):
            _pay(ledger, record)
        elif isinstance(record, WriteOff):
            _write_off(ledger, record)
        else:
            _void(ledger, record)
    return ledger


def _write_off(ledger: Ledger, w: WriteOff) -> None:
    """Bad debt: the invoice's open amount (up to the write-off) is no longer owed."""
    state = ledger.invoices.get(w.invoice)
    if state is None:
        raise InputError(f"write-off {w.number} is for invoice {w.invoice}, which is not in the ledger")
    taken = min(w.amount, max(state.open, ZERO))
    state.written_off += taken
    ledger.written_off[state.invoice.member_id] += taken


def credit_effective(note: CreditNote, issued: dt.date) -> dt.date:
    """When a credit note counts: its date, never before its invoice's issue date."""
    return max(note.date, issued)


def _apply(ledger: Ledger, state: InvoiceState, receipt: str, amount: Decimal, date: dt.date) -> Decimal:
    used = min(amount, max(state.open, ZERO))  # an over-credited invoice takes nothing
    if used > ZERO:
        state.applied += used
        ledger.allocations.append(Allocation(receipt, state.invoice.number, state.invoice.member_id, used, date))
    return amount - used


def _pay(ledger: Ledger, p: Payment) -> None:
    ledger.payments[p.receipt] = p
    ledger.paid[p.member_id] += p.amount
    left = p.amount
    named = ledger.invoices.get(p.invoice) if p.invoice else None
    if named is not None and named.invoice.member_id == p.member_id:
        left = _apply(ledger, named, p.receipt, left, p.date)
    for state in ledger.open_invoices(p.member_id):
        if left <= ZERO:
            break
        left = _apply(ledger, state, p.receipt, left, p.date)
    if left > ZERO:
        ledger.unapplied[p.member_id].append([p.receipt, left])


def _void(ledger: Ledger, v: Void) -> None:
    """Take a payment back: what it paid on invoices is undone (they reopen), what was left of
    it as credit is gone, and the member's other credit fills the reopened invoices."""
    p = ledger.payments.get(v.receipt)
    if p is None:
        raise InputError(f"void {v.number} is for receipt {v.receipt}, which is not in the ledger")
    if v.receipt in ledger.voided:
        raise InputError(f"void {v.number}: receipt {v.receipt} is voided already")
    ledger.voided.add(v.receipt)
    member = p.member_id
    ledger.paid[member] -= p.amount
    ledger.unapplied[member] = [e for e in ledger.unapplied[member] if e[0] != v.receipt]
    standing: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    for a in ledger.allocations:
        if a.receipt == v.receipt:
            standing[a.invoice] += a.amount
    for invoice, amount in standing.items():
        if amount > ZERO:
            ledger.invoices[invoice].applied -= amount
            ledger.allocations.append(Allocation(v.receipt, invoice, member, -amount, v.date))
    _apply_credit(ledger, member, v.date)


def _apply_credit(ledger: Ledger, member_id: str, date: dt.date) -> None:
    """Apply the member's unapplied payments to its open invoices, oldest first."""
    for entry in ledger.unapplied[member_id]:
        for state in ledger.open_invoices(member_id):
            if entry[1] <= ZERO:
                break
            entry[1] = _apply(ledger, state, entry[0], entry[1], date)
    ledger.unapplied[member_id] = [e for e in ledger.unapplied[member_id] if e[1] > ZERO]


def _credit(ledger: Ledger, c: CreditNote) -> None:
    state = ledger.invoices.get(c.invoice)
    if state is None:
        raise InputError(f"credit note {c.number} is for invoice {c.invoice}, which is not in the ledger")
    state.credited += c.amount
    excess = state.applied - max(state.net, ZERO)
    if excess <= ZERO:
        return
    member = state.invoice.member_id
    mine = [a for a in ledger.allocations if a.invoice == c.invoice]
    still: defaultdict[str, Decimal] = defaultdict(
        lambda: ZERO
    )  # what each receipt still has on the invoice (after earlier undoing)
    for a in mine:
        still[a.receipt] += a.amount
    for allocation in reversed([a for a in mine if a.amount > ZERO]):  # undo the latest first
        if excess <= ZERO:
            break
        back = min(excess, allocation.amount, still[allocation.receipt])
        if back <= ZERO:
            continue
        still[allocation.receipt] -= back
        excess -= back
        state.applied -= back
        ledger.allocations.append(Allocation(allocation.receipt, c.invoice, member, -back, c.date))
        ledger.unapplied[member].append([allocation.receipt, back])
    _apply_credit(ledger, member, c.date)


def series(prefix: str, year: int) -> str:
    """The name of a numbering series: "WEGO-2017", "CN-2017", "R-2017", "V-2017"."""
    return f"{prefix}-{year}"


def numbered(prefix: str, year: int, n: int) -> str:
    """The n-th number of a series: "WEGO-2017-004"."""
    return f"{series(prefix, year)}-{n:03d}"


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
            if i.member_id == member_id and i.fee_year == fee_year and ledger.invoices[i.number].net > ZERO
        ]
        return max(live, key=lambda i: i.order) if live else None

    def invoiced_in(self, fee_year: int) -> dict[str, tuple[str, Decimal]]:
        """Member id -> (invoice number, what it asks after credit notes) for a fee year."""
        ledger = self.replay()
        found = {}
        for invoice in self.invoices:
            if invoice.fee_year == fee_year and ledger.invoices[invoice.number].net > ZERO:
                found[invoice.member_id] = (invoice.number, ledger.invoices[invoice.number].net)
        return found

    def statement(self, member_id: str, start: dt.date, end: dt.date) -> Statement:
        """The member's statement from ``start`` to ``end``."""
        return statement(self.invoices, self.credits, self.payments, member_id, start, end, self.voids,
                         self.write_offs)  # fmt: skip
