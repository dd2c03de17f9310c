"""The UN Statistics Division's city populations (Demographic Yearbook table 240, the
UNdata "City population by sex, city and city type" CSV), read row by row for sure or
refused in one line naming file, line, column and value."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import WeoFormatError
from .weo import country_code, read_text

UNSD = "UNSD"
#: UNSD's names of countries that neither pycountry nor the IMF spell that way.
UNSD_COUNTRIES = {
    "republic of korea": "KOR",
    "bolivia (plurinational state of)": "BOL",
    "iran (islamic republic of)": "IRN",
    "venezuela (bolivarian republic of)": "VEN",
    "united republic of tanzania": "TZA",
    "democratic republic of the congo": "COD",
    "the former yugoslav republic of macedonia": "MKD",
    "state of palestine": "PSE",
    "republic of moldova": "MDA",
    "china, hong kong sar": "HKG",
    "china, macao sar": "MAC",
    "lao people's democratic republic": "LAO",
    "côte d'ivoire": "CIV",
    "cote d'ivoire": "CIV",
    "turkey": "TUR",
    "russian federation": "RUS",
    "syrian arab republic": "SYR",
    "micronesia (federated states of)": "FSM",
}
COLUMNS = ("Country or Area", "Year", "City", "City type", "Record Type", "Source Year", "Value")


@dataclass(frozen=True)
class CityFigure:
    """One row of the UNSD table."""

    country: str
    iso3: str | None
    city: str
    year: int
    city_type: str
    record_type: str
    source_year: int
    value: float
    line: int

    @property
    def persons(self) -> int:
        """The value in whole persons (a few UNSD estimates are averages such as 1,131,902.5)."""
        return math.floor(self.value + 0.5)

    def source(self) -> str:
        """How the figure is cited on the Members sheet."""
        kind = "estimate" if self.record_type.lower().startswith("estimate") else "census"
        rounded = f", rounded from {self.value:,}" if self.value != self.persons else ""
        return f"UNSD DYB {self.source_year}, {self.city_type.lower()}, {kind}{rounded}"


#: The first cell of the header row of the footnotes that follow the data rows.
FOOTNOTES_HEADER = "footnoteseqid"
#: A year as UNSD writes it (2014), or as a spreadsheet re-saved it (2014.0): read as 2014.
_YEAR = re.compile(r"(\d{4})(?:\.0+)?")
#: A population as UNSD writes it: persons, a few averaged estimates with decimals (1131902.5).
_PERSONS = re.compile(r"\d+(?:\.\d+)?")


def parse_unsd(path: Path) -> list[CityFigure]:
    """The data rows of a UNdata city population CSV (the footnote rows after them, under
    their own "footnoteSeqID" header, ignored). Every data row is read for sure or refused in
    one line naming file, line, column and value: a year that is not one (``circa 2015``;
    ``2015.0`` is 2015), a population that is not a number of persons (``nan``, ``inf``,
    ``1,000``), a row with more or fewer columns than the header. Never skipped silently."""
    path = Path(path)
    if not path.exists():
        raise WeoFormatError(f"{path}: file not found")
    reader = csv.reader(io.StringIO(read_text(path)))
    header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise WeoFormatError(
            f"{path.name}: not a UNdata city population file (no column {', '.join(repr(c) for c in missing)})"
        )
    col = {h: i for i, h in enumerate(header)}
    figures = []
    in_footnotes = False
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue  # a blank row (before the footnotes)
        first = row[0].strip().lower()
        if first == FOOTNOTES_HEADER or (re.fullmatch(r"\d+", first) and not any(c.strip() for c in row[2:])):
            in_footnotes = True  # the footnotes' header, or (without it) a first footnote: a number and a text
            continue
        if in_footnotes:
            if re.fullmatch(r"\d+", first):
                continue  # a footnote: its number, its text (quoted as UNSD quotes it: not always well)
            raise WeoFormatError(
                f"{path.name}, line {line}, column {header[0]!r}: {row[0]!r} is neither a footnote nor a data row "
                "(data rows come before the footnotes): download the file again"
            )
        if len(row) != len(header):
            short = len(row) < len(header)
            column = repr(header[len(row)]) if short else f"after {header[-1]!r}"
            raise WeoFormatError(
                f"{path.name}, line {line}, column {column}: the row has {len(row)} columns, the header "
                f"{len(header)} ({'missing' if short else repr(row[len(header)])}); a row is read whole or not at "
                "all: download the file again"
            )
        if "Sex" in col and row[col["Sex"]].strip().lower() not in ("both sexes", ""):
            continue  # a male or female row of a file with all three
        country = row[col["Country or Area"]].strip()
        figures.append(
            CityFigure(
                country,
                UNSD_COUNTRIES.get(country.lower()) or country_code(country),
                row[col["City"]].strip(),
                _unsd_year(path, line, "Year", row[col["Year"]]),
                row[col["City type"]].strip(),
                row[col["Record Type"]].strip(),
                _unsd_year(path, line, "Source Year", row[col["Source Year"]]),
                _unsd_persons(path, line, row[col["Value"]]),
                line,
            )
        )
    return figures


def _unsd_year(path: Path, line: int, column: str, raw: str) -> int:
    """A year of a UNSD row (``2014``, or ``2014.0`` as a spreadsheet writes it), or an error
    naming file, line, column and value (``circa 2015``, ``2015-16``, a blank)."""
    match = _YEAR.fullmatch(raw.strip())
    if match is None:
        raise WeoFormatError(
            f"{path.name}, line {line}, column {column!r}: {raw!r} is not a year such as 2014; "
            "the row cannot be read for sure: correct it or download the file again"
        )
    return int(match.group(1))


def _unsd_persons(path: Path, line: int, raw: str) -> float:
    """A population of a UNSD row, in persons (``1131902.5``), or an error naming file, line,
    column and value (``nan``, ``inf``, ``-5``, ``1,000``, ``1e6``, a blank)."""
    text = raw.strip()
    if _PERSONS.fullmatch(text) is None:
        raise WeoFormatError(
            f"{path.name}, line {line}, column 'Value': the population {raw!r} is not a number of persons "
            "as UNSD writes them (1131902.5): correct it or download the file again"
        )
    return float(text)
