"""The roster's GDP and Fee schedule sheets: the figures a fee is computed from.

A GDP row that cannot be read for sure (a bad code, year, value or edition, or a second row
for the same country, year and edition) is a problem of that row and is left out; a fee
schedule that cannot be read stops the load with a :class:`RosterError`.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, RosterError, ScheduleError
from ..messages import Phrase
from ..rules.editions import MANUAL, is_manual, parse_edition
from ..rules.fees import FeeSchedule
from .members import ISO3
from .sheets import SheetReader, cell_text

GDP_SHEET, SCHEDULE_SHEET = "GDP", "Fee schedule"
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
SCHEDULE_MARK = "Effective year"


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


def read_gdp(wb, path: Path) -> tuple[list[GdpFigure], list[RosterError]]:
    """The GDP sheet's figures, one per country, year, edition and kind of units, and the
    problems of the rows left out."""
    cells = SheetReader(path, GDP_SHEET, RosterError)
    figures: list[GdpFigure] = []
    seen: dict[tuple[str, int, str, bool], int] = {}
    rows = cells.rows(wb, GDP_COLUMNS, "rebuild the roster or run wego-xl import-weo", GDP_OPTIONAL_COLUMNS)
    for r, get in rows:
        figure = _gdp_figure(cells, r, get)
        if figure is None:
            continue
        key = (figure.country_iso3, figure.year, figure.edition, figure.is_ppp)
        if key in seen:
            cells.problem(r, "Year", figure.year, f"{figure.country_iso3} {figure.year} ({figure.edition}) is also in "
                          f"row {seen[key]}", "keep one row per country, year and edition")  # fmt: skip
            continue
        seen[key] = r
        figures.append(figure)
    return figures, cells.problems


def _gdp_figure(cells: SheetReader[RosterError], r: int, get: dict) -> GdpFigure | None:
    """One row of the GDP sheet as a figure; None, its problems recorded, when a cell cannot be read."""
    before = len(cells.problems)
    iso3 = cell_text(get["Country code"]).upper()
    if not ISO3.match(iso3):
        cells.problem(r, "Country code", get["Country code"], "must be a three-letter ISO code", "type e.g. KOR")
    year = cells.year(r, "Year", get["Year"])
    value = cells.number(r, "GDP per capita (PPP, USD)", get["GDP per capita (PPP, USD)"], "a number of USD",
                         "type the IMF figure in USD, or delete the row")  # fmt: skip
    if value == 0:
        cells.problem(r, "GDP per capita (PPP, USD)", value, "must be more than 0", "type the IMF figure in USD")
    edition = cell_text(get["Edition"])
    if not is_manual(edition):
        try:
            edition = str(parse_edition(edition, today=dt.date.max))
        except InputError as exc:
            cells.problem(r, "Edition", None, f'{exc}, or "{MANUAL}" for a figure entered by hand', "")
    elif not cell_text(get["Source"]):
        cells.problem(
            r, "Source", None, "a GDP figure entered by hand needs its source", "say where the figure comes from"
        )
    if len(cells.problems) > before or year is None or value is None:
        return None
    return GdpFigure(iso3, cell_text(get["Country"]), year, value, edition, cell_text(get["Units"]),
                     cell_text(get["Source"]), r, estimate=cell_text(get["Estimate"]).lower() == "yes",
                     notes=cell_text(get["Notes"]), confirmed=cell_text(get["Confirmed"]))  # fmt: skip


def read_schedules(wb, path: Path) -> list[FeeSchedule]:
    """The Fee schedule sheet's tables, by effective year; one that cannot be read stops the load."""
    if SCHEDULE_SHEET not in wb.sheetnames:
        raise RosterError(
            f"sheet {SCHEDULE_SHEET!r} is missing", path=str(path), fix="rebuild the roster or restore the sheet"
        )
    cells = SheetReader(path, SCHEDULE_SHEET, RosterError)
    grid = [list(row) for row in wb[SCHEDULE_SHEET].iter_rows(values_only=True)]
    schedules = [
        _schedule_at(cells, grid, r, path) for r, row in enumerate(grid) if row and cell_text(row[0]) == SCHEDULE_MARK
    ]
    if not schedules:
        raise cells.error(None, None, None, "no fee schedule found (a row starting 'Effective year')",
                          "restore the 2016 table")  # fmt: skip
    years = Counter(s.effective_year for s in schedules)
    dup = [y for y, n in years.items() if n > 1]
    if dup:
        raise cells.error(None, None, None, f"two schedules take effect in {dup[0]}",
                          "keep one schedule per effective year")  # fmt: skip
    return sorted(schedules, key=lambda s: s.effective_year)


def _schedule_at(cells: SheetReader[RosterError], grid: list[list], r: int, path: Path) -> FeeSchedule:
    """The table whose "Effective year" row is ``grid[r]``: that year, the population bands'
    lower bounds on the next row, then a row per GDP band, down to a blank or the next table."""
    row = grid[r]
    year = row[1] if len(row) > 1 else None
    if not (isinstance(year, numbers.Real) and float(year).is_integer()):
        raise cells.error(r + 1, "B", year, "the effective year must be a year such as 2016",
                          "type the first fee year it applies to")  # fmt: skip
    header = grid[r + 1] if r + 1 < len(grid) else []
    pop_lowers = [v for v in header[1:] if v not in (None, "")]
    gdp_lowers, fees = [], []
    for line in grid[r + 2 :]:
        if not line or line[0] in (None, "") or cell_text(line[0]) == SCHEDULE_MARK:
            break
        gdp_lowers.append(line[0])
        fees.append([v for v in line[1 : 1 + len(pop_lowers)]])
    try:
        return FeeSchedule(
            int(float(year)),
            tuple(pop_lowers),
            tuple(gdp_lowers),
            tuple(tuple(f) for f in fees),
            source=f"{path.name}, sheet {SCHEDULE_SHEET}, row {r + 1}",
        )
    except ScheduleError as exc:
        raise cells.error(r + 1, None, None, str(exc), "correct the table") from None
