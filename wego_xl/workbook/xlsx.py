"""Workbook files with openpyxl: opening them safely, finance-style tables, atomic saves.

* :func:`open_workbook` opens a roster for reading or rewriting; a damaged, encrypted or
  non-workbook file is a one-line :class:`RosterError`.

* :func:`write_table` lays out one Excel table (ListObject) with a bold frozen header,
  number formats and column widths.
* :func:`write_cell` stores text that starts with = + - or @ as text, never a formula.
* :func:`check_not_open` refuses to write while Excel holds the file (its owner file
  ``~$NAME.xlsx`` sits beside it).
* :func:`save_atomically` writes a temporary file in the same folder, keeps the previous
  version as ``NAME.bak.xlsx`` and renames the new file into place, so a failure at any
  point leaves the original untouched.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import RosterError, SaveError, WorkbookBusyError
from .package import ROSTER_ENV, refuse_packaged

HEADER_FILL = "FFDCE6F1"


def open_workbook(path: Path, *, for_writing: bool = False):
    """The workbook, opened read-only for reading, or whole (macros kept) for rewriting it;
    a file that is not a usable workbook gives a one-line :class:`RosterError`."""
    import openpyxl  # heavy: imported on first load only

    if not path.exists():
        raise RosterError(
            "roster workbook not found", path=str(path), fix=f"give the path of the roster .xlsx, or set {ROSTER_ENV}"
        )
    if path.is_dir():
        raise RosterError("is a folder, not a workbook", path=str(path))
    if path.stat().st_size == 0:
        raise RosterError(
            "the file is empty (0 bytes), not a workbook",
            path=str(path),
            fix="restore it from the backup (.bak) or rebuild it",
        )
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as fh:
            head = fh.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise RosterError(
                "the file is password-protected or in the old .xls format; openpyxl reads only unprotected .xlsx/.xlsm",
                path=str(path),
                fix="in Excel remove the password (File > Info > Protect Workbook) or save as .xlsx",
            )
        raise RosterError(
            "not an Excel workbook (.xlsx): the file is not a zip package",
            path=str(path),
            fix="check the file name, or restore it from the backup",
        )
    try:
        if for_writing:
            return openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged packages
        raise damaged(exc, path) from None


def damaged(exc: BaseException, path: Path) -> RosterError:
    """A one-line error for a workbook openpyxl could not read, naming the root cause."""
    root = exc
    while (deeper := root.__cause__ or root.__context__) is not None:
        root = deeper
    if type(root).__module__.startswith("defusedxml"):
        return RosterError(
            f"the workbook holds XML entity declarations, which Excel never writes (a possible "
            f"'XML bomb'); refused ({type(root).__name__})",
            path=str(path),
            fix="do not use this file; restore the roster from the backup (.bak)",
        )
    detail = " ".join(f"{type(root).__name__}: {root}".split())
    return RosterError(
        f"the workbook is damaged or truncated ({detail})", path=str(path), fix="restore it from the backup (.bak)"
    )


def table_name(text: str) -> str:
    """An Excel table name made from ``text`` ("Fees 2016" -> "Fees_2016")."""
    name = re.sub(r"\W", "_", text)
    return name if re.match(r"[A-Za-z_]", name) else "T_" + name


def write_cell(ws, row: int, column: int, value: Any, number_format: str | None = None):
    """Write one cell; strings are always stored as text, never parsed as formulas."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    else:
        cell.value = value
    if number_format:
        cell.number_format = number_format
    return cell


def write_table(
    ws,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    name: str,
    top: int = 1,
    number_formats: dict[str, str] | None = None,
    widths: dict[str, float] | None = None,
    freeze: bool = True,
) -> str:
    """Write ``headers`` and ``rows`` as an Excel table starting at row ``top``; returns
    the table's range reference."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    number_formats = number_formats or {}
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    for c, header in enumerate(headers, start=1):
        cell = write_cell(ws, top, c, header)
        cell.font, cell.fill = bold, fill
    for r, values in enumerate(rows, start=top + 1):
        for c, (header, value) in enumerate(zip(headers, values), start=1):
            write_cell(ws, r, c, value, number_formats.get(header))
    last_row = top + max(len(rows), 1)
    ref = f"A{top}:{get_column_letter(len(headers))}{last_row}"
    table = Table(displayName=table_name(name), ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    for c, header in enumerate(headers, start=1):
        width = (widths or {}).get(header)
        if width is None:
            longest = max(
                [len(str(header))] + [len(str(v[c - 1])) for v in rows[:200] if c - 1 < len(v) and v[c - 1] is not None]
            )
            width = min(max(10, longest + 2), 60)
        ws.column_dimensions[get_column_letter(c)].width = width
    if freeze:
        ws.freeze_panes = ws.cell(row=top + 1, column=1)
    return ref


def owner_file(path: Path) -> Path:
    """The owner (lock) file Excel creates beside a workbook it has open."""
    return path.with_name("~$" + path.name)


def check_not_open(path: Path) -> None:
    """Raise :class:`WorkbookBusyError` if Excel has ``path`` open."""
    lock = owner_file(path)
    if lock.exists():
        raise WorkbookBusyError(f"{path.name} is open in Excel (found {lock.name}); close it in Excel and try again")


def backup_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def _mode_for(path: Path) -> int:
    """The permissions the saved file should have: the old file's, else the usual default."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def save_atomically(
    wb,
    path: Path,
    *,
    keep_backup: bool = True,
    before_replace: Callable[[Path], None] | None = None,
    into_package: bool = False,
) -> Path:
    """Save ``wb`` to ``path`` through a temporary file in the same folder.

    The previous file, if any, is copied to ``NAME.bak.EXT`` first. ``before_replace``
    (for tests) runs on the written temporary file just before it replaces ``path``.
    A file inside the installed package is refused unless ``into_package`` (the builders).
    """
    path = Path(path)
    if not into_package:
        refuse_packaged(path)
    check_not_open(path)
    folder = path.parent if str(path.parent) else Path(".")
    failure = None
    saved_hook = sys.unraisablehook
    # openpyxl's writer generators, cut short by a failed write, complain as they are
    # collected; the failure is reported below in one line instead.
    sys.unraisablehook = lambda unraisable: None
    try:
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=folder)
        except OSError as exc:
            raise SaveError(f"could not write in {folder}: {exc.strerror or exc}; nothing was changed") from None
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            wb.save(tmp)
            os.chmod(tmp, _mode_for(path))
            if before_replace:
                before_replace(tmp)
            if keep_backup and path.exists():
                shutil.copy2(path, backup_path(path))
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            failure = f"could not write {path}: {exc.strerror or exc}; nothing was changed"
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        gc.collect()
    finally:
        sys.unraisablehook = saved_hook
    if failure:
        raise SaveError(failure)
    return path
