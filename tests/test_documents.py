"""Invoices, statements and reminders: real Word files from the shipped templates, read back
(python-docx) and, through LibreOffice, as PDF (pdftotext, pdffonts), for a member with a
Hangul name (Seoul, 서울) and one with a long English name (Sri Jayawardenepura Kotte), in
English first and Korean first."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.conftest import edit_roster, require_program, run_cli
from wego_xl.ledger.store import open_ledger
from wego_xl.workbook.documents import REMINDER_STEPS, reminder_step
from wego_xl.workbook.roster import SETTINGS_SHEET

BANK = {
    "Bank name": "Shinhan Bank, Seoul Global Center Branch",
    "Bank address": "38 Jongno, Jongno-gu, Seoul",
    "Account name": "World e-Governments Organization of Cities and Local Governments",
    "Account number": "180-009-123456",
    "SWIFT/BIC": "SHBKKRSE",
    "Email": "finance@example.org",
    "Signed by": "Park Jiyoon, Head of Finance",
}
KOTTE = "Sri Jayawardenepura Kotte"


def set_settings(roster: Path, values: dict[str, str]) -> None:
    wb = openpyxl.load_workbook(roster)
    ws = wb[SETTINGS_SHEET]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value in values:
            ws.cell(r, 2).value = values[ws.cell(r, 1).value]
    wb.save(roster)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A finance officer's folder with the 2017 invoices issued on 2017-01-16 (due in 60
    days, 2017-03-17) and Seoul's partial payment."""
    folder = tmp_path_factory.mktemp("office")
    env = {**os.environ, "WEGO_ROSTER": str(folder / "wego_roster.xlsx")}
    assert run_cli("init", folder, env=env).returncode == 0
    assert (folder / "templates" / "invoice.docx").exists()  # the Secretariat's copy to restyle
    set_settings(folder / "wego_roster.xlsx", BANK)
    assert run_cli("ledger", "init", env=env).returncode == 0
    issued = run_cli("invoice", "--fee-year", 2017, "--issue-date", "2017-01-16", "--accept-unconfirmed", env=env)
    assert "WEGO-2017-001" in issued.stdout, issued.stderr
    paid = run_cli("pay", "Seoul", "4000", "--date", "2017-02-20", "--reference", "TT-77", env=env)
    assert paid.returncode == 0, paid.stderr
    return folder, env


def documents(office, out: Path, *args: object) -> subprocess.CompletedProcess:
    env = office[1]
    return run_cli("documents", "--fee-year", 2017, "--out", out, "--member", "Seoul", "--member", KOTTE, *args,
                   "--json", env=env, timeout=300)  # fmt: skip


