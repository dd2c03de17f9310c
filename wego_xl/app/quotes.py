"""Quoting a fee for a population and a GDP per capita (``wego-xl fee``), and the fee years a
command means when none is given: this year for a quote or a check, this year and next for the
GDP an import must cover."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..rules.fees import FeeQuote, schedule_in_effect
from ..rules.inputs import read_fee_year
from ..store.roster import Roster


def fee_year_or_this_year(fee_year: object | None) -> int:
    """``fee_year`` read as a fee year; not given (None or blank text): this calendar year."""
    return read_fee_year(fee_year) if fee_year else dt.date.today().year


def fee_years_to_cover(fee_years: Iterable[object]) -> tuple[int, ...]:
    """The fee years whose GDP an import must cover: those given, else this year and next."""
    this_year = dt.date.today().year
    return tuple(read_fee_year(y) for y in fee_years) or (this_year, this_year + 1)


def quote_fee(roster: Roster, population: float, gdp_per_capita: float, fee_year: int) -> FeeQuote:
    """The fee and the two bands for ``population`` and ``gdp_per_capita`` from the roster's
    fee table in effect for ``fee_year``."""
    return schedule_in_effect(fee_year, roster.schedules).quote(population, gdp_per_capita)
