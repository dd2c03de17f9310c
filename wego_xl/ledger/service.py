"""The ledger service: what finance does to the book of record (issue invoices, record a
payment, issue a credit note, void a payment, post a sheet of typed payments), each one
transaction that reads, checks, numbers and writes, refusing in one line what cannot be
right. The command line, the Excel scripts and xlwings Server all come here."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, func, select

from ..app.assessment import Assessment
from ..app.settings import BankSettings, bank_settings
from ..errors import InputError, RosterError, WegoError
from ..messages import Phrase
from ..rules.bank import HOME, Settlement, settle, to_usd
from ..rules.dates import read_date
from ..rules.history import membership_on
from ..rules.inputs import MONEY_LIMIT, is_blank, read_money, read_name, refuse_in_free_text
from ..rules.ledger import ZERO, CreditNote, Invoice, Payment, Void, WriteOff, numbered
from ..store.roster import Roster
from . import schema as t
from .exchange import rate_on
from .store import Actor, LedgerError, LedgerStore, check_open, payment_of, reference_key, stored_day

FOUNDED = dt.date(2010, 1, 1)


def actor(via: str, user: str | None = None) -> Actor:
    """Who acts: ``user`` (the signed-in user on xlwings Server), else the computer's user."""
    if user:
        refuse_in_free_text(user, "who acts (the user's name)")
    else:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (a container)
            user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return Actor(user, via)


def check_day(day: dt.date, what: str, today: dt.date) -> dt.date:
    """A ledger date: from WeGO's founding (2010-01-01) up to today."""
    if day < FOUNDED:
        raise InputError(f"{what} {day} is before WeGO was founded (2010-01-01): type the date again")
    if day > today:
        raise InputError(f"{what} {day} is in the future (today is {today}): an entry is recorded when it happens")
    return day


#: The longest bank reference kept (SWIFT's remittance field holds 140 characters).
REFERENCE_LIMIT = 140
#: The longest reason or note kept.
TEXT_LIMIT = 500


