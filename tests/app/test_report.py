"""Issue 27, the roster and refresh report side: invoices the roster no longer bears out are
reported (by ``check`` and ``refresh`` alike, with the exact credit note), a discount granted
by decision is never billed again, the Summary shows today's total beside the net billed,
an invoice's membership is the one on its issue date, the History sheet names its members,
and what is printed or viewed is never cut or left blank without a reason."""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from wego_xl.app.report import FEES_COLUMNS, display_width, wrapped_lines
from wego_xl.excel.writers import refresh_file
from wego_xl.ledger.views import FORMATS, shown_text, view_tables
from wego_xl.rules.ledger import ZERO
from wego_xl.store.package import SHIPPED_ROSTER
from wego_xl.store.roster import read_roster

from ..conftest import book_of, edit_roster, require_program, wego

CHECK_ROW = ("Severity", "Sheet", "Row", "Column", "Problem", "What to do")


def _check(office: Path, year: int = 2017) -> dict:
    done = wego("check", "--fee-year", year, "--json")
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def _refresh(office: Path, year: int = 2017) -> tuple[dict, Path]:
    out = office / f"refreshed_{year}.xlsx"
    done = wego("refresh", "--fee-year", year, "--out", out, "--json")
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout), out


def _checks_sheet(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path)["Checks"]
    rows = list(ws.values)
    assert tuple(rows[0]) == CHECK_ROW
    return [dict(zip(CHECK_ROW, r, strict=True)) for r in rows[1:]]


def _invoice_of(office: Path, member_id: str, year: int = 2017):
    return next(i for i in book_of(office).invoices if i.member_id == member_id and i.fee_year == year)


def _named(roster_file: Path) -> dict[str, str]:
    """Member id -> the name lists show."""
    return {m.member_id: m.display_name for m in read_roster(roster_file).members}


def _command(text: str) -> list[str]:
    """The wego-xl command a piece of advice gives, as its arguments."""
    start = text.index("wego-xl credit")
    words = shlex.split(text[start:].split(", then")[0])
    assert words[0] == "wego-xl"
    return words[1:]


# -- 1. an invoice for a fee year its member owes nothing for -----------------------------------


@pytest.mark.parametrize(
    ("member_id", "change"),
    [
        ("W002", ("member", "withdraw", "Ulaanbaatar", "--effective", "2016-12-31", "--decision", "EC 2016-4")),
        ("W004", ("member", "upgrade", "Jakarta", "--to", "Associate", "--effective", "2016-06-01", "--decision",
                  "EC 2016-3")),
        ("W003", None),  # the Members sheet's Full since typed as 2017: it owes from 2018
    ],
)  # fmt: skip
def test_an_invoice_its_member_no_longer_owes_is_reported_by_check_and_refresh_alike(billed, member_id, change):
    invoice = _invoice_of(billed, member_id)
    if change:
        assert wego(*change).returncode == 0
    else:
        edit_roster(billed / "wego_roster.xlsx", {member_id: {"Full since": 2017}})
    name = _named(billed / "wego_roster.xlsx")[member_id]
    checked = _check(billed)
    mine = [c for c in checked["checks"] if invoice.number in c["problem"]]
    assert len(mine) == 1, mine
    found = mine[0]
    assert found["severity"] == "error" and name in found["problem"] and "fee year 2017" in found["problem"]
    amount = f"{invoice.amount:.2f}"
    assert f'wego-xl credit {invoice.number} --amount {amount} --reason "no fee owed for 2017"' in found["fix"]
    refreshed, out = _refresh(billed)
    assert refreshed["counts"] == checked["counts"]  # the same findings, counted the same
    sheet = [r for r in _checks_sheet(out) if invoice.number in (r["Problem"] or "")]
    assert [(r["Problem"], r["What to do"]) for r in sheet] == [(found["problem"], found["fix"])]
    later = [c for c in _check(billed, 2018)["checks"] if invoice.number in c["problem"]]
    assert len(later) == 1  # any fee year's check lists it while it stands
    assert wego(*_command(found["fix"])).returncode == 0  # the advice, run as given
    assert not [c for c in _check(billed)["checks"] if invoice.number in c["problem"]]


