"""xlwings Server and Lite (Office.js): metadata, calls with Office.js payloads, and the
refresh script on a JSON book, all through xlwings' own server code."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from decimal import Decimal

import openpyxl
import pytest
import xlwings as xw
import xlwings.server

import udfs
from tests.conftest import edit_roster
from tests.officejs import call_payload
from wego_xl.errors import SheetNameError
from wego_xl.excel.writers import refresh_file
from wego_xl.store.roster import SHIPPED_ROSTER

NA = {"type": "Error", "errorType": "NotAvailable"}
VALUE = {"type": "Error", "errorType": "Value"}
NUM = {"type": "Error", "errorType": "Num"}


def call(func_name, *args, runtime="1.4"):
    data = call_payload(xw.__version__, func_name, *args, runtime=runtime)
    return asyncio.run(xlwings.server.custom_functions_call(data, udfs))


def test_server_mode_is_active():
    assert udfs.ON_SERVER and not udfs.TEXT_ERRORS
    assert xw.func is xlwings.server.func


def test_metadata_describes_every_function():
    meta = {f["id"]: f for f in xlwings.server.custom_functions_meta(udfs)["functions"]}
    python_names = [n for n in dir(udfs) if n.startswith("WEGO_")]
    assert set(meta) == set(python_names)
    for name in python_names:
        fn = getattr(udfs, name)
        assert meta[name]["description"] == fn.__doc__
        params = meta[name]["parameters"]
        assert [p["name"] for p in params] == list(fn.__code__.co_varnames[: fn.__code__.co_argcount])
        assert all(p["description"] and len(p["description"]) <= 255 for p in params)
        assert all(p["dimensionality"] == "matrix" for p in params)


def test_fees_single_cell_and_ranges():
    assert call("WEGO_FEE", 970000, 35379) == [[7000]]
    assert call("WEGO_FEE", [[970000], [5000000], ["970,000"]], [[35379], [35379], [35379]]) == [[7000], [8500], [7000]]
    assert call("WEGO_FEE", [[970000, 0]], [[35379, 0]]) == [[7000, 400]]


def test_real_error_values():
    assert call("WEGO_FEE", "abc", 35379) == [[VALUE]]
    assert call("WEGO_FEE", -1, 35379) == [[NUM]]
    assert call("WEGO_STATUS", "Seol") == [[NA]]
    assert call("WEGO_FEE", [[970000], ["x"], [None]], [[35379], [1], [5]]) == [[7000], [VALUE], [NA]]


def test_failed_count_sees_real_error_values():
    err = {"type": "Error", "errorType": "NotAvailable", "basicValue": "#N/A"}  # as Office.js sends it
    assert call("WEGO_FAILED", [[7000], [err], [0], [""]]) == [[1]]


def test_error_strings_stay_text_on_old_runtimes():
    assert call("WEGO_STATUS", "Seol", runtime="1.3") == [["#N/A"]]


def test_members_spill_and_status_languages():
    assert call("WEGO_MEMBERS", "Oceania") == [["Suva"]]
    assert len(call("WEGO_MEMBERS")) == 100
    assert call("WEGO_STATUS", [["Seoul"], ["세종시"]], "ko") == [["정회원"], ["준회원"]]
    assert call("WEGO_SCHEDULE", 2016)[-1][6:8] == [8500, 8500]


def test_blank_optional_argument_takes_its_default():
    assert call("WEGO_STATUS", "Seoul", None) == [["Full"]]


# -- the refresh script ----------------------------------------------------------------------


def _json_book(fee_year=2016, checks_sheet="Checks"):
    return xw.Book(
        json={
            "client": "Office.js",
            "version": xw.__version__,
            "book": {"name": "WeGO_Finance.xlsm", "active_sheet_index": 0, "selection": "A1"},
            "sheets": [
                {
                    "name": "Fees",
                    "values": [["WeGO membership fees", ""], ["Fee year", fee_year]],
                    "pictures": [],
                    "tables": [],
                },
                {"name": checks_sheet, "values": [["old"]], "pictures": [], "tables": []},
            ],
            "names": [
                {
                    "name": "FeeYear",
                    "book_scope": True,
                    "scope_sheet_name": None,
                    "refers_to": "=Fees!$B$2",
                    "sheet_index": 0,
                    "address": "B2",
                }
            ],
        }
    )


def _grids(book_payload_names, actions):
    """The setValues grid written at A1 of each sheet, replaying the sheet adds and deletes."""
    names = list(book_payload_names)
    grids = {}
    for a in actions:
        if a["func"] == "sheetDelete":
            names.pop(a["sheet_position"])
        elif a["func"] == "addSheet":
            names.insert(a["args"][0], a["args"][1])
        elif a["func"] == "setValues" and a["start_row"] == 0 and a["start_column"] == 0:
            grids[names[a["sheet_position"]]] = a["values"]
    return grids


def _plain(grid):
    """Cell values as a writer sees them: '' for blanks, the ' prefix removed."""
    out = []
    for row in grid:
        cells = [("" if v is None else v) for v in row]
        cells = [v[1:] if isinstance(v, str) and v.startswith("'") else v for v in cells]
        out.append(cells)
    return out


