"""From the bank's statements to the ledger: import them once (the same or an overlapping
statement again adds nothing), propose a member and invoice for each receipt with the reason,
post what a sure rule matched, and keep the rest for a person (``bank review`` / ``bank
post``). Every step is one ledger transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from ..app.settings import BankSettings, bank_settings
from ..errors import InputError, WegoError
from ..ledger import schema as t
from ..ledger.exchange import rate_on
from ..ledger.service import FOUNDED, keep_write_offs_whole, plain_text, receipt
from ..ledger.store import (
    Actor,
    LedgerStore,
    cents,
    closed_through,
    money,
    payment_of,
    reference_key,
    stamp,
    stored_day,
)
from ..rules.bank import HOME, BankLine, BankStatement, Matcher, OpenInvoice, Proposal, payer_key, to_usd
from ..rules.ledger import ZERO, InvoiceState, Payment
from ..store.roster import Roster


@dataclass(frozen=True)
class Waiting:
    """A receipt on the bank's statement that waits for a person, with what is proposed."""

    line: BankLine
    usd: Decimal | None  # None: no rate to convert it yet
    proposal: Proposal


@dataclass
class Imported:
    """What an import did."""

    statements_new: int = 0
    statements_seen: int = 0
    lines_new: int = 0
    lines_seen: int = 0
    posted: list[tuple[BankLine, Payment, str]] = field(default_factory=list)  # line, payment, why
    linked: list[tuple[BankLine, str]] = field(default_factory=list)  # line, receipt recorded by hand before
    waiting: list[Waiting] = field(default_factory=list)


def _statement_digest(s: BankStatement) -> str:
    body = "|".join(str(v) for v in (s.account, s.number, s.currency, s.opening, s.opening_date, s.closing,
                                     s.closing_date, len(s.lines), *(line.key for line in s.lines)))  # fmt: skip
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _line_row(line: BankLine, statement_id: int) -> dict[str, object]:
    instructed = f"{line.instructed[0]} {line.instructed[1]}" if line.instructed else None
    return {"key": line.key, "statement_id": statement_id, "account": line.account, "source": line.source,
            "line": line.line, "booked": line.booked, "value_date": line.value_date,
            "amount_cents": cents(line.amount), "currency": line.currency, "text": line.text,
            "counterparty": line.counterparty, "reference": line.reference,
            "balance_cents": None if line.balance is None else cents(line.balance), "instructed": instructed}  # fmt: skip


def line_of(r: Any) -> BankLine:
    """A stored bank line as the rules read it."""
    get = r._mapping if hasattr(r, "_mapping") else r
    instructed = None
    if get["instructed"]:
        amount, currency = str(get["instructed"]).split()
        instructed = (Decimal(amount), currency)
    return BankLine(get["source"], get["line"], get["account"], "", stored_day(get["booked"]), stored_day(get["value_date"]),
                    money(get["amount_cents"]), get["currency"], get["text"], get["counterparty"], get["reference"],
                    None if get["balance_cents"] is None else money(get["balance_cents"]), instructed,
                    known_key=get["key"])  # fmt: skip


def import_statements(
    store: LedgerStore, roster: Roster, statements: Iterable[BankStatement], *, by: Actor, today: dt.date | None = None
) -> Imported:
    """Add the statements' lines the ledger lacks, then match every receipt still open: a sure
    match is posted, a receipt recorded by hand before is linked, the rest waits."""
    done = Imported()
    with store.writing() as conn:
        for statement in statements:
            digest = _statement_digest(statement)
            found = conn.execute(select(t.bank_statements.c.id).where(t.bank_statements.c.digest == digest)).scalar()
            if found is None:
                found = conn.execute(t.bank_statements.insert().values(
                    account=statement.account, number=statement.number, currency=statement.currency,
                    opening_cents=None if statement.opening is None else cents(statement.opening),
                    opening_date=statement.opening_date,
                    closing_cents=None if statement.closing is None else cents(statement.closing),
                    closing_date=statement.closing_date, source=statement.source, digest=digest,
                    imported_at=stamp(), imported_by=by.user[:200],
                )).inserted_primary_key[0]  # type: ignore[index]  # fmt: skip
                done.statements_new += 1
            else:
                done.statements_seen += 1
            rows = _new_lines(conn, statement, found)
            if rows:
                conn.execute(t.bank_lines.insert(), rows)
            done.lines_new += len(rows)
            done.lines_seen += len(statement.lines) - len(rows)
        _match_open_lines(store, conn, roster, done, by, today or dt.date.today())
    return done


