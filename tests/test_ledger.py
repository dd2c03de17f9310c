"""The dues ledger: invoices that stay as billed, payments, credit notes, balances, aging and
collections that reconcile to the cent; a fee year walked end to end on real files."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import udfs
from wego_xl.rules.ledger import ZERO, CreditNote, Invoice, Payment, replay, usd
from wego_xl.workbook.ledger import PAYMENTS, read_ledger
from wego_xl.workbook.roster import read_roster

from .conftest import SHARED_DATA, run_cli

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
    return invoices, credits, payments


@settings(max_examples=200, deadline=None)
@given(histories(), days)
def test_any_sequence_reconciles_to_the_cent(history, as_of):
    invoices, credits, payments = history
    for day in (as_of, None):
        ledger = replay(invoices, credits, payments, day)
        cutoff = day or dt.date.max
        billed = sum((i.amount for i in invoices if i.issue_date <= cutoff), ZERO)
        issued = {i.number: i.issue_date for i in invoices}
        credited = sum((c.amount for c in credits if max(c.date, issued[c.invoice]) <= cutoff), ZERO)
        paid = sum((p.amount for p in payments if p.date <= cutoff), ZERO)
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


def test_money_is_exact():
    assert usd("1,234.505") == Decimal("1234.51") and usd(0.1) + usd(0.2) == usd("0.30")
    with pytest.raises(Exception, match="must be a number"):
        usd("twelve")


# -- a fee year, end to end, on real files ------------------------------------------------------------


def wego(*args: object, env: dict | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, env=env, timeout=180)


@pytest.fixture
def office(tmp_path, monkeypatch) -> Path:
    """A finance officer's folder: the roster and finance workbook from `wego-xl init`."""
    assert wego("init", tmp_path).returncode == 0
    monkeypatch.setenv("WEGO_ROSTER", str(tmp_path / "wego_roster.xlsx"))
    return tmp_path


