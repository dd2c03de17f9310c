"""Workbook files with openpyxl: opening them safely, and finance-style tables.

* :func:`open_workbook` opens a roster for reading or rewriting; a damaged, encrypted or
  non-workbook file is a one-line :class:`RosterError`.
* :func:`write_table` lays out one Excel table (ListObject) with a bold frozen header,
  number formats and column widths.
* :func:`write_cell` stores text that starts with = + - or @ as text, never a formula.

Saving a changed workbook goes through :mod:`wego_xl.workbook.saving`, the one write path.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import RosterError
from .package import ROSTER_ENV

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
            fix="restore it from a backup in .wego-backups beside it (see README: to restore a backup)",
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
            fix="check the file name, or restore it from a backup in .wego-backups beside it",
        )
    try:
        with warnings.catch_warnings():
            # openpyxl warns of parts it cannot read ("extension is not supported"); the write
            # path refuses to lose them (saving.parts_openpyxl_drops), so the warning is noise
            warnings.simplefilter("ignore", UserWarning)
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
            fix="do not use this file; restore the roster from a backup in .wego-backups beside it",
        )
    detail = " ".join(f"{type(root).__name__}: {root}".split())
    return RosterError(
        f"the workbook is damaged or truncated ({detail})",
        path=str(path),
        fix="restore it from a backup in .wego-backups beside it",
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
