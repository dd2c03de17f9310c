"""Benchmarks of the books: the journal of a whole real SQLite ledger per event at 10x the
invoices, and the next export of a ledger exported whole (every event checked against the
postings kept, nothing new)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from benchmarks.ledger import ledger_copies
from benchmarks.ledger_data import Numbers, bulk, post_all
from benchmarks.timing import interleaved, per_unit, timed
from wego_xl.ledger.service import actor
from wego_xl.ledger.store import LedgerStore
from wego_xl.store.roster import SHIPPED_ROSTER, Roster, read_roster

#: The journal's period: every event of the bulk ledgers.
FIRST, LAST = dt.date(2010, 1, 1), dt.date(2035, 12, 31)


def _fill(size: int) -> Callable[[LedgerStore], None]:
    """A bulk ledger of ``size`` invoices (an invoice per member over 15 fee years, a payment on
    every other) with a KRW rate for every day."""
    from wego_xl.ledger.exchange import store_rates
    from wego_xl.rules.bank import Rate

    def build(store: LedgerStore) -> None:
        numbers = Numbers()
        invoices, payments, references = bulk(size, numbers)
        post_all(store, invoices, payments, references, numbers)
        store_rates(store, [Rate("KRW", FIRST + dt.timedelta(d), Decimal("1150") + d % 97, "ECB")
                            for d in range(365 * 26)])  # fmt: skip

    return build


def _lines_per_event(stores: dict[int, LedgerStore], roster: Roster, events: dict[int, int], rounds: int) -> dict:
    """``journal_lines`` of each whole ledger (no batch recorded), per event."""
    from wego_xl.books.journal import journal_lines

    small, large = stores

    def run(n: int) -> int:
        rows = journal_lines(stores[n], roster, FIRST, LAST)
        return len(rows)

    assert run(small) == 2 * events[small]  # warm, and right: two postings per transaction
    times = interleaved(lambda n: timed(lambda: run(n)), small, large, rounds, 2)
    return per_unit(f"journal_per_event_{large}_vs_{small}_invoices", times, 1.5, events,
                    events={str(k): v for k, v in events.items()})  # fmt: skip


def _next_batch_per_event(stores: dict[int, LedgerStore], roster: Roster, events: dict[int, int], rounds: int) -> dict:
    """The whole ledger exported as batch 1 (kept, posting by posting), then the next export
    timed: every event against what was exported, nothing new, the same batch back."""
    from wego_xl.books.journal import export_journal

    small, large = stores
    for n in (small, large):
        made = export_journal(stores[n], roster, FIRST, LAST, by=actor("benchmark"))
        assert made is not None and made.batch == 1 and len(made.transactions) == events[n]

    def again(n: int) -> None:
        found = export_journal(stores[n], roster, FIRST, LAST, by=actor("benchmark"))
        assert found is not None and found.again and found.batch == 1

    times = interleaved(lambda n: timed(lambda: again(n)), small, large, rounds, 2)
    return per_unit(f"journal_next_batch_per_event_{large}_vs_{small}_invoices", times, 1.5, events)


def journal_scaling(folder: Path, small: int, large: int, rounds: int) -> list[dict]:
    """The journal of a whole real SQLite ledger (``journal_lines``: every invoice and payment
    as a balanced transaction in USD and KRW, no batch recorded), per event at 10x the
    invoices: bulk ledgers (an invoice per member over 15 fee years, a payment on every other)
    with a KRW rate for every day; then the next export of each, exported whole."""
    roster = read_roster(SHIPPED_ROSTER)
    stores = ledger_copies(folder, "journal", (small, large), _fill)
    events = {n: n + n // 2 for n in stores}  # an invoice each, a payment on every other
    results = [
        _lines_per_event(stores, roster, events, rounds),
        _next_batch_per_event(stores, roster, events, rounds),
    ]
    for store in stores.values():
        store.engine.dispose()
    return results
