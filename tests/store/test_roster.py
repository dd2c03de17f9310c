"""The shipped roster workbook: counts, every spelling, caching, and damaged copies."""

from __future__ import annotations

import os
import time
import unicodedata

import openpyxl
import pytest

from wego_xl.app.summary import roster_summary
from wego_xl.errors import MemberNotFoundError, RosterError
from wego_xl.rules.membership import MembershipType
from wego_xl.store.roster import load_roster, read_roster
from workbooks.build_roster import member_headers

from ..conftest import SHIPPED, edit_roster


@pytest.fixture(scope="module")
def roster():
    return read_roster(SHIPPED)


def test_summary_reconciles_with_the_2016_totals(roster):
    by_region, by_type = roster_summary(roster)
    counts = {r.label: (r.capitals, r.non_capitals, r.total) for r in by_region}
    assert counts["All cities"] == (32, 65, 97)
    assert {k: v[2] for k, v in counts.items() if k != "All cities"} == {
        "Asia": 44,
        "Oceania": 1,
        "Americas": 7,
        "Europe": 17,
        "Middle East": 4,
        "Africa": 24,
    }
    assert {r.label: r.total for r in by_type} == {"Full": 90, "Associate": 7, "Friendship": 3, "All members": 100}
    assert all(r.reconciles for r in by_region + by_type)


def test_the_seven_associates(roster):
    associates = {m.name_en for m in roster.select(membership=MembershipType.ASSOCIATE)}
    assert associates == {
        "Bharatpur Sub-Metropolitan City",
        "Cauayan City",
        "Baguio City",
        "Muğla",
        "Kigali",
        "Yakutsk",
        "Sejong",
    }


@pytest.mark.parametrize(
    "spelling,english",
    [
        ("남 다카", "Dhaka South"),
        ("무글 라", "Muğla"),
        ("무글라", "Muğla"),
        ("바라트퍼 서브메트로폴리탄", "Bharatpur Sub-Metropolitan City"),
        ("바라트퍼· 서브메트로폴리탄", "Bharatpur Sub-Metropolitan City"),
        ("세종", "Sejong"),
        ("세종시", "Sejong"),
        ("코야얀", "Cauayan City"),
        ("바기오", "Baguio City"),
        ("김포", "Gimpo"),
        ("페메린타 카부타텐 세랑", "Serang Regency"),
        ("국가정보기술발전원", "National Information Technology Development Agency"),
        ("SEOUL", "Seoul"),
        ("  seoul ", "Seoul"),
        ("Mugla", "Muğla"),
        ("sao paulo", "São Paulo"),
        ("NITDA", "National Information Technology Development Agency"),
        ("Hong Kong SAR", "Hong Kong"),
    ],
)
def test_source_spellings_and_aliases_resolve(roster, spelling, english):
    assert roster.find(spelling).name_en == english


def test_every_name_and_alias_resolves_to_its_member(roster):
    for member in roster.members:
        for name in member.names():
            assert roster.find(name) is member
            assert roster.find(name.upper()) is member


def test_decomposed_hangul_from_macos_excel_resolves(roster):
    for name in ("서울", "남 다카", "세종시", "바라트퍼 서브메트로폴리탄"):
        nfd = unicodedata.normalize("NFD", name)
        assert nfd != name
        assert roster.find(nfd) is roster.find(name)


@pytest.mark.parametrize(
    "typo,suggestion", [("Seol", "Seoul"), ("Barcelonna", "Barcelona"), ("Frankfort", "Frankfurt")]
)
def test_a_typo_gets_a_suggestion(roster, typo, suggestion):
    with pytest.raises(MemberNotFoundError) as info:
        roster.find(typo)
    assert info.value.suggestions[0] == suggestion
    assert f"did you mean {suggestion}" in str(info.value)


def test_serang_is_recorded_in_indonesia_with_a_note(roster):
    serang = roster.find("Serang Regency")
    assert serang.country_iso3 == "IDN" and "Philippines" in serang.notes


def test_source_capital_classification_is_kept(roster):
    for name in ("Abu Dhabi", "Kigali", "Sri Jayawardenepura Kotte"):
        assert roster.find(name).capital is False


def test_unconfirmed_english_names_are_marked(roster):
    for name in ("웨이칸", "엘카위", "케프리"):
        member = roster.find(name)
        assert not member.english_confirmed and member.notes


def test_populations_are_sourced_unconfirmed_or_blank(roster):
    """The shipped populations come from the UNSD table, cited and unconfirmed; a member the
    table does not cover has a blank, never a guess."""
    seoul, ulaanbaatar = roster.find("Seoul"), roster.find("Ulaanbaatar")
    assert (seoul.population, seoul.population_year) == (10_007_651, 2014)
    assert seoul.population_source == "UNSD DYB 2014, city proper, estimate" and seoul.population_imported
    assert (ulaanbaatar.population, ulaanbaatar.population_year) == (1_345_086, 2013)
    for m in roster.members:
        assert m.population is None or (m.population_source.startswith("UNSD DYB") and m.population_year)
        assert not m.population_confirmed_by
    assert roster.find("Sao Paulo").population is None  # 105,269 in the table: refused
    assert roster.find("Saga Prefecture").population is None  # the table's Saga is the city
    assert sum(m.population is not None for m in roster.members) == 59


