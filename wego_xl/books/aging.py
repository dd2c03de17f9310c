"""Aging of the receivables: per member, what is open by days past due on a date (not yet
due, 1-30, 31-90, 91-365, over a year), the member's credit apart, and the totals. Pure
computation over a :class:`~wego_xl.rules.ledger.LedgerBook`.

These buckets are the year-end's (``wego-xl aging``, the auditor's pack); the ledger view's
Aging sheet keeps its own (:data:`wego_xl.rules.ledger.AGING_BUCKETS`).

A member's row adds up: its open amounts by bucket, plus its credit (negative: what it paid
beyond its open invoices), equal its balance on the date, to the cent. A member with nothing
open and no credit is left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..rules.ledger import ZERO, LedgerBook, aging_bucket

#: (name, first day past due, last day past due); None is open-ended.
BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("not yet due", None, 0), ("1-30", 1, 30), ("31-90", 31, 90), ("91-365", 91, 365), ("over a year", 366, None),
)  # fmt: skip
BUCKET_NAMES = tuple(name for name, _, _ in BUCKETS)


def bucket_of(days_past_due: int) -> str:
    """The bucket of an amount ``days_past_due`` days past its due date (0 or less: not yet due)."""
    return aging_bucket(days_past_due, BUCKETS)


@dataclass(frozen=True)
class MemberAging:
    """One member's open amounts by bucket, and its credit (zero or negative)."""

    member_id: str
    buckets: dict[str, Decimal]
    credit: Decimal

    @property
    def open(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def balance(self) -> Decimal:
        """What the member owes (positive) or is owed (negative): its ledger balance."""
        return self.open + self.credit


@dataclass(frozen=True)
class Aging:
    """The aging on ``as_of``: one row per member with anything open or a credit."""

    as_of: dt.date
    members: list[MemberAging]

    def totals(self) -> dict[str, Decimal]:
        """Each bucket's total, then "open", "credit" and "balance"."""
        found = {name: sum((m.buckets[name] for m in self.members), ZERO) for name in BUCKET_NAMES}
        found["open"] = sum((m.open for m in self.members), ZERO)
        found["credit"] = sum((m.credit for m in self.members), ZERO)
        found["balance"] = sum((m.balance for m in self.members), ZERO)
        return found


def aging(book: LedgerBook, as_of: dt.date) -> Aging:
    """Every member's open invoices on ``as_of`` by days past due, with its credit apart;
    each row's balance is the ledger's (checked: a difference would be a bug)."""
    ledger = book.replay(as_of)
    rows = []
    for member_id in ledger.members():
        buckets = dict.fromkeys(BUCKET_NAMES, ZERO)
        for state in ledger.open_invoices(member_id):
            buckets[bucket_of((as_of - state.invoice.due_date).days)] += state.open
        balance = ledger.balance(member_id)
        row = MemberAging(member_id, buckets, balance - sum(buckets.values(), ZERO))
        if row.open == ZERO and row.credit == ZERO:
            continue
        if row.balance != balance:  # pragma: no cover - the row is built to add up
            raise AssertionError(f"the aging of {member_id} does not add up: {row.balance} != {balance}")
        rows.append(row)
    return Aging(as_of, rows)
