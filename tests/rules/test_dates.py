"""One reading of a date (rules/dates.py), checked against openpyxl's own conversion."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils.datetime import from_excel

from wego_xl.errors import InputError
from wego_xl.rules.dates import LAST_EXCEL_DAY, from_excel_day, read_date


@given(st.integers(1, LAST_EXCEL_DAY).filter(lambda d: d != 60))
def test_excel_day_numbers_agree_with_openpyxl(day):
    assert from_excel_day(day) == from_excel(day).date()


def test_a_date_is_read_one_way():
    assert read_date(dt.datetime(2017, 3, 31, 12)) == dt.date(2017, 3, 31)
    assert read_date(" 2017-03-31 ") == dt.date(2017, 3, 31)
    assert read_date(None) is None and read_date("  ") is None
    assert read_date(42825.5, day_numbers=True) == dt.date(2017, 3, 31)  # Office.js sends the day number
    for bad in (2017, 42825, "31/03/2017", "next week", True):
        with pytest.raises(InputError, match="the date must be a date such as 2017-03-31"):
            read_date(bad)  # in a file, a number typed into a date cell is never 9 July 1905
    with pytest.raises(InputError, match="never was"):
        from_excel_day(60)
    with pytest.raises(InputError, match="day number from 1"):
        read_date(0, day_numbers=True)
