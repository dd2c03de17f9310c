"""The book of record on both databases it runs on, embedded SQLite and a real PostgreSQL
server: many processes writing at once lose nothing and number nothing twice; the database
refuses to change a posted entry; `verify` finds what was changed behind its back."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import re
import shutil
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from wego_xl.errors import WegoError
from wego_xl.ledger.service import PaymentInput, actor, issue_credit, issue_invoices, record_payment, void_payment
from wego_xl.ledger.store import create_ledger, open_ledger
from wego_xl.ledger.verify import verify
from wego_xl.rules.ledger import ZERO, Invoice, Payment
from wego_xl.store.roster import read_roster

from ..conftest import SHIPPED
from ..postgres import drop_database, fresh_database, require_postgres

TODAY = dt.date(2018, 6, 30)


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path):
    """A new, empty ledger: a SQLite file, or a fresh database on the PostgreSQL server."""
    if request.param == "sqlite":
        where = str(tmp_path / "wego_ledger.db")
        create_ledger(where)
        yield where
        return
    base = require_postgres()
    name = f"wego_{uuid.uuid4().hex[:12]}"
    url = fresh_database(base, name)
    create_ledger(url)
    yield url
    open_ledger(url).engine.dispose()
    drop_database(base, name)


@pytest.fixture
def roster(tmp_path) -> Path:
    target = tmp_path / "wego_roster.xlsx"
    shutil.copy2(SHIPPED, target)
    return target


def _worker(location: str, roster_file: str, seed: int, rounds: int) -> dict[str, list]:
    """One finance officer's process: ``rounds`` mixed commands against the shared ledger."""
    rng = random.Random(seed)
    roster = read_roster(Path(roster_file))
    store = open_ledger(location)
    by = actor(f"worker {seed}")
    members = ["Seoul", "Kathmandu", "Ulaanbaatar", "Hanoi", "Bangkok", "Jakarta"]
    done: dict[str, list] = {"invoices": [], "receipts": [], "credits": [], "voids": [], "refused": []}
    for n in range(rounds):
        what = rng.choice(["invoice", "pay", "pay", "pay", "credit", "void", "verify"])
        try:
            if what == "verify":  # an auditor's check while others post: never a false alarm
                found = verify(store)
                done["verified"] = [*done.get("verified", []), *found.findings, "ran"]
            elif what == "invoice":
                plan = issue_invoices(store, roster, rng.choice([2017, 2018]), dt.date(2017, 1, 15), 60, by=by,
                                      accept_unconfirmed=True, today=TODAY)  # fmt: skip
                done["invoices"] += [r["Invoice number"] for r in plan.new]
            elif what == "pay":
                amount = Decimal(rng.choice([500, 1000, 1250, 2500])) + Decimal(rng.randint(0, 99)) / 100
                given = PaymentInput(rng.choice(members), str(amount), dt.date(2017, 2, 1) + dt.timedelta(n),
                                     reference=f"W{seed}-{n}")  # fmt: skip
                receipt = record_payment(store, roster, given, by=by, today=TODAY)
                done["receipts"].append((receipt.payment.receipt, str(receipt.payment.amount)))
            elif what == "credit":
                book = store.load()
                if book.invoices:
                    target = rng.choice(book.invoices)
                    note, _ = issue_credit(store, target.number, "500", "concurrency test", by=by, today=TODAY)
                    done["credits"].append((note.number, note.invoice))
            else:
                book = store.load()
                if book.payments:
                    void, _ = void_payment(store, rng.choice(book.payments).receipt, "concurrency test", by=by,
                                           today=TODAY)  # fmt: skip
                    done["voids"].append(void.number)
        except WegoError as exc:  # a refusal (more credit than the invoice asks, voided already): said, not lost
            done["refused"].append(f"{what}: {exc}")
    store.engine.dispose()
    return done


