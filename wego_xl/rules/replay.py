"""The replay: the dues ledger's records applied in date order, and what follows from them
(allocations, balances, arrears, aging). Pure Python, money in :class:`~decimal.Decimal` USD
to the cent, never floats; garbage collection stays on (see :func:`replay`).

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
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import InputError
from .records import ZERO, CreditNote, Invoice, Payment, Void, WriteOff

#: Days past due, as the Aging sheet groups open amounts.
AGING_BUCKETS = (("not yet due", None, 0), ("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("over 90", 91, None))


@dataclass(frozen=True, slots=True)
class Allocation:
    """Part of a payment applied to an invoice, on a date."""

    receipt: str
    invoice: str
    member_id: str
    amount: Decimal
    date: dt.date


@dataclass(slots=True)
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


#: What the replay keeps of each invoice: number, amount, credited, applied, written off, due
#: date. A plain tuple of values (replaced, never changed), which the garbage collector
#: leaves alone: the replay makes next to nothing for it to follow however large the ledger.
Standing = tuple[str, Decimal, Decimal, Decimal, Decimal, dt.date]


def _left(entry: Standing) -> Decimal:
    """What is left to pay on an invoice (as :attr:`InvoiceState.open`)."""
    return entry[1] - entry[2] - entry[3] - entry[4]


def _with(
    entry: Standing, *, credited: Decimal = ZERO, applied: Decimal = ZERO, written_off: Decimal = ZERO
) -> Standing:
    """``entry`` with more credited, applied or written off (negative: taken back)."""
    number, amount, was_credited, was_applied, was_written_off, due = entry
    return number, amount, was_credited + credited, was_applied + applied, was_written_off + written_off, due


@dataclass
class Ledger:
    """Everything that follows from the records up to a date. What each invoice stands at is
    kept as a :data:`Standing` tuple in its member's list; its :class:`InvoiceState` is made
    when asked for (:attr:`invoices`, :attr:`by_member`, :meth:`open_invoices`)."""

    as_of: dt.date
    issued: dict[str, Invoice] = field(default_factory=dict)  # number -> invoice, in the order replayed
    standing: dict[str, list[Standing]] = field(default_factory=lambda: defaultdict(list))  # member -> oldest first
    #: The allocations in order, each kept as (receipt, invoice, member, amount, date).
    allocated: list[tuple[str, str, str, Decimal, dt.date]] = field(default_factory=list, repr=False)
    unapplied: dict[str, list[list]] = field(default_factory=lambda: defaultdict(list))  # member -> [[receipt, left]]
    paid: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    payments: dict[str, Payment] = field(default_factory=dict)  # receipt -> payment, as replayed
    voided: set[str] = field(default_factory=set)  # receipts taken back
    written_off: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))  # member -> bad debt
    _states: tuple[dict[str, InvoiceState], dict[str, list[InvoiceState]]] | None = field(
        default=None, init=False, repr=False
    )
    _allocations: list[Allocation] = field(default_factory=list, init=False, repr=False)

    @property
    def invoices(self) -> dict[str, InvoiceState]:
        """Each invoice's state by number, in the order replayed (made once, when first asked for)."""
        return self._made_states()[0]

    @property
    def by_member(self) -> dict[str, list[InvoiceState]]:
        """Each member's invoices' states, oldest first."""
        return self._made_states()[1]

    @property
    def allocations(self) -> list[Allocation]:
        """Every part of a payment applied to an invoice (or taken back: negative), in order."""
        if len(self._allocations) != len(self.allocated):  # made once, when first asked for (whole: threads)
            self._allocations = [Allocation(*a) for a in self.allocated]
        return self._allocations

    def _made_states(self) -> tuple[dict[str, InvoiceState], dict[str, list[InvoiceState]]]:
        made = self._states
        if made is None:  # made whole, then kept: a thread asking meanwhile makes its own
            mine = {m: [self._state(e) for e in held] for m, held in self.standing.items()}
            found = {s.invoice.number: s for states in mine.values() for s in states}
            made = self._states = ({n: found[n] for n in self.issued}, defaultdict(list, mine))
        return made

    def _state(self, entry: Standing) -> InvoiceState:
        number, _, credited, applied, written_off, _ = entry
        return InvoiceState(self.issued[number], credited, applied, written_off)

    def _place(self, number: str) -> tuple[list[Standing], int]:
        """An invoice's member's list, and where the invoice stands in it."""
        held = self.standing[self.issued[number].member_id]
        return held, next(i for i, entry in enumerate(held) if entry[0] == number)

    def add(self, invoice: Invoice) -> None:
        """Take an invoice in as issued: nothing credited, applied or written off yet."""
        self.issued[invoice.number] = invoice
        entry = (invoice.number, invoice.amount, ZERO, ZERO, ZERO, invoice.due_date)
        bisect.insort(self.standing[invoice.member_id], entry, key=lambda e: self.issued[e[0]].order)
        self._states = None

    def net_of(self, number: str) -> Decimal:
        """What an invoice asks after its credit notes (as :attr:`InvoiceState.net`)."""
        held, i = self._place(number)
        return held[i][1] - held[i][2]

    def balance(self, member_id: str) -> Decimal:
        """Owed (positive) or the member's credit (negative)."""
        invoiced = sum((e[1] - e[2] for e in self.standing.get(member_id, ())), ZERO)
        return invoiced - self.paid.get(member_id, ZERO) - self.written_off.get(member_id, ZERO)

    def members(self) -> list[str]:
        return sorted(set(self.standing) | set(self.paid))

    def open_invoices(self, member_id: str) -> list[InvoiceState]:
        """The member's invoices with something left to pay, oldest first."""
        return [self._state(e) for e in self.standing.get(member_id, ()) if _left(e) > ZERO]

    def arrears(self, member_id: str) -> list[int]:
        """Fee years with an amount open past its due date."""
        late = [e[0] for e in self.standing.get(member_id, ()) if _left(e) > ZERO and e[5] < self.as_of]
        return sorted({self.issued[n].fee_year for n in late})

    def aging(self) -> dict[str, Decimal]:
        """Open amounts by days past due (see ``AGING_BUCKETS``)."""
        buckets = {name: ZERO for name, _, _ in AGING_BUCKETS}
        for held in self.standing.values():
            for entry in held:
                left = _left(entry)
                if left > ZERO:
                    buckets[aging_bucket((self.as_of - entry[5]).days)] += left
        return buckets


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
    """Apply every record dated on or before ``as_of`` (default: all), in date order (on one
    day: invoices, credit notes, payments, voids, write-offs; then by number).

    Garbage collection stays on: the order is sorted as plain tuples of dates, numbers and
    positions, and what follows is kept in dicts of amounts and tuples (see :class:`Ledger`),
    which the collector leaves alone; the replay makes next to nothing for it to follow, so
    its full passes (which would make the cost per invoice grow with the ledger) stay away."""
    as_of = as_of or dt.date.max
    invoices, payments = list(invoices), list(payments)
    issued = {i.number: i.issue_date for i in invoices}
    received = {p.receipt: p.date for p in payments}
    dated: Iterable[tuple[dt.date, int, str, Invoice | CreditNote | Payment | Void | WriteOff]]
    dated = itertools.chain(  # (effective date, kind, number, record): on one day, in this order of kinds
        ((i.issue_date, 0, i.number, i) for i in invoices),
        ((credit_effective(c, issued.get(c.invoice, c.date)), 1, c.number, c) for c in credits),
        ((p.date, 2, p.receipt, p) for p in payments),
        ((max(v.date, received.get(v.receipt, v.date)), 3, v.number, v) for v in voids),
        ((max(w.date, issued.get(w.invoice, w.date)), 4, w.number, w) for w in write_offs),
    )
    records: list[Invoice | CreditNote | Payment | Void | WriteOff] = []
    order: list[tuple[dt.date, int, str, int]] = []  # as dated, the record by its position in ``records``
    for when, kind, number, record in dated:
        if when <= as_of:
            order.append((when, kind, number, len(records)))
            records.append(record)
    order.sort()  # the position last: records of the same day, kind and number stay in the order given
    return _apply_all(Ledger(as_of), [records[n] for _, _, _, n in order])