def plain_text(value: object, what: str, limit: int = TEXT_LIMIT) -> str:
    """Typed text as the ledger keeps it: spaces tidied, invisible format characters (zero
    width, direction marks) dropped; control characters (any: tab and line breaks too),
    undecodable bytes, a formula or more than ``limit`` characters refused naming ``what``
    and the value."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.lstrip().startswith("="):
        raise InputError(f"{what} holds a formula ({text[:40]!r}): type the value itself")
    refuse_in_free_text(text, what)  # the one rule (rules.inputs): a control character, undecodable bytes
    text = " ".join("".join(c for c in text if unicodedata.category(c) != "Cf").split())
    if len(text) > limit:
        raise InputError(f"{what} is {len(text):,} characters long; at most {limit} are kept: shorten it")
    return text


def _reason(reason: str, what: str) -> str:
    text = plain_text(reason, what)
    if not text:
        raise InputError(f"say why ({what}): a correction always names its reason")
    return text


# -- invoices -------------------------------------------------------------------------------


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
            if not a.due.owed:
                continue
            existing = book.invoice_for(m.member_id, fee_year)
            if existing is not None:
                if a.fee is None or read_money(a.fee, "the fee") != existing.amount:
                    now = f"{a.fee:,.0f}" if a.fee is not None else Phrase.of("invoice.now_none")
                    plan.changed[m.display_name] = Phrase.of("invoice.changed", number=existing.number,
                                                             amount=existing.amount, now=now)  # fmt: skip
                else:
                    plan.already.append(existing.number)
                continue
            unconfirmed = m.population_imported or (a.gdp is not None and not a.gdp.manual and not a.gdp.confirmed)
            if a.fee is None or a.gdp is None:
                plan.skipped[m.display_name] = Phrase.of("invoice.skip_missing", missing=list(a.missing))
            elif m.row in errors:
                plan.skipped[m.display_name] = Phrase.of("invoice.skip_row_error")
            elif unconfirmed and not accept_unconfirmed:
                plan.skipped[m.display_name] = Phrase.of("invoice.skip_unconfirmed")
            else:
                if dry_run:
                    number = numbered("WEGO", fee_year, planned)
                    planned += 1
                else:
                    number = store.next_number(conn, "WEGO", fee_year)
                on_issue = membership_on(roster.history, m.member_id, issue_date, m.membership)
                basis = invoice_basis(a, number, issue_date, due_days, bool(unconfirmed), on_issue)
                plan.new.append(basis)
                if not dry_run:
                    invoice = Invoice(number, m.member_id, fee_year, issue_date, basis["Due date"],
                                      basis["Amount (USD)"])  # fmt: skip
                    store.post(conn, invoice, by, basis=basis)
                    conn.execute(t.live_invoices.insert().values(member_id=m.member_id, fee_year=fee_year,
                                                                 invoice_number=number))  # fmt: skip
    return plan


# -- payments -------------------------------------------------------------------------------


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


def _read_payment(
    store: LedgerStore,
    conn: Connection,
    roster: Roster,
    given: PaymentInput,
    today: dt.date,
    seen: dict[str, str],
    *,
    typed_date: bool = False,
) -> tuple[Payment, str, str, str]:
    """(payment without its receipt, member name, bank reference, note), or a FieldProblem."""

    def field_value(name: str, read: Any) -> Any:
        try:
            if isinstance(getattr(given, name), str) and getattr(given, name).lstrip().startswith("="):
                plain_text(getattr(given, name), f"the {name.replace('_', ' ')}")  # a formula: refused
            return read()
        except WegoError as exc:
            raise FieldProblem(name, str(exc), getattr(given, name)) from None

    if isinstance(given.member, str):
        field_value("member", lambda: refuse_in_free_text(str(given.member), "the member's name"))
    member = field_value("member", lambda: roster.member(read_name(given.member)))
    currency = field_value("currency", lambda: read_currency(given.currency))
    amount = field_value("amount", lambda: read_money(given.amount, "the amount received", currency=currency))
    if amount <= ZERO:
        raise FieldProblem("amount", f"the amount received must be more than 0 {currency}, got {amount}", given.amount)
    charges = field_value(
        "bank_charges",
        lambda: read_money(0 if is_blank(given.bank_charges) else given.bank_charges, "the bank charges"),
    )
    if charges < ZERO:
        raise FieldProblem("bank_charges", f"bank charges cannot be negative, got {charges}", given.bank_charges)
    if currency == "USD" and charges > amount:
        raise FieldProblem("bank_charges", f"bank charges of {charges:,.2f} are more than the {amount:,.2f} received: "
                           "check the two amounts", given.bank_charges)  # fmt: skip
    if typed_date and is_blank(given.date):
        raise FieldProblem("date", "the date received is blank: type the date the money arrived", given.date)
    day = field_value("date", lambda: read_date(given.date, "the date received") or today)
    field_value("date", lambda: check_day(day, "the date received", today))
    field_value("date", lambda: check_open(conn, day))  # a closed period: named on its row
    reference = field_value("reference", lambda: plain_text(given.reference, "the bank reference", REFERENCE_LIMIT))
    if reference:
        key = reference_key(reference)
        if key in seen:
            raise FieldProblem("reference", f"the bank reference {reference!r} is also on {seen[key]}: the same "
                               "transfer twice? delete one", reference)  # fmt: skip
        found = conn.execute(select(t.payments.c.receipt).where(t.payments.c.bank_reference_key == key)).scalar()
        if found:
            raise FieldProblem("reference", f"the bank reference {reference!r} is recorded already (receipt {found}):"
                               " the same transfer twice?", reference)  # fmt: skip
    invoice = field_value("invoice", lambda: plain_text(given.invoice, "the invoice number", 40))
    if invoice:
        owner = conn.execute(select(t.invoices.c.member_id).where(t.invoices.c.number == invoice)).scalar()
        if owner != member.member_id:
            raise FieldProblem("invoice", f"{member.display_name} has no invoice {invoice}", invoice)
    note = field_value("note", lambda: plain_text(given.note, "the note"))
    bank = field_value("currency", lambda: bank_settings(roster.settings))
    typed_charges = None if is_blank(given.bank_charges) else charges
    payment = field_value(
        "currency" if currency != "USD" else "amount",
        lambda: receipt(
            store, conn, bank, Payment("", member.member_id, day, amount, invoice), currency, typed_charges
        ),
    )
    return payment, member.display_name, reference, note


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


def _record(
    conn: Connection, store: LedgerStore, payment: Payment, reference: str, note: str, by: Actor, source_key: str = ""
) -> Payment:
    number = store.next_number(conn, "R", payment.date.year)
    recorded = replace(payment, receipt=number)
    store.post(conn, recorded, by, bank_reference=reference, note=note, source_key=source_key or None)
    keep_write_offs_whole(store, conn, payment.member_id, f"a payment dated {payment.date}")
    return recorded


def keep_write_offs_whole(store: LedgerStore, conn: Connection, member_id: str, what: str) -> None:
    """Refuse (rolling back) an entry dated before a write-off of the member that would leave
    the write-off more than its invoice left open: bad debt written off stays what it was."""
    book = store.load(conn, member_id=member_id)
    if not book.write_offs:
        return
    taken = book.replay().invoices
    for w in book.write_offs:
        asked = sum((x.amount for x in book.write_offs if x.invoice == w.invoice), ZERO)
        if taken[w.invoice].written_off != asked:
            raise InputError(
                f"{what} would come before {w.number}, which wrote off {w.amount:,.2f} USD of {w.invoice} on "
                f"{w.date}: date it after {w.date} (money received after a write-off is the member's credit)"
            )


def record_payment(
    store: LedgerStore, roster: Roster, given: PaymentInput, *, by: Actor, today: dt.date | None = None
) -> Receipt:
    """Record one payment received: checked, numbered (R-YYYY-NNN) and written in one
    transaction; returns it with the member's balance after it."""
    today = today or dt.date.today()
    with store.writing() as conn:
        payment, name, reference, note = _read_payment(store, conn, roster, given, today, {})
        recorded = _record(conn, store, payment, reference, note, by)
        book = store.load(conn, member_id=payment.member_id)
        from_bank = set(conn.execute(select(t.bank_matches.c.receipt)).scalars())
        twins = tuple(p.receipt for p in book.payments if p.receipt in from_bank and p.value == recorded.value
                      and abs((p.date - recorded.date).days) <= 10)  # fmt: skip
    return Receipt(recorded, name, book.replay().balance(payment.member_id), twins)


