"""One reader of sheets: a sheet's rows found by their headers, each cell read through the
one reading of values (:mod:`wego_xl.rules.inputs`), and every problem of a cell built one
way, as a :class:`~wego_xl.errors.SheetError` naming file, sheet, row, column, value and
what to do. The roster's sheets, the workbook ledger, the Post sheet and the bank's review
workbook are all read with it."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from ..errors import InputError, SheetError, WegoError
from ..rules.inputs import is_blank, read_amount, read_year
from .xlsx import sheet_records

T = TypeVar("T")
E = TypeVar("E", bound=SheetError)

#: What to do about a year that cannot be read.
YEAR_FIX = "type a four-digit year such as 2015, or leave it blank"


def cell_text(value: object) -> str:
    """A cell as text, stripped: blank for an empty cell, 2016 (not 2016.0) for a whole number."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_date(value: object) -> dt.date | None:
    """A date cell's day; None for anything that is not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


class SheetReader(Generic[E]):
    """Reads one sheet of a workbook file and builds each problem of its cells one way: an
    error of ``kind`` (:class:`SheetError`; :class:`RosterError` for the roster's sheets)
    naming the file, the sheet, the row, the column, the value and what to do. Problems
    recorded while the rest of the sheet is read are in :attr:`problems`."""

    def __init__(self, path: str | os.PathLike | None, sheet: str, kind: type[E]):
        self.path = str(path) if path else None
        self.sheet = sheet
        self.kind = kind
        self.problems: list[E] = []

    def rows(
        self, wb: Any, wanted: Iterable[str], fix: str, optional: Iterable[str] = (), *, any_cell: bool = False
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number, {header: value}) for each filled row below the header row, its columns
        found by header (see :func:`~wego_xl.store.xlsx.sheet_records`); a missing sheet or
        column, or a column twice, stops the read naming it, as this reader's ``kind``."""
        yield from sheet_records(
            wb, Path(self.path or "."), self.sheet, wanted, fix, optional, any_cell=any_cell, kind=self.kind
        )

    def error(self, row: int | None, column: str | None, value: object, problem: str, fix: str) -> E:
        """The problem of one cell: where it is, the value, what is wrong and what to do."""
        return self.kind(problem, path=self.path, sheet=self.sheet, row=row, column=column, value=value, fix=fix)

    def problem(self, row: int, column: str, value: object, problem: str, fix: str) -> None:
        """Record the problem of one cell; the rest of the sheet is still read."""
        self.problems.append(self.error(row, column, value, problem, fix))

    def read(self, row: int, column: str, value: object, read: Callable[[Any], T], fix: str) -> T | None:
        """``value`` read by ``read`` (a reader of :mod:`~wego_xl.rules.inputs`); None, with the
        problem recorded, when it cannot be read."""
        try:
            return read(value)
        except WegoError as exc:
            self.problem(row, column, value, str(exc), fix)
            return None

    def number(self, row: int, column: str, value: object, kind: str, fix: str) -> float | None:
        """A number of 0 or more, read as every reader reads one (text "975,453" included);
        None for a blank; a problem, recorded with its place, for anything else."""
        if is_blank(value):
            return None
        return self.read(row, column, value, lambda v: read_amount(v, column, kind), fix)

    def year(self, row: int, column: str, value: object) -> int | None:
        """A year (2016, "2016", a date's year); None for a blank; a problem otherwise."""
        return self.read(row, column, value, lambda v: read_year(v, column), YEAR_FIX)

    def required(self, row: int, record: dict[str, Any], column: str, read: Callable[[Any], T | None], fix: str) -> T:
        """A cell that must hold a value (an amount of money, a date), read by ``read``: a
        blank, or a value ``read`` refuses as of the wrong kind, stops the read naming the
        cell (money is never skipped or guessed)."""
        value = record.get(column)
        try:
            found = read(value)
        except (InputError, ValueError, TypeError) as exc:
            found, why = None, str(exc)
        else:
            why = "is blank"
        if found is None:
            raise self.error(row, column, value, why if value is not None else "is blank", fix)
        return found
