"""Writing workbooks safely with openpyxl: finance-style tables and atomic saves.

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
from pathlib import Path
from typing import Any, Callable, Sequence

from .errors import WegoError, WorkbookBusyError

HEADER_FILL = "FFDCE6F1"


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
            longest = max([len(str(header))] + [len(str(v[c - 1])) for v in rows[:200] if c - 1 < len(v) and v[c - 1] is not None])
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
        raise WorkbookBusyError(
            f"{path.name} is open in Excel (found {lock.name}); close it in Excel and try again"
        )


def backup_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def _mode_for(path: Path) -> int:
    """The permissions the saved file should have: the old file's, else the usual default."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def save_atomically(wb, path: Path, *, keep_backup: bool = True,
                    before_replace: Callable[[Path], None] | None = None) -> Path:
    """Save ``wb`` to ``path`` through a temporary file in the same folder.

    The previous file, if any, is copied to ``NAME.bak.EXT`` first. ``before_replace``
    (for tests) runs on the written temporary file just before it replaces ``path``.
    """
    path = Path(path)
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
            raise WegoError(f"could not write in {folder}: {exc.strerror or exc}; nothing was changed") from None
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
        raise WegoError(failure)
    return path
