"""The memo of a worksheet function: answers it already gave, per raw cell value, for the
files they came from.

A column of 100,000 member names costs a dictionary lookup per cell once each spelling has
been answered; a misspelling is remembered like a name (its error is kept and shown as each
call asks: as text or as the bare code). Another roster or ledger (the file changed, an
entry was posted) starts the memo afresh; so does a question past ``MEMO_LIMIT`` values.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable
from itertools import chain, repeat
from typing import Any

from ..errors import WegoError
from .ranges import Arg, CellResults

#: A memo is started afresh past this many cell values (a bound on memory).
MEMO_LIMIT = 200_000

_MISS = object()
#: A memo key saying that some remembered answer is an error (so clean columns skip the scan).
_FAILED = object()


class _Failure:
    """A remembered error for one cell value (a misspelt name), shown as each call asks."""

    __slots__ = ("error",)

    def __init__(self, error: WegoError):
        self.error = error


class Memo:
    """Answers already given, per question (the call's settings, e.g. a language and a date),
    per raw cell value, for the sources they came from (the roster, the ledger): compared by
    identity, so a reloaded roster or a ledger read again after a posting starts afresh."""

    def __init__(self, limit: int = MEMO_LIMIT) -> None:
        self.limit = limit
        self._sources: tuple[object, ...] = ()
        self._questions: dict[Hashable, dict[Any, Any]] = {}

    def answers(self, sources: tuple[object, ...], question: Hashable) -> dict[Any, Any]:
        """The answers to ``question`` remembered for ``sources`` (raw cell value -> answer)."""
        if len(sources) != len(self._sources) or any(a is not b for a, b in zip(sources, self._sources)):
            self._questions = {}
            self._sources = sources  # held, so an identity is never that of a newer object
        found = self._questions.get(question)
        if found is None or len(found) > self.limit:
            found = self._questions[question] = {}
        return found

    def clear(self) -> None:
        """Forget every answer."""
        self._sources, self._questions = (), {}


def _rows(flat: list[Any], width: int) -> list[list[Any]]:
    return [[v] for v in flat] if width == 1 else [flat[i : i + width] for i in range(0, len(flat), width)]


def warm_rows(cells: Any, answers: dict[Any, Any]) -> list[list[Any]] | None:
    """The answers for a range of rows whose every cell is remembered without an error: a
    dictionary lookup per cell, nothing else; None when the full path is needed."""
    if type(cells) is not list or not cells or type(cells[0]) is not list or _FAILED in answers:
        return None
    try:  # a column of names, every one remembered without an error: one pass
        return [[answers[c]] for (c,) in cells]
    except (KeyError, TypeError, ValueError):
        pass  # a wider range, a cell not remembered, a cell that is a list: the general path
    width = len(cells[0])
    if width == 0 or set(map(type, cells)) != {list} or set(map(len, cells)) != {width}:
        return None
    flat = list(chain.from_iterable(cells))
    try:
        found = list(map(answers.get, flat, repeat(_MISS, len(flat))))
    except TypeError:
        return None
    return None if found.count(_MISS) else _rows(found, width)


def remembered_rows(results: CellResults, arg: Arg, answers: dict[Any, Any], answer: Callable[[Any], Any]) -> Any:
    """``answer(cell)`` for each cell of ``arg``, from the memo where it has the cell's value;
    a value not remembered is answered once (an error too) and remembered."""
    cells = list(chain.from_iterable(arg.rows))
    try:
        flat = list(map(answers.get, cells, repeat(_MISS, len(cells))))
    except TypeError:  # an unhashable value (no Excel host sends one): look each cell up
        flat = [_MISS] * len(cells)
    if flat.count(_MISS):
        for i, value in enumerate(flat):
            if value is _MISS:
                flat[i] = _answer_once(cells[i], answers, answer)
    if any(type(v) is _Failure for v in flat):
        flat = [results.error_cell(v.error) if type(v) is _Failure else v for v in flat]
    return results.finish_rows(_rows(flat, len(arg.rows[0])))


def _answer_once(cell: Any, answers: dict[Any, Any], answer: Callable[[Any], Any]) -> Any:
    """The answer for one cell value not found at first (maybe seen earlier in this range)."""
    value = _MISS
    with contextlib.suppress(TypeError):
        value = answers.get(cell, _MISS)
    if value is not _MISS:
        return value
    try:
        value = answer(cell)
    except WegoError as exc:
        value = _Failure(exc)
        answers[_FAILED] = True
    with contextlib.suppress(TypeError):
        answers[cell] = value
    return value
