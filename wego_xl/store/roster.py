"""Reading the roster workbook: members, GDP figures and fee schedules.

The data-access layer: it opens workbook files (openpyxl), checks every cell, and hands
the rules typed records. A missing sheet or column, or a duplicate id or name, stops the
load with a :class:`RosterError` naming sheet, row, column and value; a bad value in one
cell is recorded as a problem of that member (see :attr:`Roster.problems`) so the rest of
the roster stays usable.

Which file: the ``path`` argument, else the ``WEGO_ROSTER`` environment variable, else the
roster shipped in the package (``wego_xl/data/wego_roster.xlsx``, read-only). Loads are cached per file and redone when the
file's modification time or size changes.
"""

from __future__ import annotations

import datetime as dt
import numbers
import os
import re
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import (
    InputError,
    MemberNotFoundError,
    RosterError,
    ScheduleError,
    WegoError,
)
from ..messages import Phrase, read_language
from ..rules.editions import MANUAL, is_manual, parse_edition
from ..rules.fees import FeeSchedule
from ..rules.history import MEMBERSHIP, Change
from ..rules.inputs import read_amount, read_year
from ..rules.membership import MembershipType
from ..rules.names import name_key, split_aliases, suggest
from .package import ROSTER_ENV, SHIPPED_ROSTER
from .xlsx import damaged, file_stamp, open_workbook, sheet_records

MEMBERS_SHEET, GDP_SHEET, SCHEDULE_SHEET, ABOUT_SHEET = "Members", "GDP", "Fee schedule", "About"
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
#: GDP sheet: header -> field.
GDP_COLUMNS = {
    "Country code": "country_iso3",
    "Country": "country",
    "Year": "year",
    "GDP per capita (PPP, USD)": "value",
    "Edition": "edition",
    "Units": "units",
    "Source": "source",
}
#: GDP sheet columns a roster may lack (older rosters): header -> field.
GDP_OPTIONAL_COLUMNS = {"Estimate": "estimate", "Notes": "notes", "Confirmed": "confirmed"}
#: Members sheet columns a roster may lack (older rosters): header -> field.
MEMBER_OPTIONAL_COLUMNS = {
    "Population confirmed by": "population_confirmed_by",
    "Confirmed on": "population_confirmed_on",
}
#: The History sheet: one row per change of a member, with its decision.
HISTORY_SHEET = "History"
SETTINGS_SHEET = "Settings"
SETTINGS_COLUMNS = ("Setting", "Value", "What it is")
#: The About sheet's cell for the language reports are written in: its label in column A.
LANGUAGE_LABEL = "Language"
HISTORY_COLUMNS = ("Member ID", "Member", "What changed", "From", "To", "Effective date", "Decision", "Entered by",
                   "Entered at")  # fmt: skip
#: The History columns a roster must have ("Member", the name beside the id, is for people:
#: a roster of an earlier version has none, and the id alone decides).
HISTORY_REQUIRED = ("Member ID", "What changed", "From", "To")
#: The sheet of reviewed spellings: how a source (UNSD) writes a member's name.
SOURCE_NAMES_SHEET = "Source names"
SOURCE_NAMES_COLUMNS = ("Member ID", "Source", "Country as written", "City as written", "Note")
SCHEDULE_MARK = "Effective year"

_ISO3 = re.compile(r"^[A-Z]{3}$")


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


@dataclass(frozen=True)
class GdpFigure:
    """One GDP (PPP) per capita figure: a country, a year, a value and its IMF edition
    (or ``Manual`` for a figure entered by hand, with its source and a note)."""

    country_iso3: str
    country: str
    year: int
    value: float
    edition: str
    units: str
    source: str
    row: int
    estimate: bool = False  # the edition marks the figure as an IMF estimate or projection
    notes: str = ""
    confirmed: str = ""  # who confirmed the edition's figures, and when

    @property
    def manual(self) -> bool:
        return is_manual(self.edition)

    @property
    def is_ppp(self) -> bool:
        """The figure is GDP (PPP) per capita, as its Units say (see :func:`units_are_ppp`):
        only such figures are ever billed."""
        return units_are_ppp(self.units)

    def described(self) -> Phrase:
        """Where the figure comes from, for an explanation."""
        if self.manual:
            return Phrase.of("gdp.by_hand", source=self.source + (f"; {self.notes}" if self.notes else ""))
        return Phrase.of("gdp.estimate" if self.estimate else "gdp.edition", edition=self.edition)