#: No bank line is this large (in any currency's units): a file that says so is misread.
LINE_LIMIT = Decimal(10) ** 12


def _new_lines(conn: Connection, statement: BankStatement, statement_id: int) -> list[dict[str, object]]:
    """The statement's lines the ledger lacks, as rows. A line the ledger (or the file) holds
    by the same bank reference with another date, amount or currency is refused, naming both:
    the bank never gives one reference to two transfers."""
    seen: dict[str, tuple] = {}
    for line in statement.lines:
        if not line.amount or abs(line.amount) >= LINE_LIMIT:
            raise InputError(f"{line.where}: an amount of {line.amount:,.2f} {line.currency} cannot be a booked line "
                             "(a blank amount, or a formula saved without its value: open and save the file in Excel, "
                             "or ask the bank for the statement again)")  # fmt: skip
        facts = (line.booked, line.amount, line.currency)
        if line.key in seen and seen[line.key][:3] != facts:
            raise InputError(f"{line.where}: the bank reference {line.reference!r} is also on {seen[line.key][3]}, "
                             f"with another date or amount: one reference is one transfer; ask the bank")  # fmt: skip
        seen.setdefault(line.key, (*facts, line.where))
    keys = list(seen)
    held: dict[str, tuple] = {}
    for start in range(0, len(keys), 500):
        query = select(t.bank_lines.c.key, t.bank_lines.c.booked, t.bank_lines.c.amount_cents,
                       t.bank_lines.c.currency, t.bank_lines.c.source, t.bank_lines.c.line)  # fmt: skip
        for key, booked, amount, currency, source, number in conn.execute(
            query.where(t.bank_lines.c.key.in_(keys[start : start + 500]))
        ):
            held[key] = (stored_day(booked), money(amount), currency, f"{source}, line {number}")
    for key, known in seen.items():
        where = known[3]
        if key in held and held[key][:3] != known[:3]:
            raise InputError(f"{where}: its bank reference is already on {held[key][3]} with another date or "
                             "amount: one reference is one transfer; ask the bank")  # fmt: skip
    rows, taken = [], set()
    for line in statement.lines:  # the same line twice in one file (an overlap inside it) is one line
        if line.key not in held and line.key not in taken:
            taken.add(line.key)
            rows.append(_line_row(line, statement_id))
    return rows


def _standing_matches() -> Any:
    """The lines a payment stands for (its payment not voided): (line key, receipt)."""
    voided = select(t.voids.c.receipt)  # a voided payment stands for its line no more
    return select(t.bank_matches.c.line_key, t.bank_matches.c.receipt).where(t.bank_matches.c.receipt.not_in(voided))


def standing_matches(conn: Connection) -> dict[str, str]:
    """Line key -> the receipt that stands for it."""
    return {key: receipt for key, receipt in conn.execute(_standing_matches())}


def _waiting(query: Any) -> Any:
    dismissed = select(t.bank_dismissals.c.line_key)
    posted = _standing_matches().with_only_columns(t.bank_matches.c.line_key)
    return query.where(t.bank_lines.c.amount_cents > 0, t.bank_lines.c.key.not_in(posted),
                       t.bank_lines.c.key.not_in(dismissed))  # fmt: skip


def open_lines(conn: Connection) -> list[BankLine]:
    """Receipts on the bank's statements that are neither a payment (not voided) nor set aside."""
    query = _waiting(select(t.bank_lines)).order_by(t.bank_lines.c.value_date, t.bank_lines.c.source,
                                                    t.bank_lines.c.line)  # fmt: skip
    return [line_of(r) for r in conn.execute(query)]


def unmatched_count(store: LedgerStore) -> int:
    """How many receipts on the bank's statements wait for a person."""
    with store.reading() as conn:
        return int(conn.execute(_waiting(select(func.count()).select_from(t.bank_lines))).scalar() or 0)


def voided_lines(conn: Connection) -> dict[str, str]:
    """Lines whose payment was voided: line key -> the voided receipt (latest)."""
    query = select(t.bank_matches.c.line_key, t.bank_matches.c.receipt).join(
        t.voids, t.voids.c.receipt == t.bank_matches.c.receipt
    )
    return dict(conn.execute(query).all())