def _apply_all(ledger: Ledger, records: list[Invoice | CreditNote | Payment | Void | WriteOff]) -> Ledger:
    """Apply ``records``, in their order, to ``ledger``."""
    for record in records:
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
    invoice = ledger.issued.get(w.invoice)
    if invoice is None:
        raise InputError(f"write-off {w.number} is for invoice {w.invoice}, which is not in the ledger")
    held, i = ledger._place(w.invoice)
    taken = min(w.amount, max(_left(held[i]), ZERO))
    held[i] = _with(held[i], written_off=taken)
    ledger.written_off[invoice.member_id] += taken


def credit_effective(note: CreditNote, issued: dt.date) -> dt.date:
    """When a credit note counts: its date, never before its invoice's issue date."""
    return max(note.date, issued)


def _apply(ledger: Ledger, member_id: str, i: int, receipt: str, amount: Decimal, date: dt.date) -> Decimal:
    """Apply up to ``amount`` of a receipt to the member's ``i``-th invoice; returns what is left."""
    held = ledger.standing[member_id]
    used = min(amount, max(_left(held[i]), ZERO))  # an over-credited invoice takes nothing
    if used > ZERO:
        held[i] = _with(held[i], applied=used)
        ledger.allocated.append((receipt, held[i][0], member_id, used, date))
    return amount - used