#: The Units text of a GDP row imported by name from a series that is not PPPPC.
NOT_PPPPC = "not GDP (PPP) per capita (PPPPC)"
#: Words of units that say purchasing power parity.
PPP_UNITS = ("purchasing power parity", "international dollar", "ppp")


def units_are_ppp(units: str) -> bool:
    """Whether a GDP row's Units say GDP (PPP) per capita: blank (the column is "GDP per
    capita (PPP, USD)", as typed by hand), or PPP units; U.S. dollars, national currency,
    "not stated" and a series imported by name (:data:`NOT_PPPPC`) are not, and are never billed."""
    text = " ".join(units.split()).lower()
    if not text:
        return True
    if NOT_PPPPC.lower() in text:
        return False
    return any(word in text for word in PPP_UNITS)


def edition_order(edition: str) -> tuple[int, int]:
    """Sort key of an edition name: "April 2016" -> (2016, 4); "Manual" and unreadable text
    sort first."""
    try:
        parsed = parse_edition(edition, today=dt.date.max)
    except InputError:
        return (0, 0)
    return parsed.year, parsed.month


@dataclass
class Roster:
    """The loaded roster: members, GDP figures, fee schedules, and cell problems found."""

    path: Path
    members: list[Member]
    gdp: list[GdpFigure]
    schedules: list[FeeSchedule]
    problems: list[RosterError] = field(default_factory=list)
    source_names: dict[str, list[SourceName]] = field(default_factory=dict)  # member id -> reviewed spellings
    history: list[Change] = field(default_factory=list)
    language: str = "en"  # the About sheet's Language cell: reports, checks and documents
    settings: dict[str, Setting] = field(default_factory=dict)  # the Settings sheet, by setting name
    _by_key: dict[str, Member] = field(default_factory=dict, repr=False)
    _shown: dict[str, str] = field(default_factory=dict, repr=False)
    _gdp_index: dict[tuple[str, int], list[GdpFigure]] = field(default_factory=dict, repr=False)
    _not_ppp: dict[tuple[str, int], list[GdpFigure]] = field(default_factory=dict, repr=False)
    _editions: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        for member in self.members:
            for name in member.names():
                key = name_key(name)
                if key:
                    self._by_key[key] = member
                    self._shown[key] = member.display_name
        for fig in self.gdp:  # only GDP (PPP) per capita is ever billed; other series are kept aside
            index = self._gdp_index if fig.is_ppp else self._not_ppp
            index.setdefault((fig.country_iso3, fig.year), []).append(fig)
        for figures in self._gdp_index.values():
            figures.sort(key=lambda f: (not f.manual, edition_order(f.edition)))  # manual first, newest last
        self._editions = sorted({f.edition for f in self.gdp if not f.manual and f.is_ppp}, key=edition_order)

    # -- members ----------------------------------------------------------------------
    def find(self, name: object) -> Member:
        """The member called ``name`` (Korean, English or alias; any case, spacing, form)."""
        member = self._by_key.get(name_key(name))
        if member is None:
            raise MemberNotFoundError(str(name).strip(), suggest(name, self._shown))
        return member

    def member(self, id_or_name: object) -> Member:
        """The member with this id ("W001"), else called this name (see :meth:`find`)."""
        text = str(id_or_name).strip()
        by_id = next((m for m in self.members if m.member_id == text), None)
        return by_id if by_id is not None else self.find(text)

    def select(self, region: str | None = None, membership: MembershipType | None = None) -> list[Member]:
        """Members in roster order, optionally of one region and/or membership type."""
        if region is not None:
            wanted = {name_key(r): r for r in REGIONS}.get(name_key(region))
            if wanted is None:
                raise InputError(f"region must be one of {', '.join(REGIONS)}, got {region!r}")
            region = wanted
        return [
            m
            for m in self.members
            if (region is None or m.region == region) and (membership is None or m.membership is membership)
        ]

    # -- GDP ----------------------------------------------------------------------------
    def editions(self) -> list[str]:
        """The IMF editions of GDP (PPP) per capita in the GDP sheet, oldest first."""
        return list(self._editions)

    def gdp_not_ppp(self, country_iso3: str, year: int) -> list[GdpFigure]:
        """The GDP sheet's figures for a country and year that are not GDP (PPP) per capita
        (U.S. dollars...): kept, never billed."""
        return list(self._not_ppp.get((country_iso3, year), []))

    def gdp_figure(self, country_iso3: str, year: int, edition: str | None = None) -> GdpFigure | None:
        """The GDP (PPP) per capita figure for a country and year: from ``edition`` if given,
        else from the newest IMF edition that has it, else the figure entered by hand
        (``Manual``). A figure of another series (U.S. dollars) is never one."""
        figures = self._gdp_index.get((country_iso3, year), [])
        if edition is not None:
            return next((f for f in figures if f.edition == edition), None)
        return figures[-1] if figures else None


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------

