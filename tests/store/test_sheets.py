"""One reader of sheets (issue 25): columns found by header, cells read through
rules/inputs.py, every problem of a cell built one way as a SheetError; a roster's problems
are RosterErrors (a kind of SheetError), a ledger's are SheetErrors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from wego_xl.errors import MemberNotFoundError, RosterError, SheetError
from wego_xl.ledger.legacy import read_ledger
from wego_xl.rules.dates import read_date
from wego_xl.store.roster import read_roster
from wego_xl.store.sheets import SheetReader, cell_date, cell_text


def _book(tmp_path: Path, rows: list[list[object]], sheet: str = "Payments") -> tuple[object, Path]:
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.save(path)
    return openpyxl.load_workbook(path, read_only=True), path


def test_a_problem_names_file_sheet_row_column_value_and_what_to_do():
    cells = SheetReader("book.xlsx", "Payments", SheetError)
    problem = cells.error(3, "Amount", "abc", "must be a number", "type the amount")
    assert type(problem) is SheetError
    assert (
        str(problem)
        == "book.xlsx, sheet 'Payments', row 3, column 'Amount': must be a number (got 'abc'); type the amount"
    )
    assert (problem.sheet, problem.row, problem.column, problem.value, problem.fix) == (
        "Payments", 3, "Amount", "abc", "type the amount",
    )  # fmt: skip
    assert isinstance(SheetReader("r.xlsx", "Members", RosterError).error(2, "Region", "X", "bad", "fix"), RosterError)
    assert issubclass(RosterError, SheetError) and RosterError.excel_code == SheetError.excel_code == "#VALUE!"


def test_cells_are_read_through_the_one_reading_of_values():
    cells = SheetReader(None, "GDP", RosterError)
    assert cells.number(2, "Population", " 970,000 ", "a number of persons", "type it") == 970000
    assert cells.number(2, "Population", "  ", "a number of persons", "type it") is None  # a blank: no problem
    assert cells.year(2, "Year", dt.date(2016, 3, 1)) == 2016
    assert cells.year(2, "Year", None) is None and cells.problems == []
    assert cells.number(4, "Population", "970.000", "a number of persons", "type it") is None
    assert cells.year(5, "Year", "20x6") is None
    first, second = cells.problems
    assert (first.row, first.column, first.value) == (4, "Population", "970.000") and "reads both" in str(first)
    assert (second.row, second.column, second.fix) == (
        5,
        "Year",
        "type a four-digit year such as 2015, or leave it blank",
    )
    assert str(first).startswith("sheet 'GDP', row 4")  # no file: none named


def test_a_required_cell_stops_the_read_naming_it():
    cells = SheetReader("ledger.xlsx", "Invoices", SheetError)
    record = {"Issue date": dt.datetime(2017, 1, 15), "Due date": None, "Paid": "soon"}
    assert cells.required(2, record, "Issue date", read_date, "correct it") == dt.date(2017, 1, 15)
    with pytest.raises(SheetError, match=r"row 2, column 'Due date': is blank; correct it$"):
        cells.required(2, record, "Due date", read_date, "correct it")
    with pytest.raises(SheetError, match=r"column 'Paid': the date must be a date such as 2017-03-31"):
        cells.required(2, record, "Paid", read_date, "correct it")


def test_columns_are_found_by_header_and_a_missing_one_is_the_readers_kind(tmp_path):
    wb, path = _book(tmp_path, [["Note", "Member", "Amount"], [None, "Seoul", 10], [None, None, None], ["x", "", ""]])
    cells = SheetReader(path, "Payments", SheetError)
    assert list(cells.rows(wb, ["Member", "Amount"], "restore it")) == [
        (2, {"Note": None, "Member": "Seoul", "Amount": 10})
    ]
    assert [r for r, _ in cells.rows(wb, ["Member"], "restore it", ["Note"], any_cell=True)] == [2, 4]
    with pytest.raises(SheetError) as ledger:
        list(cells.rows(wb, ["Date received"], "restore the header"))
    assert type(ledger.value) is SheetError  # a ledger's sheet: never a RosterError
    with pytest.raises(RosterError) as roster:
        list(SheetReader(path, "Payments", RosterError).rows(wb, ["Date received"], "restore the header"))
    assert str(ledger.value) == str(roster.value)
    assert "row 1: column 'Date received' is missing from the header row" in str(ledger.value)
    with pytest.raises(SheetError, match=r"sheet 'Invoices' is missing; restore it$"):
        list(SheetReader(path, "Invoices", SheetError).rows(wb, ["Member"], "restore it"))


def test_cell_text_and_dates():
    assert (cell_text(None), cell_text(2016.0), cell_text(" Seoul "), cell_text(2.5)) == ("", "2016", "Seoul", "2.5")
    assert cell_date(dt.datetime(2017, 3, 31, 12)) == dt.date(2017, 3, 31) and cell_date("2017-03-31") is None


def test_a_workbook_ledgers_problems_are_sheet_errors(tmp_path, roster_copy):
    wb = openpyxl.Workbook()
    invoices = wb.active
    invoices.title = "Invoices"
    invoices.append(["Invoice number", "Member ID", "Fee year", "Issue date", "Due date", "Amount (USD)"])
    invoices.append(["WEGO-2017-001", "W001", 2017, dt.datetime(2017, 1, 15), dt.datetime(2017, 3, 16), 10000])
    credits = wb.create_sheet("Credit notes")
    credits.append(["Credit note", "Invoice number", "Amount (USD)", "Date"])
    credits.append(["CN-2017-001", "WEGO-2017-009", 250, dt.datetime(2017, 2, 1)])
    payments = wb.create_sheet("Payments")
    payments.append(["Date received", "Member", "Amount (USD)"])
    payments.append([dt.datetime(2017, 2, 1), "Nowhere", 4000])
    path = tmp_path / "wego_ledger.xlsx"
    wb.save(path)
    legacy = read_ledger(path, read_roster(roster_copy), today=dt.date(2018, 1, 1))
    credit, payment = legacy.problems
    assert all(type(p) is SheetError for p in legacy.problems)
    assert (credit.sheet, credit.row, credit.column, credit.value) == (
        "Credit notes",
        2,
        "Invoice number",
        "WEGO-2017-009",
    )
    assert (payment.sheet, payment.row, payment.column, payment.value) == ("Payments", 2, "Member", "Nowhere")
    invoices["E2"] = None
    wb.save(path)
    with pytest.raises(SheetError, match=r"sheet 'Invoices', row 2, column 'Due date': is blank") as stopped:
        read_ledger(path, read_roster(roster_copy))
    assert not isinstance(stopped.value, RosterError)


def test_member_by_id_or_name_gives_the_same_answers_and_errors(roster_copy):
    roster = read_roster(roster_copy)
    for m in roster.members:
        assert roster.member(m.member_id) is m is roster.member(f"  {m.member_id} ")
        assert roster.member(m.display_name) is roster.find(m.display_name)
    with pytest.raises(MemberNotFoundError) as missing:
        roster.member("Seol")
    assert missing.value.suggestions[0] == "Seoul"
    with pytest.raises(MemberNotFoundError):
        roster.member("W999")
