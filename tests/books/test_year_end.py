"""Year end: ``wego-xl aging`` (open amounts by days past due) and ``wego-xl year-end`` (the
auditor's pack), on a real ledger through the real command line (in this process): 2017's
invoices, payments (one with bank charges, one before the year, one after it, an overpayment),
a credit note, a void and a write-off. The roll-forward adds up line by line and equals the
balances ``wego-xl balances`` prints; the aging sums to them; a confirmation letter goes to
each member with a balance, in Korean and English, and to no one else."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import docx
import openpyxl
import pytest

from tests.conftest import book_of, require_program
from tests.files import BANK, set_settings
from wego_xl.books.aging import BUCKET_NAMES, aging, bucket_of
from wego_xl.rules.ledger import Invoice, LedgerBook, Payment

D = Decimal


def wego(*args: object) -> Any:
    """``wego-xl ARGS`` through the real command line, in this process."""
    from click.testing import CliRunner

    from wego_xl.cli import main
    from wego_xl.ledger.store import books

    books.clear()
    done = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return SimpleNamespace(returncode=done.exit_code, stdout=done.stdout, stderr=done.stderr)


def ok(*args: object) -> Any:
    done = wego(*args)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def text_of(path: Path) -> str:
    d = docx.Document(str(path))
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])


@pytest.fixture
def year(billed) -> Path:
    """2017 on the billed ledger (invoices issued 2017-01-15, due 2017-03-16)."""
    from wego_xl.ledger.service import actor, write_off
    from wego_xl.ledger.store import open_ledger

    set_settings(billed / "wego_roster.xlsx", BANK)
    ok("pay", "Ulaanbaatar", "1000", "--date", "2016-12-20", "--reference", "Y-0")  # credit before the year
    ok("pay", "Seoul", "10500", "--date", "2017-02-01", "--reference", "Y-1")  # 500 over: the member's credit
    ok("pay", "Kathmandu", "3475", "--bank-charges", "25", "--date", "2017-03-01", "--reference", "Y-2")
    ok("credit", "WEGO-2017-004", "--amount", "500", "--reason", "population corrected", "--date", "2017-02-10")
    ok("pay", "Bangkok", "1200", "--date", "2017-04-01", "--reference", "Y-3")
    ok("void", "R-2017-003", "--reason", "typed twice", "--date", "2017-04-05")  # Bangkok's 1,200 taken back
    ok("pay", "Manila", "700", "--date", "2017-05-01", "--reference", "Y-4")  # a part payment, then written off
    store = open_ledger(str(billed / "wego_ledger.db"))
    manila = next(i.number for i in store.load().invoices if i.member_id == "W008")
    write_off(store, manila, "city cannot pay", "EC 2017-9", by=actor("t"), date=dt.date(2017, 12, 1))
    store.engine.dispose()
    ok("pay", "Jakarta", "100", "--date", "2018-02-01", "--reference", "Y-5")  # after the year: not in it
    return billed


def test_the_pack_adds_up_and_agrees_with_the_balances(year, tmp_path):
    balances = json.loads(ok("balances", "--as-of", "2017-12-31", "--json").stdout)
    owed = {r["Member ID"]: D(str(r["Balance (USD)"])).quantize(D("0.01")) for r in balances["balances"]}
    total = sum(owed.values(), D(0))
    assert str(total) == balances["outstanding"].replace(",", "") and balances["reconciled"]

    done = ok("year-end", 2017, "--out", tmp_path / "pack", "--lang", "ko", "--json")
    pack = json.loads(done.stdout)
    r = {k: D(v) for k, v in pack["roll_forward"].items()}
    assert r["opening"] == D("-1000.00")  # Ulaanbaatar's credit of 2016
    assert r["closing"] == r["balances"] == total
    assert r["opening"] + r["invoiced"] - r["credited"] - r["collected"] - r["bank_charges"] - \
        r["exchange_differences"] - r["written_off"] + r["voids"] == r["closing"]  # fmt: skip
    assert str(r["invoiced"]) == balances["invoiced"].replace(",", "")  # every invoice is of 2017
    assert str(r["credited"]) == balances["credited"].replace(",", "") == "500.00"
    assert r["bank_charges"] == D("25.00") and r["voids"] == D("1200.00") and r["exchange_differences"] == 0
    assert r["collected"] == D("10500") + D("3475") + D("1200") + D("700")  # cash of 2017; not 2016's, not 2018's
    assert r["written_off"] > 0
    paid_in_year = r["collected"] + r["bank_charges"] + r["exchange_differences"] - r["voids"]
    assert paid_in_year + D(1000) == D(balances["paid"].replace(",", ""))  # and 2016's 1,000

    wb = openpyxl.load_workbook(pack["workbook"])
    assert wb.sheetnames == ["Roll-forward", "Aging", "Collections", "Audit trail", "Journal"]
    sheet = wb["Roll-forward"]
    block = [(str(row[0].value), row[1].value) for row in sheet.iter_rows(min_row=5, max_row=15)]
    assert block[0][0].startswith("Opening balance") and block[8][0].startswith("Closing balance")
    assert round(sum(v for _, v in block[:8]), 2) == block[8][1] == block[9][1] == float(total)  # the lines add up
    assert block[10] == ("Difference (must be nil)", 0)
    agreement = {str(row[0].value).split(" ")[0]: [c.value for c in row[1:4]] for row in sheet.iter_rows(min_row=20)}
    for key, printed in (("Invoiced", "invoiced"), ("Credited", "credited"), ("Paid", "paid"),
                         ("Outstanding:", "outstanding")):  # fmt: skip
        was, moved, now = agreement[key]
        assert f"{now:,.2f}" == balances[printed] and round(was + moved, 2) == now, key  # as wego-xl balances says
    assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.orientation == "landscape"  # A4

    aging_sheet = wb["Aging"]
    header = [c.value for c in aging_sheet[4]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in aging_sheet.iter_rows(min_row=5)]
    members, totals = rows[:-1], rows[-1]
    assert totals["Member ID"] == "Total" and round(totals["Balance (USD)"], 2) == float(total)
    assert {m["Member ID"]: D(str(m["Balance (USD)"])).quantize(D("0.01")) for m in members} == {
        k: v for k, v in owed.items() if v
    }  # each member's row is its balance; members with nothing open are left out
    seoul = next(m for m in members if m["Member ID"] == "W001")
    assert seoul["Credit (USD)"] == -500 and seoul["Open (USD)"] == 0
    assert aging_sheet.page_setup.orientation == "landscape"

    collections = wb["Collections"]
    assert collections.cell(4, 1).value == "Fee year" and collections.cell(5, 1).value == 2017
    trail = [row[2].value for row in wb["Audit trail"].iter_rows(min_row=5)]
    assert "R-2017-003" in trail and "V-2017-001" in trail and "R-2016-001" not in trail
    assert wb["Journal"].cell(4, 1).value in ("Batch", "Journal")

    letters = {re.match(r"2017-(W\d+)_", Path(p).name).group(1): Path(p) for p in pack["letters"]}
    assert set(letters) == {k for k, v in owed.items() if v}  # one per member with a balance, none for the others
    assert "W002" not in letters or owed["W002"]
    text = text_of(letters["W001"])  # Seoul: its credit of 500
    for field in ("잔액 확인서", "Balance confirmation", "2017년 12월 31일", "31 December 2017", "500.00",
                  "귀 기관의 선납 잔액 500.00 USD", "500.00 USD credit in your favour", "180-009-123456", "SHBKKRSE",
                  "서울 (Seoul)", "Seoul (서울)", "We confirm the balance above as correct.", "위 잔액이 맞음을 확인합니다."):  # fmt: skip
        assert field in text, field
    assert text.index("잔액 확인서") < text.index("Balance confirmation")  # --lang ko: Korean first
    assert "{{" not in text and "{%" not in text
    owing = next(k for k, v in owed.items() if v > 0)
    owing_text = text_of(letters[owing])
    assert f"{owed[owing]:,.2f} USD owed to WeGO" in owing_text and "WEGO-2017-" in owing_text  # the open invoices


def test_aging_buckets_by_days_past_due():
    as_of = dt.date(2018, 6, 30)

    def inv(n: int, member: str, late: int, amount: str) -> Invoice:
        due = as_of - dt.timedelta(days=late)
        return Invoice(f"WEGO-2017-{n:03d}", member, 2017, due - dt.timedelta(days=60), due, D(amount))

    book = LedgerBook("test", [inv(1, "W001", 10, "100"), inv(2, "W002", 45, "200"), inv(3, "W003", 200, "300"),
                               inv(4, "W004", 400, "400"), inv(5, "W005", -5, "500"), inv(6, "W006", 30, "600"),
                               inv(7, "W007", 365, "700")],
                      payments=[Payment("R-2017-001", "W006", as_of, D("600")),
                                Payment("R-2017-002", "W009", as_of, D("50"))])  # fmt: skip
    found = aging(book, as_of)
    rows = {m.member_id: m for m in found.members}
    assert "W006" not in rows  # paid: nothing open
    assert {k: [b for b in BUCKET_NAMES if m.buckets[b]] for k, m in rows.items() if m.open} == {
        "W001": ["1-30"], "W002": ["31-90"], "W003": ["91-365"], "W004": ["over a year"], "W005": ["not yet due"],
        "W007": ["91-365"],
    }  # fmt: skip
    assert rows["W009"].credit == D("-50") and rows["W009"].open == 0  # a credit, apart
    totals = found.totals()
    assert totals["open"] == D("2200") and totals["credit"] == D("-50") and totals["balance"] == D("2150")
    assert [bucket_of(d) for d in (0, 1, 30, 31, 90, 91, 365, 366)] == [
        "not yet due", "1-30", "1-30", "31-90", "31-90", "91-365", "91-365", "over a year",
    ]  # fmt: skip


def test_the_aging_command(billed):
    """On 2017-05-15 every 2017 invoice (due 2017-03-16) is 60 days past due; Seoul's
    overpayment is its credit; a member paid in full is left out."""
    ok("pay", "Seoul", "10500", "--date", "2017-02-01")
    ok("pay", "Ulaanbaatar", "1000", "--date", "2017-02-01")
    found = json.loads(ok("aging", "--as-of", "2017-05-15", "--json").stdout)
    rows = {m["member_id"]: m for m in found["members"]}
    assert found["buckets"] == list(BUCKET_NAMES)
    assert rows["W001"]["credit"] == "-500.00" and rows["W001"]["open"] == "0.00"
    assert all(m["31-90"] == m["open"] for m in found["members"])
    assert D(found["totals"]["balance"]) == sum((D(m["balance"]) for m in found["members"]), D(0))
    balances = json.loads(ok("balances", "--as-of", "2017-05-15", "--json").stdout)
    assert D(found["totals"]["balance"]) == D(balances["outstanding"].replace(",", ""))
    before = json.loads(ok("aging", "--as-of", "2017-03-01", "--json").stdout)
    assert D(before["totals"]["not yet due"]) == D(before["totals"]["open"]) > 0
    shown = ok("aging", "--as-of", "2017-05-15").stdout
    assert "Aging on 2017-05-15" in shown and "Total" in shown


def test_the_pack_refuses_a_year_not_ended_and_names_a_blank_bank_detail(billed, tmp_path):
    assert wego("year-end", dt.date.today().year, "--out", tmp_path).returncode != 0
    done = wego("year-end", 2017, "--out", tmp_path / "pack")
    assert done.returncode == 2 and "is blank" in done.stderr
    assert not (tmp_path / "pack" / "year-end-2017.xlsx").exists()  # nothing half-written


@pytest.fixture
def small(office) -> Path:
    """A ledger of two invoices of 2017 (Seoul's and Ulaanbaatar's), Seoul's paid in part."""
    from wego_xl.ledger.service import actor
    from wego_xl.ledger.store import create_ledger

    set_settings(office / "wego_roster.xlsx", BANK)
    store = create_ledger(str(office / "wego_ledger.db"))
    issued, due = dt.date(2017, 1, 15), dt.date(2017, 3, 16)
    with store.writing() as conn:
        for n, member in enumerate(("W001", "W002"), start=1):
            store.post(conn, Invoice(f"WEGO-2017-{n:03d}", member, 2017, issued, due, D("5000")), actor("t"))
    store.engine.dispose()
    ok("pay", "Seoul", "1000", "--date", "2017-02-01")
    return office


