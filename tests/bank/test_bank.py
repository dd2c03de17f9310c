"""A year of the bank's statements through the ledger, on files built here in the formats banks
send (camt.053, MT940, a Korean bank's Excel export, a CSV), with the real command line:
receipts with bank charges, in KRW and EUR, two wires for one invoice, one wire for two years,
a line nobody can identify, a statement imported twice. Afterwards nothing is posted twice,
every line but the unidentifiable one is matched, the ledger's bank balance equals each
statement's closing balance, no reminder goes out for crumbs, and ``ledger verify`` is clean."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ..conftest import book_of, wego
from ..files import ACCOUNT, BANK, D, camt053, set_settings


def _mt940(entries: list[tuple], opening: Decimal, number: str) -> str:
    """An MT940 with SWIFT blocks and CRLF: entries are (yymmdd, amount, text, payer, reference)."""
    closing = opening + sum((e[1] for e in entries), D(0))
    body = [f":20:{number}", f":25:{ACCOUNT}", ":28C:2/1", f":60F:C170401USD{opening:.2f}".replace(".", ",")]
    for day, amount, text, payer, ref in entries:
        side = "C" if amount > 0 else "D"
        body.append(f":61:{day}{day[2:]}{side}{abs(amount):.2f}".replace(".", ",") + f"NTRFNONREF//{ref}")
        body.append(f":86:166?00GUTSCHRIFT?20{text}?32{payer}")  # structured: a transaction code, then ?NN fields
    body.append(f":62F:C170630USD{closing:.2f}".replace(".", ","))
    return "{1:F01WEGOKRSEAXXX0000000000}{2:O9401200170630KOEXKRSEXXXX00000000001706301200N}{4:\r\n" + \
        "\r\n".join(body) + "\r\n-}"  # fmt: skip


MAPPING_KRW = """
[columns]
date = "거래일자"
credit = "입금액"
debit = "출금액"
text = ["적요", "내용"]
counterparty = "의뢰인"
balance = "잔액"
[statement]
account = "110-234-567890"
currency = "KRW"
date_format = "%Y.%m.%d"
"""


def _korean_export(path: Path, rows: list[tuple], opening: Decimal) -> None:
    """A Korean bank's Excel export, newest first under two title rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["거래내역조회"])
    ws.append(["계좌번호: 110-234-567890"])
    ws.append(["거래일자", "적요", "내용", "의뢰인", "입금액", "출금액", "잔액"])
    balance, lines = opening, []
    for day, amount, text, payer in rows:
        balance += amount
        lines.append([day, "타행이체", text, payer, float(amount) if amount > 0 else 0,
                      float(-amount) if amount < 0 else 0, float(balance)])  # fmt: skip
    for line in reversed(lines):
        ws.append(line)
    wb.save(path)


