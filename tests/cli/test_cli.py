"""The wego-xl command line, run as a user runs it: a subprocess on copies of real workbooks."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from wego_xl.excel.writers import refresh_file
from wego_xl.store.package import SHIPPED_FINANCE
from wego_xl.store.saving import backups_of

from ..conftest import CLI, SHIPPED, edit_roster, files_in
from ..conftest import run_cli as run

#: The shipped roster's sheets, in order (the refresh adds its own after them).
ROSTER_SHEETS = ["Members", "GDP", "Fee schedule", "Source names", "History", "Settings", "Chart of accounts", "About"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- fee, status, roster -----------------------------------------------------------------------


def test_fee_prints_fee_and_bands():
    out = run("fee", "970000", "35379")
    assert out.returncode == 0, out.stderr
    assert "Fee: 7,000 USD" in out.stdout
    assert "600~999 thousand" in out.stdout and "20,000~ USD" in out.stdout


def test_fee_json():
    data = json.loads(run("fee", "970,000", "35379", "--json").stdout)
    assert data["fee"] == 7000 and data["population_band"] == "600~999 thousand"


@pytest.mark.parametrize(
    "args,words",
    [
        (["fee", "abc", "35379"], "population must be a number of persons"),
        (["fee", "970000", "nan"], "GDP per capita must be"),
        (["fee", "970000"], "Missing argument"),
        (["status", "Seol"], "did you mean Seoul?"),
    ],
)
def test_bad_argument_prints_one_line_and_exits_2(args, words):
    out = run(*args)
    assert out.returncode == 2
    assert words in out.stderr and "Traceback" not in out.stderr
    assert (
        len([line for line in out.stderr.splitlines() if line.strip() and "Usage" not in line and "Try" not in line])
        == 1
    )


@pytest.mark.parametrize("name", ["서울", "Seoul", "seoul metropolitan government"])
def test_status(name):
    out = run("status", name)
    assert out.returncode == 0, out.stderr
    assert "Seoul (서울)" in out.stdout and "Full member (정회원)" in out.stdout
    assert "Korea, Republic of (KOR); region Asia; capital" in out.stdout


def test_roster_summary_table():
    out = run("roster")
    assert out.returncode == 0
    for words in ("All cities", "32", "65", "97", "Friendship"):
        assert words in out.stdout
    data = json.loads(run("roster", "--compare-2016", "--json").stdout)
    assert all(r["reconciles"] for r in data["regions"] + data["membership"])


def test_check_reports_a_bad_cell_with_exit_1(roster_copy):
    edit_roster(roster_copy, {"W002": {"Population": "many"}})
    out = run("check", "--roster", roster_copy)
    assert out.returncode == 1
    assert "sheet 'Members', row 3, column 'Population'" in out.stdout and "'many'" in out.stdout


# -- refresh -----------------------------------------------------------------------------------


def _decorate(path: Path) -> None:
    """What a finance user adds: an own sheet, a formula, validation, a name, a comment, a style."""
    wb = openpyxl.load_workbook(path)
    mine = wb.create_sheet("My notes")
    mine["A1"] = "Budget"
    mine["B1"] = 12345
    mine["B2"] = "=B1*2"
    mine["A1"].font = Font(bold=True, color="FFFF0000")
    mine["A1"].comment = Comment("keep me", "finance")
    dv = DataValidation(type="list", formula1='"A,B"')
    dv.add("C1:C10")
    mine.add_data_validation(dv)
    wb.defined_names["MyBudget"] = DefinedName("MyBudget", attr_text="'My notes'!$B$1")
    wb.save(path)


def test_refresh_writes_the_sheets_and_keeps_everything_else(roster_copy):
    _decorate(roster_copy)
    out = run("refresh", roster_copy, "--fee-year", "2016")
    assert out.returncode == 0, out.stderr
    assert "All members" in out.stdout and "Checks:" in out.stdout
    wb = openpyxl.load_workbook(roster_copy)
    assert wb.sheetnames == [
        *ROSTER_SHEETS,
        "My notes",
        "Summary",
        "Fees 2016",
        "Checks",
    ]
    fees = wb["Fees 2016"]
    assert fees.max_row == 101 and "WeGO_Fees_2016" in fees.tables and fees.freeze_panes == "D2"
    summary = [row for row in wb["Summary"].iter_rows(values_only=True)]
    assert ("All cities", 32, 65, 97, 97, "Yes") in summary
    label, owing, computed, total, cannot = summary[[r[0] for r in summary].index("Fees owed for 2016 (USD)") + 8][:5]
    assert (label, owing, computed + cannot) == ("All members", 90, 90) and computed > 0 and total > 0
    mine = wb["My notes"]
    assert mine["B2"].value == "=B1*2" and mine["A1"].comment.text == "keep me"
    assert mine["A1"].font.bold and mine.data_validations.dataValidation[0].formula1 == '"A,B"'
    assert wb.defined_names["MyBudget"].attr_text == "'My notes'!$B$1"
    kept = backups_of(roster_copy)  # the previous version is kept
    assert len(kept) == 1 and "My notes" in openpyxl.load_workbook(kept[0]).sheetnames


def test_refresh_twice_replaces_only_its_sheets(roster_copy):
    assert run("refresh", roster_copy, "--fee-year", "2016").returncode == 0
    assert run("refresh", roster_copy, "--fee-year", "2016").returncode == 0
    assert run("refresh", roster_copy, "--fee-year", "2017").returncode == 0
    wb = openpyxl.load_workbook(roster_copy)
    assert wb.sheetnames == [
        *ROSTER_SHEETS,
        "Summary",
        "Fees 2016",
        "Checks",
        "Fees 2017",
    ]


def test_refresh_into_a_new_file_leaves_the_source_alone(roster_copy):
    before = digest(roster_copy)
    out_file = roster_copy.parent / "out.xlsx"
    assert run("refresh", roster_copy, "--fee-year", "2016", "--out", out_file).returncode == 0
    assert digest(roster_copy) == before
    assert "Fees 2016" in openpyxl.load_workbook(out_file).sheetnames


def test_refresh_is_refused_while_excel_has_the_file_open(roster_copy):
    before = digest(roster_copy)
    (roster_copy.parent / ("~$" + roster_copy.name)).write_bytes(b"owner")
    out = run("refresh", roster_copy, "--fee-year", "2016")
    assert out.returncode == 2
    assert "open in Excel" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert digest(roster_copy) == before
    assert files_in(roster_copy.parent) == ["roster.xlsx", "~$roster.xlsx"]


def test_a_failure_during_the_save_leaves_the_original_byte_identical(roster_copy):
    before = digest(roster_copy)

    def crash(tmp: Path) -> None:
        assert tmp.exists() and tmp.parent == roster_copy.parent
        raise OSError(28, "No space left on device")

    with pytest.raises(Exception, match="No space left on device"):
        refresh_file(roster_copy, 2016, before_replace=crash)
    assert digest(roster_copy) == before
    assert files_in(roster_copy.parent) == ["roster.xlsx"]  # no temporary file left


def _without_coverage() -> dict[str, str]:
    """The environment without coverage measurement (which writes files of its own)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}


