"""UN city populations: the real UNSD table and hostile variants, matching without guessing,
figures the finance team entered never replaced, and confirmation as data."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

import udfs
from wego_xl.app.populations import import_population, match_members
from wego_xl.app.report import build_report
from wego_xl.errors import WeoFormatError
from wego_xl.store.roster import read_roster
from wego_xl.store.unsd import parse_unsd

from ..conftest import SHARED_DATA, edit_roster, files_in, run_cli

UNSD_FILE = SHARED_DATA / "unsd" / "unsd-citypopulation-year-both.csv"
needs_real_data = pytest.mark.skipif(not UNSD_FILE.exists(), reason="../shared/data/unsd is not here")
HEADER = (
    '"Country or Area","Year","Area","Sex","City","City type","Record Type","Reliability","Source Year",'
    '"Value","Value Footnotes"\n'
)


def unsd(path: Path, rows: list[str], footnotes: bool = True) -> Path:
    text = HEADER + "".join(r + "\n" for r in rows)
    if footnotes:
        text += '"footnoteSeqID","Footnote"\n1,"Data refer to the city proper.",,,,,,,,,\n'
    path.write_text(text, encoding="utf-8")
    return path


def row(
    country: str, year: int, city: str, value: str, kind: str = "City proper", record: str = "Estimate - de jure"
) -> str:
    return (
        f'"{country}",{year},"Total","Both Sexes","{city}","{kind}","{record}","Final figure, complete",{year},{value},'
    )


@pytest.fixture
def blank_roster(roster_copy) -> Path:
    """The shipped roster with every population cleared."""
    roster = read_roster(roster_copy)
    edit_roster(
        roster_copy,
        {m.member_id: {"Population": None, "Population year": None, "Population source": None} for m in roster.members},
    )
    return roster_copy


@needs_real_data
def test_the_real_unsd_table(blank_roster):
    figures = parse_unsd(UNSD_FILE)
    assert len(figures) == 17_059  # the 163 footnote rows after the data are not figures
    result = import_population(blank_roster, figures)
    roster = read_roster(blank_roster)
    seoul, ulaanbaatar = roster.find("Seoul"), roster.find("Ulaanbaatar")
    assert (seoul.population, seoul.population_year, seoul.population_source) == (
        10_007_651,
        2014,
        "UNSD DYB 2014, city proper, estimate",
    )
    assert (ulaanbaatar.population, ulaanbaatar.population_year) == (1_345_086, 2013)
    assert seoul.population_imported and not seoul.population_confirmed_by
    assert len(result.written) == 59
    sao_paulo = roster.find("Sao Paulo").member_id
    assert "under a tenth of its urban agglomeration (11,152,968)" in result.refused[sao_paulo]
    assert roster.find("Sao Paulo").population is None
    assert "Saga City, not Saga Prefecture" in result.unmatched[roster.find("Saga Prefecture").member_id]
    assert result.unmatched[roster.find("Khartoum State").member_id] == "Sudan is not in the table"
    assert "Hong Kong" in [m.name_en for m in roster.members if m.member_id in result.written]  # a reviewed spelling


@needs_real_data
def test_the_shipped_roster_is_what_the_import_gives(blank_roster):
    """The shipped populations are the import's, figure for figure."""
    import_population(blank_roster, parse_unsd(UNSD_FILE))
    imported = {
        m.member_id: (m.population, m.population_year, m.population_source) for m in read_roster(blank_roster).members
    }
    shipped = {m.member_id: (m.population, m.population_year, m.population_source) for m in read_roster().members}
    assert imported == shipped


def test_hostile_variants(blank_roster, tmp_path):
    path = unsd(
        tmp_path / "hostile.csv",
        [
            row("Republic of Korea", 2014, "SEOUL", "10007651"),
            row("Mongolia", 2013, "ULAANBAATAR", "1345086.5"),  # fractional: rounded, and said so
            row("Nepal", 2011, "KATHMANDU", "1003285"),
            row("Nepal", 2011, "KATHMANDU", "1100000"),  # the same city and year twice
            row("Atlantis", 2011, "KATHMANDU", "5"),  # an unknown country: never Nepal's
            row("India", 2011, "Seoul", "200000"),  # a city of the same name in another country
            row("Indonesia", 2010, "JAKARTA", "5000"),  # absurd for a capital city
        ],
    )
    figures = parse_unsd(path)
    assert len(figures) == 7 and [f.iso3 for f in figures if f.country == "Atlantis"] == [None]
    result = import_population(blank_roster, figures)
    roster = read_roster(blank_roster)
    assert roster.find("Seoul").population == 10_007_651  # Korea's SEOUL, not India's
    ulaanbaatar = roster.find("Ulaanbaatar")
    assert ulaanbaatar.population == 1_345_087 and "rounded from 1,345,086.5" in ulaanbaatar.population_source
    assert "twice with different values" in result.refused[roster.find("Kathmandu").member_id]
    assert "is not a city's population" in result.refused[roster.find("Jakarta").member_id]
    assert roster.find("Kathmandu").population is None and roster.find("Jakarta").population is None


