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

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, WegoError
from ..rules.names import name_key
from ..store.roster import GDP_SHEET, MEMBERS_SHEET, SOURCE_NAMES_SHEET, Member, Roster, SourceName, read_roster
from ..store.saving import SaveResult, WorkbookUpdate
from ..store.unsd import UNSD, UNSD_COUNTRIES, CityFigure
from ..store.weo import country_code
from ..store.xlsx import header_columns
from .checks import PLAUSIBLE_POPULATION

#: A city's population outside this range (persons) is not imported: the range the checks ask to confirm.
PLAUSIBLE = PLAUSIBLE_POPULATION
#: A new figure more than this far from the member's previous one (as a share) is reported.
FAR = 0.5


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
        chosen, problems = _populations_to_confirm(roster, names, all_populations)
        gdp_rows = [f.row for f in roster.gdp if f.edition == wanted] if wanted is not None else []
        if wanted is not None and not gdp_rows:
            problems.append(f"the GDP sheet has no figures of {wanted}; editions there: {', '.join(roster.editions())}")
        if problems:
            raise InputError("; ".join(problems) + "; nothing was confirmed")
        done.populations = chosen
        done.gdp_rows = len(gdp_rows)
        if not done.populations and not gdp_rows:
            return done  # --all-populations with none waiting: nothing to write
        wb = update.open()
        _write_confirmed(wb, done.populations, gdp_rows, who, day)
        done.saved = update.save(wb, dry_run=dry_run)
    return done


def _populations_to_confirm(roster: Roster, names: list[str], every_awaiting: bool) -> tuple[list[Member], list[str]]:
    """The members whose population to confirm, in the roster's order (those ``names``, and
    with ``every_awaiting`` each whose imported population awaits confirmation), and what stops
    it: a name that is no member, a member without a population."""
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
    if every_awaiting:
        for member in awaiting_confirmation(roster.members):
            chosen.setdefault(member.member_id, member)
    return sorted(chosen.values(), key=lambda m: m.row), problems


def _write_confirmed(wb: Any, populations: list[Member], gdp_rows: list[int], who: str, day: dt.date) -> None:
    """Mark each member's population confirmed (who, and the date) on the Members sheet and
    each GDP row confirmed ("who, date") on the GDP sheet, adding the columns if need be."""
    if populations:
        ws = wb[MEMBERS_SHEET]
        headers = header_columns(ws, add=["Population confirmed by", "Confirmed on"])
        for member in populations:
            ws.cell(member.row, headers["Population confirmed by"]).value = who
            cell = ws.cell(member.row, headers["Confirmed on"])
            cell.value = day
            cell.number_format = "yyyy-mm-dd"
    if gdp_rows:
        ws = wb[GDP_SHEET]
        headers = header_columns(ws, add=["Confirmed"])
        for r in gdp_rows:
            ws.cell(r, headers["Confirmed"]).value = f"{who}, {day.isoformat()}"


__all__ = [
    "SOURCE_NAMES_SHEET",
    "Confirmation",
    "PopulationImport",
    "awaiting_confirmation",
    "confirm_inputs",
    "import_population",
    "match_members",
]
