"""Invoicing a fee year as ``wego-xl invoice`` asks for it: the days to pay (given, from 1 to
365, else the Settings sheet's Payment days), the invoices issued, and their total."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..app.settings import payment_days
from ..errors import OutOfRangeError
from ..store.roster import Roster
from .service import InvoicePlan, issue_invoices
from .store import Actor, LedgerStore


def check_days_to_pay(due_days: int | None, what: str = "--due-days") -> None:
    """Refuse days to pay (``what``) outside 1 to 365; None (not given) is fine."""
    if due_days is not None and not 1 <= due_days <= 365:
        raise OutOfRangeError(f"{what} must be from 1 to 365, got {due_days}")


@dataclass(frozen=True)
class InvoiceRun:
    """What an invoicing run did (or, for a dry run, would do), and the total of the new invoices."""

    plan: InvoicePlan
    total: Decimal | int  # 0 when nothing new is invoiced


def invoice_fee_year(
    store: LedgerStore, roster: Roster, fee_year: int, issue_date: dt.date, due_days: int | None, *, by: Actor,
    accept_unconfirmed: bool = False, dry_run: bool = False,
) -> InvoiceRun:  # fmt: skip
    """One invoice per member owing a fee for ``fee_year`` (see :func:`.service.issue_invoices`),
    due ``due_days`` after ``issue_date`` (None: the Settings sheet's Payment days)."""
    days = due_days or payment_days(roster.settings)
    plan = issue_invoices(store, roster, fee_year, issue_date, days, by=by, accept_unconfirmed=accept_unconfirmed,
                          dry_run=dry_run)  # fmt: skip
    return InvoiceRun(plan, sum(r["Amount (USD)"] for r in plan.new))
