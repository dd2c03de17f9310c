"""Benchmarks of the bank room: proposing a member and invoice for bank credits against a plain
dict join, and importing one statement into a real ledger at 10x the lines."""

from __future__ import annotations

import itertools
import re
import shutil
import time
from pathlib import Path

from benchmarks.bank_data import credit_lines, open_invoices, statement
from benchmarks.ledger_data import Numbers, cached_ledger, history, post_all, working_copy
from benchmarks.timing import interleaved, paired, per_unit, result
from wego_xl.bank.service import import_statements
from wego_xl.ledger.service import actor
from wego_xl.ledger.store import LedgerStore, open_ledger
from wego_xl.rules.bank import Matcher
from wego_xl.store.roster import SHIPPED_ROSTER, read_roster


def bank_matching_vs_dict_join(count: int, members: int, rounds: int) -> dict:
    """``Matcher.propose`` for credits that each name one open invoice (its number spelt as
    remittance texts spell it, its member's name as the payer), the matcher built in the timing
    (building it is part of matching), against the simplest join: a regex for the number, a
    dict of invoices by number."""
    invoices, names, shown = open_invoices(count, members)
    lines = credit_lines(invoices, names)
    number_in = re.compile(r"wego[\W_]*(\d{4})[\W_]*(\d+)", re.IGNORECASE)

    def matching():
        matcher = Matcher(invoices, names, shown=shown)
        return [matcher.propose(line, line.amount) for line in lines]

    def joined():
        found = []
        for line in lines:
            m = number_in.search(line.text)
            found.append(invoices.get(f"WEGO-{m[1]}-{int(m[2]):03d}"))
        return found

    proposals, plain = matching(), joined()  # warm, and right: both find every line's invoice
    assert all(p.sure for p in proposals) and [p.invoices for p in proposals] == [(i.number,) for i in plain]
    m, b, ratio = paired(matching, joined, rounds)
    return result("bank_matching_vs_dict_join", m, b, ratio, 3.0, lines=len(lines), invoices=count, members=members)


def bank_import_scaling(folder: Path, small: int, large: int, rounds: int) -> list[dict]:
    """``import_statements`` of one statement (built in memory, USD) into a fresh copy of a real
    ledger (the shipped roster's members billed for ten fee years, 1.5 payments per invoice):
    cost per line at 10x the lines. One line in a hundred names an open invoice and posts, one
    in fifty is a debit, the rest wait for a person."""
    folder.mkdir(parents=True)
    roster_file = folder / "wego_roster.xlsx"
    shutil.copy2(SHIPPED_ROSTER, roster_file)
    roster = read_roster(roster_file)
    ids = [m.member_id for m in roster.members]

    def build(store: LedgerStore) -> None:
        numbers = Numbers()
        post_all(store, *history(ids, 10, numbers, seed=9), numbers)

    cached = cached_ledger("bank-roster", build)
    store = open_ledger(str(working_copy(cached, folder)))
    ledger = store.load().replay()
    store.engine.dispose()
    payable = [(n, s.open) for n, s in ledger.invoices.items() if s.open > 0 and s.net > 0]
    statements = {n: statement(n, [m.display_name for m in roster.members], payable, seed=n) for n in (small, large)}
    by = actor("bench")
    made = itertools.count()

    def run(n: int) -> float:
        """One import into a fresh copy of the ledger; the copying is not timed."""
        where = folder / f"r{next(made)}"
        where.mkdir()
        store = open_ledger(str(working_copy(cached, where)))
        start = time.perf_counter()
        done = import_statements(store, roster, [statements[n]], by=by)
        took = time.perf_counter() - start
        store.engine.dispose()
        shutil.rmtree(where)
        posts = -(-n // 100)
        assert done.lines_new == n and len(done.posted) == posts and not done.linked, done
        assert len(done.waiting) == n - n // 50 - posts
        return took

    run(small)  # warm
    times = interleaved(run, small, large, rounds, 3)
    return [per_unit(f"bank_import_per_line_{large}_vs_{small}", times, 1.5, invoices=len(ledger.invoices))]
