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
import datetime as dt
import io
import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, WeoFormatError
from ..rules.editions import is_manual, parse_edition
from ..rules.fees import gdp_reference_year
from .roster import (
    GDP_COLUMNS,
    GDP_OPTIONAL_COLUMNS,
    GDP_SHEET,
    NOT_PPPPC,
    PPP_UNITS,
    GdpFigure,
    Roster,
    edition_order,
    read_roster,
    units_are_ppp,
)
from .saving import WorkbookUpdate
from .xlsx import header_columns, print_setup, write_table

MISSING = {"", "n/a", "na", "--", "..", "-", "nan"}
#: The series WeGO fees use: GDP per capita, PPP, current international dollars.
PPPPC = "PPPPC"
#: WEO subject codes of GDP series (a long CSV's value column may be named by one).
WEO_GDP_CODES = {"PPPPC", "PPPGDP", "PPPSH", "PPPEX", "NGDPDPC", "NGDPD", "NGDPPC", "NGDP", "NGDPRPC", "NGDPRPPPPC"}
_EDITION_IN_TEXT = re.compile(r"World Economic Outlook Database,\s*([A-Za-z]+\s+\d{4})")
_EDITION_IN_NAME = re.compile(r"WEO[_-]?(Apr|Oct|April|October)[_-]?(\d{4})", re.I)

#: How the GDP sheet shows its columns (also used by the roster builder).
GDP_FORMATS = {"GDP per capita (PPP, USD)": "#,##0.000", "Year": "0"}
GDP_WIDTHS: dict[str, float] = {"Country": 28, "Edition": 16, "Units": 36, "Source": 50, "Estimate": 10, "Notes": 40}

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


@dataclass(frozen=True)
class WeoFigure:
    """One figure of a WEO file: a country, a year, a value, and where it stood."""

    code: str
    name: str
    year: int
    value: float
    line: int  # the file's line number
    estimate: bool = False  # after the country's "Estimates Start After" year


@dataclass
class WeoData:
    """What one file holds, ready to write into the GDP sheet: one series only."""

    source: str
    file_format: str
    edition: str
    units: str
    subject: str
    figures: list[WeoFigure] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    descriptor: str = ""  # the series as the file describes it (a query-tool export's Subject Descriptor)

    @property
    def is_ppp(self) -> bool:
        """The series is PPPPC, the only one fees use (another is imported only by name)."""
        return self.subject == PPPPC


def series_code(descriptor: str, units: str) -> str | None:
    """The WEO subject code of a query-tool export's series, from its Subject Descriptor and
    Units (the export has no code column), or None when it is not a known GDP series. From
    April 2019 PPPPC and NGDPDPC share the descriptor "Gross domestic product per capita,
    current prices": only the units tell them apart."""
    d, u = " ".join(descriptor.split()).lower(), " ".join(units.split()).lower()
    per_capita = "per capita" in d
    constant = "constant prices" in d or re.search(r"\d{4} international dollar", u) is not None
    if "share of world" in u or "share of world" in d:
        return "PPPSH"
    if "implied ppp conversion rate" in d or "conversion rate" in d:
        return "PPPEX"
    if any(word in u for word in PPP_UNITS) or "purchasing-power-parity" in d:
        if constant:
            return "NGDPRPPPPC" if per_capita else None
        return PPPPC if per_capita else "PPPGDP"
    if "u.s. dollar" in u or "us dollar" in u:
        return "NGDPDPC" if per_capita else "NGDPD"
    if "national currency" in u:
        if per_capita:
            return "NGDPRPC" if constant else "NGDPPC"
        return None
    return None


def _series_named(code: str | None, descriptor: str, units: str) -> str:
    """How a message names a series: "NGDPDPC (Gross domestic product per capita, current
    prices; U.S. dollars)"."""
    what = "; ".join(part for part in (descriptor, units) if part)
    return f"{code or 'a series'} ({what})" if what else (code or "a series not named")


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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: A number as WEO files write it: 3,995.383 or 3995.383 (a dot for decimals, commas between thousands).
_WEO_NUMBER = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def read_text(path: Path) -> str:
    """The file's text: UTF-16 (with a BOM or NUL bytes), else UTF-8, else ISO-8859-1.
    A file of binary data or control characters is refused in one line."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif data[:2000].count(b"\x00") > 10:
        high = data[1:4000:2]  # UTF-16 LE text of the WEO's (Latin) alphabet: high bytes are NUL
        if high.count(0) < 0.9 * len(high):
            raise WeoFormatError(
                f"{path.name} is not a WEO text file: it holds binary data or control characters; "
                "download the file again, or save the export as text (TAB- or comma-separated)"
            )
        text = data.decode("utf-16-le", errors="replace")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("iso-8859-1")
    bad = _CONTROL.search(text)
    if bad or "\ufffd" in text:
        line = text.count("\n", 0, bad.start() if bad else text.index("\ufffd")) + 1
        raise WeoFormatError(
            f"{path.name} is not a WEO text file: it holds binary data or control characters (line {line}); "
            "download the file again, or save the export as text (TAB- or comma-separated)"
        )
    return text


def parse_number(text: object, where: str = "") -> float | None:
    """ "3,995.383" -> 3995.383; "n/a", "--" and blanks -> None; a number written another
    way ("35.379,000", a comma for decimals) or other text is an error naming it."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text) if math.isfinite(text) else None
    raw = str(text).strip().replace("\u00a0", "")
    if raw.lower() in MISSING:
        return None
    if not _WEO_NUMBER.match(raw):
        raise InputError(
            f"{where}{raw!r} is not a number as WEO files write them (3,995.383: a dot for decimals, "
            "commas between thousands); the file was changed by another program: download it again"
        )
    return float(raw.replace(",", ""))


