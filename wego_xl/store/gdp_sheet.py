"""Writing the roster's GDP sheet: a WEO edition imported beside the others (through the
one write path), and an edition's figures confirmed by a person."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..rules.editions import is_manual, parse_edition
from ..rules.fees import gdp_reference_year
from .roster import (
    GDP_COLUMNS,
    GDP_OPTIONAL_COLUMNS,
    GDP_SHEET,
    GdpFigure,
    Roster,
    edition_order,
    read_roster,
    units_are_ppp,
)
from .saving import WorkbookUpdate
from .weo_data import WeoData
from .xlsx import header_columns, print_setup, write_table

#: How the GDP sheet shows its columns (also used by the roster builder).
GDP_FORMATS = {"GDP per capita (PPP, USD)": "#,##0.000", "Year": "0"}
GDP_WIDTHS: dict[str, float] = {"Country": 28, "Edition": 16, "Units": 36, "Source": 50, "Estimate": 10, "Notes": 40}


@dataclass
class ImportResult:
    data: WeoData
    written: int  # rows of this edition now in the GDP sheet
    replaced: int  # rows of the same edition that were there before
    kept: int  # rows of other editions left as they were
    newest_edition: str
    missing: dict[int, list[str]]  # GDP year -> member country codes without a figure
    target: Path
    saved: bool = True  # False for a dry run


def import_weo(
    roster_file: Path, data: WeoData, *, check_fee_years: tuple[int, ...] = (), dry_run: bool = False
) -> ImportResult:
    """Write ``data`` into the roster's GDP sheet, keeping other editions beside it.

    Re-importing an edition replaces that edition's rows of member countries (idempotent);
    rows of other editions, rows entered by hand (``Manual``) and rows of countries no
    longer on the roster (a member withdrew) are kept. Written through the one write path
    (locked, checked, atomic, backed up); ``dry_run`` writes nothing.
    """
    with WorkbookUpdate(Path(roster_file), command="import-weo", replaces={GDP_SHEET}) as update:
        roster = read_roster(update.source)
        wanted = {m.country_iso3 for m in roster.members} | {m.gdp_code for m in roster.members}
        new_rows = _member_rows(roster, data, wanted)
        kept = [  # an edition's PPP figures and another series of it (imported by name) are apart
            f
            for f in roster.gdp
            if f.edition != data.edition or f.is_ppp != data.is_ppp or f.country_iso3 not in wanted
        ]
        replaced = len(roster.gdp) - len(kept)
        rows = [_sheet_row(f) for f in kept] + new_rows
        rows.sort(key=lambda r: (edition_order(str(r[4])), str(r[0]), int(str(r[2])), not units_are_ppp(str(r[5]))))
        billed = [r for r in rows if units_are_ppp(str(r[5] or ""))]  # only GDP (PPP) per capita is ever billed
        editions = sorted({str(r[4]) for r in billed if not is_manual(r[4])}, key=edition_order)
        newest = editions[-1] if editions else data.edition
        if newest != data.edition and data.is_ppp:
            data.warnings.append(
                f"the roster already holds the newer edition {newest}; fees use it where it has a figure, "
                f"and {data.edition} where only it has one"
            )
        data.warnings.extend(_gaps_of_newer_editions(billed, editions))
        missing = _uncovered(billed, wanted, check_fee_years)
        wb = update.open()
        _write_gdp_sheet(wb, rows)
        saved = update.save(wb, dry_run=dry_run)
    data.warnings.extend(saved.warnings)
    return ImportResult(data, len(new_rows), replaced, len(kept), newest, missing, saved.target, saved.written)


def _sheet_row(f: GdpFigure) -> list[object]:
    return [f.country_iso3, f.country, f.year, f.value, f.edition, f.units, f.source, _yes(f.estimate), f.notes or None]


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def _member_rows(roster: Roster, data: WeoData, wanted: set[str]) -> list[list[object]]:
    """GDP sheet rows of ``data`` for the member countries (one per country and year)."""
    names = {m.country_iso3: m.country for m in roster.members}
    source = f"{Path(data.source).name} ({data.file_format})"
    return [
        [f.code, names.get(f.code) or f.name, f.year, f.value, data.edition, data.units, source, _yes(f.estimate), None]
        for f in data.figures
        if f.code in wanted
    ]


def _gaps_of_newer_editions(rows: list[list[object]], editions: list[str]) -> list[str]:
    """Warnings where a newer edition lacks countries an older one has (fees for them keep
    the older edition's figure)."""
    countries = {e: {str(r[0]) for r in rows if r[4] == e} for e in editions}
    warnings = []
    for older, newer in itertools.pairwise(editions):
        lacking = sorted(countries[older] - countries[newer])
        if lacking:
            warnings.append(
                f"{newer} has no figures for {', '.join(lacking)}, which {older} has: fees for them use "
                f"the newest edition that has a figure"
            )
    return warnings


def _uncovered(rows: list[list[object]], wanted: set[str], fee_years: tuple[int, ...]) -> dict[int, list[str]]:
    """GDP year -> member countries no edition (and no figure entered by hand) covers."""
    have = {(r[0], r[2]) for r in rows}
    missing = {}
    for fee_year in fee_years:
        gdp_year = gdp_reference_year(fee_year)
        lacking = sorted(c for c in wanted if (c, gdp_year) not in have)
        if lacking:
            missing[gdp_year] = lacking
    return missing


def _write_gdp_sheet(wb: Any, rows: list[list[object]]) -> None:
    """Replace the workbook's GDP sheet with ``rows``, in its place."""
    index = wb.sheetnames.index(GDP_SHEET)
    wb.remove(wb[GDP_SHEET])
    ws = wb.create_sheet(GDP_SHEET, index)
    headers = [*GDP_COLUMNS, *GDP_OPTIONAL_COLUMNS]
    write_table(ws, headers, rows, name="GDP", number_formats=GDP_FORMATS, widths=GDP_WIDTHS)
    print_setup(
        ws,
        title=GDP_SHEET,
        note=f"WeGO roster: {GDP_SHEET}",
        header_row=1,
        landscape=True,
        printed_columns=None,
        last_row=ws.max_row,
        repeat_columns="A:B",
    )  # as the roster is built


def confirm_edition(roster_file: Path, edition: str, by: str, on: dt.date | None = None) -> int:
    """Record on every GDP row of ``edition`` that ``by`` checked its figures (and when);
    returns how many rows were confirmed."""
    if not by.strip():
        raise InputError("say who confirms the figures: --by NAME")
    wanted = str(parse_edition(edition))
    with WorkbookUpdate(Path(roster_file), command="confirm") as update:
        roster = read_roster(update.source)
        rows = [f.row for f in roster.gdp if f.edition == wanted]
        if not rows:
            raise InputError(
                f"the GDP sheet has no figures of {wanted}; editions there: {', '.join(roster.editions())}"
            )
        wb = update.open()
        ws = wb[GDP_SHEET]
        headers = header_columns(ws, add=["Confirmed"])
        stamp = f"{by.strip()}, {(on or dt.date.today()).isoformat()}"
        for r in rows:
            ws.cell(r, headers["Confirmed"]).value = stamp
        update.save(wb)
    return len(rows)
