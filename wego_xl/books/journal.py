"""The journal the Secretariat's books take: every ledger event as a balanced double-entry
transaction (see :mod:`wego_xl.rules.journal`), in numbered batches kept in the ledger as they
were written.

A batch is never reopened: printing it again gives the same file. The next batch takes each
event not exported yet and, for an exported event that the ledger now books otherwise (a
payment voided, a waiting bank line set aside or found to be a member's payment, an earlier
statement imported late that changes an opening balance), an adjustment: the difference
between what the ledger gives now and what was exported. So the batches, added up, always
equal the ledger as it stands. Nothing is booked in a closed period: an event dated in one is
booked on the first open day, as is anything dated before the batch's first day."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, groupby
from typing import Any

from sqlalchemy import Connection, func, select

from ..app.settings import bank_settings
from ..bank.service import standing_matches
from ..errors import InputError
from ..ledger import schema as t
from ..ledger.exchange import rate_on
from ..ledger.store import Actor, LedgerStore, cents, closed_through, money, stamp, stored_day
from ..rules.journal import (
    Account,
    BankEvent,
    Chart,
    Posting,
    Transaction,
    bank_postings,
    check_chart,
    in_won,
    shipped_chart,
    transactions_of,
    won_received,
)
from ..rules.ledger import ZERO, LedgerBook
from ..store.roster import Roster

CHART_SHEET = "Chart of accounts"
Key = tuple[str, str]  # an account: (code, name)
DAY = dt.timedelta(days=1)
_DATED = re.compile(r" \(dated \d{4}-\d{2}-\d{2}\)$")  # what a narration says of a later booking


@dataclass
class Journal:
    """A batch of the journal: its number and period, its transactions in the order booked, the
    balances carried in from earlier batches, and the balance assertions it closes with."""

    batch: int
    start: dt.date
    end: dt.date
    transactions: list[Transaction] = field(default_factory=list)
    again: bool = False  # the same batch as an earlier export of the period
    opening: dict[str, tuple[Account, Decimal]] = field(default_factory=dict)  # per account name
    assertions: list[tuple[dt.date, Account, Decimal]] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    """What the next batch books for one event: all of it (a new event), or the difference
    between its postings now and what earlier batches exported (an adjustment)."""

    event: str
    dated: dt.date
    reference: str
    member: str
    narration: str
    now: tuple[tuple[Account, Decimal], ...]  # the event's USD postings as the ledger stands
    before: dict[Key, tuple[Decimal, Decimal]]  # exported so far, per account: (USD, KRW)
    won: tuple[tuple[int, Decimal], ...] = ()  # postings whose won are known (a receipt in won)

    @property
    def kind(self) -> str:
        return "adjustment" if self.before else "event"


def chart_of(roster: Roster) -> Chart:
    """The roster's Chart of accounts sheet (Role, Code, Account), else the shipped chart."""
    from ..store.xlsx import open_workbook

    wb = open_workbook(roster.path) if roster.path is not None else None
    if wb is None or CHART_SHEET not in wb.sheetnames:
        return shipped_chart()
    rows = list(wb[CHART_SHEET].iter_rows(values_only=True))
    header = [str(h or "").strip() for h in rows[0]] if rows else []
    if not {"Role", "Code", "Account"} <= set(header):
        raise InputError(f"{roster.path}, sheet {CHART_SHEET!r}: the header row needs Role, Code and Account")
    at = {h: header.index(h) for h in ("Role", "Code", "Account")}
    found = [(r, str(v[at["Role"]] or "").strip(), str(v[at["Code"]] or "").strip(), str(v[at["Account"]] or "").strip())
             for r, v in enumerate(rows[1:], start=2) if any(c is not None for c in v)]  # fmt: skip
    return check_chart(found, f"{roster.path.name if roster.path else 'roster'}, sheet {CHART_SHEET!r}")