def _edition(text: str, path: Path, given: str | None) -> str:
    """The edition, normalised ("WEO April 2016" -> "April 2016"): ``--edition``, else the
    footer, else the file name; an edition that is not one, or later than today, is an error."""
    found = _EDITION_IN_TEXT.search(text)
    named = _EDITION_IN_NAME.search(path.name)
    raw = given or (found.group(1) if found else None) or (f"{named.group(1)} {named.group(2)}" if named else None)
    if raw is None:
        raise WeoFormatError(
            f"{path.name} does not name its WEO edition (no footer, nothing in the file name); "
            'give it with --edition "April 2025"'
        )
    try:
        return str(parse_edition(raw))
    except InputError as exc:
        raise WeoFormatError(f"{path.name}: {exc}") from None


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    lines = text.splitlines()
    sample = "\n".join(lines[:5])
    delimiter = "\t" if sample.count("\t") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(reader)
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


def parse_weo(
    path: Path, *, subject: str | None = None, years: range | None = None, edition: str | None = None
) -> WeoData:
    """Read ``path`` in whichever of the supported formats it is: one series, every number
    read for sure, no conflicting rows; anything else is a :class:`WeoFormatError`.

    The series is GDP (PPP) per capita (PPPPC) unless ``subject`` names another by its WEO
    code (``--subject NGDPDPC``): a file of another series is refused unless asked for by
    name, and a series asked for by name is written as not PPPPC and never billed."""
    wanted = " ".join((subject or PPPPC).split()).upper()
    if not wanted:
        raise WeoFormatError("--subject must name a WEO series, e.g. PPPPC or NGDPDPC")
    path = Path(path)
    if not path.exists():
        raise WeoFormatError(f"{path}: file not found")
    if path.is_dir():
        raise WeoFormatError(f"{path}: is a folder, not a WEO file")
    text = read_text(path)
    header, rows = _rows(text)
    lower = [h.lower() for h in header]
    if not header:
        raise WeoFormatError(f"{path.name}: the file is empty")
    if "weo subject code" in lower or ("country" in lower and "subject descriptor" in lower):
        data = _parse_wide(path, text, header, rows, wanted, subject is not None, years, edition)
    elif {"country", "time_period", "obs_value"} <= set(lower):
        data = _parse_sdmx(path, text, header, rows, wanted, years, edition)
    else:
        data = _parse_long(path, text, header, rows, wanted, subject is not None, years, edition)
    _check_figures(path, data)
    _only_ppppc_unless_named(path, data, named=subject is not None)
    return data


def _only_ppppc_unless_named(path: Path, data: WeoData, *, named: bool) -> None:
    """A series that is not PPPPC is refused, unless asked for by name (``--subject``); then
    its Units say it is not PPPPC, so that it is kept beside the PPP figures and never billed."""
    if data.is_ppp:
        return
    what = _series_named(data.subject, data.descriptor, data.units)
    if not named:
        raise WeoFormatError(
            f"{path.name} holds {what}, not GDP (PPP) per capita (PPPPC), which WeGO fees use: download "
            '"Gross domestic product per capita, current prices" in "Purchasing power parity; international '
            f'dollars" (PPPPC), or import this series by name with --subject {data.subject or "CODE"} '
            "(kept beside, never billed)"
        )
    data.units = f"{data.units} ({data.subject}, {NOT_PPPPC})"
    data.warnings.append(
        f"{what} imported by name: the GDP sheet keeps it marked {NOT_PPPPC}; fees never use it "
        "(they use GDP (PPP) per capita only)"
    )


