"""The roster's Members, History and Source names sheets, read row by row.

A row of the Members sheet that cannot identify its member (blank or duplicate id, no
name, a name another member has, an unknown membership) stops the load with a
:class:`RosterError`; a bad value elsewhere is a problem of that member only, so the rest of
the roster stays usable.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, RosterError
from ..rules.history import MEMBERSHIP, Change
from ..rules.membership import MembershipType
from ..rules.names import name_key, split_aliases
from .sheets import SheetReader, cell_date, cell_text

MEMBERS_SHEET = "Members"
REGIONS = ("Asia", "Oceania", "Americas", "Europe", "Middle East", "Africa")

#: Members sheet: header -> record field, in sheet order.
MEMBER_COLUMNS = {
    "Member ID": "member_id",
    "Korean name": "name_ko",
    "English name": "name_en",
    "Aliases": "aliases",
    "Country code": "country_iso3",
    "Country": "country",
    "Region": "region",
    "Capital": "capital",
    "Membership": "membership",
    "Associate since": "associate_since",
    "Full since": "full_since",
    "Population": "population",
    "Population year": "population_year",
    "Population source": "population_source",
    "GDP country code": "gdp_country_iso3",
    "English name confirmed": "english_confirmed",
    "Notes": "notes",
}
#: Members sheet columns a roster may lack (older rosters): header -> field.
MEMBER_OPTIONAL_COLUMNS = {
    "Population confirmed by": "population_confirmed_by",
    "Confirmed on": "population_confirmed_on",
}
#: The History sheet: one row per change of a member, with its decision.
HISTORY_SHEET = "History"
HISTORY_COLUMNS = ("Member ID", "Member", "What changed", "From", "To", "Effective date", "Decision", "Entered by",
                   "Entered at")  # fmt: skip
#: The History columns a roster must have ("Member", the name beside the id, is for people:
#: a roster of an earlier version has none, and the id alone decides).
HISTORY_REQUIRED = ("Member ID", "What changed", "From", "To")
#: The sheet of reviewed spellings: how a source (UNSD) writes a member's name.
SOURCE_NAMES_SHEET = "Source names"
SOURCE_NAMES_COLUMNS = ("Member ID", "Source", "Country as written", "City as written", "Note")

#: A three-letter country code (ISO 3166 alpha-3).
ISO3 = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Member:
    """One row of the Members sheet."""

    member_id: str
    name_ko: str
    name_en: str
    aliases: tuple[str, ...]
    country_iso3: str
    country: str
    region: str
    capital: bool | None  # None for organisations
    membership: MembershipType
    associate_since: int | None
    full_since: int | None
    population: float | None
    population_year: int | None
    population_source: str
    gdp_country_iso3: str
    english_confirmed: bool
    notes: str
    row: int
    problems: tuple[RosterError, ...] = ()
    population_confirmed_by: str = ""
    population_confirmed_on: dt.date | None = None

    @property
    def population_imported(self) -> bool:
        """The population came from an import (UNSD) and nobody has confirmed it yet."""
        return (
            self.population is not None
            and self.population_source.startswith("UNSD")
            and not self.population_confirmed_by
        )

    @property
    def display_name(self) -> str:
        """The name shown in lists and messages: English, else Korean."""
        return self.name_en or self.name_ko

    @property
    def is_city(self) -> bool:
        return self.membership is not MembershipType.FRIENDSHIP

    @property
    def gdp_code(self) -> str:
        """The ISO3 code whose GDP figure the fee uses (usually the country's)."""
        return self.gdp_country_iso3 or self.country_iso3

    def names(self) -> list[str]:
        return [self.name_ko, self.name_en, *self.aliases]

    def problem_with(self, column: str) -> RosterError | None:
        return next((p for p in self.problems if p.column == column), None)


@dataclass(frozen=True)
class SourceName:
    """How a source (UNSD) writes a member's country and city, as reviewed by a person; a
    blank city says the source has no usable figure, and the note says why."""

    source: str
    country: str
    city: str
    note: str


class _MemberReader:
    """Reads the Members sheet row by row. A row that cannot identify its member (blank or
    duplicate id, no name, a name another member has, an unknown membership) stops the load;
    a bad value elsewhere is a problem of that member only."""

    def __init__(self, path: Path):
        self.cells = SheetReader(path, MEMBERS_SHEET, RosterError)
        self.ids: dict[str, int] = {}
        self.names: dict[str, tuple[int, str]] = {}

    def identity(self, r: int, get: dict) -> tuple[str, str, str, tuple[str, ...]]:
        """(member id, Korean name, English name, aliases), each unique on the sheet."""
        stop = self.cells.error
        member_id = cell_text(get["Member ID"])
        if not member_id:
            raise stop(r, "Member ID", None, "member id is blank", "give every member a unique id such as W101")
        if member_id in self.ids:
            raise stop(r, "Member ID", member_id, f"duplicate member id (also in row {self.ids[member_id]})",
                       "give each member its own id")  # fmt: skip
        self.ids[member_id] = r
        name_ko, name_en = cell_text(get["Korean name"]), cell_text(get["English name"])
        if not name_ko and not name_en:
            raise stop(r, "English name", None, "the member has neither a Korean nor an English name",
                       "type at least one name")  # fmt: skip
        aliases = tuple(split_aliases(get["Aliases"]))
        named = [("Korean name", name_ko), ("English name", name_en)] + [("Aliases", a) for a in aliases]
        for column, name in named:
            key = name_key(name)
            if key and key in self.names and self.names[key][0] != r:
                other_row, other_name = self.names[key]
                raise stop(r, column, name, f"duplicate name: {name!r} is also used for {other_name!r} in row "
                           f"{other_row}", "each name and alias must belong to one member; remove or change one")  # fmt: skip
            if key:
                self.names[key] = (r, name_en or name_ko)
        return member_id, name_ko, name_en, aliases

    def membership(self, r: int, get: dict) -> MembershipType:
        try:
            return MembershipType.parse(get["Membership"])
        except InputError as exc:
            raise self.cells.error(
                r, "Membership", get["Membership"], str(exc), "pick Full, Associate or Friendship from the drop-down"
            ) from None

    def code(self, r: int, get: dict, column: str, fix: str, required: bool = True) -> str:
        """A three-letter country code, upper-cased; a bad one is recorded as a problem."""
        code = cell_text(get[column]).upper()
        if (code or required) and not ISO3.match(code):
            self.cells.problem(r, column, get[column], "must be a three-letter ISO code", fix)
        return code

    def capital(self, r: int, get: dict, membership: MembershipType) -> bool | None:
        text = cell_text(get["Capital"]).lower()
        capital = {"yes": True, "no": False, "": None}.get(text)
        if text not in ("yes", "no", ""):
            self.cells.problem(r, "Capital", get["Capital"], "must be Yes or No", "pick Yes or No")
        if capital is None and membership is not MembershipType.FRIENDSHIP:
            self.cells.problem(
                r, "Capital", get["Capital"], "is blank for a city", "type Yes or No as the source classifies it"
            )
        return capital

    def member(self, r: int, get: dict) -> Member:
        cells = self.cells
        before = len(cells.problems)
        member_id, name_ko, name_en, aliases = self.identity(r, get)
        membership = self.membership(r, get)
        region = cell_text(get["Region"])
        if region not in REGIONS:
            cells.problem(r, "Region", get["Region"], "is not a known region", f"pick one of {', '.join(REGIONS)}")
        return Member(
            member_id=member_id,
            name_ko=name_ko,
            name_en=name_en,
            aliases=aliases,
            country_iso3=self.code(r, get, "Country code", "type the ISO 3166 alpha-3 code, e.g. KOR"),
            country=cell_text(get["Country"]),
            region=region,
            capital=self.capital(r, get, membership),
            membership=membership,
            associate_since=cells.year(r, "Associate since", get["Associate since"]),
            full_since=cells.year(r, "Full since", get["Full since"]),
            population=cells.number(r, "Population", get["Population"], "a number of persons",
                                    "type the population in persons (e.g. 970000), or leave it blank if unknown"),
            population_year=cells.year(r, "Population year", get["Population year"]),
            population_source=cell_text(get["Population source"]),
            gdp_country_iso3=self.code(r, get, "GDP country code", "type e.g. HKG, or leave blank", required=False),
            english_confirmed=cell_text(get["English name confirmed"]).lower() != "no",
            notes=cell_text(get["Notes"]),
            row=r,
            problems=tuple(cells.problems[before:]),
            population_confirmed_by=cell_text(get["Population confirmed by"]),
            population_confirmed_on=cell_date(get["Confirmed on"]),
        )  # fmt: skip


def read_members(wb, path: Path) -> tuple[list[Member], list[RosterError]]:
    """The Members sheet's members, and the problems of their cells."""
    reader = _MemberReader(path)
    rows = reader.cells.rows(wb, MEMBER_COLUMNS, "rebuild the roster or restore the sheet", MEMBER_OPTIONAL_COLUMNS)
    members = [reader.member(r, get) for r, get in rows]
    return members, reader.cells.problems


def read_history(wb, path: Path, ids: set[str]) -> tuple[list[Change], list[RosterError]]:
    """The History sheet's changes (optional sheet); a row naming an unknown member, a date
    that is not one, or a status that is not one is a problem of that row."""
    if HISTORY_SHEET not in wb.sheetnames:
        return [], []
    cells = SheetReader(path, HISTORY_SHEET, RosterError)
    changes = []
    optional = [c for c in HISTORY_COLUMNS if c not in HISTORY_REQUIRED]
    for r, get in cells.rows(wb, HISTORY_REQUIRED, "restore the sheet's header row", optional):
        member_id, what = cell_text(get["Member ID"]), cell_text(get["What changed"])
        effective = cell_date(get["Effective date"])
        if member_id not in ids:
            cells.problem(
                r, "Member ID", get["Member ID"], "is not a member id of the Members sheet", "type the id, e.g. W047"
            )
            continue
        if get["Effective date"] not in (None, "") and effective is None:
            cells.problem(
                r, "Effective date", get["Effective date"], "must be a date", "type a date such as 2017-03-31"
            )
            continue
        if what == MEMBERSHIP:
            try:
                for value in (get["From"], get["To"]):
                    if cell_text(value):
                        MembershipType.parse(value)
            except InputError as exc:
                cells.problem(r, "To", get["To"], str(exc), "pick a status")
                continue
        changes.append(
            Change(member_id, what, cell_text(get["From"]), cell_text(get["To"]), effective,
                   cell_text(get["Decision"]), cell_text(get["Entered by"]), cell_date(get["Entered at"]), r)
        )  # fmt: skip
    return changes, cells.problems


def read_source_names(wb, path: Path) -> dict[str, list[SourceName]]:
    """Member id -> its reviewed spellings, from the optional "Source names" sheet."""
    if SOURCE_NAMES_SHEET not in wb.sheetnames:
        return {}
    names: dict[str, list[SourceName]] = {}
    reader = SheetReader(path, SOURCE_NAMES_SHEET, RosterError)
    rows = reader.rows(wb, SOURCE_NAMES_COLUMNS[:2], "restore the sheet's header row", SOURCE_NAMES_COLUMNS[2:])
    for _, get in rows:
        names.setdefault(cell_text(get["Member ID"]), []).append(
            SourceName(
                cell_text(get["Source"]),
                cell_text(get["Country as written"]),
                cell_text(get["City as written"]),
                cell_text(get["Note"]),
            )
        )
    return names
