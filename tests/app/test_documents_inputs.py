"""What the documents are made from, without an office: the Settings sheet (shown, set, added
to an older roster, the payment days invoices take, a long number refused naming its cell),
templates that are layout and never code (the Jinja sandbox), and document names that stay
inside their folder whatever the ledger holds."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.conftest import run_cli
from wego_xl.ledger.store import open_ledger
from wego_xl.store.roster import SETTINGS_SHEET


def test_settings_are_shown_and_set_and_added_to_an_older_roster(roster_copy, tmp_path):
    wb = openpyxl.load_workbook(roster_copy)
    del wb[SETTINGS_SHEET]  # a roster made before the Settings sheet
    wb.save(roster_copy)
    shown = run_cli("settings", "--roster", roster_copy)
    assert shown.returncode == 0 and "no Settings sheet yet" in shown.stdout
    done = run_cli("settings", "--roster", roster_copy, "account  NUMBER", "00180009123456")
    assert done.returncode == 0, done.stderr
    assert "Account number: 00180009123456 (Settings sheet, row 11)" in done.stdout  # every digit, as text
    listed = run_cli("settings", "--roster", roster_copy).stdout
    assert "00180009123456" in listed and "WeGO Secretariat" in listed and "(blank)" in listed
    assert list((roster_copy.parent / ".wego-backups").glob("roster.*.xlsx"))  # through the one write path
    wrong = run_cli("settings", "--roster", roster_copy, "IBAN", "KR00")
    assert wrong.returncode == 2 and "'IBAN' is not a setting" in wrong.stderr
    days = run_cli("settings", "--roster", roster_copy, "Payment days", "sixty")
    assert days.returncode == 2 and "whole number of days from 1 to 365" in days.stderr


def test_invoices_take_their_payment_days_from_the_settings(roster_copy):
    env = {**os.environ, "WEGO_ROSTER": str(roster_copy)}
    assert run_cli("settings", "Payment days", "30", env=env).returncode == 0
    assert run_cli("ledger", "init", env=env).returncode == 0
    out = run_cli("invoice", "--fee-year", 2017, "--issue-date", "2017-01-16", "--accept-unconfirmed", env=env)
    assert "WEGO-2017-001" in out.stdout, out.stderr
    [first] = [i for i in open_ledger(str(roster_copy.with_name("wego_ledger.db"))).load().invoices
               if i.number == "WEGO-2017-001"]  # fmt: skip
    assert first.due_date == dt.date(2017, 2, 15), first  # 30 days, not 60


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ invoice.__class__.__init__.__globals__ }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{{ invoice.update({'number': 'changed'}) }}",
        "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
        "{{ namespace.__init__.__globals__ }}",
    ],
)
def test_the_sandbox_refuses_every_known_route_out_of_jinja(tmp_path, escape):
    from wego_xl.app.documents import render
    from wego_xl.errors import FileError

    template = tmp_path / "invoice.docx"
    made = docx.Document()
    made.add_paragraph(escape)
    made.save(str(template))
    with pytest.raises(FileError, match=r"invoice\.docx was refused: a field reaches for Python"):
        render(template, {"invoice": {"number": "WEGO-2017-001"}}, tmp_path / "out.docx")
    assert not (tmp_path / "out.docx").exists()


def test_document_names_stay_inside_the_folder_whatever_the_ledger_holds():
    from wego_xl.app.documents import file_name, inside
    from wego_xl.errors import FileError
    from wego_xl.store.package import SHIPPED_ROSTER
    from wego_xl.store.roster import read_roster

    seoul = read_roster(SHIPPED_ROSTER).find("Seoul")
    for number in ("../../../x", "/etc/passwd", "C:\\Windows\\x", "WEGO/2017/001", "..", ""):
        name = file_name(number, seoul, "invoice")
        assert "/" not in name and "\\" not in name and ".." not in name and ":" not in name, name
        assert name.endswith("_Seoul_invoice.docx")
    assert file_name("WEGO-2017-001", seoul, "invoice") == "WEGO-2017-001_Seoul_invoice.docx"
    with pytest.raises(FileError, match="outside"):
        inside(Path("out"), "../x.docx")


def test_a_long_number_typed_in_a_settings_cell_is_refused_naming_it(roster_copy):
    wb = openpyxl.load_workbook(roster_copy)
    ws = wb[SETTINGS_SHEET]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "Account number")
    ws.cell(row, 2).value = 1800091234567890123  # a number cell: Excel keeps 15 digits of it
    wb.save(roster_copy)
    out = run_cli("settings", "--roster", roster_copy)
    assert out.returncode == 2 and f"row {row}, column 'Value'" in out.stderr and "19 digits" in out.stderr
    assert "leading apostrophe" in out.stderr and "Traceback" not in out.stderr
