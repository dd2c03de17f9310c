"""The dues ledger: invoices that stay as billed, payments, credit notes, balances, aging and
collections that reconcile to the cent; a fee year walked end to end on real files."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import udfs
from wego_xl.ledger.service import PaymentInput, actor, record_payment
from wego_xl.ledger.store import open_ledger
from wego_xl.ledger.verify import verify
from wego_xl.rules.ledger import ZERO, CreditNote, Invoice, Payment, Void, replay, usd
from wego_xl.store.roster import read_roster

from ..conftest import SHARED_DATA, book_of, wego

APRIL_2019 = SHARED_DATA / "weo" / "open-numbers_WEOApr2019_ddf--datapoints--ppppc--by--country--year.csv"


# -- the rules: any sequence reconciles ------------------------------------------------------------

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20000"), places=2)
days = st.integers(0, 700).map(lambda n: dt.date(2017, 1, 1) + dt.timedelta(days=n))


@st.composite
def histories(draw):
    members = ["W001", "W002", "W003"]
    invoices = [
        Invoice(f"WEGO-{2016 + i // 3}-{i:03d}", draw(st.sampled_from(members)), 2016 + i // 3, d, d + dt.timedelta(60),
                draw(money))
        for i, d in enumerate(draw(st.lists(days, min_size=1, max_size=8)))
    ]  # fmt: skip
    credits = []
    for k, target in enumerate(draw(st.lists(st.sampled_from(invoices), max_size=4))):
        credits.append(CreditNote(f"CN-{k}", target.number, draw(money), draw(days)))
    payments = [
        Payment(f"R-{k}", draw(st.sampled_from(members)), draw(days), draw(money),
                draw(st.sampled_from(["", *[i.number for i in invoices]])))
        for k in range(draw(st.integers(0, 10)))
    ]  # fmt: skip
    voided = draw(st.lists(st.sampled_from(payments), unique_by=lambda p: p.receipt)) if payments else []
    voids = [Void(f"V-{k}", p.receipt, p.date + dt.timedelta(draw(st.integers(0, 90)))) for k, p in enumerate(voided)]
    return invoices, credits, payments, voids


@settings(max_examples=200, deadline=None)
@given(histories(), days)
def test_any_sequence_reconciles_to_the_cent(history, as_of):
    invoices, credits, payments, voids = history
    for day in (as_of, None):
        ledger = replay(invoices, credits, payments, day, voids)
        cutoff = day or dt.date.max
        billed = sum((i.amount for i in invoices if i.issue_date <= cutoff), ZERO)
        issued = {i.number: i.issue_date for i in invoices}
        credited = sum((c.amount for c in credits if max(c.date, issued[c.invoice]) <= cutoff), ZERO)
        taken_back = {v.receipt for v in voids if v.date <= cutoff}
        paid = sum((p.amount for p in payments if p.date <= cutoff and p.receipt not in taken_back), ZERO)
        assert billed - credited - paid == sum((ledger.balance(m) for m in ledger.members()), ZERO)
        for state in ledger.invoices.values():
            applied = sum((a.amount for a in ledger.allocations if a.invoice == state.invoice.number), ZERO)
            assert applied == state.applied and ZERO <= applied <= max(state.net, ZERO)
        assert sum((a.amount for a in ledger.allocations), ZERO) <= paid
        unapplied = sum((left for entries in ledger.unapplied.values() for _, left in entries), ZERO)
        assert unapplied == paid - sum((a.amount for a in ledger.allocations), ZERO)
        assert sum(ledger.aging().values(), ZERO) == sum((s.open for s in ledger.invoices.values() if s.open > 0), ZERO)


def test_payments_apply_to_the_named_invoice_then_the_oldest_and_credit_carries_over():
    d = dt.date
    old = Invoice("WEGO-2016-001", "W001", 2016, d(2016, 1, 10), d(2016, 3, 10), usd(1000))
    new = Invoice("WEGO-2017-001", "W001", 2017, d(2017, 1, 10), d(2017, 3, 10), usd(2000))
    later = Invoice("WEGO-2018-001", "W001", 2018, d(2018, 1, 10), d(2018, 3, 10), usd(500))
    payments = [
        Payment("R-1", "W001", d(2017, 2, 1), usd(1500), "WEGO-2017-001"),  # names the newer invoice
        Payment("R-2", "W001", d(2017, 6, 1), usd(2100)),  # the oldest first; 600 left over
    ]
    ledger = replay([old, new, later], [], payments)
    states = ledger.invoices
    assert [states[n].status for n in ("WEGO-2016-001", "WEGO-2017-001", "WEGO-2018-001")] == ["paid", "paid", "paid"]
    assert [(a.receipt, a.invoice, a.amount) for a in ledger.allocations] == [
        ("R-1", "WEGO-2017-001", usd(1500)),
        ("R-2", "WEGO-2016-001", usd(1000)),
        ("R-2", "WEGO-2017-001", usd(500)),
        ("R-2", "WEGO-2018-001", usd(500)),  # the overpayment settles the next invoice when issued
    ]
    assert ledger.balance("W001") == usd(-100)  # still 100 of credit
    credited = replay([old, new, later], [CreditNote("CN-1", "WEGO-2016-001", usd(400), d(2018, 2, 1))], payments)
    assert credited.balance("W001") == usd(-500) and credited.invoices["WEGO-2016-001"].status == "paid"


def test_a_void_reopens_what_the_payment_settled_and_keeps_the_rest():
    d = dt.date
    first = Invoice("WEGO-2017-001", "W001", 2017, d(2017, 1, 10), d(2017, 3, 10), usd(1000))
    payments = [Payment("R-1", "W001", d(2017, 2, 1), usd(1000)), Payment("R-2", "W001", d(2017, 2, 2), usd(300))]
    void = Void("V-1", "R-1", d(2017, 4, 1), "typed twice")
    before = replay([first], [], payments, d(2017, 3, 31), [void])
    after = replay([first], [], payments, None, [void])
    assert before.invoices[first.number].status == "paid" and before.balance("W001") == usd(-300)
    assert after.invoices[first.number].open == usd(700) and after.balance("W001") == usd(700)  # R-2 fills it
    assert after.voided == {"R-1"} and sum((a.amount for a in after.allocations if a.receipt == "R-1"), ZERO) == 0


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("7.000", "reads both as 7 and as 7,000"),
        ("7000,50", "a comma for decimals"),
        ("8.000,00", "a comma for decimals"),
        ("10.000,00", "a comma for decimals"),
        ("1,000.005", "more than two decimals"),
        ("12345678901234567.89", "less than 10,000,000"),
        ("1e30", "got the text '1e30'"),
        ("twelve", "got the text 'twelve'"),
        (float("nan"), "finite"),
        (True, "TRUE"),
    ],
)
def test_money_is_read_one_way_and_never_guessed(typed, said):
    with pytest.raises(Exception, match=re.escape(said)):
        usd(typed)


def test_money_is_exact():
    assert usd("1,234.50") == Decimal("1234.50") and usd(0.1) + usd(0.2) == usd("0.30")
    assert usd(1234.5) == Decimal("1234.50") and usd("7,000") == usd(7000) == Decimal("7000.00")
    assert usd("9999999.99") == Decimal("9999999.99")  # the largest amount, to the cent


# -- a fee year, end to end, on real files and a real database ---------------------------------


def test_no_ledger_is_never_a_new_one_nor_a_zero(office):
    """Only `ledger init` makes a ledger: every other command refuses naming the path, and the
    functions show an error, never 0; a mistyped --ledger starts nothing."""
    for args in (["invoice", "--fee-year", 2017, "--accept-unconfirmed"], ["balances"]):
        out = wego(*args)
        assert out.returncode == 2 and "no ledger at" in out.stderr and "ledger init" in out.stderr, args
    typo = office / "wego_ledgr.db"
    assert wego("pay", "Seoul", "100", "--ledger", typo).returncode == 2 and not typo.exists()
    assert not (office / "wego_ledger.db").exists()
    shown = udfs.WEGO_BALANCE("Seoul")
    assert isinstance(shown, str) and "no ledger at" in shown
    assert wego("ledger", "init").returncode == 0
    again = wego("ledger", "init")
    assert again.returncode == 2 and "exists already" in again.stderr
    old = wego("balances", "--ledger", office / "wego_ledger.xlsx")
    assert old.returncode == 2 and "ledger init --from" in old.stderr


@pytest.mark.skipif(not APRIL_2019.exists(), reason="../shared/data/weo is not here")
def test_a_fee_year_end_to_end(office):
    roster = office / "wego_roster.xlsx"
    assert wego("ledger", "init").returncode == 0
    # inputs: the shipped IMF April 2015 GDP and UNSD populations; billing waits for confirmation
    refused = wego("invoice", "--fee-year", 2017, "--issue-date", "2017-01-15")
    assert refused.returncode == 1 and "0 invoice(s)" in refused.stdout and "not confirmed" in refused.stdout
    assert wego("confirm", "Seoul", "--population", "--by", "Kim Minji").returncode == 0
    assert wego("confirm", "--gdp-edition", "April 2015", "--by", "Kim Minji").returncode == 0
    out = wego("invoice", "--fee-year", 2017, "--issue-date", "2017-01-15", "--accept-unconfirmed", "--json")
    issued = json.loads(out.stdout)
    assert out.returncode == 1 and issued["written"]  # written; members without inputs listed, never at 0
    assert issued["issued"][0] == "WEGO-2017-001" and len(issued["issued"]) == len(set(issued["issued"]))
    assert "Khartoum State" in issued["skipped"] and all(a != "0.00" for a in issued["issued"])
    book = book_of(office)
    seoul = next(i for i in book.invoices if i.member_id == "W001")
    assert (seoul.number, seoul.amount) == ("WEGO-2017-001", usd(10_000))
    basis = book.invoice_basis["WEGO-2017-001"]
    assert basis["Population"] == 10_007_651 and basis["WEO edition"] == "April 2015" and basis["GDP year"] == 2015
    assert basis["Unconfirmed inputs accepted"] == "No"  # Seoul's inputs were confirmed
    ulaanbaatar = next(i for i in book.invoices if i.member_id == "W002")
    assert book.invoice_basis[ulaanbaatar.number]["Unconfirmed inputs accepted"] == "Yes"
    again = json.loads(wego("invoice", "--fee-year", 2017, "--accept-unconfirmed", "--json").stdout)
    assert again["issued"] == [] and len(again["already"]) == len(issued["issued"])  # idempotent

    # payments: a partial one, an overpayment, a credit note and a re-issue
    assert wego("pay", "Seoul", "4000", "--date", "2017-02-01", "--reference", "KEB-1").returncode == 0
    assert wego("pay", "Seoul", "7,000", "--date", "2017-03-01", "--reference", "KEB-2").returncode == 0
    kathmandu = next(i for i in book.invoices if i.member_id == "W003")
    assert wego("credit", kathmandu.number, "--amount", kathmandu.amount, "--reason", "population corrected",
                "--date", "2017-02-15").returncode == 0  # fmt: skip
    reissued = json.loads(wego("invoice", "--fee-year", 2017, "--issue-date", "2017-02-16", "--accept-unconfirmed",
                               "--json").stdout)  # fmt: skip
    assert reissued["issued"] == [f"WEGO-2017-{len(issued['issued']) + 1:03d}"]  # a new number, never reused
    twice = wego("pay", "Seoul", "1", "--date", "2017-03-02", "--reference", " keb-2 ")  # the same transfer
    assert twice.returncode == 2 and "recorded already (receipt R-2017-002)" in twice.stderr

    # balances, statement, the view: they reconcile to the cent
    out = wego("balances", "--as-of", "2017-12-31", "--json")
    balances = json.loads(out.stdout)
    assert balances["reconciled"] and out.returncode == 0
    by_member = {b["Member ID"]: b for b in balances["balances"]}
    assert by_member["W001"]["Balance (USD)"] == -1000.0 and by_member["W001"]["Paid (USD)"] == 11000.0
    statement = wego("statement", "Seoul", "--as-of", "2017-12-31").stdout
    assert "Opening balance" in statement and statement.rstrip().endswith("-1,000.00")
    view = office / "view.xlsx"
    assert wego("ledger", "export", "--out", view, "--as-of", "2017-12-31").returncode == 0
    wb = openpyxl.load_workbook(view)
    assert wb.sheetnames == ["Invoices", "Credit notes", "Payments", "Voids", "Write-offs", "Allocations", "Balances",
                             "Aging", "Collections"]  # fmt: skip
    assert all("edits here change nothing" in ws["A1"].value for ws in wb.worksheets)
    aging = list(wb["Aging"].iter_rows(min_row=4, values_only=True))  # per member, then the totals
    open_total = sum(Decimal(str(b["Balance (USD)"])) for b in balances["balances"] if b["Balance (USD)"] > 0)
    assert aging[-1][0] == "Total" and Decimal(str(aging[-1][-1])).quantize(Decimal("0.01")) == open_total
    by_member = sum(Decimal(str(r[-1])) for r in aging[:-1])
    assert by_member == open_total and all(
        sum(Decimal(str(v)) for v in r[2:-1]) == Decimal(str(r[-1])) for r in aging[:-1]
    )  # buckets add up per member
    collections = list(wb["Collections"].iter_rows(min_row=4, values_only=True))
    billed = sum((i.amount for i in book_of(office).invoices), ZERO) - kathmandu.amount
    assert Decimal(str(collections[0][1])).quantize(Decimal("0.01")) == billed
    statuses = {r[0]: r[10] for r in wb["Invoices"].iter_rows(min_row=4, values_only=True)}
    assert statuses["WEGO-2017-001"] == "paid" and statuses[kathmandu.number] == "credited"

    # the functions read the ledger; a year where a date belongs is 31 December of it
    assert udfs.WEGO_INVOICED("Seoul", 2017) == 10_000 and udfs.WEGO_INVOICE("Seoul", 2017) == "WEGO-2017-001"
    assert udfs.WEGO_PAID("Seoul", 2017) == 10_000 and udfs.WEGO_PAID("Seoul") == 11_000
    assert udfs.WEGO_BALANCE("Seoul", "2017-12-31") == -1000 and udfs.WEGO_ARREARS("Ulaanbaatar", "2017-12-31") == 1
    assert udfs.WEGO_BALANCE("Seoul", 2017) == -1000 and udfs.WEGO_BALANCE("Seoul", 2016) == 0
    assert wego("pay", "Seoul", "500", "--date", "2017-12-01").returncode == 0
    assert udfs.WEGO_BALANCE("Seoul", 2017) == -1500  # the warm cache sees the new entry

    # a later WEO edition changes nothing that was invoiced
    before_weo = book_of(office)
    assert wego("import-weo", APRIL_2019, "--roster", roster, "--fee-year", 2017).returncode in (0, 1)
    refreshed = wego("refresh", roster, "--fee-year", 2017)
    assert refreshed.returncode == 0, refreshed.stderr
    assert (office / "wego_ledger_view.xlsx").exists()  # the refresh writes the ledger's view beside the roster
    fees = openpyxl.load_workbook(roster)["Fees 2017"]
    header = [c.value for c in fees[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in fees.iter_rows(min_row=2, values_only=True)}
    assert rows["W001"]["Invoice"] == "WEGO-2017-001" and rows["W001"]["Invoiced (USD)"] == 10_000
    changed = [r for r in rows.values() if r["Invoice"] and r["Fee (USD)"] != r["Invoiced (USD)"]]
    assert changed  # the April 2019 edition gives other fees for some members...
    checks = [r[4] for r in openpyxl.load_workbook(roster)["Checks"].iter_rows(min_row=2, values_only=True)]
    assert all(any(f"invoice {r['Invoice']}" in c for c in checks) for r in changed)  # ...each a check row
    after = book_of(office)
    assert [(i.number, i.amount) for i in after.invoices] == [(i.number, i.amount) for i in before_weo.invoices]
    rerun = json.loads(wego("invoice", "--fee-year", 2017, "--accept-unconfirmed", "--json").stdout)
    assert rerun["issued"] == [] and rerun["changed"]  # reported, left alone
    verified = wego("ledger", "verify", "--json")
    assert verified.returncode == 0 and json.loads(verified.stdout)["ok"]


def test_a_payment_that_reads_two_ways_is_refused_in_one_line(billed):
    """The command line reads money as the rules do (every reading is tested on usd above)."""
    for typed in ("7.000", "12345678901234567.89", "0.001"):
        out = wego("pay", "Seoul", typed, "--date", "2017-02-01")
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
        assert repr(typed) in out.stderr
    assert "more than two decimals" in out.stderr  # 0.001: never "reads both as 0 and as 1"
    out = wego("pay", "Seoul", "100", "--date", "2017-02-01", "--reference", "KEB\x07")  # each field: tests below
    assert out.returncode == 2 and "the bank reference holds control characters" in out.stderr, out.stderr
    folder = wego("balances", "--ledger", billed)
    assert folder.returncode == 2 and "is a folder" in folder.stderr
    assert book_of(billed).payments == []


def test_corrections_are_new_entries_naming_who_and_why(billed):
    assert wego("pay", "Seoul", "7000", "--date", "2017-02-01").returncode == 0
    no_reason = wego("void", "R-2017-001", "--reason", "  ")
    assert no_reason.returncode == 2 and "say why" in no_reason.stderr
    assert wego("void", "R-2017-001", "--reason", "typed twice", "--date", "2017-02-02").returncode == 0
    twice = wego("void", "R-2017-001", "--reason", "again", "--date", "2017-02-03")
    assert twice.returncode == 2 and "voided already (V-2017-001)" in twice.stderr
    assert wego("pay", "Seoul", "100", "--date", "2017-02-03").returncode == 0
    book = book_of(billed)
    assert [p.receipt for p in book.payments] == ["R-2017-001", "R-2017-002"]  # never reused after a void
    assert book.replay().balance("W001") == usd(10_000 - 100)
    too_much = wego("credit", "WEGO-2017-001", "--amount", "10000.01", "--reason", "x", "--date", "2017-03-01")
    assert too_much.returncode == 2 and "at most 10,000.00" in too_much.stderr
    log = wego("ledger", "log", "--member", "Seoul", "--json")
    trail = json.loads(log.stdout)
    assert [e["kind"] for e in trail] == ["invoice", "payment", "void", "payment"]
    assert trail[2]["command"] == "wego-xl void" and trail[2]["posted_by"] and len(trail[2]["hash"]) == 64


def _raw(office: Path, *statements: str) -> None:
    with sqlite3.connect(office / "wego_ledger.db") as db:
        for statement in statements:
            db.execute(statement)


def test_the_database_refuses_to_change_a_posted_entry(billed):
    for statement in ("UPDATE invoices SET amount_cents = 100000 WHERE number = 'WEGO-2017-001'",
                      "DELETE FROM invoices WHERE number = 'WEGO-2017-001'",
                      "UPDATE entries SET posted_by = 'someone else' WHERE seq = 1"):  # fmt: skip
        with pytest.raises(sqlite3.DatabaseError, match="a posted entry never changes"):
            _raw(billed, statement)
    assert wego("ledger", "verify").returncode == 0


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        ("UPDATE invoices SET amount_cents = 100000 WHERE number = 'WEGO-2017-001'",
         "entry 1 (invoice WEGO-2017-001"),
        ("UPDATE payments SET amount_cents = 1 WHERE receipt = 'R-2017-001'", "payment R-2017-001"),
        ("DELETE FROM payments WHERE receipt = 'R-2017-001'", "payment R-2017-001"),
        ("DELETE FROM entries WHERE seq = (SELECT max(seq) FROM entries)", "R-2017-001 was given"),
    ],
)  # fmt: skip
def test_verify_names_the_first_entry_changed_behind_the_toolkits_back(billed, tamper, named):
    """A SQL client (triggers dropped first) or a restored file: `ledger verify` finds it (the
    command's own output and exit code: test_verify_finds_a_removed_guard_and_a_removed_series)."""
    store = open_ledger(str(billed / "wego_ledger.db"))
    record_payment(store, read_roster(billed / "wego_roster.xlsx"), PaymentInput("Seoul", "7000", "2017-02-01"),
                   by=actor("test"))  # fmt: skip
    assert verify(store).ok
    drops = [f"DROP TRIGGER {t}_never_{v}" for t in ("entries", "invoices", "payments") for v in ("update", "delete")]
    _raw(billed, "PRAGMA foreign_keys = OFF", *drops, tamper)
    found = verify(store)
    assert not found.ok and any(named in f for f in found.findings), found.findings


def test_the_functions_never_answer_from_a_ledger_they_read_before(billed):
    """Each new entry is seen at once (the memo of answers is keyed on the reading of the
    ledger, never on an object's id, which Python reuses)."""
    store = open_ledger(str(billed / "wego_ledger.db"))
    roster = read_roster(billed / "wego_roster.xlsx")
    for n in range(1, 5):
        record_payment(store, roster, PaymentInput("Seoul", "1", "2017-03-01"), by=actor("test"))
        assert udfs.WEGO_BALANCE("Seoul", 2017) == 10_000 - n
    assert udfs.WEGO_BALANCE("Seoul", float("nan")).startswith("#VALUE!: an Excel date")


def test_verify_finds_a_removed_guard_and_a_removed_series(billed):
    _raw(billed, "DROP TRIGGER payments_never_update")
    out = wego("ledger", "verify")
    assert out.returncode == 1 and "guard against changing posted entries was removed (payments_never_update)" in (
        out.stdout
    )
    _raw(billed, "DELETE FROM number_series WHERE series = 'WEGO-2017'")
    out = wego("ledger", "verify")
    assert "the number series WEGO-2017 was removed" in out.stdout