def _open_places(ledger: Ledger, member_id: str) -> list[int]:
    """Where the member's invoices with something left to pay stand in its list, oldest first."""
    return [i for i, entry in enumerate(ledger.standing.get(member_id, ())) if _left(entry) > ZERO]


def _pay(ledger: Ledger, p: Payment) -> None:
    ledger.payments[p.receipt] = p
    ledger.paid[p.member_id] += p.amount
    left = p.amount
    named = ledger.issued.get(p.invoice) if p.invoice else None
    if named is not None and named.member_id == p.member_id:
        left = _apply(ledger, p.member_id, ledger._place(p.invoice)[1], p.receipt, left, p.date)
    for i in _open_places(ledger, p.member_id):
        if left <= ZERO:
            break
        left = _apply(ledger, p.member_id, i, p.receipt, left, p.date)
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
    standing: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)  # what the receipt still has on each invoice
    for receipt, invoice, _, amount, _ in ledger.allocated:
        if receipt == v.receipt:
            standing[invoice] += amount
    for invoice, amount in standing.items():
        if amount > ZERO:
            held, i = ledger._place(invoice)
            held[i] = _with(held[i], applied=-amount)
            ledger.allocated.append((v.receipt, invoice, member, -amount, v.date))
    _apply_credit(ledger, member, v.date)


def _apply_credit(ledger: Ledger, member_id: str, date: dt.date) -> None:
    """Apply the member's unapplied payments to its open invoices, oldest first (a member
    without any is left as it is: no new list for each invoice, which the collector would follow)."""
    entries = ledger.unapplied.get(member_id)
    if not entries:
        return
    for entry in entries:
        for i in _open_places(ledger, member_id):
            if entry[1] <= ZERO:
                break
            entry[1] = _apply(ledger, member_id, i, entry[0], entry[1], date)
    ledger.unapplied[member_id] = [e for e in entries if e[1] > ZERO]


def _credit(ledger: Ledger, c: CreditNote) -> None:
    invoice = ledger.issued.get(c.invoice)
    if invoice is None:
        raise InputError(f"credit note {c.number} is for invoice {c.invoice}, which is not in the ledger")
    held, i = ledger._place(c.invoice)
    held[i] = _with(held[i], credited=c.amount)
    _, billed, credited, applied, _, _ = held[i]
    excess = applied - max(billed - credited, ZERO)
    if excess <= ZERO:
        return
    member = invoice.member_id
    mine = [(receipt, amount) for receipt, number, _, amount, _ in ledger.allocated if number == c.invoice]
    still: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)  # what each receipt still has on the invoice
    for receipt, amount in mine:
        still[receipt] += amount
    for receipt, amount in reversed([a for a in mine if a[1] > ZERO]):  # undo the latest first
        if excess <= ZERO:
            break
        back = min(excess, amount, still[receipt])
        if back <= ZERO:
            continue
        still[receipt] -= back
        excess -= back
        held[i] = _with(held[i], applied=-back)
        ledger.allocated.append((receipt, c.invoice, member, -back, c.date))
        ledger.unapplied[member].append([receipt, back])
    _apply_credit(ledger, member, c.date)
