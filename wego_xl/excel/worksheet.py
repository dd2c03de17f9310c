"""The worksheet functions, without any xlwings decoration.

Each takes what Excel hands over (a value, a flat list for one row or column, or a list
of rows) and returns the same shape, with an error kept in the cell it belongs to (see
:mod:`wego_xl.excel.ranges`). ``udfs.py`` exposes them to Excel; tests and the formula engine
call them directly. ``text_errors=False`` gives bare error codes (xlwings Server, Lite).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

from ..app.assessment import assess, membership_doubt, obligation
from ..errors import InputError, MissingDataError, WegoError
from ..messages import read_language
from ..rules.dates import read_date
from ..rules.fees import FeeSchedule, gdp_reference_year, schedule_in_effect
from ..rules.history import standing_on
from ..rules.inputs import FIRST_YEAR, LAST_YEAR, error_code, is_blank, read_amount, read_fee_year, read_name
from ..rules.membership import MembershipType
from ..store.roster import Member, Roster, load_roster
from .ranges import Arg, CellResults, broadcast_shape, per_cell, read_amounts

if TYPE_CHECKING:  # the ledger's rules are imported when a ledger function runs, not with udfs
    from ..rules.ledger import LedgerBook

F = TypeVar("F", bound=Callable[..., Any])


def never_raises(fn: F) -> F:
    """A worksheet function's last guard: an unforeseen exception becomes one error cell
    naming it, never a Python traceback in Excel."""

    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # every foreseen failure is a WegoError, kept in its cell
            results = CellResults((), kwargs.get("text_errors", True))
            return results.error_cell(
                InputError(f"wego-xl could not work this out ({type(exc).__name__}: {exc}); please report it")
            )

    return cast(F, guarded)


POPULATION = ("population", "a number of persons such as 970000")
GDP = ("GDP per capita", "a number of USD such as 35379")


def _roster() -> Roster:
    return load_roster()


#: Answers already given, per question, per raw cell value, for the roster they came from.
_memo: dict[object, dict[Any, Any]] = {}
_memo_roster: list[Roster | None] = [None]
#: A memo is started afresh past this many cell values (a bound on memory).
MEMO_LIMIT = 200_000


def _answers(question: object) -> dict[Any, Any]:
    """The memo of answers to ``question`` (e.g. a member's region) for the current roster;
    a reloaded roster (the file changed) starts every memo afresh."""
    roster = _roster()
    if _memo_roster[0] is not roster:
        _memo.clear()
        _memo_roster[0] = roster
    memo = _memo.get(question)
    if memo is None or len(memo) > MEMO_LIMIT:
        memo = _memo[question] = {}
    return memo


def _schedule(fee_year: object) -> FeeSchedule:
    year = dt.date.today().year if is_blank(fee_year) else read_fee_year(fee_year)
    memo = _answers("schedule")
    found = memo.get(year)
    if found is None:
        found = memo[year] = schedule_in_effect(year, _roster().schedules)
    return found


_NUMBERS = (int, float)


def _single(value: Any) -> Any:
    """The value of a one-cell range (Excel hands a fee-year cell over as [[2016]]), so one
    year for a whole range keeps the vectorised path; other values unchanged."""
    while isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    return value


def _start(text_errors: bool, *values: Any) -> tuple[CellResults, list[Arg]] | Any:
    """(result holder, parsed arguments), or the single error for misfitting ranges."""
    try:
        args = [Arg.read(v) for v in values]
        shape = broadcast_shape(*(a.shape for a in args))
    except WegoError as exc:
        return CellResults((), text_errors).whole(exc)
    return CellResults(shape, text_errors), args


def _each(text_errors: bool, args: tuple[Any, ...], fn: Callable[..., Any], blank_key: bool = True) -> Any:
    """Apply ``fn`` per cell; a blank first argument (the row's key) gives a blank cell."""
    started = _start(text_errors, *args)
    if not isinstance(started, tuple):
        return started
    results, parsed = started

    def cell(*values: Any) -> Any:
        if blank_key and is_blank(values[0]):
            return None
        return fn(*values)

    try:
        return per_cell(results, parsed, cell)
    except WegoError as exc:
        return results.whole(exc)


# -- fee rules ----------------------------------------------------------------------------


@never_raises
def fee(population: Any, gdp_per_capita: Any, fee_year: Any = None, *, text_errors: bool = True) -> Any:
    """Annual fee in USD for population(s) and GDP (PPP) per capita; arrays in one pass."""
    fee_year = _single(fee_year)
    if isinstance(fee_year, (list, tuple)):

        def one(p: Any, g: Any, y: Any) -> Any:
            if is_blank(p) and is_blank(g):
                return None
            return _schedule(y).fee(read_amount(p, *POPULATION), read_amount(g, *GDP))

        return _each(text_errors, (population, gdp_per_capita, fee_year), one, blank_key=False)
    if type(population) in _NUMBERS and type(gdp_per_capita) in _NUMBERS:  # one cell each
        try:
            return _schedule(fee_year).fee(population, gdp_per_capita)
        except WegoError as exc:
            return CellResults((), text_errors).error_cell(exc)
    started = _start(text_errors, population, gdp_per_capita)
    if not isinstance(started, tuple):
        return started
    results, (pop_arg, gdp_arg) = started
    try:
        schedule = _schedule(fee_year)
    except WegoError as exc:
        return results.whole(exc)
    pop, pop_err, pop_blank = read_amounts(pop_arg, *POPULATION, results)
    gdp, gdp_err, gdp_blank = read_amounts(gdp_arg, *GDP, results)
    fees = schedule.fees_for(pop, gdp)
    if pop_err is None and gdp_err is None and not pop_blank.any() and not gdp_blank.any():
        return results.finish(fees)
    dims = fees.shape
    out = fees.astype(object)
    pop_blank, gdp_blank = np.broadcast_to(pop_blank, dims), np.broadcast_to(gdp_blank, dims)
    out[pop_blank & gdp_blank] = None
    for mask, (name, kind) in ((pop_blank & ~gdp_blank, POPULATION), (gdp_blank & ~pop_blank, GDP)):
        if mask.any():
            out[mask] = results.error_cell(MissingDataError(f"{name} is blank: type {kind}"))
    for errors in (gdp_err, pop_err):  # population's error wins when both are bad
        if errors is not None:
            errors = np.broadcast_to(errors, dims)
            has = errors != None  # noqa: E711 (elementwise)
            out[has] = errors[has]
    return results.finish(out)


@never_raises
def bands(population: Any, gdp_per_capita: Any, fee_year: Any = None, *, text_errors: bool = True) -> Any:
    """The population and GDP bands a pair falls in, as text."""

    def one(p: Any, g: Any, y: Any) -> str | None:
        if is_blank(p) and is_blank(g):
            return None
        quote = _schedule(y).quote(read_amount(p, *POPULATION), read_amount(g, *GDP))
        return f"population {quote.population_band.label}; GDP {quote.gdp_band.label}"

    return _each(text_errors, (population, gdp_per_capita, fee_year), one, blank_key=False)


@never_raises
def gdp_year(fee_year: Any, *, text_errors: bool = True) -> Any:
    """The GDP reference year: fee year - 2."""
    return _each(text_errors, (fee_year,), lambda y: gdp_reference_year(read_fee_year(y)))


@never_raises
def schedule_table(fee_year: Any = None, *, text_errors: bool = True) -> Any:
    """The fee table in effect for a fee year, with band labels, as rows to spill."""
    try:
        schedule = _schedule(fee_year)
    except WegoError as exc:
        return CellResults((), text_errors).whole(exc)
    head = f"GDP (PPP) per capita \\ population ({schedule.effective_year} table, USD)"
    rows: list[list[Any]] = [[head, *(b.label for b in schedule.population_bands)]]
    for band, fees in zip(schedule.gdp_bands, schedule.fees):
        rows.append([band.label, *fees])
    return rows


# -- members ------------------------------------------------------------------------------


def _member(city: Any) -> Member:
    return _roster().find(read_name(city))


_MISS = object()


class _Failure:
    """A remembered error for one cell value (a misspelt name), shown as each call asks."""

    __slots__ = ("error",)

    def __init__(self, error: WegoError):
        self.error = error


#: A memo key saying that some remembered answer is an error (so clean columns skip the scan).
_FAILED = object()


def _warm_column(city: Any, question: object) -> list[list[Any]] | None:
    """The answers for a range of rows whose every cell is remembered without an error: a
    dictionary lookup per cell, nothing else; None when the full path is needed."""
    if type(city) is not list or not city or type(city[0]) is not list:
        return None
    try:  # a column of names, every one remembered without an error: one pass
        memo = _answers(question)
        if _FAILED not in memo:
            return [[memo[c]] for (c,) in city]
    except (KeyError, TypeError, ValueError, WegoError):
        pass  # a wider range, a cell not remembered, a cell that is a list: the general path
    width = len(city[0])
    if width == 0 or set(map(type, city)) != {list} or set(map(len, city)) != {width}:
        return None
    try:
        memo = _answers(question)
        if _FAILED in memo:
            return None
        cells = list(chain.from_iterable(city))
        flat = list(map(memo.get, cells, repeat(_MISS, len(cells))))
    except (TypeError, WegoError):
        return None
    if flat.count(_MISS):
        return None
    return [[v] for v in flat] if width == 1 else [flat[i : i + width] for i in range(0, len(flat), width)]


def _per_member(text_errors: bool, city: Any, question: object, answer: Callable[[Any], Any]) -> Any:
    """``answer(member)`` for each cell of ``city``, from a memo of raw cell -> answer.

    Warm lookups cost one dict lookup per cell; a new spelling goes through the full name
    matching once, and so does a misspelling (its error is remembered like an answer).
    """
    warm = _warm_column(city, question)
    if warm is not None:
        return warm
    started = _start(text_errors, city)
    if not isinstance(started, tuple):
        return started
    results, (arg,) = started
    try:
        memo = _answers(question)
    except WegoError as exc:
        return results.whole(exc)
    cells = list(chain.from_iterable(arg.rows))
    try:
        flat = list(map(memo.get, cells, repeat(_MISS, len(cells))))
    except TypeError:  # an unhashable value (no Excel host sends one): look each cell up
        flat = [_MISS] * len(cells)
    if flat.count(_MISS):
        for i, value in enumerate(flat):
            if value is not _MISS:
                continue
            with contextlib.suppress(TypeError):  # the same value earlier in this range
                value = memo.get(cells[i], _MISS)
            if value is _MISS:
                try:
                    value = None if is_blank(cells[i]) else answer(_member(cells[i]))
                except WegoError as exc:
                    value = _Failure(exc)
                    memo[_FAILED] = True
                with contextlib.suppress(TypeError):
                    memo[cells[i]] = value
            flat[i] = value
    if any(type(v) is _Failure for v in flat):
        flat = [results.error_cell(v.error) if type(v) is _Failure else v for v in flat]
    width = len(arg.rows[0])
    rows = [[v] for v in flat] if width == 1 else [flat[i : i + width] for i in range(0, len(flat), width)]
    return results.finish_rows(rows)


def _language(lang: Any) -> str:
    return read_language(None if is_blank(lang) else lang)


@never_raises
def status(city: Any, language: Any = None, as_of: Any = None, *, text_errors: bool = True) -> Any:
    """Membership on a date (blank: now): Full, Associate, Friendship, Applicant or Withdrawn
    (since when), in English or Korean (정회원, 준회원, 우정회원, 가입 신청, 탈퇴)."""

    def label(m: Member, lang: str, day: dt.date | None) -> str:
        return standing_on(_roster().history, m.member_id, day or dt.date.today(), m.membership).label(lang)

    language, as_of = _single(language), _single(as_of)
    if isinstance(language, (list, tuple)) or isinstance(as_of, (list, tuple)):
        return _each(
            text_errors,
            (city, language, as_of),
            lambda c, lang, day: label(_member(c), _language(lang), None if is_blank(day) else _as_of(day)),
        )
    try:
        lang, day = _language(language), (None if is_blank(as_of) else _as_of(as_of))
    except WegoError as exc:
        started = _start(text_errors, city)
        return started[0].whole(exc) if isinstance(started, tuple) else started
    return _per_member(text_errors, city, ("status", lang, day), lambda m: label(m, lang, day))


@never_raises
def member_fee(city: Any, fee_year: Any, *, text_errors: bool = True) -> Any:
    """The fee a member owes for a fee year in USD (0 when none is owed)."""

    def one(c: Any, y: Any) -> float:
        return assess(_roster(), _member(c), read_fee_year(y)).owed_or_raise()

    return _each(text_errors, (city, fee_year), one)


@never_raises
def fee_due(city: Any, fee_year: Any, *, text_errors: bool = True) -> Any:
    """TRUE when the member owes a fee for the fee year."""

    def one(c: Any, y: Any) -> bool:
        m = _member(c)
        doubt = membership_doubt(m)
        if doubt is not None:
            raise InputError(f"{m.display_name}: {doubt} (Members sheet, row {m.row}); correct the Members sheet")
        return obligation(_roster(), m, read_fee_year(y)).owed

    return _each(text_errors, (city, fee_year), one)


@never_raises
def explain(city: Any, fee_year: Any, language: Any = None, *, text_errors: bool = True) -> Any:
    """A sentence explaining the member's fee for the fee year, inputs and rule included, in
    English or Korean."""
    return _each(
        text_errors,
        (city, fee_year, language),
        lambda c, y, lang: assess(_roster(), _member(c), read_fee_year(y)).explain(_language(lang)),
    )


# -- the dues ledger ------------------------------------------------------------------------


def _ledger() -> LedgerBook:
    """The ledger beside the roster (or $WEGO_LEDGER), warm until an entry is posted; a
    missing ledger is an error naming where it was looked for, never a 0."""
    from ..ledger.store import books, ledger_location  # SQLAlchemy only when a ledger is asked for

    return books.book(ledger_location(_roster().path))


def _as_of(value: Any) -> dt.date:
    """A date cell (a date, an Excel day number, or text 2017-03-31); a year (2017) is 31
    December of that year, never day 2017 of Excel's calendar; blank: today."""
    whole = isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer()
    if whole and FIRST_YEAR <= value <= LAST_YEAR:
        return dt.date(int(value), 12, 31)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 4:
        return dt.date(int(value.strip()), 12, 31)
    return read_date(value, "as-of", day_numbers=True) or dt.date.today()


def _by_member(
    text_errors: bool,
    city: Any,
    other: Any,
    name: str,
    read: Callable[[Any], Any],
    compute: Callable[[Member, Any, LedgerBook], Any],
) -> Any:
    """``compute(member, other, ledger)`` per cell of ``city``, remembered per ledger file and
    ``other`` (a fee year or a date) when that is one value; per cell otherwise."""
    other = _single(other)
    if isinstance(other, (list, tuple)):
        return _each(text_errors, (city, other), lambda c, o: compute(_member(c), read(o), _ledger()))
    try:
        book, value = _ledger(), read(other)
    except WegoError as exc:
        started = _start(text_errors, city)
        return started[0].whole(exc) if isinstance(started, tuple) else started
    key = (name, book.location, book.generation, value)  # never id(book): Python reuses ids
    return _per_member(text_errors, city, key, lambda m: compute(m, value, book))


def _optional_year(value: Any) -> int | None:
    return None if is_blank(value) else read_fee_year(value)


@never_raises
def invoiced(city: Any, fee_year: Any, *, text_errors: bool = True) -> Any:
    """What the member's invoice for the fee year asks, in USD (after credit notes); 0 if none."""

    def one(m: Member, year: int, book: LedgerBook) -> float:
        found = book.invoice_for(m.member_id, year)
        return float(book.replay().invoices[found.number].net) if found else 0.0

    return _by_member(text_errors, city, fee_year, "invoiced", read_fee_year, one)


@never_raises
def invoice_number(city: Any, fee_year: Any, *, text_errors: bool = True) -> Any:
    """The number of the member's invoice for the fee year (#N/A if none was issued)."""

    def one(m: Member, year: int, book: LedgerBook) -> str:
        found = book.invoice_for(m.member_id, year)
        if found is None:
            raise MissingDataError(f"{m.display_name} has no invoice for {year} (run wego-xl invoice)")
        return found.number

    return _by_member(text_errors, city, fee_year, "invoice", read_fee_year, one)


@never_raises
def paid(city: Any, fee_year: Any = None, *, text_errors: bool = True) -> Any:
    """USD paid by the member: applied to the fee year's invoices, or in all (blank year)."""

    def one(m: Member, year: int | None, book: LedgerBook) -> float:
        ledger = book.replay()
        if year is None:
            return float(ledger.paid.get(m.member_id, 0))
        numbers = {i.number for i in book.invoices if i.member_id == m.member_id and i.fee_year == year}
        return float(sum(a.amount for a in ledger.allocations if a.invoice in numbers))

    return _by_member(text_errors, city, fee_year, "paid", _optional_year, one)


@never_raises
def balance(city: Any, as_of: Any = None, *, text_errors: bool = True) -> Any:
    """The member's balance in USD on a date (blank: today): owed if positive, credit if negative."""
    return _by_member(
        text_errors, city, as_of, "balance", _as_of, lambda m, day, book: float(book.replay(day).balance(m.member_id))
    )


@never_raises
def arrears(city: Any, as_of: Any = None, *, text_errors: bool = True) -> Any:
    """How many fee years of the member are unpaid past their due date, on a date (blank: today)."""
    return _by_member(
        text_errors, city, as_of, "arrears", _as_of, lambda m, day, book: len(book.replay(day).arrears(m.member_id))
    )


@never_raises
def unmatched(*, text_errors: bool = True) -> Any:
    """How many receipts on the imported bank statements wait for a person (bank review)."""
    from ..bank.service import unmatched_count
    from ..ledger.store import ledger_location, open_ledger

    try:
        return unmatched_count(open_ledger(ledger_location(_roster().path)))
    except WegoError as exc:
        return CellResults((), text_errors).error_cell(exc)


@never_raises
def region(city: Any, *, text_errors: bool = True) -> Any:
    return _per_member(text_errors, city, "region", lambda m: m.region)


@never_raises
def country(city: Any, *, text_errors: bool = True) -> Any:
    return _per_member(text_errors, city, "country", lambda m: m.country)


@never_raises
def is_capital(city: Any, *, text_errors: bool = True) -> Any:
    def one(m: Member) -> bool:
        if m.capital is None:
            raise MissingDataError(f"{m.name_en} is an organisation, not a city: it has no capital flag")
        return m.capital

    return _per_member(text_errors, city, "capital", one)


def _current_members(roster: Roster, region: str | None, kind: MembershipType | None, day: dt.date) -> list[Member]:
    """The members of a region (roster order) by their status on ``day`` (the History sheet,
    else the Members sheet): of the membership ``kind``, or, without one, every member but
    those withdrawn (and those not a member yet); a withdrawn member only when asked for."""
    found = []
    for m in roster.select(region, None):
        status = standing_on(roster.history, m.member_id, day, m.membership).status
        if status is not None and (status is kind if kind is not None else status is not MembershipType.WITHDRAWN):
            found.append(m)
    return found


@never_raises
def members(region_name: Any = None, membership: Any = None, as_of: Any = None, *, text_errors: bool = True) -> Any:
    """English names of the members of a region and/or membership type (on a date: their
    status then; blank: today), as a column; withdrawn members only when ``membership`` is
    Withdrawn."""
    try:
        kind = None if is_blank(membership) else MembershipType.parse(membership)
        roster = _roster()
        found = _current_members(
            roster, None if is_blank(region_name) else str(region_name), kind,
            dt.date.today() if is_blank(as_of) else _as_of(as_of),
        )  # fmt: skip
    except WegoError as exc:
        return CellResults((), text_errors).whole(exc)
    if not found:
        return CellResults((), text_errors).whole(MissingDataError("no members match"))
    return [[m.display_name] for m in found]


@never_raises
def member_at(position: Any, region_name: Any = None, membership: Any = None, *, text_errors: bool = True) -> Any:
    """The English name of the n-th member (1, 2, ...) in roster order, optionally of one
    region and/or membership type (withdrawn members only when asked for, as WEGO_MEMBERS);
    blank past the last one. Fills a list down a column that
    follows the roster, in any Excel (no spilling needed)."""
    try:
        kind = None if is_blank(membership) else MembershipType.parse(membership)
        found = _current_members(_roster(), None if is_blank(region_name) else str(region_name), kind, dt.date.today())
    except WegoError as exc:
        return CellResults((), text_errors).whole(exc)

    def one(n: Any) -> str | None:
        index = read_amount(n, "position", "a whole number such as 1")
        if not index.is_integer() or index < 1:
            raise InputError(f"position must be a whole number from 1, got {n!r}")
        return found[int(index) - 1].display_name if index <= len(found) else None

    return _each(text_errors, (position,), one)


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