def _rates(path: Path) -> None:
    """The ECB's layout: units per 1 EUR, a trailing comma, newest first."""
    days = [("2017-03-09", "1.0552", "1219.50"), ("2017-03-10", "1.0606", "1226.72"),
            ("2017-04-20", "1.0745", "1220.97")]  # fmt: skip
    text = "Date,USD,JPY,KRW,\n" + "".join(f"{d},{usd},N/A,{krw},\n" for d, usd, krw in reversed(days))
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def year(billed: Path, tmp_path: Path) -> dict[str, Any]:
    """The office billed for 2017 (and Jakarta for 2016), the rates imported, and the files."""
    from wego_xl.ledger.service import actor, issue_invoices
    from wego_xl.ledger.store import open_ledger
    from wego_xl.store.roster import read_roster

    store = open_ledger(str(billed / "wego_ledger.db"))
    roster = read_roster(billed / "wego_roster.xlsx")
    plan = issue_invoices(store, roster, 2016, dt.date(2017, 1, 15), 60, by=actor("test"), accept_unconfirmed=True)
    store.engine.dispose()
    jakarta = next(r for r in plan.new if r["English name"] == "Jakarta")
    two_years = D(str(jakarta["Amount (USD)"])) + D("6500.00")
    files = {"rates": tmp_path / "eurofxref-hist.csv", "jakarta 2016": jakarta["Invoice number"]}
    _rates(files["rates"])
    q1 = [
        ("2017-02-01", D("10000.00"), "WEGO 2017 001 membership fee", "SEOUL METROPOLITAN GOVT", "B1"),
        ("2017-02-03", D("5975.00"), "Invoice WEGO2017005", "BANGKOK METROPOLITAN ADMIN", "B2"),  # 25 kept
        ("2017-02-10", D("250.00"), "fee WEGO-2017-018 part 1", "BIRGUNJ SUB-METROPOLITAN CITY", "B3"),  # of 500
        ("2017-02-20", two_years, f"{jakarta['Invoice number']} WEGO-2017-004", "DKI JAKARTA", "B4"),  # two years
        ("2017-02-25", D("333.33"), "TRANSFER 884213", "ACME TRADING LLC", "B5"),  # nobody's
        ("2017-03-01", D("-15.00"), "ACCOUNT FEE", "", "B6"),
        ("2017-03-02", D("5000.00"), "membership 2017", "Ulaanbaatar", "B7"),  # a name, no number
    ]
    files["camt"] = tmp_path / "q1.xml"
    files["camt"].write_text(camt053(q1, D("1000.00"), "STMT-2017-Q1", "2017-01-01", "2017-03-31"), encoding="utf-8")
    q1_close = D("1000.00") + sum((e[1] for e in q1), D(0))
    q2 = [
        ("170405", D("250.00"), "WEGO-2017-018 part 2", "BIRGUNJ", "C1"),  # the second wire for one invoice
        ("170410", D("1250.00"), "WEGO-2017-003", "KATHMANDU METROPOLITAN CITY", "C2"),
        ("170412", D("-20.00"), "CHARGES", "", "C3"),
    ]
    files["mt940"] = tmp_path / "q2.sta"
    files["mt940"].write_bytes(_mt940(q2, q1_close, "STMT-2017-Q2").encode("ascii"))
    files["krw"] = tmp_path / "거래내역.xlsx"  # Seongnam pays 7,000 USD in won at 1,226.72/7,000 = 1,156.6... per USD
    _korean_export(files["krw"], [("2017.03.10", D("8087000"), "WEGO-2017-021 회비", "성남시")], D("1000000"))
    files["krw_mapping"] = tmp_path / "krw.toml"
    files["krw_mapping"].write_text(MAPPING_KRW, encoding="utf-8")
    files["eur"] = tmp_path / "eur.csv"  # Paris pays its 8,000 USD in euros into the euro account
    files["eur"].write_text(
        "Booking date;Amount;Details;Ordering party;Balance\n"
        "2017-04-20;7445.32;WEGO-2017-034 cotisation;VILLE DE PARIS;9445.32\n",
        encoding="utf-8",
    )
    files["eur_mapping"] = tmp_path / "eur.toml"
    files["eur_mapping"].write_text(
        '[columns]\ndate = "Booking date"\namount = "Amount"\ntext = "Details"\n'
        'counterparty = "Ordering party"\nbalance = "Balance"\n'
        '[statement]\naccount = "FR76-EUR-0001"\ncurrency = "EUR"\ndelimiter = ";"\n',
        encoding="utf-8",
    )
    return files


