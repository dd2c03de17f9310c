"""City populations from the UN Statistics Division (Demographic Yearbook table 240, the
UNdata "City population by sex, city and city type" CSV), matched to the roster's members
and written to the Members sheet as unconfirmed, sourced figures.

Matching is by country and name, never fuzzy: a member's Korean and English names and
aliases, and the reviewed spellings of the roster's "Source names" sheet (UNSD's "SEOUL",
"Sao Paulo"...). For each member: city proper before urban agglomeration, then the latest
year, then the latest Yearbook. A figure the finance team entered or confirmed is never
overwritten. A figure absurd for a city (under 10,000 or over 40 million persons, or a city
proper under a tenth of its own urban agglomeration, as São Paulo's 105,269), or far from
the member's previous figure (off by more than half), is not imported but reported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, WegoError, WeoFormatError
from ..rules.names import name_key
from .roster import MEMBERS_SHEET, SOURCE_NAMES_SHEET, Member, SourceName, read_roster
from .saving import SaveResult, WorkbookUpdate
from .weo import country_code, read_text
from .xlsx import header_columns

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
PLAUSIBLE = (10_000, 40_000_000)
#: A new figure more than this far from the member's previous one (as a share) is reported.
FAR = 0.5


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


@dataclass
class PopulationImport:
    """What an import did, member by member."""

    written: dict[str, CityFigure] = field(default_factory=dict)  # member id -> figure
    kept: dict[str, str] = field(default_factory=dict)  # member id -> why the roster's figure stays
    refused: dict[str, str] = field(default_factory=dict)  # member id -> why the figure was not imported
    unmatched: dict[str, str] = field(default_factory=dict)  # member id -> why no row matched
    saved: SaveResult | None = None


def _country(name: str) -> str | None:
    return UNSD_COUNTRIES.get(name.strip().lower()) or country_code(name)


def match_members(
    members: Iterable[Member], figures: list[CityFigure], spellings: dict[str, list[SourceName]]
) -> PopulationImport:
    """Each city member's UNSD figure, or why there is none (see the module)."""
    by_place: dict[tuple[str, str], list[CityFigure]] = {}
    countries = {f.iso3 for f in figures}
    for f in figures:
        if f.iso3:
            by_place.setdefault((f.iso3, name_key(f.city)), []).append(f)
    result = PopulationImport()
    for m in members:
        if not m.is_city:
            continue
        reviewed = [s for s in spellings.get(m.member_id, []) if s.source.upper() == UNSD]
        excluded = next((s for s in reviewed if not s.city), None)
        if excluded is not None:
            result.unmatched[m.member_id] = f"reviewed: {excluded.note or 'the table has no usable figure'}"
            continue
        places = {(m.country_iso3, name_key(n)) for n in m.names() if n}
        places |= {(_country(s.country) or m.country_iso3, name_key(s.city)) for s in reviewed}
        rows = [f for place in places for f in by_place.get(place, [])]
        if not rows:
            result.unmatched[m.member_id] = (
                f"{m.country} is not in the table"
                if m.country_iso3 not in countries
                else f"no city of {m.country} in the table is called {m.display_name} (a province, a district, "
                "or a city under 100,000 is not listed); add UNSD's spelling to the Source names sheet if it is there"
            )
            continue
        chosen, why_not = _choose(rows)
        if chosen is None:
            result.refused[m.member_id] = why_not
            continue
        keep = _roster_figure_stays(m)
        if keep:
            result.kept[m.member_id] = keep
            continue
        if m.population and abs(chosen.persons - m.population) > FAR * m.population:
            result.refused[m.member_id] = (
                f"UNSD's {chosen.persons:,} ({chosen.year}) is far from the roster's {m.population:,.0f}: "
                "check which is right and type it"
            )
            continue
        result.written[m.member_id] = chosen
    return result


def _choose(rows: list[CityFigure]) -> tuple[CityFigure | None, str]:
    """The figure to import: city proper first, then the latest year and Yearbook; or why none."""
    ranked = sorted(rows, key=lambda f: (f.city_type.lower() == "city proper", f.year, f.source_year), reverse=True)
    best = ranked[0]
    same = [f for f in ranked if (f.city_type, f.year, f.source_year) == (best.city_type, best.year, best.source_year)]
    if len({f.value for f in same}) > 1:
        lines = ", ".join(str(f.line) for f in same)
        return (
            None,
            f"the table gives {best.city} {best.year} ({best.city_type}) twice with different values (lines {lines})",
        )
    low, high = PLAUSIBLE
    if not low <= best.persons <= high:
        return (
            None,
            f"UNSD's {best.persons:,} for {best.city} ({best.year}, line {best.line}) is not a city's population",
        )
    wider = [f for f in rows if f.year == best.year and f.city_type.lower() == "urban agglomeration"]
    if best.city_type.lower() == "city proper" and any(f.value > 10 * best.value for f in wider):
        return None, (
            f"UNSD's city proper {best.persons:,} for {best.city} ({best.year}, line {best.line}) is under a tenth of "
            f"its urban agglomeration ({max(f.value for f in wider):,.0f}): one of them is wrong"
        )
    return best, ""


def _roster_figure_stays(m: Member) -> str:
    if m.population_confirmed_by:
        return f"confirmed by {m.population_confirmed_by}" + (
            f" on {m.population_confirmed_on}" if m.population_confirmed_on else ""
        )
    if m.population is not None and not m.population_source.startswith(UNSD):
        return f"entered by the finance team ({m.population_source or 'no source given'})"
    return ""