def test_the_pack_as_pdf(small, tmp_path):
    """--pdf: each letter and the workbook as PDF through LibreOffice, each letter on one page."""
    require_program("soffice", "libreoffice-writer")
    require_program("pdfinfo", "poppler-utils")
    pack = json.loads(ok("year-end", 2017, "--out", tmp_path, "--pdf", "--json").stdout)
    assert len(pack["letters"]) == 2
    assert sorted(Path(p).name for p in pack["pdf"]) == [
        "2017-W001_Seoul_confirmation.pdf", "2017-W002_Ulaanbaatar_confirmation.pdf", "year-end-2017.pdf",
    ]  # fmt: skip
    for pdf in pack["pdf"]:
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert pages == 1 or not pdf.endswith("confirmation.pdf"), (pdf, pages)
    text = subprocess.run(["pdftotext", pack["pdf"][0], "-"], capture_output=True, text=True, check=True).stdout
    assert "Balance confirmation" in text and "4,000.00" in text


def test_a_roll_forward_that_does_not_add_up_is_an_error_never_a_total(billed):
    import dataclasses

    from wego_xl.books.yearend import YearEndError, _prove, roll_forward

    found = roll_forward(book_of(billed), 2017)
    _prove(found)
    with pytest.raises(YearEndError, match="invoiced"):
        _prove(dataclasses.replace(found, invoiced=found.invoiced + D("0.01")))
    with pytest.raises(YearEndError, match="closing balance"):
        _prove(dataclasses.replace(found, balances=found.balances + D("0.01"), after=found.after))