def test_a_year_of_statements_posts_each_receipt_once_and_agrees_with_the_bank(year, billed, tmp_path):
    from lxml import etree

    from .test_bank_files import schema

    assert schema("camt.053.001.02").validate(etree.fromstring(year["camt"].read_bytes()))  # as ISO 20022 defines it
    assert wego("rates", "import", year["rates"]).returncode == 0
    first = wego("bank", "import", year["camt"], year["mt940"])
    assert first.returncode == 0, first.stderr
    assert "10 new line(s)" in first.stdout
    again = wego("bank", "import", year["camt"])  # the same statement again
    assert again.returncode == 0 and "0 new line(s), 7 already imported" in again.stdout
    krw = wego("bank", "import", year["krw"], "--mapping", year["krw_mapping"])
    assert krw.returncode == 0, krw.stderr
    eur = wego("bank", "import", year["eur"], "--mapping", year["eur_mapping"])
    assert eur.returncode == 0 and "posted" in eur.stdout, eur.stdout + eur.stderr
    book = book_of(billed)
    by_invoice = {p.invoice or p.member_id: p for p in book.payments}
    ledger = book.replay()
    # Bangkok's 25 kept by a bank settles its invoice; the cash is what the bank credited
    bangkok = by_invoice["WEGO-2017-005"]
    assert (bangkok.amount, bangkok.bank_charges, bangkok.value) == (D("6000.00"), D("25.00"), D("5975.00"))
    assert ledger.invoices["WEGO-2017-005"].status == "paid"
    # two wires for Birgunj's one invoice; one wire for Jakarta's two years
    assert ledger.invoices["WEGO-2017-018"].status == "paid"
    assert ledger.invoices[year["jakarta 2016"]].status == "paid"
    assert ledger.invoices["WEGO-2017-004"].status == "paid"
    # Seongnam's won: converted at 10 March's ECB cross rate, the difference an exchange difference
    seongnam = next(p for p in book.payments if p.member_id == "W036")
    assert seongnam.currency == "KRW" and seongnam.received == D("8087000")
    assert seongnam.rate == D("1156.62832359")  # 1226.72 / 1.0606
    assert seongnam.value + seongnam.exchange_difference == D("7000.00")
    assert ledger.invoices["WEGO-2017-021"].status == "paid"
    paris = next(p for p in book.payments if p.member_id == "W054")  # 1 / 1.0745 EUR per USD on 20 April
    assert (paris.currency, paris.received, paris.value, paris.exchange_difference) == (
        "EUR", D("7445.32"), D("8000.00"), D("0.00"))  # fmt: skip
    # Ulaanbaatar (a name, no number) and the unidentifiable line wait for a person
    review = tmp_path / "review.xlsx"
    assert wego("bank", "review", "--out", review).returncode == 0
    wb = openpyxl.load_workbook(review)
    ws = wb["Review"]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("Payer")]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"Ulaanbaatar", "ACME TRADING LLC"}
    assert "is the name of Ulaanbaatar" in rows["Ulaanbaatar"][header.index("Reason")]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, header.index("Payer") + 1).value == "Ulaanbaatar":
            ws.cell(r, header.index("Accept") + 1, "yes")
            ws.cell(r, header.index("Teach payer") + 1, "yes")
    wb.save(review)
    posted = wego("bank", "post", review)
    assert posted.returncode == 0 and "1 posted" in posted.stdout, posted.stderr
    assert "0 posted" in wego("bank", "post", review).stdout  # again: nothing twice
    book = book_of(billed)
    from wego_xl.bank.balances import check_bank
    from wego_xl.bank.service import unmatched_count
    from wego_xl.ledger.store import open_ledger
    from wego_xl.ledger.verify import verify

    store = open_ledger(str(billed / "wego_ledger.db"))
    assert unmatched_count(store) == 1  # only ACME's
    receipts = [p.receipt for p in book.payments]
    assert len(receipts) == len(set(receipts)) == 9  # 5 + 2 + 1 + 1 receipts, ACME waiting
    checked = check_bank(store)
    assert checked.ok, (checked.findings, checked.statements)
    assert [s.number for s in checked.statements if s.account == ACCOUNT] == ["STMT-2017-Q1", "2/1"]  # MT940 :28C:
    assert verify(store).ok
    out = wego("bank", "check")
    assert out.returncode == 0 and out.stdout.count("agrees") == 4, out.stdout
    import udfs

    assert udfs.WEGO_UNMATCHED() == 1  # what the Ledger sheet shows beside the balances
    # the payer name taught in the review is known to the next import: a bare "ULAANBAATAR" wire
    q3 = tmp_path / "q3.xml"
    q2_close = checked.statements[1].closing
    q3.write_text(camt053([("2017-07-03", D("5000.00"), "dues", "ulaanbaatar", "D1")], q2_close + 1, "STMT-2017-Q3",
                        "2017-07-01", "2017-09-30"), encoding="utf-8")  # fmt: skip
    taught = wego("bank", "import", q3)
    assert "was taught as Ulaanbaatar" in taught.stdout and "posted" in taught.stdout, taught.stdout
    gap = wego("bank", "check")  # Q3 opens 1.00 above Q2's close: a statement is missing between them
    assert gap.returncode == 1 and "a statement is missing between them" in gap.stdout


