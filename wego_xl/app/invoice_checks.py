"""The ledger's invoices beside the roster, for the one list of checks before billing
(:mod:`wego_xl.app.checks`): an invoice its member owes nothing for is an error, one whose net
amount today's data would not give is to confirm; each gives the exact credit note (or
reissue) that corrects it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from ..messages import Phrase
from ..rules.inputs import read_money
from ..rules.ledger import ZERO, CreditNote, Invoice, InvoiceState, LedgerBook
from ..store.roster import MEMBERS_SHEET, Roster
from .assessment import Assessment, membership_doubt, obligation
from .checks import Check

#: A credit note whose reason names a decision (the Executive Committee's, the General
#: Assembly's: "EC 2017-2", "decision of the EC", "집행위원회 결정") is a discount granted on
#: purpose: what the invoice asks after it is what was meant to be billed.
DECIDED = re.compile(r"\b(?:EC|GA)\b|decision|decided|집행위|총회|의결|결정", re.IGNORECASE)


def by_decision(note: CreditNote) -> bool:
    """Whether a credit note is a discount granted by a decision (its reason names one)."""
    return bool(DECIDED.search(note.reason))


def _command_amount(amount: Decimal) -> str:
    """An amount as a command takes it, exactly: 5000.00 (no thousands separator)."""
    return f"{amount:.2f}"


def _creditable(state: InvoiceState) -> Decimal:
    """What a credit note may still take from an invoice: its net amount less what was written off."""
    return state.net - state.written_off


def ledger_checks(roster: Roster, assessments: list[Assessment], book: LedgerBook | None, fee_year: int) -> list[Check]:
    """The ledger's invoices that the roster no longer bears out: every standing invoice (of any
    fee year) whose member, by the roster's membership history, owes no fee for its fee year,
    and each invoice of ``fee_year`` whose net amount (less credit notes, a discount granted by
    a decision kept as granted) is not what today's data gives. Each names the invoice and
    gives the exact command that corrects it."""
    if book is None or not book.invoices:
        return []
    return _not_liable(roster, book) + _differs(assessments, book, fee_year)


def _not_liable(roster: Roster, book: LedgerBook) -> list[Check]:
    """A standing invoice of a fee year for which its member owes nothing (a withdrawal, a
    downgrade or a Full-since year recorded after it was issued), or of a member the roster
    does not hold: it stands until a credit note takes it back."""
    ledger = book.replay()
    members = {m.member_id: m for m in roster.members}
    found = []
    for invoice in sorted(book.invoices, key=lambda i: i.order):
        left = _creditable(ledger.invoices[invoice.number])
        if left <= ZERO:
            continue
        m = members.get(invoice.member_id)
        if m is None:
            why = Phrase.of("check.invoice_member_unknown", member_id=invoice.member_id)
            name, row = invoice.member_id, None
        elif membership_doubt(m) is not None:
            continue  # the Members sheet cannot say: its own error is listed
        else:
            due = obligation(roster, m, invoice.fee_year)
            if due.owed:
                continue
            why, name, row = due.why, m.display_name, m.row
        problem = Phrase.of("check.invoice_not_liable", name=name, invoice=invoice.number, year=invoice.fee_year,
                            amount=left, why=why)  # fmt: skip
        fix = Phrase.of("fix.invoice_not_liable", invoice=invoice.number, amount=_command_amount(left),
                        year=invoice.fee_year)  # fmt: skip
        sheet, column = (MEMBERS_SHEET, "Membership") if row is not None else (None, None)
        found.append(Check("error", sheet, row, column, problem, fix))
    return found


def _differs(assessments: list[Assessment], book: LedgerBook, fee_year: int) -> list[Check]:
    """An invoice of ``fee_year`` whose net amount is not today's fee (less the discounts
    granted by decision on it); the advice credits what it asks too much, or reissues it and
    grants the discount again: never a bill for the discount."""
    ledger = book.replay()
    live: dict[str, Invoice] = {}  # member -> its latest invoice of the fee year not wholly credited
    for i in sorted(book.invoices, key=lambda i: i.order):
        if i.fee_year == fee_year and ledger.invoices[i.number].net > ZERO:
            live[i.member_id] = i
    notes: dict[str, list[CreditNote]] = defaultdict(list)
    for c in book.credits:
        notes[c.invoice].append(c)
    found = []
    for a in assessments:
        invoice = live.get(a.member.member_id)
        if invoice is None or not a.due.owed:
            continue  # an invoice a member does not owe is reported by _not_liable
        state = ledger.invoices[invoice.number]
        if _creditable(state) <= ZERO:
            continue  # written off whole: nothing left that a credit note could change
        check = _against_today(a, invoice, state, [c for c in notes[invoice.number] if by_decision(c)])
        if check is not None:
            found.append(check)
    return found


def _against_today(a: Assessment, invoice: Invoice, state: InvoiceState, decided: list[CreditNote]) -> Check | None:
    """The check of one invoice whose net amount is not today's fee less the discounts
    ``decided`` on it, with the command that corrects it; None when they agree."""
    m = a.member
    if a.fee is None:
        problem = Phrase.of("check.invoice_differs", name=m.display_name, invoice=invoice.number, amount=state.net,
                            today=Phrase.of("check.no_fee_inputs_missing"))  # fmt: skip
        fix = Phrase.of("fix.invoice_no_fee", invoice=invoice.number)
        return Check("confirm", MEMBERS_SHEET, m.row, None, problem, fix)
    today = read_money(a.fee, "the fee")
    discount = sum((c.amount for c in decided), ZERO)
    expected = today - discount
    if state.net == expected:
        return None
    if discount:
        problem = Phrase.of("check.invoice_differs_discounted", name=m.display_name, invoice=invoice.number,
                            amount=state.net, discount=discount, notes=", ".join(c.number for c in decided),
                            today=today, expected=expected)  # fmt: skip
    else:
        problem = Phrase.of("check.invoice_differs", name=m.display_name, invoice=invoice.number, amount=state.net,
                            today=f"{today:,.0f}")  # fmt: skip
    return Check("confirm", MEMBERS_SHEET, m.row, None, problem, _correction(invoice, state, today, discount, decided))


def _correction(
    invoice: Invoice, state: InvoiceState, today: Decimal, discount: Decimal, decided: list[CreditNote]
) -> Phrase:
    """The command that brings an invoice to today's fee less the ``discount`` granted by the
    credit notes ``decided`` on it: a credit note for what it asks too much; else a reissue at
    today's fee, with the discount granted again."""
    expected, left = today - discount, _creditable(state)
    if state.net > expected:  # asks too much: credit the part above
        return Phrase.of("fix.invoice_over", invoice=invoice.number,
                         amount=_command_amount(min(state.net - expected, left)), today=f"{today:,.0f}")  # fmt: skip
    if discount:  # asks too little: reissue at today's fee, then grant the discount again
        return Phrase.of("fix.invoice_under_discounted", invoice=invoice.number, amount=_command_amount(left),
                         year=invoice.fee_year, discount=_command_amount(discount),
                         reason="; ".join(c.reason for c in decided).replace('"', "'"))  # fmt: skip
    return Phrase.of("fix.invoice_under", invoice=invoice.number, amount=_command_amount(left), year=invoice.fee_year)