#: Where xlwings Lite puts files imported through its Files > Import/Export pane.
LITE_ROSTER = Path("/data/wego_roster.xlsx")


def roster_path(path: str | os.PathLike | None = None) -> Path:
    """The roster file to use: ``path``, else ``$WEGO_ROSTER``, else (in xlwings Lite, which
    runs in the browser) an imported ``/data/wego_roster.xlsx``, else the shipped workbook."""
    chosen = path or os.environ.get(ROSTER_ENV)
    if not chosen and sys.platform == "emscripten" and LITE_ROSTER.exists():
        chosen = LITE_ROSTER
    return Path(chosen or SHIPPED_ROSTER).expanduser()


def _date(v: object) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    return v if isinstance(v, dt.date) else None


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


class _CellReader:
    """Reads one sheet's cells into typed values, recording problems with their place."""

    def __init__(self, path: Path, sheet: str):
        self.path, self.sheet = str(path), sheet
        self.problems: list[RosterError] = []

    def problem(self, row: int, column: str, value: object, text: str, fix: str) -> None:
        self.problems.append(
            RosterError(text, path=self.path, sheet=self.sheet, row=row, column=column, value=value, fix=fix)
        )

    def number(self, v: object, row: int, column: str, kind: str, fix: str) -> float | None:
        """A number of 0 or more, read as every reader reads one (text "975,453" included);
        None for a blank; a problem, recorded with its place, for anything else."""
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        try:
            return read_amount(v, column, kind)
        except WegoError as exc:
            self.problem(row, column, v, str(exc), fix)
            return None

    def year(self, v: object, row: int, column: str) -> int | None:
        """A year (2016, "2016", a date's year); None for a blank; a problem otherwise."""
        try:
            return read_year(v, column)
        except WegoError as exc:
            self.problem(row, column, v, str(exc), "type a four-digit year such as 2015, or leave it blank")
            return None