@pytest.mark.skipif(not APRIL_2019.exists(), reason="../shared/data/weo is not here")
def test_a_fee_year_end_to_end(office):
    roster = office / "wego_roster.xlsx"
    ledger = office / "wego_ledger.xlsx"
    # inputs: the shipped IMF April 2015 GDP and UNSD populations; billing waits for confirmation
    refused = wego("invoice", "--fee-year", 2017, "--issue-date", "2017-01-15")
    assert refused.returncode == 1 and "0 invoice(s)" in refused.stdout and "not confirmed" in refused.stdout
    assert not ledger.exists()
    assert wego("confirm", "Seoul", "--population", "--by", "Kim Minji").returncode == 0
    assert wego("confirm", "--gdp-edition", "April 2015", "--by", "Kim Minji").returncode == 0
    out = wego("invoice", "--fee-year", 2017, "--issue-date", "2017-01-15", "--accept-unconfirmed", "--json")
    issued = json.loads(out.stdout)
    assert out.returncode == 1 and issued["written"]  # written; members without inputs listed, never at 0
    assert issued["issued"][0] == "WEGO-2017-001" and len(issued["issued"]) == len(set(issued["issued"]))
    assert "Khartoum State" in issued["skipped"] and all(a != "0.00" for a in issued["issued"])
    book = read_ledger(ledger, read_roster(roster))
    seoul = next(i for i in book.invoices if i.member_id == "W001")
    assert (seoul.number, seoul.amount) == ("WEGO-2017-001", usd(10_000))
    basis = book.invoice_rows["WEGO-2017-001"]
    assert basis["Population"] == 10_007_651 and basis["WEO edition"] == "April 2015" and basis["GDP year"] == 2015
    assert basis["Unconfirmed inputs accepted"] == "No"  # Seoul's inputs were confirmed
    ulaanbaatar = next(i for i in book.invoices if i.member_id == "W002")
    assert book.invoice_rows[ulaanbaatar.number]["Unconfirmed inputs accepted"] == "Yes"
    again = json.loads(wego("invoice", "--fee-year", 2017, "--accept-unconfirmed", "--json").stdout)
    assert again["issued"] == [] and len(again["already"]) == len(issued["issued"])  # idempotent

    # payments: a partial one, an overpayment, a credit note and a re-issue
    assert wego("pay", "Seoul", "4000", "--date", "2017-02-01", "--reference", "KEB-1").returncode == 0
    assert wego("pay", "Seoul", "7000", "--date", "2017-03-01", "--reference", "KEB-2").returncode == 0
    kathmandu = next(i for i in book.invoices if i.member_id == "W003")
    assert wego("credit", kathmandu.number, "--amount", kathmandu.amount, "--reason", "population corrected",
                "--date", "2017-02-15").returncode == 0  # fmt: skip
    reissued = json.loads(wego("invoice", "--fee-year", 2017, "--issue-date", "2017-02-16", "--accept-unconfirmed",
                               "--json").stdout)  # fmt: skip
    assert reissued["issued"] == [f"WEGO-2017-{len(issued['issued']) + 1:03d}"]  # a new number, never reused
    assert wego("pay", "Seoul", "1", "--date", "2017-03-02", "--reference", "KEB-2").returncode == 2  # twice

    # balances, statement, aging, collections: they reconcile to the cent
    out = wego("balances", "--as-of", "2017-12-31", "--json")
    balances = json.loads(out.stdout)
    assert balances["reconciled"] and out.returncode == 0
    by_member = {b["Member ID"]: b for b in balances["balances"]}
    assert by_member["W001"]["Balance (USD)"] == -1000.0 and by_member["W001"]["Paid (USD)"] == 11000.0
    statement = wego("statement", "Seoul", "--as-of", "2017-12-31").stdout
    assert "Opening balance" in statement and statement.rstrip().endswith("-1,000.00")
    wb = openpyxl.load_workbook(ledger)
    aging = {r[0]: r[1] for r in wb["Aging"].iter_rows(min_row=2, values_only=True)}
    open_total = sum(Decimal(str(b["Balance (USD)"])) for b in balances["balances"] if b["Balance (USD)"] > 0)
    assert Decimal(str(sum(aging.values()))).quantize(Decimal("0.01")) == open_total
    collections = [r for r in wb["Collections"].iter_rows(min_row=2, values_only=True) if r[1] == "All"]
    billed = sum((i.amount for i in read_ledger(ledger, read_roster(roster)).invoices), ZERO) - kathmandu.amount
    assert Decimal(str(collections[0][3])).quantize(Decimal("0.01")) == billed
    statuses = {r[0]: r[9] for r in wb["Invoices"].iter_rows(min_row=2, values_only=True)}
    assert statuses["WEGO-2017-001"] == "paid" and statuses[kathmandu.number] == "credited"

    # the functions read the ledger
    assert udfs.WEGO_INVOICED("Seoul", 2017) == 10_000 and udfs.WEGO_INVOICE("Seoul", 2017) == "WEGO-2017-001"
    assert udfs.WEGO_PAID("Seoul", 2017) == 10_000 and udfs.WEGO_PAID("Seoul") == 11_000
    assert udfs.WEGO_BALANCE("Seoul", "2017-12-31") == -1000 and udfs.WEGO_ARREARS("Ulaanbaatar", "2017-12-31") == 1

    # a later WEO edition changes nothing that was invoiced
    before_weo = read_ledger(ledger, read_roster(roster))
    assert wego("import-weo", APRIL_2019, "--roster", roster, "--fee-year", 2017).returncode in (0, 1)
    refreshed = wego("refresh", roster, "--fee-year", 2017)
    assert refreshed.returncode == 0, refreshed.stderr
    fees = openpyxl.load_workbook(roster)["Fees 2017"]
    header = [c.value for c in fees[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in fees.iter_rows(min_row=2, values_only=True)}
    assert rows["W001"]["Invoice"] == "WEGO-2017-001" and rows["W001"]["Invoiced (USD)"] == 10_000
    changed = [r for r in rows.values() if r["Invoice"] and r["Fee (USD)"] != r["Invoiced (USD)"]]
    assert changed  # the April 2019 edition gives other fees for some members...
    checks = [r[4] for r in openpyxl.load_workbook(roster)["Checks"].iter_rows(min_row=2, values_only=True)]
    assert all(any(f"invoice {r['Invoice']}" in c for c in checks) for r in changed)  # ...each a check row
    after = read_ledger(ledger, read_roster(roster))
    assert [(i.number, i.amount) for i in after.invoices] == [(i.number, i.amount) for i in before_weo.invoices]
    assert next(i for i in after.invoices if i.member_id == "W001").amount == usd(10_000)  # as billed
    rerun = json.loads(wego("invoice", "--fee-year", 2017, "--accept-unconfirmed", "--json").stdout)
    assert rerun["issued"] == [] and rerun["changed"]  # reported, left alone


def test_payments_typed_in_excel_are_validated(office):
    roster = office / "wego_roster.xlsx"
    assert wego("pay", "Seoul", "100", "--date", "2017-02-01", "--reference", "A").returncode == 0
    ledger = office / "wego_ledger.xlsx"
    wb = openpyxl.load_workbook(ledger)
    ws = wb[PAYMENTS]
    for row in (
        ["R-X1", dt.datetime(2017, 3, 1), "Atlantis", 100],
        ["R-X2", dt.datetime(2017, 3, 1), "Seoul", -5],
        ["R-X3", dt.datetime(2099, 1, 1), "Seoul", 5],
        ["R-X4", dt.datetime(2017, 3, 1), "Seoul", 5, 0, None, None, None, "A"],
    ):
        ws.append(row)
    wb.save(ledger)
    book = read_ledger(ledger, read_roster(roster))
    found = {(p.row, p.column) for p in book.problems}
    assert found == {(3, "Member"), (4, "Amount (USD)"), (5, "Date received"), (6, "Bank reference")}
    assert [p.amount for p in book.payments] == [usd(100)]  # the bad rows count for nothing until corrected
    out = wego("balances")
    assert out.returncode == 1 and out.stdout.count("problem: ") == 4 and "row 6" in out.stdout


def test_a_second_credit_note_never_undoes_a_payment_twice():
    """Found by the property test: a second credit note on a paid invoice undid the first
    credit's reversal again, so more was allocated than was ever paid."""
    day = dt.date(2017, 1, 2)
    invoice = Invoice("WEGO-2018-006", "W001", 2018, day, day + dt.timedelta(60), Decimal("0.02"))
    credits = [CreditNote(f"CN-{k}", invoice.number, Decimal("0.01"), day + dt.timedelta(k)) for k in (1, 2)]
    payment = Payment("R-0", "W001", day, Decimal("0.02"), invoice.number)
    ledger = replay([invoice], credits, [payment])
    assert sum((a.amount for a in ledger.allocations), ZERO) == ZERO  # all of it given back
    assert all(a.amount < ZERO for a in ledger.allocations[1:])  # undoing never applies anything
    assert sum((left for _, left in ledger.unapplied["W001"]), ZERO) == Decimal("0.02")  # paid, not 0.03
    assert ledger.balance("W001") == Decimal("-0.02")  # the member's credit: what it paid


def test_the_ledger_sheets_print(office):
    """Every sheet of the ledger prints on A4 with its header row on every page; the
    Invoices list prints its first ten columns down to its last invoice."""
    wego("invoice", "--fee-year", 2017, "--issue-date", "2017-01-15", "--accept-unconfirmed")
    assert wego("pay", "Seoul", "100", "--date", "2017-02-01").returncode == 0
    wb = openpyxl.load_workbook(office / "wego_ledger.xlsx")
    for ws in wb.worksheets:
        assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4) and ws.print_title_rows == "$1:$1", ws.title
        assert "Page &P of &N" in ws.oddFooter.right.text and ws.title in ws.oddHeader.center.text
    invoices = wb["Invoices"]
    assert invoices.print_area.endswith(f"$A$1:$J${invoices.max_row}") and invoices.max_row > 50


