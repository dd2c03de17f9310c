"""Every worksheet function called as Excel calls it: a cell, a row, a column or a block."""

from __future__ import annotations

import datetime as dt

import pytest

import udfs
from wego_xl.excel import worksheet as wf

# -- WEGO_FEE -------------------------------------------------------------------------------


def test_fee_scalar_and_worked_example():
    assert udfs.WEGO_FEE(970000, 35379) == 7000


def test_fee_over_a_column_block_and_row_keeps_the_shape():
    assert udfs.WEGO_FEE([[970000], [5_000_000]], [[35379], [5_000]]) == [[7000], [2200]]
    assert udfs.WEGO_FEE([970000, 0], [35379, 0]) == [7000, 400]
    assert udfs.WEGO_FEE([[970000, 0], [10**7, 1]], 20_000) == [[7000, 6000], [10000, 6000]]


@pytest.mark.parametrize(
    "cell,expected",
    [
        (970000.0, 7000),
        (970000, 7000),
        ("970,000", 7000),
        (" 970000 ", 7000),
        ("970 000", 7000),
        ("9.7e5", 7000),
        ("-1", "#NUM!"),
        ("abc", "#VALUE!"),
        (True, "#VALUE!"),
        (False, "#VALUE!"),
        (dt.datetime(2016, 1, 1), "#VALUE!"),
        ("#N/A", "#N/A"),
        ("#DIV/0!", "#DIV/0!"),
        (None, "#N/A"),
        ("   ", "#N/A"),
        (float("nan"), "#NUM!"),
        (float("inf"), "#NUM!"),
    ],
)
def test_fee_reads_cells_as_documented(cell, expected):
    got = udfs.WEGO_FEE([[cell]], [[35379]])[0][0]
    if isinstance(expected, str):
        assert isinstance(got, str) and got.split(":")[0] == expected, got
    else:
        assert got == expected


def test_fee_errors_say_why_in_classic_text_form():
    got = udfs.WEGO_FEE("abc", 35379)
    assert got.startswith("#VALUE!: population must be") and "'abc'" in got


def test_fee_bare_codes_for_server_and_lite():
    assert wf.fee("abc", 35379, text_errors=False) == "#VALUE!"
    assert wf.fee([[-1], [1]], 1, text_errors=False) == [["#NUM!"], [400]]


def test_fee_two_blanks_give_a_blank_one_blank_names_the_missing_input():
    assert udfs.WEGO_FEE([[None], [970000]], [[None], [None]]) == [
        [None],
        ["#N/A: GDP per capita is blank: type a number of USD such as 35379"],
    ]


def test_fee_ranges_of_different_sizes_are_refused():
    assert udfs.WEGO_FEE([[1], [2], [3]], [[1], [2]]).startswith("#VALUE!: the ranges do not fit")


def test_a_one_cell_fee_year_applies_to_the_whole_range():
    pops, gdps = [[970000], [5_000_000], ["x"]], [[35379], [5_000], [1]]
    assert udfs.WEGO_FEE(pops, gdps, [[2016]]) == udfs.WEGO_FEE(pops, gdps, 2016)
    assert udfs.WEGO_FEE(pops, gdps, [[2016]])[:2] == [[7000], [2200]]


def test_fee_year_chooses_the_table():
    assert udfs.WEGO_FEE(970000, 35379, 2016) == 7000
    assert udfs.WEGO_FEE(970000, 35379, 2015).startswith("#N/A: no fee schedule is in effect for fee year 2015")
    assert udfs.WEGO_FEE([[970000], [1]], [[35379], [1]], [[2016], [2015]])[1][0].startswith("#N/A")


# -- member functions -----------------------------------------------------------------------


def test_status_in_both_languages_and_over_a_range():
    assert udfs.WEGO_STATUS("Seoul") == "Full"
    assert udfs.WEGO_STATUS("세종시", "ko") == "준회원"
    assert udfs.WEGO_STATUS([["NITDA"], ["Kigali"], [None]]) == [["Friendship"], ["Associate"], [None]]
    assert udfs.WEGO_STATUS("Seoul", "fr").startswith('#VALUE!: language must be "en" (English) or "ko" (한국어)')