def test_the_journal_sheet_takes_the_journal_rows_or_says_why_not(monkeypatch):
    from wego_xl.books import journal
    from wego_xl.books.yearend import JOURNAL_COLUMNS, journal_table
    from wego_xl.errors import InputError

    row = dict.fromkeys(JOURNAL_COLUMNS, "")
    row |= {"Batch": 0, "Date": "2017-01-15", "Entry": "WEGO-2017-001", "Debit (USD)": "10000.00",
            "Debit (KRW)": "11700000", "Rate": "1170"}  # fmt: skip
    monkeypatch.setattr(journal, "journal_lines", lambda *args: [row])
    headers, rows = journal_table(None, None, dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    got = dict(zip(headers, rows[0], strict=True))
    assert got["Date"] == dt.date(2017, 1, 15) and got["Debit (USD)"] == 10000.0 and got["Credit (USD)"] is None
    assert got["Debit (KRW)"] == 11700000.0 and got["Entry"] == "WEGO-2017-001"

    def refuse(*args):
        raise InputError("no KRW rate for 2017-01-15")

    monkeypatch.setattr(journal, "journal_lines", refuse)
    assert journal_table(None, None, dt.date(2017, 1, 1), dt.date(2017, 12, 31))[1][0][0].endswith(
        "no KRW rate for 2017-01-15"
    )