@pytest.mark.parametrize(
    ("bad", "column", "value"),
    [
        (row("Nepal", 2015, "KATHMANDU", "1003285").replace(",2015,", ',"circa 2015",', 1), "Year", "circa 2015"),
        (row("Nepal", 2015, "KATHMANDU", "1003285").replace(",2015,", ",2015-16,", 1), "Year", "2015-16"),
        (row("Nepal", 2015, "KATHMANDU", "1003285").replace(",2015,", ",,", 1), "Year", ""),
        (
            row("Nepal", 2015, "KATHMANDU", "1003285").replace(",2015,1003285", ",circa 2015,1003285"),
            "Source Year",
            "circa 2015",
        ),
        (row("Nepal", 2015, "KATHMANDU", "nan"), "Value", "nan"),
        (row("Nepal", 2015, "KATHMANDU", "inf"), "Value", "inf"),
        (row("Nepal", 2015, "KATHMANDU", "-1e309"), "Value", "-1e309"),
        (row("Nepal", 2015, "KATHMANDU", '"1,003,285"'), "Value", "1,003,285"),
        (row("Nepal", 2015, "KATHMANDU", ""), "Value", ""),
        (row("Nepal", 2015, "KATHMANDU", "1003285")[:-1], "Value Footnotes", "missing"),  # lacks its last column
        (row("Nepal", 2015, "KATHMANDU", "1003285") + ",x", "after 'Value Footnotes'", "x"),
        (row("Nepal", 2015, "KATHMANDU", "1003285").rsplit(",", 3)[0], "Source Year", "missing"),
    ],
)
def test_a_row_is_read_for_sure_or_refused_in_one_line(tmp_path, bad, column, value):
    """Once a row of 2015 read as "circa 2015" or lacking its last column was skipped without a
    word, and an older figure imported; "nan" raised a traceback."""
    path = unsd(tmp_path / "bad.csv", [row("Nepal", 2011, "KATHMANDU", "975453"), bad])
    with pytest.raises(WeoFormatError) as refused:
        parse_unsd(path)
    message = str(refused.value)
    where = column if column.startswith("after") else repr(column)
    assert message.startswith(f"bad.csv, line 3, column {where}: ") and "\n" not in message
    assert repr(value) in message or (value == "missing" and "missing" in message)


def test_a_year_a_spreadsheet_wrote_as_2015_0_is_2015(tmp_path):
    text = row("Nepal", 2015, "KATHMANDU", "1003285").replace(",2015,", ",2015.0,")
    [_older, figure] = parse_unsd(unsd(tmp_path / "y.csv", [row("Nepal", 2011, "KATHMANDU", "975453"), text]))
    assert (figure.year, figure.source_year, figure.persons) == (2015, 2015, 1_003_285)


def test_footnotes_without_their_header_are_footnotes_and_a_data_row_after_them_is_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(HEADER + row("Nepal", 2011, "KATHMANDU", "975453") + '\n1,"A note.",,,,,,,,,\n', encoding="utf-8")
    assert [f.persons for f in parse_unsd(path)] == [975_453]
    path.write_text(path.read_text(encoding="utf-8") + row("Nepal", 2015, "KATHMANDU", "1003285") + "\n")
    with pytest.raises(WeoFormatError, match=r"f.csv, line 4, column 'Country or Area': 'Nepal' is neither a footnote"):
        parse_unsd(path)