def test_workbook_is_built_for_finance_users():
    wb = openpyxl.load_workbook(SHIPPED)
    ws = wb["Members"]
    assert ws.freeze_panes == "A2"
    assert "Members" in ws.tables
    validated = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert any("Full,Associate,Friendship" in (f or "") for f in validated.values())
    assert any("Asia" in (f or "") for f in validated.values())
    assert [c.value for c in ws[1]] == member_headers()
    assert set(wb.sheetnames) == {
        "Members",
        "GDP",
        "Fee schedule",
        "Source names",
        "History",
        "Settings",
        "Chart of accounts",
        "About",
    }


# -- caching and the roster path ------------------------------------------------------------


def test_repeated_loads_use_the_cache(roster_copy):
    first = load_roster(roster_copy)
    assert load_roster(roster_copy) is first


def test_a_changed_file_is_reread(roster_copy):
    first = load_roster(roster_copy)
    edit_roster(roster_copy, {"Seoul": {"Population": 9_500_000}})
    stamp = time.time() + 5
    os.utime(roster_copy, (stamp, stamp))
    second = load_roster(roster_copy)
    assert second is not first and second.find("Seoul").population == 9_500_000


def test_roster_path_from_the_environment(roster_copy, monkeypatch):
    monkeypatch.setenv("WEGO_ROSTER", str(roster_copy))
    assert load_roster().path == roster_copy


# -- damaged copies -------------------------------------------------------------------------


def _edit(path, fn):
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)


def test_missing_column_is_named(roster_copy):
    _edit(roster_copy, lambda wb: wb["Members"].cell(1, 9, "Member type"))
    with pytest.raises(RosterError) as info:
        read_roster(roster_copy)
    assert info.value.sheet == "Members" and "'Membership' is missing" in str(info.value)


def test_missing_sheet_is_named(roster_copy):
    _edit(roster_copy, lambda wb: wb.remove(wb["GDP"]))
    with pytest.raises(RosterError, match="sheet 'GDP' is missing"):
        read_roster(roster_copy)


def test_duplicate_name_names_both_rows(roster_copy):
    _edit(roster_copy, lambda wb: wb["Members"].cell(3, 3, "seoul"))
    with pytest.raises(RosterError) as info:
        read_roster(roster_copy)
    err = info.value
    assert (err.sheet, err.row, err.column, err.value) == ("Members", 3, "English name", "seoul")
    assert "row 2" in str(err)


def test_duplicate_id_is_rejected(roster_copy):
    _edit(roster_copy, lambda wb: wb["Members"].cell(5, 1, "W001"))
    with pytest.raises(RosterError, match="duplicate member id"):
        read_roster(roster_copy)


def test_text_in_a_population_cell_is_a_problem_of_that_member(roster_copy):
    _edit(roster_copy, lambda wb: wb["Members"].cell(2, 12, "about 10 million"))
    roster = read_roster(roster_copy)
    [problem] = roster.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "Members",
        2,
        "Population",
        "about 10 million",
    )
    assert "in persons" in str(problem)
    assert roster.find("Seoul").problem_with("Population") is problem
    assert roster.find("Gimpo").problems == ()


def test_xlwings_lite_reads_the_roster_imported_into_data(monkeypatch, tmp_path):
    from wego_xl.store import roster as roster_module
    from wego_xl.store.roster import LITE_ROSTER, SHIPPED_ROSTER, roster_path

    assert __import__("pathlib").Path("/data/wego_roster.xlsx") == LITE_ROSTER
    assert roster_path() == SHIPPED_ROSTER
    monkeypatch.setattr("sys.platform", "emscripten")  # Pyodide, as in xlwings Lite
    imported = tmp_path / "data" / "wego_roster.xlsx"
    monkeypatch.setattr(roster_module, "LITE_ROSTER", imported)
    assert roster_path() == SHIPPED_ROSTER  # nothing imported yet: the packaged roster
    imported.parent.mkdir()
    imported.write_bytes(SHIPPED_ROSTER.read_bytes())
    assert roster_path() == imported
    monkeypatch.setenv("WEGO_ROSTER", "/data/other.xlsx")
    assert str(roster_path()) == "/data/other.xlsx"


def test_suggestions_without_rapidfuzz(monkeypatch, roster):
    monkeypatch.setitem(__import__("sys").modules, "rapidfuzz", None)  # a Python without it
    with pytest.raises(MemberNotFoundError) as info:
        roster.find("Seol")
    assert info.value.suggestions[0] == "Seoul"


def test_shipped_roster_is_what_its_text_sources_build(tmp_path):
    """wego_xl/data/wego_roster.xlsx must be rebuilt (python -m workbooks.build_roster) after
    a change to workbooks/src: the reviewed CSV and the shipped workbook never drift apart."""
    from wego_xl.rules.schedules import DEFAULT_SCHEDULES
    from workbooks.build_roster import SOURCES, build_roster

    rebuilt = build_roster(SOURCES, tmp_path / "rebuilt.xlsx", DEFAULT_SCHEDULES)
    ours, theirs = openpyxl.load_workbook(SHIPPED), openpyxl.load_workbook(rebuilt)
    assert ours.sheetnames == theirs.sheetnames
    for name in ours.sheetnames:
        assert list(ours[name].values) == list(theirs[name].values), name
