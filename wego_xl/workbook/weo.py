"""Reading IMF World Economic Outlook (WEO) GDP files, in the formats people actually have.

* the full "by countries" download ``WEO{Apr|Oct}{YYYY}all.xls``: TAB-separated text
  (ISO-8859-1 up to April 2020, UTF-16 LE after), one row per country and subject, year
  columns, thousands separators, "n/a" / "--" / empty for missing, a footer line naming the
  edition; also its comma-separated conversions;
* an export from the WEO query tool: the same without the ISO and subject-code columns;
* the IMF SDMX CSV: COUNTRY, INDICATOR, TIME_PERIOD, OBS_VALUE (and more);
* a plain long CSV: country, year, value (any source, e.g. a finance user's own sheet).

Countries become ISO3 codes: the file's ISO column (IMF's WBG is PSE, UVK is XKX), else the
country name through IMF's own spellings and pycountry. Nothing is guessed: a name that does
not map is reported.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, WeoFormatError
from ..rules.fees import gdp_reference_year
from .roster import GDP_COLUMNS, GDP_SHEET, Roster, edition_order, read_roster
from .saving import WorkbookUpdate
from .xlsx import write_table

MISSING = {"", "n/a", "na", "--", "..", "-", "nan"}
PPP_HINTS = ("purchasing power parity", "international dollar", "ppp")
_EDITION_IN_TEXT = re.compile(r"World Economic Outlook Database,\s*([A-Za-z]+\s+\d{4})")
_EDITION_IN_NAME = re.compile(r"WEO[_-]?(Apr|Oct|April|October)[_-]?(\d{4})", re.I)
_MONTH = {"apr": "April", "april": "April", "oct": "October", "october": "October"}

#: How the GDP sheet shows its columns (also used by the roster builder).
GDP_FORMATS = {"GDP per capita (PPP, USD)": "#,##0.000", "Year": "0"}
GDP_WIDTHS: dict[str, float] = {"Country": 28, "Edition": 16, "Units": 36, "Source": 50}

#: IMF codes that differ from ISO 3166.
IMF_CODES = {"WBG": "PSE", "UVK": "XKX"}
#: IMF spellings of country names that pycountry does not know as written.
IMF_NAMES = {
    "korea": "KOR",
    "hong kong sar": "HKG",
    "macao sar": "MAC",
    "taiwan province of china": "TWN",
    "lao p.d.r.": "LAO",
    "russia": "RUS",
    "turkey": "TUR",
    "türkiye": "TUR",
    "west bank and gaza": "PSE",
    "kosovo": "XKX",
    "micronesia": "FSM",
    "são tomé and príncipe": "STP",
    "sao tome and principe": "STP",
    "st. kitts and nevis": "KNA",
    "st. lucia": "LCA",
    "st. vincent and the grenadines": "VCT",
    "the bahamas": "BHS",
    "bahamas, the": "BHS",
    "the gambia": "GMB",
    "gambia, the": "GMB",
    "democratic republic of the congo": "COD",
    "congo, dem. rep. of the": "COD",
    "republic of congo": "COG",
    "congo, republic of": "COG",
    "fyr macedonia": "MKD",
    "north macedonia": "MKD",
    "swaziland": "SWZ",
    "eswatini": "SWZ",
    "iran": "IRN",
    "china, people's republic of": "CHN",
    "curaçao": "CUW",
    "cape verde": "CPV",
    "czech republic": "CZE",
    "vietnam": "VNM",
    "syria": "SYR",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "moldova": "MDA",
    "tanzania": "TZA",
    "brunei darussalam": "BRN",
    "côte d'ivoire": "CIV",
    "cote d'ivoire": "CIV",
    "united states": "USA",
    "palestine": "PSE",
    "korea, republic of": "KOR",
    "aruba": "ABW",
    "puerto rico": "PRI",
}


@dataclass
class WeoData:
    """What one file holds, ready to write into the GDP sheet."""

    source: str
    file_format: str
    edition: str
    units: str
    subject: str
    figures: list[tuple[str, str, int, float]] = field(default_factory=list)  # iso3, name, year, value
    unmapped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_ppp(self) -> bool:
        return any(h in self.units.lower() for h in PPP_HINTS) or self.subject.upper() == "PPPPC"


def country_code(name: str) -> str | None:
    """The ISO3 code for a country name as the IMF or ISO write it, or None."""
    import pycountry

    key = " ".join(name.split()).strip().lower()
    if not key:
        return None
    if key in IMF_NAMES:
        return IMF_NAMES[key]
    if len(key) == 3 and key.isalpha():
        code = key.upper()
        code = IMF_CODES.get(code, code)
        return code if code == "XKX" or pycountry.countries.get(alpha_3=code) else None
    try:
        return pycountry.countries.lookup(key).alpha_3
    except LookupError:
        return None


def read_text(path: Path) -> str:
    """The file's text: UTF-16 (with a BOM or NUL bytes), else UTF-8, else ISO-8859-1."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data[:2000].count(b"\x00") > 10:
        return data.decode("utf-16-le")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("iso-8859-1")


