"""The worksheet functions, without any xlwings decoration.

Each is written for one cell; :func:`~wego_xl.excel.wrapper.worksheet_function` makes it
take what Excel hands over (a value, a flat list for one row or column, or a list of rows)
and return the same shape, with an error kept in the cell it belongs to. ``udfs.py`` exposes
them to Excel; tests and the formula engine call them directly. ``text_errors=False`` gives
bare error codes (xlwings Server, Lite).

Importing this module loads no roster, ledger or fee rules: each function imports what it
needs when it is first called, so Excel starts the add-in quickly.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING, Any

from ..errors import InputError, MissingDataError
from ..rules.inputs import FIRST_YEAR, LAST_YEAR, error_code, is_blank, read_amount, read_fee_year, read_name
from .memo import MEMO_LIMIT as MEMO_LIMIT
from .wrapper import never_raises as never_raises
from .wrapper import worksheet_function

if TYPE_CHECKING:
    import numpy as np

    from ..rules.fees import FeeSchedule
    from ..rules.ledger import LedgerBook
    from ..rules.membership import MembershipType
    from ..store.roster import Member, Roster

POPULATION = ("population", "a number of persons such as 970000")
GDP = ("GDP per capita", "a number of USD such as 35379")


def _roster() -> Roster:
    from ..store.roster import load_roster  # the roster's modules load with the first function that reads it

    return load_roster()


def _schedule(fee_year: Any) -> FeeSchedule:
    """The fee table in effect for a fee year (blank: this year)."""
    from ..rules.fees import schedule_in_effect

    year = dt.date.today().year if is_blank(fee_year) else read_fee_year(fee_year)
    return schedule_in_effect(year, _roster().schedules)


# -- fee rules ----------------------------------------------------------------------------


@worksheet_function(
    blank=("population", "gdp_per_capita"),
    settings={"fee_year": _schedule},
    amounts={"population": POPULATION, "gdp_per_capita": GDP},
)
def fee(population: np.ndarray, gdp_per_capita: np.ndarray, fee_year: Any = None) -> np.ndarray:
    """Annual fee in USD for population(s) and GDP (PPP) per capita; arrays in one pass
    (``fee_year``: the fee table in effect, read by the wrapper; blank: this year's)."""
    return fee_year.fees_for(population, gdp_per_capita)


@worksheet_function(blank=("population", "gdp_per_capita"))
def bands(population: Any, gdp_per_capita: Any, fee_year: Any = None) -> str:
    """The population and GDP bands a pair falls in, as text."""
    quote = _schedule(fee_year).quote(read_amount(population, *POPULATION), read_amount(gdp_per_capita, *GDP))
    return f"population {quote.population_band.label}; GDP {quote.gdp_band.label}"


@worksheet_function(blank=("fee_year",))
def gdp_year(fee_year: Any) -> int:
    """The GDP reference year: fee year - 2."""
    from ..rules.fees import gdp_reference_year

    return gdp_reference_year(read_fee_year(fee_year))


@worksheet_function(per_cell=False)
def schedule_table(fee_year: Any = None) -> list[list[Any]]:
    """The fee table in effect for a fee year, with band labels, as rows to spill."""
    schedule = _schedule(fee_year)
    head = f"GDP (PPP) per capita \\ population ({schedule.effective_year} table, USD)"
    rows: list[list[Any]] = [[head, *(b.label for b in schedule.population_bands)]]
    for band, fees in zip(schedule.gdp_bands, schedule.fees):
        rows.append([band.label, *fees])
    return rows


# -- members ------------------------------------------------------------------------------


def _member(city: Any) -> Member:
    return _roster().find(read_name(city))


def _language(lang: Any) -> str:
    from ..messages import read_language

    return read_language(None if is_blank(lang) else lang)


def _as_of(value: Any) -> dt.date:
    """A date cell (a date, an Excel day number, or text 2017-03-31); a year (2017) is 31
    December of that year, never day 2017 of Excel's calendar; blank: today."""
    from ..rules.dates import read_date

    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and FIRST_YEAR <= value <= LAST_YEAR and float(value).is_integer():  # no float() of a huge int
        return dt.date(int(value), 12, 31)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 4:
        return dt.date(int(value.strip()), 12, 31)
    return read_date(value, "as-of", day_numbers=True) or dt.date.today()


def _day(value: Any) -> dt.date | None:
    """A date cell read by :func:`_as_of`; blank: None (now)."""
    return None if is_blank(value) else _as_of(value)


@worksheet_function(blank=("city",), settings={"language": _language, "as_of": _day}, remember=_roster)
def status(city: Any, language: Any = None, as_of: Any = None) -> str:
    """Membership on a date (blank: now): Full, Associate, Friendship, Applicant or Withdrawn
    (since when), in English or Korean (정회원, 준회원, 우정회원, 가입 신청, 탈퇴)."""
    from ..rules.history import standing_on

    m = _member(city)
    return standing_on(_roster().history, m.member_id, as_of or dt.date.today(), m.membership).label(language)


@worksheet_function(blank=("city",))
def member_fee(city: Any, fee_year: Any) -> float:
    """The fee a member owes for a fee year in USD (0 when none is owed)."""
    from ..app.assessment import assess

    return assess(_roster(), _member(city), read_fee_year(fee_year)).owed_or_raise()


@worksheet_function(blank=("city",))
def fee_due(city: Any, fee_year: Any) -> bool:
    """TRUE when the member owes a fee for the fee year."""
    from ..app.assessment import membership_doubt, obligation

    m = _member(city)
    doubt = membership_doubt(m)
    if doubt is not None:
        raise InputError(f"{m.display_name}: {doubt} (Members sheet, row {m.row}); correct the Members sheet")
    return obligation(_roster(), m, read_fee_year(fee_year)).owed


@worksheet_function(blank=("city",))
def explain(city: Any, fee_year: Any, language: Any = None) -> str:
    """A sentence explaining the member's fee for the fee year, inputs and rule included, in
    English or Korean."""
    from ..app.assessment import assess

    return assess(_roster(), _member(city), read_fee_year(fee_year)).explain(_language(language))


@worksheet_function(blank=("city",), remember=_roster)
def region(city: Any) -> str:
    return _member(city).region


@worksheet_function(blank=("city",), remember=_roster)
def country(city: Any) -> str:
    return _member(city).country


@worksheet_function(blank=("city",), remember=_roster)
def is_capital(city: Any) -> bool:
    m = _member(city)
    if m.capital is None:
        raise MissingDataError(f"{m.name_en} is an organisation, not a city: it has no capital flag")
    return m.capital


def _current_members(roster: Roster, region: str | None, kind: MembershipType | None, day: dt.date) -> list[Member]:
    """The members of a region (roster order) by their status on ``day`` (the History sheet,
    else the Members sheet): of the membership ``kind``, or, without one, every member but
    those withdrawn (and those not a member yet); a withdrawn member only when asked for."""
    from ..rules.history import standing_on
    from ..rules.membership import MembershipType

    found = []
    for m in roster.select(region, None):
        status = standing_on(roster.history, m.member_id, day, m.membership).status
        if status is not None and (status is kind if kind is not None else status is not MembershipType.WITHDRAWN):
            found.append(m)
    return found


def _membership(value: Any) -> MembershipType | None:
    """A membership type as typed ("Full", "정회원"); blank: every type."""
    from ..rules.membership import MembershipType

    return None if is_blank(value) else MembershipType.parse(value)


def _region(value: Any) -> str | None:
    """A region's name as typed (checked against the roster's regions); blank: every region."""
    if is_blank(value):
        return None
    _roster().select(str(value), None)  # an unknown region is an error here, for the whole range
    return str(value)


@worksheet_function(per_cell=False)
def members(region_name: Any = None, membership: Any = None, as_of: Any = None) -> list[list[str]]:
    """English names of the members of a region and/or membership type (on a date: their
    status then; blank: today), as a column; withdrawn members only when ``membership`` is
    Withdrawn."""
    kind = _membership(membership)
    roster = _roster()
    found = _current_members(
        roster, None if is_blank(region_name) else str(region_name), kind,
        dt.date.today() if is_blank(as_of) else _as_of(as_of),
    )  # fmt: skip
    if not found:
        raise MissingDataError("no members match")
    return [[m.display_name] for m in found]


@worksheet_function(blank=("position",), settings={"membership": _membership, "region_name": _region})
def member_at(position: Any, region_name: Any = None, membership: Any = None) -> str | None:
    """The English name of the n-th member (1, 2, ...) in roster order, optionally of one
    region and/or membership type (withdrawn members only when asked for, as WEGO_MEMBERS);
    blank past the last one. Fills a list down a column that
    follows the roster, in any Excel (no spilling needed)."""
    index = read_amount(position, "position", "a whole number such as 1")
    if not index.is_integer() or index < 1:
        raise InputError(f"position must be a whole number from 1, got {position!r}")
    found = _current_members(_roster(), region_name, membership, dt.date.today())
    return found[int(index) - 1].display_name if index <= len(found) else None


# -- the dues ledger ------------------------------------------------------------------------


def _ledger() -> LedgerBook:
    """The ledger beside the roster (or $WEGO_LEDGER), warm until an entry is posted; a
    missing ledger is an error naming where it was looked for, never a 0."""
    from ..ledger.store import books, ledger_location  # SQLAlchemy only when a ledger is asked for

    return books.book(ledger_location(_roster().path))


def _optional_year(value: Any) -> int | None:
    return None if is_blank(value) else read_fee_year(value)


#: A ledger function: per member, remembered per roster, ledger and setting.
_by_member = partial(worksheet_function, blank=("city",), given={"book": _ledger}, remember=_roster)


@_by_member(settings={"fee_year": read_fee_year})
def invoiced(city: Any, fee_year: Any, *, book: LedgerBook) -> float:
    """What the member's invoice for the fee year asks, in USD (after credit notes); 0 if none."""
    found = book.invoice_for(_member(city).member_id, fee_year)
    return float(book.replay().invoices[found.number].net) if found else 0.0


@_by_member(settings={"fee_year": read_fee_year})
def invoice_number(city: Any, fee_year: Any, *, book: LedgerBook) -> str:
    """The number of the member's invoice for the fee year (#N/A if none was issued)."""
    m = _member(city)
    found = book.invoice_for(m.member_id, fee_year)
    if found is None:
        raise MissingDataError(f"{m.display_name} has no invoice for {fee_year} (run wego-xl invoice)")
    return found.number


@_by_member(settings={"fee_year": _optional_year})
def paid(city: Any, fee_year: Any = None, *, book: LedgerBook) -> float:
    """USD paid by the member: applied to the fee year's invoices, or in all (blank year)."""
    m = _member(city)
    ledger = book.replay()
    if fee_year is None:
        return float(ledger.paid.get(m.member_id, 0))
    numbers = {i.number for i in book.invoices if i.member_id == m.member_id and i.fee_year == fee_year}
    return float(sum(a.amount for a in ledger.allocations if a.invoice in numbers))


@_by_member(settings={"as_of": _as_of})
def balance(city: Any, as_of: Any = None, *, book: LedgerBook) -> float:
    """The member's balance in USD on a date (blank: today): owed if positive, credit if negative."""
    return float(book.replay(as_of).balance(_member(city).member_id))


@_by_member(settings={"as_of": _as_of})
def arrears(city: Any, as_of: Any = None, *, book: LedgerBook) -> int:
    """How many fee years of the member are unpaid past their due date, on a date (blank: today)."""
    return len(book.replay(as_of).arrears(_member(city).member_id))


@worksheet_function(per_cell=False)
def unmatched() -> int:
    """How many receipts on the imported bank statements wait for a person (bank review)."""
    from ..bank.service import unmatched_count
    from ..ledger.store import ledger_location, open_ledger

    return unmatched_count(open_ledger(ledger_location(_roster().path)))


def failed_count_formula(cells: str) -> str:
    """An Excel formula counting the failed cells of the range ``cells`` ("E6:E105"): real
    error values (Server, Lite) and classic xlwings' error text ("#N/A: ..."), each once, in
    Excel and in LibreOffice alike (whose COUNTIF("#*") also matches error values)."""
    return f'=SUMPRODUCT(ISERROR({cells})+ISNUMBER(FIND("#",LEFT({cells},1))))'


def count_failed(values: Any) -> int:
    """How many cells hold an Excel error, as a value or as classic xlwings' error text."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    flat = (v for row in values for v in (row if isinstance(row, (list, tuple)) else [row]))
    return sum(1 for v in flat if error_code(v) is not None)
