"""Every case where the toolkit once computed a wrong fee without a word, on real files: each
is now read one way everywhere, refused, or reported before billing."""

from __future__ import annotations

import datetime as dt
import fractions
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import udfs
from wego_xl.errors import RosterError, WeoFormatError
from wego_xl.excel.writers import refresh_file
from wego_xl.store.roster import read_roster
from wego_xl.store.weo import import_weo, parse_weo

from ..conftest import CLI, SHARED_DATA, edit_roster, korea_gdp, leaves
from ..conftest import run_cli as cli

WEO_DIR = SHARED_DATA / "weo"
APRIL_2015 = WEO_DIR / "open-numbers_WEOApr2015_ddf--datapoints--ppppc--by--country--year.csv"
needs_real_data = pytest.mark.skipif(not APRIL_2015.exists(), reason="../shared/data/weo is not here")


def mongolia(value: float = 11_946.0, edition: str = "October 2015") -> dict:
    return {**korea_gdp(2014, value, edition), "Country code": "MNG", "Country": "Mongolia"}


@pytest.fixture
def ulaanbaatar(roster_copy, monkeypatch) -> Path:
    """Ulaanbaatar (W002) with a population and Mongolia's 2014 GDP (PPP): fee 5,000 in 2016."""
    edit_roster(roster_copy, {"Ulaanbaatar": {"Population": 1_372_000}}, [mongolia()])
    monkeypatch.setenv("WEGO_ROSTER", str(roster_copy))
    return roster_copy


# -- one reading of a value, everywhere ----------------------------------------------------------


@pytest.mark.parametrize("typed", [2016, "2016", " 2016 ", 2016.0])
def test_full_since_typed_as_text_is_the_year(ulaanbaatar, typed):
    edit_roster(ulaanbaatar, {"Ulaanbaatar": {"Full since": typed}})
    assert udfs.WEGO_MEMBER_FEE("Ulaanbaatar", 2016) == 0  # full since 2016: first fee year is 2017
    assert udfs.WEGO_FEE_DUE("Ulaanbaatar", 2016) is False
    assert udfs.WEGO_MEMBER_FEE("Ulaanbaatar", 2017) > 0  # and owes from 2017
    assert "full member since 2016" in udfs.WEGO_EXPLAIN("Ulaanbaatar", 2016)


def test_a_population_typed_as_text_reads_as_the_functions_read_it(ulaanbaatar):
    edit_roster(ulaanbaatar, {"Ulaanbaatar": {"Population": "1,372,000"}})
    assert read_roster(ulaanbaatar).problems == []
    assert udfs.WEGO_MEMBER_FEE("Ulaanbaatar", 2016) == udfs.WEGO_FEE("1,372,000", 11_946) == 5_000


@pytest.mark.parametrize("typed", ["970.000", "1.372.000", "35.379,000", "1372000,5"])
def test_number_text_that_reads_two_ways_is_an_error_everywhere(ulaanbaatar, typed):
    assert udfs.WEGO_FEE(typed, 35_379).startswith("#VALUE!: population must be a number of persons")
    edit_roster(ulaanbaatar, {"Ulaanbaatar": {"Population": typed}})
    [problem] = read_roster(ulaanbaatar).problems
    assert (problem.sheet, problem.row, problem.column) == ("Members", 3, "Population")
    assert repr(typed) in str(problem)
    fee = udfs.WEGO_MEMBER_FEE("Ulaanbaatar", 2016)
    assert fee.startswith("#N/A") and "population cell is not usable" in fee and "row 3" in fee


# -- the WEO import refuses what it cannot read for sure --------------------------------------------

QUERY_HEADER = (
    "Country\tSubject Descriptor\tUnits\tScale\tCountry/Series-specific Notes\t2014\tEstimates Start After\r\n"
)
FOOTER = "\r\nInternational Monetary Fund, World Economic Outlook Database, {edition}\r\n"
PPP = "Gross domestic product based on purchasing-power-parity (PPP) per capita GDP\tCurrent international dollar"
USD = "Gross domestic product per capita, current prices\tU.S. dollars"


def query_export(path: Path, rows: list[tuple[str, str, str]], edition: str = "April 2015") -> Path:
    text = QUERY_HEADER + "".join(f"{c}\t{series}\tUnits\tx\t{v}\t2013\r\n" for c, series, v in rows)
    path.write_bytes((text + FOOTER.format(edition=edition)).encode("iso-8859-1"))
    return path


