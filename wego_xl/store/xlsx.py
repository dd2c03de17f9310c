"""Workbook files with openpyxl: opening them safely, and finance-style tables.

* :func:`open_workbook` opens a roster for reading or rewriting; a damaged, encrypted or
  non-workbook file is a one-line :class:`RosterError`.
* :func:`write_table` lays out one Excel table (ListObject) with a bold frozen header,
  number formats and column widths.
* :func:`write_cell` stores text that starts with = + - or @ as text, never a formula.

Saving a changed workbook goes through :mod:`wego_xl.store.saving`, the one write path.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import RosterError, SheetError
from ..rules.inputs import refuse_control_characters
from .package import ROSTER_ENV

HEADER_FILL = "FFDCE6F1"


def file_stamp(path: Path) -> tuple[int, int]:
    """(modification time in ns, size) of a file, or (-1, -1): what a cache is keyed on."""
    try:
        st = path.stat()
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


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
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:  # no permission to read it (chmod 000), or a file another program locks
        raise unreadable(exc, path) from None
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
        # openpyxl warns of parts it cannot read ("extension is not supported"); the write path
        # refuses to lose them (saving.parts_openpyxl_drops). The adapters (cli.py, udfs.py) own
        # the process and silence that warning (excel/hosts.quiet_openpyxl); a library never changes filters.
        if for_writing:
            return openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged packages
        raise damaged(exc, path) from None


def unreadable(exc: OSError, path: Path) -> RosterError:
    """A one-line error for a workbook the system would not let us read."""
    why = exc.strerror or type(exc).__name__
    return RosterError(
        f"cannot read the workbook ({why})",
        path=str(path),
        fix="give yourself permission to read it (macOS/Linux: chmod u+rw FILE; Windows: Properties > Security), "
        "or close the program that holds it, then run the command again",
    )


def damaged(exc: BaseException, path: Path) -> RosterError:
    """A one-line error for a workbook openpyxl could not read, naming the root cause."""
    root = exc
    while (deeper := root.__cause__ or root.__context__) is not None:
        root = deeper
    if isinstance(root, (PermissionError, IsADirectoryError)):
        return unreadable(root, path)
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
    """Write one cell; strings are always stored as text, never parsed as formulas. Text a
    workbook cannot keep (control characters other than tab and line breaks, undecodable
    bytes) is refused naming the sheet, the cell and the value, before anything is saved."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        refuse_control_characters(value, f"the text for {ws.title!r}!{cell.coordinate}")
        cell.value = value
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    else:
        cell.value = value
    if number_format:
        cell.number_format = number_format
    return cell


def header_columns(ws, add: Iterable[str] = ()) -> dict[str, int]:
    """The column number of each header in row 1. A header of ``add`` that the row lacks is
    written after the last column first."""
    headers = {str(cell.value): cell.column for cell in ws[1] if cell.value not in (None, "")}
    for header in add:
        if header not in headers:
            column = ws.max_column + 1
            ws.cell(1, column).value = header
            headers[header] = column
    return headers


def extend_tables(ws, last_row: int) -> None:
    """Grow each table on ``ws`` down to ``last_row`` (a table already longer stays as it is)."""
    from openpyxl.utils import get_column_letter, range_boundaries

    for table in ws.tables.values():
        first_col, first_row, last_col, end_row = range_boundaries(table.ref)
        table.ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{max(last_row, end_row)}"


#: One named font for all text the toolkit writes: it has Hangul and Latin letters alike.
FONT_NAME = "Malgun Gothic"
FONT_SIZE = 10


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
    as_table: bool = True,
    numeric: Sequence[str] = (),
) -> str:
    """Write ``headers`` and ``rows`` from row ``top``: an Excel table (with filter buttons), or
    with ``as_table=False`` a plain range styled like one (for small summary tables). One
    named font throughout; numbers, and the headers over them, right-aligned. Returns the
    range reference."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    number_formats = number_formats or {}
    right = {h for h in headers if h in number_formats or h in numeric}
    _write_headers(ws, headers, top, right, underlined=not as_table)
    body_font = Font(name=FONT_NAME, size=FONT_SIZE)
    # text one indent from the left, so it never sits against the number to its left ("44Yes")
    to_right = Alignment(horizontal="right", vertical="top")
    wrap_left = Alignment(horizontal="left", vertical="top", indent=1)
    for r, values in enumerate(rows, start=top + 1):
        for c, (header, value) in enumerate(zip(headers, values), start=1):
            cell = write_cell(ws, r, c, value, number_formats.get(header))
            cell.font = body_font
            cell.alignment = to_right if header in right else wrap_left
    last_row = top + max(len(rows), 1)
    ref = f"A{top}:{get_column_letter(len(headers))}{last_row}"
    if as_table:
        table = Table(displayName=table_name(name), ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
    _set_widths(ws, headers, rows, widths or {})
    if freeze:
        ws.freeze_panes = ws.cell(row=top + 1, column=1)
    return ref


def _write_headers(ws, headers: Sequence[str], top: int, right: set[str], *, underlined: bool) -> None:
    """The header row: bold on the header fill, wrapped, right-aligned over numbers; with a
    line under it when the range is not an Excel table (which draws its own)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    head_font = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    line = Border(bottom=Side(style="thin", color="FF8EA9C1"))
    for c, header in enumerate(headers, start=1):
        cell = write_cell(ws, top, c, header)
        cell.font, cell.fill = head_font, fill
        cell.alignment = Alignment(
            horizontal="right" if header in right else "left",
            vertical="bottom",
            wrap_text=True,
            indent=0 if header in right else 1,
        )
        if underlined:
            cell.border = line