def matcher(store: LedgerStore, conn: Connection, roster: Roster) -> Matcher:
    """The matcher over the ledger as it stands: open invoices, names, taught payers."""
    book = store.load(conn)
    ledger = book.replay()
    invoices = {n: _open_invoice(s) for n, s in ledger.invoices.items()}
    names = {m.member_id: m.names() for m in roster.members}
    shown = {m.member_id: m.display_name for m in roster.members}
    payers = dict(conn.execute(select(t.payer_names.c.key, t.payer_names.c.member_id)).all())
    return Matcher(invoices, names, payers, shown)


def refresh(store: LedgerStore, conn: Connection, match: Matcher, member_id: str) -> None:
    """Tell the matcher what the member's invoices ask after a posting."""
    ledger = store.load(conn, member_id=member_id).replay()
    match.update(_open_invoice(s) for s in ledger.invoices.values())


def _open_invoice(state: InvoiceState) -> OpenInvoice:
    """An invoice as matching sees it: what it leaves open, whether it still stands."""
    return OpenInvoice(state.invoice.number, state.invoice.member_id, max(state.open, ZERO), state.net > ZERO)


def usd_value(conn: Connection, line: BankLine, bank: BankSettings) -> Decimal:
    """A receipt's worth in USD: its amount, or converted at its value date's rate."""
    if line.currency == HOME:
        return line.amount
    rate, _ = rate_on(conn, line.currency, line.value_date, bank)
    return to_usd(line.amount, rate.per_usd)


def _match_open_lines(
    store: LedgerStore, conn: Connection, roster: Roster, done: Imported, by: Actor, today: dt.date
) -> None:
    bank = bank_settings(roster.settings)
    match = matcher(store, conn, roster)
    hand = _unlinked_payments(conn)
    voided = voided_lines(conn)
    for line in open_lines(conn):
        try:
            usd = usd_value(conn, line, bank)
        except InputError as exc:
            done.waiting.append(Waiting(line, None, Proposal(None, (), str(exc))))
            continue
        proposal = match.propose(line, usd)
        earlier = hand.find(line, usd, proposal.member_id)
        if earlier is not None and line.key not in voided:
            link(conn, line, earlier.receipt, f"recorded by hand before the import ({earlier.receipt})", by)
            hand.remove(earlier)
            done.linked.append((line, earlier.receipt))
            continue
        why = _not_by_itself(line, proposal, voided, today)
        if why is not None:
            reason = f"{proposal.reason}; {why}" if why else proposal.reason
            done.waiting.append(Waiting(line, usd, proposal._replace(reason=reason, sure=False)))
            continue
        try:
            with conn.begin_nested():  # a line that cannot be posted waits; the others go on
                payment = post_line(store, conn, line, proposal.member_id or "", proposal.invoices,
                                    proposal.open_amount, bank, by, f"auto: {proposal.reason}")  # fmt: skip
        except WegoError as exc:
            done.waiting.append(Waiting(line, usd, proposal._replace(reason=f"{proposal.reason}; {exc}", sure=False)))
            continue
        done.posted.append((line, payment, proposal.reason))
        refresh(store, conn, match, payment.member_id)


def _not_by_itself(line: BankLine, proposal: Proposal, voided: dict[str, str], today: dt.date) -> str | None:
    """Why a line waits for a person ("": the proposal is not sure), or None: it posts by itself."""
    if not proposal.sure or proposal.member_id is None:
        return ""
    if line.key in voided:
        return f"its payment {voided[line.key]} was voided: a person decides again"
    if line.value_date > today:
        return f"its value date {line.value_date} is after today"
    if line.value_date < FOUNDED:
        return f"its value date {line.value_date} is before WeGO's founding (2010): check the statement"
    return None


@dataclass
class _Typed:
    """Payments recorded by hand that no bank line is linked to yet (not voided): by their
    bank reference's key, and by member and value."""

    by_reference: dict[str, Payment] = field(default_factory=dict)
    by_value: dict[tuple[str, Decimal], list[Payment]] = field(default_factory=dict)

    def find(self, line: BankLine, usd: Decimal, member_id: str | None) -> Payment | None:
        """The payment this line is: its reference on the line (the bank's, or a word of the
        text), else the proposed member's payment of the same value within ten days."""
        words = [line.reference, *line.text.split(), line.text]
        for word in words:
            found = self.by_reference.get(reference_key(word)) if word else None
            if found is not None:
                return found
        for payment in self.by_value.get((member_id or "", usd), []):
            if abs((payment.date - line.value_date).days) <= 10:
                return payment
        return None

    def remove(self, payment: Payment) -> None:
        self.by_reference = {k: p for k, p in self.by_reference.items() if p.receipt != payment.receipt}
        key = (payment.member_id, payment.value)
        self.by_value[key] = [p for p in self.by_value.get(key, []) if p.receipt != payment.receipt]


