"""Balances that agree with the bank: each statement adds up, statements follow each other
without a gap, and the ledger's bank balance on a statement's closing date (the first opening
balance, plus the receipts the ledger recorded from the statement lines as the bank credited
them, plus every other line: debits, lines set aside, receipts that wait) equals that
statement's closing balance."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..ledger import schema as t
from ..ledger.store import LedgerStore, money, payment_of
from ..rules.ledger import ZERO
from .service import standing_matches, stored_day


@dataclass(frozen=True)
class StatementCheck:
    account: str
    number: str
    currency: str
    closing_date: dt.date
    closing: Decimal  # the bank's
    ledger: Decimal  # the ledger's bank balance on that day
    waiting: Decimal  # receipts on the statement not recorded yet (those set aside as not dues left out)

    @property
    def agrees(self) -> bool:
        return self.closing == self.ledger


@dataclass
class BankCheck:
    statements: list[StatementCheck] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings and all(s.agrees for s in self.statements)


def check_bank(store: LedgerStore) -> BankCheck:
    """Every statement with balances, per account in date order, against the ledger."""
    found = BankCheck()
    with store.reading() as conn:
        statements = conn.execute(select(t.bank_statements).where(t.bank_statements.c.closing_cents.is_not(None))
                                  .order_by(t.bank_statements.c.account, t.bank_statements.c.closing_date,
                                            t.bank_statements.c.id)).mappings().all()  # fmt: skip
        lines = conn.execute(select(t.bank_lines)).mappings().all()
        matched = standing_matches(conn)
        aside = set(conn.execute(select(t.bank_dismissals.c.line_key)).scalars())  # set aside: not dues, not waiting
        voided_receipts = set(conn.execute(select(t.voids.c.receipt)).scalars())
        payments = {r["receipt"]: payment_of(r) for r in conn.execute(select(t.payments)).mappings()}
    by_account: dict[str, list] = defaultdict(list)
    for s in statements:
        by_account[s["account"]].append(s)
    for account, held in by_account.items():
        first = held[0]
        start = money(first["opening_cents"])
        mine = [r for r in lines if r["account"] == account]
        for before, after in itertools.pairwise(held):
            if after["opening_date"] and stored_day(after["opening_date"]) <= stored_day(before["closing_date"]):
                continue  # overlapping statements: each adds up, and the lines are imported once
            if money(after["opening_cents"]) != money(before["closing_cents"]):
                found.findings.append(
                    f"account {account}: statement {after['number'] or '(no number)'} opens at "
                    f"{money(after['opening_cents']):,.2f}, the one before ({before['number'] or 'no number'}) closed "
                    f"at {money(before['closing_cents']):,.2f} on {before['closing_date']}: a statement is missing "
                    "between them; import it"
                )
        since = stored_day(first["opening_date"]) if first["opening_date"] else dt.date.min
        for s in held:
            day = stored_day(s["closing_date"])
            ledger, waiting = start, ZERO
            for r in mine:
                if not since <= stored_day(r["booked"]) <= day:
                    continue
                amount = money(r["amount_cents"])
                receipt = matched.get(r["key"])
                if receipt is not None and receipt in payments:
                    p = payments[receipt]
                    ledger += p.received if p.received is not None else p.value
                    continue
                if amount > ZERO and receipt is None and r["key"] not in aside:
                    waiting += amount
                ledger += amount
            found.statements.append(StatementCheck(account, s["number"], s["currency"], day,
                                                   money(s["closing_cents"]), ledger, waiting))  # fmt: skip
    _unbacked(found, statements, set(matched.values()), payments, voided_receipts)
    return found


def _unbacked(found: BankCheck, statements: Sequence[Any], backed: set[str], payments: dict, voided: set[str]) -> None:
    """Receipts in a currency and period the imported statements cover that no line backs: the
    same transfer typed by hand and posted from the statement, or money into another account."""
    periods: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for s in statements:
        if s["opening_date"]:
            periods[s["currency"]].append((stored_day(s["opening_date"]), stored_day(s["closing_date"])))
    for receipt, p in payments.items():
        covered = any(start <= p.date <= end for start, end in periods.get(p.currency, []))
        if covered and receipt not in backed and receipt not in voided:
            found.findings.append(
                f"{receipt} ({p.member_id}, {p.value:,.2f} USD received on {p.date}) is on no imported statement that "
                "covers its day: typed twice (then void it), or paid into an account not imported?"
            )
