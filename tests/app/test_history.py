"""Membership over time: a member walked from applicant to withdrawn across fee years, every
function and command checked before, at and after each change; refused moves; Caracas."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

import udfs
from wego_xl.store.roster import read_roster

from ..conftest import wego


def names(column: list[list[str]]) -> list[str]:
    return [row[0] for row in column]


@pytest.fixture
def roster(roster_copy, monkeypatch) -> Path:
    monkeypatch.setenv("WEGO_ROSTER", str(roster_copy))
    return roster_copy


def test_a_member_from_applicant_to_withdrawn(roster):
    added = wego("member", "add", "--english", "Testville", "--korean", "테스트시", "--country-code", "KOR",
                 "--country", "Korea, Republic of", "--region", "Asia", "--capital", "No",
                 "--effective", "2015-03-01", "--decision", "application received", "--by", "Kim")  # fmt: skip
    assert added.returncode == 0 and "(W101)" in added.stdout, added.stderr
    steps = [
        ("upgrade", "--to", "Associate", "--effective", "2015-06-01", "--decision", "accepted by the Secretariat"),
        ("upgrade", "--to", "Full", "--effective", "2016-09-01", "--decision", "EC 2016-2"),
        ("withdraw", "--effective", "2018-03-31", "--decision", "EC 2018-1"),
    ]
    for step in steps:
        out = wego("member", step[0], "Testville", *step[1:], "--by", "Kim")
        assert out.returncode == 0, out.stderr
    expected = {
        "2015-02-28": "Not a member yet",
        "2015-03-01": "Applicant",
        "2015-05-31": "Applicant",
        "2015-06-01": "Associate",
        "2016-08-31": "Associate",
        "2016-09-01": "Full",
        "2018-03-30": "Full",
        "2018-03-31": "Withdrawn (since 2018-03-31)",
        "2020-01-01": "Withdrawn (since 2018-03-31)",
    }
    for day, status in expected.items():
        assert udfs.WEGO_STATUS("Testville", None, day) == status, day
    assert udfs.WEGO_STATUS("테스트시", "ko", "2016-09-01") == "정회원"
    assert udfs.WEGO_STATUS("Testville") == "Withdrawn (since 2018-03-31)"  # the name still resolves
    # full on 31 December of the year before: owes from 2017; withdrawn during 2018: owes 2018, not 2019
    dues = {year: udfs.WEGO_FEE_DUE("Testville", year) for year in range(2015, 2021)}
    assert dues == {2015: False, 2016: False, 2017: True, 2018: True, 2019: False, 2020: False}
    assert "withdrawn since 2018-03-31" in udfs.WEGO_EXPLAIN("Testville", 2019)
    assert "Testville" in names(udfs.WEGO_MEMBERS("Asia", "Full", "2017-06-30"))
    assert "Testville" not in names(udfs.WEGO_MEMBERS("Asia", "Full", "2019-01-01"))
    assert "Testville" in names(udfs.WEGO_MEMBERS("Asia", "Associate", "2016-01-01"))
    story = wego("status", "Testville", "--history").stdout.split("History:")[1]
    assert (
        story.index("2015-03-01")
        < story.index("2016-09-01  Membership: Associate -> Full  (EC 2016-2")
        < story.index("2018-03-31")
    )
    on = wego("status", "Testville", "--as-of", "2016-12-31").stdout
    assert "Status on 2016-12-31: Full member (정회원)" in on
    members = openpyxl.load_workbook(roster)["Members"]
    header = [c.value for c in members[1]]
    row = [c.value for c in members[members.max_row]]
    assert dict(zip(header, row, strict=False))["Membership"] == "Withdrawn"  # the current state
    # the Summary for another year than the source's: counts on its first day, and the changes since
    assert wego("refresh", roster, "--fee-year", 2019).returncode == 0
    summary = [r for r in openpyxl.load_workbook(roster)["Summary"].iter_rows(values_only=True)]
    assert ("Withdrawn", 1) in [r[:2] for r in summary]
    changes = [r for r in summary if r[1] == "W101"]
    assert [(r[3], r[4], r[5], r[6]) for r in changes] == [
        ("Membership", "Associate", "Full", "EC 2016-2"),
        ("Membership", "Full", "Withdrawn", "EC 2018-1"),
    ]


@pytest.mark.parametrize(
    "steps,words",
    [
        ([("upgrade", "Seoul", "--to", "Associate", "--effective", "2017-01-01")], "needs the decision"),
        ([("upgrade", "Sejong", "--to", "Full", "--effective", "2017-01-01")], "needs the decision"),
        ([("withdraw", "Caracas", "--effective", "2017-03-31", "--decision", "EC 2017-1"),
          ("withdraw", "Caracas", "--effective", "2018-01-01", "--decision", "EC 2018-1")], "already Withdrawn"),
        ([("upgrade", "Sejong", "--to", "Full", "--effective", "2017-05-01", "--decision", "EC 2017-1"),
          ("withdraw", "Sejong", "--effective", "2017-01-01", "--decision", "EC 2017-2")], "before the member's last"),
        ([("upgrade", "Seoul", "--to", "Applicant", "--effective", "2017-01-01", "--decision", "x")], "cannot go from Full"),
    ],
)  # fmt: skip
def test_impossible_moves_are_refused_and_write_nothing(roster, steps, words):
    *first, last = steps
    for step in first:
        assert wego("member", *step).returncode == 0
    before = roster.read_bytes()
    out = wego("member", *last)
    assert out.returncode == 2 and words in out.stderr and out.stderr.count("\n") == 1, out.stderr
    assert roster.read_bytes() == before


def test_caracas_withdraws_and_stays_on_the_roster(roster, tmp_path):
    out = wego("member", "withdraw", "Caracas", "--effective", "2017-03-31", "--decision", "EC 2017-1")
    assert out.returncode == 0, out.stderr
    assert udfs.WEGO_STATUS("Caracas") == "Withdrawn (since 2017-03-31)"
    assert "Withdrawn" in wego("status", "Caracas").stdout  # resolves: no "did you mean Agra?"
    assert udfs.WEGO_FEE_DUE("Caracas", 2017) is True and udfs.WEGO_FEE_DUE("Caracas", 2018) is False
    weo = tmp_path / "ven.csv"
    weo.write_text("country,year,ppppc\nKOR,2016,38000\n", encoding="utf-8")
    assert wego("import-weo", weo, "--roster", roster, "--edition", "October 2016").returncode in (0, 1)
    assert read_roster(roster).gdp_figure("VEN", 2014) is not None  # Venezuela's GDP rows are kept
    # a hand edit that contradicts the history is reported by check
    wb = openpyxl.load_workbook(roster)
    ws = wb["Members"]
    column = [c.value for c in ws[1]].index("Membership") + 1
    caracas = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == "Caracas")
    ws.cell(caracas, column).value = "Full"
    wb.save(roster)
    checked = json.loads(wego("check", "--roster", roster, "--fee-year", 2018, "--json").stdout)
    assert any("the Members sheet says Full, the History sheet" in c["problem"] for c in checked["checks"])


def test_a_typed_withdrawn_status_no_longer_stops_the_roster(roster):
    wb = openpyxl.load_workbook(roster)
    ws = wb["Members"]
    column = [c.value for c in ws[1]].index("Membership") + 1
    ws.cell(48, column).value = "Withdrawn"  # Caracas's row, typed by hand
    wb.save(roster)
    assert wego("check", "--roster", roster).returncode == 0
    assert udfs.WEGO_STATUS("Caracas") == "Withdrawn (since date unknown)"
    assert udfs.WEGO_FEE_DUE("Caracas", 2017) is False


def test_a_renamed_member_answers_to_both_names(roster):
    out = wego("member", "rename", "Suva", "--english", "Suva City", "--effective", "2017-01-01", "--decision", "GA")
    assert out.returncode == 0, out.stderr
    assert udfs.WEGO_REGION([["Suva"], ["Suva City"]]) == [["Oceania"], ["Oceania"]]
    assert "English name: Suva -> Suva City" in wego("status", "Suva", "--history").stdout


def test_the_shipped_history_records_the_2016_source_and_no_invented_date():
    roster = read_roster()
    assert len(roster.history) == 100 and all(c.effective is None for c in roster.history)
    seoul = [c for c in roster.history if c.member_id == "W001"]
    assert "founding General Assembly, Seoul, September 2010" in seoul[0].decision
    assert all("2016 roster" in c.decision for c in roster.history if c.member_id != "W001")


@pytest.mark.parametrize(
    "args,words",
    [
        (("Jakarta", "--english", "Ulaanbaatar"), "already a name or alias of Ulaanbaatar"),
        (("Jakarta", "--english", " ulaan-BAATAR "), "already a name or alias of Ulaanbaatar"),  # same key
        (("Jakarta", "--korean", "서울시"), "already a name or alias of Seoul"),  # another member's alias
        (("Jakarta", "--english", "Jakarta; Bogor"), "holds ';'"),
        (("Jakarta", "--english", "Jak\x07arta"), "control character (U+0007)"),
        (("Jakarta", "--korean", "자카\x1b르타"), "control character (U+001B)"),
        (("Jakarta", "--english", "---"), "no letter or digit"),
        (("Jakarta", "--english", "J" * 121), "at most 120"),
    ],
)
def test_a_rename_that_would_break_the_roster_is_refused_and_writes_nothing(roster, args, words):
    before = roster.read_bytes()
    out = wego("member", "rename", *args, "--effective", "2020-01-01", "--decision", "GA 2020")
    assert out.returncode == 2 and words in out.stderr and out.stderr.count("\n") == 1, out.stderr
    assert "Traceback" not in out.stderr
    assert roster.read_bytes() == before
    assert read_roster(roster).find("Jakarta").member_id  # still readable


def test_a_new_member_with_a_taken_or_broken_name_is_refused(roster):
    from wego_xl.app.changes import add_member
    from wego_xl.errors import InputError
    from wego_xl.rules.membership import MembershipType

    fields = {"Country ISO3": "KOR", "Country": "Korea", "Region": "Asia", "Capital": "No"}
    before = roster.read_bytes()
    for name, words in (("Seoul Metropolitan Government", "already a name or alias of Seoul"),
                        ("Test; ville", "holds ';'"), ("Test\x00ville", "control character")):  # fmt: skip
        with pytest.raises(InputError, match=words):
            add_member(roster, {**fields, "English name": name}, MembershipType.APPLICANT,
                       dt.date(2015, 3, 1), "application")  # fmt: skip
    assert roster.read_bytes() == before


def test_a_rename_back_and_the_roster_checked_before_it_is_replaced(roster, monkeypatch):
    from wego_xl.app import changes
    from wego_xl.errors import InputError

    assert wego("member", "rename", "Jakarta", "--english", "DKI Jakarta", "--effective", "2020-01-01").returncode == 0
    back = wego("member", "rename", "DKI Jakarta", "--english", "Jakarta", "--effective", "2020-02-01")
    assert back.returncode == 0, back.stderr
    jakarta = read_roster(roster).find("Jakarta")
    assert jakarta.name_en == "Jakarta" and jakarta.aliases == ("DKI Jakarta",)
    # whatever slips past the checks, the written file is read back before it replaces the roster
    monkeypatch.setattr(changes, "_refuse_clash", lambda *a: None)
    monkeypatch.setattr(changes, "check_new_name", lambda name, what: name)
    before = roster.read_bytes()
    for english, korean in (("Ulaanbaatar", None), (None, "서울시")):
        with pytest.raises(InputError, match=r"would make the roster unreadable.*duplicate name"):
            changes.rename_member(roster, "Jakarta", english, korean, dt.date(2021, 1, 1), "GA")
    assert roster.read_bytes() == before


@pytest.mark.parametrize("command", ["withdraw", "upgrade", "rename"])
def test_a_change_dated_after_today_is_refused(roster, command):
    later = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    extra = {"withdraw": (), "upgrade": ("--to", "Associate"), "rename": ("--english", "Seoul City")}[command]
    before = roster.read_bytes()
    out = wego("member", command, "Seoul", *extra, "--effective", later, "--decision", "EC 2099-1")
    assert out.returncode == 2 and f"the effective date {later} is after today" in out.stderr, out.stderr
    assert out.stderr.count("\n") == 1 and roster.read_bytes() == before
    today = wego("member", "withdraw", "Seoul", "--effective", dt.date.today().isoformat(), "--decision", "EC")
    assert today.returncode == 0, today.stderr  # today itself is fine


def test_every_function_reads_a_future_dated_history_row_the_same_way(roster, monkeypatch):
    """A History row dated after today (typed by hand, or from an older version): today's
    status, the member lists and the fee due all read the membership of the same day."""
    from wego_xl.app.changes import change_membership
    from wego_xl.rules import history
    from wego_xl.rules.membership import MembershipType

    monkeypatch.setattr(history, "check_effective", lambda *a: None)
    monkeypatch.setattr("wego_xl.app.changes.check_effective", lambda *a: None)
    change_membership(roster, "Seoul", MembershipType.WITHDRAWN, dt.date(2099, 1, 1), "EC 2098-9")
    year = dt.date.today().year
    assert udfs.WEGO_STATUS("Seoul") == "Full"
    assert udfs.WEGO_FEE_DUE("Seoul", year) is True
    assert "Seoul" in names(udfs.WEGO_MEMBERS("Asia", "Full"))
    assert "Seoul" in names(udfs.WEGO_MEMBERS("Asia"))
    assert udfs.WEGO_STATUS("Seoul", None, "2099-01-01") == "Withdrawn (since 2099-01-01)"
    assert udfs.WEGO_FEE_DUE("Seoul", 2100) is False
    assert "Status:  Full member" in wego("status", "Seoul").stdout


def test_members_lists_leave_out_withdrawn_members_unless_asked(roster):
    out = wego("member", "withdraw", "Caracas", "--effective", "2017-03-31", "--decision", "EC 2017-1")
    assert out.returncode == 0, out.stderr
    assert "Caracas" not in names(udfs.WEGO_MEMBERS("Americas"))
    assert "Caracas" not in names(udfs.WEGO_MEMBERS())
    assert "Caracas" not in names(udfs.WEGO_MEMBERS("Americas", None, "2018-01-01"))
    assert "Caracas" in names(udfs.WEGO_MEMBERS("Americas", None, "2016-12-31"))  # a member then
    assert names(udfs.WEGO_MEMBERS("Americas", "Withdrawn")) == ["Caracas"]
    listed = [udfs.WEGO_MEMBER(n, "Americas") for n in range(1, 60)]
    assert "Caracas" not in listed and listed[:3] == names(udfs.WEGO_MEMBERS("Americas"))[:3]
    assert udfs.WEGO_MEMBER(1, "Americas", "Withdrawn") == "Caracas"