def _unlinked_payments(conn: Connection) -> _Typed:
    linked = select(t.bank_matches.c.receipt)
    voided = select(t.voids.c.receipt)
    query = select(t.payments).where(t.payments.c.receipt.not_in(linked), t.payments.c.receipt.not_in(voided))
    typed = _Typed()
    for r in conn.execute(query).mappings():
        payment = payment_of(r)
        if r["bank_reference_key"]:
            typed.by_reference[r["bank_reference_key"]] = payment
        typed.by_value.setdefault((payment.member_id, payment.value), []).append(payment)
    return typed


def link(conn: Connection, line: BankLine, receipt_number: str, how: str, by: Actor) -> None:
    conn.execute(t.bank_matches.insert().values(line_key=line.key, receipt=receipt_number, how=how[:500],
                                                matched_at=stamp(), matched_by=by.user[:200]))  # fmt: skip


def post_line(
    store: LedgerStore,
    conn: Connection,
    line: BankLine,
    member_id: str,
    invoices: tuple[str, ...],
    open_amount: Decimal,
    bank: BankSettings,
    by: Actor,
    how: str,
) -> Payment:
    """Record a bank line as the member's payment (numbered, converted, settled) and link it. A
    line dated in a closed period is received on the first open day (the note keeps its date)."""
    lock = closed_through(conn)
    day = line.value_date if lock is None or line.value_date > lock[0] else lock[0] + dt.timedelta(days=1)
    given = Payment("", member_id, day, line.amount, invoices[0] if len(invoices) == 1 else "")
    settles = open_amount if invoices else None
    payment = receipt(store, conn, bank, given, line.currency, None, settles=settles)
    number = store.next_number(conn, "R", payment.date.year)
    payment = replace(payment, receipt=number)
    reference = line.reference or None
    if reference and conn.execute(select(t.payments.c.receipt).where(
            t.payments.c.bank_reference_key == reference_key(reference))).scalar():  # fmt: skip
        reference = None  # typed on another payment: the line's key is the guard
    note = f"bank {line.source}, line {line.line}: {line.counterparty} {line.text}".strip()
    if day != line.value_date:
        note = f"{note} (value date {line.value_date}, in the period closed through {lock[0] if lock else ''})"
    note = note[:500]
    before = conn.execute(select(func.count()).select_from(t.bank_matches).where(t.bank_matches.c.line_key == line.key))
    times = before.scalar() or 0  # posted before and voided: the line's key, counted, is the guard
    source = line.key if not times else hashlib.sha256(f"{line.key}/{times}".encode()).hexdigest()
    store.post(conn, payment, Actor(by.user, f"{by.via}: {how}"[:200]), bank_reference=reference, note=note,
               source_key=source)  # fmt: skip
    link(conn, line, number, how, by)
    keep_write_offs_whole(store, conn, member_id, f"the receipt of {line.where}, dated {line.value_date},")
    return payment


def teach_payer(conn: Connection, name: str, member_id: str, by: Actor) -> bool:
    """Remember that ``name`` pays for a member; False when it was taught already (the same)."""
    name = plain_text(name, "the payer's name", 200)
    key = payer_key(name)
    if not key:
        raise InputError(f"the payer name {name!r} has no letters to remember")
    held = conn.execute(select(t.payer_names.c.member_id).where(t.payer_names.c.key == key)).scalar()
    if held is not None:
        if held != member_id:
            raise InputError(f"the payer {name!r} was taught as member {held} already: a payer name names one member")
        return False
    conn.execute(t.payer_names.insert().values(key=key, name=name, member_id=member_id, taught_at=stamp(),
                                               taught_by=by.user[:200]))  # fmt: skip
    return True


def dismiss(conn: Connection, line: BankLine, reason: str, by: Actor) -> None:
    """Set a receipt aside as not a member's payment (interest, a refund), naming why."""
    conn.execute(t.bank_dismissals.insert().values(line_key=line.key, reason=reason, dismissed_at=stamp(),
                                                   dismissed_by=by.user[:200]))  # fmt: skip
