"""The fee rules against the 2016 source: every cell, every band edge, bad input, arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wego_xl.errors import InputError, MissingDataError, NoScheduleError, OutOfRangeError, ScheduleError
from wego_xl.rules.fees import (
    FeeSchedule,
    gdp_reference_year,
    schedule_findings,
    schedule_in_effect,
)
from wego_xl.rules.inputs import read_fee_year
from wego_xl.rules.schedules import SCHEDULE_2016

# The table as printed in the 2016 source (seeds/000_169a3d4dab46271b.txt), copied as text so
# the test does not share the code's constant. Population in thousands, GDP in USD.
SOURCE_TABLE = """\
GDP(PPP) \\ 인구	0~299	300~599	600~999	1,000~1,999	2,000~3,999	4,000~6,999	7,000~9,999	10,000~
0~999	400	400	500	500	600	600	700	700
1,000~1,999	500	500	600	600	700	700	800	800
2,000~3,999	500	750	1,000	1,250	1,500	1,750	2,000	2,250
4,000~5,999	700	1,000	1,300	1,600	1,900	2,200	2,500	3,000
6,000~7,999	1,500	2,000	2,500	3,000	3,500	4,000	4,500	5,000
8,000~9,999	2,000	2,500	3,000	3,500	4,000	4,500	5,000	5,500
10,000~14,999	3,500	4,000	4,500	5,000	5,500	6,000	6,500	7,000
15,000~19,999	4,500	5,000	5,500	6,000	6,500	7,000	7,500	8,000
20,000 ~	6,000	6,500	7,000	7,500	8,000	8,500	8,500	10,000
"""


def _num(text: str) -> float:
    return float(text.replace(",", "").strip())


def _ranges(labels: list[str], scale: float) -> list[tuple[float, float]]:
    """(lowest, highest) value of each printed band, in persons or USD."""
    out = []
    for label in labels:
        lo, hi = label.split("~")
        out.append((_num(lo) * scale, (_num(hi) + 1) * scale if hi.strip() else math.inf))
    return out


def _source_cells():
    lines = [line.split("\t") for line in SOURCE_TABLE.strip().splitlines()]
    pops = _ranges(lines[0][1:], 1000)
    cells = []
    for row in lines[1:]:
        ((g_lo, g_hi),) = _ranges([row[0]], 1)
        for (p_lo, p_hi), fee in zip(pops, row[1:]):
            cells.append((p_lo, p_hi, g_lo, g_hi, _num(fee)))
    return cells


CELLS = _source_cells()


def test_source_table_has_72_cells():
    assert len(CELLS) == 72


@pytest.mark.parametrize("p_lo,p_hi,g_lo,g_hi,fee", CELLS)
def test_every_cell_of_the_2016_table(p_lo, p_hi, g_lo, g_hi, fee):
    p_top = p_hi - 0.5 if math.isfinite(p_hi) else 25_000_000
    g_top = g_hi - 0.01 if math.isfinite(g_hi) else 150_000
    for pop in (p_lo, (p_lo + min(p_top, p_lo * 2 + 1)) / 2, p_top):
        for gdp in (g_lo, g_top):
            assert SCHEDULE_2016.fee(pop, gdp) == fee, (pop, gdp)


POP_EDGES = [300_000, 600_000, 1_000_000, 2_000_000, 4_000_000, 7_000_000, 10_000_000]
GDP_EDGES = [1_000, 2_000, 4_000, 6_000, 8_000, 10_000, 15_000, 20_000]


@pytest.mark.parametrize("edge", POP_EDGES)
def test_population_edges_are_half_open_on_the_lower_bound(edge):
    below = SCHEDULE_2016.quote(edge - 0.5, 5_000)
    at = SCHEDULE_2016.quote(edge, 5_000)
    assert below.population_band.upper == edge
    assert at.population_band.lower == edge
    assert at.fee > below.fee  # the 4,000~5,999 USD row rises at every population edge


@pytest.mark.parametrize("edge", GDP_EDGES)
def test_gdp_edges_are_half_open_on_the_lower_bound(edge):
    below = SCHEDULE_2016.quote(500_000, edge - 0.01)
    at = SCHEDULE_2016.quote(500_000, edge)
    assert below.gdp_band.upper == edge and at.gdp_band.lower == edge
    assert at.fee > below.fee  # the 300~599 thousand column rises at every GDP edge


def test_domain_examples_of_half_open_bands():
    assert SCHEDULE_2016.quote(299_999.5, 0).population_band.label == "0~299 thousand"
    assert SCHEDULE_2016.quote(0, 999.99).gdp_band.label == "0~999 USD"


def test_worked_example_from_the_source():
    quote = SCHEDULE_2016.quote(970_000, 35_379)
    assert quote.fee == 7_000
    assert quote.population_band.label == "600~999 thousand"
    assert quote.gdp_band.label == "20,000~ USD"


def test_zero_is_valid():
    assert SCHEDULE_2016.fee(0, 0) == 400


@pytest.mark.parametrize(
    "bad,error,words",
    [
        (-1, OutOfRangeError, "cannot be negative"),
        (float("nan"), OutOfRangeError, "NaN"),
        (float("inf"), OutOfRangeError, "finite"),
        (float("-inf"), OutOfRangeError, "finite"),
        ("abc", InputError, "got the text 'abc'"),
        (None, MissingDataError, "blank"),
        (True, InputError, "got TRUE"),
    ],
)
def test_bad_input_is_rejected_with_the_value_and_rule(bad, error, words):
    with pytest.raises(error, match=words) as info:
        SCHEDULE_2016.fee(bad, 35_379)
    assert str(info.value).startswith("population")
    with pytest.raises(error):
        SCHEDULE_2016.fee(970_000, bad)


def test_message_names_the_value():
    with pytest.raises(InputError) as info:
        SCHEDULE_2016.fee("abc", 1)
    assert str(info.value) == "population must be a number of persons, got the text 'abc'"


def test_the_rules_read_amounts_as_every_other_reader_does():
    assert SCHEDULE_2016.fee("970,000", "35,379") == SCHEDULE_2016.fee(970_000, 35_379) == 7_000


finite = st.floats(min_value=0, max_value=5e7, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(finite, st.floats(min_value=0, max_value=2e5)), min_size=1, max_size=60))
def test_array_lookup_equals_scalar_lookup(pairs):
    pops = np.array([p for p, _ in pairs])
    gdps = np.array([g for _, g in pairs])
    assert SCHEDULE_2016.fees_for(pops, gdps).tolist() == [SCHEDULE_2016.fee(p, g) for p, g in pairs]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(finite, st.sampled_from([-1.0, -1e-9, float("nan"), float("inf")])), min_size=1, max_size=30))
def test_array_lookup_marks_bad_input_where_scalar_lookup_raises(pops):
    result = SCHEDULE_2016.fees_for(np.array(pops), np.full(len(pops), 5_000.0))
    for value, fee in zip(pops, result):
        try:
            expected = SCHEDULE_2016.fee(value, 5_000.0)
        except InputError:
            assert math.isnan(fee)
        else:
            assert fee == expected


def test_schedule_check_finds_the_8500_pair():
    findings = schedule_findings(SCHEDULE_2016)
    top = [f for f in findings if f.axis == "row" and f.band == "20,000~ USD"]
    assert len(top) == 1
    assert top[0].between == ("4,000~6,999 thousand", "7,000~9,999 thousand")
    assert top[0].fees == (8_500, 8_500) and top[0].kind == "flat"
    # the check reports, it never changes the published figure
    assert SCHEDULE_2016.fee(8_000_000, 25_000) == 8_500


def test_schedule_check_reports_every_flat_step_and_nothing_else():
    described = sorted(str(f) for f in schedule_findings(SCHEDULE_2016))
    assert len(described) == 10  # 4 + 4 paired steps in the two lowest rows, the 8,500 pair, one column
    assert "column 0~299 thousand: fee stays at 500 USD between 1,000~1,999 USD and 2,000~3,999 USD" in described
    assert not any(f.kind == "falls" for f in schedule_findings(SCHEDULE_2016))


def test_schedule_check_reports_a_falling_fee():
    s = FeeSchedule(2030, (0, 100), (0, 100), ((500, 400), (600, 700)))
    [finding] = [f for f in schedule_findings(s) if f.kind == "falls"]
    assert finding.fees == (500, 400)


@pytest.mark.parametrize(
    "kwargs,words",
    [
        (dict(population_lowers=(0, 600, 300)), "sorted without overlap"),
        (dict(population_lowers=(0, 300, 300)), "sorted without overlap"),
        (dict(gdp_lowers=(10, 20)), "must start at 0"),
        (dict(fees=((1, 2),)), "2 GDP bands but 1 rows"),
        (dict(fees=((1, 2), (3,))), "has 1 fees"),
        (dict(fees=((1, -2), (3, 4))), "negative fee"),
        (dict(fees=((1, "x"), (3, 4))), "fees must be numbers"),
        (dict(effective_year=2016.5), "whole year"),
    ],
)
def test_malformed_schedules_are_rejected(kwargs, words):
    base = dict(effective_year=2020, population_lowers=(0, 300), gdp_lowers=(0, 1000), fees=((1, 2), (3, 4)))
    with pytest.raises(ScheduleError, match=words):
        FeeSchedule(**(base | kwargs))


def test_gdp_reference_year_is_fee_year_minus_two():
    assert gdp_reference_year(2016) == 2014
    assert gdp_reference_year(2016.0) == 2014
    with pytest.raises(OutOfRangeError):
        gdp_reference_year(2016.5)
    assert read_fee_year("2016") == 2016  # one reading of a year everywhere, typed or text
    with pytest.raises(InputError):
        read_fee_year("twenty sixteen")


def test_newest_schedule_in_effect_is_used():
    later = FeeSchedule(
        2020,
        SCHEDULE_2016.population_lowers,
        SCHEDULE_2016.gdp_lowers,
        tuple(tuple(f * 2 for f in row) for row in SCHEDULE_2016.fees),
    )
    both = [later, SCHEDULE_2016]
    assert schedule_in_effect(2019, both) is SCHEDULE_2016
    assert schedule_in_effect(2020, both) is later
    assert schedule_in_effect(2030, both).fee(970_000, 35_379) == 14_000
    with pytest.raises(NoScheduleError, match="earliest takes effect in 2016"):
        schedule_in_effect(2015, both)