def test_an_invoice_of_a_member_the_roster_no_longer_holds_is_reported(billed):
    wb = openpyxl.load_workbook(billed / "wego_roster.xlsx")
    invoice = _invoice_of(billed, "W002")
    ws = wb["History"]
    for row in range(ws.max_row, 1, -1):  # the roster keeps no row of W002 at all
        if ws.cell(row, 1).value == "W002":
            ws.delete_rows(row)
    members = wb["Members"]
    for row in range(2, members.max_row + 1):
        if members.cell(row, 1).value == "W002":
            members.cell(row, 1).value = "W200"
    wb.save(billed / "wego_roster.xlsx")
    found = [c for c in _check(billed)["checks"] if invoice.number in c["problem"]]
    assert len(found) == 1 and "W002" in found[0]["problem"] and "not on the Members sheet" in found[0]["problem"]
    assert f"wego-xl credit {invoice.number} --amount {invoice.amount:.2f}" in found[0]["fix"]


# -- 2. the membership frozen on an invoice is the one on its issue date ------------------------


def test_an_invoice_freezes_the_membership_of_its_issue_date_not_today_s(office):
    withdrawn = wego("member", "withdraw", "Ulaanbaatar", "--effective", "2017-03-01", "--decision", "EC 2017-1")
    assert withdrawn.returncode == 0
    assert wego("ledger", "init").returncode == 0
    done = wego("invoice", "--fee-year", 2017, "--issue-date", "2017-01-15", "--accept-unconfirmed")
    assert done.returncode == 1 and "WEGO-2017-002: Ulaanbaatar" in done.stdout  # it owes 2017 (1: some skipped)
    assert wego("ledger", "export").returncode == 0
    ws = openpyxl.load_workbook(office / "wego_ledger_view.xlsx")["Invoices"]
    rows = list(ws.values)[2:]
    header = rows[0]
    ulaanbaatar = next(dict(zip(header, r, strict=True)) for r in rows[1:] if r[1] == "W002")
    assert ulaanbaatar["Membership on issue date"] == "Full"  # the Members sheet says Withdrawn today
    # an invoice without a frozen membership shows the history's, on its issue date
    roster, book = read_roster(office / "wego_roster.xlsx"), book_of(office)
    for basis in book.invoice_basis.values():
        basis.pop("Membership on issue date", None)
    headers, shown = view_tables(roster, book, dt.date.today())["Invoices"]
    at = headers.index("Membership on issue date")
    assert next(r[at] for r in shown if r[1] == "W002") == "Full"


# -- 3. a discount granted by decision is billed once ----------------------------------------


def test_a_discount_by_decision_is_not_reported_nor_billed_again(billed):
    seoul = _invoice_of(billed, "W001")
    assert seoul.amount == Decimal("10000.00")
    reason = "EC decision 2017-2: host city of the General Assembly"
    assert wego("credit", seoul.number, "--amount", "1000", "--reason", reason).returncode == 0
    assert not [c for c in _check(billed)["checks"] if seoul.number in c["problem"]]
    _, out = _refresh(billed)
    assert not [r for r in _checks_sheet(out) if seoul.number in (r["Problem"] or "")]
    # today's data lowers the fee (7,000): credit what it asks above 7,000 less the discount
    edit_roster(billed / "wego_roster.xlsx", {"Seoul": {"Population": 970_000}})
    [found] = [c for c in _check(billed)["checks"] if seoul.number in c["problem"]]
    assert "1,000" in found["problem"] and "6,000" in found["problem"]
    assert f"wego-xl credit {seoul.number} --amount 3000.00" in found["fix"]
    assert wego(*_command(found["fix"])).returncode == 0
    assert not [c for c in _check(billed)["checks"] if seoul.number in c["problem"]]
    assert book_of(billed).invoiced_in(2017)["W001"] == (seoul.number, Decimal("6000.00"))


def test_a_discounted_invoice_asking_too_little_is_reissued_and_the_discount_granted_again(billed):
    invoice = _invoice_of(billed, "W002")
    reason = "EC 2017-2 decided a 500 USD reduction"
    assert wego("credit", invoice.number, "--amount", "500", "--reason", reason).returncode == 0
    edit_roster(billed / "wego_roster.xlsx", {"Ulaanbaatar": {"Population": 12_000_000}})  # a higher fee today
    [found] = [c for c in _check(billed)["checks"] if invoice.number in c["problem"]]
    net = invoice.amount - Decimal(500)
    assert f"wego-xl credit {invoice.number} --amount {net:.2f}" in found["fix"]
    assert "--amount 500.00" in found["fix"] and reason in found["fix"]  # the discount granted again, never billed
    assert f"--amount {Decimal(500) + net:.2f}" not in found["fix"]


