"""Korean and English: one catalogue per language, every message in both, and the reports,
checks and explanations written in the language asked for (``--lang``, the About sheet's
Language cell, ``WEGO_EXPLAIN``'s third argument)."""

from __future__ import annotations

import ast
import re
import string
import unicodedata

import openpyxl
import pytest

import udfs
from tests.conftest import PACKAGE_SOURCES, edit_roster, run_cli
from wego_xl.app.report import CHECKS_COLUMNS, FEES_COLUMNS, build_report
from wego_xl.messages import LANGUAGES, Phrase, catalogue, read_language, say
from wego_xl.store.roster import ABOUT_SHEET, read_roster

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_is_in_both_languages_with_the_same_fields():
    english, korean = catalogue("en"), catalogue("ko")
    assert set(english) == set(korean), sorted(set(english) ^ set(korean))
    for key in english:
        assert english[key].strip() and korean[key].strip(), key
        assert _fields(english[key]) == _fields(korean[key]), key


def test_the_korean_catalogue_is_korean():
    """Every Korean sentence (not names such as "IMF WEO {edition}") holds Hangul, and none is
    the English text left untranslated."""
    english, korean = catalogue("en"), catalogue("ko")
    same = [k for k in english if english[k] == korean[k]]
    assert same == ["gdp.edition", "missing.in_edition"], same
    untranslated = [k for k, text in korean.items() if not HANGUL.search(text) and k not in same]
    assert untranslated == [], untranslated


def _keys_in_code() -> set[str]:
    """Every message key the code names as a literal: Phrase.of("..."), say("...")."""
    keys = set()
    for path in PACKAGE_SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("of", "say") and isinstance(node.args[0].value, str) and "." in node.args[0].value:
                    keys.add(node.args[0].value)
    return keys


