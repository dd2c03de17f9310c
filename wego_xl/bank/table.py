"""A bank's own export, a CSV file or an .xlsx workbook, read through a column mapping: a
TOML file (or the dict it parses to) naming the columns by their header text::

    [columns]
    date = "거래일자"            # required
    credit = "입금액"            # a credit and a debit column, or one signed amount = "금액"
    debit = "출금액"
    text = ["적요", "내용"]       # one or several columns, joined with a space
    balance = "잔액"             # optional: the running balance, checked line by line
    # optional: currency, counterparty, reference, account
    [statement]
    account = "123-456-789"      # unless a column gives it
    currency = "USD"             # unless a column gives it
    date_format = "%Y.%m.%d"     # optional; ISO dates, date cells and 2017.01.02-style dates read anyway
    sheet = "거래내역"            # optional: the workbook's sheet (else its first)

The header row is the row, among the first 30, that holds every mapped header (title rows
above it are passed over; spaces in headers do not count). Blank rows and a last row without
a date (a totals row) are passed over; any other row that cannot be read refuses the file.
A line's ``line`` is its row in the workbook, or its first line in the CSV file. With a
running balance, the lines must chain (previous balance + amount = balance), in the file's
order or, as Korean exports are newest first, in reverse: then they are put in date order.

The sheet, header and date readers are shared with the rate files (:mod:`.rates`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import tomllib
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..errors import InputError, WegoError
from ..rules.bank import BankLine, BankStatement
from ..rules.inputs import _decimal, is_blank
from .statements import OLE2_MAGIC, ZIP_MAGIC, StatementError, to_the_cent

#: How far down the header row is looked for.
HEADER_ROWS = 30
#: The mapping's columns and settings for a statement; True: required.
STATEMENT_COLUMNS = dict.fromkeys(("amount", "credit", "debit", "currency", "text", "counterparty", "balance",
                                   "reference", "account"), False) | {"date": True}  # fmt: skip
STATEMENT_SETTINGS = dict.fromkeys(("account", "currency", "date_format", "sheet", "delimiter"), False)
_DAY = re.compile(r"^(\d{4})([-./]?)(\d{1,2})\2(\d{1,2})\.?(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


@dataclass(frozen=True)
class Sheet:
    """The rows of a CSV file or a workbook's sheet, each with its number in the file."""

    source: str  # the file's name
    unit: str  # "row" (a workbook) or "line" (a CSV file)
    rows: list[tuple[int, tuple[Any, ...]]]

    def where(self, number: int) -> str:
        return f"{self.source}, {self.unit} {number}"


def read_table(path: Path, data: bytes, mapping: Path | dict) -> list[BankStatement]:
    """The statements in a bank's export: one per account and currency, in file order."""
    name, parsed = load_mapping(mapping, StatementError)
    columns, settings = _statement_mapping(name, parsed)
    sheet = read_sheet(path, data, StatementError, settings.get("sheet"), settings.get("delimiter"))
    header_at, found = find_header(sheet, columns, name, StatementError)
    by_account: dict[tuple[str, str], list[BankLine]] = {}
    for line in _lines(sheet, sheet.rows[header_at + 1 :], found, columns, settings):
        by_account.setdefault((line.account, line.currency), []).append(line)
    if not by_account:
        raise StatementError(
            f"{sheet.where(sheet.rows[header_at][0])}: no lines below the header row: export the statement again"
        )
    return [_statement(sheet, lines) for lines in by_account.values()]