def test_four_processes_at_once_lose_nothing_and_number_nothing_twice(location, roster):
    processes, rounds = 4, 25
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        results = pool.starmap(_worker, [(location, str(roster), seed, rounds) for seed in range(processes)])
    book = open_ledger(location).load()
    issued = [n for r in results for n in r["invoices"]]
    receipts = [n for r in results for n, _ in r["receipts"]]
    credits = [n for r in results for n, _ in r["credits"]]
    voids = [n for r in results for n in r["voids"]]
    # no number twice, nothing lost: every success is in the ledger, and nothing else
    assert len(issued) == len(set(issued)) and sorted(issued) == sorted(i.number for i in book.invoices)
    assert len(receipts) == len(set(receipts)) and sorted(receipts) == sorted(p.receipt for p in book.payments)
    assert sorted(credits) == sorted(c.number for c in book.credits)
    assert sorted(voids) == sorted(v.number for v in book.voids)
    amounts = {n: Decimal(a) for r in results for n, a in r["receipts"]}
    assert all(amounts[p.receipt] == p.amount for p in book.payments)
    assert len(issued) > 0 and len(receipts) > 20  # the test did work at once
    # never a credit above its invoice; one live invoice per member and fee year
    ledger = book.replay()
    assert all(state.net >= ZERO for state in ledger.invoices.values())
    live = [(i.member_id, i.fee_year) for i in book.invoices if ledger.invoices[i.number].net > ZERO]
    assert len(live) == len(set(live))
    assert all(r.startswith(("credit", "void", "invoice", "pay")) for res in results for r in res["refused"])
    verified = [f for r in results for f in r.get("verified", [])]
    assert "ran" in verified and set(verified) == {"ran"}, verified  # verify beside the writers: clean
    found = verify(open_ledger(location))
    assert found.ok, found.findings


def test_the_database_refuses_to_change_a_posted_entry_and_verify_finds_a_change(location, roster):
    store = open_ledger(location)
    by = actor("test")
    issue_invoices(store, read_roster(roster), 2017, dt.date(2017, 1, 15), 60, by=by, accept_unconfirmed=True,
                   today=TODAY)  # fmt: skip
    record_payment(store, read_roster(roster), PaymentInput("Seoul", "7000", "2017-02-01"), by=by, today=TODAY)
    for statement in ("UPDATE invoices SET amount_cents = 100 WHERE number = 'WEGO-2017-001'",
                      "DELETE FROM payments WHERE receipt = 'R-2017-001'"):  # fmt: skip
        with pytest.raises(Exception, match="a posted entry never changes"), store.engine.begin() as conn:
            conn.execute(text(statement))
    assert verify(store).ok
    with store.engine.begin() as conn:  # a SQL client drops the guard first
        if store.dialect == "postgresql":
            conn.execute(text("DROP TRIGGER invoices_never_change ON invoices"))
        else:
            conn.execute(text("DROP TRIGGER invoices_never_update"))
        conn.execute(text("UPDATE invoices SET amount_cents = 100000 WHERE number = 'WEGO-2017-002'"))
    found = verify(store)
    assert not found.ok and "entry 2 (invoice WEGO-2017-002" in found.findings[0]


def test_a_bank_reference_is_one_transfer_however_it_is_typed(location, roster):
    store = open_ledger(location)
    by = actor("test")
    r = read_roster(roster)
    record_payment(store, r, PaymentInput("Seoul", "100", "2017-02-01", reference="KEB 2017-001"), by=by, today=TODAY)
    for typed in ("keb2017-001", "ＫＥＢ 2017-001", " KEB  2017-001 ", "KEB\u200b 2017-001", "KEB 2017\u2010001"):
        with pytest.raises(WegoError, match="recorded already"):
            record_payment(store, r, PaymentInput("Seoul", "100", "2017-02-02", reference=typed), by=by, today=TODAY)
    for day in ("2009-12-31", "2018-07-01"):
        with pytest.raises(WegoError, match=r"founded|future"):
            record_payment(store, r, PaymentInput("Seoul", "100", day), by=by, today=TODAY)
    assert len(store.load().payments) == 1


def test_the_schema_version_readers_check_is_alembics_head():
    """Reading checks the version without Alembic (xlwings Lite has none): the two must agree."""
    from wego_xl.ledger.schema import SCHEMA_VERSION
    from wego_xl.ledger.store import head_revision

    assert head_revision() == SCHEMA_VERSION


def test_a_ledger_of_another_version_is_refused_until_upgraded(location):
    from wego_xl.ledger.store import LedgerError, upgrade_ledger

    store = open_ledger(location)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(
        LedgerError, match="is of version 0000, this wego-xl expects 0005: run 'wego-xl ledger upgrade'"
    ):
        open_ledger(location)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    assert upgrade_ledger(location).load().invoices == []  # at the head already: nothing to do
    with pytest.raises(LedgerError, match=r"exists already|holds a ledger already"):
        create_ledger(location)


