"""Benchmarks of the dues ledger: balances and aging at 10x the data, recording one payment in a
big ledger, WEGO_BALANCE over a column, and the view workbook at 10x the rows."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import udfs
from benchmarks.ledger_data import BASES, BY, Numbers, bulk, cached_ledger, history, post_all, working_copy
from benchmarks.timing import interleaved, paired, per_unit, result, timed
from wego_xl.ledger.service import PaymentInput, Receipt, record_payment
from wego_xl.ledger.store import LEDGER_ENV, LedgerStore, books, create_ledger, ledger_location, open_ledger
from wego_xl.ledger.views import write_view
from wego_xl.rules.ledger import LedgerBook
from wego_xl.store.package import ROSTER_ENV
from wego_xl.store.roster import SHIPPED_ROSTER, load_roster, read_roster


def ledger_copies(
    folder: Path, name: str, sizes: Iterable[int], fill: Callable[[int], Callable[[LedgerStore], None]]
) -> dict[int, LedgerStore]:
    """For each size, a working copy (in ``folder/<size>``) of the cached ledger ``name-<size>``
    that ``fill(size)`` builds, opened."""
    stores = {}
    for n in sizes:
        (folder / str(n)).mkdir(parents=True)
        stores[n] = open_ledger(str(working_copy(cached_ledger(f"{name}-{n}", fill(n)), folder / str(n))))
    return stores


def _synthetic_ledger(members: int, years: int):
    """members x years invoices and 1.5 payments per invoice (a partial one on every other)."""
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
    times = interleaved(lambda n: timed(runs[n]), small, large, rounds, 3)
    invoices = {n * years: t for n, t in times.items()}
    return [per_unit(f"ledger_per_invoice_{large * years}_vs_{small * years}", invoices, 1.5, payments_per_invoice=1.5)]


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

    stores = ledger_copies(folder, "pay", (small, large), fill)
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
            book = LedgerBook(f"benchmark ledger of {n} invoices", invoices, [], payments, invoice_basis=basis)
            return write_view(roster, book, folder / f"view{n}.xlsx", as_of)

        runs[n] = run
    times = interleaved(lambda n: timed(runs[n]), small, large, rounds, 2)
    return [per_unit(f"export_per_row_{large}_vs_{small}", times, 1.5, payments_per_invoice=1.5)]
