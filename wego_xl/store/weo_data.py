"""What a WEO file holds once read (:class:`WeoData`, its :class:`WeoFigure` rows), and how
its words are read for sure: a series from its subject code or its descriptor and units,
a country from IMF's spellings and codes (ISO3 through pycountry), a number as WEO files
write it, and the edition."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, WeoFormatError
from ..rules.editions import parse_edition
from .roster import PPP_UNITS

MISSING = {"", "n/a", "na", "--", "..", "-", "nan"}
#: The series WeGO fees use: GDP per capita, PPP, current international dollars.
PPPPC = "PPPPC"
#: WEO subject codes of GDP series (a long CSV's value column may be named by one).
WEO_GDP_CODES = {"PPPPC", "PPPGDP", "PPPSH", "PPPEX", "NGDPDPC", "NGDPD", "NGDPPC", "NGDP", "NGDPRPC", "NGDPRPPPPC"}
_EDITION_IN_TEXT = re.compile(r"World Economic Outlook Database,\s*([A-Za-z]+\s+\d{4})")
_EDITION_IN_NAME = re.compile(r"WEO[_-]?(Apr|Oct|April|October)[_-]?(\d{4})", re.I)

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


def series_named(code: str | None, descriptor: str, units: str) -> str:
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


#: A number as WEO files write it: 3,995.383 or 3995.383 (a dot for decimals, commas between thousands).
_WEO_NUMBER = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


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


def file_edition(text: str, path: Path, given: str | None) -> str:
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


def cell_number(row: list[str], i: int, where: str) -> float | None:
    """The number in a row's ``i``-th cell (none past the row's end); a number written another
    way is a :class:`WeoFormatError` naming ``where``."""
    try:
        return parse_number(row[i] if i < len(row) else None, where)
    except InputError as exc:
        raise WeoFormatError(str(exc)) from None


def first_estimated_year(edition: str) -> int:
    """Without an "Estimates Start After" column: figures from the edition's own year on are
    IMF estimates or projections (an April 2015 edition has no actual data for 2015)."""
    return parse_edition(edition, today=dt.date.max).year