def test_a_ledger_of_0001_with_entries_upgrades_and_its_chain_still_verifies(tmp_path, roster, monkeypatch):
    """A ledger made by the first version (revision 0001), with an invoice and a payment, is
    brought to the head (0005) by 'ledger upgrade': the bank tables and the guards on them appear, and the
    entries posted before keep their hash (columns added later are hashed only when set)."""
    from alembic import command

    from wego_xl.ledger.store import LedgerError, LedgerStore, _alembic_config, upgrade_ledger

    where = str(tmp_path / "old.db")
    old = LedgerStore(where)
    with old.engine.connect() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.commit()
    monkeypatch.setattr("wego_xl.ledger.store.check_open", lambda conn, day: None)  # 0001 had no period locks
    with old.writing() as conn:
        old.post(conn, Invoice("WEGO-2017-001", "M001", 2017, dt.date(2017, 1, 2), dt.date(2017, 3, 3),
                               Decimal("7000.00")), actor("test"), basis={})  # fmt: skip
        old.post(conn, Payment("R-2017-001", "M001", dt.date(2017, 2, 1), Decimal("7000.00")), actor("test"))
        conn.execute(text("INSERT INTO number_series (series, last, imported_through) VALUES "
                          "('WEGO-2017', 1, 0), ('R-2017', 1, 0)"))  # fmt: skip
        conn.execute(text("INSERT INTO live_invoices VALUES ('M001', 2017, 'WEGO-2017-001')"))
    with pytest.raises(LedgerError, match="is of version 0001"):
        open_ledger(where)
    monkeypatch.undo()
    upgraded = upgrade_ledger(where)
    assert verify(upgraded).ok, verify(upgraded).findings
    with upgraded.engine.begin() as conn:
        conn.execute(text("INSERT INTO rates VALUES ('KRW', '2017-01-02', 'ECB', '1207.69', 'now')"))
    with upgraded.engine.begin() as conn, pytest.raises(Exception, match="never changes"):
        conn.execute(text("DELETE FROM rates"))
    assert [p.amount for p in open_ledger(where).load().payments] == [Decimal("7000.00")]
    from wego_xl.rules.ledger import WriteOff

    with upgraded.writing() as conn:  # the widened kinds: a write-off is an entry of its own
        upgraded.post(conn, WriteOff(upgraded.next_number(conn, "WO", 2018), "WEGO-2017-001", Decimal("1.00"), dt.date(2018, 5, 1), "x",
                                     "EC 2018-3"), actor("test"), member_id="M001")  # fmt: skip
    assert verify(upgraded).ok and open_ledger(where).load().write_offs[0].decision == "EC 2018-3"


def test_verify_finds_a_guard_switched_off_or_emptied(location):
    store = open_ledger(location)
    assert verify(store).ok
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("ALTER TABLE payments DISABLE TRIGGER payments_never_change"))
            guard = "payments_never_change"
        else:  # the same name, doing nothing
            conn.execute(text("DROP TRIGGER payments_never_update"))
            conn.execute(text("CREATE TRIGGER payments_never_update BEFORE UPDATE ON payments BEGIN SELECT 1; END"))
            guard = "payments_never_update"
    found = verify(store)
    assert not found.ok and f"guard against changing posted entries was removed ({guard})" in found.findings[-1]


def test_a_typed_row_is_the_same_row_whichever_reader_read_it(roster):
    from wego_xl.ledger.service import TypedRow

    r = read_roster(roster)
    by_openpyxl = TypedRow("Post", 2, PaymentInput("Seoul", 4000, dt.datetime(2017, 2, 1)), "/x/WeGO_Finance.xlsm")
    by_officejs = TypedRow("Post", 2, PaymentInput("서울", 4000.0, dt.date(2017, 2, 1)), "WeGO_Finance.xlsm")
    assert by_openpyxl.key(r) == by_officejs.key(r) is not None
    assert TypedRow("Post", 3, by_openpyxl.payment, "WeGO_Finance.xlsm").key(r) != by_openpyxl.key(r)


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("reference", "K" * 141, "at most 140"),
        ("reference", "KEB\x07", "the bank reference holds control characters"),
        ("bank_charges", "9999", "more than the 100.00 received"),
        ("note", "=1+1", "the note holds a formula"),
        ("amount", "=100", "holds a formula"),
        ("invoice", "WEGO-2017-999", "has no invoice WEGO-2017-999"),
    ],
)
def test_a_payments_every_field_is_checked_naming_it(tmp_path, roster, field, typed, said):
    from wego_xl.ledger.service import FieldProblem

    store = create_ledger(str(tmp_path / "wego_ledger.db"))
    values = {"member": "Seoul", "amount": "100", "date": "2017-02-01", field: typed}
    with pytest.raises(FieldProblem, match=re.escape(said)) as refused:
        record_payment(store, read_roster(roster), PaymentInput(**values), by=actor("test"), today=TODAY)
    assert refused.value.field_name == field and store.load().payments == []


