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

Its parts: :mod:`.weo_data` (what a file holds, and its words read for sure),
:mod:`.weo_formats` (each layout), :mod:`.gdp_sheet` (writing the GDP sheet).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..errors import WeoFormatError
from .gdp_sheet import GDP_FORMATS as GDP_FORMATS
from .gdp_sheet import GDP_WIDTHS as GDP_WIDTHS
from .gdp_sheet import ImportResult as ImportResult
from .gdp_sheet import confirm_edition as confirm_edition
from .gdp_sheet import import_weo as import_weo
from .roster import NOT_PPPPC
from .weo_data import IMF_CODES as IMF_CODES
from .weo_data import IMF_NAMES as IMF_NAMES
from .weo_data import MISSING as MISSING
from .weo_data import PPPPC as PPPPC
from .weo_data import WEO_GDP_CODES as WEO_GDP_CODES
from .weo_data import WeoData as WeoData
from .weo_data import WeoFigure as WeoFigure
from .weo_data import country_code as country_code
from .weo_data import parse_number as parse_number
from .weo_data import series_code as series_code
from .weo_data import series_named
from .weo_formats import parse_long, parse_sdmx, parse_wide

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    lines = text.splitlines()
    sample = "\n".join(lines[:5])
    delimiter = "\t" if sample.count("\t") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(reader)
    header = [h.strip().lstrip("\ufeff") for h in rows[0]] if rows else []
    return header, rows[1:]


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
        data = parse_wide(path, text, header, rows, wanted, subject is not None, years, edition)
    elif {"country", "time_period", "obs_value"} <= set(lower):
        data = parse_sdmx(path, text, header, rows, wanted, years, edition)
    else:
        data = parse_long(path, text, header, rows, wanted, subject is not None, years, edition)
    _check_figures(path, data)
    _only_ppppc_unless_named(path, data, named=subject is not None)
    return data


def _only_ppppc_unless_named(path: Path, data: WeoData, *, named: bool) -> None:
    """A series that is not PPPPC is refused, unless asked for by name (``--subject``); then
    its Units say it is not PPPPC, so that it is kept beside the PPP figures and never billed."""
    if data.is_ppp:
        return
    what = series_named(data.subject, data.descriptor, data.units)
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