def export_journal(
    store: LedgerStore, roster: Roster, start: dt.date, end: dt.date, *, by: Actor, record: bool = True
) -> Journal | None:
    """A new batch of what the journal has not taken yet through ``end`` (recorded), else the
    batch an earlier export of exactly this period made; None when there is nothing new and no
    batch of this period. ``record=False``: what is booked in the period, exported or not, and
    nothing recorded (the auditor's pack)."""
    if end < start:
        raise InputError(f"the period ends ({end}) before it starts ({start})")
    chart = chart_of(roster)
    with store.writing() as conn:
        book = store.load(conn)  # once: the events, their changes and the assertions read the same ledger
        _record_batches_of_0003(conn, book, roster, chart)
        floor = _first_open_day(conn, start)
        changes = changes_through(conn, book, chart, end)
        rate_of = _rate_reader(conn, roster)
        if not record:
            booked = [tx for tx in stored_transactions(conn) if start <= tx.date <= end]
            pending = [_transaction(c, max(c.dated, floor), rate_of) for c in changes if max(c.dated, floor) <= end]
            journal = Journal(0, start, end, sorted(booked, key=lambda tx: tx.date) + pending)
            journal.opening = _carried(conn, t.journal_postings.c.booked < start)
            journal.assertions = _assertions(conn, book, chart, floor, end, floor)
            return journal
        batches = conn.execute(select(t.journal_batches).order_by(t.journal_batches.c.number)).mappings().all()
        if not changes:
            same = [
                b["number"] for b in batches if (stored_day(b["date_from"]), stored_day(b["date_to"])) == (start, end)
            ]
            if not same:
                return None
            found = stored_batch(conn, same[-1])
            found.again = True
            return found
        _check_forward(batches, end, floor, changes)
        number = (batches[-1]["number"] if batches else 0) + 1
        last_end = max((stored_day(b["date_to"]) for b in batches), default=start - DAY)
        txs = [_transaction(c, max(c.dated, floor), rate_of) for c in changes]
        conn.execute(t.journal_batches.insert().values(number=number, date_from=start, date_to=end,
                                                       exported_at=stamp(), exported_by=by.user[:200]))  # fmt: skip
        _store(conn, number, txs, _assertions(conn, book, chart, floor, end, last_end))
        new = [{"event": c.event, "batch": number} for c in changes if c.kind == "event"]
        if new:
            conn.execute(t.journal_events.insert(), new)
        return stored_batch(conn, number)


def printed_batch(store: LedgerStore, number: int) -> Journal:
    """Batch ``number`` as it was exported, to print again: the same file as the first time."""
    with store.reading() as conn:
        if conn.execute(select(t.journal_batches.c.number).where(t.journal_batches.c.number == number)).first() is None:
            last = conn.execute(select(func.max(t.journal_batches.c.number))).scalar()
            raise InputError(f"there is no journal batch {number}: "
                             + (f"the batches are 1 to {last}" if last else "nothing has been exported yet"))  # fmt: skip
        return stored_batch(conn, number)


def journal_lines(store: LedgerStore, roster: Roster, start: dt.date, end: dt.date) -> list[dict[str, object]]:
    """What is booked in the period, a row per posting (the CSV's columns), no batch recorded:
    for the auditor's pack."""
    from .journal_files import rows_of

    found = export_journal(store, roster, start, end, by=Actor("", ""), record=False)
    return [] if found is None else rows_of(found)


def pending_events(store: LedgerStore, conn: Connection, roster: Roster, through: dt.date) -> int:
    """How many events through ``through`` the journal has not taken as they stand now."""
    return len(changes_through(conn, store.load(conn), chart_of(roster), through))


def _first_open_day(conn: Connection, start: dt.date) -> dt.date:
    lock = closed_through(conn)
    return max(start, lock[0] + DAY) if lock else start


def _check_forward(batches: Sequence[Any], end: dt.date, floor: dt.date, changes: list[Change]) -> None:
    """Batches follow each other: a new one ends no earlier than the last, and books nothing
    after its own last day (a period that is closed whole)."""
    last = max(batches, key=lambda b: (stored_day(b["date_to"]), b["number"]), default=None)
    if last is not None and stored_day(last["date_to"]) > end:
        to = stored_day(last["date_to"])
        raise InputError(f"batch {last['number']} runs to {to}: a new batch ends on that day or later (the books "
                         f"take batches in order); export --to {to} or later")  # fmt: skip
    if floor > end:
        shown = ", ".join(f"{c.reference} of {c.dated}" for c in changes[:3])
        raise InputError(f"the period through {floor - DAY} is closed: {len(changes)} event(s) in it not in the journal "
                         f"yet ({shown}{'...' if len(changes) > 3 else ''}) are booked on {floor}: export a period "
                         f"that reaches {floor}")  # fmt: skip


