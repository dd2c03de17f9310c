"""The one wrapper of worksheet functions, on small functions of its own: shapes, blanks,
settings read once, error values, the memo, and the vectorised core of amounts."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from wego_xl.errors import InputError, MissingDataError
from wego_xl.excel.memo import Memo
from wego_xl.excel.wrapper import worksheet_function
from wego_xl.rules.inputs import read_fee_year

from ..conftest import ROOT


def _number(value):
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise InputError(f"x must be a number, got {value!r}")
    return value


@worksheet_function(blank=("x",))
def double(x):
    return 2 * _number(x)


def test_one_cell_a_row_a_column_and_a_block_keep_their_shape():
    assert double(2) == 4
    assert double([1, 2]) == [2, 4]
    assert double([[1], [2]]) == [[2], [4]]
    assert double([[1, 2], [3, 4]]) == [[2, 4], [6, 8]]


def test_an_error_stays_in_its_cell_as_text_or_as_the_bare_code():
    assert double([[1], ["a"]]) == [[2], ["#VALUE!: x must be a number, got 'a'"]]
    assert double([[1], ["a"]], text_errors=False) == [[2], ["#VALUE!"]]


def test_a_blank_key_gives_a_blank_cell():
    assert double([[None], [" "], [3]]) == [[None], [None], [6]]


def test_ranges_that_do_not_fit_are_one_error():
    @worksheet_function()
    def add(x, y):
        return x + y

    assert add([[1], [2]], [[1], [2], [3]]).startswith("#VALUE!: the ranges do not fit together")
    assert add([[1], [2]], 10) == [[11], [12]]
    assert add([1, 2], [[10], [20]]) == [[11, 12], [21, 22]]


def test_an_error_text_is_cut_to_255_characters():
    got = double("x" * 1000)
    assert got.startswith("#VALUE!: x must be a number") and len(got) == 255 and got.endswith("…")


def test_an_unforeseen_exception_is_one_error_cell_naming_it():
    @worksheet_function()
    def broken(x):
        raise ZeroDivisionError("division by zero")

    got = broken([[1], [2]])
    assert got == "#VALUE!: wego-xl could not work this out (ZeroDivisionError: division by zero); please report it"
    assert broken(1, text_errors=False) == "#VALUE!"
    assert broken().startswith("#VALUE!: wego-xl could not work this out (TypeError")  # a missing argument


def _year(value):
    calls.append(value)
    return read_fee_year(value)


calls: list[object] = []


@worksheet_function(blank=("name",), settings={"fee_year": _year})
def labelled(name, fee_year=2016):
    return f"{name} {fee_year}"


def test_a_setting_of_one_value_is_read_once_and_its_error_is_every_cells():
    calls.clear()
    assert labelled([["a"], ["b"], [None]], [[2017]]) == [["a 2017"], ["b 2017"], [None]]
    assert calls == [2017]  # a one-cell range is one value, read once
    assert labelled([["a"], [None]], 1999, text_errors=False) == [["#NUM!"], ["#NUM!"]]  # the blank too
    assert labelled([["a"], ["b"]]) == [["a 2016"], ["b 2016"]]  # the default, read as well


def test_a_setting_given_as_a_range_is_read_per_cell():
    got = labelled([["a"], ["b"], [None]], [[2017], [1999], [1999]])
    assert got[0] == ["a 2017"] and got[1][0].startswith("#NUM!: fee year must be between") and got[2] == [None]


def test_a_function_for_the_whole_call_shows_its_error_once():
    @worksheet_function(per_cell=False)
    def table(n):
        if n < 0:
            raise MissingDataError("nothing to list")
        return [[i] for i in range(n)]

    assert table(2) == [[0], [1]]
    assert table(-1) == "#N/A: nothing to list"


# -- the memo -----------------------------------------------------------------------------


def test_the_memo_starts_afresh_for_another_source_and_past_its_limit():
    memo = Memo(limit=2)
    first, second = object(), object()
    memo.answers((first,), "q")["a"] = 1
    assert memo.answers((first,), "q") == {"a": 1}
    assert memo.answers((first,), "other") == {}
    assert memo.answers((second,), "q") == {}  # another roster: nothing remembered
    found = memo.answers((second,), "q")
    found.update(a=1, b=2, c=3)
    assert memo.answers((second,), "q") == {}  # past the limit: started afresh


class _Source:
    """A roster stand-in: one object per version of the file."""


def test_a_remembered_function_answers_each_value_once_per_source():
    source = [_Source()]
    asked: list[object] = []

    @worksheet_function(blank=("name",), settings={"suffix": str}, remember=lambda: source[0])
    def shout(name, suffix="!"):
        asked.append(name)
        if name == "bad":
            raise InputError("bad is not a name")
        return name.upper() + suffix

    column = [["a"], ["b"], ["a"], [None], ["bad"]]
    want = [["A!"], ["B!"], ["A!"], [None], ["#VALUE!: bad is not a name"]]
    assert shout(column) == want and shout(column) == want
    assert shout(column, text_errors=False)[4] == ["#VALUE!"]  # a remembered error, as this call asks
    assert asked == ["a", "b", "bad"]
    assert shout([["a"]], "?") == [["A?"]] and asked[-1] == "a"  # another setting, another question
    source[0] = _Source()  # the roster was saved again
    assert shout([["b"]]) == [["B!"]] and asked[-1] == "b"
    assert shout.memo.answers((source[0],), ("!",)) == {"b": "B!"}


def test_a_remembered_function_takes_one_cell_argument():
    with pytest.raises(TypeError, match="one cell argument"):

        @worksheet_function(remember=object)
        def two(a, b):
            return a


# -- amounts: a vectorised core ------------------------------------------------------------


@worksheet_function(
    blank=("a", "b"),
    settings={"factor": lambda v: 1.0 if v is None else read_fee_year(v) - 2000},
    amounts={"a": ("a", "an amount"), "b": ("b", "an amount")},
)
def scaled(a, b, factor=None):
    calls.append(a.shape)
    return (a + b) * factor


def test_amounts_are_computed_as_arrays_in_one_call():
    calls.clear()
    assert scaled([[1], [2], [3]], [[10], [20], [30]]) == [[11.0], [22.0], [33.0]]
    assert calls == [(3, 1)]
    assert scaled(1, 2) == 3.0


def test_amounts_errors_and_blanks_merge_one_way():
    got = scaled([[None], [1], [None], ["x"], [None]], [[None], [None], [1], [None], ["y"]])
    assert got[0] == [None]  # both blank: blank
    assert got[1][0] == "#N/A: b is blank: type an amount"
    assert got[2][0] == "#N/A: a is blank: type an amount"
    assert got[3][0].startswith("#VALUE!: a must be an amount")  # an error before a blank
    assert got[4][0].startswith("#VALUE!: b must be an amount")


def test_a_setting_given_per_cell_groups_the_cells_sharing_it():
    calls.clear()
    got = scaled([[1], [1], [1], [None]], [[1], [1], [1], [None]], [[2016], [2017], [1999], [1999]])
    assert got[:2] == [[32.0], [34.0]] and got[2][0].startswith("#NUM!") and got[3] == [None]
    assert sorted(calls) == [(1,), (1,)]  # one call of the core per fee year


def test_importing_the_worksheet_functions_loads_no_roster_ledger_or_workbook_code():
    code = (
        "import sys, udfs; "
        "print(sorted(m for m in sys.modules if m.startswith(('openpyxl', 'pandas', 'sqlalchemy', "
        "'wego_xl.store', 'wego_xl.app', 'wego_xl.ledger', 'wego_xl.rules.fees', 'wego_xl.messages'))))"
    )  # not tomllib: coverage, measuring this process under CI, reads pyproject.toml with it
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_the_vectorised_core_gets_arrays():
    got = []

    @worksheet_function(amounts={"a": ("a", "an amount")})
    def kinds(a):
        got.append(type(a))
        return np.asarray(a)

    assert kinds([[1.5]]) == [[1.5]] and got == [np.ndarray]
