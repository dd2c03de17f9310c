"""The journal the Secretariat's books take: every ledger event of a period as a balanced
double-entry transaction (see :mod:`wego_xl.rules.journal`), in numbered batches. An event is
exported once: exporting the same period again gives the same batch; new events go into the
next one. Written as CSV (a line per posting) or as beancount, whose own ``bean-check`` proves
it, with balance assertions at the period's end (receivables, and the bank as its statement
says)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from ..bank.service import standing_matches
from ..errors import InputError
from ..ledger import schema as t
from ..ledger.exchange import rate_on
from ..ledger.store import Actor, LedgerStore, money, stored_day
from ..rules.journal import (
    Account,
    BankEvent,
    Chart,
    Transaction,
    bank_postings,
    check_chart,
    in_won,
    shipped_chart,
    transactions_of,
)
from ..rules.ledger import ZERO, LedgerBook
from ..workbook.roster import Roster
from ..workbook.settings import bank_settings

CHART_SHEET = "Chart of accounts"
CSV_COLUMNS = ["Batch", "Transaction", "Date", "Entry", "Member", "Narration", "Account code", "Account",
               "Debit (USD)", "Credit (USD)", "Debit (KRW)", "Credit (KRW)", "Rate"]  # fmt: skip


@dataclass
class Journal:
    """A batch of the journal: its number and period, and its transactions in date order."""

    batch: int
    start: dt.date
    end: dt.date
    transactions: list[Transaction] = field(default_factory=list)
    again: bool = False  # the same batch as an earlier export of the period
    opening: dict[str, tuple[Account, Decimal]] = field(default_factory=dict)  # before the period, per account
    assertions: list[tuple[dt.date, Account, Decimal]] = field(default_factory=list)


def chart_of(roster: Roster) -> Chart:
    """The roster's Chart of accounts sheet (Role, Code, Account), else the shipped chart."""
    from ..workbook.xlsx import open_workbook

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
    """The batch of the period's events not exported yet (recorded as a new batch), else the
    batch an earlier export of exactly this period made; None when every event of the period
    is in other batches. ``record=False``: the period's events as they stand, no batch."""
    if end < start:
        raise InputError(f"the period ends ({end}) before it starts ({start})")
    chart = chart_of(roster)
    with store.writing() as conn:
        events = events_through(store, conn, chart, end)
        exported = dict(conn.execute(select(t.journal_events.c.event, t.journal_events.c.batch)).all())
        mine = [e for e in events.values() if start <= e[0] <= end]
        new = [e for e in mine if e[1] not in exported]
        if not record:
            return _journal(store, conn, roster, chart, 0, start, end, mine, exported, events)
        if not new:
            same = conn.execute(select(t.journal_batches.c.number).where(
                t.journal_batches.c.date_from == start, t.journal_batches.c.date_to == end
            ).order_by(t.journal_batches.c.number.desc())).scalar()  # fmt: skip
            if same is None:
                return None
            again = [e for e in mine if exported.get(e[1]) == same]
            found = _journal(store, conn, roster, chart, same, start, end, again, exported, events)
            found.again = True
            return found
        number = int(conn.execute(select(func.coalesce(func.max(t.journal_batches.c.number), 0))).scalar() or 0) + 1
        found = _journal(store, conn, roster, chart, number, start, end, new, exported, events)
        conn.execute(t.journal_batches.insert().values(number=number, date_from=start, date_to=end,
                                                       exported_at=_now(), exported_by=by.user[:200]))  # fmt: skip
        conn.execute(t.journal_events.insert(), [{"event": e[1], "batch": number} for e in new])
    return found