# -- what the ledger gives, against what was exported ---------------------------------------------


def events_of(conn: Connection, book: LedgerBook) -> dict[str, tuple[dt.date, str, Any]]:
    """Every event of the ledger: event id -> (date, id, the record or bank event)."""
    seqs = dict(conn.execute(select(t.entries.c.number, t.entries.c.seq)).all())
    found: dict[str, tuple[dt.date, str, Any]] = {}
    dated: Iterable[tuple[dt.date, Any, str]] = chain(  # a stream: no second list of 150,000 tuples
        ((i.issue_date, i, i.number) for i in book.invoices), ((c.date, c, c.number) for c in book.credits),
        ((p.date, p, p.receipt) for p in book.payments), ((v.date, v, v.number) for v in book.voids),
        ((w.date, w, w.number) for w in book.write_offs))  # fmt: skip
    for day, record, number in dated:
        event = f"entry {seqs[number]}"
        found[event] = (day, event, record)
    for bank in _bank_events(conn):
        found[bank.event] = (bank.date, bank.event, bank)
    return found


def changes_through(conn: Connection, book: LedgerBook, chart: Chart, end: dt.date) -> list[Change]:
    """What a batch ending on ``end`` books, in date order: each event not exported yet, and
    each exported event whose postings the ledger now gives otherwise (an event the ledger no
    longer gives, such as a waiting bank line now a member's payment, is taken back whole)."""
    events = events_of(conn, book)  # all: an event after ``end`` is no taken-back one
    exported = exported_events(conn)
    context = _context(book)
    found = []
    for day, event, record in sorted(events.values(), key=lambda e: (e[0], e[1])):
        before = exported.pop(event, None)
        change = _change_of(day, event, record, chart, context, before[1] if before else {})
        if before is None:
            if change.now:
                found.append(change)
        elif _usd_of(change.now) != {k: usd for k, (usd, _) in before[1].items() if usd}:
            found.append(change)
    for event, (shown, sums) in exported.items():  # exported, and the ledger gives it no more
        if any(usd or krw for usd, krw in sums.values()):
            found.append(Change(event, shown[0], shown[1], shown[2], shown[3], (), sums))
    return sorted((c for c in found if c.dated <= end), key=lambda c: (c.dated, c.event))


def _usd_of(postings: Iterable[tuple[Account, Decimal]]) -> dict[Key, Decimal]:
    sums: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    for account, usd in postings:
        sums[(account.code, account.name)] += usd
    return {k: v for k, v in sums.items() if v}


def exported_events(
    conn: Connection,
) -> dict[str, tuple[tuple[dt.date, str, str, str], dict[Key, tuple[Decimal, Decimal]]]]:
    """Per exported event: (its date, reference, member, first narration) and, per account, the
    USD and KRW all batches booked for it."""
    p = t.journal_postings.c
    shown: dict[str, tuple[dt.date, str, str, str]] = {}
    for row in conn.execute(select(p.event, p.dated, p.reference, p.member, p.narration)
                            .where(p.kind == "event").order_by(p.id)):  # fmt: skip
        shown.setdefault(row[0], (stored_day(row[1]), row[2], row[3], _DATED.sub("", row[4])))
    sums: dict[str, dict[Key, tuple[Decimal, Decimal]]] = defaultdict(dict)
    for event, code, name, usd, krw in conn.execute(
        select(p.event, p.account_code, p.account, func.sum(p.usd_cents), func.sum(p.krw)).group_by(
            p.event, p.account_code, p.account
        )
    ):
        sums[event][(code, name)] = (money(int(usd)), Decimal(int(krw)))
    return {event: (shown[event], sums[event]) for event in shown}