def test_a_file_of_ppp_and_us_dollar_series_imports_only_ppp(ulaanbaatar, tmp_path):
    path = query_export(tmp_path / "both.xls", [("Mongolia", PPP, "12,000.5"), ("Mongolia", USD, "4,000.5")])
    data = parse_weo(path)
    assert [(f.code, f.value) for f in data.figures] == [("MNG", 12000.5)]
    assert data.is_ppp and any("left out" in w and "U.S. dollars" in w for w in data.warnings)
    import_weo(ulaanbaatar, parse_weo(path, edition="October 2015"))
    assert udfs.WEGO_MEMBER_FEE("Ulaanbaatar", 2016) == 5_000  # not 1,600 from the U.S.-dollar row


def test_several_series_and_none_ppp_is_refused(tmp_path):
    other = "Gross domestic product, current prices\tU.S. dollars"
    path = query_export(tmp_path / "two.xls", [("Mongolia", USD, "4,000"), ("Mongolia", other, "11")])
    with pytest.raises(WeoFormatError, match=r"holds 2 series .+ not exactly one of them is GDP \(PPP\) per capita"):
        parse_weo(path)


def test_a_number_in_another_format_is_refused(tmp_path):
    path = query_export(tmp_path / "eu.xls", [("Korea", PPP, "35.379,000")])
    with pytest.raises(WeoFormatError, match=r"line 2 \(Korea 2014\): '35.379,000' is not a number as WEO files"):
        parse_weo(path)


@pytest.mark.parametrize(
    "text",
    [
        "country,year,ppppc\nkor,2014,35277.347\nKOR,2014,35000\n",
        'country,year,value\nKorea,2014,35277.347\n"Korea, Republic of",2014,35000\n',
    ],
)
def test_two_rows_for_one_country_and_year_are_refused_naming_both(tmp_path, text):
    path = tmp_path / "dup.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WeoFormatError, match=r"lines 2 .+ and 3 .+ both give KOR 2014"):
        parse_weo(path, edition="April 2015")


def test_the_same_row_twice_is_one_figure(tmp_path):
    path = tmp_path / "same.csv"
    path.write_text("country,year,ppppc\nkor,2014,35277.347\nKOR,2014,35277.347\n", encoding="utf-8")
    assert len(parse_weo(path, edition="April 2015").figures) == 1


