"""A fee year to the Secretariat's books: invoices, payments with bank charges and in won, a
credit note, a write-off, a void and a bank statement; then the journal, proved by beancount's
own ``bean-check`` (with balance assertions equal to the receivables and to the statement's
closing balance), its CSV balanced per transaction, exported once; then the period closed,
and a payment dated inside it refused by the command line and as a typed row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from ..conftest import book_of, wego
from ..files import camt053

D = Decimal
BEAN_CHECK = Path(sys.executable).with_name("bean-check")


def _daily_rates(path: Path) -> None:
    """An ECB-layout file with a KRW rate every day of 2017 (the journal books in won)."""
    day, lines = dt.date(2017, 1, 1), []
    while day.year == 2017:
        krw = D("1200") + D(day.timetuple().tm_yday) / 10
        lines.append(f"{day},1.0500,{krw / D('1.0500') * D('1.05'):.2f},\n")
        day += dt.timedelta(days=1)
    path.write_text("Date,USD,KRW,\n" + "".join(reversed(lines)), encoding="utf-8")


@pytest.fixture
def year(billed: Path, tmp_path: Path) -> Path:
    """The billed office through 2017: the statement of its USD account imported, a payment
    with bank charges, one in won, a credit note, a void, a write-off."""
    _daily_rates(tmp_path / "rates.csv")
    assert wego("rates", "import", tmp_path / "rates.csv").returncode == 0
    lines = [
        ("2017-02-01", D("10000.00"), "WEGO-2017-001", "SEOUL", "B1"),
        ("2017-02-03", D("5975.00"), "WEGO-2017-005", "BANGKOK", "B2"),  # 25 kept by a bank
        ("2017-03-01", D("-15.00"), "ACCOUNT FEE", "", "B3"),
        ("2017-03-05", D("99.00"), "INTEREST", "", "B4"),  # nobody's: waits
        ("2017-04-10", D("1250.00"), "WEGO-2017-003", "KATHMANDU", "B5"),
    ]
    statement = tmp_path / "2017.xml"
    statement.write_text(camt053(lines, D("1000.00"), "STMT-2017", "2017-01-01", "2017-12-31"), encoding="utf-8")
    assert wego("bank", "import", statement).returncode == 0
    won = wego("pay", "Seongnam", "8070000", "--currency", "KRW", "--date", "2017-05-02")
    assert won.returncode == 0, won.stderr
    assert wego("credit", "WEGO-2017-002", "--amount", "1000", "--reason", "EC 2017-2 discount",
                "--date", "2017-03-01").returncode == 0  # fmt: skip
    typed = wego("pay", "Manila", "500", "--date", "2017-06-01", "--reference", "TYPO-1")
    assert (
        wego("void", typed.stdout.split(":")[0], "--reason", "typed in error", "--date", "2017-06-02").returncode == 0
    )
    off = wego("write-off", "WEGO-2017-028", "--reason", "the city left WeGO and will not pay", "--decision",
               "EC 2017-9", "--date", "2017-12-20")  # fmt: skip
    assert off.returncode == 0 and "WO-2017-001: 6,500.00 USD of WEGO-2017-028 written off" in off.stdout, off.stderr
    return tmp_path


def test_the_journal_is_proved_by_bean_check_and_exported_once(year, billed):
    out = year / "2017.beancount"
    first = wego("journal", "--from", "2017-01-01", "--to", "2017-12-31", "--format", "beancount", "--out", out)
    assert first.returncode == 0 and "batch 1 (a new batch)" in first.stderr, first.stderr
    checked = subprocess.run([str(BEAN_CHECK), str(out)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = out.read_text(encoding="utf-8")
    receivables = sum((b for b in _balances(billed).values()), D(0))
    assert "2018-01-01 balance Assets:Receivable:Dues" in text and f"{receivables:.2f} USD" in text
    assert "2018-01-01 balance Assets:Bank:Dues" in text and f"{D('1000') + D('17309.00'):.2f} USD" in text
    assert (
        "Expenses:Bad-Debts" in text and "Expenses:Bank-Charges" in text and "Liabilities:Unidentified-Receipts" in text
    )
    # the CSV: a line per posting, each transaction balanced in USD and in won
    again = wego("journal", "--from", "2017-01-01", "--to", "2017-12-31")
    assert "batch 1 (the same batch as before)" in again.stderr
    rows = list(csv.DictReader(io.StringIO(again.stdout)))
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [D(0), D(0), D(0), D(0)])
    for r in rows:
        for i, column in enumerate(("Debit (USD)", "Credit (USD)", "Debit (KRW)", "Credit (KRW)")):
            sums[r["Transaction"]][i] += D(r[column] or "0")
    assert sums and all(s[0] == s[1] and s[2] == s[3] for s in sums.values())
    assert {r["Entry"] for r in rows} >= {"WEGO-2017-001", "CN-2017-001", "WO-2017-001", "R-2017-001"}
    won = [r for r in rows if r["Account"] == "Assets:Bank:Dues-KRW"]  # Seongnam's 8,070,000 won, as credited
    assert [r["Debit (KRW)"] for r in won] == ["8070000"], won
    # a new event goes into the next batch; nothing is exported twice
    assert wego("pay", "Jakarta", "100", "--date", "2017-12-30").returncode == 0
    later = wego("journal", "--from", "2017-01-01", "--to", "2017-12-31")
    assert "batch 2 (a new batch): 1 transaction(s)" in later.stderr, later.stderr


def test_a_closed_period_takes_no_entry_dated_in_it(year, billed, tmp_path):
    refused = wego("close", "--through", "2017-12-31", "--by", "Park Jiyoon")
    assert refused.returncode == 2 and "bank line(s) wait" in refused.stderr and "not in the journal" in refused.stderr
    assert wego("journal", "--from", "2017-01-01", "--to", "2017-12-31").returncode == 0
    closed = wego("close", "--through", "2017-12-31", "--by", "Park Jiyoon", "--anyway", "--note", "audited")
    assert closed.returncode == 0 and "closed through 2017-12-31 by Park Jiyoon" in closed.stdout
    late = wego("pay", "Jakarta", "6500", "--date", "2017-12-28")
    assert late.returncode == 2 and "the period through 2017-12-31 is closed (closed by Park Jiyoon" in late.stderr
    assert "date it 2018-01-01 or later" in late.stderr
    assert wego("pay", "Jakarta", "6500", "--date", "2018-01-03").returncode == 0  # the open period
    from wego_xl.ledger.views import new_post_workbook

    sheet = new_post_workbook(tmp_path / "post.xlsx")
    wb = openpyxl.load_workbook(sheet)
    header = [c.value for c in wb["Post"][1]]
    row = {"Date received": dt.datetime(2017, 12, 29), "Member": "Manila", "Amount received": 3000}
    wb["Post"].append([row.get(h) for h in header])
    wb.save(sheet)
    typed = wego("ledger", "post", sheet)
    assert typed.returncode == 2 and "row 2, column 'Date received'" in typed.stderr and "is closed" in typed.stderr
    assert wego("credit", "WEGO-2017-006", "--amount", "1", "--reason", "x", "--date", "2017-12-31").returncode == 2
    assert wego("close", "--through", "2017-06-30", "--by", "X").returncode == 2  # never moved back


def test_a_write_off_is_bad_debt_on_the_statement_never_a_credit_note(year, billed):
    book = book_of(billed)
    assert [w.number for w in book.write_offs] == ["WO-2017-001"] and not [
        c for c in book.credits if c.invoice == "WEGO-2017-028"
    ]
    state = book.replay().invoices["WEGO-2017-028"]
    assert (state.status, state.written_off, state.credited) == ("written off", D("6500.00"), D("0.00"))
    shown = wego("statement", "Caracas", "--as-of", "2017-12-31")
    assert "Written off as bad debt on WEGO-2017-028 (WO-2017-001, EC 2017-9)" in shown.stdout, shown.stdout
    credit = wego("credit", "WEGO-2017-028", "--amount", "100", "--reason", "x")  # settled by the write-off
    assert credit.returncode == 2 and "has 0.00 USD open: a credit note of 100.00 would turn" in credit.stderr
    twice = wego("write-off", "WEGO-2017-028", "--reason", "again", "--decision", "EC 2017-9")
    assert twice.returncode == 2 and "leaves 0.00 USD open" in twice.stderr
    assert wego("ledger", "verify").returncode == 0


def _balances(office: Path) -> dict[str, Decimal]:
    ledger = book_of(office).replay(dt.date(2017, 12, 31))
    return {m: ledger.balance(m) for m in ledger.members()}


def test_the_chart_of_accounts_is_the_rosters_sheet(billed, tmp_path):
    """The accountants rename an account on the roster's Chart of accounts sheet: the journal
    posts to it; a name the books cannot take is refused naming its row. Without the day's
    KRW rate the journal is refused naming the date."""
    no_rate = wego("journal", "--from", "2017-01-01", "--to", "2017-01-31")
    assert no_rate.returncode == 2 and "needs the KRW rate" in no_rate.stderr and "2017-01-15" in no_rate.stderr
    _daily_rates(tmp_path / "rates.csv")
    assert wego("rates", "import", tmp_path / "rates.csv").returncode == 0
    roster = billed / "wego_roster.xlsx"
    wb = openpyxl.load_workbook(roster)
    ws = wb["Chart of accounts"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "receivable")
    ws.cell(row, 2, "1130")
    ws.cell(row, 3, "Assets:Debtors:Members")
    wb.save(roster)
    rows = list(csv.DictReader(io.StringIO(wego("journal", "--from", "2017-01-01", "--to", "2017-01-31").stdout)))
    assert {(r["Account code"], r["Account"]) for r in rows} >= {("1130", "Assets:Debtors:Members")}
    ws.cell(row, 3, "debtors")
    wb.save(roster)
    bad = wego("journal", "--from", "2017-02-01", "--to", "2017-02-28")
    assert bad.returncode == 2 and f"row {row}: 'debtors' is not an account name" in bad.stderr


def test_what_a_hostile_tester_found_in_the_books(year, billed):
    """A write-off dated before its invoice, a payment back-dated before a write-off, a lock in
    the future, two roles on one account: each refused in one line; balances name write-offs."""
    early = wego("write-off", "WEGO-2017-006", "--reason", "r", "--decision", "d", "--date", "2017-01-01")
    assert early.returncode == 2 and "is before WEGO-2017-006 was issued (2017-01-15)" in early.stderr
    back = wego("pay", "Caracas", "6500", "--date", "2017-03-01")  # WEGO-2017-028 was written off on 20 December
    assert back.returncode == 2 and "would come before WO-2017-001" in back.stderr, back.stderr
    assert wego("pay", "Caracas", "100", "--date", "2017-12-21").returncode == 0  # after it: the member's credit
    future = wego("close", "--through", "2099-12-31", "--by", "X", "--anyway")
    assert future.returncode == 2 and "is not past yet" in future.stderr
    shown = wego("balances", "--as-of", "2017-12-31").stdout
    assert "- written off 6,500.00 =" in shown
    assert "…" not in shown and "None" not in shown and "10,000.00" in shown  # whole figures, a blank for no year
    roster = billed / "wego_roster.xlsx"
    wb = openpyxl.load_workbook(roster)
    ws = wb["Chart of accounts"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "receivable")
    ws.cell(row, 3, "Assets:Bank:Dues")
    wb.save(roster)
    mixed = wego("journal", "--from", "2017-01-01", "--to", "2017-12-31")
    assert mixed.returncode == 2 and "bank and receivable both post to Assets:Bank:Dues" in mixed.stderr


def test_receipts_typed_before_the_first_statement_are_in_its_opening_balance(billed, tmp_path):
    """Seoul's 10,000 typed in February; the account's first statement opens on 1 July at
    10,000, which holds it: the journal's bank equals the statement, not 10,000 more."""
    _daily_rates(tmp_path / "rates.csv")
    assert wego("rates", "import", tmp_path / "rates.csv").returncode == 0
    assert wego("pay", "Seoul", "10000", "--date", "2017-02-01").returncode == 0
    july = tmp_path / "july.xml"
    july.write_text(camt053([("2017-07-10", D("1250.00"), "WEGO-2017-003", "KATHMANDU", "J1")], D("10000.00"),
                          "STMT-07", "2017-07-01", "2017-07-31"), encoding="utf-8")  # fmt: skip
    assert wego("bank", "import", july).returncode == 0
    out = tmp_path / "jan-jul.beancount"
    assert (
        wego("journal", "--from", "2017-01-01", "--to", "2017-07-31", "--format", "beancount", "--out", out).returncode
        == 0
    )
    checked = subprocess.run([str(BEAN_CHECK), str(out)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "2017-08-01 balance Assets:Bank:Dues" in out.read_text(encoding="utf-8")


# -- batches as exported: adjustments, reprints, closed periods ------------------------------------


def _rates_of(path: Path, first: str, last: str) -> Path:
    """An ECB-layout file with a KRW rate every day from ``first`` to ``last``."""
    day, end, lines = dt.date.fromisoformat(first), dt.date.fromisoformat(last), []
    while day <= end:
        lines.append(f"{day},1.0500,{D('1300') + D(day.day) / 10:.2f},\n")
        day += dt.timedelta(days=1)
    path.write_text("Date,USD,KRW,\n" + "".join(reversed(lines)), encoding="utf-8")
    return path


def _bean_check(path: Path) -> str:
    checked = subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return path.read_text(encoding="utf-8")


def _review(tmp_path: Path, name: str, decide: dict[Decimal, tuple[str, str]]) -> None:
    """The bank review workbook, filled in: per line amount, (column, value)."""
    review = tmp_path / name
    assert wego("bank", "review", "--out", review).returncode == 0
    wb = openpyxl.load_workbook(review)
    ws = wb["Review"]
    header = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        amount = ws.cell(r, header.index("Amount") + 1).value
        if amount is not None and D(str(amount)) in decide:
            column, value = decide[D(str(amount))]
            ws.cell(r, header.index(column) + 1, value)
    wb.save(review)
    posted = wego("bank", "post", review)
    assert posted.returncode == 0, posted.stderr


def test_what_changes_after_a_batch_is_booked_in_the_next_never_by_rewriting_it(year, billed, tmp_path):
    """After batch 1: Seoul's wire is voided (its line waits again), the interest that waited is
    set aside as not dues, and December 2016's statement arrives late (the opening balance moves).
    Batch 2 books each as an adjustment or a new event and bean-check proves it against the
    receivables and the bank; then the wire is found to be Seongnam's (batch 3). Batch 1 prints
    the same bytes every time, and the three batches add up to the ledger as it stands."""
    first = year / "b1.beancount"
    assert wego("journal", "--from", "2017-01-01", "--to", "2017-12-31", "--format", "beancount", "--out",
                first).returncode == 0  # fmt: skip
    printed = _bean_check(first)
    seoul = next(p for p in book_of(billed).payments if p.value == D("10000.00"))
    assert wego("void", seoul.receipt, "--reason", "the wire was Seongnam's", "--date", "2017-12-29").returncode == 0
    _review(tmp_path, "r1.xlsx", {D("99.00"): ("Not dues (reason)", "bank interest")})
    assert wego("rates", "import", _rates_of(tmp_path / "dec.csv", "2016-12-01", "2016-12-31")).returncode == 0
    december = tmp_path / "2016-12.xml"
    december.write_text(camt053([("2016-12-15", D("100.00"), "INTEREST 2016", "", "Z1")], D("900.00"), "STMT-2016-12",
                              "2016-12-01", "2016-12-31"), encoding="utf-8")  # fmt: skip
    assert wego("bank", "import", december).returncode == 0
    second = year / "b2.beancount"
    made = wego("journal", "--from", "2017-01-01", "--to", "2017-12-31", "--format", "beancount", "--out", second)
    assert made.returncode == 0 and "batch 2 (a new batch)" in made.stderr and "adjustment(s)" in made.stderr
    text = _bean_check(second)
    assert '2017-01-01 * "Adjustment: Opening balance' in text and "(dated 2016-12-01)" in text
    assert '2017-01-01 * "Receipt not identified yet' in text and "(dated 2016-12-15)" in text
    assert "Adjustment: Receipt, not dues" in text and "Payment " + seoul.receipt + " taken back" in text
    assert "2018-01-01 balance Assets:Bank:Dues" in text  # the statement's closing, over both batches
    _review(tmp_path, "r2.xlsx", {D("10000.00"): ("Member", "Seongnam"), D("100.00"): ("Member", "Seoul")})
    third = year / "b3.beancount"
    assert wego("journal", "--from", "2017-01-01", "--to", "2017-12-31", "--format", "beancount", "--out",
                third).returncode == 0  # fmt: skip
    text = _bean_check(third)
    assert "Taken back: Receipt not identified yet" in text and "(dated 2016-12-15)" in text
    assert "(dated 2016-12-15) (dated" not in text  # said once
    again = wego("journal", "--batch", "1", "--format", "beancount")
    assert again.returncode == 0 and again.stdout == printed and first.read_text(encoding="utf-8") == printed
    assert wego("journal", "--batch", "9").stderr.strip().endswith("the batches are 1 to 3")
    totals: dict[str, Decimal] = defaultdict(lambda: D(0))
    for n in (1, 2, 3):
        for r in csv.DictReader(io.StringIO(wego("journal", "--batch", n).stdout)):
            totals[r["Account"]] += D(r["Debit (USD)"] or "0") - D(r["Credit (USD)"] or "0")
    assert totals["Liabilities:Unidentified-Receipts"] == D("0.00")  # nothing waits any more
    assert totals["Income:Other"] == D("-99.00")
    assert totals["Assets:Receivable:Dues"] == sum(_balances(billed).values(), D(0))
    nothing = wego("journal", "--from", "2017-01-01", "--to", "2017-12-31")
    assert "batch 3 (the same batch as before)" in nothing.stderr


def test_nothing_is_booked_in_a_closed_period(year, billed, tmp_path):
    """2017 exported and closed; then January's statement brings lines dated 30 and 31 December:
    the wire naming Jakarta's invoice is received on the first open day (it no longer waits for
    ever), the interest is booked on 1 January, dated 31 December; a December batch is refused."""
    assert wego("journal", "--from", "2017-01-01", "--to", "2017-12-31").returncode == 0
    assert wego("close", "--through", "2017-12-31", "--by", "Park Jiyoon", "--anyway").returncode == 0
    assert wego("rates", "import", _rates_of(tmp_path / "jan.csv", "2018-01-01", "2018-01-31")).returncode == 0
    book = book_of(billed).replay()
    jakarta = next(i for i in book.invoices.values() if i.invoice.number == "WEGO-2017-004")
    closing = D("1000.00") + D("17309.00")
    lines = [("2017-12-30", jakarta.open, "WEGO-2017-004", "DKI JAKARTA", "J1"),
             ("2017-12-31", D("50.00"), "INTEREST DEC", "", "J2"), ("2018-01-10", D("-15.00"), "ACCOUNT FEE", "", "J3")]  # fmt: skip
    january = tmp_path / "2018-01.xml"
    january.write_text(camt053(lines, closing, "STMT-2018-01", "2017-12-30", "2018-01-31"), encoding="utf-8")
    imported = wego("bank", "import", january)
    assert imported.returncode == 0 and "posted R-2018-001" in imported.stdout, imported.stdout + imported.stderr
    paid = next(p for p in book_of(billed).payments if p.receipt == "R-2018-001")
    assert paid.date == dt.date(2018, 1, 1)
    refused = wego("journal", "--from", "2017-12-01", "--to", "2017-12-31")
    assert refused.returncode == 2 and "the period through 2017-12-31 is closed" in refused.stderr
    assert "export a period that reaches 2018-01-01" in refused.stderr
    out = year / "jan.beancount"
    assert wego("journal", "--from", "2018-01-01", "--to", "2018-01-31", "--format", "beancount", "--out",
                out).returncode == 0  # fmt: skip
    text = _bean_check(out)
    assert all(line[:10] >= "2018-01-01" for line in text.splitlines() if line[:4].isdigit() and " * " in line)
    assert "(dated 2017-12-31)" in text and "2018-02-01 balance Assets:Bank:Dues" in text
    # the interest that waited since March 2017 is set aside: booked in the open period, by the next batch
    _review(tmp_path, "r.xlsx", {D("99.00"): ("Not dues (reason)", "bank interest")})
    backwards = wego("journal", "--from", "2017-06-01", "--to", "2017-09-30")
    assert backwards.returncode == 2 and "batch 2 runs to 2018-01-31" in backwards.stderr, backwards.stderr
    february = year / "feb.beancount"
    assert wego("journal", "--from", "2018-02-01", "--to", "2018-02-28", "--format", "beancount", "--out",
                february).returncode == 0  # fmt: skip
    text = _bean_check(february)
    assert '2018-02-01 * "Adjustment: Receipt, not dues' in text and "(dated 2017-03-05)" in text