def _set_widths(ws, headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: dict[str, float]) -> None:
    """Each column's width: as given, else from its longest text in the first 200 rows (10 to 60)."""
    from openpyxl.utils import get_column_letter

    for c, header in enumerate(headers, start=1):
        width = widths.get(header)
        if width is None:
            longest = max(
                [len(str(header))] + [len(str(v[c - 1])) for v in rows[:200] if c - 1 < len(v) and v[c - 1] is not None]
            )
            width = min(max(10, longest + 2), 60)
        ws.column_dimensions[get_column_letter(c)].width = width


def print_setup(
    ws,
    *,
    title: str,
    note: str,
    header_row: int | None,
    landscape: bool,
    printed_columns: int | None,
    last_row: int,
    page: str = "Page &P of &N",
    repeat_columns: str | None = None,
    fit_width: bool = False,
) -> None:
    """A sheet a finance officer prints: fit to one page wide, the header row repeated on every
    page, a header with the title, a footer with "page N of M" and when it was written. A
    list too wide for one page (``repeat_columns``, e.g. "A:C", its id and names) prints at
    80 % across pages instead, those columns repeated on each, so its text stays readable."""
    from openpyxl.utils import get_column_letter

    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    # One page wide, as many pages tall as the rows need: a scale from the printed columns'
    # widths (Excel and LibreOffice read a scale alike; "fit to 1 x 0 pages" they do not).
    last = printed_columns or ws.max_column
    chars = sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, last + 1))
    usable = (297 if landscape else 210) / 25.4 * 72 - 2 * 0.4 * 72  # points across an A4 page
    ws.page_setup.scale = max(40, min(100, int(usable / (chars * 7.0 + 6 * last) * 100)))
    if fit_width:  # one page wide, as many tall as it takes, for a client that reads fit-to-page
        from openpyxl.worksheet.properties import PageSetupProperties

        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    if repeat_columns and ws.page_setup.scale < 80:
        ws.page_setup.scale = 80
        ws.print_title_cols = repeat_columns
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"
    if printed_columns:
        ws.print_area = f"A1:{get_column_letter(printed_columns)}{last_row}"
    font = f'&"{FONT_NAME},Bold"&10'
    ws.oddHeader.center.text = f"{font}WeGO — {title}"
    ws.oddFooter.left.text = f'&"{FONT_NAME},Regular"&8{note}'
    ws.oddFooter.right.text = f'&"{FONT_NAME},Regular"&8{page}'


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def sheet_records(
    wb,
    path: Path,
    sheet: str,
    wanted: Iterable[str],
    fix: str,
    optional: Iterable[str] = (),
    *,
    any_cell: bool = False,
    kind: type[SheetError] = RosterError,
):
    """(sheet row number, {header: value}) for each row below the header row with a value in
    a ``wanted`` column (``any_cell``: in any column read).

    Columns are found by their header, once: a missing header, or a header the sheet holds
    twice (a second "Population" in a spare column), stops the load naming the columns, as
    an error of ``kind`` (the roster's sheets: :class:`RosterError`).
    """
    if sheet not in wb.sheetnames:
        raise kind(f"sheet {sheet!r} is missing", path=str(path), fix=fix)
    rows = wb[sheet].iter_rows(values_only=True)
    first = next(rows, None) or ()
    found: dict[str, int] = {}
    known = set(wanted) | set(optional)
    for i, v in enumerate(first):
        header = str(v).strip() if v is not None else ""
        if header in known and header in found:
            raise kind(
                f"the header {header!r} is in two columns, {_column_letter(found[header])} and {_column_letter(i)}, "
                "so it is not clear which one to read",
                path=str(path),
                sheet=sheet,
                row=1,
                fix=f"keep one {header!r} column and rename or delete the other",
            )
        if header:
            found[header] = i
    for col in wanted:
        if col not in found:
            raise kind(
                f"column {col!r} is missing from the header row",
                path=str(path),
                sheet=sheet,
                row=1,
                fix=f"restore the {col!r} column header in row 1",
            )
    for r, values in enumerate(rows, start=2):
        get = {h: (values[i] if i < len(values) else None) for h, i in found.items()}
        for h in optional:
            get.setdefault(h, None)
        if any(get[h] not in (None, "") for h in (get if any_cell else wanted)):
            yield r, get