def test_an_invoice_above_today_s_fee_is_credited_the_part_above_and_then_not_reported(billed):
    seoul = _invoice_of(billed, "W001")
    edit_roster(billed / "wego_roster.xlsx", {"Seoul": {"Population": 970_000}})
    [found] = [c for c in _check(billed)["checks"] if seoul.number in c["problem"]]
    assert f"wego-xl credit {seoul.number} --amount 3000.00" in found["fix"]  # too much: credit the part above
    assert wego(*_command(found["fix"])).returncode == 0
    assert not [c for c in _check(billed)["checks"] if seoul.number in c["problem"]]


# -- 4. the Summary: today's total beside the net billed ------------------------------------


def test_the_summary_shows_the_total_owed_and_the_net_billed_labelled(billed):
    seoul, ulaanbaatar = _invoice_of(billed, "W001"), _invoice_of(billed, "W002")
    assert wego("credit", seoul.number, "--amount", "1000", "--reason", "EC 2017-2 discount").returncode == 0
    assert wego("write-off", ulaanbaatar.number, "--amount", "250", "--reason", "will not pay", "--decision",
                "EC 2018-3").returncode == 0  # fmt: skip
    refreshed, out = _refresh(billed)
    ws = openpyxl.load_workbook(out)["Summary"]
    cells = {row[0]: row[1] for row in ws.values if row and isinstance(row[0], str)}
    book = book_of(billed)
    invoiced = sum((i.amount for i in book.invoices if i.fee_year == 2017), ZERO)
    owed = refreshed["total_owed"]
    assert cells["Total owed for 2017 by today's data"] == owed
    assert cells["Invoiced for 2017 (ledger)"] == float(invoiced)
    assert cells["less credit notes"] == -1000 and cells["less written off"] == -250
    assert cells["Net billed for 2017 (ledger)"] == float(invoiced - 1250)
    assert cells["Today's data less net billed"] == owed - float(invoiced - 1250)
    assert "Total owed, today's data (USD)" in [row[3] for row in ws.values if row]


# -- 5. the History sheet names its members ----------------------------------------------------


def test_the_history_sheet_names_each_member_beside_its_id(roster_copy):
    roster = read_roster(roster_copy)
    ws = openpyxl.load_workbook(roster_copy)["History"]
    rows = list(ws.values)
    assert rows[0][:2] == ("Member ID", "Member")
    names = _named(roster_copy)
    assert all(r[1] == names[r[0]] for r in rows[1:])
    done = wego("member", "withdraw", "Caracas", "--effective", "2017-03-01", "--decision", "EC 2017-1",
                "--roster", roster_copy)  # fmt: skip
    assert done.returncode == 0, done.stderr
    last = list(openpyxl.load_workbook(roster_copy)["History"].values)[-1]
    assert last[:3] == (roster.find("Caracas").member_id, "Caracas", "Membership")


def test_a_history_sheet_of_an_earlier_version_gets_the_names_column(roster_copy):
    wb = openpyxl.load_workbook(roster_copy)
    ws = wb["History"]
    ws.delete_cols(2)  # as rosters before this version were
    table = next(iter(ws.tables.values()))
    table.ref = table.ref.replace("I", "H")
    del table.tableColumns[1]
    for i, column in enumerate(table.tableColumns, start=1):
        column.id = i
    wb.save(roster_copy)
    assert wego("member", "withdraw", "Caracas", "--effective", "2017-03-01", "--decision", "EC 2017-1",
                "--roster", roster_copy).returncode == 0  # fmt: skip
    ws = openpyxl.load_workbook(roster_copy)["History"]
    header = [c.value for c in ws[1]]
    assert header[-1] == "Member" and next(iter(ws.tables.values())).ref.endswith(f"I{ws.max_row}")
    assert ws.cell(ws.max_row, header.index("Member") + 1).value == "Caracas"
    assert len(read_roster(roster_copy).history) == 101


# -- 6. the Summary prints landscape, one page wide, no header over a title ---------------------


