"""Ranges as Excel hands them to a function: a single value, a flat list (one row or
column) or a list of rows; read into 2-D grids, broadcast together like Excel arrays, and
answered cell by cell with each error kept in its own cell.

How one value is read (a number, "970,000", a blank, an error value) is
:mod:`wego_xl.rules.inputs`; this module applies it to whole ranges.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any, NamedTuple

import numpy as np

from ..errors import InputError, WegoError
from ..rules.inputs import is_blank, read_amount

_FAST_TYPES = {float, int}
#: How long an error cell's text may be (Excel's help and tooltips show no more).
ERROR_TEXT_LENGTH = 255


# ---------------------------------------------------------------------------------------
# Shapes: Excel gives a scalar, a flat list (one row or column) or a list of lists.
# ---------------------------------------------------------------------------------------

_SEQUENCES = {list, tuple}


class Arg(NamedTuple):
    """One argument as handed over: its shape, its cells as rows, and the types they hold."""

    shape: tuple[int, ...]  # (), (n,) or (rows, columns)
    rows: Sequence[Sequence[Any]]
    types: frozenset

    @classmethod
    def read(cls, value: Any) -> Arg:
        """Check the nesting in C-speed passes; ragged or deeper nesting is an error."""
        if type(value) not in _SEQUENCES:
            return cls((), [[value]], frozenset((type(value),)))
        if not value:
            raise InputError("the range is empty")
        outer = set(map(type, value))
        if outer <= _SEQUENCES:
            widths = set(map(len, value))
            if len(widths) != 1 or 0 in widths:
                raise InputError("the range's rows have different lengths; give a rectangular range")
            types = frozenset(map(type, chain.from_iterable(value)))
            if types & _SEQUENCES:
                raise InputError("a range can have at most two dimensions (rows and columns)")
            return cls((len(value), widths.pop()), value, types)
        if outer & _SEQUENCES:
            raise InputError("the range mixes single values and rows; give a rectangular range")
        return cls((len(value),), [value], frozenset(outer))


def _unshape(result: np.ndarray, shape: tuple[int, ...]) -> Any:
    """Turn a 2-D result back into the caller's nesting: scalar, flat list or rows."""
    if len(shape) == 0:
        return result[0, 0].item() if isinstance(result[0, 0], np.generic) else result[0, 0]
    if len(shape) == 1:
        return result[0].tolist()
    return result.tolist()


def broadcast_shape(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The result shape for arguments of these shapes (numpy rules, as Excel arrays)."""
    deepest = max(shapes, key=len)
    if not deepest:  # single values only
        return ()
    try:
        grid = np.broadcast_shapes(*[(1, 1) if not s else (1, s[0]) if len(s) == 1 else s for s in shapes])
    except ValueError:
        described = " and ".join(
            "a single cell" if not s else "×".join(map(str, (1, *s) if len(s) == 1 else s)) for s in shapes
        )
        raise InputError(f"the ranges do not fit together ({described}); give ranges of the same size") from None
    if len(deepest) == 1 and grid[0] == 1:
        return (grid[1],)
    return grid


class CellResults:
    """Per-cell results of one call: numbers or values, and errors kept with their cell.

    ``text_errors`` chooses what an error cell holds: the code and reason ("#N/A: 'Seol'
    is not on the roster...", for classic Excel, which cannot return real error values),
    or the bare code ("#N/A", which xlwings Server and Lite turn into a real error).
    """

    def __init__(self, shape: tuple[int, ...], text_errors: bool = True):
        self.shape = shape
        self.text_errors = text_errors

    @property
    def dims(self) -> tuple[int, ...]:
        """The result's shape as a 2-D grid: (1, 1) for one cell, (1, n) for a flat list."""
        return (1, 1) if not self.shape else (1, self.shape[0]) if len(self.shape) == 1 else self.shape

    def error_cell(self, exc: BaseException) -> str:
        """What a failed cell holds: the bare code, or the code and the reason (cut to
        ``ERROR_TEXT_LENGTH`` characters)."""
        code = getattr(exc, "excel_code", "#VALUE!")
        if not self.text_errors:
            return code
        text = f"{code}: {exc}"
        return text if len(text) <= ERROR_TEXT_LENGTH else text[: ERROR_TEXT_LENGTH - 1] + "…"

    def whole(self, exc: BaseException) -> Any:
        """Every cell showing the same error (bad shapes, an unreadable roster)."""
        out = np.full(self.dims, self.error_cell(exc), dtype=object)
        return _unshape(out, self.shape)

    def finish(self, result: np.ndarray) -> Any:
        return _unshape(result, self.shape)

    def finish_rows(self, rows: list[list[Any]]) -> Any:
        """Like :meth:`finish`, for results already built as rows of the argument's shape."""
        if not self.shape:
            return rows[0][0]
        return rows[0] if len(self.shape) == 1 else rows


def read_amounts(
    arg: Arg, name: str, kind: str, results: CellResults
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """(amounts as floats, error cells or None, blank mask) for one argument, as 2-D arrays.

    All-number ranges take a numpy fast path; anything else is read cell by cell.
    """
    grid = arg.rows
    if arg.types <= _FAST_TYPES:
        try:
            amounts = np.asarray(grid, dtype=float)
        except OverflowError:  # a whole number too large for a float: read cell by cell
            return _read_amounts_slowly(arg, name, kind, results)
        bad = ~np.isfinite(amounts) | (amounts < 0)
        blanks = np.zeros(amounts.shape, dtype=bool)
        if not bad.any():
            return amounts, None, blanks
        errors = np.full(amounts.shape, None, dtype=object)
        for r, c in zip(*np.nonzero(bad)):
            try:
                read_amount(grid[r][c], name, kind)
            except WegoError as exc:
                errors[r, c] = results.error_cell(exc)
        return np.where(bad, np.nan, amounts), errors, blanks
    return _read_amounts_slowly(arg, name, kind, results)


def _read_amounts_slowly(
    arg: Arg, name: str, kind: str, results: CellResults
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    grid = arg.rows
    amounts = np.full((len(grid), len(grid[0])), np.nan)
    errors = np.full(amounts.shape, None, dtype=object)
    blanks = np.zeros(amounts.shape, dtype=bool)
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if is_blank(cell):
                blanks[r, c] = True
                continue
            try:
                amounts[r, c] = read_amount(cell, name, kind)
            except WegoError as exc:
                errors[r, c] = results.error_cell(exc)
    return amounts, errors, blanks


def object_array(rows: Sequence[Sequence[Any]]) -> np.ndarray:
    out = np.empty((len(rows), len(rows[0])), dtype=object)
    for r, row in enumerate(rows):
        out[r, :] = list(row)
    return out


def read_ranges(text_errors: bool, values: Sequence[Any]) -> tuple[CellResults, list[Arg]]:
    """(result holder, parsed arguments) for one call; an InputError when the ranges do not
    fit together."""
    args = [Arg.read(v) for v in values]
    return CellResults(broadcast_shape(*(a.shape for a in args)), text_errors), args


def per_cell(results: CellResults, args: list[Arg], fn: Callable[..., Any]) -> Any:
    """Call ``fn`` once per cell of the broadcast arguments; an error stays in its cell.

    For functions whose rule is a lookup per cell (names, years): a dict lookup each.
    """
    dims = results.dims
    grids = [np.broadcast_to(object_array(a.rows), dims) for a in args]
    out = np.empty(dims, dtype=object)
    for index in np.ndindex(dims):
        try:
            out[index] = fn(*(g[index] for g in grids))
        except WegoError as exc:
            out[index] = results.error_cell(exc)
    return results.finish(out)