class _MemberReader:
    """Reads the Members sheet row by row. A row that cannot identify its member (blank or
    duplicate id, no name, a name another member has, an unknown membership) stops the load;
    a bad value elsewhere is a problem of that member only."""

    def __init__(self, path: Path):
        self.path = path
        self.cells = _CellReader(path, MEMBERS_SHEET)
        self.ids: dict[str, int] = {}
        self.names: dict[str, tuple[int, str]] = {}

    def stop(self, row: int, column: str, problem: str, fix: str, value: object = None) -> RosterError:
        return RosterError(
            problem, path=str(self.path), sheet=MEMBERS_SHEET, row=row, column=column, value=value, fix=fix
        )

    def identity(self, r: int, get: dict) -> tuple[str, str, str, tuple[str, ...]]:
        """(member id, Korean name, English name, aliases), each unique on the sheet."""
        member_id = _text(get["Member ID"])
        if not member_id:
            raise self.stop(r, "Member ID", "member id is blank", "give every member a unique id such as W101")
        if member_id in self.ids:
            raise self.stop(
                r,
                "Member ID",
                f"duplicate member id (also in row {self.ids[member_id]})",
                "give each member its own id",
                member_id,
            )
        self.ids[member_id] = r
        name_ko, name_en = _text(get["Korean name"]), _text(get["English name"])
        if not name_ko and not name_en:
            raise self.stop(
                r, "English name", "the member has neither a Korean nor an English name", "type at least one name"
            )
        aliases = tuple(split_aliases(get["Aliases"]))
        named = [("Korean name", name_ko), ("English name", name_en)] + [("Aliases", a) for a in aliases]
        for column, name in named:
            key = name_key(name)
            if key and key in self.names and self.names[key][0] != r:
                other_row, other_name = self.names[key]
                raise self.stop(
                    r,
                    column,
                    f"duplicate name: {name!r} is also used for {other_name!r} in row {other_row}",
                    "each name and alias must belong to one member; remove or change one",
                    name,
                )
            if key:
                self.names[key] = (r, name_en or name_ko)
        return member_id, name_ko, name_en, aliases

    def membership(self, r: int, get: dict) -> MembershipType:
        try:
            return MembershipType.parse(get["Membership"])
        except InputError as exc:
            raise self.stop(
                r, "Membership", str(exc), "pick Full, Associate or Friendship from the drop-down", get["Membership"]
            ) from None

    def code(self, r: int, get: dict, column: str, fix: str, required: bool = True) -> str:
        """A three-letter country code, upper-cased; a bad one is recorded as a problem."""
        code = _text(get[column]).upper()
        if (code or required) and not _ISO3.match(code):
            self.cells.problem(r, column, get[column], "must be a three-letter ISO code", fix)
        return code

    def capital(self, r: int, get: dict, membership: MembershipType) -> bool | None:
        text = _text(get["Capital"]).lower()
        capital = {"yes": True, "no": False, "": None}.get(text)
        if text not in ("yes", "no", ""):
            self.cells.problem(r, "Capital", get["Capital"], "must be Yes or No", "pick Yes or No")
        if capital is None and membership is not MembershipType.FRIENDSHIP:
            self.cells.problem(
                r, "Capital", get["Capital"], "is blank for a city", "type Yes or No as the source classifies it"
            )
        return capital

    def member(self, r: int, get: dict) -> Member:
        before = len(self.cells.problems)
        member_id, name_ko, name_en, aliases = self.identity(r, get)
        membership = self.membership(r, get)
        region = _text(get["Region"])
        if region not in REGIONS:
            self.cells.problem(r, "Region", get["Region"], "is not a known region", f"pick one of {', '.join(REGIONS)}")
        cells = self.cells
        return Member(
            member_id=member_id,
            name_ko=name_ko,
            name_en=name_en,
            aliases=aliases,
            country_iso3=self.code(r, get, "Country code", "type the ISO 3166 alpha-3 code, e.g. KOR"),
            country=_text(get["Country"]),
            region=region,
            capital=self.capital(r, get, membership),
            membership=membership,
            associate_since=cells.year(get["Associate since"], r, "Associate since"),
            full_since=cells.year(get["Full since"], r, "Full since"),
            population=cells.number(
                get["Population"],
                r,
                "Population",
                "a number of persons",
                "type the population in persons (e.g. 970000), or leave it blank if unknown",
            ),
            population_year=cells.year(get["Population year"], r, "Population year"),
            population_source=_text(get["Population source"]),
            gdp_country_iso3=self.code(r, get, "GDP country code", "type e.g. HKG, or leave blank", required=False),
            english_confirmed=_text(get["English name confirmed"]).lower() != "no",
            notes=_text(get["Notes"]),
            row=r,
            problems=tuple(cells.problems[before:]),
            population_confirmed_by=_text(get["Population confirmed by"]),
            population_confirmed_on=_date(get["Confirmed on"]),
        )