def import_population(roster_file: Path, figures: list[CityFigure], *, dry_run: bool = False) -> PopulationImport:
    """Write each matched member's UNSD figure (population, year, source; unconfirmed) to the
    Members sheet through the one write path; ``dry_run`` writes nothing."""
    with WorkbookUpdate(Path(roster_file), command="import-population") as update:
        roster = read_roster(update.source)
        result = match_members(roster.members, figures, roster.source_names)
        wb = update.open()
        ws = wb[MEMBERS_SHEET]
        headers = header_columns(ws)
        rows = {m.member_id: m.row for m in roster.members}
        for member_id, f in result.written.items():
            r = rows[member_id]
            ws.cell(r, headers["Population"]).value = f.persons
            ws.cell(r, headers["Population year"]).value = f.year
            ws.cell(r, headers["Population source"]).value = f.source()
            for column in ("Population confirmed by", "Confirmed on"):
                if column in headers:
                    ws.cell(r, headers[column]).value = None
        result.saved = update.save(wb, dry_run=dry_run)
    return result


def confirm_population(roster_file: Path, member_name: str, by: str, on: dt.date | None = None) -> Member:
    """Record that ``by`` checked the member's population (written, with the date)."""
    return confirm_inputs(roster_file, [member_name], by=by, on=on).populations[0]


def awaiting_confirmation(members: Iterable[Member]) -> list[Member]:
    """The members whose population was imported (UNSD) and nobody has confirmed yet."""
    return [m for m in members if m.population_imported]


@dataclass
class Confirmation:
    """What one ``confirm`` did (or, for a dry run, would do): the members whose population
    is confirmed, and the GDP rows of the edition confirmed."""

    by: str
    populations: list[Member] = field(default_factory=list)
    edition: str | None = None
    gdp_rows: int = 0
    saved: SaveResult | None = None


def confirm_inputs(
    roster_file: Path,
    names: Iterable[str] = (),
    *,
    by: str,
    all_populations: bool = False,
    edition: str | None = None,
    on: dt.date | None = None,
    dry_run: bool = False,
) -> Confirmation:
    """Record that ``by`` checked the populations of the members ``names`` (and, with
    ``all_populations``, of every member whose imported population awaits confirmation),
    and every GDP figure of ``edition``: one save of the roster, all or nothing. A name that
    is no member, a member without a population, an edition the GDP sheet lacks: nothing is
    written, and the error names every one of them."""
    from ..rules.editions import parse_edition
    from ..rules.inputs import refuse_in_free_text
    from .roster import GDP_SHEET

    who = refuse_in_free_text(by, "who confirms (--by)").strip()
    if not who:
        raise InputError("say who confirms the figures: --by NAME")
    names = [refuse_in_free_text(n, "the member's name") for n in names]
    wanted = str(parse_edition(edition)) if edition is not None else None
    if not names and not all_populations and wanted is None:
        raise InputError('say what to confirm: CITY ... --population, --all-populations, or --gdp-edition "April 2015"')
    day = on or dt.date.today()
    done = Confirmation(who, edition=wanted)
    with WorkbookUpdate(Path(roster_file), command="confirm") as update:
        roster = read_roster(update.source)
        chosen: dict[str, Member] = {}
        problems: list[str] = []
        for name in names:
            try:
                member = roster.find(name)
            except WegoError as exc:
                problems.append(str(exc))
                continue
            if member.population is None:
                problems.append(f"{member.display_name} has no population to confirm; type it first")
            chosen.setdefault(member.member_id, member)
        if all_populations:
            for member in awaiting_confirmation(roster.members):
                chosen.setdefault(member.member_id, member)
        gdp_rows = [f.row for f in roster.gdp if f.edition == wanted] if wanted is not None else []
        if wanted is not None and not gdp_rows:
            problems.append(f"the GDP sheet has no figures of {wanted}; editions there: {', '.join(roster.editions())}")
        if problems:
            raise InputError("; ".join(problems) + "; nothing was confirmed")
        done.populations = sorted(chosen.values(), key=lambda m: m.row)
        done.gdp_rows = len(gdp_rows)
        if not done.populations and not gdp_rows:
            return done  # --all-populations with none waiting: nothing to write
        wb = update.open()
        if done.populations:
            ws = wb[MEMBERS_SHEET]
            headers = header_columns(ws, add=["Population confirmed by", "Confirmed on"])
            for member in done.populations:
                ws.cell(member.row, headers["Population confirmed by"]).value = who
                cell = ws.cell(member.row, headers["Confirmed on"])
                cell.value = day
                cell.number_format = "yyyy-mm-dd"
        if gdp_rows:
            ws = wb[GDP_SHEET]
            headers = header_columns(ws, add=["Confirmed"])
            for r in gdp_rows:
                ws.cell(r, headers["Confirmed"]).value = f"{who}, {day.isoformat()}"
        done.saved = update.save(wb, dry_run=dry_run)
    return done


__all__ = [
    "SOURCE_NAMES_SHEET",
    "CityFigure",
    "Confirmation",
    "PopulationImport",
    "awaiting_confirmation",
    "confirm_inputs",
    "import_population",
    "match_members",
    "parse_unsd",
]