def _bank_events(conn: Connection) -> list[BankEvent]:
    """The USD accounts' opening balances and their lines that are no member's payment."""
    statements = conn.execute(select(t.bank_statements).where(t.bank_statements.c.currency == "USD",
                              t.bank_statements.c.opening_cents.is_not(None))
                              .order_by(t.bank_statements.c.opening_date, t.bank_statements.c.id)).mappings().all()  # fmt: skip
    found, opened = [], set()
    for s in statements:
        if s["account"] not in opened:
            opened.add(s["account"])
            day = stored_day(s["opening_date"])
            earlier = _receipts_before(conn, day) if len({r["account"] for r in statements}) == 1 else ZERO
            found.append(BankEvent(f"opening {s['account']}", day, s["account"], money(s["opening_cents"]) - earlier,
                                   "opening"))  # fmt: skip
    standing = standing_matches(conn)
    aside = set(conn.execute(select(t.bank_dismissals.c.line_key)).scalars())
    for r in conn.execute(select(t.bank_lines).where(t.bank_lines.c.currency == "USD",
                                                     t.bank_lines.c.account.in_(opened))).mappings():  # fmt: skip
        if r["key"] in standing:
            continue
        amount = money(r["amount_cents"])
        kind = "debit" if amount < ZERO else ("set aside" if r["key"] in aside else "waiting")
        found.append(BankEvent(f"line {r['key']}", stored_day(r["booked"]), f"{r['source']}, line {r['line']}",
                               amount, kind))  # fmt: skip
    return found


def _receipts_before(conn: Connection, day: dt.date) -> Decimal:
    """What the ledger's USD receipts dated before the account's first statement put in the
    bank (less those voided before it): the opening balance holds them already, so the
    opening booked is the rest (the one USD account; with several, which holds them is unknown)."""
    rows = conn.execute(select(t.payments).where(t.payments.c.date_received < day)).mappings().all()
    voided = dict(conn.execute(select(t.voids.c.receipt, t.voids.c.date)).all())
    total = ZERO
    for r in rows:
        if (r["currency"] or "USD") != "USD" or (r["receipt"] in voided and stored_day(voided[r["receipt"]]) < day):
            continue
        total += money(r["amount_cents"] - r["bank_charges_cents"] - (r["exchange_difference_cents"] or 0))
    return total


def _context(book: LedgerBook) -> dict[str, Any]:
    return {
        "fee_year_of": {i.number: i.fee_year for i in book.invoices},
        "member_of": {i.number: i.member_id for i in book.invoices},
        "payments": {p.receipt: p for p in book.payments},
    }


def _change_of(
    day: dt.date, event: str, record: Any, chart: Chart, context: dict[str, Any],
    before: dict[Key, tuple[Decimal, Decimal]],
) -> Change:  # fmt: skip
    """The event as the ledger gives it now (its postings that are not zero), against ``before``."""
    postings, reference, member, narration = _postings(record, event, chart, context)
    now = tuple((a, usd) for a, usd in postings if usd)
    return Change(event, day, reference, member, narration, now, before, _won(record, context))


def _won(record: Any, context: dict[str, Any]) -> tuple[tuple[int, Decimal], ...]:
    return () if isinstance(record, BankEvent) else tuple(won_received(record, context["payments"]).items())


def _postings(record: Any, event: str, chart: Chart, context: dict[str, Any]) -> tuple[list, str, str, str]:
    """(USD postings, reference, member, narration) of an event."""
    if isinstance(record, BankEvent):
        narration = {"opening": "Opening balance", "debit": "Bank debit", "set aside": "Receipt, not dues",
                     "waiting": "Receipt not identified yet"}[record.kind]  # fmt: skip
        return bank_postings(record, chart), record.reference, "", f"{narration} ({record.reference})"
    _, reference, member, narration, postings = transactions_of(
        record, event, chart, fee_year_of=context["fee_year_of"], member_of=context["member_of"],
        payments=context["payments"],
    )  # fmt: skip
    return postings, reference, member, narration


# -- booking: won, batches as stored, balances ------------------------------------------------------