def test_refresh_script_writes_the_same_sheets_as_the_headless_writer(tmp_path):
    book = _json_book(2016)
    asyncio.run(xlwings.server.custom_scripts_call(udfs, "refresh_roster", typehint_to_value={xw.Book: book}))
    actions = book.json()["actions"]
    funcs = [a["func"] for a in actions]
    assert funcs.count("addSheet") == 3 and "sheetDelete" in funcs  # the old Checks is replaced
    assert [a["args"][1] for a in actions if a["func"] == "addSheet"] == ["Summary", "Fees 2016", "Checks"]
    assert funcs.count("freezePaneAtRange") == 2  # Fees 2016 and Checks keep their header in view
    widths = [a["args"][0] for a in actions if a["func"] == "setColumnWidth"]
    assert widths and all(45 <= w <= 319 for w in widths)  # points (Office.js) for 8 to 60 characters
    tables = [a["args"][3] for a in actions if a["func"] == "addTable"]
    assert "WeGO_Fees_2016" in tables and "WeGO_Checks" in tables
    grids = _grids(["Fees", "Checks"], actions)
    assert set(grids) == {"Summary", "Fees 2016", "Checks"}
    assert [s.name for s in book.sheets] == ["Fees", "Checks", "Summary", "Fees 2016"]  # Checks kept its place

    # the headless writer on the same roster, read back from the file
    target = tmp_path / SHIPPED_ROSTER.name  # the Summary names the roster file
    shutil.copy2(SHIPPED_ROSTER, target)
    refresh_file(target, 2016)
    wb = openpyxl.load_workbook(target)
    for name, grid in grids.items():
        ws = wb[name]
        written = [
            ["" if c is None else c for c in row]
            for row in ws.iter_rows(min_row=1, max_row=len(grid), max_col=len(grid[0]), values_only=True)
        ]
        assert _plain(grid) == written, name
    assert grids["Fees 2016"][0][0] == "Member ID" and len(grids["Fees 2016"]) == 101


def test_refresh_keeps_formula_like_text_as_text(tmp_path, monkeypatch):
    roster = tmp_path / "roster.xlsx"
    shutil.copy2(SHIPPED_ROSTER, roster)
    edit_roster(roster, {"W100": {"English name": "-Central Information Technology Office"}})
    monkeypatch.setenv("WEGO_ROSTER", str(roster))
    book = _json_book(2016)
    asyncio.run(xlwings.server.custom_scripts_call(udfs, "refresh_roster", typehint_to_value={xw.Book: book}))
    fees = _grids(["Fees", "Checks"], book.json()["actions"])["Fees 2016"]
    assert fees[100][1] == "'-Central Information Technology Office"  # the ' keeps it text in Excel


def test_fee_year_comes_from_the_named_cell():
    book = _json_book(2017)
    asyncio.run(xlwings.server.custom_scripts_call(udfs, "refresh_roster", typehint_to_value={xw.Book: book}))
    added = [a["args"][1] for a in book.json()["actions"] if a["func"] == "addSheet"]
    assert "Fees 2017" in added


