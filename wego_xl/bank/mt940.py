"""SWIFT MT940 customer statements, read with the maintained ``mt-940`` parser.

A file may hold the SWIFT envelope (``{1:...}{2:...}{4:`` ... ``-}``), CRLF or LF line ends,
and several statements (each from its ``:20:``), each read with its own balances. Before the
parser sees a statement, every ``:61:`` line and balance is checked here, so an amount or a
date that cannot be read is refused naming its line, never read as something else.

Signs as SWIFT defines the debit/credit mark: C and RD (reversal of a debit) are money in,
D and RC (reversal of a credit) money out, negative. The bank's reference is what follows
``//`` in ``:61:``. A structured ``:86:`` (``166?00...?20...``) gives the remittance text from
``?20``-``?29`` and ``?60``-``?63`` and the payer's name from ``?32``/``?33``; free ``:86:`` text is
the remittance text, its lines joined with spaces.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import mt940

from ..rules.bank import BankLine, BankStatement
from ..rules.ledger import CENT
from .statements import StatementError

#: The SWIFT envelope before the text block: basic, application and user header blocks.
_ENVELOPE = re.compile(r"^(?:\{[1-3]:(?:[^{}]|\{[^{}]*\})*\})*\{4:")
_MESSAGE_TYPE = re.compile(r"\{2:[IO](\d{3})")
#: :61: value date, [entry date], mark, [funds code], amount, then the rest from the type code.
_STATEMENT_LINE = re.compile(
    r"^:61:(?P<date>\d{6})(?P<entry>\d{4}|\s{4})?(?P<mark>R?[DC])(?P<funds>[A-Z])?[ ]?(?P<amount>[\d,.]*)(?P<rest>.*)$",
    re.IGNORECASE,
)
_BALANCE = re.compile(r"^:6[0245][FM]?:(?P<mark>[DC])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>.*)$")
_BALANCE_TAG = re.compile(r"^:6[0245][FM]?:")
_SWIFT_AMOUNT = re.compile(r"^\d+(,\d{0,2})?$")
_TYPE_CODE = re.compile(r"^[NSF][A-Z0-9]{3}", re.IGNORECASE)

logging.getLogger("mt940").addHandler(logging.NullHandler())  # its parse errors are ours to tell, in one line

Lines = list[tuple[int, str]]


def read_mt940(source: str, data: bytes) -> list[BankStatement]:
    """The statements in an MT940 file, in file order."""
    text = data.decode("utf-8-sig") if _is_utf8(data) else data.decode("latin-1")
    return [_statement(source, block) for block in _statements(source, _text_lines(source, text))]


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _text_lines(source: str, text: str) -> Lines:
    """The lines of the statements' text, numbered as in the file, without the SWIFT envelope."""
    kept: Lines = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r").rstrip()
        envelope = _ENVELOPE.match(line)
        if envelope:
            kind = _MESSAGE_TYPE.search(line)
            if kind and kind.group(1) not in ("940", "950"):
                raise StatementError(
                    f"{source}, line {number}: a SWIFT MT{kind.group(1)} message, not a statement: "
                    "ask the bank for the MT940 statement"
                )
            line = line[envelope.end() :]
        if line.startswith(("-}", "{5:")) or line == "-":
            continue
        if line:
            kept.append((number, line))
    return kept


def _statements(source: str, lines: Lines) -> list[Lines]:
    """The lines split into statements, each from its ``:20:``."""
    blocks: list[Lines] = []
    for number, line in lines:
        if line.startswith(":20:"):
            blocks.append([])
        elif not blocks:
            raise StatementError(
                f"{source}, line {number}: {line[:40]!r} comes before the statement's first field (:20:): "
                "ask the bank for the MT940 file again"
            )
        blocks[-1].append((number, line))
    if not blocks:
        raise StatementError(f"{source}: no MT940 statement (:20:) in the file: ask the bank for the file again")
    return blocks