class _Figures:
    """Collects a file's figures: one per country and year; a second row with another value
    is an error naming both rows; a negative or zero GDP is an error."""

    def __init__(self, path: Path, data: WeoData):
        self.path, self.data = path, data
        self.seen: dict[tuple[str, int], WeoFigure] = {}

    def add(self, figure: WeoFigure) -> None:
        where = f"{self.path.name}, line {figure.line} ({figure.name} {figure.year})"
        if figure.value <= 0:
            raise WeoFormatError(f"{where}: GDP per capita must be more than 0, got {figure.value:,}")
        other = self.seen.get((figure.code, figure.year))
        if other is None:
            self.seen[(figure.code, figure.year)] = figure
            self.data.figures.append(figure)
        elif other.value != figure.value:
            raise WeoFormatError(
                f"{self.path.name}: lines {other.line} ({other.name}) and {figure.line} ({figure.name}) both give "
                f"{figure.code} {figure.year}, as {other.value:,} and {figure.value:,}; keep one of them"
            )


def _check_figures(path: Path, data: WeoData) -> None:
    collected = _Figures(path, data)
    figures, data.figures = data.figures, []
    for figure in figures:
        collected.add(figure)


def _number(row: list[str], i: int, where: str) -> float | None:
    try:
        return parse_number(row[i] if i < len(row) else None, where)
    except InputError as exc:
        raise WeoFormatError(str(exc)) from None


def _parse_wide(path, text, header, rows, subject, named, years, edition) -> WeoData:
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
    series: dict[tuple[str, str], list[tuple[int, list[str]]]] = {}
    for line, row in enumerate(rows, start=2):
        if len(row) < len(header) - 1 or not any(c.strip() for c in row):
            continue  # blank line, or the footer

        def cell(name: str, row: list[str] = row) -> str:
            return row[col[name]].strip() if name in col and col[name] < len(row) else ""

        key = (cell("weo subject code").upper(), "") if full else (cell("subject descriptor"), cell("units"))
        series.setdefault(key, []).append((line, row))
    chosen = _one_series(path, data, series, full, named)
    for line, row in series.get(chosen, []):

        def cell(name: str, row: list[str] = row) -> str:
            return row[col[name]].strip() if name in col and col[name] < len(row) else ""

        name = cell("country")
        iso = cell("iso").upper()
        code = IMF_CODES.get(iso, iso) if iso else country_code(name)
        data.units = data.units or cell("units")
        if not full:
            data.descriptor = cell("subject descriptor")
        if not code:
            data.unmapped.append(name)
            continue
        last_actual = cell("estimates start after")
        for i, year in year_cols:
            value = _number(row, i, f"{path.name}, line {line} ({name} {year}): ")
            if value is not None:
                estimate = last_actual.isdigit() and year > int(last_actual)
                data.figures.append(WeoFigure(code, name, year, value, line, estimate))
    data.units = data.units or "not stated"
    return data


def _one_series(path: Path, data: WeoData, series: dict, full: bool, named: bool) -> tuple[str, str]:
    """The series to import: from a full download the rows of the subject code asked for
    (PPPPC unless named); from a query-tool export (no code column) the series whose
    Subject Descriptor and Units are that code's (:func:`series_code`), or its only series
    (refused later unless it is PPPPC or asked for by name); the others are named as left out."""
    wanted = data.subject
    if full:
        chosen = (wanted, "")
        if chosen not in series:
            raise WeoFormatError(
                f"{path.name} holds no {wanted} rows (it holds {', '.join(sorted(k[0] for k in series)) or 'none'})"
            )
    else:
        codes = {k: series_code(*k) for k in series}
        matching = [k for k in series if codes[k] == wanted]
        if len(matching) == 1:
            chosen = matching[0]
        elif not matching and len(series) == 1:
            chosen = next(iter(series))
            code = codes[chosen]
            if named and (code is not None or wanted == PPPPC):  # the file says what it is, and it is not that
                raise WeoFormatError(
                    f"{path.name} holds {_series_named(code, *chosen)}, not {wanted}: give --subject {code} to "
                    "import it by name, or download the series you asked for"
                    if code
                    else f"{path.name} holds {_series_named(code, *chosen)}, whose units do not say PPP: it is "
                    f"not {wanted}; give --subject with the series' own WEO code to import it by name"
                )
            data.subject = code or (wanted if named else "")
            return chosen
        elif not series:
            return ("", "")
        else:
            named_all = "; ".join(_series_named(codes[k], *k) for k in series)
            target = "GDP (PPP) per capita (PPPPC)" if wanted == PPPPC else wanted
            raise WeoFormatError(
                f"{path.name} holds {len(series)} series ({named_all}) and not exactly one of them is {target}: "
                "export only that series from the WEO query tool"
            )
        data.subject = wanted
    left_out = [k for k in series if k != chosen]
    if left_out:
        listed = [f"{k[0]}{' (' + k[1] + ')' if k[1] else ''}, {len(series[k])} row(s)" for k in left_out[:5]]
        more = f"; and {len(left_out) - 5} more series" if len(left_out) > 5 else ""
        target = "GDP (PPP) per capita" if wanted == PPPPC else wanted
        data.warnings.append(f"left out (not {target}): " + "; ".join(listed) + more)
    return chosen