def test_a_user_sheet_named_like_a_report_sheet_is_refused_in_excel_too():
    book = _json_book(2016, checks_sheet="CHECKS")
    with pytest.raises(SheetNameError, match=r"has a sheet named 'CHECKS'.+rename your sheet"):
        asyncio.run(xlwings.server.custom_scripts_call(udfs, "refresh_roster", typehint_to_value={xw.Book: book}))
    assert book.json()["actions"] == []  # nothing was written into the workbook


def test_the_is_jsnull_workaround_applies():
    """xlwings 0.36.7-0.37.8 import pyodide.ffi per converted cell (docs/xlwings-is-jsnull.md):
    the workaround must make that import fail without searching sys.path. This test fails
    when a newer xlwings no longer needs it: then remove wego_xl/excel/hosts.py's fix."""
    import importlib.machinery
    from unittest import mock

    from xlwings import utils as xlwings_utils

    assert udfs.FAST_JSNULL, f"xlwings {xw.__version__}: does is_jsnull still import per call?"
    with mock.patch.object(importlib.machinery.PathFinder, "find_spec", side_effect=AssertionError("searched")):
        assert not any(xlwings_utils.is_jsnull(v) for v in range(1000))


def test_the_invoicing_script_issues_into_the_ledger_beside_the_roster(roster_copy, monkeypatch):
    from tests.officejs import book_payload
    from wego_xl.ledger.store import create_ledger, open_ledger

    edit_roster(roster_copy, {"Seoul": {"Population confirmed by": "Kim", "Confirmed on": None}})
    monkeypatch.setenv("WEGO_ROSTER", str(roster_copy))
    book = xw.Book(json=book_payload(xw.__version__, 2017))
    with pytest.raises(Exception, match="no ledger at"):  # only `wego-xl ledger init` makes one
        asyncio.run(xlwings.server.custom_scripts_call(udfs, "invoice_fee_year", typehint_to_value={xw.Book: book}))
    location = str(roster_copy.with_name("wego_ledger.db"))
    create_ledger(location)
    book = xw.Book(json=book_payload(xw.__version__, 2017))
    asyncio.run(xlwings.server.custom_scripts_call(udfs, "invoice_fee_year", typehint_to_value={xw.Book: book}))
    ledger = open_ledger(location).load()
    assert ledger.invoices == []  # the April 2015 GDP is not confirmed: nothing billed on it...
    grid = next(a["values"] for a in book.json()["actions"] if a["func"] == "setValues")
    assert grid[0] == ["What", "Member or invoice", "Amount (USD) or reason"]
    assert any(row[0] == "skipped" and row[1] == "Seoul" and "not confirmed" in row[2] for row in grid)
    from wego_xl.store.weo import confirm_edition

    confirm_edition(roster_copy, "April 2015", "Kim")
    from wego_xl.app.settings import set_setting

    set_setting(roster_copy, "Payment days", "30")  # the script takes the Settings' days, as the command does
    book = xw.Book(json=book_payload(xw.__version__, 2017))
    asyncio.run(xlwings.server.custom_scripts_call(udfs, "invoice_fee_year", typehint_to_value={xw.Book: book}))
    ledger = open_ledger(location).load()
    assert [(i.number, i.member_id) for i in ledger.invoices] == [("WEGO-2017-001", "W001")]  # ...then Seoul's
    assert ledger.invoices[0].due_date == ledger.invoices[0].issue_date + dt.timedelta(days=30)  # Settings' days


def test_the_refresh_script_writes_in_the_language_of_the_about_sheet(tmp_path, monkeypatch):
    """The Excel script has no --lang: it reads the roster's About sheet Language cell."""
    roster = tmp_path / "roster.xlsx"
    shutil.copy2(SHIPPED_ROSTER, roster)
    wb = openpyxl.load_workbook(roster)
    wb["About"]["B1"] = "ko"
    wb.save(roster)
    monkeypatch.setenv("WEGO_ROSTER", str(roster))
    book = _json_book(2016)
    asyncio.run(xlwings.server.custom_scripts_call(udfs, "refresh_roster", typehint_to_value={xw.Book: book}))
    actions = book.json()["actions"]
    assert [a["args"][1] for a in actions if a["func"] == "addSheet"] == ["Summary", "Fees 2016", "Checks"]
    grids = _grids(["Fees", "Checks"], actions)
    assert grids["Fees 2016"][0][:3] == ["회원 ID", "영문 명칭", "한글 명칭"] and grids["Checks"][0][0] == "구분"
    assert grids["Summary"][0][0].startswith("WeGO 회비, 2016년도")