def test_every_key_the_code_names_is_in_the_catalogues():
    named = _keys_in_code()
    assert len(named) > 60  # the scan found the code's messages
    missing = named - set(catalogue("en"))
    assert not missing, sorted(missing)
    for key in FEES_COLUMNS + CHECKS_COLUMNS:
        assert f"header.{key}" in catalogue("en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_can_be_written(language):
    """Each message filled with a number for every field (numeric formats need one)."""
    for key, text in catalogue(language).items():
        assert say(key, language, **dict.fromkeys(_fields(text), 1234)), key


def test_a_language_is_read_the_way_people_type_it():
    assert [read_language(v) for v in ("ko", " KO ", "Korean", "한국어", "en", "English", None, "")] == [
        "ko", "ko", "ko", "ko", "en", "en", "en", "en",
    ]  # fmt: skip
    with pytest.raises(Exception, match='language must be "en"'):
        read_language("fr")
    assert Phrase.of("due.full_owed", since=2010, first=2011).text("ko") == "2010년부터 정회원. 회비는 2011년부터 발생"
    assert str(Phrase.verbatim("as it is")) == "as it is"


def test_explain_in_korean_and_english(priced_roster):
    ko = udfs.WEGO_EXPLAIN("Seoul", 2016, "ko")
    en = udfs.WEGO_EXPLAIN("Seoul", 2016)
    assert ko.startswith("서울, 2016년도: 7,000 USD. 인구 970,000명 (600~999 천 명;")
    assert "1인당 GDP(PPP) 2014년 35,379.000 USD" in ko and "2010년부터 정회원" in ko
    assert en.startswith("Seoul, fee year 2016: 7,000 USD. Population 970,000 (600~999 thousand;")
    assert udfs.WEGO_EXPLAIN("Sejong", 2016, "한국어").startswith("세종, 2016년도: 회비 없음 (준회원은")
    blocked = udfs.WEGO_EXPLAIN("Ulaanbaatar", 2016, "ko")
    assert "아직 회비를 계산할 수 없음" in blocked or "회비" in blocked
    assert udfs.WEGO_EXPLAIN([["Seoul"], ["Sejong"]], 2016, "ko")[1][0].startswith("세종")
    assert udfs.WEGO_EXPLAIN("Seoul", 2016, "fr").startswith("#VALUE!: language must be")


def _sheet_rows(path, name):
    wb = openpyxl.load_workbook(path, read_only=True)
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def test_refresh_in_korean_keeps_the_sheet_names(roster_copy, tmp_path):
    edit_roster(roster_copy, {"Seoul": {"Population": "97O000"}})  # an unreadable cell: a Korean check row
    out = tmp_path / "ko.xlsx"
    done = run_cli("refresh", roster_copy, "--fee-year", "2016", "--lang", "ko", "--out", out)
    assert done.returncode == 1, done.stderr  # the check error
    wb = openpyxl.load_workbook(out)
    assert {"Summary", "Fees 2016", "Checks"} <= set(wb.sheetnames)  # formulas referring to them keep working
    fees = _sheet_rows(out, "Fees 2016")
    assert fees[0][:6] == ["회원 ID", "영문 명칭", "한글 명칭", "회원 유형", "회비 대상", "회비액 (USD)"]
    seoul = next(r for r in fees if r[1] == "Seoul")
    assert (seoul[2], seoul[3], seoul[4]) == ("서울", "정회원", "예")  # both names, status in Korean
    checks = _sheet_rows(out, "Checks")
    assert checks[0] == ["구분", "시트", "행", "열", "문제", "조치"]
    assert any(r[0] == "오류" and r[3] == "Population" and r[4].startswith("셀을 사용할 수 없음: ") for r in checks[1:])
    assert any(r[0] == "확인" and "확인되지 않음" in str(r[4]) for r in checks[1:])
    summary = _sheet_rows(out, "Summary")
    assert summary[0][0].startswith("WeGO 회비, 2016년도") and any(r[0] == "전체 회원" for r in summary)
    assert any(r[0] == "전체 도시" for r in summary) and any(r[0] == "아시아" for r in summary)
    assert not any(r[0] in ("All cities", "All members", "Asia") for r in summary)
    ws = wb["Fees 2016"]
    assert "2016년도 회비" in ws.oddHeader.center.text and "쪽" in ws.oddFooter.right.text


def test_the_about_sheet_language_cell_chooses_the_language(roster_copy, tmp_path):
    wb = openpyxl.load_workbook(roster_copy)
    assert str(wb[ABOUT_SHEET]["A1"].value).startswith("Language") and wb[ABOUT_SHEET]["B1"].value == "en"
    wb[ABOUT_SHEET]["B1"] = "한국어"
    wb.save(roster_copy)
    roster = read_roster(roster_copy)
    assert roster.language == "ko"
    report = build_report(roster, 2016)
    assert report.sheet("Fees 2016").blocks[0].headers[0] == "회원 ID"
    out = tmp_path / "about.xlsx"
    assert run_cli("refresh", roster_copy, "--fee-year", "2016", "--out", out).returncode == 0
    assert _sheet_rows(out, "Checks")[0][0] == "구분"
    english = tmp_path / "en.xlsx"  # --lang overrides the cell
    assert run_cli("refresh", roster_copy, "--fee-year", "2016", "--lang", "en", "--out", english).returncode == 0
    assert _sheet_rows(english, "Checks")[0][0] == "Severity"
    wb[ABOUT_SHEET]["B1"] = "fr"
    wb.save(roster_copy)
    problem = read_roster(roster_copy).problems[-1]
    assert (problem.sheet, problem.row, problem.column, problem.value) == (ABOUT_SHEET, 1, "B", "fr")


def test_check_speaks_korean(roster_copy):
    out = run_cli("check", "--roster", roster_copy, "--fee-year", "2016", "--lang", "ko")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any(line.startswith("확인: 시트 'Members', ") and "확인되지 않음" in line for line in lines)
    assert all(unicodedata.is_normalized("NFC", line) for line in lines)


def test_the_statement_command_speaks_korean(tmp_path):
    import os

    env = {**os.environ, "WEGO_ROSTER": str(tmp_path / "wego_roster.xlsx")}
    assert run_cli("init", tmp_path, env=env).returncode == 0
    assert run_cli("ledger", "init", env=env).returncode == 0
    assert run_cli("invoice", "--fee-year", 2017, "--issue-date", "2017-01-16", "--accept-unconfirmed",
                   env=env).stdout  # fmt: skip
    assert run_cli("pay", "서울", "4000", "--date", "2017-02-20", env=env).returncode == 0
    lines = run_cli("statement", "서울", "--as-of", "2017-06-30", "--lang", "ko", env=env).stdout.splitlines()
    assert lines[0] == "회비 계정 명세서: 서울 (Seoul) [W001], 2017-01-01부터 2017-06-30까지"
    assert lines[2].split()[1:] == ["청구서", "WEGO-2017-001", "(2017년도,", "납부", "기한", "2017-03-17)", "10,000.00"]
    assert lines[-1].split() == ["2017-06-30", "기말", "잔액", "(USD)", "6,000.00"]
    widths = {len(line) + sum(1 for ch in line if "\uac00" <= ch <= "\ud7a3") for line in lines[1:]}
    assert len(widths) == 1  # the amounts line up on a terminal, Hangul counted twice