def test_a_hand_typed_payment_is_the_bank_line_it_came_from(year, billed):
    """Seoul's payment typed by hand before the statement came: the import links the line to
    it instead of posting it again."""
    typed = wego("pay", "Seoul", "10000", "--date", "2017-02-01", "--reference", "KEB-1")
    assert typed.returncode == 0, typed.stderr
    out = wego("bank", "import", year["camt"])
    assert "is R-2017-001, recorded by hand before" in out.stdout
    assert [p.member_id for p in book_of(billed).payments].count("W001") == 1


def test_pay_with_bank_charges_and_in_won(billed, tmp_path):
    """`pay Bangkok 5975 --bank-charges 25` settles 6,000 with the cash as received; a receipt
    in KRW converts at its day's rate; no rate for the day is one line naming it."""
    out = wego("pay", "Bangkok", "5975", "--bank-charges", "25", "--date", "2017-02-03")
    assert out.returncode == 0 and "credited 6,000.00 USD" in out.stdout and "balance now 0.00" in out.stdout
    jakarta = wego("pay", "Jakarta", "6475", "--date", "2017-02-03", "--invoice", "WEGO-2017-004")
    assert "bank charges 25.00" in jakarta.stdout and "credited 6,500.00 USD" in jakarta.stdout
    missing = wego("pay", "Seongnam", "8087000", "--currency", "KRW", "--date", "2017-03-10")
    assert missing.returncode == 2 and "no KRW rate for 2017-03-10" in missing.stderr
    _rates(tmp_path / "rates.csv")
    assert wego("rates", "import", tmp_path / "rates.csv").returncode == 0
    won = wego("pay", "Seongnam", "8087000", "--currency", "krw", "--date", "2017-03-10")
    assert won.returncode == 0 and "8,087,000.00 KRW at 1156.62832359" in won.stdout, won.stderr
    assert "credited 7,000.00 USD" in won.stdout
    saturday = wego("pay", "Seoul", "1000000", "--currency", "KRW", "--date", "2017-03-11")
    assert saturday.returncode == 2 and "no KRW rate for 2017-03-11" in saturday.stderr
    assert wego("settings", "Rate fallback days", "3").returncode == 0
    friday = wego("pay", "Seoul", "1000000", "--currency", "KRW", "--date", "2017-03-11")
    assert "at 1156.62832359 on 2017-03-10 (ECB)" in friday.stdout, friday.stderr  # the rate's own day shown