@pytest.mark.parametrize(("damage", "said"), [
    ("duplicate", "the header 'Amount (USD)' is in two columns"),
    ("missing column", "column 'Amount (USD)' is missing"),
    ("missing sheet", "sheet 'Payments' is missing"),
    ("bad date", "sheet 'Invoices', row 2, column 'Issue date'"),  # never "today" in its place
])  # fmt: skip
def test_a_ledger_that_cannot_be_read_for_sure_is_refused(office, damage, said):
    """No silent wrong balance: a second Amount column, a lost header or sheet stops the read."""
    wego("invoice", "--fee-year", 2017, "--issue-date", "2017-01-15", "--accept-unconfirmed")
    assert wego("pay", "Seoul", "100", "--date", "2017-02-01").returncode == 0
    path = office / "wego_ledger.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Payments"]
    header = {c.value: c for c in ws[1]}
    if damage == "duplicate":
        ws.cell(1, ws.max_column + 1, "Amount (USD)")
    elif damage == "missing column":
        header["Amount (USD)"].value = "Amount"
    elif damage == "bad date":
        invoices = wb["Invoices"]
        column = next(c.column for c in invoices[1] if c.value == "Issue date")
        invoices.cell(2, column).value = "mid-January"
    else:
        wb.remove(ws)
    wb.save(path)
    out = wego("balances")
    assert out.returncode == 2 and said in out.stderr and "Traceback" not in out.stderr
