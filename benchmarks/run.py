"""wego-xl benchmarks: each figure beside a baseline measured in the same run.

    python benchmarks/run.py [--json FILE] [--quick]

These machines are shared and noisy, so every comparison interleaves the measured code and
its baseline and reports the median of several rounds. Exit 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import udfs  # noqa: E402
from benchmarks.bank_data import credit_lines, open_invoices, statement  # noqa: E402
from benchmarks.ledger_data import BASES, BY, Numbers, bulk, cached_ledger, history, post_all, working_copy  # noqa: E402
from wego_xl.bank.service import import_statements  # noqa: E402
from wego_xl.excel.writers import refresh_file  # noqa: E402
from wego_xl.ledger.service import PaymentInput, Receipt, actor, record_payment  # noqa: E402
from wego_xl.ledger.store import LEDGER_ENV, LedgerStore, books, create_ledger, ledger_location, open_ledger  # noqa: E402
from wego_xl.ledger.views import write_view  # noqa: E402
from wego_xl.rules.bank import Matcher  # noqa: E402
from wego_xl.rules.ledger import LedgerBook  # noqa: E402
from wego_xl.rules.names import name_key  # noqa: E402
from wego_xl.rules.schedules import SCHEDULE_2016  # noqa: E402
from wego_xl.store.package import ROSTER_ENV  # noqa: E402
from wego_xl.store.roster import SHIPPED_ROSTER, load_roster, read_roster  # noqa: E402
from workbooks.synthetic import synthetic_roster  # noqa: E402


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def paired(measured: Callable[[], object], baseline: Callable[[], object], rounds: int) -> tuple[float, float, float]:
    """(median measured s, median baseline s, median of the per-round ratios), interleaved."""
    ms, bs, ratios = [], [], []
    for i in range(rounds):
        if i % 2:
            b, m = timed(baseline), timed(measured)
        else:
            m, b = timed(measured), timed(baseline)
        ms.append(m), bs.append(b), ratios.append(m / b)
    return statistics.median(ms), statistics.median(bs), statistics.median(ratios)


def result(name, measured, baseline, ratio, target, **figures):
    ok = None if target is None else ratio <= target
    return {
        "name": name,
        "measured_s": measured,
        "baseline_s": baseline,
        "ratio": ratio,
        "target": target,
        "ok": ok,
        **figures,
    }


# -- the benchmarks -----------------------------------------------------------------------------


def fee_vectorized_vs_numpy(rows: int, rounds: int) -> dict:
    rng = random.Random(1)
    pops = [[rng.uniform(0, 2e7)] for _ in range(rows)]
    gdps = [[rng.uniform(0, 1e5)] for _ in range(rows)]
    s = SCHEDULE_2016
    pop_edges, gdp_edges, table = np.asarray(s.population_lowers), np.asarray(s.gdp_lowers), np.asarray(s.fees)

    def lean():
        p = np.asarray(pops, dtype=float)
        g = np.asarray(gdps, dtype=float)
        i = np.searchsorted(pop_edges, p, side="right") - 1
        j = np.searchsorted(gdp_edges, g, side="right") - 1
        return table[j, i].tolist()

    assert udfs.WEGO_FEE(pops[:1000], gdps[:1000]) == [
        [float(table[np.searchsorted(gdp_edges, g[0], "right") - 1, np.searchsorted(pop_edges, p[0], "right") - 1])]
        for p, g in zip(pops[:1000], gdps[:1000])
    ]
    m, b, ratio = paired(lambda: udfs.WEGO_FEE(pops, gdps), lean, rounds)
    return result("fee_vectorized_vs_numpy", m, b, ratio, 1.5, rows=rows)


def scalar_fee_vs_rules(calls: int, rounds: int) -> dict:
    rng = random.Random(2)
    pairs = [(rng.uniform(0, 2e7), rng.uniform(0, 1e5)) for _ in range(calls)]
    m, b, ratio = paired(
        lambda: [udfs.WEGO_FEE(p, g) for p, g in pairs], lambda: [SCHEDULE_2016.fee(p, g) for p, g in pairs], rounds
    )
    return result(
        "scalar_fee_vs_rules", m, b, ratio, None, calls=calls, udf_calls_per_s=calls / m, rules_calls_per_s=calls / b
    )


def status_lookup_vs_dict(cells: int, rounds: int) -> dict:
    roster = load_roster()
    names = [n for mem in roster.members for n in mem.names()]
    rng = random.Random(3)
    column = [[rng.choice(names)] for _ in range(cells)]
    answers = {name_key(n): roster.find(n).membership.english for n in names}
    keys = [name_key(c[0]) for c in column]
    assert udfs.WEGO_STATUS(column) == [[answers[k]] for k in keys]  # warm, and right
    m, b, ratio = paired(lambda: udfs.WEGO_STATUS(column), lambda: [[answers[k]] for k in keys], rounds)
    return result("status_lookup_vs_dict", m, b, ratio, 3.0, cells=cells)


def misspelt_names_vs_valid(cells: int, rounds: int) -> dict:
    """WEGO_STATUS over a column of one misspelling vs the same column of a valid name (warm):
    a name that failed is remembered like one that matched."""
    wrong, right = [["Seol"]] * cells, [["Seoul"]] * cells
    assert udfs.WEGO_STATUS(wrong)[0][0].startswith("#N/A") and udfs.WEGO_STATUS(right)[0] == ["Full"]
    m, b, ratio = paired(lambda: udfs.WEGO_STATUS(wrong), lambda: udfs.WEGO_STATUS(right), rounds)
    return result("misspelt_names_vs_valid", m, b, ratio, 3.0, cells=cells)


def server_calls(rows: int, rounds: int) -> list[dict]:
    """The xlwings Server path, measured in a process of its own (benchmarks/server_calls.py)."""
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("server_calls.py")), str(rows), str(rounds)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _synthetic_ledger(members: int, years: int):
    """members x years invoices and 1.5 payments per invoice (a partial one on every other)."""
    import datetime as dt

    from wego_xl.rules.ledger import Invoice, Payment, usd

    rng = random.Random(members)
    invoices, payments = [], []
    for y in range(years):
        issued = dt.date(2010 + y, 1, 15)
        for m in range(members):
            amount = usd(rng.choice((400, 1500, 5000, 10000)))
            invoices.append(
                Invoice(f"WEGO-{2010 + y}-{m:05d}", f"S{m:06d}", 2010 + y, issued, issued + dt.timedelta(60), amount)
            )
            payments.append(Payment(f"R-{y}-{m}-a", f"S{m:06d}", issued + dt.timedelta(30), amount / 2))
            if m % 2:
                payments.append(Payment(f"R-{y}-{m}-b", f"S{m:06d}", issued + dt.timedelta(90), amount / 2))
    return invoices, payments


def ledger_scaling(small: int, large: int, years: int, rounds: int) -> list[dict]:
    """Balances and aging from a synthetic ledger in one pass: cost per invoice at 10x the data."""
    from wego_xl.rules.ledger import replay

    runs = {}
    for n in (small, large):
        invoices, payments = _synthetic_ledger(n, years)

        def run(invoices=invoices, payments=payments):
            ledger = replay(invoices, [], payments)
            return [ledger.balance(m) for m in ledger.members()], ledger.aging()

        runs[n] = run
    samples: dict[int, list[float]] = {small: [], large: []}
    for _ in range(rounds):  # interleaved, as paired() does: both sizes see the same machine load
        samples[large].append(timed(runs[large]))
        samples[small] += [timed(runs[small]) for _ in range(3)]  # the short run, more often
    times = {n: statistics.median(ts) for n, ts in samples.items()}
    per = {n: t / (n * years) for n, t in times.items()}
    return [
        result(f"ledger_per_invoice_{large * years}_vs_{small * years}", per[large], per[small], per[large] / per[small],
               1.5, seconds={str(k * years): round(v, 3) for k, v in times.items()}, payments_per_invoice=1.5),
    ]  # fmt: skip


def pay_scaling(folder: Path, small: int, large: int, per_round: int, rounds: int) -> dict:
    """The cost of recording one payment (``record_payment``, a real SQLite ledger file) in a
    ledger of ``large`` invoices vs one of ``small``: a member with ten invoices pays, the
    other invoices (half of them paid) belong to members of their own. Each round records
    ``per_round`` fresh payments (new bank references) in each ledger."""
    roster = read_roster(SHIPPED_ROSTER)
    payer = roster.members[0]

    def fill(size: int) -> Callable[[LedgerStore], None]:
        def build(store: LedgerStore) -> None:
            numbers = Numbers()
            invoices, payments, references = bulk(size - 10, numbers)
            mine = history([payer.member_id], 10, numbers, seed=size)
            post_all(store, invoices + mine[0], payments + mine[1], {**references, **mine[2]}, numbers)

        return build

    stores = {}
    for n in (small, large):
        (folder / str(n)).mkdir(parents=True)
        stores[n] = open_ledger(str(working_copy(cached_ledger(f"pay-{n}", fill(n)), folder / str(n))))
    made = itertools.count(1)

    def pay(store: LedgerStore) -> Receipt:
        k = next(made)
        given = PaymentInput(payer.display_name, "250.00", dt.date(2020, 1, 1) + dt.timedelta(k % 1500),
                             reference=f"BENCH {k}")  # fmt: skip
        return record_payment(store, roster, given, by=BY)

    for store in stores.values():  # warm, and right: one more receipt, the member's balance after it
        receipt = pay(store)
        assert receipt.balance == store.load(member_id=payer.member_id).replay().balance(payer.member_id)
        assert receipt.payment.receipt.startswith("R-")
    m, b, ratio = paired(
        lambda: [pay(stores[large]) for _ in range(per_round)],
        lambda: [pay(stores[small]) for _ in range(per_round)],
        rounds,
    )
    for store in stores.values():
        store.engine.dispose()
    return result(f"pay_in_{large}_vs_{small}_invoices", m / per_round, b / per_round, ratio, 1.2,
                  payments_per_round=per_round)  # fmt: skip


def balance_warm_vs_dict(folder: Path, cells: int, rounds: int) -> dict:
    """WEGO_BALANCE over a column of member names, warm, against a dict of precomputed balances:
    the ledger is a real database beside a copy of the roster (10 fee years of invoices and
    payments for every member)."""
    folder.mkdir(parents=True)
    roster_file = folder / "wego_roster.xlsx"
    shutil.copy2(SHIPPED_ROSTER, roster_file)
    saved = {k: os.environ.get(k) for k in (ROSTER_ENV, LEDGER_ENV)}
    os.environ[ROSTER_ENV] = str(roster_file)
    os.environ.pop(LEDGER_ENV, None)
    try:
        roster = load_roster()
        store = create_ledger(ledger_location(roster.path))
        numbers = Numbers()
        post_all(store, *history([m.member_id for m in roster.members], 10, numbers), numbers)
        as_of = "2025-12-31"
        ledger = store.load().replay(dt.date.fromisoformat(as_of))
        names = [m.display_name for m in roster.members]
        column = [[names[i % len(names)]] for i in range(cells)]
        balances = {n: float(ledger.balance(roster.find(n).member_id)) for n in names}
        assert any(balances.values())
        assert udfs.WEGO_BALANCE(column, as_of) == [[balances[c[0]]] for c in column]  # warm, and right
        m, b, ratio = paired(
            lambda: udfs.WEGO_BALANCE(column, as_of), lambda: [[balances[c[0]]] for c in column], rounds
        )
        store.engine.dispose()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        books.clear()
    return result(f"balance_warm_{cells}_cells_vs_dict", m, b, ratio, 2.0, cells=cells)


def export_scaling(folder: Path, small: int, large: int, rounds: int) -> list[dict]:
    """The ledger's view workbook (``write_view``: every sheet, its replay included) per invoice
    row at 10x the data: members x 10 fee years, 1.5 payments per invoice, each invoice with
    its frozen basis."""
    folder.mkdir(parents=True)
    roster = load_roster(SHIPPED_ROSTER)
    as_of = dt.date(2020, 12, 31)
    runs = {}
    for n in (small, large):
        invoices, payments, _ = history([f"S{m:06d}" for m in range(n // 10)], 10, Numbers(), seed=n)
        basis = {i.number: BASES[k % len(BASES)] for k, i in enumerate(invoices)}

        def run(n=n, invoices=invoices, payments=payments, basis=basis):
            # a fresh book each time, not replayed yet: the export replays it, as after store.load()
            book = LedgerBook(f"benchmark ledger of {n} invoices", invoices, [], payments, [], basis)
            return write_view(roster, book, folder / f"view{n}.xlsx", as_of)

        runs[n] = run
    samples: dict[int, list[float]] = {small: [], large: []}
    for _ in range(rounds):  # interleaved, as paired() does: both sizes see the same machine load
        samples[large].append(timed(runs[large]))
        samples[small] += [timed(runs[small]) for _ in range(2)]  # the short run, more often
    times = {n: statistics.median(ts) for n, ts in samples.items()}
    per = {n: t / n for n, t in times.items()}
    return [
        result(f"export_per_row_{large}_vs_{small}", per[large], per[small], per[large] / per[small], 1.5,
               seconds={str(k): round(v, 3) for k, v in times.items()}, payments_per_invoice=1.5),
    ]  # fmt: skip


def journal_scaling(folder: Path, small: int, large: int, rounds: int) -> list[dict]:
    """The journal of a whole real SQLite ledger (``journal_lines``: every invoice and payment
    as a balanced transaction in USD and KRW, no batch recorded), per event at 10x the
    invoices: bulk ledgers (an invoice per member over 15 fee years, a payment on every other)
    with a KRW rate for every day."""
    from wego_xl.books.journal import export_journal, journal_lines
    from wego_xl.ledger.exchange import store_rates
    from wego_xl.rules.bank import Rate

    roster = read_roster(SHIPPED_ROSTER)

    def fill(size: int) -> Callable[[LedgerStore], None]:
        def build(store: LedgerStore) -> None:
            numbers = Numbers()
            invoices, payments, references = bulk(size, numbers)
            post_all(store, invoices, payments, references, numbers)
            first = dt.date(2010, 1, 1)
            store_rates(store, [Rate("KRW", first + dt.timedelta(d), Decimal("1150") + d % 97, "ECB")
                                for d in range(365 * 26)])  # fmt: skip

        return build

    stores, events = {}, {}
    for n in (small, large):
        (folder / str(n)).mkdir(parents=True)
        stores[n] = open_ledger(str(working_copy(cached_ledger(f"journal-{n}", fill(n)), folder / str(n))))
        events[n] = n + n // 2  # an invoice each, a payment on every other

    def run(n: int) -> int:
        rows = journal_lines(stores[n], roster, dt.date(2010, 1, 1), dt.date(2035, 12, 31))
        return len(rows)

    assert run(small) == 2 * events[small]  # warm, and right: two postings per transaction
    samples: dict[int, list[float]] = {small: [], large: []}
    for _ in range(rounds):  # interleaved: both sizes see the same machine load
        samples[large].append(timed(lambda: run(large)))
        samples[small] += [timed(lambda: run(small)) for _ in range(2)]
    times = {n: statistics.median(ts) for n, ts in samples.items()}
    per = {n: t / events[n] for n, t in times.items()}
    first, last = dt.date(2010, 1, 1), dt.date(2035, 12, 31)
    for n in (small, large):  # the whole ledger exported as batch 1: kept, posting by posting
        made = export_journal(stores[n], roster, first, last, by=actor("benchmark"))
        assert made is not None and made.batch == 1 and len(made.transactions) == events[n]

    def again(n: int) -> None:  # the next export: every event against what was exported, nothing new
        found = export_journal(stores[n], roster, first, last, by=actor("benchmark"))
        assert found is not None and found.again and found.batch == 1

    kept: dict[int, list[float]] = {small: [], large: []}
    for _ in range(rounds):
        kept[large].append(timed(lambda: again(large)))
        kept[small] += [timed(lambda: again(small)) for _ in range(2)]
    kept_times = {n: statistics.median(ts) for n, ts in kept.items()}
    kept_per = {n: t / events[n] for n, t in kept_times.items()}
    for store in stores.values():
        store.engine.dispose()
    return [
        result(f"journal_per_event_{large}_vs_{small}_invoices", per[large], per[small], per[large] / per[small], 1.5,
               seconds={str(k): round(v, 3) for k, v in times.items()}, events={str(k): v for k, v in events.items()}),
        result(f"journal_next_batch_per_event_{large}_vs_{small}_invoices", kept_per[large], kept_per[small],
               kept_per[large] / kept_per[small], 1.5, seconds={str(k): round(v, 3) for k, v in kept_times.items()}),
    ]  # fmt: skip


def import_udfs_vs_xlwings(rounds: int) -> dict:
    def start(code: str) -> Callable[[], object]:
        return lambda: subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)

    start("import udfs")()  # warm the file cache and bytecode once
    m, b, ratio = paired(start("import udfs"), start("import xlwings"), rounds)
    return result("import_udfs_vs_xlwings", m, b, ratio, 1.3)


def roster_load(rounds: int) -> dict:
    load_roster(SHIPPED_ROSTER)
    m, b, ratio = paired(lambda: read_roster(SHIPPED_ROSTER), lambda: load_roster(SHIPPED_ROSTER), rounds)
    return result("roster_load_cold_vs_cached", m, b, ratio, None, members=100)


def refresh_scaling(folder: Path, small: int, large: int, rounds: int) -> list[dict]:
    folder.mkdir(parents=True)
    shipped = folder / "wego_roster.xlsx"
    shutil.copy2(SHIPPED_ROSTER, shipped)
    shipped_s = statistics.median(
        timed(lambda: refresh_file(shipped, 2016, folder / "out_shipped.xlsx")) for _ in range(rounds)
    )
    paths = {n: synthetic_roster(folder, n) for n in (small, large)}
    per_member = {}
    times = {}
    for n, path in paths.items():
        times[n] = statistics.median(
            timed(lambda path=path, n=n: refresh_file(path, 2016, folder / f"out{n}.xlsx")) for _ in range(rounds)
        )
        per_member[n] = times[n] / n
    ratio = per_member[large] / per_member[small]
    return [
        result("refresh_shipped_roster", shipped_s, None, None, None, members=100),
        result(
            f"refresh_per_member_{large}_vs_{small}",
            per_member[large],
            per_member[small],
            ratio,
            1.5,
            seconds={str(k): round(v, 3) for k, v in times.items()},
        ),
    ]


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
    samples: dict[int, list[float]] = {small: [], large: []}
    for _ in range(rounds):  # interleaved, as paired() does: both sizes see the same machine load
        samples[large].append(run(large))
        samples[small] += [run(small) for _ in range(3)]  # the short run, more often
    times = {n: statistics.median(ts) for n, ts in samples.items()}
    per = {n: t / n for n, t in times.items()}
    return [
        result(f"bank_import_per_line_{large}_vs_{small}", per[large], per[small], per[large] / per[small], 1.5,
               seconds={str(k): round(v, 3) for k, v in times.items()}, invoices=len(ledger.invoices)),
    ]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the results to this file")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds (a smoke run)")
    parser.add_argument("--only", metavar="TEXT", help="run only the benchmarks whose function name contains TEXT")
    args = parser.parse_args()
    q = args.quick
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan: list[tuple[Callable[..., dict | list[dict]], tuple]] = [
            (fee_vectorized_vs_numpy, (100_000 if q else 1_000_000, 3 if q else 7)),
            (scalar_fee_vs_rules, (2_000 if q else 20_000, 3 if q else 5)),
            (status_lookup_vs_dict, (20_000 if q else 100_000, 3 if q else 9)),
            (misspelt_names_vs_valid, (100_000 if q else 1_000_000, 3 if q else 5)),
            (balance_warm_vs_dict, (folder / "balance", 10_000, 3 if q else 9)),
            (pay_scaling, (folder / "pay", 1_000, 10_000 if q else 100_000, 5 if q else 10, 5 if q else 15)),
            (ledger_scaling, (100 if q else 1_000, 1_000 if q else 10_000, 10, 1 if q else 3)),
            (export_scaling, (folder / "export", 1_000 if q else 10_000, 10_000 if q else 100_000, 1 if q else 2)),
            (bank_matching_vs_dict_join, (1_000 if q else 10_000, 200 if q else 2_000, 3 if q else 7)),
            (bank_import_scaling, (folder / "bank", 50 if q else 500, 500 if q else 5_000, 1 if q else 3)),
            (journal_scaling, (folder / "journal", 1_000 if q else 10_000, 10_000 if q else 100_000, 1 if q else 2)),
            (import_udfs_vs_xlwings, (3 if q else 9,)),
            (roster_load, (3 if q else 7,)),
            (server_calls, (1_000, 5 if q else 15)),
            (refresh_scaling, (folder / "refresh", 200 if q else 1_000, 2_000 if q else 10_000, 1 if q else 3)),
        ]
        results: list[dict] = []
        for benchmark, sizes in plan:
            if args.only and args.only not in benchmark.__name__:
                continue
            out = benchmark(*sizes)
            results += out if isinstance(out, list) else [out]
    if not results:
        parser.error(f"no benchmark's name contains {args.only!r}")
    width = max(len(r["name"]) for r in results)
    print(f"{'benchmark':<{width}}  {'measured':>10}  {'baseline':>10}  {'ratio':>7}  target")
    for r in results:
        base = "" if r["baseline_s"] is None else f"{r['baseline_s']:.4f}s"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        target = "" if r["target"] is None else f"<= {r['target']} {'ok' if r['ok'] else 'MISSED'}"
        print(f"{r['name']:<{width}}  {r['measured_s']:>9.4f}s  {base:>10}  {ratio:>7}  {target}")
        extra = {k: v for k, v in r.items() if k not in ("name", "measured_s", "baseline_s", "ratio", "target", "ok")}
        if extra:
            shown = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in extra.items()}
            print(f"{'':<{width}}  {json.dumps(shown, ensure_ascii=False)}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 1 if any(r["ok"] is False for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