def test_figures_the_finance_team_entered_or_confirmed_are_never_replaced(blank_roster, tmp_path):
    edit_roster(
        blank_roster,
        {
            "Seoul": {"Population": 9_500_000, "Population year": 2016, "Population source": "Seoul Statistics"},
            "Ulaanbaatar": {
                "Population": 1_300_000,
                "Population source": "UNSD DYB 2013, city proper, estimate",
                "Population confirmed by": "Kim",
            },
            "Jakarta": {"Population": 9_000_000, "Population source": "UNSD DYB 2012, city proper, census"},
        },
    )
    path = unsd(
        tmp_path / "u.csv",
        [
            row("Republic of Korea", 2014, "SEOUL", "10007651"),
            row("Mongolia", 2013, "ULAANBAATAR", "1345086"),
            row("Indonesia", 2014, "JAKARTA", "19000000"),  # far from the previous import
        ],
    )
    result = import_population(blank_roster, parse_unsd(path))
    roster = read_roster(blank_roster)
    assert roster.find("Seoul").population == 9_500_000 and "entered by the finance team" in result.kept["W001"]
    assert roster.find("Ulaanbaatar").population == 1_300_000 and result.kept["W002"] == "confirmed by Kim"
    assert "is far from the roster's 9,000,000" in result.refused["W004"]
    assert not result.written


def test_import_population_command_and_its_dry_run(blank_roster, tmp_path):
    path = unsd(tmp_path / "u.csv", [row("Republic of Korea", 2014, "SEOUL", "10007651")])
    before = blank_roster.read_bytes()
    dry = run_cli("import-population", path, "--roster", blank_roster, "--dry-run")
    assert dry.returncode == 0 and "1 population(s) would be written (dry run)" in dry.stdout, dry.stderr
    assert blank_roster.read_bytes() == before
    out = run_cli("import-population", path, "--roster", blank_roster, "--json")
    done = json.loads(out.stdout)
    assert done["written"]["Seoul"] == {
        "population": 10_007_651,
        "year": 2014,
        "source": "UNSD DYB 2014, city proper, estimate",
    }
    assert "Kathmandu" in done["unmatched"] and done["saved"] is True


def test_confirmation_is_data_and_clears_the_check(roster_copy, monkeypatch):
    before = [c for c in build_report(read_roster(roster_copy), 2016).findings if c.severity == "confirm"]
    assert any("Seoul: population 10,007,651" in c.problem for c in before)
    assert any("GDP figures of IMF WEO April 2015 are not confirmed" in c.problem for c in before)
    out = run_cli("confirm", "Seoul", "--population", "--by", "Kim Minji", "--roster", roster_copy)
    assert out.returncode == 0 and "confirmed by Kim Minji" in out.stdout, out.stderr
    out = run_cli("confirm", "--gdp-edition", "April 2015", "--by", "Kim Minji", "--roster", roster_copy)
    assert out.returncode == 0 and "GDP figure(s) of April 2015 confirmed" in out.stdout, out.stderr
    roster = read_roster(roster_copy)
    seoul = roster.find("Seoul")
    assert seoul.population_confirmed_by == "Kim Minji" and seoul.population_confirmed_on is not None
    assert all(f.confirmed.startswith("Kim Minji, ") for f in roster.gdp if f.edition == "April 2015")
    after = [c for c in build_report(roster, 2016).findings if c.severity == "confirm"]
    assert not any("Seoul:" in c.problem or "GDP figures" in c.problem for c in after)
    assert len(after) == len(before) - 2
    monkeypatch.setenv("WEGO_ROSTER", str(roster_copy))
    assert "confirmed by Kim Minji" in udfs.WEGO_EXPLAIN("Seoul", 2016)
    bad = run_cli("confirm", "Seoul", "--by", "Kim", "--roster", roster_copy, timeout=60)
    assert bad.returncode == 2 and "say what to confirm" in bad.stderr


def test_the_main_job_shows_fees_their_sources_and_next_steps(tmp_path):
    out = run_cli("refresh", "--fee-year", "2016", "--out", tmp_path / "r.xlsx")
    assert out.returncode == 0, out.stderr
    assert "970,000 persons and 35,379 USD give 7,000 USD" in out.stdout
    assert "Next:" in out.stdout and "import-weo" in out.stdout and "wego-xl confirm" in out.stdout
    report = build_report(read_roster(), 2016)
    for a in report.assessments:
        has_both = a.member.population is not None and a.gdp is not None
        if a.due.owed and has_both and not a.missing:
            assert a.fee is not None
            assert "UNSD DYB" in a.explain() and "IMF WEO April 2015" in a.explain()
    assert sum(1 for a in report.assessments if a.due.owed and a.fee is not None) > 50
    assert files_in(tmp_path) == ["r.xlsx"]
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["Fees 2016"]
    assert sheet.max_row == 101


def test_match_members_is_pure(blank_roster):
    roster = read_roster(blank_roster)
    assert match_members(roster.members, [], {}).written == {}