def test_the_post_sheet_takes_a_currency(billed, tmp_path):
    """A receipt typed on the Post sheet in euros converts at its day's rate; an old Post sheet
    (Amount (USD), no Currency column) still posts."""
    from wego_xl.ledger.views import new_post_workbook

    _rates(tmp_path / "rates.csv")
    assert wego("rates", "import", tmp_path / "rates.csv").returncode == 0
    sheet = new_post_workbook(tmp_path / "post.xlsx")
    wb = openpyxl.load_workbook(sheet)
    header = [c.value for c in wb["Post"][1]]
    assert header[2:4] == ["Amount received", "Currency"]
    row = {
        "Date received": dt.datetime(2017, 4, 20),
        "Member": "Paris",
        "Amount received": "7445.32",
        "Currency": "EUR",
    }
    wb["Post"].append([row.get(h) for h in header])
    wb.save(sheet)
    out = wego("ledger", "post", sheet)
    assert out.returncode == 0, out.stderr
    paris = book_of(billed).payments[0]
    assert (paris.currency, paris.rate, paris.value + paris.exchange_difference) == (
        "EUR",
        D("0.93066543"),
        D("8000.00"),
    )


def test_no_reminder_for_crumbs(billed, tmp_path):
    """Bangkok paid all but 25 (no bank charges typed, above the tolerance set to 10): the
    statement shows the 25, no reminder goes out for it."""

    set_settings(billed / "wego_roster.xlsx", {**BANK, "Bank charges tolerance (USD)": "10"})
    assert wego("pay", "Bangkok", "5975", "--date", "2017-02-03").returncode == 0
    assert book_of(billed).replay().invoices["WEGO-2017-005"].open == D("25.00")
    out = wego("documents", "--fee-year", "2017", "--kind", "reminder", "--as-of", "2017-06-30", "--out",
               tmp_path / "docs", "--member", "Bangkok")  # fmt: skip
    assert "under the Settings' reminder threshold" in out.stdout + out.stderr, out.stdout + out.stderr
    assert not list((tmp_path / "docs").glob("*reminder*"))


def test_a_voided_bank_payment_reopens_its_line_for_a_person(year, billed, tmp_path):
    """Seoul's wire posted by itself, then voided (posted to the wrong member): the line waits
    again, never posted again by itself; a person assigns it in the review; the bank still agrees."""
    assert wego("bank", "import", year["camt"]).returncode == 0
    seoul = next(p for p in book_of(billed).payments if p.member_id == "W001")
    assert wego("void", seoul.receipt, "--reason", "the wire was Seongnam's", "--date", "2017-02-02").returncode == 0
    again = wego("bank", "import", year["camt"])
    assert "its payment R-2017-001 was voided: a person decides again" in again.stdout, again.stdout
    review = tmp_path / "review.xlsx"
    assert wego("bank", "review", "--out", review).returncode == 0
    wb = openpyxl.load_workbook(review)
    ws = wb["Review"]
    header = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, header.index("Amount") + 1).value == 10000)
    ws.cell(row, header.index("Member") + 1, "Seongnam")
    wb.save(review)
    posted = wego("bank", "post", review)
    assert posted.returncode == 0 and "1 posted" in posted.stdout, posted.stderr
    book = book_of(billed)
    assert [p.member_id for p in book.payments if p.value == D("10000.00")] == ["W001", "W036"]
    assert "agrees" in wego("bank", "check").stdout and wego("ledger", "verify").returncode == 0


def test_a_line_that_cannot_be_posted_waits_and_the_others_post(billed, tmp_path):
    """A wire dated 2009 naming an invoice is not posted by itself (before WeGO's founding),
    and its statement's other lines are posted all the same."""
    lines = [("2009-12-31", D("1250.00"), "WEGO-2017-003", "KATHMANDU", "X1"),
             ("2017-02-01", D("10000.00"), "WEGO-2017-001", "SEOUL", "X2")]  # fmt: skip
    camt = tmp_path / "old.xml"
    camt.write_text(camt053(lines, D("0.00"), "S-OLD", "2009-12-31", "2017-02-01"), encoding="utf-8")
    out = wego("bank", "import", camt)
    assert out.returncode == 0 and "before WeGO's founding" in out.stdout and "posted R-2017-001" in out.stdout