def journal_lines(store: LedgerStore, roster: Roster, start: dt.date, end: dt.date) -> list[dict[str, object]]:
    """The period's journal as rows (one per posting, the CSV's columns), no batch recorded:
    for the auditor's pack."""
    found = export_journal(store, roster, start, end, by=Actor("", ""), record=False)
    return [] if found is None else rows_of(found)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def events_through(
    store: LedgerStore, conn: Connection, chart: Chart, end: dt.date
) -> dict[str, tuple[dt.date, str, Any]]:
    """Every event up to ``end``: event id -> (date, id, the record or bank event)."""
    book = store.load(conn)
    seqs = dict(conn.execute(select(t.entries.c.number, t.entries.c.seq)).all())
    found: dict[str, tuple[dt.date, str, Any]] = {}
    dated: Iterable[tuple[dt.date, Any, str]] = (
        [(i.issue_date, i, i.number) for i in book.invoices] + [(c.date, c, c.number) for c in book.credits]
        + [(p.date, p, p.receipt) for p in book.payments] + [(v.date, v, v.number) for v in book.voids]
        + [(w.date, w, w.number) for w in book.write_offs]
    )  # fmt: skip
    for day, record, number in dated:
        if day <= end:
            event = f"entry {seqs[number]}"
            found[event] = (day, event, record)
    for bank in _bank_events(conn):
        if bank.date <= end:
            found[bank.event] = (bank.date, bank.event, bank)
    found["book"] = (dt.date.min, "book", book)
    return found


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


def _journal(
    store: LedgerStore,
    conn: Connection,
    roster: Roster,
    chart: Chart,
    number: int,
    start: dt.date,
    end: dt.date,
    events: list[tuple[dt.date, str, Any]],
    exported: dict[str, int],
    every: dict[str, tuple[dt.date, str, Any]],
) -> Journal:
    book: LedgerBook = every["book"][2]
    bank = bank_settings(roster.settings)
    rates: dict[dt.date, Decimal] = {}

    def rate_of(day: dt.date) -> Decimal:
        if day not in rates:
            try:
                rates[day] = rate_on(conn, "KRW", day, bank)[0].per_usd
            except InputError as exc:
                raise InputError(f"the journal needs the KRW rate of each day it books: {exc}") from None
        return rates[day]

    context = _context(conn, book)
    journal = Journal(number, start, end)
    for day, event, record in sorted(events, key=lambda e: (e[0], e[1])):
        postings = _postings(record, event, chart, context)
        reference, member, narration = postings[1:]
        lines, rate = in_won(event, day, postings[0], rate_of)
        journal.transactions.append(Transaction(event, day, reference, member, narration, lines, rate))
    mine = {e[1] for e in events}
    carried = [e for e in every.values() if e[1] != "book" and e[1] not in mine]  # before, or in other batches
    for _, event, record in carried:
        for account, usd in _postings(record, event, chart, context)[0]:
            held = journal.opening.get(account.name, (account, ZERO))
            journal.opening[account.name] = (account, held[1] + usd)
    receivable = sum((book.replay(end).balance(m) for m in book.replay(end).members()), ZERO)
    journal.assertions.append((end + dt.timedelta(days=1), chart["receivable"], receivable))
    closing = _bank_closing(conn, end)
    if closing is not None:
        journal.assertions.append((closing[0] + dt.timedelta(days=1), chart["bank"], closing[1]))
    return journal


def _context(conn: Connection, book: LedgerBook) -> dict[str, Any]:
    suspense = set(conn.execute(select(t.bank_matches.c.receipt)).scalars())  # receipts from a bank line
    waiting_exported = {
        row[0][5:] for row in conn.execute(select(t.journal_events.c.event)) if row[0].startswith("line ")
    }
    line_of = dict(conn.execute(select(t.bank_matches.c.receipt, t.bank_matches.c.line_key)).all())
    return {
        "fee_year_of": {i.number: i.fee_year for i in book.invoices},
        "member_of": {i.number: i.member_id for i in book.invoices},
        "payments": {p.receipt: p for p in book.payments},
        "suspense": {r for r in suspense if line_of.get(r) in waiting_exported},
    }