def test_the_summary_prints_landscape_one_page_wide_with_no_header_over_its_title(billed, tmp_path):
    withdrawn = wego("member", "withdraw", "Ulaanbaatar", "--effective", "2016-12-31", "--decision", "EC 2016-4")
    assert withdrawn.returncode == 0
    _, out = _refresh(billed)
    wb = openpyxl.load_workbook(out)
    ws = wb["Summary"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    for r, row in enumerate(ws.iter_rows(), start=1):  # every wrapped header row is tall enough
        if row[0].value in ("Effective", "Region") and row[0].font.bold:
            lines = max(wrapped_lines(c.value, ws.column_dimensions[c.column_letter].width) for c in row if c.value)
            if lines > 1:
                assert (ws.row_dimensions[r].height or 0) >= 13 * lines, (r, lines)
    soffice = require_program("soffice", "libreoffice-calc")
    for other in [n for n in wb.sheetnames if n != "Summary"]:
        wb.remove(wb[other])
    only = tmp_path / "summary.xlsx"
    wb.save(only)
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(only)], check=True,
                   capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})  # fmt: skip
    pdf = tmp_path / "summary.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = (float(v) for v in next(line for line in info.splitlines() if line.startswith("Page size"))
                     .split(":")[1].split("pts")[0].split(" x "))  # fmt: skip
    assert width > height  # landscape
    text = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    lines = text.splitlines()
    title = next(i for i, line in enumerate(lines) if "Changes since the 2016 source" in line)
    assert "What" not in lines[title] and "Decision" not in lines[title]  # the header stays below its title
    assert any("Decision" in line for line in lines[title + 1 : title + 4])  # every column on the page's width
    fees = next(i for i, line in enumerate(lines) if "Fees owed for 2017" in line)
    assert "today" not in lines[fees] and "Total owed" in "".join(lines[fees + 1 : fees + 5])


# -- 7. the ledger's views: no value cut ---------------------------------------------------------


def test_no_value_on_the_ledger_s_views_is_cut(billed):
    long_name = "Metropolitan Government of the Special City of Ulaanbaatar and its Districts"
    assert len(long_name) > 60
    assert wego("member", "rename", "Ulaanbaatar", "--english", long_name, "--effective", "2017-02-01").returncode == 0
    invoice = _invoice_of(billed, "W002")
    assert wego("credit", invoice.number, "--amount", "10", "--reason",
                "an amount typed wrong on the invoice, corrected as the member's finance office asked in writing "
                "on 2017-02-03, letter no. 2017/114").returncode == 0  # fmt: skip
    assert wego("ledger", "export").returncode == 0
    wb = openpyxl.load_workbook(billed / "wego_ledger_view.xlsx")
    seen = set()
    for ws in wb.worksheets:
        header = [c.value for c in ws[3]]
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                if cell.value is None:
                    continue
                text = shown_text(cell.value, FORMATS.get(header[cell.column - 1]))
                seen.add(text)
                width = ws.column_dimensions[cell.column_letter].width
                assert display_width(text) + 1 <= width or cell.alignment.wrap_text, (ws.title, cell.coordinate, text)
    assert long_name in seen


# -- 8. a fee that cannot be computed says why -------------------------------------------------


@pytest.mark.parametrize(("language", "no_population", "no_gdp"), [("en", "no population", "no GDP"),
                                                                   ("ko", "인구 없음", "GDP 없음")])  # fmt: skip
def test_a_fee_that_cannot_be_computed_shows_why_where_it_prints(tmp_path, language, no_population, no_gdp):
    roster = tmp_path / "roster.xlsx"
    shutil.copy2(SHIPPED_ROSTER, roster)
    report, _ = refresh_file(roster, 2016, tmp_path / "out.xlsx", language=language)
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Fees 2016"]
    rows = list(ws.values)
    printed = [r[:9] for r in rows[1:]]  # the print area's columns
    amount = FEES_COLUMNS.index("amount_owed")
    by_id = {r[0]: r for r in printed}
    blocked = {a.member.member_id for a in report.assessments if a.blocked}
    assert blocked and all(by_id[m][amount] not in (None, "") for m in by_id)
    assert by_id["W005"][amount] == no_population  # Dhaka South: no population
    assert by_id["W072"][amount] == no_gdp  # Hebron: no GDP for PSE
    fee = FEES_COLUMNS.index("fee")
    assert all(r[fee] not in (None, "") for r in rows[1:])