def _read_members(wb, path: Path) -> tuple[list[Member], list[RosterError]]:
    reader = _MemberReader(path)
    rows = sheet_records(
        wb, path, MEMBERS_SHEET, MEMBER_COLUMNS, "rebuild the roster or restore the sheet", MEMBER_OPTIONAL_COLUMNS
    )
    members = [reader.member(r, get) for r, get in rows]
    return members, reader.cells.problems


def _read_gdp(wb, path: Path) -> tuple[list[GdpFigure], list[RosterError]]:
    cells = _CellReader(path, GDP_SHEET)
    figures: list[GdpFigure] = []
    seen: dict[tuple[str, int, str, bool], int] = {}
    rows = sheet_records(
        wb, path, GDP_SHEET, GDP_COLUMNS, "rebuild the roster or run wego-xl import-weo", GDP_OPTIONAL_COLUMNS
    )
    for r, get in rows:
        before = len(cells.problems)
        iso3 = _text(get["Country code"]).upper()
        if not _ISO3.match(iso3):
            cells.problem(r, "Country code", get["Country code"], "must be a three-letter ISO code", "type e.g. KOR")
        year = cells.year(get["Year"], r, "Year")
        value = cells.number(
            get["GDP per capita (PPP, USD)"],
            r,
            "GDP per capita (PPP, USD)",
            "a number of USD",
            "type the IMF figure in USD, or delete the row",
        )
        if value == 0:
            cells.problem(r, "GDP per capita (PPP, USD)", value, "must be more than 0", "type the IMF figure in USD")
        edition = _text(get["Edition"])
        if not is_manual(edition):
            try:
                edition = str(parse_edition(edition, today=dt.date.max))
            except InputError as exc:
                cells.problem(r, "Edition", None, f'{exc}, or "{MANUAL}" for a figure entered by hand', "")
        elif not _text(get["Source"]):
            cells.problem(
                r, "Source", None, "a GDP figure entered by hand needs its source", "say where the figure comes from"
            )
        if len(cells.problems) > before or year is None or value is None:
            continue
        key = (iso3, year, edition, units_are_ppp(_text(get["Units"])))
        if key in seen:
            cells.problem(
                r,
                "Year",
                year,
                f"{iso3} {year} ({edition}) is also in row {seen[key]}",
                "keep one row per country, year and edition",
            )
            continue
        seen[key] = r
        figures.append(
            GdpFigure(
                iso3,
                _text(get["Country"]),
                year,
                value,
                edition,
                _text(get["Units"]),
                _text(get["Source"]),
                r,
                estimate=_text(get["Estimate"]).lower() == "yes",
                notes=_text(get["Notes"]),
                confirmed=_text(get["Confirmed"]),
            )
        )
    return figures, cells.problems


