"""The ledger in Excel's hands: payments typed on the Post sheet (all or nothing, once each),
the view workbook (printed, and never read back), a read-only ledger, and a workbook ledger
of earlier versions imported once (numbers, amounts and balances identical)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest

from wego_xl.rules.ledger import ZERO, usd

from ..conftest import book_of, wego


def test_payments_typed_on_the_post_sheet_post_all_or_nothing(billed):
    sheet = billed / "payments.xlsx"
    made = wego("ledger", "post", sheet)
    assert made.returncode == 0 and sheet.exists()
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Post"]
    header = [c.value for c in ws[1]]
    rows = [
        {"Date received": dt.datetime(2017, 3, 1), "Member": "Seoul", "Amount received": 5000, "Bank reference": "A1"},
        {"Date received": dt.datetime(2017, 3, 2), "Member": "Atlantis", "Amount received": 100},
        {"Date received": dt.datetime(2017, 3, 3), "Member": "Kathmandu", "Amount received": "1.250"},
        {"Date received": dt.datetime(2099, 1, 1), "Member": "Seoul", "Amount received": 5},
        {"Date received": dt.datetime(2017, 3, 4), "Member": "Seoul", "Amount received": 5, "Bank reference": "a 1"},
        {"Date received": dt.datetime(2017, 3, 4), "Member": "Seoul", "Amount received": "=2500*2"},
    ]
    for r in rows:
        ws.append([r.get(h) for h in header])
    wb.save(sheet)
    out = wego("ledger", "post", sheet)
    assert out.returncode == 2 and book_of(billed).payments == []  # nothing posted
    named = [line for line in out.stderr.splitlines() if line.startswith("not posted")]
    for row, column in ((3, "Member"), (4, "Amount received"), (5, "Date received"), (6, "Bank reference"),
                        (7, "Amount received")):  # fmt: skip
        assert any(f"row {row}, column '{column}'" in line for line in named), (row, column, named)
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Post"]
    for r in range(ws.max_row, 2, -1):
        ws.delete_rows(r)
    ws.append([{"Date received": dt.datetime(2017, 3, 5), "Member": "서울", "Amount received": "2,500.50"}.get(h)
               for h in header])  # fmt: skip
    wb.save(sheet)
    out = wego("ledger", "post", sheet)
    assert out.returncode == 0, out.stderr
    marked = {r[0]: r[-1] for r in openpyxl.load_workbook(sheet)["Post"].iter_rows(min_row=2, values_only=True)}
    assert list(marked.values()) == ["R-2017-001", "R-2017-002"]
    assert wego("ledger", "post", sheet).stdout.strip().endswith("0 payment(s) posted from payments.xlsx")
    wb = openpyxl.load_workbook(sheet)
    wb["Post"]["F1"] = "Bank ref"  # a renamed header: its references would be lost, so nothing is posted
    wb["Post"].append(["2017-03-06", "Seoul", 10, None, None, "KEB-9"])
    wb.save(sheet)
    renamed = wego("ledger", "post", sheet)
    assert renamed.returncode == 2 and "column 'Bank reference' is missing" in renamed.stderr
    assert sum((p.amount for p in book_of(billed).payments), ZERO) == usd("7500.50")


def test_a_posting_whose_receipts_were_not_written_back_posts_nothing_twice(billed):
    """Rows posted by a run that could not write their receipt numbers are found again."""
    sheet = billed / "payments.xlsx"
    wego("ledger", "post", sheet)
    wb = openpyxl.load_workbook(sheet)
    header = [c.value for c in wb["Post"][1]]
    wb["Post"].append([{"Date received": dt.datetime(2017, 3, 1), "Member": "Seoul", "Amount received": 100}.get(h)
                       for h in header])  # fmt: skip
    wb.save(sheet)
    owner = billed / "~$payments.xlsx"  # Excel has it open: refused before anything is posted
    owner.write_bytes(b"x")
    busy = wego("ledger", "post", sheet)
    owner.unlink()
    assert busy.returncode == 2 and "open in Excel" in busy.stderr and book_of(billed).payments == []
    assert wego("ledger", "post", sheet).returncode == 0
    wb = openpyxl.load_workbook(sheet)
    wb["Post"].cell(2, header.index("Receipt") + 1).value = None  # as if the receipt was never written back
    wb.save(sheet)
    again = wego("ledger", "post", sheet)
    assert again.returncode == 0 and "posted by an earlier run" in again.stdout
    assert [p.receipt for p in book_of(billed).payments] == ["R-2017-001"]
    wb = openpyxl.load_workbook(sheet)
    wb["Post"].append([{"Date received": None, "Member": "Seoul", "Amount received": 5}.get(h) for h in header])
    wb["Post"].cell(2, header.index("Receipt") + 1).value = "pending"
    wb.save(sheet)
    out = wego("ledger", "post", sheet)
    assert out.returncode == 2 and "row 2, column 'Receipt'" in out.stderr
    wb = openpyxl.load_workbook(sheet)
    wb["Post"].cell(2, header.index("Receipt") + 1).value = "R-2017-001"
    wb.save(sheet)
    out = wego("ledger", "post", sheet)
    assert out.returncode == 2 and "row 3, column 'Date received'" in out.stderr and "blank" in out.stderr


def _legacy_workbook(path: Path) -> None:
    """A ledger workbook as wego-xl 0.x wrote it (Invoices, Credit notes, Payments)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Invoices"
    ws.append(["Invoice number", "Member ID", "English name", "Fee year", "Issue date", "Due date", "Amount (USD)",
               "Population", "WEO edition"])  # fmt: skip
    ws.append(["WEGO-2017-001", "W001", "Seoul", 2017, dt.datetime(2017, 1, 15), dt.datetime(2017, 3, 16), 10000,
               10_007_651, "April 2015"])  # fmt: skip
    ws.append(
        [
            "WEGO-2017-003",
            "W003",
            "Kathmandu",
            2017,
            dt.datetime(2017, 1, 15),
            dt.datetime(2017, 3, 16),
            1250,
            None,
            "April 2015",
        ]
    )  # fmt: skip  (WEGO-2017-002's row was deleted in the workbook)
    credits = wb.create_sheet("Credit notes")
    credits.append(["Credit note", "Invoice number", "Amount (USD)", "Reason", "Date"])
    credits.append(["CN-2017-001", "WEGO-2017-003", 250, "population corrected", dt.datetime(2017, 2, 1)])
    payments = wb.create_sheet("Payments")
    payments.append(["Receipt", "Date received", "Member", "Amount (USD)", "Bank charges (USD)", "Bank reference"])
    payments.append(["R-2017-001", dt.datetime(2017, 2, 1), "W001", 4000, 0, "KEB-1"])
    payments.append([None, dt.datetime(2017, 2, 2), "Kathmandu", 1000, 25, None])  # typed in Excel
    wb.save(path)


