"""ISO 20022 bank-to-customer statements (camt.053) and debit/credit notifications (camt.054),
version 001.02 onward, read whatever the namespace's version: elements are found by their
local names, and both the early forms (``Sts`` as text, ``Dbtr/Nm``) and the later ones
(``Sts/Cd``, ``Dbtr/Pty/Nm``) are read.

Only booked entries (``BOOK``) are lines. A line's ``line`` is the XML source line of its
``<Ntry>`` (or of its ``<TxDtls>`` when an entry carries several transactions, each with its
own amount: one line each), so messages say "line N" and mean the file's line N.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, XMLParser

from ..rules.bank import BankLine, BankStatement
from .statements import StatementError, to_the_cent

NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.(05[2-4])\.001\.(\d{2})$")
#: camt.053 and camt.054: the message's body and the report in it.
BODIES = {"053": ("BkToCstmrStmt", "Stmt"), "054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")}
_DECIMAL = re.compile(r"^\+?\d+(\.\d+)?$")


class _LinedBuilder(TreeBuilder):
    """A tree builder that notes the source line of every element it starts."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.parser: XMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        self.lines[element] = self.parser.parser.CurrentLineNumber if self.parser is not None else 0
        return element


@dataclass(frozen=True)
class _Xml:
    """A parsed camt file: its name and the source line of each element."""

    source: str
    lines: dict[Element, int]

    def where(self, element: Element) -> str:
        return f"{self.source}, line {self.lines.get(element, 0)}"


def read_camt(source: str, data: bytes) -> list[BankStatement]:
    """The statements (camt.053) or notifications (camt.054, without balances) in a file."""
    root, xml = _parse(source, data)
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    match = NAMESPACE.match(namespace)
    if match is None or int(match.group(2)) < 2 or match.group(1) == "052":
        raise StatementError(
            f"{source}: the namespace {namespace!r} is not a camt.053 statement or camt.054 notification of "
            "version 001.02 or later: ask the bank for camt.053"
        )
    body_tag, report_tag = BODIES[match.group(1)]
    body = root.find(f"{{*}}{body_tag}")
    if body is None:
        raise StatementError(f"{source}: no <{body_tag}> in the file: ask the bank for the statement again")
    reports = body.findall(f"{{*}}{report_tag}")
    if not reports:
        raise StatementError(f"{source}: no <{report_tag}> in the file: ask the bank for the statement again")
    return [_statement(xml, report, notification=match.group(1) == "054") for report in reports]


def _parse(source: str, data: bytes) -> tuple[Element, _Xml]:
    """The document's root, parsed safely (defusedxml), with its elements' source lines."""
    builder = _LinedBuilder()
    parser = XMLParser(target=builder)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as e:
        raise StatementError(f"{source}: the XML cannot be read ({e}): ask the bank for the file again") from None
    except DefusedXmlException as e:
        raise StatementError(f"{source}: the XML holds what a statement never does ({e}): refused") from None
    return root, _Xml(source, builder.lines)


def _statement(xml: _Xml, report: Element, *, notification: bool) -> BankStatement:
    """One ``<Stmt>`` or ``<Ntfctn>`` as a statement."""
    where = xml.where(report)
    account = _text(report, "Acct/Id/IBAN") or _text(report, "Acct/Id/Othr/Id")
    if not account:
        raise StatementError(f"{where}: the statement names no account (Acct/Id): ask the bank for it again")
    number = _text(report, "Id")
    balances = {} if notification else _balances(xml, report)
    currency = _text(report, "Acct/Ccy") or next((b[2] for b in balances.values()), "")
    opening = balances.get("OPBD") or balances.get("PRCD")
    closing = balances.get("CLBD")
    if not notification and (opening is None or closing is None):
        missing = "opening (OPBD)" if opening is None else "closing (CLBD)"
        raise StatementError(f"{where}: statement {number} has no {missing} balance: ask the bank for it again")
    lines: list[BankLine] = []
    for entry in report.findall("{*}Ntry"):
        lines.extend(_entry_lines(xml, entry, account, number, currency))
    return BankStatement(
        source=xml.source, account=account, number=number, currency=currency or (lines[0].currency if lines else ""),
        opening=opening[0] if opening else None, opening_date=opening[1] if opening else None,
        closing=closing[0] if closing else None, closing_date=closing[1] if closing else None,
        lines=tuple(lines),
    )  # fmt: skip


def _balances(xml: _Xml, report: Element) -> dict[str, tuple[Decimal, dt.date, str]]:
    """The statement's balances by type code (OPBD, PRCD, CLBD, ...): amount, date, currency."""
    found: dict[str, tuple[Decimal, dt.date, str]] = {}
    for balance in report.findall("{*}Bal"):
        code = _text(balance, "Tp/CdOrPrtry/Cd") or _text(balance, "Tp/Cd")
        amount, currency = _amount(xml, balance, balance)
        day = _day(xml, balance, "Dt")
        if day is None:
            raise StatementError(f"{xml.where(balance)}: the {code} balance has no date (Dt): ask the bank again")
        found.setdefault(code, (amount, day, currency))
    return found