def _read_schedules(wb, path: Path) -> list[FeeSchedule]:
    if SCHEDULE_SHEET not in wb.sheetnames:
        raise RosterError(
            f"sheet {SCHEDULE_SHEET!r} is missing", path=str(path), fix="rebuild the roster or restore the sheet"
        )
    grid = [list(row) for row in wb[SCHEDULE_SHEET].iter_rows(values_only=True)]
    schedules = []
    for r, row in enumerate(grid):
        if not row or _text(row[0]) != SCHEDULE_MARK:
            continue
        where = dict(path=str(path), sheet=SCHEDULE_SHEET)
        year = row[1] if len(row) > 1 else None
        if not (isinstance(year, numbers.Real) and float(year).is_integer()):
            raise RosterError(
                "the effective year must be a year such as 2016",
                row=r + 1,
                column="B",
                value=year,
                fix="type the first fee year it applies to",
                **where,
            )
        header = grid[r + 1] if r + 1 < len(grid) else []
        pop_lowers = [v for v in header[1:] if v not in (None, "")]
        gdp_lowers, fees = [], []
        for rr in range(r + 2, len(grid)):
            line = grid[rr]
            if not line or line[0] in (None, "") or _text(line[0]) == SCHEDULE_MARK:
                break
            gdp_lowers.append(line[0])
            fees.append([v for v in line[1 : 1 + len(pop_lowers)]])
        try:
            schedules.append(
                FeeSchedule(
                    int(float(year)),
                    tuple(pop_lowers),
                    tuple(gdp_lowers),
                    tuple(tuple(f) for f in fees),
                    source=f"{path.name}, sheet {SCHEDULE_SHEET}, row {r + 1}",
                )
            )
        except ScheduleError as exc:
            raise RosterError(str(exc), row=r + 1, fix="correct the table", **where) from None
    if not schedules:
        raise RosterError(
            "no fee schedule found (a row starting 'Effective year')",
            path=str(path),
            sheet=SCHEDULE_SHEET,
            fix="restore the 2016 table",
        )
    years = Counter(s.effective_year for s in schedules)
    dup = [y for y, n in years.items() if n > 1]
    if dup:
        raise RosterError(
            f"two schedules take effect in {dup[0]}",
            path=str(path),
            sheet=SCHEDULE_SHEET,
            fix="keep one schedule per effective year",
        )
    return sorted(schedules, key=lambda s: s.effective_year)


def read_roster(path: str | os.PathLike | None = None) -> Roster:
    """Load a roster file, uncached. Raises :class:`RosterError` for a structural problem."""
    p = roster_path(path)
    wb = open_workbook(p)
    try:
        members, problems = _read_members(wb, p)
        gdp, gdp_problems = _read_gdp(wb, p)
        schedules = _read_schedules(wb, p)
        source_names = _read_source_names(wb, p)
        history, history_problems = _read_history(wb, p, {m.member_id for m in members})
        language, language_problems = _read_language(wb, p)
        settings = _read_settings(wb, p)
    except WegoError:
        raise
    except Exception as exc:  # a damaged sheet part
        raise damaged(exc, p) from None
    finally:
        wb.close()
    return Roster(
        p,
        members,
        gdp,
        schedules,
        problems + gdp_problems + history_problems + language_problems,
        source_names,
        history,
        language,
        settings,
    )


def _read_history(wb, path: Path, ids: set[str]) -> tuple[list[Change], list[RosterError]]:
    """The History sheet's changes (optional sheet); a row naming an unknown member, a date
    that is not one, or a status that is not one is a problem of that row."""
    if HISTORY_SHEET not in wb.sheetnames:
        return [], []
    cells = _CellReader(path, HISTORY_SHEET)
    changes = []
    rows = sheet_records(
        wb,
        path,
        HISTORY_SHEET,
        HISTORY_REQUIRED,
        "restore the sheet's header row",
        [c for c in HISTORY_COLUMNS if c not in HISTORY_REQUIRED],
    )
    for r, get in rows:
        member_id, what = _text(get["Member ID"]), _text(get["What changed"])
        effective = _date(get["Effective date"])
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
                    if _text(value):
                        MembershipType.parse(value)
            except InputError as exc:
                cells.problem(r, "To", get["To"], str(exc), "pick a status")
                continue
        changes.append(
            Change(member_id, what, _text(get["From"]), _text(get["To"]), effective, _text(get["Decision"]),
                   _text(get["Entered by"]), _date(get["Entered at"]), r)
        )  # fmt: skip
    return changes, cells.problems


