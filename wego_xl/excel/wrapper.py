"""One wrapper for every worksheet function, in the spirit of the ``formulas`` package's
``wrap_ufunc``: a worksheet function is written for one cell, and :func:`worksheet_function`
makes it take what Excel hands over (a value, a row or column, a block of rows) and answer in
the same shape. The wrapper owns, for every function alike:

* shapes and broadcasting (:mod:`wego_xl.excel.ranges`): ranges that do not fit together are
  one error;
* blanks: a cell whose ``blank`` arguments are all blank gets a blank answer;
* settings: an argument such as a fee year, a language or a date is read once for the whole
  call when it is one value (a one-cell range counts as one value), and then an error in it
  is every cell's; given as a range, it is read cell by cell;
* ``given``: what the function needs from a file (the ledger), read once a call;
* error values: a :class:`~wego_xl.errors.WegoError` stays in its cell, as text giving the
  reason cut to 255 characters (classic Excel) or as the bare code (xlwings Server and Lite,
  ``text_errors=False``); an unforeseen exception is one error cell naming it, never a
  traceback in Excel;
* the memo (:class:`~wego_xl.excel.memo.Memo`, one per function): with ``remember``, answers
  per cell value of the first argument, for the roster (and ``given`` files) they came from.

Only ``WEGO_FEE`` declares ``amounts``: its core takes whole arrays of amounts
(:mod:`wego_xl.excel.amounts`) instead of one cell.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from ..errors import InputError, WegoError
from ..rules.inputs import is_blank
from .memo import Memo, remembered_rows, warm_rows
from .ranges import CellResults, per_cell, read_ranges

F = TypeVar("F", bound=Callable[..., Any])
Reader = Callable[[Any], Any]

_SEQUENCES = (list, tuple)
_REQUIRED = inspect.Parameter.empty


def unforeseen(exc: BaseException, text_errors: bool = True) -> Any:
    """The one error cell for an exception no rule foresaw, naming it."""
    problem = InputError(f"wego-xl could not work this out ({type(exc).__name__}: {exc}); please report it")
    return CellResults((), text_errors).error_cell(problem)


def never_raises(fn: F) -> F:
    """A worksheet function's last guard: an unforeseen exception becomes one error cell
    naming it, never a Python traceback in Excel."""

    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # every foreseen failure is a WegoError, kept in its cell
            return unforeseen(exc, kwargs.get("text_errors", True))

    return cast(F, guarded)


def single(value: Any) -> Any:
    """The value of a one-cell range (Excel hands a fee-year cell over as [[2016]]), so one
    setting for a whole range is read once; other values unchanged."""
    while isinstance(value, _SEQUENCES) and len(value) == 1:
        value = value[0]
    return value


def whole_error(exc: WegoError, values: list[Any], text_errors: bool) -> Any:
    """Every cell of the ranges ``values`` showing ``exc`` (their misfit, if they misfit)."""
    try:
        results, _ = read_ranges(text_errors, values)
    except WegoError as misfit:
        return CellResults((), text_errors).whole(misfit)
    return results.whole(exc)


class WorksheetFunction:
    """A function written for one cell, answering for whole ranges (see the module)."""

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        blank: tuple[str, ...] = (),
        settings: Mapping[str, Reader] | None = None,
        given: Mapping[str, Callable[[], Any]] | None = None,
        remember: Callable[[], object] | None = None,
        amounts: Mapping[str, tuple[str, str]] | None = None,
        per_cell: bool = True,
    ) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        params = [p for p in inspect.signature(fn).parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
        self.names = tuple(p.name for p in params)
        self.defaults = tuple(p.default for p in params)
        self.blank = tuple(map(self.names.index, blank))
        self.settings = tuple((self.names.index(n), read) for n, read in (settings or {}).items())
        self.given = dict(given or {})
        self.remember = remember
        self.amounts = tuple((self.names.index(n), kind) for n, kind in (amounts or {}).items())
        self.per_cell = per_cell
        self.memo = Memo()
        #: The arguments read per cell when every setting is one value.
        self.cells = [i for i in range(len(self.names)) if i not in dict(self.settings)]
        cells = set(self.cells)
        if remember is not None and cells != {0}:
            raise TypeError(f"{fn.__name__}: a remembered function has one cell argument, the first")
        if amounts and (cells != {i for i, _ in self.amounts} or not set(self.blank) <= cells):
            raise TypeError(f"{fn.__name__}: a function of amounts takes amounts and settings only")

    def __call__(self, *args: Any, text_errors: bool = True, **named: Any) -> Any:
        try:
            values = self._bind(args, named)
            if not self.per_cell:
                return self._whole(values, text_errors)
            return self._answer(values, text_errors)
        except Exception as exc:  # every foreseen failure is a WegoError, kept in its cell
            return unforeseen(exc, text_errors)

    def _bind(self, args: tuple[Any, ...], named: dict[str, Any]) -> list[Any]:
        """The arguments in order, defaults filled in."""
        if len(args) > len(self.names):
            raise TypeError(f"{self.fn.__name__}() takes {len(self.names)} arguments, got {len(args)}")
        values = list(args)
        for name, default in zip(self.names[len(args) :], self.defaults[len(args) :]):
            if name not in named and default is _REQUIRED:
                raise TypeError(f"{self.fn.__name__}() needs {name}")
            values.append(named.pop(name, default))
        if named:
            raise TypeError(f"{self.fn.__name__}() takes no argument {next(iter(named))!r}")
        return values

    def _whole(self, values: list[Any], text_errors: bool) -> Any:
        """A function answering for the whole call (a table to spill, one count)."""
        try:
            return self.fn(*values)
        except WegoError as exc:
            return CellResults((), text_errors).error_cell(exc)

    def _answer(self, values: list[Any], text_errors: bool) -> Any:
        """Settings and given files read once, then the memo, the amounts or each cell."""
        for i, _ in self.settings:
            values[i] = single(values[i])
        ranged = any(isinstance(values[i], _SEQUENCES) for i, _ in self.settings)
        cells = list(range(len(values))) if ranged else self.cells
        try:
            given = {name: provide() for name, provide in self.given.items()}
            if not ranged:
                for i, read in self.settings:
                    values[i] = read(values[i])
            sources = (self.remember(), *given.values()) if self.remember and not ranged else None
        except WegoError as exc:
            return whole_error(exc, [values[i] for i in cells], text_errors)
        if sources is not None:
            return self._remembered(values, given, sources, text_errors)
        if self.amounts:
            from .amounts import answer_amounts  # loaded with the first call of WEGO_FEE

            readers = self.settings if ranged else ()
            return answer_amounts(self.fn, values, self.amounts, self.blank, readers, text_errors)
        return self._each(values, cells, given, ranged, text_errors)

    def _remembered(
        self, values: list[Any], given: dict[str, Any], sources: tuple[object, ...], text_errors: bool
    ) -> Any:
        """Per cell of the first argument, from the memo; the settings make the question."""
        answers = self.memo.answers(sources, tuple(values[1:]))
        warm = warm_rows(values[0], answers)
        if warm is not None:
            return warm
        try:
            results, (arg,) = read_ranges(text_errors, values[:1])
        except WegoError as exc:
            return CellResults((), text_errors).whole(exc)
        fn, blank, settings = self.fn, bool(self.blank), values[1:]
        return remembered_rows(
            results, arg, answers, lambda c: None if blank and is_blank(c) else fn(c, *settings, **given)
        )

    def _each(self, values: list[Any], cells: list[int], given: dict[str, Any], ranged: bool, text_errors: bool) -> Any:
        """``fn`` per cell of the broadcast ranges ``cells``; an error stays in its cell."""
        try:
            results, parsed = read_ranges(text_errors, [values[i] for i in cells])
        except WegoError as exc:
            return CellResults((), text_errors).whole(exc)
        fn, blank, readers = self.fn, self.blank, self.settings if ranged else ()
        whole = len(cells) == len(values)

        def cell(*found: Any) -> Any:
            row = list(found) if whole else _placed(values, cells, found)
            if blank and all(is_blank(row[i]) for i in blank):
                return None
            for i, read in readers:
                row[i] = read(row[i])
            return fn(*row, **given)

        try:
            return per_cell(results, parsed, cell)
        except WegoError as exc:
            return results.whole(exc)


def _placed(values: list[Any], cells: list[int], found: tuple[Any, ...]) -> list[Any]:
    """The call's arguments with one cell's values ``found`` put in at ``cells``."""
    row = list(values)
    for i, value in zip(cells, found):
        row[i] = value
    return row


def worksheet_function(**how: Any) -> Callable[[Callable[..., Any]], WorksheetFunction]:
    """Make a function written for one cell a worksheet function (see the module); ``how``
    takes the keywords of :class:`WorksheetFunction`:

    ``blank``: arguments that, all blank, give a blank answer. ``settings``: argument ->
    reader, read once when one value. ``given``: keyword -> what to read once a call (the
    ledger). ``remember``: the source of the answers (the roster), to keep a memo per cell
    value of the first argument. ``amounts``: argument -> (name, kind), read into arrays for a
    vectorised core. ``per_cell=False``: the function answers for the whole call.
    """
    return functools.partial(WorksheetFunction, **how)