def _rate_reader(conn: Connection, roster: Roster) -> Callable[[dt.date], Decimal]:
    bank = bank_settings(roster.settings)
    rates: dict[dt.date, Decimal] = {}

    def rate_of(day: dt.date) -> Decimal:
        if day not in rates:
            try:
                rates[day] = rate_on(conn, "KRW", day, bank)[0].per_usd
            except InputError as exc:
                raise InputError(f"the journal needs the KRW rate of each day it books: {exc}") from None
        return rates[day]

    return rate_of


def _transaction(change: Change, booked: dt.date, rate_of: Callable[[dt.date], Decimal]) -> Transaction:
    """The change as a transaction booked on ``booked``: its KRW at the event's own day's rate
    (an adjustment: the KRW it gives now less the KRW exported)."""
    postings: tuple[Posting, ...] = ()
    rate = ZERO
    if change.now:
        postings, rate = in_won(change.event, change.dated, list(change.now), rate_of, dict(change.won))
    narration = change.narration
    if change.before:
        now = {(p.account.code, p.account.name): p for p in postings}
        keys = list(now) + [k for k in change.before if k not in now]
        none = (ZERO, ZERO)
        diffs = [(key, _usd(now, key) - change.before.get(key, none)[0], _krw(now, key) - change.before.get(key, none)[1])
                 for key in keys]  # fmt: skip
        postings = tuple(Posting(Account(*key), usd, krw) for key, usd, krw in diffs if usd or krw)
        narration = f"Adjustment: {narration}" if change.now else f"Taken back: {narration}"
        if not rate:
            rate = rate_of(change.dated)
    if booked != change.dated:
        narration += f" (dated {change.dated})"
    return Transaction(change.event, booked, change.reference, change.member, narration, postings, rate,
                       change.kind, change.dated)  # fmt: skip


def _usd(postings: dict[Key, Posting], key: Key) -> Decimal:
    return postings[key].usd if key in postings else ZERO


def _krw(postings: dict[Key, Posting], key: Key) -> Decimal:
    return postings[key].krw if key in postings else ZERO


def _store(
    conn: Connection, batch: int, txs: list[Transaction], assertions: list[tuple[dt.date, Account, Decimal]]
) -> None:
    rows = [
        {"batch": batch, "tx": n, "kind": tx.kind, "event": tx.event, "booked": tx.date, "dated": tx.dated or tx.date,
         "reference": tx.reference[:200], "member": tx.member, "narration": tx.narration, "account_code": p.account.code,
         "account": p.account.name, "usd_cents": cents(p.usd), "krw": int(p.krw), "rate": str(tx.rate)}
        for n, tx in enumerate(txs, start=1) for p in tx.postings
    ]  # fmt: skip
    if rows:
        conn.execute(t.journal_postings.insert(), rows)
    if assertions:
        conn.execute(t.journal_assertions.insert(), [
            {"batch": batch, "date": day, "account_code": a.code, "account": a.name, "usd_cents": cents(usd)}
            for day, a, usd in assertions
        ])  # fmt: skip


def stored_transactions(conn: Connection, batch: int | None = None) -> list[Transaction]:
    """The transactions exported, as written (of one batch, else of all), in batch order. Read
    as a stream, a transaction at a time, each account made once: a batch of 150,000
    transactions leaves no pile of rows for the garbage collector to walk again and again."""
    p = t.journal_postings.c
    query = select(p.batch, p.tx, p.account_code, p.account, p.usd_cents, p.krw, p.event, p.booked, p.reference,
                   p.member, p.narration, p.rate, p.kind, p.dated).order_by(p.batch, p.tx, p.id)  # fmt: skip
    if batch is not None:
        query = query.where(p.batch == batch)
    accounts: dict[tuple[str, str], Account] = {}
    found = []
    for (number, tx), group in groupby(conn.execute(query), key=lambda r: (r[0], r[1])):
        rows = list(group)
        first, postings = rows[0], []
        for r in rows:
            account = accounts.get((r[2], r[3])) or accounts.setdefault((r[2], r[3]), Account(r[2], r[3]))
            postings.append(Posting(account, money(r[4]), Decimal(r[5])))
        found.append(Transaction(first[6], stored_day(first[7]), first[8], first[9], first[10], tuple(postings),
                                 Decimal(first[11]), first[12], stored_day(first[13]), number, tx))  # fmt: skip
    return found


