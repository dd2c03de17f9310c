"""Invoices, statements and reminders: real Word files from the shipped templates, read back
(python-docx) and, through LibreOffice, as PDF (pdftotext, pdffonts), for a member with a
Hangul name (Seoul, 서울) and one with a long English name (Sri Jayawardenepura Kotte), in
English first and Korean first."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.conftest import edit_roster, require_program, run_cli
from tests.files import BANK, KOTTE, set_settings
from wego_xl.ledger.store import open_ledger


@pytest.fixture(scope="module")
def _office(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A finance officer's folder with the 2017 invoices issued on 2017-01-16 (due in 60
    days, 2017-03-17) and Seoul's partial payment, made once for the module."""
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


@pytest.fixture
def office(_office, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A copy of the module's office for one test: what its documents issue and the reminders
    it logs stay its own."""
    import shutil

    folder = tmp_path_factory.mktemp("office-copy")
    shutil.copytree(_office[0], folder, dirs_exist_ok=True)
    return folder, {**_office[1], "WEGO_ROSTER": str(folder / "wego_roster.xlsx")}


def documents(office, out: Path, *args: object) -> subprocess.CompletedProcess:
    env = office[1]
    return run_cli("documents", "--fee-year", 2017, "--out", out, "--member", "Seoul", "--member", KOTTE, *args,
                   "--json", env=env, timeout=300)  # fmt: skip


def text_of(path: Path) -> str:
    """Every paragraph and table cell of a Word file, in order, and its footer (the
    Secretariat's name and address)."""
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [cell.text for table in d.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in d.sections for p in section.footer.paragraphs]
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


def test_a_reminder_follows_the_ladder_and_is_logged(office, tmp_path):
    """Kotte's 3,500 falls due on 17 March 2017. The first reminder it ever gets, even in July,
    is the first one; then second, then final, by the log of reminders made; none within two
    weeks of the last; --dry-run says who would get which, and why, writing nothing."""
    dry = run_cli("documents", "--fee-year", 2017, "--out", tmp_path / "dry", "--member", KOTTE, "--kind", "reminder",
                  "--as-of", "2017-07-01", "--dry-run", env=office[1])  # fmt: skip
    assert dry.returncode == 0 and f"would remind {KOTTE}: level 1, 3,500.00 USD (WEGO-2017-017)" in dry.stdout
    assert "no reminder yet: the first reminder" in dry.stdout and not (tmp_path / "dry").exists()
    made = []
    for as_of in ("2017-04-01", "2017-05-01", "2017-05-10", "2017-07-01"):
        done = documents(office, tmp_path / as_of, "--kind", "reminder", "--as-of", as_of)
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout)
        made.append([r["level"] for r in answer["reminders"] if r["member"] == "W029"])
        if as_of == "2017-05-10":
            assert "reminded on 2017-05-01 (second reminder)" in answer["none_for"][f"{KOTTE} (WEGO-2017-017)"]
    assert made == [[1], [2], [], [3]]
    for as_of, english, korean in (("2017-04-01", "Reminder: WeGO membership fee", "안내: WeGO 회비 납부"),
                                   ("2017-05-01", "Second reminder", "2차 안내"),
                                   ("2017-07-01", "Final reminder", "최종 안내")):  # fmt: skip
        text = text_of(
            tmp_path / as_of / f"WEGO-2017-017-{as_of.replace('-', '')}_Sri-Jayawardenepura-Kotte_reminder.docx"
        )
        assert english in text and korean in text and "Total past due: 3,500.00 USD" in text
    with open_ledger(str(office[0] / "wego_ledger.db")).engine.connect() as conn:
        from sqlalchemy import text as sql

        logged = conn.execute(sql("SELECT member_id, level, date FROM reminders ORDER BY id")).all()
    assert [(level, str(day)) for member, level, day in logged if member == "W029"] == [
        (1, "2017-04-01"), (2, "2017-05-01"), (3, "2017-07-01")]  # fmt: skip


def test_no_reminder_before_the_due_date(office, tmp_path):
    done = documents(office, tmp_path, "--kind", "reminder", "--as-of", "2017-03-01")
    answer = json.loads(done.stdout)
    assert done.returncode == 0 and answer["written"] == [] and len(answer["none_for"]) == 2


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
    assert documents(office, tmp_path, "--kind", "statement", "--as-of", "2017-06-30").returncode == 0
    again = json.loads(documents(office, tmp_path, "--kind", "statement", "--as-of", "2017-06-30").stdout)
    assert again["written"] == [] and len(again["kept"]) == 2
    replaced = json.loads(documents(office, tmp_path, "--kind", "statement", "--replace").stdout)
    assert len(replaced["written"]) == 2


def test_an_invoice_is_issued_once_and_printed_again_byte_for_byte(office, tmp_path):
    """Kotte's invoice made (Word and PDF) is kept with the ledger; a credit note later goes on
    a credit-note document of its own, and the invoice printed again, replaced or into another
    folder, is the same bytes, still asking the 3,500 it was issued for."""
    first = json.loads(documents(office, tmp_path / "a", "--kind", "invoice", "--pdf").stdout)
    assert sorted(first["issued_now"]) == ["invoice WEGO-2017-001", "invoice WEGO-2017-017"]
    invoice = tmp_path / "a" / "WEGO-2017-017_Sri-Jayawardenepura-Kotte_invoice.docx"
    issued, issued_pdf = invoice.read_bytes(), invoice.with_suffix(".pdf").read_bytes()
    assert run_cli("credit", "WEGO-2017-017", "--amount", "500", "--reason", "population corrected",
                   "--date", "2017-02-01", env=office[1]).returncode == 0  # fmt: skip
    again = json.loads(documents(office, tmp_path / "a", "--replace", "--pdf").stdout)
    assert invoice.read_bytes() == issued and invoice.with_suffix(".pdf").read_bytes() == issued_pdf
    assert "Please pay 3,500.00 USD by 17 March 2017" in text_of(invoice) and "CN-2017-001" not in text_of(invoice)
    note = tmp_path / "a" / "CN-2017-001_Sri-Jayawardenepura-Kotte_credit-note.docx"
    assert str(note) in again["written"] and "-500.00" in text_of(note) and "3,000.00" in text_of(note)
    elsewhere = json.loads(documents(office, tmp_path / "b", "--kind", "invoice", "--pdf").stdout)
    copy = tmp_path / "b" / invoice.name
    assert str(copy) in elsewhere["written"] or copy.exists()
    assert copy.read_bytes() == issued and copy.with_suffix(".pdf").read_bytes() == issued_pdf
    with open_ledger(str(office[0] / "wego_ledger.db")).engine.connect() as conn:
        from sqlalchemy import text as sql

        kept = dict(
            conn.execute(sql("SELECT format, sha256 FROM issued_documents WHERE number = 'WEGO-2017-017'")).all()
        )
    import hashlib

    assert kept == {"docx": hashlib.sha256(issued).hexdigest(), "pdf": hashlib.sha256(issued_pdf).hexdigest()}


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
    invoice = next(p for p in pdfs if p.endswith("WEGO-2017-001_Seoul_invoice.pdf"))
    text = subprocess.run(["pdftotext", "-layout", invoice, "-"], capture_output=True, text=True, check=True).stdout
    squeezed = "".join(text.split())  # pdftotext spaces Hangul from digits by the glyphs' places
    for field in ("청구서", "Invoice", "WEGO-2017-001", "서울 (Seoul)", "10,000.00", "2017년 3월 17일", "SHBKKRSE"):
        assert "".join(field.split()) in squeezed, field


def test_an_invoice_shows_itself_as_issued_and_a_credited_invoice_has_no_document(office, tmp_path):
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
    text = text_of(Path(answer["written"][0]))  # as issued: the credit note has a document of its own
    assert "CN-2017-001" not in text and "Please pay 3,500.00 USD by 17 March 2017" in text


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


@pytest.fixture
def mail_server():
    """A real SMTP server on the loopback (aiosmtpd): it keeps what it is sent and refuses any
    address at refused.example, as a mail server refuses an unknown mailbox."""
    import socket

    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self) -> None:
            self.messages: list[tuple[str, list[str], bytes]] = []

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.endswith("@refused.example"):
                return "550 5.1.1 no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            return "250 Message accepted for delivery"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _with_emails(roster: Path) -> Path:
    """The roster with an Email column on its Members sheet: Seoul's and Kotte's addresses."""
    wb = openpyxl.load_workbook(roster)
    ws = wb["Members"]
    column = ws.max_column + 1
    ws.cell(1, column, "Email")
    for r in range(2, ws.max_row + 1):
        ws.cell(
            r,
            column,
            {"W001": "finance@seoul.example; old@refused.example", "W029": "desk@refused.example"}.get(
                ws.cell(r, 1).value
            ),
        )
    wb.save(roster)
    return roster