def test_bank_statements_import_once_on_either_database(location, roster):
    """The bank's tables on SQLite and PostgreSQL: a statement imported twice adds its lines
    once, a sure line posts (a savepoint on each), the bank check agrees, verify is clean."""
    from wego_xl.bank.balances import check_bank
    from wego_xl.bank.service import import_statements, unmatched_count
    from wego_xl.rules.bank import BankLine, BankStatement

    store = open_ledger(location)
    issue_invoices(store, read_roster(roster), 2017, dt.date(2017, 1, 15), 60, by=actor("t"), accept_unconfirmed=True)
    day = dt.date(2017, 2, 1)
    lines = (BankLine("s.xml", 1, "ACC", "S1", day, day, Decimal("10000.00"), "USD", "WEGO-2017-001", "SEOUL", "R1"),
             BankLine("s.xml", 2, "ACC", "S1", day, day, Decimal("77.00"), "USD", "interest", "", "R2"))  # fmt: skip
    statement = BankStatement("s.xml", "ACC", "S1", "USD", Decimal("5.00"), day, Decimal("10082.00"), day, lines)
    first = import_statements(store, read_roster(roster), [statement], by=actor("t"))
    again = import_statements(store, read_roster(roster), [statement], by=actor("t"))
    assert (first.lines_new, len(first.posted), again.lines_new, again.lines_seen) == (2, 1, 0, 2)
    assert unmatched_count(store) == 1 and check_bank(store).ok and verify(store).ok


def test_a_journal_batch_of_0003_is_recorded_once_and_then_printed_the_same(tmp_path, roster):
    """A ledger of revision 0003 that exported batch 1 (which kept only the events it took) is
    upgraded: the batch's postings are recorded once, as the ledger gives them, and from then on
    it prints the same; exporting its period again adds nothing."""
    from alembic import command

    from wego_xl.books.journal import export_journal, printed_batch
    from wego_xl.books.journal_files import as_beancount
    from wego_xl.ledger.store import LedgerStore, _alembic_config, upgrade_ledger

    where = str(tmp_path / "old.db")
    old = LedgerStore(where)
    with old.engine.connect() as conn:
        command.upgrade(_alembic_config(conn), "0003")
        conn.commit()
    with old.writing() as conn:
        old.post(conn, Invoice("WEGO-2017-001", "W001", 2017, dt.date(2017, 1, 2), dt.date(2017, 3, 3),
                               Decimal("7000.00")), actor("test"), basis={})  # fmt: skip
        conn.execute(text("INSERT INTO number_series (series, last, imported_through) VALUES ('WEGO-2017', 1, 0)"))
        conn.execute(text("INSERT INTO live_invoices VALUES ('W001', 2017, 'WEGO-2017-001')"))
        conn.execute(text("INSERT INTO rates VALUES ('KRW', '2017-01-02', 'ECB', '1207.69', 'now')"))
        conn.execute(text("INSERT INTO journal_batches VALUES (1, '2017-01-01', '2017-12-31', 'then', 'Kim')"))
        conn.execute(text("INSERT INTO journal_events VALUES ('entry 1', 1)"))
    store = upgrade_ledger(where)
    book = read_roster(roster)
    again = export_journal(store, book, dt.date(2017, 1, 1), dt.date(2017, 12, 31), by=actor("test"))
    assert again is not None and again.again and again.batch == 1
    [tx] = again.transactions
    assert (tx.reference, [p.usd for p in tx.postings]) == ("WEGO-2017-001", [Decimal("7000.00"), Decimal("-7000.00")])
    assert tx.postings[0].krw == Decimal("8453830")  # 7,000 at 1,207.69
    assert as_beancount(printed_batch(store, 1)) == as_beancount(again)
    with store.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM journal_postings")).scalar() == 2  # recorded once
    assert verify(store).ok


def test_the_migrations_make_the_tables_the_schema_describes(location):
    """Alembic's own comparison of the migrated database with ``schema.py``: no table, column,
    index or constraint of one missing from the other."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from wego_xl.ledger import schema

    store = open_ledger(location)
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