def _file_size_limit(limit: int):
    """For the child process: writes past ``limit`` bytes fail with EFBIG (a full disk, say)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_failed_write_in_the_cli_leaves_the_original_byte_identical(roster_copy):
    before = digest(roster_copy)
    out = subprocess.run(
        [*CLI, "refresh", str(roster_copy), "--fee-year", "2016"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_file_size_limit(roster_copy.stat().st_size + 2000),
        env=_without_coverage(),  # coverage's own data file would hit the same limit
    )
    assert out.returncode == 2
    assert out.stderr.strip() == f"wego-xl: could not write {roster_copy}: File too large; nothing was changed"
    assert digest(roster_copy) == before
    assert files_in(roster_copy.parent) == ["roster.xlsx"]


def test_a_path_with_spaces_and_hangul(tmp_path):
    folder = tmp_path / "회비 자료 2016"
    folder.mkdir()
    target = folder / "위고 회원 명부.xlsx"
    shutil.copy2(SHIPPED, target)
    out = run("refresh", target, "--fee-year", "2016", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["members"] == 100 and data["owing"] == 90 and data["cannot_compute"] == 90 - data["fees_computed"]
    assert "Fees 2016" in openpyxl.load_workbook(target).sheetnames


def test_formula_like_text_is_written_as_text(roster_copy):
    edit_roster(roster_copy, {"W100": {"English name": "=1+1"}})  # a formula where a name belongs
    assert run("refresh", roster_copy, "--fee-year", "2016").returncode == 0
    cell = openpyxl.load_workbook(roster_copy)["Fees 2016"]["B101"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_macros_survive_a_refresh_of_a_macro_workbook(tmp_path):
    """A roster kept in a macro workbook (.xlsm): the refresh keeps vbaProject.bin byte-identical."""
    book = tmp_path / "Roster with macros.xlsm"
    wb = openpyxl.load_workbook(SHIPPED_FINANCE, keep_vba=True)
    source = openpyxl.load_workbook(SHIPPED)
    for name in ("Members", "GDP", "Fee schedule"):
        target = wb.create_sheet(name)
        for row in source[name].iter_rows(values_only=True):
            target.append(list(row))
    wb.save(book)
    with zipfile.ZipFile(book) as z:
        vba = z.read("xl/vbaProject.bin")
    out = run("refresh", book, "--fee-year", "2016")
    assert out.returncode == 0, out.stderr
    with zipfile.ZipFile(book) as z:
        assert z.read("xl/vbaProject.bin") == vba
    assert "Fees 2016" in openpyxl.load_workbook(book, keep_vba=True).sheetnames
    refused = run("refresh", book, "--fee-year", "2016", "--out", tmp_path / "plain.xlsx")
    assert refused.returncode == 2 and "keep the workbook's type" in refused.stderr


def test_damaged_roster_files_give_one_line(tmp_path):
    cases = {
        "empty.xlsx": b"",
        "text.xlsx": b"name,population\nSeoul,1\n",
        "truncated.xlsx": SHIPPED.read_bytes()[:5000],
        "protected.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        out = run("refresh", path, "--fee-year", "2016")
        assert out.returncode == 2, name
        assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert name in out.stderr
        assert path.read_bytes() == data  # nothing written


@pytest.mark.parametrize("locale", ["C", "POSIX"])
def test_korean_names_are_found_under_a_locale_that_is_not_utf8(locale, roster_copy):
    """Under LC_ALL=C Python hands the arguments over as surrogate escapes of their UTF-8
    bytes; the command line decodes them back, so 서울 is Seoul."""
    env = {**os.environ, "LC_ALL": locale, "LANG": locale, "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0",
           "PYTHONIOENCODING": "utf-8", "WEGO_ROSTER": str(roster_copy)}  # fmt: skip
    env.pop("LC_CTYPE", None)
    out = subprocess.run([*CLI, "status", "서울"], capture_output=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
    assert out.stdout.decode("utf-8").startswith("Seoul (서울) [W001]")
    renamed = subprocess.run([*CLI, "status", "세종시", "--json"], capture_output=True, env=env, timeout=120)
    assert json.loads(renamed.stdout.decode("utf-8"))["name_en"] == "Sejong"
    # bytes that are not UTF-8 stay as they came, and are one line
    bad = subprocess.run([*CLI, "status", b"\xff\xfe"], capture_output=True, env=env, timeout=120)
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr and bad.stderr.count(b"\n") == 1, bad.stderr


def test_command_line_text_decodes_only_what_is_utf8():
    from wego_xl.cli import command_line_text

    assert command_line_text("Seoul") == "Seoul"
    assert command_line_text("서울") == "서울"
    assert command_line_text(os.fsdecode("서울".encode())) == "서울"
    assert command_line_text("\udcff\udcfe") == "\udcff\udcfe"  # not UTF-8: kept