def _statement(source: str, block: Lines) -> BankStatement:
    """One statement, its fields checked here, then read by the parser."""
    statement_lines = [number for number, line in block if line.startswith(":61:")]
    for number, line in block:
        if line.startswith(":61:"):
            _check_statement_line(source, number, line)
        elif _BALANCE_TAG.match(line):
            _check_balance(source, number, line)
    start = f"{source}, line {block[0][0]}"
    parsed = mt940.models.Transactions(options=mt940.Options.all())
    try:
        parsed.parse("\n".join(line for _, line in block))
    except (ArithmeticError, LookupError, RuntimeError, TypeError, ValueError) as e:
        raise StatementError(f"{start}: the statement cannot be read ({e}): ask the bank for it again") from None
    if len(parsed) != len(statement_lines):
        raise StatementError(f"{start}: the statement's :61: lines cannot all be read: ask the bank for it again")
    data = parsed.data
    opening = (
        data.get("final_opening_balance") or data.get("intermediate_opening_balance") or data.get("opening_balance")
    )
    closing = (
        data.get("final_closing_balance") or data.get("intermediate_closing_balance") or data.get("closing_balance")
    )
    if opening is None or closing is None:
        missing = "opening (:60F:)" if opening is None else "closing (:62F:)"
        raise StatementError(f"{start}: the statement has no {missing} balance: ask the bank for it again")
    account = str(data.get("account_identification") or "").strip()
    numbered = "/".join(str(data[k]) for k in ("statement_number", "sequence_number") if data.get(k))
    currency = parsed.currency or ""
    lines = [_line(source, n, t.data, account, numbered, currency) for n, t in zip(statement_lines, parsed)]
    return BankStatement(
        source=source, account=account, number=numbered, currency=currency,
        opening=opening.amount.amount.quantize(CENT), opening_date=_date(opening.date),
        closing=closing.amount.amount.quantize(CENT), closing_date=_date(closing.date), lines=tuple(lines),
    )  # fmt: skip


def _line(source: str, number: int, data: dict[str, Any], account: str, statement: str, currency: str) -> BankLine:
    """One ``:61:`` line and its ``:86:`` as a bank line."""
    value_date = _date(data["date"])
    if "transaction_code" in data:  # a structured :86:, parsed
        words = [data.get("purpose"), data.get("additional_purpose")]
        counterparty = str(data.get("applicant_name") or "")
    else:
        words = [data.get("transaction_details")]
        counterparty = ""
    reference = str(data.get("bank_reference") or "").strip()
    return BankLine(
        source=source, line=number, account=account, statement=statement,
        booked=_date(data.get("entry_date") or data["date"]), value_date=value_date,
        amount=data["amount"].amount.quantize(CENT), currency=currency,
        text=" ".join(" ".join(str(w) for w in words if w).split()),
        counterparty=" ".join(counterparty.split()),
        reference="" if reference.upper() == "NONREF" else reference,
    )  # fmt: skip


def _check_statement_line(source: str, number: int, line: str) -> None:
    """Refuse a ``:61:`` line whose date, mark or amount cannot be read for sure."""
    where = f"{source}, line {number}"
    match = _readable(where, _STATEMENT_LINE, line, "the statement line", "date YYMMDD, C or D, then the amount")
    if not _TYPE_CODE.match(match.group("rest")):
        raise StatementError(
            f"{where}: the amount in {line[:40]!r} cannot be read as money: no transaction type (such as NTRF) "
            "follows it; ask the bank for the file again"
        )


def _check_balance(source: str, number: int, line: str) -> None:
    """Refuse a balance whose mark, date, currency or amount cannot be read for sure."""
    _readable(f"{source}, line {number}", _BALANCE, line, "the balance", "C or D, date YYMMDD, currency, amount")


def _readable(where: str, layout: re.Pattern[str], line: str, what: str, fields: str) -> re.Match[str]:
    """The fields of ``line`` as ``layout`` reads them, its date and amount checked; refused,
    naming ``what`` and the ``fields`` expected, when they cannot be read for sure."""
    match = layout.match(line)
    if match is None:
        raise StatementError(
            f"{where}: {what} {line[:40]!r} cannot be read ({fields}): ask the bank for the file again"
        )
    _check_date(where, match.group("date"))
    _check_amount(where, match.group("amount"))
    return match


def _check_date(where: str, text: str) -> None:
    try:
        dt.date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        raise StatementError(
            f"{where}: the date {text!r} (YYMMDD) is no date: ask the bank for the file again"
        ) from None


def _check_amount(where: str, text: str) -> None:
    if not _SWIFT_AMOUNT.match(text):
        raise StatementError(
            f"{where}: the amount {text!r} cannot be read as money: SWIFT writes amounts with one decimal comma "
            "and at most two decimals, e.g. 1234,50; ask the bank for the file again"
        )


def _date(value: dt.date) -> dt.date:
    """A plain date (the parser's dates are a subclass)."""
    return dt.date(value.year, value.month, value.day)