def test_documents_are_sent_once_each_through_the_mail_server_and_logged(office, tmp_path, mail_server):
    """The Members sheet gets an Email column; --send writes the drafts and sends each through
    the Settings' Mail server (a real one on the loopback): Seoul's goes, with its invoice's PDF;
    Kotte's address is refused by the server, said, logged, exit 1. Sent again: Seoul's is not
    sent twice. A dry run lists what would go and sends nothing."""
    require_program("soffice", "libreoffice-writer")
    from email import message_from_bytes, policy

    handler, port = mail_server
    roster = _with_emails(office[0] / "wego_roster.xlsx")
    set_settings(roster, {"Mail server": f"127.0.0.1:{port}", "Mail security": "none"})
    out = tmp_path / "out"
    sent = run_cli("documents", "--fee-year", 2017, "--out", out, "--member", "Seoul", "--member", KOTTE, "--kind",
                   "invoice", "--send", env=office[1], timeout=300)  # fmt: skip
    assert sent.returncode == 1, sent.stdout + sent.stderr
    assert "sent: Seoul <finance@seoul.example, old@refused.example>" in sent.stdout
    assert "not sent: Seoul: refused for old@refused.example: 550" in sent.stdout  # the other address took it
    assert f"not sent: {KOTTE}:" in sent.stdout and "no such mailbox" in sent.stdout
    [(sender, to, content)] = handler.messages
    assert sender == "finance@example.org" and to == ["finance@seoul.example"]
    message = message_from_bytes(content, policy=policy.default)
    [pdf] = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_content() == (out / "WEGO-2017-001_Seoul_invoice.pdf").read_bytes()
    assert message["X-WeGO-Member"] == "W001" and message["Message-ID"]
    dry = run_cli("documents", "--fee-year", 2017, "--out", out, "--send", "--dry-run", env=office[1])
    assert "not sent: Seoul: sent on" in dry.stdout and f"would send: {KOTTE} <desk@refused.example>" in dry.stdout
    again = run_cli("documents", "--fee-year", 2017, "--out", out, "--member", "Seoul", "--kind", "invoice", "--send",
                    env=office[1])  # fmt: skip
    assert again.returncode == 0 and "not sent: Seoul: sent on" in again.stdout and len(handler.messages) == 1
    said = [run_cli("documents", "--fee-year", 2017, "--out", tmp_path / folder, "--member", "Seoul", "--kind",
                    "statement", "--as-of", "2017-06-30", "--send", env=office[1]).stdout for folder in ("s1", "s2")]  # fmt: skip
    assert "sent: Seoul <" in said[0] and "not sent: Seoul: sent on" in said[1]  # made again elsewhere: the same
    assert len(handler.messages) == 2
    with open_ledger(str(office[0] / "wego_ledger.db")).engine.connect() as conn:
        from sqlalchemy import text as sql

        log = conn.execute(sql("SELECT member_id, outcome, address FROM mail_log ORDER BY id")).all()[:2]
    assert [tuple(r) for r in log] == [("W001", "sent", "finance@seoul.example, old@refused.example"),
                                       ("W029", "refused", "desk@refused.example")]  # fmt: skip