def test_init_from_a_workbook_ledger_keeps_every_number_and_balance(office):
    legacy = office / "wego_ledger.xlsx"
    _legacy_workbook(legacy)
    out = wego("ledger", "init", "--from", legacy)
    assert out.returncode == 0 and "identical" in out.stdout, out.stderr
    book = book_of(office)
    assert [(i.number, i.amount) for i in book.invoices] == [("WEGO-2017-001", usd(10_000)), ("WEGO-2017-003",
                                                                                               usd(1250))]  # fmt: skip
    assert [p.receipt for p in book.payments] == ["R-2017-001", "R-2017-002"]  # the typed row got the next number
    ledger = book.replay()
    assert ledger.balance("W001") == usd(6000) and ledger.balance("W003") == ZERO
    assert book.invoice_basis["WEGO-2017-001"]["Population"] == 10_007_651
    assert wego("ledger", "verify").returncode == 0  # the workbook's own gap (002) is not this ledger's
    nxt = wego("invoice", "--fee-year", 2017, "--accept-unconfirmed", "--json")
    assert "WEGO-2017-004" in json.loads(nxt.stdout)["issued"]  # the series goes on after the imported numbers


def test_init_from_a_workbook_that_cannot_be_read_for_sure_makes_nothing(office):
    legacy = office / "wego_ledger.xlsx"
    _legacy_workbook(legacy)
    wb = openpyxl.load_workbook(legacy)
    wb["Invoices"]["G2"] = "ten thousand"
    wb.save(legacy)
    out = wego("ledger", "init", "--from", legacy)
    assert out.returncode == 2 and "row 2" in out.stderr and "Amount (USD)" in out.stderr
    assert not (office / "wego_ledger.db").exists()


def test_a_read_only_ledger_is_refused_naming_it(billed):
    """Read-only for this user (a file mode), or for everyone (immutable: root too)."""
    db = billed / "wego_ledger.db"
    db.chmod(0o444)
    immutable = os.access(db, os.W_OK)  # root ignores file modes: make the file immutable instead
    if immutable and subprocess.run(["chattr", "+i", db], capture_output=True).returncode != 0:
        db.chmod(0o644)
        pytest.skip("root ignores file modes and this file system has no immutable flag")
    try:
        out = wego("pay", "Seoul", "100", "--date", "2017-02-01")
        assert out.returncode == 2 and "read-only" in out.stderr and len(out.stderr.splitlines()) == 1, out.stderr
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", db], check=True)
        db.chmod(0o644)
    assert wego("pay", "Seoul", "100", "--date", "2017-02-01").returncode == 0


def test_the_view_prints_and_a_hand_edit_there_changes_nothing(billed):
    """Every sheet of the view prints on A4 with its header row on every page; an amount
    edited by hand in the view is never used, and the next export shows the ledger again."""
    assert wego("pay", "Seoul", "100", "--date", "2017-02-01").returncode == 0
    assert wego("ledger", "export").returncode == 0
    view = billed / "wego_ledger_view.xlsx"
    wb = openpyxl.load_workbook(view)
    for ws in wb.worksheets:
        assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4) and ws.print_title_rows == "$3:$3", ws.title
        assert ws.title in ws.oddHeader.center.text
    amount = [c.value for c in wb["Invoices"][3]].index("Amount (USD)") + 1
    assert wb["Invoices"].cell(4, 1).value == "WEGO-2017-001" and wb["Invoices"].cell(4, amount).value == 10_000
    wb["Invoices"].cell(4, amount).value = 1_000  # a hand edit
    del wb["Payments"]
    wb.save(view)
    seoul = json.loads(wego("balances", "--json").stdout)["balances"][0]
    assert seoul["Member ID"] == "W001" and seoul["Billed (USD)"] == 10_000 and seoul["Paid (USD)"] == 100
    assert wego("ledger", "export").returncode == 0
    assert openpyxl.load_workbook(view)["Invoices"].cell(4, amount).value == 10_000