def _read_source_names(wb, path: Path) -> dict[str, list[SourceName]]:
    """Member id -> its reviewed spellings, from the optional "Source names" sheet."""
    if SOURCE_NAMES_SHEET not in wb.sheetnames:
        return {}
    names: dict[str, list[SourceName]] = {}
    rows = sheet_records(
        wb,
        path,
        SOURCE_NAMES_SHEET,
        SOURCE_NAMES_COLUMNS[:2],
        "restore the sheet's header row",
        SOURCE_NAMES_COLUMNS[2:],
    )
    for _, get in rows:
        names.setdefault(_text(get["Member ID"]), []).append(
            SourceName(
                _text(get["Source"]),
                _text(get["Country as written"]),
                _text(get["City as written"]),
                _text(get["Note"]),
            )
        )
    return names


@dataclass(frozen=True)
class Setting:
    """One row of the Settings sheet: the Secretariat's address, bank details..."""

    name: str
    value: str
    row: int


def _read_settings(wb, path: Path) -> dict[str, Setting]:
    """The optional Settings sheet: setting name -> value (blank values kept, as blanks)."""
    if SETTINGS_SHEET not in wb.sheetnames:
        return {}
    rows = sheet_records(
        wb, path, SETTINGS_SHEET, SETTINGS_COLUMNS[:2], "restore the sheet's header row", SETTINGS_COLUMNS[2:]
    )
    return {_text(get["Setting"]): Setting(_text(get["Setting"]), _setting_value(get["Value"], path, r), r)
            for r, get in rows}  # fmt: skip


#: Excel keeps 15 significant digits of a number: a longer one (an account number typed into a
#: number cell) has lost its last digits already.
EXCEL_DIGITS = 15


def _setting_value(value: object, path: Path, row: int) -> str:
    """A Settings value as text; a number of more than 15 digits is refused naming the cell
    (Excel has already changed its last digits: 1800091234567890123 is 1800091234567889920)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        whole = int(value) if float(value).is_integer() else None
        if whole is not None and len(str(abs(whole))) > EXCEL_DIGITS:
            raise RosterError(
                f"is a number of {len(str(abs(whole)))} digits, of which Excel keeps only {EXCEL_DIGITS}",
                path=str(path), sheet=SETTINGS_SHEET, row=row, column="Value", value=value,
                fix="type it again as text (with a leading apostrophe: '1800091234567890123)",
            )  # fmt: skip
    return _text(value)


def _read_language(wb, path: Path) -> tuple[str, list[RosterError]]:
    """The About sheet's Language cell (column B beside "Language" in column A, near the top);
    English when there is none. A value that is not a language is a problem naming the cell."""
    if ABOUT_SHEET not in wb.sheetnames:
        return "en", []
    for r, row in enumerate(wb[ABOUT_SHEET].iter_rows(min_row=1, max_row=5, max_col=2, values_only=True), start=1):
        label = _text(row[0] if row else None)
        if label.casefold().startswith(LANGUAGE_LABEL.casefold()):
            value = row[1] if len(row) > 1 else None
            try:
                return read_language(value), []
            except InputError as exc:
                return "en", [RosterError(str(exc), path=str(path), sheet=ABOUT_SHEET, row=r, column="B", value=value,
                                          fix='type "en" or "ko"')]  # fmt: skip
    return "en", []


_cache: dict[Path, tuple[tuple[int, int], Roster]] = {}
_cache_lock = threading.Lock()


def load_roster(path: str | os.PathLike | None = None) -> Roster:
    """The roster, from the cache unless the file changed (modification time or size)."""
    p = roster_path(path)
    stamp = file_stamp(p)
    with _cache_lock:
        hit = _cache.get(p)
        if hit and hit[0] == stamp:
            return hit[1]
    roster = read_roster(p)
    with _cache_lock:
        _cache[p] = (stamp, roster)
    return roster


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