def stored_batch(conn: Connection, number: int) -> Journal:
    """A batch as it was exported: the same file every time it is printed."""
    row = conn.execute(select(t.journal_batches).where(t.journal_batches.c.number == number)).mappings().one()
    journal = Journal(
        number, stored_day(row["date_from"]), stored_day(row["date_to"]), stored_transactions(conn, number)
    )
    journal.opening = _carried(conn, t.journal_postings.c.batch < number)
    a = t.journal_assertions.c
    journal.assertions = [
        (stored_day(r["date"]), Account(r["account_code"], r["account"]), money(r["usd_cents"]))
        for r in conn.execute(select(t.journal_assertions).where(a.batch == number).order_by(a.id)).mappings()
    ]
    return journal


def _carried(conn: Connection, which: Any) -> dict[str, tuple[Account, Decimal]]:
    """Per account, what the exported postings ``which`` selects add up to."""
    p = t.journal_postings.c
    rows = conn.execute(select(p.account_code, p.account, func.sum(p.usd_cents)).where(which)
                        .group_by(p.account_code, p.account).order_by(p.account)).all()  # fmt: skip
    return {name: (Account(code, name), money(int(total))) for code, name, total in rows}


def _assertions(
    conn: Connection, book: LedgerBook, chart: Chart, first: dt.date, end: dt.date, booked_to: dt.date
) -> list[tuple[dt.date, Account, Decimal]]:
    """The receivables at the period's end (the ledger's), and the bank as the last statement
    closing by ``end`` says, when the batches hold all of it by then: nothing of this batch
    before it is booked later (``first``: its first bookable day), and the earlier batches are
    booked to ``booked_to``, no later than the closing."""
    replayed = book.replay(end)
    found = [(end + DAY, chart["receivable"], sum((replayed.balance(m) for m in replayed.members()), ZERO))]
    closing = _bank_closing(conn, end)
    if closing is not None and first <= closing[0] and booked_to <= closing[0]:
        found.append((closing[0] + DAY, chart["bank"], closing[1]))
    return found


def _bank_closing(conn: Connection, end: dt.date) -> tuple[dt.date, Decimal] | None:
    """The last closing balance on or before ``end`` of the one USD account, if there is one."""
    accounts = set(conn.execute(select(t.bank_statements.c.account).where(t.bank_statements.c.currency == "USD"))
                   .scalars())  # fmt: skip
    if len(accounts) != 1:
        return None
    row = conn.execute(select(t.bank_statements.c.closing_date, t.bank_statements.c.closing_cents)
                       .where(t.bank_statements.c.currency == "USD", t.bank_statements.c.closing_date <= end,
                              t.bank_statements.c.closing_cents.is_not(None))
                       .order_by(t.bank_statements.c.closing_date.desc()).limit(1)).first()  # fmt: skip
    return (stored_day(row[0]), money(row[1])) if row else None


def _record_batches_of_0003(conn: Connection, book: LedgerBook, roster: Roster, chart: Chart) -> None:
    """Batches exported before revision 0004 kept only which events they took: their postings are
    recorded once, as the ledger gives those events at the first export after the upgrade."""
    stored = set(conn.execute(select(t.journal_postings.c.batch).distinct()).scalars())
    todo: dict[int, list[str]] = defaultdict(list)
    for event, batch in conn.execute(select(t.journal_events.c.event, t.journal_events.c.batch)):
        if batch not in stored:
            todo[batch].append(event)
    if not todo:
        return
    events = events_of(conn, book)
    context = _context(book)
    rate_of = _rate_reader(conn, roster)
    for batch in sorted(todo):
        changes = []
        for day, event, record in sorted((events[e] for e in todo[batch] if e in events), key=lambda e: (e[0], e[1])):
            change = _change_of(day, event, record, chart, context, {})
            if change.now:
                changes.append(change)
        row = conn.execute(select(t.journal_batches).where(t.journal_batches.c.number == batch)).mappings().one()
        start, end = stored_day(row["date_from"]), stored_day(row["date_to"])
        _store(conn, batch, [_transaction(c, c.dated, rate_of) for c in changes],
               _assertions(conn, book, chart, start, end, start))  # fmt: skip
