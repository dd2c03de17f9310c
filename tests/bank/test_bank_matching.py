"""How a bank line finds its member and invoice, and what a hostile tester tried: invoice
numbers in remittance texts however typed, the bank charges a receipt may settle, only sure
rules posting by themselves; the same money never posted twice, reused references, twin wires,
a review posting each line against what is open after the rows before it, payer names refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from wego_xl.rules.bank import BankLine, Matcher, OpenInvoice, invoice_numbers_in, settle

from ..conftest import book_of, wego
from ..files import ACCOUNT, D

# -- the rules, without files -----------------------------------------------------------------


def test_invoice_numbers_in_remittance_text_are_read_however_typed():
    text = "Pay WEGO 2017 001, wego2017002 and WEGO-2016-3; ref 2017-004; ＷＥＧＯ－２０１７－００５"
    assert invoice_numbers_in(text) == ["WEGO-2017-001", "WEGO-2017-002", "WEGO-2016-003", "WEGO-2017-005"]
    assert invoice_numbers_in("WEGO 2017 1,250.00 USD ANNUAL FEE") == []  # an amount, not invoice 1
    assert invoice_numbers_in("WEGO 2017 1 250") == [] and invoice_numbers_in("WEGO 2017 001 1,250") == [
        "WEGO-2017-001"
    ]
    # cut off or garbled: letters stuck to the number, or no number at all, name no invoice
    assert invoice_numbers_in("WEGO-2017-01X dues") == [] and invoice_numbers_in("WEGO-2017-0XX") == []
    assert invoice_numbers_in("WEGO-2017-000") == [] and invoice_numbers_in("WEGO-2017-017a") == []
    assert invoice_numbers_in("WEGO-2017-017, thanks") == ["WEGO-2017-017"]


def test_settle_within_the_tolerance_only():
    assert settle(D("6975"), D("7000"), D("50"), foreign=False).bank_charges == D("25")
    assert settle(D("6900"), D("7000"), D("50"), foreign=False).credited == D("6900")
    assert settle(D("7010"), D("7000"), D("50"), foreign=True).exchange_difference == D("-10")
    assert settle(D("7010"), D("7000"), D("50"), foreign=False).credited == D("7010")  # overpaid: credit


def test_a_text_naming_one_member_but_a_payer_naming_another_waits():
    invoices = {"WEGO-2017-001": OpenInvoice("WEGO-2017-001", "W001", D("10000")),
                "WEGO-2017-002": OpenInvoice("WEGO-2017-002", "W002", D("5000"))}  # fmt: skip
    match = Matcher(invoices, {"W001": ["Seoul", "서울"], "W002": ["Ulaanbaatar"]})
    line = BankLine("f", 1, "A", "", dt.date(2017, 2, 1), dt.date(2017, 2, 1), D("10000"), "USD",
                    text="WEGO-2017-001", counterparty="Ulaanbaatar City")  # fmt: skip
    proposal = match.propose(line, D("10000"))
    assert not proposal.sure and "resembles" in proposal.reason
    assert match.propose(line.__class__(**{**line.__dict__, "counterparty": ""}), D("10000")).sure


# -- what a hostile tester tried ---------------------------------------------------------------


def _line(n: int, day: str, amount: str, text: str = "", payer: str = "", ref: str = "", **kw: Any) -> BankLine:
    when = dt.date.fromisoformat(day)
    return BankLine("t.xml", n, ACCOUNT, "S", when, when, D(amount), "USD", text, payer, ref, **kw)


def _statement(*lines: BankLine, opening: str = "0.00", number: str = "S", start: str = "") -> Any:
    from wego_xl.rules.bank import BankStatement, number_occurrences

    held = tuple(number_occurrences(lines))
    close = D(opening) + sum((line.amount for line in held), D(0))
    first = dt.date.fromisoformat(start) if start else held[0].booked
    return BankStatement("t.xml", ACCOUNT, number, "USD", D(opening), first, close, held[-1].booked, held)


def _import(office: Path, *statements: Any) -> Any:
    from wego_xl.bank.service import import_statements
    from wego_xl.ledger.service import actor
    from wego_xl.ledger.store import open_ledger
    from wego_xl.store.roster import read_roster

    store = open_ledger(str(office / "wego_ledger.db"))
    return import_statements(store, read_roster(office / "wego_roster.xlsx"), list(statements), by=actor("t"))


def test_the_same_money_is_never_posted_twice(billed):
    """Typed by hand 12 days before the statement's line: the line names a paid invoice and
    waits ("the same transfer twice?"); the check names the typed payment no line backs; a
    payment typed after the import is recorded with a warning naming the bank's receipt."""
    from wego_xl.bank.balances import check_bank
    from wego_xl.ledger.store import open_ledger

    assert wego("pay", "Seoul", "10000", "--date", "2017-01-20").returncode == 0
    done = _import(billed, _statement(_line(1, "2017-02-01", "10000.00", "WEGO-2017-001", "SEOUL", "B1"),
                                      opening="100.00", start="2017-01-01"))  # fmt: skip
    assert not done.posted and "is paid already: the same transfer twice?" in done.waiting[0].proposal.reason
    found = check_bank(open_ledger(str(billed / "wego_ledger.db")))
    assert any("R-2017-001 (W001, 10,000.00 USD received on 2017-01-20) is on no imported statement" in f
               for f in found.findings)  # fmt: skip
    assert _import(billed, _statement(_line(1, "2017-02-02", "1250.00", "WEGO-2017-003", "KATHMANDU", "B2"),
                                      opening="10100.00", number="S2")).posted  # fmt: skip
    typed = wego("pay", "Kathmandu", "1250", "--date", "2017-02-03")
    assert (
        typed.returncode == 0 and "warning: R-2017-002 of the same value came from the bank's statement" in typed.stderr
    )


