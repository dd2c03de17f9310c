"""The documents on paper: every document of the shipped roster's members, in both languages
and of every kind, through LibreOffice to PDF (one conversion for all), each one A4 page;
Korean in Nanum with dates whole ("2017년 1월 15일"); the Secretariat in the footer; credit
notes; --pdf making good a failed conversion; e-mail drafts with the PDFs attached."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import zipfile
from email import policy
from email.parser import BytesParser
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.conftest import require_program, run_cli
from tests.files import BANK, KOTTE, set_settings
from wego_xl.store.package import SHIPPED_TEMPLATES
from wego_xl.store.roster import MEMBERS_SHEET

AS_OF = dt.date(2017, 6, 30)
#: Korean dates as the catalogue writes them: no space between a number and its unit.
ISSUED_KO = "2017년 1월 15일"
FOOTER_EN = "WeGO Secretariat · Seoul Global Center 10F, 38 Jongno, Jongno-gu, Seoul, Republic of Korea"
FOOTER_KO = "세계전자정부협의체(WeGO) 사무국 · 서울특별시 종로구 종로 38 서울글로벌센터 10층"


def pages(pdf: Path) -> int:
    """The pages of a PDF, counted in its page tree (LibreOffice writes one /Type /Page each)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(pdf: Path) -> list[str]:
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [line.split()[0] for line in lines[2:]]


def text_of(path: Path) -> str:
    """Every paragraph, table cell and footer paragraph of a Word file."""
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [cell.text for table in d.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in d.sections for p in section.footer.paragraphs]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A finance officer's folder: the shipped roster with the bank details, an Email column
    on the Members sheet (Seoul's address; Kotte's blank), fee years 2016 and 2017 invoiced,
    payments (Seoul in four parts, Suva in full), credit notes (Kotte's 500, one invoice in full)."""
    from wego_xl.ledger.service import PaymentInput, actor, issue_credit, issue_invoices, record_payment
    from wego_xl.ledger.store import books, create_ledger
    from wego_xl.store.roster import read_roster

    folder = tmp_path_factory.mktemp("printing")
    env = {**os.environ, "WEGO_ROSTER": str(folder / "wego_roster.xlsx")}
    assert run_cli("init", folder, env=env).returncode == 0
    roster_file = folder / "wego_roster.xlsx"
    set_settings(roster_file, BANK)
    wb = openpyxl.load_workbook(roster_file)
    ws = wb[MEMBERS_SHEET]
    column = ws.max_column + 1
    ws.cell(1, column).value = "Email"
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 3).value == "Seoul":
            ws.cell(r, column).value = "global@seoul.go.kr; wego-desk@seoul.go.kr"
    wb.save(roster_file)
    roster = read_roster(roster_file)
    store = create_ledger(str(folder / "wego_ledger.db"))
    by = actor("test")
    issue_invoices(store, roster, 2016, dt.date(2016, 2, 1), 60, by=by, accept_unconfirmed=True)
    plan = issue_invoices(store, roster, 2017, dt.date(2017, 1, 15), 60, by=by, accept_unconfirmed=True)
    numbers = {row["Member ID"]: row["Invoice number"] for row in plan.new}
    for day, amount in (("2017-02-20", "4000"), ("2017-03-10", "1000"), ("2017-04-10", "1000"), ("2017-05-10", "500")):
        record_payment(store, roster, PaymentInput("Seoul", amount, day, reference=f"TT-{day}"), by=by)
    suva = roster.find("Suva")
    suva_invoice = next(i for i in store.load().invoices if i.number == numbers[suva.member_id])
    record_payment(store, roster, PaymentInput("Suva", str(suva_invoice.amount), "2017-02-01"), by=by)
    kotte = roster.find(KOTTE)
    issue_credit(store, numbers[kotte.member_id], "500", "population corrected", by=by, date=dt.date(2017, 2, 1))
    whole = next(i for i in store.load().invoices if i.number == "WEGO-2017-005")
    issue_credit(store, whole.number, str(whole.amount), "withdrew before the fee year", by=by,
                 date=dt.date(2017, 1, 20))  # fmt: skip
    store.engine.dispose()
    books.clear()
    return folder, env


