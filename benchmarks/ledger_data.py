"""Synthetic dues ledgers for the benchmarks: real SQLite ledgers (made by ``create_ledger``,
filled through ``LedgerStore.post`` in one transaction, never through ``issue_invoices``
100,000 times), and the records to fill them with.

Big ledgers take minutes to post, so :func:`cached_ledger` keeps each one under
``/tmp/wego-xl-bench-ledgers/<fingerprint>/`` (a hash of the ledger's schema, migrations and
store, and of this file) and builds it when absent; a benchmark works on a copy (what it
records never reaches the cached file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import wego_xl.ledger.store
from wego_xl.ledger import schema as t
from wego_xl.ledger.store import Actor, LedgerStore, create_ledger
from wego_xl.rules.ledger import Invoice, Payment, numbered, usd

CACHE = Path(tempfile.gettempdir()) / "wego-xl-bench-ledgers"
BY = Actor("benchmark", "benchmarks/run.py")
AMOUNTS = (400, 1500, 5000, 10000)
#: What ``issue_invoices`` freezes with an invoice, in the fields the view shows.
BASES = [
    {"Population": 970_000 + k, "GDP per capita (PPP, USD)": 35379.25 + k, "WEO edition": "2016-04",
     "Fee table": 2016, "Membership on issue date": ("Full", "Associate")[k % 2],
     "Unconfirmed inputs accepted": ("No", "Yes")[k % 2]}
    for k in range(16)
]  # fmt: skip


class Numbers:
    """Invoice and receipt numbers as the ledger gives them (WEGO-2017-004, R-2017-012),
    and the number series they leave behind."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, int], int] = {}

    def next(self, prefix: str, year: int) -> str:
        n = self.last[prefix, year] = self.last.get((prefix, year), 0) + 1
        return numbered(prefix, year, n)


def history(
    member_ids: Sequence[str], years: int, numbers: Numbers, *, seed: int = 1
) -> tuple[list[Invoice], list[Payment], dict[str, str]]:
    """Each member billed for ``years`` fee years from 2010 and paying 1.5 times per invoice
    (half now, the rest later on every other member): (invoices, payments, bank reference
    per receipt)."""
    rng = random.Random(seed)
    invoices, payments, references = [], [], {}
    for y in range(years):
        year = 2010 + y
        issued = dt.date(year, 1, 15)
        for k, member in enumerate(member_ids):
            amount = usd(rng.choice(AMOUNTS))
            invoices.append(
                Invoice(numbers.next("WEGO", year), member, year, issued, issued + dt.timedelta(60), amount)
            )
            parts = [(issued + dt.timedelta(30), amount / 2)]
            if k % 2:
                parts.append((issued + dt.timedelta(90), amount / 2))
            for day, paid in parts:
                receipt = numbers.next("R", day.year)
                payments.append(Payment(receipt, member, day, paid))
                references[receipt] = f"TT {seed}-{receipt}"
    return invoices, payments, references


def bulk(
    count: int, numbers: Numbers, *, first_year: int = 2010, years: int = 15, seed: int = 2
) -> tuple[list[Invoice], list[Payment], dict[str, str]]:
    """``count`` invoices, each to a member of its own (B0000001...), spread over ``years`` fee
    years, and a payment on every other one: a big ledger whose size no one member feels."""
    rng = random.Random(seed)
    invoices, payments, references = [], [], {}
    for i in range(count):
        year = first_year + i % years
        issued = dt.date(year, 1, 15) + dt.timedelta(i % 28)
        amount = usd(rng.choice(AMOUNTS))
        invoice = Invoice(numbers.next("WEGO", year), f"B{i:07d}", year, issued, issued + dt.timedelta(60), amount)
        invoices.append(invoice)
        if i % 2 == 0:
            day = issued + dt.timedelta(30)
            receipt = numbers.next("R", day.year)
            payments.append(Payment(receipt, invoice.member_id, day, amount))
            references[receipt] = f"BULK {i}"
    return invoices, payments, references


def post_all(
    store: LedgerStore,
    invoices: Iterable[Invoice],
    payments: Iterable[Payment],
    references: dict[str, str],
    numbers: Numbers,
) -> None:
    """Post every record in one transaction, as ``issue_invoices`` and ``record_payment`` do
    (an entry in the chain, the live invoice of each member and fee year, the number series)."""
    with store.writing() as conn:
        for k, invoice in enumerate(invoices):
            store.post(conn, invoice, BY, basis=BASES[k % len(BASES)])
            conn.execute(t.live_invoices.insert().values(member_id=invoice.member_id, fee_year=invoice.fee_year,
                                                         invoice_number=invoice.number))  # fmt: skip
        for payment in payments:
            store.post(conn, payment, BY, bank_reference=references.get(payment.receipt, ""))
        for (prefix, year), last in numbers.last.items():
            conn.execute(t.number_series.insert().values(series=f"{prefix}-{year}", last=last))


def fingerprint() -> str:
    """What a cached ledger depends on: the tables and migrations that make it, the store that
    posts into it, and the builders here (any edit to them, and the ledger is built again)."""
    ledger = Path(wego_xl.ledger.store.__file__).parent
    files = [ledger / "schema.py", ledger / "store.py", ledger / "chain.py", Path(__file__)]
    files += sorted(ledger.glob("migrations/**/*.py"))
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cached_ledger(name: str, build: Callable[[LedgerStore], None]) -> Path:
    """The ledger ``name`` as ``build`` fills a new one, made once and kept under /tmp (per
    :func:`fingerprint`; the caches of other fingerprints are removed); built when absent,
    never half-built."""
    folder = CACHE / fingerprint()
    path = folder / f"{name}.db"
    if not path.exists():
        for stale in CACHE.glob("*"):
            if stale != folder and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        building = folder / f".{name}.{os.getpid()}.building"
        building.unlink(missing_ok=True)
        try:
            store = create_ledger(str(building))
            build(store)
            store.engine.dispose()
            os.replace(building, path)
        finally:
            building.unlink(missing_ok=True)
    return path


def working_copy(cached: Path, folder: Path, name: str = "wego_ledger.db") -> Path:
    """A copy of a cached ledger to record into."""
    target = folder / name
    shutil.copyfile(cached, target)
    return target