def _entry_lines(xml: _Xml, entry: Element, account: str, number: str, currency: str) -> list[BankLine]:
    """The lines of one booked entry: one, or one per transaction when each has its amount."""
    status = _text(entry, "Sts/Cd") or _text(entry, "Sts")
    if status != "BOOK":
        return []
    amount, entry_currency = _amount(xml, entry, entry)
    if currency and entry_currency != currency:
        raise StatementError(
            f"{xml.where(entry)}: an entry in {entry_currency} on an account in {currency}: ask the bank "
            "for the statement again"
        )
    booked = _day(xml, entry, "BookgDt")
    if booked is None:
        raise StatementError(f"{xml.where(entry)}: a booked entry without a booking date (BookgDt): ask the bank")
    reference = _text(entry, "AcctSvcrRef")
    line = BankLine(
        source=xml.source, line=xml.lines.get(entry, 0), account=account, statement=number, booked=booked,
        value_date=_day(xml, entry, "ValDt") or booked, amount=amount, currency=entry_currency,
        reference=reference, text=_text(entry, "AddtlNtryInf"),
    )  # fmt: skip
    details = entry.findall("{*}NtryDtls/{*}TxDtls")
    found = [_own_amount(xml, d, entry_currency, credit=amount > 0) for d in details]
    parts = [part for part in found if part is not None]
    if len(details) < 2 or len(parts) < len(details):
        return [_described(line, details, credit=amount > 0, xml=xml)]
    if sum(parts) != amount:
        raise StatementError(
            f"{xml.where(entry)}: the entry's {len(details)} transactions do not add up to its amount "
            f"{amount:,.2f}: ask the bank for the statement again"
        )
    lines = []
    for index, (detail, part) in enumerate(zip(details, parts), 1):
        own = _text(detail, "Refs/AcctSvcrRef") or (f"{reference}/{index}" if reference else "")
        at = replace(line, line=xml.lines.get(detail, 0), amount=part, reference=own, text="")
        lines.append(_described(at, [detail], credit=part > 0, xml=xml))
    return lines


def _own_amount(xml: _Xml, detail: Element, currency: str, *, credit: bool) -> Decimal | None:
    """A transaction's own signed amount in the entry's currency (``TxDtls/Amt`` from 001.04,
    ``AmtDtls/TxAmt/Amt`` before), else None."""
    for path in ("Amt", "AmtDtls/TxAmt/Amt"):
        element = detail.find(_path(path))
        if element is not None and element.get("Ccy") == currency:
            size = _decimal(xml, element)
            mark = _text(detail, "CdtDbtInd")
            return -size if (mark == "DBIT" or (not mark and not credit)) else size
    return None


def _described(line: BankLine, details: list[Element], *, credit: bool, xml: _Xml) -> BankLine:
    """The line with the remittance text, the payer (or payee) and the instructed amount of
    its transactions."""
    words: list[str] = []
    counterparty = ""
    role = "Dbtr" if credit else "Cdtr"
    for detail in details:
        remittance = [*detail.iterfind(_path("RmtInf/Ustrd")), *detail.iterfind(_path("RmtInf/Strd/CdtrRefInf/Ref"))]
        words += [e.text for e in remittance if e.text] or [_text(detail, "AddtlTxInf")]
        counterparty = (
            counterparty or _text(detail, f"RltdPties/{role}/Pty/Nm") or _text(detail, f"RltdPties/{role}/Nm")
        )
    instructed = None
    if len(details) == 1:
        element = details[0].find(_path("AmtDtls/InstdAmt/Amt"))
        if element is not None and element.get("Ccy") and element.get("Ccy") != line.currency:
            instructed = (_decimal(xml, element), element.get("Ccy", ""))
    text = " ".join(" ".join(words).split()) or " ".join(line.text.split())
    return replace(line, text=text, counterparty=" ".join(counterparty.split()), instructed=instructed)


def _amount(xml: _Xml, holder: Element, at: Element) -> tuple[Decimal, str]:
    """The signed ``Amt`` of an entry or balance (a debit, DBIT, is negative) and its currency."""
    element = holder.find("{*}Amt")
    mark = _text(holder, "CdtDbtInd")
    if element is None or mark not in ("CRDT", "DBIT"):
        raise StatementError(f"{xml.where(at)}: no amount (Amt) with its CdtDbtInd: ask the bank for the file again")
    size = _decimal(xml, element)
    return (-size if mark == "DBIT" else size), element.get("Ccy", "")


def _decimal(xml: _Xml, element: Element) -> Decimal:
    """An ``Amt`` element's amount, to the cent; any other text is an error naming its line."""
    text = (element.text or "").strip()
    if not _DECIMAL.match(text):
        raise StatementError(
            f"{xml.where(element)}: the amount {text!r} cannot be read as money: ISO 20022 writes amounts "
            "such as 1234.50; ask the bank for the file again"
        )
    return to_the_cent(Decimal(text), xml.where(element), text)


def _day(xml: _Xml, holder: Element, name: str) -> dt.date | None:
    """The date of a ``Dt`` or ``DtTm`` under ``name`` (the day of a date-time), else None."""
    element = holder.find(_path(f"{name}/Dt"))
    if element is None:
        element = holder.find(_path(f"{name}/DtTm"))
    if element is None:
        return None
    text = (element.text or "").strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise StatementError(
            f"{xml.where(element)}: the date {text!r} cannot be read: ISO 20022 writes dates such as 2017-01-02"
        ) from None


def _path(path: str) -> str:
    """An ElementTree path of local names, in any namespace: "A/B" -> "{*}A/{*}B"."""
    return "/".join(f"{{*}}{name}" for name in path.split("/"))


def _text(holder: Element, path: str) -> str:
    """The stripped text at ``path`` (local names), or ""."""
    element = holder.find(_path(path))
    return (element.text or "").strip() if element is not None else ""