def test_a_mail_server_that_cannot_be_used_is_one_line(office, tmp_path):
    _with_emails(office[0] / "wego_roster.xlsx")
    blank = run_cli("documents", "--fee-year", 2017, "--out", tmp_path / "out", "--send", env=office[1])
    assert blank.returncode == 2 and "'Mail server' is blank" in blank.stderr and not (tmp_path / "out").exists()
    set_settings(office[0] / "wego_roster.xlsx", {"Mail server": "127.0.0.1:1", "Mail security": "none"})
    down = run_cli("documents", "--fee-year", 2017, "--out", tmp_path / "out", "--member", "Seoul", "--kind",
                   "statement", "--send", env=office[1])  # fmt: skip
    assert down.returncode == 2 and "the mail server 127.0.0.1:1 cannot be used" in down.stderr, down.stderr
    set_settings(office[0] / "wego_roster.xlsx", {"Mail security": "tls please"})
    wrong = run_cli("documents", "--fee-year", 2017, "--out", tmp_path / "o2", "--send", env=office[1])
    assert wrong.returncode == 2 and "'Mail security' is 'tls please'" in wrong.stderr


def test_what_a_hostile_tester_found_in_the_documents(office, tmp_path):
    """A file already in --out is never taken for the invoice as issued; a member named by its
    id; an invoice issued and later credited in full still prints as issued; a reminder made for
    an earlier day within two weeks of one made is refused; each reminder has its own file."""
    out = tmp_path / "o"
    out.mkdir()
    (out / "WEGO-2017-001_Seoul_invoice.docx").write_bytes(b"not a docx")
    first = json.loads(run_cli("documents", "--fee-year", 2017, "--out", out, "--member", "W001", "--kind", "invoice",
                               "--json", env=office[1]).stdout)  # fmt: skip
    assert first["issued_now"] == ["invoice WEGO-2017-001"]
    assert "Please pay 10,000.00 USD" in text_of(out / "WEGO-2017-001_Seoul_invoice.docx")
    assert run_cli("credit", "WEGO-2017-001", "--amount", "6000", "--reason", "withdrawn", "--date", "2017-03-01",
                   env=office[1]).returncode == 0  # fmt: skip  # with the 4,000 paid: credited in full
    again = json.loads(documents(office, tmp_path / "p", "--kind", "invoice").stdout)
    assert any(p.endswith("WEGO-2017-001_Seoul_invoice.docx") for p in again["written"]), again
    for as_of in ("2017-05-10", "2017-05-05", "2017-06-01"):
        done = json.loads(documents(office, tmp_path / "r", "--kind", "reminder", "--as-of", as_of).stdout)
        levels = [r["level"] for r in done["reminders"] if r["member"] == "W029"]
        assert levels == {"2017-05-10": [1], "2017-05-05": [], "2017-06-01": [2]}[as_of], (as_of, done)
    assert len(list((tmp_path / "r").glob("WEGO-2017-017-*_reminder.docx"))) == 2