def test_unknown_city_is_na_with_a_suggestion():
    assert udfs.WEGO_STATUS("Seol") == "#N/A: 'Seol' is not on the roster; did you mean Seoul?"
    assert wf.status("Seol", text_errors=False) == "#N/A"


def test_region_country_capital():
    assert udfs.WEGO_REGION(["Suva", "Hebron"]) == ["Oceania", "Middle East"]
    assert udfs.WEGO_COUNTRY("페메린타 카부타텐 세랑") == "Indonesia"
    assert udfs.WEGO_IS_CAPITAL([["서울"], ["Abu Dhabi"]]) == [[True], [False]]
    assert udfs.WEGO_IS_CAPITAL("NITDA").startswith("#N/A: National Information Technology")
    assert udfs.WEGO_REGION(42).startswith("#VALUE!: city must be a member's name")


def test_fee_due_and_gdp_year():
    assert udfs.WEGO_FEE_DUE([["Seoul"], ["Sejong"], ["NITDA"]], 2016) == [[True], [False], [False]]
    assert udfs.WEGO_FEE_DUE("Seoul", 2010) is False  # full since 2010: first fee year 2011
    assert udfs.WEGO_GDP_YEAR(2016) == 2014
    assert udfs.WEGO_GDP_YEAR([["2017"], [2018.0]]) == [[2015], [2016]]
    assert udfs.WEGO_GDP_YEAR(2016.5).startswith("#NUM!")
    assert udfs.WEGO_GDP_YEAR(dt.datetime(2016, 1, 1)).startswith("#VALUE!: fee year must be a year")


def test_member_fee_names_the_missing_input():
    got = udfs.WEGO_MEMBER_FEE("Dhaka South", 2016)
    assert got.startswith("#N/A: Dhaka South 2016: population is blank (Members sheet, row 6)")
    hebron = udfs.WEGO_MEMBER_FEE("Hebron", 2016)  # its population is known, its GDP is not
    assert "no PSE GDP (PPP) per capita for 2014 in IMF WEO April 2015" in hebron


def test_member_fee_is_zero_when_none_is_owed():
    assert udfs.WEGO_MEMBER_FEE([["Sejong"], ["NITDA"]], 2016) == [[0], [0]]


def test_member_fee_with_population_and_gdp(priced_roster):
    assert udfs.WEGO_MEMBER_FEE("서울", 2016) == 7000
    assert udfs.WEGO_MEMBER_FEE([["Seoul"], ["Gimpo"]], [[2016], [2016]])[0] == [7000]
    assert "7,000 USD" in udfs.WEGO_EXPLAIN("Seoul", 2016)


def test_members_spill():
    assert udfs.WEGO_MEMBERS("Oceania") == [["Suva"]]
    assert len(udfs.WEGO_MEMBERS()) == 100
    assert len(udfs.WEGO_MEMBERS("asia", "Associate")) == 4  # Bharatpur, Cauayan, Baguio, Sejong
    assert udfs.WEGO_MEMBERS("Atlantis").startswith("#VALUE!: region must be one of")


def test_schedule_and_bands():
    table = udfs.WEGO_SCHEDULE(2016)
    assert len(table) == 10 and len(table[0]) == 9
    assert table[-1][0] == "20,000~ USD" and table[-1][6:8] == [8500, 8500]
    assert udfs.WEGO_BANDS(970000, 35379) == "population 600~999 thousand; GDP 20,000~ USD"


def test_failed_counts_errors_of_both_kinds():
    assert udfs.WEGO_FAILED([[7000], ["#N/A: x"], ["#VALUE!"], [None], ["text"]]) == 2


@pytest.mark.parametrize("fn", [f for f in dir(udfs) if f.startswith("WEGO_")])
def test_help_text_fits_the_function_wizard(fn):
    func = getattr(udfs, fn)
    assert func.__doc__ and len(func.__doc__) <= 255