def _post_book(rows: list[list]) -> xw.Book:
    from tests.officejs import book_payload

    payload = book_payload(xw.__version__, 2017)
    header = ["Date received", "Member", "Amount (USD)", "Bank charges (USD)", "Bank reference", "Invoice number",
              "Note", "Receipt"]  # fmt: skip
    payload["sheets"].append({"name": "Post", "values": [header, *rows], "pictures": [], "tables": []})
    return xw.Book(json=payload)


def test_the_posting_script_posts_typed_payments_all_or_nothing(roster_copy, monkeypatch):
    """The Post sheet through xlwings Server: dates arrive as Office.js day numbers; a bad row
    stops every row, naming it; good rows get their receipt numbers written back."""
    from wego_xl.ledger.store import create_ledger, open_ledger

    monkeypatch.setenv("WEGO_ROSTER", str(roster_copy))
    location = str(roster_copy.with_name("wego_ledger.db"))
    create_ledger(location)
    day = 42795  # 2017-03-01 as Excel counts
    bad = _post_book([[day, "Seoul", 4000, None, "KEB-1", None, None, None],
                      [day, "Atlantis", 100, None, None, None, None, None],
                      [day, "Seoul", "1.250", None, None, None, None, None]])  # fmt: skip
    with pytest.raises(Exception, match="cannot be posted"):
        asyncio.run(xlwings.server.custom_scripts_call(udfs, "post_payments", typehint_to_value={xw.Book: bad}))
    assert open_ledger(location).load().payments == []
    shown = [a["values"] for a in bad.json()["actions"] if a["func"] == "setValues"]
    assert any("row 3, column 'Member'" in str(v) for v in shown) and any(
        "row 4, column 'Amount (USD)'" in str(v) and "'1.250'" in str(v) for v in shown
    )
    good = _post_book([[day, "Seoul", 4000, None, "KEB-1", None, None, None],
                       [day + 1, "서울", "2,500.50", 25, None, None, "second", None]])  # fmt: skip
    asyncio.run(xlwings.server.custom_scripts_call(udfs, "post_payments", typehint_to_value={xw.Book: good}))
    book = open_ledger(location).load()
    assert [(p.receipt, p.date, str(p.amount)) for p in book.payments] == [
        ("R-2017-001", dt.date(2017, 3, 1), "4000.00"), ("R-2017-002", dt.date(2017, 3, 2), "2525.50")]  # fmt: skip
    assert book.payments[1].value == Decimal("2500.50")  # received; the 25 of bank charges credited beside it
    written = [a["values"] for a in good.json()["actions"] if a["func"] == "setValues"]
    assert [["R-2017-001"]] in written and [["R-2017-002"]] in written


def test_the_posting_script_refuses_a_payment_in_a_closed_period(roster_copy, monkeypatch):
    """A period closed with 'wego-xl close': a payment typed on the Post sheet and dated in it
    is refused by the Excel script, naming its row and the lock; nothing is posted."""
    from wego_xl.ledger.store import create_ledger, open_ledger

    monkeypatch.setenv("WEGO_ROSTER", str(roster_copy))
    location = str(roster_copy.with_name("wego_ledger.db"))
    from wego_xl.books.closing import close_period
    from wego_xl.store.roster import read_roster

    close_period(create_ledger(location), read_roster(roster_copy), dt.date(2017, 12, 31), "Park Jiyoon")
    book = _post_book([[43097, "Seoul", 4000, None, None, None, None, None]])  # 2017-12-28
    with pytest.raises(Exception, match="cannot be posted"):
        asyncio.run(xlwings.server.custom_scripts_call(udfs, "post_payments", typehint_to_value={xw.Book: book}))
    shown = str([a["values"] for a in book.json()["actions"] if a["func"] == "setValues"])
    assert "row 2, column 'Date received'" in shown and "the period through 2017-12-31 is closed" in shown
    assert open_ledger(location).load().payments == []