def _postings(record: Any, event: str, chart: Chart, context: dict[str, Any]) -> tuple[list, str, str, str]:
    """(USD postings, reference, member, narration) of an event."""
    if isinstance(record, BankEvent):
        narration = {"opening": "Opening balance", "debit": "Bank debit", "set aside": "Receipt, not dues",
                     "waiting": "Receipt not identified yet"}[record.kind]  # fmt: skip
        return bank_postings(record, chart), record.reference, "", f"{narration} ({record.reference})"
    _, reference, member, narration, postings = transactions_of(
        record, event, chart, fee_year_of=context["fee_year_of"], member_of=context["member_of"],
        payments=context["payments"], suspense_receipts=context["suspense"],
    )  # fmt: skip
    return postings, reference, member, narration


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


# -- writing ----------------------------------------------------------------------------------


def rows_of(journal: Journal) -> list[dict[str, object]]:
    """One row per posting, debits and credits apart."""
    rows: list[dict[str, object]] = []
    for n, tx in enumerate(journal.transactions, start=1):
        for p in tx.postings:
            rows.append({"Batch": journal.batch, "Transaction": f"{journal.batch}-{n}", "Date": tx.date.isoformat(),
                         "Entry": tx.reference, "Member": tx.member, "Narration": tx.narration,
                         "Account code": p.account.code, "Account": p.account.name,
                         "Debit (USD)": f"{p.usd:.2f}" if p.usd > 0 else "",
                         "Credit (USD)": f"{-p.usd:.2f}" if p.usd < 0 else "",
                         "Debit (KRW)": f"{p.krw:.0f}" if p.krw > 0 else "",
                         "Credit (KRW)": f"{-p.krw:.0f}" if p.krw < 0 else "", "Rate": str(tx.rate)})  # fmt: skip
    return rows


def as_csv(journal: Journal) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows_of(journal))
    return out.getvalue()


def as_beancount(journal: Journal) -> str:
    """The batch as a beancount file that stands alone: its accounts opened, the balances
    before the period carried in, the transactions, and the balance assertions."""
    accounts: dict[str, Account] = {a.name: a for a, _ in journal.opening.values()}
    for tx in journal.transactions:
        accounts.update({p.account.name: p.account for p in tx.postings})
    accounts.update({a.name: a for _, a, _ in journal.assertions})
    out = [f'option "title" "WeGO dues ledger: journal batch {journal.batch}, {journal.start} to {journal.end}"',
           'option "operating_currency" "USD"', ""]  # fmt: skip
    out += [f'2010-01-01 open {name} USD\n  code: "{a.code}"' for name, a in sorted(accounts.items())]
    carried = [(a, usd) for a, usd in journal.opening.values() if usd]
    if carried:
        out += [
            "",
            f'{journal.start} * "Balances carried in: the events before {journal.start} and those of other batches"',
        ]
        out += [f"  {a.name:<44} {usd:>14.2f} USD" for a, usd in sorted(carried, key=lambda x: x[0].name)]
    for tx in journal.transactions:
        member = f'"{_quoted(tx.member)}" ' if tx.member else ""
        out += ["", f'{tx.date} * {member}"{_quoted(tx.narration)}"', f'  entry: "{_quoted(tx.reference)}"',
                f'  event: "{tx.event}"', f'  rate-krw: "{tx.rate}"']  # fmt: skip
        for p in tx.postings:
            out += [f"  {p.account.name:<44} {p.usd:>14.2f} USD", f'    krw: "{p.krw:.0f}"']
    out.append("")
    out += [f"{day} balance {a.name:<44} {amount:>14.2f} USD" for day, a, amount in journal.assertions]
    return "\n".join(out) + "\n"


def _quoted(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "/").replace('"', "'")


def accounts_used(journals: Iterable[Journal]) -> dict[str, Decimal]:
    """Per account, the sum of a batch's postings (for tests and the close command)."""
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for journal in journals:
        for tx in journal.transactions:
            for p in tx.postings:
                sums[p.account.name] += p.usd
    return dict(sums)
