"""Every error the toolkit raises, in one place.

Each error says which value broke which rule and what to do. ``excel_code`` is the
Excel error value a worksheet function shows for it (``#VALUE!``, ``#NUM!``, ``#N/A``).
"""

from __future__ import annotations


class WegoError(Exception):
    """Base class: a problem the user can fix, told in one line."""

    excel_code = "#VALUE!"


class InputError(WegoError, ValueError):
    """A value is not of the kind a rule needs (text where a number belongs)."""

    excel_code = "#VALUE!"


class OutOfRangeError(InputError):
    """A number that no rule accepts: negative, NaN, infinite, not a whole year."""

    excel_code = "#NUM!"


class ScheduleError(WegoError):
    """A fee schedule is malformed (bands unsorted or overlapping, wrong shape, negative fee)."""


class NoScheduleError(WegoError, LookupError):
    """No fee schedule is in effect for the fee year asked about."""

    excel_code = "#N/A"


class MemberNotFoundError(WegoError, LookupError):
    """A name is not on the roster; ``suggestions`` holds the closest roster names."""

    excel_code = "#N/A"

    def __init__(self, name: str, suggestions: list[str] | tuple[str, ...] = ()):
        self.name = name
        self.suggestions = tuple(suggestions)
        if self.suggestions:
            hint = "did you mean " + " or ".join(self.suggestions) + "?"
        else:
            hint = "check the spelling or add the member to the roster's Members sheet"
        super().__init__(f"{name!r} is not on the roster; {hint}")


class MissingDataError(WegoError, LookupError):
    """An input the fee needs is blank in the roster (a population, a GDP figure)."""

    excel_code = "#N/A"


class SheetError(WegoError):
    """A cell of a sheet cannot be read for sure (or the sheet lacks a column): the one error
    naming file, sheet, row, column, value and what to do, for a roster's sheet and a
    ledger's alike (built by :class:`wego_xl.store.sheets.SheetReader`)."""

    def __init__(
        self,
        problem: str,
        *,
        path: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        fix: str | None = None,
    ):
        self.problem = problem
        self.path, self.sheet, self.row, self.column = path, sheet, row, column
        self.value, self.fix = value, fix
        where = []
        if path:
            where.append(str(path))
        if sheet:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column!r}")
        text = (", ".join(where) + ": " if where else "") + problem
        if value is not None and repr(value)[:40] not in problem:  # not said twice
            text += f" (got {value!r})"
        if fix:
            text += f"; {fix}"
        super().__init__(" ".join(text.split()))  # always one line


class RosterError(SheetError):
    """The roster workbook cannot be used: not a workbook, a missing sheet or column, a bad cell."""


class PassedError(WegoError):
    """An Excel error value that arrived as an argument and is passed on unchanged."""

    def __init__(self, code: str):
        self.excel_code = code
        super().__init__(f"an input cell already shows {code}")


class FileError(WegoError):
    """A file cannot be read or written as asked: not found, wrong type, a folder not writable."""


class WorkbookBusyError(FileError):
    """Excel holds the workbook open, so writing it now could lose the user's edits."""


class StaleFileError(FileError):
    """The file changed on disk while a command was working on it; the other change is kept."""


class WouldLoseError(FileError):
    """Rewriting the file would drop parts of it the toolkit cannot keep (signatures, shapes...)."""


class SheetNameError(FileError):
    """A user's sheet takes the name of a sheet the refresh writes."""


class SaveError(FileError):
    """Writing a workbook failed; the file on disk is the one that was there before."""


class PackagedFileError(FileError):
    """A command would change a workbook inside the installed package."""


class WeoFormatError(FileError):
    """An IMF WEO file cannot be read for sure: unknown layout, no edition, a bad number."""
