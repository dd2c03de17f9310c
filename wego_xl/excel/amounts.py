"""The vectorised core behind the worksheet wrapper: a function of whole arrays of amounts
(``WEGO_FEE``: populations and GDP per capita), read once each with numpy, and the errors of
every cell merged one way.

For each cell the answer is, in this order: blank when its ``blank`` amounts are all blank;
the error of a setting read cell by cell (a fee year given as a range); the error of the
first amount that cannot be read; the "is blank" error of the first blank amount; else what
the core computed. A setting given as one value is read once by the wrapper; given as a
range, the cells sharing a value are computed together, one call of the core each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import WegoError
from ..rules.inputs import read_amount
from .ranges import Arg, CellResults, object_array, read_amounts, read_ranges

Reader = Callable[[Any], Any]
Grid = tuple[np.ndarray, "np.ndarray | None", np.ndarray]  # amounts, error cells or None, blank mask


def answer_amounts(
    core: Callable[..., np.ndarray],
    values: list[Any],
    amounts: tuple[tuple[int, tuple[str, str]], ...],
    blank: tuple[int, ...],
    readers: tuple[tuple[int, Reader], ...],
    text_errors: bool,
) -> Any:
    """``core`` over the amounts of ``values`` (their positions and (name, kind)); ``readers``:
    settings given as ranges, read per cell."""
    try:
        results, parsed = read_ranges(text_errors, [values[i] for i, _ in amounts] + [values[i] for i, _ in readers])
    except WegoError as exc:
        return CellResults((), text_errors).whole(exc)
    grids = [read_amounts(arg, *kind, results) for arg, (_, kind) in zip(parsed, amounts)]
    row = list(values)
    for (i, _), (numbers, _, _) in zip(amounts, grids):
        row[i] = numbers
    if readers:
        answers, failed = _by_setting(core, row, amounts, readers, parsed[len(amounts) :], results)
    else:
        answers, failed = core(*row), None
    if failed is None and all(errors is None and not blanks.any() for _, errors, blanks in grids):
        return results.finish(answers)
    return _merged(
        answers, grids, [kind for _, kind in amounts], [_amount_index(amounts, i) for i in blank], failed, results
    )


def _amount_index(amounts: tuple[tuple[int, tuple[str, str]], ...], position: int) -> int:
    """Which of the amounts the argument at ``position`` is."""
    return [i for i, _ in amounts].index(position)


def _by_setting(
    core: Callable[..., np.ndarray],
    row: list[Any],
    amounts: tuple[tuple[int, tuple[str, str]], ...],
    readers: tuple[tuple[int, Reader], ...],
    settings: list[Arg],
    results: CellResults,
) -> tuple[np.ndarray, np.ndarray]:
    """The core's answers where settings vary by cell: each distinct raw value read once, the
    cells sharing the settings computed together; (answers, error cells of the settings)."""
    dims = results.dims
    raw = [np.broadcast_to(object_array(arg.rows), dims).ravel() for arg in settings]
    columns = [np.broadcast_to(row[i], dims).ravel() for i, _ in amounts]
    answers = np.full(len(columns[0]), np.nan)
    failed = np.full(len(columns[0]), None, dtype=object)
    read: dict[Any, Any] = {}
    groups: dict[tuple[int, ...], tuple[list[Any], list[int]]] = {}
    for k, cell in enumerate(zip(*raw)):
        found = _read_settings(cell, readers, read)
        if isinstance(found, WegoError):
            failed[k] = results.error_cell(found)
        else:
            groups.setdefault(tuple(map(id, found)), (found, []))[1].append(k)
    for found, cells in groups.values():
        at = np.asarray(cells)
        call = list(row)
        for (i, _), column in zip(amounts, columns):
            call[i] = column[at]
        for (i, _), value in zip(readers, found):
            call[i] = value
        answers[at] = core(*call)
    return answers.reshape(dims), failed.reshape(dims)


def _read_settings(cell: tuple[Any, ...], readers: tuple[tuple[int, Reader], ...], read: dict[Any, Any]) -> Any:
    """The settings of one cell read (a list), or the first one's error; each distinct value
    (told apart by type too: TRUE is not 1) read once a call."""
    try:
        key: Any = tuple((type(v), v) for v in cell)
        hash(key)
    except TypeError:  # an unhashable value no Excel host sends
        key = None
    found = read.get(key) if key is not None else None
    if found is None:
        try:
            found = [read_setting(value) for (_, read_setting), value in zip(readers, cell)]
        except WegoError as exc:
            found = exc
        if key is not None:
            read[key] = found
    return found


def _missing(name: str, kind: str) -> WegoError:
    """The error for a blank amount, as reading one gives it."""
    try:
        read_amount(None, name, kind)
    except WegoError as exc:
        return exc
    raise AssertionError("a blank amount is always an error")


def _merged(
    answers: np.ndarray,
    grids: list[Grid],
    kinds: list[tuple[str, str]],
    blank: list[int],
    failed: np.ndarray | None,
    results: CellResults,
) -> Any:
    """The answers with each cell's error or blank in place (the order in the module)."""
    dims = results.dims
    out = np.broadcast_to(answers, dims).astype(object)
    blanks = [np.broadcast_to(b, dims) for _, _, b in grids]
    all_blank = np.logical_and.reduce([blanks[j] for j in blank]) if blank else np.zeros(dims, dtype=bool)
    for (name, kind), blanks_of in reversed(list(zip(kinds, blanks))):  # the first amount's wins
        missing = blanks_of & ~all_blank
        if missing.any():
            out[missing] = results.error_cell(_missing(name, kind))
    for errors in [failed, *(e for _, e, _ in grids)][::-1]:  # a setting's error, then the first amount's
        if errors is not None:
            errors = np.broadcast_to(errors, dims)
            has = errors != None  # noqa: E711 (elementwise)
            out[has] = errors[has]
    out[all_blank] = None
    return results.finish(out)