def _parse_sdmx(path, text, header, rows, subject, years, edition) -> WeoData:
    col = {h.lower(): i for i, h in enumerate(header)}
    data = WeoData(str(path), "IMF SDMX CSV", _edition(text, path, edition), "", subject.upper())
    first = _first_estimated_year(data.edition)
    units = set()
    left_out: dict[str, int] = {}
    taken = 0
    for line, row in enumerate(rows, start=2):
        if len(row) < len(header):
            continue
        indicator = row[col["indicator"]].strip().upper().split(".")[-1] if "indicator" in col else data.subject
        if indicator != data.subject:
            left_out[indicator] = left_out.get(indicator, 0) + 1
            continue
        taken += 1
        code = country_code(row[col["country"]])
        try:
            year = int(str(row[col["time_period"]]).strip()[:4])
        except ValueError:
            raise WeoFormatError(f"{path.name}, line {line}: {row[col['time_period']]!r} is not a year") from None
        value = _number(row, col["obs_value"], f"{path.name}, line {line} ({row[col['country']]} {year}): ")
        if "unit" in col:
            units.add(row[col["unit"]].strip())
        if not code:
            data.unmapped.append(row[col["country"]])
            continue
        if value is not None and (years is None or year in years):
            data.figures.append(WeoFigure(code, row[col["country"]].strip(), year, value, line, year >= first))
    if left_out and not taken:
        raise WeoFormatError(
            f"{path.name} holds no {data.subject} rows (it holds {', '.join(sorted(left_out))}): "
            f"download {data.subject}, or name the series to import with --subject"
        )
    if left_out:
        data.warnings.append(
            "left out (not " + data.subject + "): " + "; ".join(f"{k}, {n} row(s)" for k, n in sorted(left_out.items()))
        )
    data.units = "; ".join(sorted(u for u in units if u)) or "not stated"
    return data


def _parse_long(path, text, header, rows, wanted, named, years, edition) -> WeoData:
    lower = [h.lower() for h in header]

    def find(*names: str) -> int | None:
        return next((lower.index(n) for n in names if n in lower), None)

    c_country = find("country", "iso", "iso3", "country code", "code", "geo")
    c_year = find("year", "time", "time_period")
    c_value = find("value", "ppppc", "gdp", "gdp per capita", "obs_value")
    if c_value is None:  # a column named by its WEO series: ngdpdpc
        c_value = next((i for i, h in enumerate(header) if h.strip().upper() in WEO_GDP_CODES), None)
    if c_country is None or c_year is None or c_value is None:
        raise WeoFormatError(
            f"{path.name}: not a WEO file and not a long table with columns country, year, value "
            f"(found {', '.join(header[:8])})"
        )
    column = header[c_value].strip().upper()
    code = column if column in WEO_GDP_CODES else None  # the value column names its series: ppppc
    if code is not None and named and code != wanted:
        raise WeoFormatError(f"{path.name}: its column {header[c_value]!r} holds {code}, not {wanted}")
    if code is None and named:
        code = wanted  # a column that does not say (value, gdp): the series is the one named by --subject
        warning = f"the column {header[c_value]!r} does not say its series: read as {wanted}, as --subject says"
    else:
        warning = ""
    ppppc = code == PPPPC
    data = WeoData(
        str(path),
        "long CSV (country, year, value)",
        _edition(text, path, edition),
        "international dollars (PPP)" if ppppc else "not stated",
        code or "",
        descriptor=f"column {header[c_value]!r}, series not stated" if code is None else "",
    )
    data.warnings += [warning] if warning else []
    unmapped = set()
    first = _first_estimated_year(data.edition)
    for line, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) <= max(c_country, c_year, c_value):
            raise WeoFormatError(
                f"{path.name}, line {line}: the row has {len(row)} column(s), the header {len(header)}"
            )
        code = country_code(row[c_country])
        try:
            year = int(row[c_year].strip())
        except ValueError:
            raise WeoFormatError(f"{path.name}, line {line}: {row[c_year]!r} is not a year") from None
        value = _number(row, c_value, f"{path.name}, line {line} ({row[c_country].strip()} {year}): ")
        if not code:
            unmapped.add(row[c_country].strip())
            continue
        if value is not None and (years is None or year in years):
            data.figures.append(WeoFigure(code, row[c_country].strip(), year, value, line, year >= first))
    data.unmapped = sorted(unmapped)
    return data


def _first_estimated_year(edition: str) -> int:
    """Without an "Estimates Start After" column: figures from the edition's own year on are
    IMF estimates or projections (an April 2015 edition has no actual data for 2015)."""
    return parse_edition(edition, today=dt.date.max).year


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
