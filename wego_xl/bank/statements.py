"""Bank statement files read into statements, whatever the bank sends: an ISO 20022
camt.053 statement or camt.054 notification (:mod:`.camt`), a SWIFT MT940 statement
(:mod:`.mt940`), or a CSV or Excel export read through a column mapping (:mod:`.table`).

The format is told by the file's content, not its name. A file is read whole or not at
all: one line that cannot be read refuses the file in one line naming the file, the line
and the value. Every statement returned adds up (:meth:`BankStatement.check`) and its lines
are numbered apart (:func:`number_occurrences`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from ..errors import InputError
from ..rules.bank import BankStatement, number_occurrences

#: The first bytes of an .xlsx file (a zip archive) and of an old .xls file (OLE2).
ZIP_MAGIC, OLE2_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
_CAMT = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.05\d\.")
_MT940 = re.compile(rb"^(?:\{1:|:20:)", re.MULTILINE)


class StatementError(InputError):
    """A statement file cannot be read for sure: an unknown layout, an amount or a date that
    cannot be read, a missing column or balance."""


def read_statements(path: Path, mapping: Path | dict | None = None) -> list[BankStatement]:
    """The statements in a bank's file: camt.053/.054, MT940, or a CSV or .xlsx export read
    through ``mapping`` (a TOML file or the dict it parses to, see :mod:`.table`)."""
    path = Path(path)
    data = read_bytes(path, StatementError)
    kind = file_kind(path.name, data)
    if kind == "camt":
        from .camt import read_camt

        statements = read_camt(path.name, data)
    elif kind == "mt940":
        from .mt940 import read_mt940

        statements = read_mt940(path.name, data)
    else:
        from .table import read_table

        if mapping is None:
            raise StatementError(
                f"{path.name} is a bank's own export, not a camt or MT940 statement: give the columns to read "
                "with --mapping FILE (a TOML file naming the date, amount and text columns)"
            )
        statements = read_table(path, data, mapping)
    return [finished(statement) for statement in statements]


def read_bytes(path: Path, error: type[InputError]) -> bytes:
    """The file's bytes; a missing or unreadable file is an ``error`` in one line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path.name}: no such file ({path}): check the file's name and folder") from None
    except OSError as e:
        raise error(f"{path.name} cannot be read ({e.strerror}): close it in other programs and try again") from None
    if not data.strip():
        raise error(f"{path.name} is empty: download the file again")
    return data


def file_kind(source: str, data: bytes) -> str:
    """What a file holds, by its content: "camt", "mt940", "xlsx" or "csv". An old .xls
    workbook or a web page saved as .xls is refused, saying how to save it."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        raise StatementError(f"{source} is an old Excel 97-2003 workbook (.xls): open it in Excel and save it as .xlsx")
    if head.startswith(b"<"):
        if _CAMT.search(head):
            return "camt"
        raise StatementError(
            f"{source} is XML or a web page but not an ISO 20022 camt.053/camt.054 statement: ask the bank "
            "for camt.053, or open the file in Excel and save it as .xlsx"
        )
    if _MT940.search(head):
        return "mt940"
    return "csv"


def finished(statement: BankStatement) -> BankStatement:
    """The statement with its lines numbered apart, once it is checked to add up."""
    done = replace(statement, lines=tuple(number_occurrences(statement.lines)))
    done.check()
    return done


def to_the_cent(number: Decimal, where: str, value: object) -> Decimal:
    """An exact amount kept to the cent; a third decimal is refused, never rounded."""
    if not number.is_finite():
        raise StatementError(f"{where}: the amount {value!r} is not a number: ask the bank for the file again")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise StatementError(
            f"{where}: the amount {value!r} has more than two decimals: money is kept to the cent; "
            "ask the bank for the file again"
        )
    return number.quantize(Decimal("0.01"))