def load_mapping(mapping: Path | dict, error: type[InputError]) -> tuple[str, dict[str, Any]]:
    """The mapping's name for messages and its content: a TOML file read, or a dict as it is."""
    if isinstance(mapping, dict):
        return "the mapping", mapping
    path = Path(mapping)
    try:
        return path.name, tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise error(f"{path.name}: no such mapping file ({path}): check its name and folder") from None
    except (OSError, UnicodeDecodeError) as e:
        raise error(f"{path.name}: the mapping cannot be read ({e}): save it as UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise error(f"{path.name}: the mapping is not valid TOML ({e}): correct it (see the example)") from None


def section(name: str, parsed: dict[str, Any], key: str, allowed: Mapping[str, bool], error: type[InputError]) -> dict:
    """The mapping's ``[key]`` table, its keys checked against ``allowed`` (True: required)
    and each value a text (or, for ``text``, a list of texts)."""
    table = parsed.get(key, {})
    if not isinstance(table, dict):
        raise error(f"{name}: [{key}] must be a table of names and texts, got {table!r}")
    unknown = sorted(set(table) - set(allowed))
    missing = sorted(k for k, required in allowed.items() if required and k not in table)
    if unknown or missing:
        problem = (
            f"no key {', '.join(unknown)}"
            if unknown
            else f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"
        )
        raise error(f"{name}: in [{key}], {problem}: the keys are {', '.join(allowed)}")
    for item, value in table.items():
        texts = value if item == "text" and isinstance(value, list) else [value]
        if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
            raise error(f'{name}: in [{key}], {item} must be a text such as "거래일자", got {value!r}')
    return table


def _statement_mapping(name: str, parsed: dict[str, Any]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The mapped columns (each key to its headers) and the [statement] settings, checked."""
    unknown = sorted(set(parsed) - {"columns", "statement"})
    if unknown:
        raise StatementError(f"{name}: no section [{unknown[0]}]; a statement mapping has [columns] and [statement]")
    table = section(name, parsed, "columns", STATEMENT_COLUMNS, StatementError)
    settings = section(name, parsed, "statement", STATEMENT_SETTINGS, StatementError)
    columns = {k: (v if isinstance(v, list) else [v]) for k, v in table.items()}
    if ("amount" in columns) == ("credit" in columns or "debit" in columns) or ("credit" in columns) != (
        "debit" in columns
    ):
        raise StatementError(f"{name}: in [columns], give either amount (signed) or both credit and debit")
    for key in ("account", "currency"):
        if key not in columns and key not in settings:
            raise StatementError(f"{name}: give the {key} in [statement] (or a column for it in [columns])")
    if settings.get("delimiter", ",") not in (",", ";", "\t", "|"):
        raise StatementError(f'{name}: the delimiter {settings["delimiter"]!r} is none of , ; | or a tab ("\\t")')
    return columns, settings


def read_sheet(
    path: Path, data: bytes, error: type[InputError], sheet_name: str | None = None, delimiter: str | None = None
) -> Sheet:
    """The rows of an .xlsx workbook's sheet (its first unless named) or of a CSV file (UTF-8,
    with or without a BOM, else the CP949 of Korean banks; fields separated by ``delimiter``,
    a comma unless the mapping names another, such as the semicolon of European banks)."""
    if data.startswith(OLE2_MAGIC) or data[:512].lstrip().lower().startswith((b"<html", b"<!doctype", b"<table")):
        raise error(f"{path.name} is an old .xls workbook or a web page: open it in Excel and save it as .xlsx")
    if not data.startswith(ZIP_MAGIC):
        return _csv_sheet(path.name, data, error, delimiter or ",")
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise error(f"{path.name} is not an .xlsx workbook that can be read ({e}): save it again from Excel") from None
    try:
        if sheet_name is not None and sheet_name not in book.sheetnames:
            raise error(f"{path.name} has no sheet {sheet_name!r}; its sheets are {', '.join(book.sheetnames)}")
        ws = book[sheet_name] if sheet_name is not None else book.worksheets[0]
        ws.reset_dimensions()  # some exports state a wrong size: read every row there is
        rows = [(number, tuple(row)) for number, row in enumerate(ws.iter_rows(values_only=True), 1)]
    finally:
        book.close()
    return Sheet(path.name, "row", rows)


def _csv_sheet(source: str, data: bytes, error: type[InputError], delimiter: str) -> Sheet:
    """A CSV file's records, each numbered by its first line."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise error(f"{source} is neither UTF-8 nor CP949 (EUC-KR) text: save it from Excel as CSV UTF-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, tuple[Any, ...]]] = []
    first = 1
    try:
        for record in reader:
            rows.append((first, tuple(record)))
            first = reader.line_num + 1
    except csv.Error as e:
        raise error(f"{source}, line {first}: the CSV cannot be read ({e}): save it again from Excel") from None
    return Sheet(source, "line", rows)


def squeezed(value: object) -> str:
    """A header as compared: its text without any spaces."""
    return "".join(str(value).split()) if value is not None else ""


def find_header(
    sheet: Sheet, columns: Mapping[str, list[str]], mapping: str, error: type[InputError]
) -> tuple[int, dict[str, list[int]]]:
    """The header row's index in ``sheet.rows`` and each mapped key's column indexes: the
    first row of the first 30 that holds every mapped header."""
    wanted = [header for headers in columns.values() for header in headers]
    best: tuple[int, set[str]] = (0, set())
    for index, (_, values) in enumerate(sheet.rows[:HEADER_ROWS]):
        present: dict[str, int] = {}
        for column, value in enumerate(values):
            present.setdefault(squeezed(value), column)
        if all(squeezed(h) in present for h in wanted):
            return index, {key: [present[squeezed(h)] for h in headers] for key, headers in columns.items()}
        held = {h for h in wanted if squeezed(h) in present}
        if len(held) > len(best[1]):
            best = (index, held)
    missing = ", ".join(repr(h) for h in wanted if h not in best[1])
    near = f" ({sheet.where(sheet.rows[best[0]][0])} holds the others)" if best[1] else ""
    raise error(
        f"{sheet.source}: no row among the first {HEADER_ROWS} holds the column {missing} that {mapping} names{near}: "
        "correct the header in the mapping's [columns] to the file's"
    )


def has_date(value: object) -> bool:
    """False for a blank or a text without digits ("합계", "Total"): no date was meant."""
    return not is_blank(value) and not (isinstance(value, str) and not any(c.isdigit() for c in value))


def read_day(value: object, what: str, error: type[InputError], date_format: str | None = None) -> dt.date:
    """A date from a date cell or text: ``date_format`` if given, ISO (2017-01-02, 20170102,
    2017-01-02T14:22:10+09:00), or a year-month-day such as 2017.01.02 or 2017/01/02, with or
    without a time after it (the day is taken)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        day = _day_of(str(value).strip(), date_format)
        if day is not None:
            return day
    shown = f" (or as the mapping's date_format {date_format!r} says)" if date_format else ""
    raise error(f"{what} {value!r} cannot be read as a date: write it as 2017-01-02{shown}")


def _day_of(text: str, date_format: str | None) -> dt.date | None:
    if date_format:
        with contextlib.suppress(ValueError):
            return dt.datetime.strptime(text, date_format).date()
    with contextlib.suppress(ValueError):
        return dt.datetime.fromisoformat(text).date()
    match = _DAY.match(text)
    if match and (match.group(2) or (len(match.group(3)) == 2 and len(match.group(4)) == 2)):
        with contextlib.suppress(ValueError):
            return dt.date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
    return None


def _lines(sheet: Sheet, body: list, found: dict[str, list[int]], columns: dict, settings: dict) -> list[BankLine]:
    """The bank lines of the rows below the header; blank rows and a last row without a date
    (a totals row) passed over."""
    rows = [(number, values) for number, values in body if not all(is_blank(v) for v in values)]
    lines = []
    for index, (number, values) in enumerate(rows):
        cells = {key: [values[i] if i < len(values) else None for i in at] for key, at in found.items()}
        if not has_date(cells["date"][0]):
            if index == len(rows) - 1:
                continue
            raise StatementError(
                f"{sheet.where(number)}: no date in the column {columns['date'][0]!r} "
                f"(got {cells['date'][0]!r}): a line needs its date; correct the row or delete it"
            )
        lines.append(_line(sheet, number, cells, columns, settings))
    return lines


def _line(sheet: Sheet, number: int, cells: dict[str, list[Any]], columns: dict, settings: dict) -> BankLine:
    """One row as a bank line."""
    where = sheet.where(number)
    what = f"{where}: the date in the column {columns['date'][0]!r}"
    booked = read_day(cells["date"][0], what, StatementError, settings.get("date_format"))
    if "amount" in cells:
        amount = _money(cells["amount"][0], where, columns["amount"][0])
    else:
        amount = _credit_less_debit(cells, where, columns)
    balance = _money(cells["balance"][0], where, columns["balance"][0]) if "balance" in cells else None
    account = _cell_text(cells["account"][0]) if "account" in cells else str(settings["account"])
    currency = (_cell_text(cells["currency"][0]) if "currency" in cells else str(settings["currency"])).upper()
    if not account or not currency:
        raise StatementError(f"{where}: the {'account' if not account else 'currency'} is blank: fill it in")
    return BankLine(
        source=sheet.source, line=number, account=account, statement="", booked=booked, value_date=booked,
        amount=amount, currency=currency, balance=balance,
        text=" ".join(" ".join(_cell_text(v) for v in cells.get("text", [])).split()),
        counterparty=" ".join(_cell_text(cells.get("counterparty", [None])[0]).split()),
        reference=_cell_text(cells.get("reference", [None])[0]),
    )  # fmt: skip


def _credit_less_debit(cells: dict[str, list[Any]], where: str, columns: dict) -> Decimal:
    """A row's credit less its debit; one of them may be blank or 0, not both filled."""
    credit, debit = (
        Decimal(0) if is_blank(cells[k][0]) else _money(cells[k][0], where, columns[k][0]) for k in ("credit", "debit")
    )
    if credit < 0 or debit < 0:
        column = columns["credit" if credit < 0 else "debit"][0]
        raise StatementError(
            f"{where}: a negative amount in the column {column!r}, which the mapping says holds "
            "credits or debits only: map the file's signed amount column as amount instead"
        )
    if credit and debit:
        raise StatementError(
            f"{where}: both a credit ({credit:,.2f}) and a debit ({debit:,.2f}) on one row: a line is one or the "
            "other; correct the row"
        )
    return credit - debit


def _money(value: object, where: str, column: str) -> Decimal:
    """A cell's amount, read as the project reads money (:func:`~wego_xl.rules.inputs.read_money`'s
    reading of the typed amount), to the cent; no upper limit, as KRW balances run to billions."""
    try:
        number = _decimal(value, f"{where}: the amount in the column {column!r}")
    except WegoError as e:
        raise StatementError(str(e)) from None
    return to_the_cent(number, where, value)


def _cell_text(value: object) -> str:
    """A cell as text: a whole number without ".0", a blank as ""."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _statement(sheet: Sheet, lines: list[BankLine]) -> BankStatement:
    """The lines of one account as a statement, in date order; its balances from the running
    balance when the file gives one."""
    first = lines[0]
    opening = closing = None
    if first.balance is not None:
        lines = _in_date_order(sheet, lines)
        opening = _balance(lines[0]) - lines[0].amount
        closing = _balance(lines[-1])
    return BankStatement(
        source=sheet.source, account=first.account, number="", currency=first.currency,
        opening=opening, opening_date=lines[0].booked if opening is not None else None,
        closing=closing, closing_date=lines[-1].booked if closing is not None else None, lines=tuple(lines),
    )  # fmt: skip


def _balance(line: BankLine) -> Decimal:
    assert line.balance is not None  # every line of a file with a balance column has one
    return line.balance


def _break(lines: list[BankLine]) -> int | None:
    """The index of the first line whose balance is not the previous balance plus its amount."""
    for index, (before, line) in enumerate(pairwise(lines), 1):
        if _balance(before) + line.amount != _balance(line):
            return index
    return None


def _in_date_order(sheet: Sheet, lines: list[BankLine]) -> list[BankLine]:
    """The lines in the order their running balances chain: the file's, else reversed."""
    if _break(lines) is None:
        return lines
    if _break(lines[::-1]) is None:
        return lines[::-1]
    order = lines[::-1] if lines[0].booked > lines[-1].booked else lines
    at = _break(order) or 1
    line, before = order[at], order[at - 1]
    raise StatementError(
        f"{sheet.where(line.line)}: the balance {_balance(line):,.2f} is not the balance of {sheet.unit} "
        f"{before.line} ({_balance(before):,.2f}) plus the amount {line.amount:,.2f}, in the file's order or in "
        "reverse: check the mapping's amount and balance columns, or ask the bank for the export again"
    )
