"""Issuing invoices: one per member owing a fee for a fee year, with complete, checked
inputs, its basis frozen when issued; nothing billed twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from ..app.assessment import Assessment
from ..errors import InputError
from ..messages import Phrase
from ..rules.history import membership_on
from ..rules.inputs import read_money
from ..rules.ledger import Invoice, numbered
from ..store.roster import Roster
from . import schema as t
from .store import Actor, LedgerStore
from .values import check_day


@dataclass
class InvoicePlan:
    """What ``issue_invoices`` did (or, for a dry run, would do), member by member."""

    new: list[dict[str, Any]] = field(default_factory=list)  # the basis of each new invoice
    skipped: dict[str, Phrase] = field(default_factory=dict)  # member -> why not invoiced
    changed: dict[str, Phrase] = field(default_factory=dict)  # member -> invoice vs today's data
    already: list[str] = field(default_factory=list)  # invoice numbers that stand


def invoice_basis(
    a: Assessment, number: str, issue: dt.date, due_days: int, accepted: bool, membership: str | None = None
) -> dict[str, Any]:
    """An invoice and the basis its amount was computed from, frozen when issued (``membership``:
    the member's membership on the issue date, by the roster's history)."""
    m = a.member
    assert a.fee is not None and a.gdp is not None and a.schedule is not None
    return {
        "Invoice number": number, "Member ID": m.member_id, "English name": m.name_en, "Korean name": m.name_ko,
        "Fee year": a.fee_year, "Issue date": issue, "Due date": issue + dt.timedelta(days=due_days),
        "Amount (USD)": read_money(a.fee, "the fee"), "Currency": "USD", "Population": m.population,
        "Population year": m.population_year, "Population source": m.population_source,
        "GDP per capita (PPP, USD)": a.gdp.value, "GDP year": a.gdp_year, "WEO edition": a.gdp.edition,
        "Population band": a.population_band, "GDP band": a.gdp_band, "Fee table": a.schedule.effective_year,
        "Membership on issue date": membership or m.membership.english, "Unconfirmed inputs accepted": "Yes" if accepted else "No",
    }  # fmt: skip


def _peek(conn: Connection, prefix: str, year: int) -> int:
    last = conn.execute(select(t.number_series.c.last).where(t.number_series.c.series == f"{prefix}-{year}")).scalar()
    return (last or 0) + 1


def issue_invoices(
    store: LedgerStore,
    roster: Roster,
    fee_year: int,
    issue_date: dt.date,
    due_days: int,
    *,
    by: Actor,
    accept_unconfirmed: bool = False,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> InvoicePlan:
    """One invoice per member owing a fee for ``fee_year`` with complete, checked inputs;
    nothing twice (the database holds one live invoice per member and fee year); a member
    whose data changed since its invoice is reported, not billed again."""
    from ..app.report import assess_year

    check_day(issue_date, "the issue date", today or dt.date.today())
    if not 1 <= due_days <= 365:
        raise InputError(f"days to pay must be from 1 to 365, got {due_days}")
    assessments, findings = assess_year(roster, fee_year)
    errors = {f.row for f in findings if f.severity == "error" and f.sheet == "Members"}
    plan = InvoicePlan()
    context = store.reading() if dry_run else store.writing()
    with context as conn:
        book = store.load(conn, fee_year=fee_year)
        planned = _peek(conn, "WEGO", fee_year)
        for a in assessments:
            m = a.member
        for a in assessments:
            m = a.member
            if not a.due.owed or _invoiced_already(plan, a, book.invoice_for(m.member_id, fee_year)):
                continue
            unconfirmed = m.population_imported or (a.gdp is not None and not a.gdp.manual and not a.gdp.confirmed)
            why_not = _why_not_billed(a, m.row in errors, bool(unconfirmed) and not accept_unconfirmed)
            if why_not is not None:
                plan.skipped[m.display_name] = why_not
                continue
            if dry_run:
                number = numbered("WEGO", fee_year, planned)
                planned += 1
            else:
                number = store.next_number(conn, "WEGO", fee_year)
            on_issue = membership_on(roster.history, m.member_id, issue_date, m.membership)
            basis = invoice_basis(a, number, issue_date, due_days, bool(unconfirmed), on_issue)
            plan.new.append(basis)
            if not dry_run:
                invoice = Invoice(number, m.member_id, fee_year, issue_date, basis["Due date"], basis["Amount (USD)"])
                store.post(conn, invoice, by, basis=basis)
                conn.execute(t.live_invoices.insert().values(member_id=m.member_id, fee_year=fee_year,
                                                             invoice_number=number))  # fmt: skip
    return plan


def _invoiced_already(plan: InvoicePlan, a: Assessment, existing: Invoice | None) -> bool:
    """Whether the member has its invoice for the fee year already: it stands, or, when its
    amount is not today's fee, it is reported as changed (never billed again)."""
    if existing is None:
        return False
    if a.fee is None or read_money(a.fee, "the fee") != existing.amount:
        now = f"{a.fee:,.0f}" if a.fee is not None else Phrase.of("invoice.now_none")
        plan.changed[a.member.display_name] = Phrase.of("invoice.changed", number=existing.number,
                                                        amount=existing.amount, now=now)  # fmt: skip
    else:
        plan.already.append(existing.number)
    return True


def _why_not_billed(a: Assessment, row_error: bool, unconfirmed: bool) -> Phrase | None:
    """Why a member owing a fee is not invoiced (an input missing, an error in its Members
    row, inputs not confirmed), or None."""
    if a.fee is None or a.gdp is None:
        return Phrase.of("invoice.skip_missing", missing=list(a.missing))
    if row_error:
        return Phrase.of("invoice.skip_row_error")
    if unconfirmed:
        return Phrase.of("invoice.skip_unconfirmed")
    return None
