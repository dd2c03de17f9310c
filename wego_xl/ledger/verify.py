"""What ``wego-xl ledger verify`` proves: the chain of entries is whole (each entry's SHA-256
recomputed from its record and the hash before it), no number of a series is missing, and the
invariants hold (a credit never above its invoice, allocations within invoices, one live
invoice per member and fee year as the records say, balances that reconcile). The first entry
changed or removed behind the toolkit's back is named."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text

from ..rules.ledger import ZERO, LedgerBook, reconcile
from . import schema as t
from .store import GENESIS, LedgerStore, chain_hash, credit_of, invoice_of, payment_of, void_of, write_off_of

_TABLES = {"invoice": (t.invoices, "number"), "credit_note": (t.credit_notes, "number"),
           "payment": (t.payments, "receipt"), "void": (t.voids, "number"),
           "write_off": (t.write_offs, "number")}  # fmt: skip
_NUMBER = re.compile(r"^(WEGO|CN|R|V|WO)-(\d{4})-(\d{3,})$")


@dataclass
class Verification:
    """The findings of one verification; ``ok`` when there are none."""

    entries: int = 0
    findings: list[str] = field(default_factory=list)
    totals: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings


def verify(store: LedgerStore) -> Verification:
    """Recompute the chain and every invariant of the ledger."""
    found = Verification()
    with store.reading() as conn:
        entries = [dict(r) for r in conn.execute(select(t.entries).order_by(t.entries.c.seq)).mappings()]
        rows: dict[str, dict[int, dict[str, Any]]] = {}
        for kind, (table, _) in _TABLES.items():
            rows[kind] = {r["seq"]: dict(r) for r in conn.execute(select(table)).mappings()}
        rows_of_series = conn.execute(select(t.number_series)).mappings().all()
        series = {r["series"]: r["last"] for r in rows_of_series}
        imported = {r["series"]: r["imported_through"] for r in rows_of_series}
        guards = _guards(conn, store.dialect)
        live = {(r[0], r[1]): r[2] for r in conn.execute(select(t.live_invoices)).all()}
    book = _book_of(store, rows)  # the records read once: the chain and the invariants check the same rows
    found.entries = len(entries)
    _check_chain(found, entries, rows)
    _check_series(found, entries, series, imported)
    missing = sorted(set(expected_guards(store.dialect)) - guards)
    if missing:
        found.findings.append(
            f"the database's guard against changing posted entries was removed ({', '.join(missing)}): "
            "restore the ledger from a backup, or ask who removed it"
        )
    _check_invariants(found, book, live)
    return found


def _book_of(store: LedgerStore, rows: dict[str, dict[int, dict[str, Any]]]) -> LedgerBook:
    """The records as the rules replay them, from the rows read for the chain (in posting order)."""

    def ordered(kind: str) -> list[dict[str, Any]]:
        return [rows[kind][seq] for seq in sorted(rows[kind])]

    return LedgerBook(store.shown, [invoice_of(r) for r in ordered("invoice")],
                      [credit_of(r) for r in ordered("credit_note")], [payment_of(r) for r in ordered("payment")],
                      [void_of(r) for r in ordered("void")], [write_off_of(r) for r in ordered("write_off")])  # fmt: skip


def _check_chain(found: Verification, entries: list[dict[str, Any]], rows: dict[str, dict[int, dict]]) -> None:
    prev = GENESIS
    for expected, entry in enumerate(entries, start=1):
        name = f"entry {entry['seq']} ({entry['kind']} {entry['number']}, posted {entry['posted_at']} by " \
               f"{entry['posted_by']})"  # fmt: skip
        if entry["seq"] != expected:
            found.findings.append(f"entry {expected} was removed (the next entry is {entry['seq']})")
            return
        if entry["prev_hash"] != prev:
            found.findings.append(f"{name} does not follow the entry before it: an entry was changed or removed")
            return
        row = rows.get(entry["kind"], {}).pop(entry["seq"], None)
        if row is None:
            found.findings.append(f"{name}: its record was removed")
            return
        if chain_hash(entry, row) != entry["hash"]:
            found.findings.append(f"{name} was changed after it was posted (its record no longer matches its hash)")
            return
        prev = entry["hash"]
    for kind, left in rows.items():
        for seq, row in left.items():
            number = row.get(_TABLES[kind][1])
            found.findings.append(f"{kind} {number} (entry {seq}) is not in the chain: added behind the toolkit's back")
            return


def _check_series(
    found: Verification, entries: list[dict[str, Any]], series: dict[str, int], imported: dict[str, int]
) -> None:
    """Every number a series gave is in the ledger, but those a workbook ledger imported with
    ``ledger init --from`` lacked already (``imported_through``: the chain covers those)."""
    taken: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        match = _NUMBER.match(entry["number"])
        if match:
            taken[f"{match.group(1)}-{match.group(2)}"].add(int(match.group(3)))
    for name in sorted(set(taken) - set(series)):
        found.findings.append(f"the number series {name} was removed behind the toolkit's back: its numbers could be "
                              "given again")  # fmt: skip
    for name, last in sorted(series.items()):
        missing = sorted(set(range(imported.get(name, 0) + 1, last + 1)) - taken[name])
        if missing:
            found.findings.append(
                f"{name}-{missing[0]:03d} was given and is not in the ledger: an entry was removed"
                + (f" ({len(missing)} numbers of {name} in all)" if len(missing) > 1 else "")
            )
        beyond = sorted(n for n in taken[name] if n > last)
        if beyond:
            found.findings.append(f"{name}-{beyond[0]:03d} is in the ledger but was never given by its series")


def _check_invariants(found: Verification, book: Any, live: dict[tuple[str, int], str]) -> None:
    ledger = book.replay()
    credited: dict[str, Any] = defaultdict(lambda: ZERO)
    for note in book.credits:
        credited[note.invoice] += note.amount
    for invoice in book.invoices:
        if credited[invoice.number] > invoice.amount:
            found.findings.append(
                f"invoice {invoice.number}: credit notes of {credited[invoice.number]:,.2f} exceed its "
                f"{invoice.amount:,.2f}"
            )
        state = ledger.invoices[invoice.number]
        if not ZERO <= state.applied <= max(state.net, ZERO):
            found.findings.append(
                f"invoice {invoice.number}: {state.applied:,.2f} applied to it, outside 0..{state.net}"
            )
    standing = {(i.member_id, i.fee_year): i.number for i in book.invoices if ledger.invoices[i.number].net > ZERO}
    for key in sorted(set(standing) | set(live)):
        if standing.get(key) != live.get(key):
            found.findings.append(
                f"member {key[0]}, fee year {key[1]}: the live invoice is {live.get(key) or 'none'}, the records "
                f"say {standing.get(key) or 'none'}"
            )
    totals = reconcile(ledger)
    if not totals.reconciled or totals.credited != sum((c.amount for c in book.credits), ZERO):
        found.findings.append(
            f"balances do not reconcile: invoiced {totals.invoiced} - credited {totals.credited} - paid "
            f"{totals.paid} - written off {totals.written_off} != {totals.outstanding}"
        )
    found.totals = {k: f"{getattr(totals, k):,.2f}" for k in ("invoiced", "credited", "paid", "written_off",
                                                              "outstanding")}  # fmt: skip


def trail(store: LedgerStore, *, member_id: str | None = None, since: dt.date | None = None) -> list[dict[str, Any]]:
    """The entries in the order posted (who, when, through what, hash), for ``ledger log``."""
    query = select(t.entries).order_by(t.entries.c.seq)
    if member_id is not None:
        query = query.where(t.entries.c.member_id == member_id)
    if since is not None:
        query = query.where(t.entries.c.posted_at >= since.isoformat())
    with store.reading() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def expected_guards(dialect: str) -> list[str]:
    """The triggers that make the posted tables refuse changes."""
    if dialect == "sqlite":
        return [f"{table}_never_{verb}" for table in t.POSTED for verb in ("update", "delete")]
    return [f"{table}_never_{verb}" for table in t.POSTED for verb in ("change", "truncate")]


def _guards(conn: Any, dialect: str) -> set[str]:
    """The guards that are in place and do their work: on SQLite each trigger as made (its SQL
    compared), on PostgreSQL each enabled trigger on its own table calling the function that
    refuses the change."""
    if dialect == "sqlite":
        made = {" ".join(sql.split()) for sql in t.trigger_ddl("sqlite")}
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
        return {name for name, sql in rows if " ".join((sql or "").split()) in made}
    rows = conn.execute(text(
        "SELECT t.tgname, c.relname, p.prosrc FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal AND t.tgenabled = 'O'"
    )).all()  # fmt: skip
    return {name for name, table, body in rows if name.startswith(f"{table}_never_") and "RAISE EXCEPTION" in body}