def parse_number(text: object) -> float | None:
    """ "3,995.383" -> 3995.383; "n/a", "--" and blanks -> None; other text is an error."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text) if math.isfinite(text) else None
    raw = str(text).strip()
    if raw.lower() in MISSING:
        return None
    try:
        value = float(raw.replace(",", "").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise InputError(f"{raw!r} is not a number") from None
    return value if math.isfinite(value) else None


def _edition(text: str, path: Path, given: str | None) -> str:
    if given:
        return given.strip()
    found = _EDITION_IN_TEXT.search(text)
    if found:
        return " ".join(found.group(1).split())
    named = _EDITION_IN_NAME.search(path.name)
    if named:
        return f"{_MONTH[named.group(1).lower()]} {named.group(2)}"
    raise WeoFormatError(
        f"{path.name} does not name its WEO edition (no footer, nothing in the file name); "
        'give it with --edition "April 2025"'
    )


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    lines = text.splitlines()
    sample = "\n".join(lines[:5])
    delimiter = "\t" if sample.count("\t") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = [row for row in reader]
    header = [h.strip().lstrip("\ufeff") for h in rows[0]] if rows else []
    return header, rows[1:]


def _year_columns(header: list[str], years: range | None) -> list[tuple[int, int]]:
    out = []
    for i, h in enumerate(header):
        if re.fullmatch(r"\d{4}", h):
            y = int(h)
            if years is None or y in years:
                out.append((i, y))
    return out


def parse_weo(path: Path, *, subject: str = "PPPPC", years: range | None = None, edition: str | None = None) -> WeoData:
    """Read ``path`` in whichever of the supported formats it is."""
    path = Path(path)
    if not path.exists():
        raise WeoFormatError(f"{path}: file not found")
    text = read_text(path)
    header, rows = _rows(text)
    lower = [h.lower() for h in header]
    if not header:
        raise WeoFormatError(f"{path.name}: the file is empty")
    if "weo subject code" in lower or ("country" in lower and "subject descriptor" in lower):
        return _parse_wide(path, text, header, rows, subject, years, edition)
    if {"country", "time_period", "obs_value"} <= set(lower):
        return _parse_sdmx(path, text, header, rows, subject, years, edition)
    return _parse_long(path, text, header, rows, years, edition)


def _parse_wide(path, text, header, rows, subject, years, edition) -> WeoData:
    col = {h.lower(): i for i, h in enumerate(header)}
    full = "weo subject code" in col
    data = WeoData(
        str(path),
        "WEO full download" if full else "WEO query-tool export",
        _edition(text, path, edition),
        "",
        subject.upper(),
    )
    year_cols = _year_columns(header, years)
    if not year_cols:
        raise WeoFormatError(f"{path.name}: no year columns (such as 2014) in the header")
    units_seen: set[str] = set()
    descriptors: set[str] = set()
    for row in rows:
        if len(row) < len(header) - 1 or not any(c.strip() for c in row):
            continue  # blank line, or the footer

        def cell(name: str, row: list[str] = row) -> str:
            return row[col[name]].strip() if name in col and col[name] < len(row) else ""

        if full and cell("weo subject code").upper() != data.subject:
            continue
        name = cell("country")
        iso = cell("iso").upper()
        code = IMF_CODES.get(iso, iso) if iso else country_code(name)
        units_seen.add(cell("units"))
        descriptors.add(cell("subject descriptor"))
        if not code:
            data.unmapped.append(name)
            continue
        for i, year in year_cols:
            try:
                value = parse_number(row[i] if i < len(row) else None)
            except InputError as exc:
                raise WeoFormatError(f"{path.name}: {name} {year}: {exc}") from None
            if value is not None:
                data.figures.append((code, name, year, value))
    data.units = "; ".join(sorted(u for u in units_seen if u)) or "not stated"
    if not full:
        data.subject = "; ".join(sorted(d for d in descriptors if d))
    _warn_units(data)
    return data


def _parse_sdmx(path, text, header, rows, subject, years, edition) -> WeoData:
    col = {h.lower(): i for i, h in enumerate(header)}
    data = WeoData(str(path), "IMF SDMX CSV", _edition(text, path, edition), "", subject.upper())
    units = set()
    for row in rows:
        if len(row) < len(header):
            continue
        if "indicator" in col and row[col["indicator"]].strip().upper().split(".")[-1] != data.subject:
            continue
        code = country_code(row[col["country"]])
        try:
            year = int(str(row[col["time_period"]]).strip()[:4])
            value = parse_number(row[col["obs_value"]])
        except (ValueError, InputError):
            continue
        if "unit" in col:
            units.add(row[col["unit"]].strip())
        if not code:
            data.unmapped.append(row[col["country"]])
            continue
        if value is not None and (years is None or year in years):
            data.figures.append((code, row[col["country"]].strip(), year, value))
    data.units = "; ".join(sorted(u for u in units if u)) or "not stated"
    _warn_units(data)
    return data


def _parse_long(path, text, header, rows, years, edition) -> WeoData:
    lower = [h.lower() for h in header]

    def find(*names: str) -> int | None:
        return next((lower.index(n) for n in names if n in lower), None)

    c_country = find("country", "iso", "iso3", "country code", "code", "geo")
    c_year = find("year", "time", "time_period")
    c_value = find("value", "ppppc", "gdp", "gdp per capita", "obs_value")
    if c_country is None or c_year is None or c_value is None:
        raise WeoFormatError(
            f"{path.name}: not a WEO file and not a long table with columns country, year, value "
            f"(found {', '.join(header[:8])})"
        )
    data = WeoData(
        str(path),
        "long CSV (country, year, value)",
        _edition(text, path, edition),
        "international dollars (PPP)" if header[c_value].lower() == "ppppc" else "not stated",
        "PPPPC" if header[c_value].lower() == "ppppc" else header[c_value],
    )
    unmapped = set()
    for row in rows:
        if len(row) <= max(c_country, c_year, c_value):
            continue
        code = country_code(row[c_country])
        try:
            year = int(float(row[c_year]))
            value = parse_number(row[c_value])
        except (ValueError, InputError):
            continue
        if not code:
            unmapped.add(row[c_country].strip())
            continue
        if value is not None and (years is None or year in years):
            data.figures.append((code, row[c_country].strip(), year, value))
    data.unmapped = sorted(unmapped)
    _warn_units(data)
    return data


def _warn_units(data: WeoData) -> None:
    if not data.is_ppp:
        data.warnings.append(
            f"the series is not GDP (PPP) per capita: units are {data.units} "
            f"({data.subject or 'subject not stated'}); WeGO fees use PPPPC, current international dollars"
        )


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

    Re-importing an edition replaces that edition's rows (idempotent). Only the roster's
    member countries (and GDP codes such as HKG) are kept. Written through the one write
    path (locked, checked, atomic, backed up); ``dry_run`` writes nothing.
    """
    with WorkbookUpdate(Path(roster_file), command="import-weo", replaces={GDP_SHEET}) as update:
        roster = read_roster(update.source)
        wanted = {m.country_iso3 for m in roster.members} | {m.gdp_code for m in roster.members}
        new_rows = _member_rows(roster, data, wanted)
        old = [f for f in roster.gdp if f.edition != data.edition]
        replaced = sum(1 for f in roster.gdp if f.edition == data.edition)
        rows = [[f.country_iso3, f.country, f.year, f.value, f.edition, f.units, f.source] for f in old] + new_rows
        rows.sort(key=lambda r: (edition_order(str(r[4])), r[0], r[2]))
        newest = max((str(r[4]) for r in rows), key=edition_order, default=data.edition)
        if newest != data.edition:
            data.warnings.append(
                f"the roster already holds the newer edition {newest}; fees keep using it, and "
                f"{data.edition} is kept beside it"
            )
        missing = _uncovered(rows, newest, wanted, check_fee_years)
        wb = update.open()
        _write_gdp_sheet(wb, rows)
        saved = update.save(wb, dry_run=dry_run)
    data.warnings.extend(saved.warnings)
    return ImportResult(data, len(new_rows), replaced, len(old), newest, missing, saved.target, saved.written)


def _member_rows(roster: Roster, data: WeoData, wanted: set[str]) -> list[list[object]]:
    """GDP sheet rows of ``data`` for the member countries (one per country and year)."""
    names = {m.country_iso3: m.country for m in roster.members}
    rows: dict[tuple[str, int], list[object]] = {}
    for code, name, year, value in data.figures:
        if code in wanted:
            rows[(code, year)] = [
                code,
                names.get(code) or name,
                year,
                value,
                data.edition,
                data.units,
                f"{Path(data.source).name} ({data.file_format})",
            ]
    return list(rows.values())


def _uncovered(
    rows: list[list[object]], newest: str, wanted: set[str], fee_years: tuple[int, ...]
) -> dict[int, list[str]]:
    """GDP year -> member countries the newest edition has no figure for."""
    have = {(r[0], r[2]) for r in rows if r[4] == newest}
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
    write_table(ws, list(GDP_COLUMNS), rows, name="GDP", number_formats=GDP_FORMATS, widths=GDP_WIDTHS)