def text_of(path: Path) -> str:
    """Every paragraph and table cell of a Word file, in order."""
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [cell.text for table in d.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_invoices_show_every_field_in_both_languages(office, tmp_path, language):
    done = documents(office, tmp_path, "--kind", "invoice", "--lang", language, "--as-of", "2017-06-30")
    assert done.returncode == 0, done.stderr
    written = sorted(Path(p).name for p in json.loads(done.stdout)["written"])
    assert written == ["WEGO-2017-001_Seoul_invoice.docx", "WEGO-2017-017_Sri-Jayawardenepura-Kotte_invoice.docx"]
    seoul = text_of(tmp_path / written[0])
    for field in (
        "WeGO Secretariat", "세계전자정부협의체(WeGO) 사무국",  # the Settings sheet's name and address
        "Seoul Global Center 10F, 38 Jongno", "서울특별시 종로구 종로 38",
        "Invoice", "청구서", "Invoice number", "청구서 번호", "WEGO-2017-001",
        "16 January 2017", "2017년 1월 16일", "17 March 2017", "2017년 3월 17일",  # issued, due
        "Seoul (서울)", "서울 (Seoul)", "W001", "Korea, Republic of",
        "10,000.00", "Total due (USD)", "납부할 금액 (USD)",
        "Population 10,007,651 (2014, UNSD DYB 2014", "인구 10,007,651명(2014,",  # the basis, as issued
        "band 10,000~ thousand", "10,000~ 천 명 구간", "IMF WEO April 2015", "36,601.073 USD", "2016 fee table",
        "Shinhan Bank, Seoul Global Center Branch", "180-009-123456", "SHBKKRSE", "예금주", "Account name",
        "Please pay 10,000.00 USD by 17 March 2017, quoting the invoice number WEGO-2017-001",
        "2017년 3월 17일까지 10,000.00 USD를 납부해 주시고",
        "Park Jiyoon, Head of Finance", "finance@example.org",
    ):  # fmt: skip
        assert field in seoul, field
    assert "{{" not in seoul and "{%" not in seoul  # every template field was filled
    first = seoul.index("청구서") < seoul.index("Invoice\n")
    assert first == (language == "ko")  # --lang chooses the first language
    kotte = text_of(tmp_path / written[1])
    for field in (KOTTE, "스리자야푸라코테", "WEGO-2017-017", "Sri Lanka", "3,500.00", "116,366"):
        assert field in kotte, field


def test_an_invoice_document_shows_the_basis_as_issued(office, tmp_path):
    """A fee is a record: a later change of the roster's population changes nothing printed."""
    folder, _ = office
    roster = folder / "wego_roster.xlsx"
    before = roster.read_bytes()
    try:
        edit_roster(roster, {"Seoul": {"Population": 9_000_000}})
        done = documents(office, tmp_path, "--kind", "invoice", "--as-of", "2017-06-30")
        seoul = text_of(tmp_path / "WEGO-2017-001_Seoul_invoice.docx")
        assert done.returncode == 0 and "10,007,651" in seoul and "9,000,000" not in seoul and "10,000.00" in seoul
    finally:
        roster.write_bytes(before)


def test_a_statement_adds_up_in_both_languages(office, tmp_path):
    done = documents(office, tmp_path, "--kind", "statement", "--as-of", "2017-06-30", "--lang", "ko")
    assert done.returncode == 0, done.stderr
    text = text_of(tmp_path / "WEGO-2017-001_Seoul_statement.docx")
    for field in (
        "회비 계정 명세서", "Statement of account", "2017년 1월 1일부터 2017년 6월 30일까지", "From 1 January 2017 to 30 June 2017",
        "기초 잔액", "Opening balance", "청구서 WEGO-2017-001 (2017년도, 납부 기한 2017년 3월 17일)",
        "Invoice WEGO-2017-001, fee year 2017, due 17 March 2017", "입금 (영수 번호 R-2017-001)",
        "Payment received, receipt R-2017-001", "10,000.00", "4,000.00", "6,000.00",
        "미납 잔액: 6,000.00 USD", "Balance due: 6,000.00 USD", "105",  # days past due on 30 June
    ):  # fmt: skip
        assert field in text, field
    kotte = text_of(tmp_path / "WEGO-2017-017_Sri-Jayawardenepura-Kotte_statement.docx")
    assert "Balance due: 3,500.00 USD" in kotte and "미납 잔액: 3,500.00 USD" in kotte


@pytest.mark.parametrize(("as_of", "step", "english", "korean"), [
    ("2017-03-20", 1, "Reminder: WeGO membership fee", "안내: WeGO 회비 납부"),
    ("2017-05-01", 2, "Second reminder", "2차 안내"),
    ("2017-07-01", 3, "Final reminder", "최종 안내"),
])  # fmt: skip
def test_a_reminder_is_worded_by_how_late(office, tmp_path, as_of, step, english, korean):
    done = documents(office, tmp_path, "--kind", "reminder", "--as-of", as_of)
    assert done.returncode == 0, done.stderr
    text = text_of(tmp_path / "WEGO-2017-017_Sri-Jayawardenepura-Kotte_reminder.docx")
    days = (dt.date.fromisoformat(as_of) - dt.date(2017, 3, 17)).days
    assert reminder_step(days) == step and english in text and korean in text
    assert f"Dear colleagues of {KOTTE} (스리자야푸라코테)," in text
    assert "Total past due: 3,500.00 USD" in text and "연체 합계: 3,500.00 USD" in text


def test_no_reminder_before_the_due_date(office, tmp_path):
    done = documents(office, tmp_path, "--kind", "reminder", "--as-of", "2017-03-01")
    answer = json.loads(done.stdout)
    assert done.returncode == 0 and answer["written"] == [] and len(answer["none_for"]) == 2


def test_reminder_steps():
    assert [reminder_step(d) for d in (1, 30, 31, 90, 91, 400)] == [1, 1, 2, 2, 3, 3]
    assert REMINDER_STEPS == (31, 91)


def test_a_blank_bank_detail_stops_every_document(office, tmp_path):
    roster = office[0] / "wego_roster.xlsx"
    before = roster.read_bytes()
    try:
        set_settings(roster, {"Account number": None})  # type: ignore[dict-item]
        done = documents(office, tmp_path / "none", "--as-of", "2017-06-30")
        assert done.returncode == 2 and "'Account number' is blank" in done.stderr and "Settings" in done.stderr
        assert "row 11" in done.stderr and not (tmp_path / "none").exists()  # nothing written
    finally:
        roster.write_bytes(before)


def test_existing_documents_are_kept_unless_replaced(office, tmp_path):
    assert documents(office, tmp_path, "--kind", "invoice", "--as-of", "2017-06-30").returncode == 0
    again = json.loads(documents(office, tmp_path, "--kind", "invoice", "--as-of", "2017-06-30").stdout)
    assert again["written"] == [] and len(again["kept"]) == 2
    replaced = json.loads(documents(office, tmp_path, "--kind", "invoice", "--replace").stdout)
    assert len(replaced["written"]) == 2


@contextlib.contextmanager
def restyled_invoice(office, paragraph: str):
    """The office's own invoice template with a paragraph added in Word's way, put back after."""
    template = office[0] / "templates" / "invoice.docx"
    before = template.read_bytes()
    try:
        d = docx.Document(str(template))
        d.add_paragraph(paragraph)
        d.save(str(template))
        yield template
    finally:
        template.write_bytes(before)


def test_restyled_templates_beside_the_roster_are_used(office, tmp_path):
    with restyled_invoice(office, "Restyled by the Secretariat"):
        assert documents(office, tmp_path, "--kind", "invoice", "--as-of", "2017-06-30").returncode == 0
        assert "Restyled by the Secretariat" in text_of(tmp_path / "WEGO-2017-001_Seoul_invoice.docx")


def test_pdf_documents_embed_their_fonts_and_fit_a_page(office, tmp_path):
    """--pdf converts every document without its PDF, also those an earlier run wrote (one
    whose conversion failed, or was not asked), though the .docx files are kept."""
    require_program("soffice", "libreoffice-writer")
    require_program("pdftotext", "poppler-utils")
    assert documents(office, tmp_path, "--as-of", "2017-06-30", "--lang", "ko").returncode == 0  # no PDF yet
    done = documents(office, tmp_path, "--as-of", "2017-06-30", "--pdf", "--lang", "ko")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["written"] == [] and len(json.loads(done.stdout)["kept"]) == 6
    pdfs = sorted(json.loads(done.stdout)["pdf"])
    assert len(pdfs) == 6  # two members, three kinds
    for pdf in pdfs:
        pages = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
        assert "Pages:           1" in pages, pdf  # each document on one A4 page
        assert "595 x 842" in pages or "595.3 x 841.9" in pages or "595.304 x 841.89" in pages, pages
        fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # every font embedded
    text = subprocess.run(["pdftotext", "-layout", pdfs[0], "-"], capture_output=True, text=True, check=True).stdout
    squeezed = "".join(text.split())  # pdftotext spaces Hangul from digits by the glyphs' places
    for field in ("청구서", "Invoice", "WEGO-2017-001", "서울 (Seoul)", "10,000.00", "2017년 3월 17일", "SHBKKRSE"):
        assert "".join(field.split()) in squeezed, field


def test_credit_notes_show_on_the_invoice_and_a_credited_invoice_has_no_document(office, tmp_path):
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(office[0], folder)
    env = {**office[1], "WEGO_ROSTER": str(folder / "wego_roster.xlsx")}
    credit = run_cli("credit", "WEGO-2017-017", "--amount", "500", "--reason", "population corrected",
                     "--date", "2017-02-01", env=env)  # fmt: skip
    assert credit.returncode == 0, credit.stderr
    assert run_cli("credit", "WEGO-2017-001", "--amount", "10000", "--reason", "withdrawn", "--date", "2017-02-01",
                   env=env).returncode == 0  # fmt: skip
    done = run_cli("documents", "--fee-year", 2017, "--out", tmp_path / "out", "--member", "Seoul", "--member", KOTTE,
                   "--kind", "invoice", "--json", env=env)  # fmt: skip
    answer = json.loads(done.stdout)
    assert [Path(p).name for p in answer["written"]] == ["WEGO-2017-017_Sri-Jayawardenepura-Kotte_invoice.docx"]
    assert answer["none_for"] == {"Seoul (WEGO-2017-001)": "credited in full"}
    text = text_of(Path(answer["written"][0]))
    assert "Credit note CN-2017-001 on invoice WEGO-2017-017: population corrected" in text and "-500.00" in text
    assert "Please pay 3,000.00 USD by 17 March 2017" in text and "3,500.00" in text  # as issued, less the credit


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


def test_a_misspelt_field_in_a_restyled_template_is_an_error_not_a_blank(office, tmp_path):
    with restyled_invoice(office, "{{ invoice.numbr }}"):
        done = documents(office, tmp_path / "out", "--kind", "invoice", "--as-of", "2017-06-30")
        assert done.returncode == 2 and "invoice.docx cannot be filled" in done.stderr and "numbr" in done.stderr
        assert not list((tmp_path / "out").glob("*.docx"))  # nothing half-written


def test_a_template_that_reaches_for_python_is_refused(office, tmp_path):
    """Templates are layout, never code: the restyled invoice that ran `id` is refused in one
    line naming the template, and no document is written."""
    with restyled_invoice(office, "{{ cycler.__init__.__globals__.os.popen('id').read() }}"):
        done = documents(office, tmp_path / "out", "--kind", "invoice", "--as-of", "2017-06-30")
    assert done.returncode == 2 and "invoice.docx was refused" in done.stderr and len(done.stderr.splitlines()) == 1
    assert "uid=" not in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert not list((tmp_path / "out").glob("*.docx"))


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
    from wego_xl.errors import FileError
    from wego_xl.workbook.documents import render

    template = tmp_path / "invoice.docx"
    made = docx.Document()
    made.add_paragraph(escape)
    made.save(str(template))
    with pytest.raises(FileError, match=r"invoice\.docx was refused: a field reaches for Python"):
        render(template, {"invoice": {"number": "WEGO-2017-001"}}, tmp_path / "out.docx")
    assert not (tmp_path / "out.docx").exists()


def test_document_names_stay_inside_the_folder_whatever_the_ledger_holds():
    from wego_xl.errors import FileError
    from wego_xl.workbook.documents import file_name, inside
    from wego_xl.workbook.package import SHIPPED_ROSTER
    from wego_xl.workbook.roster import read_roster

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