def test_edition_names_read_one_way_and_a_future_one_is_refused(roster_copy, tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("country,year,ppppc\nKOR,2014,35277.347\n", encoding="utf-8")
    import_weo(roster_copy, parse_weo(path, edition="April 2016"))
    path.write_text("country,year,ppppc\nKOR,2014,1000\n", encoding="utf-8")
    import_weo(roster_copy, parse_weo(path, edition="WEO April 2016"))  # the same edition: replaced
    roster = read_roster(roster_copy)
    assert [(f.edition, f.value) for f in roster.gdp if f.edition == "April 2016"] == [("April 2016", 1000.0)]
    for bad, words in (("April 2099", "later than today"), ("Spring 2016", "is not a WEO edition")):
        with pytest.raises(WeoFormatError, match=words):
            parse_weo(path, edition=bad)


@pytest.mark.parametrize("value", ["-5", "0"])
def test_a_negative_or_zero_gdp_is_refused(tmp_path, value):
    path = tmp_path / "neg.csv"
    path.write_text(f"country,year,ppppc\nKOR,2014,{value}\n", encoding="utf-8")
    with pytest.raises(WeoFormatError, match="must be more than 0"):
        parse_weo(path, edition="April 2015")


@pytest.mark.parametrize(
    "data", [b"\x00\x01\x02binary\xff\xfe\x00garbage" * 50, b"country,year,ppppc\nKOR,2014,\x07\n"]
)
def test_binary_or_control_characters_are_one_line(tmp_path, roster_copy, data):
    path = tmp_path / "weo.csv"
    path.write_bytes(data)
    out = cli("import-weo", path, "--roster", roster_copy, "--edition", "April 2015")
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "binary data or control characters" in out.stderr


@needs_real_data
def test_a_partial_edition_never_takes_other_countries_gdp(roster_copy, tmp_path):
    import_weo(roster_copy, parse_weo(APRIL_2015))
    edit_roster(roster_copy, {"Seoul": {"Population": 10_000_000}, "Ulaanbaatar": {"Population": 1_372_000}})
    before = read_roster(roster_copy)
    extract = tmp_path / "one.csv"
    extract.write_text("country,year,ppppc\nKOR,2015,40000\n", encoding="utf-8")
    result = import_weo(roster_copy, parse_weo(extract, edition="October 2015"), check_fee_years=(2017,))
    after = read_roster(roster_copy)
    assert after.gdp_figure("MNG", 2015).value == before.gdp_figure("MNG", 2015).value  # still April 2015's
    assert after.gdp_figure("KOR", 2015).edition == "October 2015"
    assert any(w.startswith("October 2015 has no figures for") for w in result.data.warnings)
    report_before = refresh_file(roster_copy, 2017, roster_copy.parent / "before.xlsx", dry_run=True)[0]
    assert report_before.total_owed > 0


@needs_real_data
def test_a_figure_the_imf_does_not_publish_can_be_entered_by_hand(roster_copy, monkeypatch):
    import_weo(roster_copy, parse_weo(APRIL_2015))
    palestine = next(m for m in read_roster(roster_copy).members if m.country_iso3 == "PSE")
    assert read_roster(roster_copy).gdp_figure("PSE", 2014) is None  # April 2015 has no PSE 2014
    manual = {
        **korea_gdp(2014, 4_700.0, "Manual"),
        "Country code": "PSE",
        "Source": "Palestinian Central Bureau of Statistics",
        "Notes": "IMF WEO April 2015 has no figure",
    }
    edit_roster(roster_copy, {palestine.member_id: {"Population": 600_000, "Full since": 2012}}, [manual])
    monkeypatch.setenv("WEGO_ROSTER", str(roster_copy))
    explained = udfs.WEGO_EXPLAIN(palestine.name_en, 2016)
    assert "entered by hand: Palestinian Central Bureau of Statistics; IMF WEO April 2015 has no figure" in explained


def test_a_second_header_of_the_same_name_stops_the_load(roster_copy):
    wb = openpyxl.load_workbook(roster_copy)
    members = wb["Members"]
    members.cell(1, members.max_column + 1, "Population")
    spare = members.cell(1, members.max_column).column_letter
    wb.save(roster_copy)
    with pytest.raises(RosterError, match=f"the header 'Population' is in two columns, L and {spare}"):
        read_roster(roster_copy)
    out = cli("check", "--roster", roster_copy)
    assert out.returncode == 2 and "two columns" in out.stderr


# -- checks before billing ----------------------------------------------------------------------------


def test_impossible_years_are_errors_naming_the_row_and_block_the_fee(ulaanbaatar):
    edit_roster(ulaanbaatar, {"Ulaanbaatar": {"Full since": 2005}})
    assert "Full since 2005 is before WeGO was founded" in udfs.WEGO_FEE_DUE("Ulaanbaatar", 2016)
    assert udfs.WEGO_MEMBER_FEE("Ulaanbaatar", 2016).startswith("#N/A")
    out = cli("refresh", ulaanbaatar, "--fee-year", 2016)
    assert out.returncode == 1, out.stderr  # written, with the error on the Checks sheet
    checks = list(openpyxl.load_workbook(ulaanbaatar)["Checks"].iter_rows(min_row=2, values_only=True))
    assert ("error", "Members", 3, "Full since") in [row[:4] for row in checks]
    wb = openpyxl.load_workbook(ulaanbaatar)
    wb["Members"]["K3"].value = dt.datetime(1905, 7, 8)  # 2016 typed into a date-formatted cell
    wb.save(ulaanbaatar)
    fee_due = udfs.WEGO_FEE_DUE("Ulaanbaatar", 2016)
    assert "Full since cannot be read" in fee_due and "date-formatted cell" in fee_due


def _problem_roster(path: Path) -> Path:
    """A roster with one of every kind of problem the checks know."""
    edit_roster(
        path,
        {
            "Ulaanbaatar": {"Population": 1_372},  # typed in thousands
            "Kathmandu": {"Population": "many"},  # unreadable
            "W004": {"Full since": 2005},  # before WeGO
            "Sejong": {"Full since": 2015},  # an Associate with a Full-since year
            "Seoul": {"Full since": 2031, "Population": 3_562_166_000},  # future; implausible
            "W005": {"Associate since": 2015, "Full since": 2013},  # full before associate
        },
        [korea_gdp(2014, 120.0), mongolia()],
    )
    return path


def test_check_and_refresh_agree_on_a_roster_with_every_kind_of_problem(roster_copy):
    _problem_roster(roster_copy)
    checked = cli("check", "--roster", roster_copy, "--fee-year", 2016, "--json")
    assert checked.returncode == 1, checked.stderr
    found = json.loads(checked.stdout)
    assert found["counts"]["error"] >= 5 and found["counts"]["confirm"] >= 3
    words = " | ".join(c["problem"] for c in found["checks"])
    for expected in (
        "typed in thousands?",
        "Population must be a number of persons, got the text 'many'",
        "Full since 2005 is before WeGO was founded",
        "is an Associate with a Full-since year (2015)",
        "Full since 2031 is in the future",
        "more than any city",
        "is before Associate since 2015",
        "KOR 2014: GDP (PPP) per capita 120.000 USD is outside",
    ):
        assert expected in words, expected
    refreshed = cli("refresh", roster_copy, "--fee-year", 2016)
    assert refreshed.returncode == 1
    sheet = list(openpyxl.load_workbook(roster_copy)["Checks"].iter_rows(min_row=2, values_only=True))
    assert [list(row) for row in sheet] == [list(c.values()) for c in found["checks"]]
    assert not any("table:" in str(row[4]) for row in sheet)  # the fee table's steps: once, in check


def test_shipped_roster_check_and_refresh_say_the_same(tmp_path):
    checked = json.loads(cli("check", "--fee-year", 2016, "--json").stdout)
    out = cli("refresh", "--fee-year", 2016, "--out", tmp_path / "r.xlsx", "--json")
    refreshed = json.loads(out.stdout)
    assert refreshed["checks"] == len(checked["checks"]) and checked["counts"]["error"] == refreshed["errors"] == 0
    assert checked["counts"]["missing"] == sum(1 for c in checked["checks"] if c["severity"] == "missing") > 0
    assert len(checked["fee_table_notes"]) == 10


def test_a_fee_more_than_one_band_from_last_year_needs_confirming(ulaanbaatar):
    edit_roster(ulaanbaatar, {}, [mongolia(2_500.0) | {"Year": 2015}])  # 11,946 in 2014, 2,500 in 2015
    out = json.loads(cli("check", "--roster", ulaanbaatar, "--fee-year", 2017, "--json").stdout)
    jumps = [c for c in out["checks"] if "more than one band" in c["problem"]]
    assert len(jumps) == 1 and jumps[0]["severity"] == "confirm" and "Ulaanbaatar" in jumps[0]["problem"]


# -- the functions never raise --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [10**400, fractions.Fraction(10**400, 3), {"a": 1}, {1, 2}, np.array([1, 2]), bytearray(b"x"), [[10**400]]],
)
def test_values_no_host_sends_give_an_error_value_not_an_exception(value):
    for name in sorted(n for n in dir(udfs) if n.startswith("WEGO_")):
        fn = getattr(udfs, name)
        n = fn.__code__.co_argcount
        result = fn(*([value] + [2016] * (n - 1))) if n else fn()
        text = json.dumps(result, default=str)
        assert "Traceback" not in text
        assert all(len(str(leaf)) <= 255 for leaf in leaves(result))


