"""The annual fee rules: fee schedules, their bands, and the fee for a (population, GDP) pair.

Pure Python and numpy: no files, no Excel. The rules follow ``shared/domain.md``:

* population is a headcount of persons (970000, never 970);
* GDP is the country's GDP (PPP) per capita in USD for the fee year minus two;
* every band is half-open on its lower bound: [300,000, 600,000) and so on;
* zero is valid; negative, NaN, infinite or non-numeric input is an error, never a fee;
* the table is applied exactly as published, and a fee year uses the newest schedule
  in effect.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from ..errors import NoScheduleError, ScheduleError
from .inputs import FIRST_FEE_YEAR, LAST_FEE_YEAR, read_amount, read_fee_year

#: Years between a fee year and the year of the GDP figure it uses (fee year 2016 -> 2014 GDP).
GDP_LAG_YEARS = 2
__all__ = [
    "FIRST_FEE_YEAR",
    "GDP_LAG_YEARS",
    "LAST_FEE_YEAR",
    "Band",
    "FeeQuote",
    "FeeSchedule",
    "ScheduleFinding",
    "check_schedule",
    "fee_year_of_gdp_year",
    "gdp_reference_year",
    "schedule_findings",
    "schedule_in_effect",
]


@dataclass(frozen=True)
class Band:
    """One band of a schedule axis: ``lower <= value < upper`` (``upper`` may be infinite)."""

    lower: float
    upper: float
    label: str

    def __contains__(self, value: float) -> bool:
        return self.lower <= value < self.upper


@dataclass(frozen=True)
class FeeQuote:
    """The fee for one (population, GDP) pair and the bands that produced it."""

    fee: float
    population_band: Band
    gdp_band: Band
    schedule_year: int
    currency: str = "USD"


@dataclass(frozen=True)
class ScheduleFinding:
    """A place where a row or column of the table does not rise (reported, never changed)."""

    axis: str  # "row" (along population) or "column" (along GDP)
    band: str  # the label of the row or column
    between: tuple[str, str]  # the two neighbouring band labels
    fees: tuple[float, float]
    kind: str  # "flat" or "falls"

    def __str__(self) -> str:
        a, b = self.between
        verb = "stays at" if self.kind == "flat" else "falls from"
        amounts = f"{self.fees[0]:,.0f}" if self.kind == "flat" else f"{self.fees[0]:,.0f} to {self.fees[1]:,.0f}"
        return f"{self.axis} {self.band}: fee {verb} {amounts} USD between {a} and {b}"


def _label(lower: float, upper: float, scale: float, unit: str) -> str:
    lo = f"{lower / scale:,.0f}"
    if math.isinf(upper):
        return f"{lo}~ {unit}"
    return f"{lo}~{upper / scale - 1:,.0f} {unit}"


def _bands(lowers: Sequence[float], scale: float, unit: str) -> tuple[Band, ...]:
    uppers = [*lowers[1:], math.inf]
    return tuple(Band(lo, hi, _label(lo, hi, scale, unit)) for lo, hi in zip(lowers, uppers))


@dataclass(frozen=True)
class FeeSchedule:
    """A published fee table and the first fee year it applies to.

    ``population_lowers`` and ``gdp_lowers`` are the lower bounds of the bands (persons,
    USD), starting at 0; ``fees[g][p]`` is the fee for GDP band ``g`` and population band
    ``p``. Construction checks the shape (see :func:`check_schedule`).
    """

    effective_year: int
    population_lowers: tuple[float, ...]
    gdp_lowers: tuple[float, ...]
    fees: tuple[tuple[float, ...], ...]
    source: str = ""
    population_bands: tuple[Band, ...] = field(init=False, repr=False, compare=False)
    gdp_bands: tuple[Band, ...] = field(init=False, repr=False, compare=False)
    _pop_edges: np.ndarray = field(init=False, repr=False, compare=False)
    _gdp_edges: np.ndarray = field(init=False, repr=False, compare=False)
    _table: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_schedule(self)
        put = object.__setattr__
        put(self, "population_lowers", tuple(float(x) for x in self.population_lowers))
        put(self, "gdp_lowers", tuple(float(x) for x in self.gdp_lowers))
        put(self, "fees", tuple(tuple(float(x) for x in row) for row in self.fees))
        put(self, "population_bands", _bands(self.population_lowers, 1000, "thousand"))
        put(self, "gdp_bands", _bands(self.gdp_lowers, 1, "USD"))
        put(self, "_pop_edges", np.asarray(self.population_lowers, dtype=float))
        put(self, "_gdp_edges", np.asarray(self.gdp_lowers, dtype=float))
        put(self, "_table", np.asarray(self.fees, dtype=float))

    # -- one pair -------------------------------------------------------------------
    def quote(self, population: object, gdp_per_capita: object) -> FeeQuote:
        """The fee and bands for one pair; an :class:`InputError` for bad input."""
        pop = read_amount(population, "population", "a number of persons")
        gdp = read_amount(gdp_per_capita, "GDP per capita", "a number of USD")
        p = int(np.searchsorted(self._pop_edges, pop, side="right")) - 1
        g = int(np.searchsorted(self._gdp_edges, gdp, side="right")) - 1
        return FeeQuote(
            fee=self.fees[g][p],
            population_band=self.population_bands[p],
            gdp_band=self.gdp_bands[g],
            schedule_year=self.effective_year,
        )

    def fee(self, population: object, gdp_per_capita: object) -> float:
        """The annual fee in USD for one pair."""
        return self.quote(population, gdp_per_capita).fee

    # -- whole arrays ---------------------------------------------------------------
    def fees_for(self, populations: np.ndarray, gdps_per_capita: np.ndarray) -> np.ndarray:
        """Fees for whole arrays at once (broadcast together).

        Takes float arrays; where either input is negative, NaN or infinite the result is
        NaN (the caller decides how to report it). Same answers as :meth:`fee`.
        """
        pop = np.asarray(populations, dtype=float)
        gdp = np.asarray(gdps_per_capita, dtype=float)
        p = np.searchsorted(self._pop_edges, pop, side="right") - 1
        g = np.searchsorted(self._gdp_edges, gdp, side="right") - 1
        bad = ~(np.isfinite(pop) & np.isfinite(gdp)) | (p < 0) | (g < 0)
        # searchsorted(...) - 1 is at most the last band: only a value below the first band (-1) needs lifting
        result = self._table[np.maximum(g, 0), np.maximum(p, 0)]
        if bad.any():
            result = np.where(bad, np.nan, result)
        return result


def check_schedule(schedule: FeeSchedule) -> None:
    """Reject a malformed schedule with a :class:`ScheduleError` saying what is wrong."""
    year = schedule.effective_year
    if isinstance(year, bool) or not isinstance(year, numbers.Integral):
        raise ScheduleError(f"a schedule's effective year must be a whole year, got {year!r}")
    for axis, lowers in (("population", schedule.population_lowers), ("GDP", schedule.gdp_lowers)):
        if len(lowers) == 0:
            raise ScheduleError(f"the {year} schedule has no {axis} bands")
        for x in lowers:
            if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
                raise ScheduleError(f"the {year} schedule's {axis} band bounds must be finite numbers, got {x!r}")
        if lowers[0] != 0:
            raise ScheduleError(f"the {year} schedule's first {axis} band must start at 0, got {lowers[0]!r}")
        for a, b in pairwise(lowers):
            if b <= a:
                raise ScheduleError(
                    f"the {year} schedule's {axis} bands must be sorted without overlap: {b!r} follows {a!r}"
                )
    if len(schedule.fees) != len(schedule.gdp_lowers):
        raise ScheduleError(
            f"the {year} schedule has {len(schedule.gdp_lowers)} GDP bands but {len(schedule.fees)} rows of fees"
        )
    for g, row in enumerate(schedule.fees):
        if len(row) != len(schedule.population_lowers):
            raise ScheduleError(
                f"the {year} schedule's fee row {g + 1} has {len(row)} fees; "
                f"it needs one per population band ({len(schedule.population_lowers)})"
            )
        for fee in row:
            if isinstance(fee, bool) or not isinstance(fee, numbers.Real) or not math.isfinite(fee):
                raise ScheduleError(f"the {year} schedule's fee row {g + 1} holds {fee!r}; fees must be numbers")
            if fee < 0:
                raise ScheduleError(f"the {year} schedule's fee row {g + 1} holds a negative fee {fee!r}")


def schedule_findings(schedule: FeeSchedule) -> list[ScheduleFinding]:
    """Every place where a row or column of the table does not rise. Changes nothing."""
    findings = []
    pops, gdps = schedule.population_bands, schedule.gdp_bands
    for g, row in enumerate(schedule.fees):
        for p in range(len(row) - 1):
            a, b = row[p], row[p + 1]
            if b <= a:
                findings.append(
                    ScheduleFinding(
                        "row", gdps[g].label, (pops[p].label, pops[p + 1].label), (a, b), "flat" if a == b else "falls"
                    )
                )
    for p in range(len(pops)):
        for g in range(len(gdps) - 1):
            a, b = schedule.fees[g][p], schedule.fees[g + 1][p]
            if b <= a:
                findings.append(
                    ScheduleFinding(
                        "column",
                        pops[p].label,
                        (gdps[g].label, gdps[g + 1].label),
                        (a, b),
                        "flat" if a == b else "falls",
                    )
                )
    return findings


def gdp_reference_year(fee_year: object) -> int:
    """The year of the GDP figure a fee year uses: fee year - 2 (2016 uses 2014)."""
    return read_fee_year(fee_year) - GDP_LAG_YEARS


def fee_year_of_gdp_year(gdp_year: int) -> int:
    """The fee year whose fee uses the GDP figure of ``gdp_year`` (2014's GDP: fee year 2016)."""
    return gdp_year + GDP_LAG_YEARS


def schedule_in_effect(fee_year: object, schedules: Iterable[FeeSchedule]) -> FeeSchedule:
    """The newest schedule whose effective year is not after ``fee_year``."""
    year = read_fee_year(fee_year)
    known = sorted(schedules, key=lambda s: s.effective_year)
    usable = [s for s in known if s.effective_year <= year]
    if not usable:
        if not known:
            raise NoScheduleError("no fee schedule is defined; add one to the Fee schedule sheet")
        raise NoScheduleError(
            f"no fee schedule is in effect for fee year {year}; the earliest takes effect "
            f"in {known[0].effective_year}: add an older schedule to the Fee schedule sheet"
        )
    return usable[-1]