@pytest.fixture(scope="module")
def printed(office) -> dict[str, Path]:
    """Every document for fee year 2017 on 30 June 2017, English first and Korean first, all
    converted to PDF in one go: the PDFs by name ("en_WEGO-2017-001_Seoul_invoice.pdf")."""
    require_program("soffice", "libreoffice-writer")
    from wego_xl.app.documents import KINDS, to_pdf, write_documents
    from wego_xl.ledger.store import open_ledger
    from wego_xl.store.roster import read_roster

    folder, _ = office
    roster = read_roster(folder / "wego_roster.xlsx")
    book = open_ledger(str(folder / "wego_ledger.db")).load()
    every = folder / "printed"
    every.mkdir()
    for language in ("en", "ko"):
        run = write_documents(roster, book, 2017, KINDS, folder / language, language=language, as_of=AS_OF)
        for path in run.written:
            path.rename(every / f"{language}_{path.name}")
    files = sorted(every.glob("*.docx"))
    return {p.name: p for p in to_pdf(files, every)}


def test_every_document_of_the_shipped_roster_is_one_page_in_either_language(printed):
    """Every member invoiced for 2017 (one credited in full: only its credit note), each kind,
    English first and Korean first: every PDF one A4 page."""
    kinds = {kind: sorted(name for name in printed if name.endswith(f"_{kind}.pdf")) for kind in
             ("invoice", "statement", "reminder", "credit-note")}  # fmt: skip
    assert len(kinds["invoice"]) == len(kinds["statement"]) == 2 * 52, {k: len(v) for k, v in kinds.items()}
    assert len(kinds["reminder"]) >= 2 * 50 and len(printed) == sum(map(len, kinds.values()))
    assert [name.split("_")[1] for name in kinds["credit-note"]] == ["CN-2017-001", "CN-2017-002"] * 2
    counted = {name: pages(pdf) for name, pdf in printed.items()}
    assert {name: n for name, n in counted.items() if n != 1} == {}
    first = printed["ko_WEGO-2017-001_Seoul_statement.pdf"]  # the longest statement: four payments
    info = subprocess.run(["pdfinfo", str(first)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info and "595" in info and "841" in info  # the count agrees; A4


def test_korean_is_set_in_nanum_and_dates_keep_no_gap(printed):
    """The templates name NanumGothic for East Asian text (no theme font: the blank document's
    theme names Japanese ones), the PDF embeds it and no other CJK font, and LibreOffice's
    automatic space between Hangul and digits is off: "2017년 1월 15일" as the catalogue says it."""
    require_program("pdftotext", "poppler-utils")
    for template in SHIPPED_TEMPLATES.glob("*.docx"):
        styles = zipfile.ZipFile(template).read("word/styles.xml").decode()
        assert 'w:eastAsia="NanumGothic"' in styles and "eastAsiaTheme" not in styles, template.name
        assert '<w:autoSpaceDE w:val="0"/>' in styles, template.name  # Word's switch, for Word
    for name, day in (("ko_WEGO-2017-001_Seoul_invoice.pdf", ISSUED_KO),
                      ("en_WEGO-2017-001_Seoul_statement.pdf", "2017년 1월 1일부터"),
                      ("ko_CN-2017-001_Sri-Jayawardenepura-Kotte_credit-note.pdf", "2017년 2월 1일")):  # fmt: skip
        fonts = pdf_fonts(printed[name])
        assert any("NanumGothic" in font for font in fonts), fonts
        assert not any("Noto" in font or "DejaVu" in font for font in fonts), fonts
        text = pdf_text(printed[name])
        assert day in text and not re.search(r"\d [년월일]", text), text


def test_the_footer_names_the_secretariat_and_its_address(printed, office):
    text = pdf_text(printed["ko_WEGO-2017-001_Seoul_invoice.pdf"])
    assert FOOTER_KO in text and FOOTER_EN in text and "finance@example.org" in text
    assert "wego-xl" not in text and "dues ledger" not in text and "회비 원장에서 작성" not in text
    word = text_of(next((office[0] / "printed").glob("en_*_reminder.docx")))
    assert FOOTER_EN + " · finance@example.org" in word and FOOTER_KO in word


def test_a_credit_note_says_what_it_reduces_and_what_is_left(printed):
    text = text_of(printed["en_CN-2017-001_Sri-Jayawardenepura-Kotte_credit-note.pdf"].with_suffix(".docx"))
    for field in (
        "Credit note", "감액 통지서", "CN-2017-001", "WEGO-2017-017", "1 February 2017", "2017년 2월 1일",
        "population corrected", "Invoice WEGO-2017-017 as issued, fee year 2017", "3,500.00", "-500.00",
        "Left to pay (USD)", "3,000.00", "Credit note CN-2017-001 of 1 February 2017 reduces invoice WEGO-2017-017 "
        "by 500.00 USD.", "2017년 2월 1일자 감액 CN-2017-001에 따라 청구서 WEGO-2017-017의 금액이 500.00 USD 감액되었습니다.",
        "Please pay 3,000.00 USD by 16 March 2017", "fee year 2017, issued 15 January 2017: 3,500.00 USD",
        "Shinhan Bank", "SHBKKRSE",
    ):  # fmt: skip
        assert field in text, field
    whole = text_of(next(p for n, p in printed.items() if n.startswith("ko_CN-2017-002_")).with_suffix(".docx"))
    assert "withdrew before the fee year" in whole and "Nothing is left to pay on invoice WEGO-2017-005" in whole
    assert "청구서 WEGO-2017-005에 대해 더 납부하실 금액이 없습니다" in whole and "Shinhan Bank" not in whole  # no bank
    assert not [n for n in printed if n.startswith(("en_WEGO-2017-005_", "ko_WEGO-2017-005_"))]  # credited in full


def test_pdf_makes_good_a_conversion_that_failed(office, tmp_path):
    """A run whose LibreOffice failed (here: none on the PATH) leaves its Word files; the next
    --pdf converts them though it writes nothing new."""
    require_program("soffice", "libreoffice-writer")
    env = office[1]
    args = ("documents", "--fee-year", 2017, "--out", tmp_path, "--member", KOTTE, "--kind", "invoice",
            "--as-of", "2017-06-30", "--pdf", "--json")  # fmt: skip
    failed = run_cli(*args, env={**env, "PATH": str(tmp_path / "nothing")})
    assert failed.returncode == 2 and "needs LibreOffice" in failed.stderr, failed.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["WEGO-2017-017_Sri-Jayawardenepura-Kotte_invoice.docx"]
    again = run_cli(*args, env=env)
    answer = json.loads(again.stdout)
    assert answer["written"] == [] and [Path(p).name for p in answer["pdf"]] == [
        "WEGO-2017-017_Sri-Jayawardenepura-Kotte_invoice.pdf"
    ]


def test_email_drafts_carry_the_pdfs_to_the_roster_address(office, tmp_path):
    env = office[1]
    done = run_cli("documents", "--fee-year", 2017, "--out", tmp_path, "--member", "Seoul", "--member", KOTTE,
                   "--kind", "invoice", "--kind", "credit-note", "--as-of", "2017-06-30", "--email-drafts",
                   "--json", env=env, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert [Path(p).name for p in answer["email_drafts"]] == ["2017-W001_Seoul_email.eml"]
    assert list(answer["no_email_draft"]) == [KOTTE]
    assert answer["no_email_draft"][KOTTE].startswith("no e-mail address on the Members sheet (row ")
    message = BytesParser(policy=policy.default).parse((tmp_path / "2017-W001_Seoul_email.eml").open("rb"))
    assert message["To"] == "global@seoul.go.kr, wego-desk@seoul.go.kr"
    [sender] = message["From"].addresses  # the Secretariat's name in the member's language
    assert (sender.display_name, sender.addr_spec) == ("세계전자정부협의체(WeGO) 사무국", "finance@example.org")
    assert message["Subject"] == "WeGO 2017년도 회비: 청구서"  # Seoul is written to in Korean
    text = message.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert body.startswith("서울 (Seoul) 담당자님께") and "2017년도 WeGO 회비 관련 문서(청구서)" in body
    [attached] = list(message.iter_attachments())
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_filename() == "WEGO-2017-001_Seoul_invoice.pdf"
    assert attached.get_content() == (tmp_path / "WEGO-2017-001_Seoul_invoice.pdf").read_bytes()


def test_without_an_email_column_every_member_is_listed_not_guessed(office, tmp_path):
    """The shipped roster has no e-mail column: no draft is written, each member says why."""
    from wego_xl.app.documents import DocumentRun
    from wego_xl.app.letters import write_email_drafts
    from wego_xl.store.roster import read_roster

    roster_file = tmp_path / "wego_roster.xlsx"
    shutil.copy(office[0] / "wego_roster.xlsx", roster_file)
    wb = openpyxl.load_workbook(roster_file)
    ws = wb[MEMBERS_SHEET]
    ws.delete_cols(ws.max_column)  # the Email column the office added
    wb.save(roster_file)
    roster = read_roster(roster_file)
    seoul = roster.find("Seoul")
    run = DocumentRun(files={seoul.member_id: [tmp_path / "WEGO-2017-001_Seoul_invoice.docx"]})
    drafts = write_email_drafts(roster, run, tmp_path, 2017)
    assert drafts.written == [] and drafts.none_for == {
        "Seoul": "the roster's Members sheet has no Email column: no address to write to"
    }
    assert not list(tmp_path.glob("*.eml"))