class PostingError(WegoError):
    """Typed payments that cannot be posted; ``problems`` names every bad row. Nothing was posted."""

    def __init__(self, problems: list[RosterError]):
        self.problems = problems
        super().__init__(f"{len(problems)} row(s) cannot be posted, so none was: " + "; ".join(map(str, problems)))


@dataclass(frozen=True)
class TypedRow:
    """A row of the Post sheet: where it is and what it holds."""

    sheet: str
    row: int
    payment: PaymentInput
    source: str = ""

    def key(self, roster: Roster) -> str | None:
        """The row as read (file name, sheet, row, member, cents, date, reference, invoice,
        note), the same whichever reader gave it (openpyxl's 4000 and datetime, Office.js's
        4000.0 and day number): posted once however often and from wherever the posting runs.
        None for a row that cannot be read (it is refused anyway)."""
        given = self.payment
        try:
            day = read_date(given.date, "the date received")
            read = (
                os.path.basename(self.source), self.sheet, self.row, roster.member(read_name(given.member)).member_id,
                str(read_money(given.amount)), day.isoformat() if day else "",
                reference_key(plain_text(given.reference, "the bank reference")),
                plain_text(given.invoice, "the invoice"), plain_text(given.note, "the note"),
            )  # fmt: skip
        except WegoError:
            return None
        return hashlib.sha256(repr(read).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Posted:
    """A row of the Post sheet and its payment; ``before`` when an earlier run posted it."""

    row: TypedRow
    payment: Payment
    before: bool = False


#: The Post sheet's columns, and the field each fills.
POST_COLUMNS = {
    "Date received": "date", "Member": "member", "Amount received": "amount", "Currency": "currency",
    "Bank charges (USD)": "bank_charges", "Bank reference": "reference", "Invoice number": "invoice", "Note": "note",
}  # fmt: skip
#: Columns a Post sheet made before them may lack (blank: USD), and the earlier names of columns.
POST_OPTIONAL = ("Currency",)
POST_EARLIER = {"Amount (USD)": "Amount received"}


def post_columns(header: Iterable[object]) -> dict[str, str]:
    """The Post sheet's columns by the names its header row gives them (an earlier sheet's
    "Amount (USD)" is the amount received); a missing column is an error naming it."""
    found = {str(h).strip() for h in header if h is not None}
    columns = {}
    for column, name in POST_COLUMNS.items():
        earlier = [old for old, new in POST_EARLIER.items() if new == column and old in found]
        if column in found or not earlier:
            columns[column] = name
        else:
            columns[earlier[0]] = name
    missing = [c for c in columns if c not in found and c not in POST_OPTIONAL]
    if missing:
        raise LedgerError(f"column {missing[0]!r} is missing from the Post sheet's header row: restore it in row 1")
    return columns


def post_payments(
    store: LedgerStore,
    roster: Roster,
    rows: Iterable[TypedRow],
    *,
    by: Actor,
    today: dt.date | None = None,
    header: Iterable[object] = POST_COLUMNS,
) -> list[Posted]:
    """Post typed payments all or nothing: every row is checked first and every bad row named
    (sheet, row, column, value, what to do); then all are recorded in one transaction. A row
    an earlier run posted (its receipt number not written back) is found, never posted twice."""
    today = today or dt.date.today()
    rows = list(rows)
    columns = {v: k for k, v in post_columns(header).items()}  # as the sheet names them
    with store.writing() as conn:
        read: list[tuple[TypedRow, Payment, str, str]] = []
        done: dict[int, Posted] = {}
        problems: list[RosterError] = []
        seen: dict[str, str] = {}
        keys = {typed.row: typed.key(roster) for typed in rows}
        for typed in rows:
            key = keys[typed.row]
            earlier = None
            if key is not None:
                earlier = conn.execute(select(t.payments).where(t.payments.c.source_key == key)).mappings().first()
            if earlier is not None:
                done[typed.row] = Posted(typed, payment_of(earlier), before=True)
                continue
            try:
                payment, _, reference, note = _read_payment(
                    store, conn, roster, typed.payment, today, seen, typed_date=True
                )
            except FieldProblem as exc:
                problems.append(RosterError(str(exc), path=typed.source or None, sheet=typed.sheet, row=typed.row,
                                            column=columns[exc.field_name], value=exc.value,
                                            fix="correct the cell, then post again"))  # fmt: skip
                continue
            if reference:
                seen[reference_key(reference)] = f"row {typed.row}"
            read.append((typed, payment, reference, note))
        if problems:
            raise PostingError(problems)
        for typed, payment, reference, note in read:
            done[typed.row] = Posted(typed, _record(conn, store, payment, reference, note, by, keys[typed.row] or ""))
    return [done[typed.row] for typed in rows]


# -- corrections ----------------------------------------------------------------------------


def _invoice_row(store: LedgerStore, conn: Connection, number: str) -> Any:
    """An invoice's row, or an error naming the ledger."""
    refuse_in_free_text(number, "the invoice number")
    row = conn.execute(select(t.invoices).where(t.invoices.c.number == number)).mappings().first()
    if row is None:
        raise LedgerError(f"no invoice {number} in the ledger {store.shown}")
    return row


def issue_credit(
    store: LedgerStore,
    invoice_number: str,
    amount: object,
    reason: str,
    *,
    by: Actor,
    date: dt.date | None = None,
    today: dt.date | None = None,
) -> tuple[CreditNote, Decimal]:
    """A credit note on an invoice (the only way what an invoice asks changes), never more
    than the invoice still asks; returns it and what the invoice asks after it."""
    today = today or dt.date.today()
    money = read_money(amount, "the credit")
    why = _reason(reason, "the credit note's reason")
    with store.writing() as conn:
        row = _invoice_row(store, conn, invoice_number)
        on = check_day(date or today, "the credit note's date", today)
        book = store.load(conn, member_id=row["member_id"])
        invoice = next(i for i in book.invoices if i.number == invoice_number)
        if on < invoice.issue_date:
            raise InputError(
                f"the credit note's date {on} is before {invoice_number} was issued ({invoice.issue_date})"
            )
        state = book.replay().invoices[invoice_number]
        left = state.net - state.written_off  # what was written off is not credited again
        if state.written_off > ZERO and money > max(state.open, ZERO):
            raise InputError(
                f"{invoice_number} was written off in part as bad debt and has {max(state.open, ZERO):,.2f} USD open: "
                f"a credit note of {money:,.2f} would turn the written-off debt into the member's credit; "
                "credit at most what is open"
            )
        if money <= ZERO or money > left:
            raise InputError(
                f"the credit must be more than 0 and at most {left:,.2f} USD (what {invoice_number} asks now), "
                f"got {money:,.2f}"
            )
        note = CreditNote(store.next_number(conn, "CN", invoice.fee_year), invoice_number, money, on, why)
        store.post(conn, note, by, member_id=invoice.member_id)
        keep_write_offs_whole(store, conn, invoice.member_id, f"a credit note dated {on}")
        if money == state.net:  # credited in full: the member and fee year may be invoiced again
            conn.execute(delete(t.live_invoices).where(t.live_invoices.c.invoice_number == invoice_number))
    return note, left - money


def void_payment(
    store: LedgerStore,
    receipt: str,
    reason: str,
    *,
    by: Actor,
    date: dt.date | None = None,
    today: dt.date | None = None,
) -> tuple[Void, Payment]:
    """Take a payment back (recorded in error, returned by the bank): a void entry naming who
    and why; the payment stays as recorded, its number is never given again."""
    today = today or dt.date.today()
    why = _reason(reason, "the void's reason")
    refuse_in_free_text(receipt, "the receipt number")
    with store.writing() as conn:
        row = conn.execute(select(t.payments).where(t.payments.c.receipt == receipt)).mappings().first()
        if row is None:
            raise LedgerError(f"no receipt {receipt} in the ledger {store.shown}")
        payment = payment_of(row)
        done = conn.execute(select(t.voids.c.number).where(t.voids.c.receipt == receipt)).scalar()
        if done:
            raise InputError(f"receipt {receipt} is voided already ({done})")
        on = check_day(date or today, "the void's date", today)
        if on < payment.date:
            raise InputError(f"the void's date {on} is before the payment was received ({payment.date})")
        void = Void(store.next_number(conn, "V", on.year), receipt, on, why)
        store.post(conn, void, by, member_id=payment.member_id)
    return void, payment


def write_off(
    store: LedgerStore,
    invoice_number: str,
    reason: str,
    decision: str,
    *,
    by: Actor,
    amount: object = None,
    date: dt.date | None = None,
    today: dt.date | None = None,
) -> tuple[WriteOff, Decimal]:
    """Write off what an invoice leaves open (or ``amount`` of it) as bad debt, by a decision
    (e.g. "EC 2018-3"): a new entry naming who, why and by what decision; the invoice stays as
    issued. Returns the write-off and what the invoice leaves open after it."""
    today = today or dt.date.today()
    why = _reason(reason, "the write-off's reason")
    by_what = _reason(decision, "the decision (e.g. EC 2018-3)")
    with store.writing() as conn:
        row = _invoice_row(store, conn, invoice_number)
        on = check_day(date or today, "the write-off's date", today)
        issued = stored_day(row["issue_date"])
        if on < issued:
            raise InputError(f"the write-off's date {on} is before {invoice_number} was issued ({issued})")
        book = store.load(conn, member_id=row["member_id"])
        state = book.replay(on).invoices[invoice_number]
        left = state.open
        money = left if is_blank(amount) else read_money(amount, "the amount written off")
        if left <= ZERO or not ZERO < money <= left:
            raise InputError(f"{invoice_number} leaves {max(left, ZERO):,.2f} USD open on {on}: a write-off is more "
                             f"than 0 and at most that, got {money:,.2f}")  # fmt: skip
        entry = WriteOff(store.next_number(conn, "WO", on.year), invoice_number, money, on, why, by_what)
        store.post(conn, entry, by, member_id=state.invoice.member_id)
    return entry, left - money


def counts(store: LedgerStore) -> Mapping[str, int]:
    """How many entries of each kind the ledger holds."""
    with store.reading() as conn:
        rows = conn.execute(select(t.entries.c.kind, func.count()).group_by(t.entries.c.kind)).all()
    return {kind: n for kind, n in rows}