def test_reused_references_amounts_and_twin_wires(billed):
    """A reference on two transfers is refused naming both lines; an amount in the text is no
    invoice number; two equal wires without a reference are two lines, both posted."""
    with pytest.raises(Exception, match=r"t.xml, line 2: the bank reference 'DUP' is also on t.xml, line 1"):
        _import(billed, _statement(_line(1, "2017-02-01", "6500.00", "x", "JAKARTA", "DUP"),
                                   _line(2, "2017-02-01", "6000.00", "y", "BANGKOK", "DUP")))  # fmt: skip
    with pytest.raises(Exception, match=r"t.xml, line 1: an amount of 0.00 USD cannot be a booked line"):
        _import(billed, _statement(_line(1, "2017-02-01", "0.00", "x")))
    twins = _import(billed, _statement(_line(1, "2017-02-01", "3000.00", "WEGO-2017-004 half", "JAKARTA"),
                                       _line(2, "2017-02-01", "3000.00", "WEGO-2017-004 half", "JAKARTA")))  # fmt: skip
    assert len(twins.posted) == 2 and twins.lines_new == 2
    amount = _import(billed, _statement(_line(1, "2017-02-05", "1250.00", "WEGO 2017 1,250.00 USD fee", ""),
                                        opening="6000.00", number="S3"))  # fmt: skip
    assert not amount.posted  # not Seoul's WEGO-2017-001: 1,250 is the amount


def test_review_posts_each_line_against_what_is_open_after_the_rows_before(billed, tmp_path):
    """Two waiting wires for Kathmandu's 1,250 (1,250 and 1,230) accepted together: the first
    pays the invoice, the second is credit, with no bank charges made up from a stale figure."""
    waiting = _import(billed, _statement(_line(1, "2017-02-01", "1250.00", "fee", "Kathmandu"),
                                         _line(2, "2017-02-02", "1230.00", "fee", "Kathmandu")))  # fmt: skip
    assert len(waiting.waiting) == 2
    review = tmp_path / "r.xlsx"
    assert wego("bank", "review", "--out", review).returncode == 0
    wb = openpyxl.load_workbook(review)
    ws = wb["Review"]
    header = [c.value for c in ws[1]]
    for r in (2, 3):
        ws.cell(r, header.index("Member") + 1, "Kathmandu")
    ws.cell(3, header.index("Line key") + 1, ws.cell(2, header.index("Line key") + 1).value)  # copied by mistake
    wb.save(review)
    copied = wego("bank", "post", review)
    assert copied.returncode == 2 and "row 3" in copied.stderr and "copied from another row" in copied.stderr
    assert wego("bank", "review", "--out", tmp_path / "r2.xlsx").returncode == 0
    wb = openpyxl.load_workbook(tmp_path / "r2.xlsx")
    for r in (2, 3):
        wb["Review"].cell(r, header.index("Member") + 1, "Kathmandu")
    wb.save(tmp_path / "r2.xlsx")
    assert wego("bank", "post", tmp_path / "r2.xlsx").returncode == 0
    second = book_of(billed).payments[1]
    assert (second.amount, second.bank_charges) == (D("1230.00"), D("0.00"))
    assert wego("bank", "review", "--out", tmp_path / "no" / "r.xlsx").stderr.startswith("wego-xl: no folder")
    (tmp_path / "fake.xlsx").write_bytes(b"%PDF-1.4")
    fake = wego("bank", "post", tmp_path / "fake.xlsx")
    assert fake.returncode == 2 and "not an Excel workbook" in fake.stderr and "Traceback" not in fake.stderr


def test_only_sure_rules_post_by_themselves():
    invoices = {"WEGO-2017-008": OpenInvoice("WEGO-2017-008", "W011", D("1900"))}
    match = Matcher(invoices, {"W011": ["Tashkent"]})
    by_amount = BankLine("f", 1, "A", "", dt.date(2017, 2, 1), dt.date(2017, 2, 1), D("1900"), "USD", "fee")
    assert not match.propose(by_amount, D("1900")).sure  # an amount alone
    named = BankLine("f", 2, "A", "", dt.date(2017, 2, 1), dt.date(2017, 2, 1), D("1900"), "USD", "fee", "Tashkent")
    assert not match.propose(named, D("1900")).sure  # a name nobody taught, even with the amount
    unknown = BankLine("f", 3, "A", "", dt.date(2017, 2, 1), dt.date(2017, 2, 1), D("1900"), "USD", "WEGO-2017-999")
    assert "WEGO-2017-999, which is no invoice of the ledger" in match.propose(unknown, D("1900")).reason


def test_a_payer_name_with_control_characters_is_refused_in_one_line(billed):
    from wego_xl.bank.service import teach_payer
    from wego_xl.errors import WegoError
    from wego_xl.ledger.service import actor
    from wego_xl.ledger.store import open_ledger

    store = open_ledger(str(billed / "wego_ledger.db"))
    with store.writing() as conn, pytest.raises(WegoError, match=r"the payer's name .*'SEOUL\\x07CITY'"):
        teach_payer(conn, "SEOUL\x07CITY", "W001", actor("t"))
    with store.writing() as conn:
        assert teach_payer(conn, "SEOUL  CITY", "W001", actor("t")) is True  # spaces tidied, kept
