"""Reading the roster workbook: members, GDP figures and fee schedules.

The data-access layer: it opens workbook files (openpyxl), checks every cell, and hands
the rules typed records. A missing sheet or column, or a duplicate id or name, stops the
load with a :class:`RosterError` naming sheet, row, column and value; a bad value in one
cell is recorded as a problem of that member (see :attr:`Roster.problems`) so the rest of
the roster stays usable. The sheets are read by :mod:`.members` (Members, History, Source
names) and :mod:`.figures` (GDP, Fee schedule), every cell through :mod:`.sheets`.

Which file: the ``path`` argument, else the ``WEGO_ROSTER`` environment variable, else the
roster shipped in the package (``wego_xl/data/wego_roster.xlsx``, read-only). Loads are cached per file and redone when the
file's modification time or size changes.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, MemberNotFoundError, RosterError, WegoError
from ..messages import read_language
from ..rules.fees import FeeSchedule
from ..rules.history import Change
from ..rules.membership import MembershipType
from ..rules.names import name_key, suggest
from .figures import (
    GDP_COLUMNS,
    GDP_OPTIONAL_COLUMNS,
    GDP_SHEET,
    NOT_PPPPC,
    PPP_UNITS,
    SCHEDULE_MARK,
    SCHEDULE_SHEET,
    GdpFigure,
    edition_order,
    read_gdp,
    read_schedules,
    units_are_ppp,
)
from .members import (
    HISTORY_COLUMNS,
    HISTORY_REQUIRED,
    HISTORY_SHEET,
    MEMBER_COLUMNS,
    MEMBER_OPTIONAL_COLUMNS,
    MEMBERS_SHEET,
    REGIONS,
    SOURCE_NAMES_COLUMNS,
    SOURCE_NAMES_SHEET,
    Member,
    SourceName,
    read_history,
    read_members,
    read_source_names,
)
from .package import ROSTER_ENV, SHIPPED_ROSTER
from .sheets import SheetReader, cell_text
from .xlsx import damaged, file_stamp, open_workbook

__all__ = [
    "ABOUT_SHEET", "EXCEL_DIGITS", "GDP_COLUMNS", "GDP_OPTIONAL_COLUMNS", "GDP_SHEET", "HISTORY_COLUMNS",
    "HISTORY_REQUIRED", "HISTORY_SHEET", "LANGUAGE_LABEL", "LITE_ROSTER", "MEMBERS_SHEET", "MEMBER_COLUMNS",
    "MEMBER_OPTIONAL_COLUMNS", "NOT_PPPPC", "PPP_UNITS", "REGIONS", "ROSTER_ENV", "SCHEDULE_MARK", "SCHEDULE_SHEET",
    "SETTINGS_COLUMNS", "SETTINGS_SHEET", "SHIPPED_ROSTER", "SOURCE_NAMES_COLUMNS", "SOURCE_NAMES_SHEET", "GdpFigure",
    "Member", "Roster", "Setting", "SourceName", "clear_cache", "edition_order", "load_roster", "read_roster",
    "roster_path", "units_are_ppp",
]  # fmt: skip

ABOUT_SHEET = "About"
SETTINGS_SHEET = "Settings"
SETTINGS_COLUMNS = ("Setting", "Value", "What it is")
#: The About sheet's cell for the language reports are written in: its label in column A.
LANGUAGE_LABEL = "Language"


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
    _by_id: dict[str, Member] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for member in self.members:  # looked up by id and by name: each index built once per load
            self._by_id.setdefault(member.member_id, member)
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
        by_id = self._by_id.get(text)
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


def read_roster(path: str | os.PathLike | None = None) -> Roster:
    """Load a roster file, uncached. Raises :class:`RosterError` for a structural problem."""
    p = roster_path(path)
    wb = open_workbook(p)
    try:
        members, problems = read_members(wb, p)
        gdp, gdp_problems = read_gdp(wb, p)
        schedules = read_schedules(wb, p)
        source_names = read_source_names(wb, p)
        history, history_problems = read_history(wb, p, {m.member_id for m in members})
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
    cells = SheetReader(path, SETTINGS_SHEET, RosterError)
    rows = cells.rows(wb, SETTINGS_COLUMNS[:2], "restore the sheet's header row", SETTINGS_COLUMNS[2:])
    return {cell_text(get["Setting"]): Setting(cell_text(get["Setting"]), _setting_value(cells, get["Value"], r), r)
            for r, get in rows}  # fmt: skip


#: Excel keeps 15 significant digits of a number: a longer one (an account number typed into a
#: number cell) has lost its last digits already.
EXCEL_DIGITS = 15


def _setting_value(cells: SheetReader[RosterError], value: object, row: int) -> str:
    """A Settings value as text; a number of more than 15 digits is refused naming the cell
    (Excel has already changed its last digits: 1800091234567890123 is 1800091234567889920)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        whole = int(value) if float(value).is_integer() else None
        if whole is not None and len(str(abs(whole))) > EXCEL_DIGITS:
            raise cells.error(row, "Value", value,
                              f"is a number of {len(str(abs(whole)))} digits, of which Excel keeps only {EXCEL_DIGITS}",
                              "type it again as text (with a leading apostrophe: '1800091234567890123)")  # fmt: skip
    return cell_text(value)


def _read_language(wb, path: Path) -> tuple[str, list[RosterError]]:
    """The About sheet's Language cell (column B beside "Language" in column A, near the top);
    English when there is none. A value that is not a language is a problem naming the cell."""
    if ABOUT_SHEET not in wb.sheetnames:
        return "en", []
    cells = SheetReader(path, ABOUT_SHEET, RosterError)
    for r, row in enumerate(wb[ABOUT_SHEET].iter_rows(min_row=1, max_row=5, max_col=2, values_only=True), start=1):
        label = cell_text(row[0] if row else None)
        if label.casefold().startswith(LANGUAGE_LABEL.casefold()):
            value = row[1] if len(row) > 1 else None
            language = cells.read(r, "B", value, read_language, 'type "en" or "ko"')
            return language or "en", cells.problems
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