def test_an_error_text_is_cut_to_255_characters():
    result = udfs.WEGO_STATUS("Seol" + "x" * 5_000)
    assert result.startswith("#N/A: ") and len(result) <= 255


def test_a_misspelling_is_remembered_like_a_name(priced_roster):
    from wego_xl.excel import worksheet

    calls = []
    real = worksheet._member

    def counting(city):
        calls.append(city)
        return real(city)

    worksheet._member, saved = counting, worksheet._member
    try:
        column = [["Seol"]] * 1000
        assert udfs.WEGO_STATUS(column)[999][0].startswith("#N/A")
        assert udfs.WEGO_STATUS(column)[0][0].startswith("#N/A")
    finally:
        worksheet._member = saved
    assert calls == ["Seol"]  # matched once, remembered for 1,999 more cells


# -- the command line in any locale and output --------------------------------------------------------


def test_a_korean_name_in_a_c_locale():
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    env.pop("PYTHONUTF8", None)
    out = subprocess.run([*CLI, "status", "서울"], capture_output=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    assert "Seoul (서울)" in out.stdout.decode("utf-8")


@pytest.mark.parametrize("args", [("roster",), ("check", "--fee-year", "2016"), ("status", "Seoul", "--json")])
def test_output_to_a_closed_pipe_or_a_full_disk_is_one_line(args):
    with open("/dev/full", "w") as full:
        out = subprocess.run([*CLI, *args], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert out.returncode == 2 and out.stderr == (
        "wego-xl: could not write the output (No space left on device); nothing more was written\n"
    )
    piped = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    piped.stdout.close()
    err = piped.stderr.read()
    assert (
        piped.wait(60) == 2
        and err == "wego-xl: could not write the output (the reader closed the pipe); nothing more was written\n"
    )


# -- a population older than the Settings' age limit; check and refresh count the same -------------------


def _settings_value(path: Path, name: str, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Settings"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == name:
            ws.cell(r, 2).value = value
            break
    else:
        ws.append([name, value])
    wb.save(path)


@pytest.mark.parametrize(("year", "limit", "flagged"), [(1987, None, True), (2005, None, True), (2006, None, False),
                                                      (2010, "5", True), (2011, "5", False), (2013, 2, True)])  # fmt: skip
def test_a_population_older_than_the_settings_age_is_a_check_naming_its_year(ulaanbaatar, year, limit, flagged):
    """Fee year 2016: a population of 1987 was used without a word, and the check named only the
    Yearbook ("UNSD DYB 1987"); it is a check row naming the population's own year."""
    edit_roster(ulaanbaatar, {"Ulaanbaatar": {"Population year": year, "Population source": "UNSD DYB 2014, city proper, census"}})  # fmt: skip
    if limit is not None:
        _settings_value(ulaanbaatar, "Population age limit (years)", limit)
    checked = json.loads(cli("check", "--roster", ulaanbaatar, "--fee-year", 2016, "--json").stdout)
    old = [c for c in checked["checks"] if c["column"] == "Population year" and "Ulaanbaatar" in c["problem"]]
    assert bool(old) is flagged
    if flagged:
        [row] = old
        assert (
            row["severity"] == "confirm" and f"is of {year}, {2016 - year} years before fee year 2016" in row["problem"]
        )
    unconfirmed = [c for c in checked["checks"] if "Ulaanbaatar: population" in c["problem"] and "not confirmed" in c["problem"]]  # fmt: skip
    assert [f"of {year} (UNSD DYB 2014" in c["problem"] for c in unconfirmed] == [True]


@pytest.mark.parametrize("limit", ["inf", "nan", "ten", "0", "2.5", "-3"])
def test_an_age_limit_that_is_not_a_number_of_years_is_an_error_not_a_traceback(ulaanbaatar, limit):
    _settings_value(ulaanbaatar, "Population age limit (years)", limit)
    checked = cli("check", "--roster", ulaanbaatar, "--fee-year", 2016, "--json")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    [error] = [c for c in json.loads(checked.stdout)["checks"] if c["sheet"] == "Settings"]
    assert "Population age limit (years)" in error["problem"] and repr(limit) in error["problem"]


def test_the_shipped_settings_have_the_population_age_limit():
    assert read_roster().settings["Population age limit (years)"].value == "10"


def test_check_and_refresh_count_the_same_with_invoices_that_differ(billed):
    """After invoicing, an invoice that today's data would not give is a check row: refresh
    said "5 to confirm" where check listed 3; both count it, from one list."""
    roster = billed / "wego_roster.xlsx"
    edit_roster(roster, {"Seoul": {"Population": 100_000}, "Ulaanbaatar": {"Population": 50_000}})
    checked = cli("check", "--roster", roster, "--fee-year", 2017, "--json")
    found = json.loads(checked.stdout)
    assert sum("today's data gives" in c["problem"] for c in found["checks"]) >= 2
    refreshed = cli("refresh", roster, "--fee-year", 2017, "--json")
    assert json.loads(refreshed.stdout)["counts"] == found["counts"]
    text = cli("refresh", roster, "--fee-year", 2017)
    said = cli("check", "--roster", roster, "--fee-year", 2017).stdout
    assert f"{found['counts']['confirm']} to confirm" in text.stdout
    assert f"{found['counts']['confirm']} confirm" in said
    sheet = list(openpyxl.load_workbook(roster)["Checks"].iter_rows(min_row=2, values_only=True))
    assert [list(row) for row in sheet] == [list(c.values()) for c in found["checks"]]
