"""Issue 27, the command line and file side: confirming many inputs at once, the roster
without a false alarm, hints said once, Korean closing lines, control characters refused
in the ledger's free text, LibreOffice's lock and read-only files, a Korean name under a
Latin-1 locale, and tables that fit an 80-column terminal. Real workbooks copied to tmp,
the real command line in a process."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from wego_xl.store.roster import read_roster
from wego_xl.store.saving import backups_of

from ..conftest import CLI, book_of, files_in, run_cli, wego


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(out: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 2 and one line on stderr, no traceback, naming each of ``words``."""
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1, out.stderr
    for word in words:
        assert word in out.stderr, (word, out.stderr)


# -- 1. confirm: several members, --all-populations, an edition, one write ---------------------


def test_confirm_takes_several_members_in_one_write(roster_copy):
    out = run_cli(
        "confirm", "Seoul", "Ulaanbaatar", "서울", "--population", "--by", "Kim Minji", "--roster", roster_copy
    )
    assert out.returncode == 0, out.stderr
    assert "2 population(s) confirmed by Kim Minji" in out.stdout
    roster = read_roster(roster_copy)
    for name in ("Seoul", "Ulaanbaatar"):
        member = roster.find(name)
        assert member.population_confirmed_by == "Kim Minji" and member.population_confirmed_on == dt.date.today()
        assert f"{member.population:,.0f}" in out.stdout
    assert len(backups_of(roster_copy)) == 1  # one write of the roster


def test_confirm_all_populations_shows_what_it_confirms_and_an_edition_at_once(roster_copy):
    waiting = [m for m in read_roster(roster_copy).members if m.population_imported]
    assert len(waiting) > 40  # the shipped roster's imported UNSD figures
    dry = run_cli("confirm", "--all-populations", "--by", "Kim Minji", "--roster", roster_copy, "--dry-run")
    assert dry.returncode == 0 and "Dry run: nothing written" in dry.stdout and backups_of(roster_copy) == []
    out = run_cli("confirm", "--all-populations", "--gdp-edition", "April 2015", "--by", "Kim Minji",
                  "--roster", roster_copy)  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert f"{len(waiting)} population(s) confirmed by Kim Minji" in out.stdout
    header = next(line for line in lines if line.startswith("Member"))
    assert header.split() == ["Member", "Population", "Year", "Source"]
    for m in waiting:  # each one listed: member, population, year, source
        row = next((line for line in lines if line.startswith(m.display_name + " ")), None)
        assert row is not None, m.display_name
        assert f"{m.population:,.0f}" in row and str(m.population_year) in row and m.population_source in row
    assert re.search(r"\d+ GDP figure\(s\) of April 2015 confirmed by Kim Minji", out.stdout)
    roster = read_roster(roster_copy)
    assert not [m for m in roster.members if m.population_imported]
    assert all(f.confirmed.startswith("Kim Minji, ") for f in roster.gdp if f.edition == "April 2015")
    assert len(backups_of(roster_copy)) == 1  # populations and GDP: one write
    again = run_cli("confirm", "--all-populations", "--by", "Kim Minji", "--roster", roster_copy)
    assert again.returncode == 0 and "No imported population awaits confirmation" in again.stdout
    data = json.loads(run_cli("confirm", "Seoul", "--population", "--by", "Lee", "--roster", roster_copy,
                              "--json").stdout)  # fmt: skip
    assert data["populations"][0]["member"] == "Seoul" and data["written"] is True


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("Seoul", "Atlantis", "Ulaanbaatar", "--population"), "'Atlantis'"),
        (("--all-populations", "--gdp-edition", "April 1999"), "April 1999"),
        (("Seoul", "Nowhere", "--population", "--all-populations", "--gdp-edition", "April 2015"), "'Nowhere'"),
        (("Seoul", "Sejong", "--population"), "Sejong has no population"),
    ],
)
def test_confirm_is_all_or_nothing(roster_copy, args, named):
    before = digest(roster_copy)
    out = run_cli("confirm", *args, "--by", "Kim Minji", "--roster", roster_copy)
    one_line(out, named, "nothing was confirmed")
    assert digest(roster_copy) == before and backups_of(roster_copy) == []


# -- 2. roster: the 2016 source only when asked; the changes since it --------------------------


def test_roster_after_ordinary_ec_decisions_exits_0_and_shows_the_changes(roster_copy):
    env = {**os.environ, "WEGO_ROSTER": str(roster_copy)}
    assert run_cli("member", "withdraw", "Hanoi", "--effective", "2017-03-01", "--decision", "EC 2017-1",
                   env=env).returncode == 0  # fmt: skip
    assert run_cli("member", "add", "--english", "Testville", "--country-code", "KOR", "--country", "Korea",
                   "--region", "Asia", "--capital", "No", "--status", "Associate", "--effective", "2018-05-01",
                   "--decision", "EC 2018-2", env=env).returncode == 0  # fmt: skip
    out = run_cli("roster", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "NO" not in out.stdout.split() and "No" not in out.stdout.split() and "Matches" not in out.stdout
    assert "Changes since the 2016 source" in out.stdout
    for words in ("Hanoi", "Withdrawn", "EC 2017-1", "Testville", "Associate", "EC 2018-2", "2017-03-01"):
        assert words in out.stdout
    data = json.loads(run_cli("roster", "--json", env=env).stdout)
    assert data["compared_with_2016_source"] is False
    assert [c["decision"] for c in data["changes_since_2016_source"]] == ["EC 2017-1", "EC 2018-2"]
    compared = run_cli("roster", "--compare-2016", env=env)  # the roster of 2016 still matches the source
    assert compared.returncode == 0 and "2016 source" in compared.stdout and "EC 2018-2" in compared.stdout


def test_roster_compares_with_the_2016_source_only_when_asked(roster_copy):
    env = {**os.environ, "WEGO_ROSTER": str(roster_copy)}
    assert run_cli("member", "add", "--english", "Oldtown", "--country-code", "KOR", "--country", "Korea",
                   "--region", "Asia", "--capital", "No", "--status", "Associate", "--effective", "2015-06-01",
                   "--decision", "EC 2015-1", env=env).returncode == 0  # fmt: skip
    asked = run_cli("roster", "--compare-2016", env=env)
    assert asked.returncode == 1 and "No" in asked.stdout.split(), asked.stdout
    data = json.loads(run_cli("roster", "--compare-2016", "--json", env=env).stdout)
    assert not all(r["reconciles"] for r in data["membership"])
    assert run_cli("roster", env=env).returncode == 0  # not asked: no comparison, exit 0


# -- 3. hints said once -------------------------------------------------------------------------


def test_say_once_leaves_out_what_another_part_says():
    from wego_xl.rules.inputs import say_once

    where, problem, fix = say_once(
        ["sheet 'Members', row 6, column 'Population'",
         "Dhaka South, fee year 2016: population is blank (Members sheet, row 6): type it in persons",
         "type the population in persons, with its year and source"]
    )  # fmt: skip
    assert problem == "Dhaka South, fee year 2016: population is blank"
    assert fix == "type the population in persons, with its year and source" and where.startswith("sheet")
    kept = say_once(["sheet 'GDP'", "Lima: fee 3,000 USD (band 2): check it", "type the year"])
    assert kept[1] == "Lima: fee 3,000 USD (band 2): check it"  # nothing said twice: nothing left out


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_check_says_each_hint_once(roster_copy, lang):
    out = run_cli("check", "--fee-year", "2016", "--roster", roster_copy, "--lang", lang)
    lines = [line for line in out.stdout.splitlines() if line]
    assert any("Population" in line for line in lines) and any("import-weo" in line for line in lines)
    for line in lines:
        for hint in ("in persons", "import-weo", "명 단위로", "Members sheet, row", "Members 시트"):
            assert line.count(hint) <= 1, line
        assert not ("sheet 'Members'" in line and "(Members sheet" in line), line
        assert not ("시트 'Members'" in line and "(Members 시트" in line), line
        clauses = [c.strip() for c in re.split(r"[;:]", line) if len(c.split()) >= 2]
        assert len(clauses) == len(set(clauses)), line


# -- 4. every closing line in the catalogue's language ------------------------------------------

ENGLISH_CLOSING = ("Next:", "Checks:", "note(s) on the fee table", "fee(s) computed", "Worked example", "Dry run",
                   "Written.", "invoice(s) for", "skipped (missing", "already invoiced", "Balances on",
                   "the sum of the balances", "Cities by region", "Members by", "Changes since", "population(s)",
                   "confirmed by", "Fee year", "Members owing", "Total owed", "fee year")  # fmt: skip


def test_korean_closing_lines_come_from_the_catalogue(billed, tmp_path):
    roster = billed / "wego_roster.xlsx"
    said = {
        "refresh": wego("refresh", roster, "--fee-year", "2016", "--out", tmp_path / "r.xlsx", "--lang", "ko"),
        "refresh --dry-run": wego("refresh", roster, "--fee-year", "2016", "--dry-run", "--lang", "ko"),
        "check": wego("check", "--fee-year", "2016", "--lang", "ko"),
        "invoice": wego("invoice", "--fee-year", "2018", "--dry-run", "--accept-unconfirmed", "--lang", "ko"),
        "invoice again": wego("invoice", "--fee-year", "2017", "--dry-run", "--lang", "ko"),
        "roster": wego("roster", "--lang", "ko"),
        "balances": wego("balances", "--as-of", "2017-12-31", "--lang", "ko"),
        "confirm": wego("confirm", "--all-populations", "--by", "김민지", "--lang", "ko", "--dry-run"),
    }
    for command, out in said.items():
        assert out.returncode in (0, 1), (command, out.stderr)
        shown = "\n".join(line for line in out.stdout.splitlines() if not line.startswith(("  ", "확인:", "누락:")))
        for english in ENGLISH_CLOSING:
            assert english not in shown, (command, english, shown)
    assert "다음:" in said["refresh"].stdout and "점검:" in said["refresh"].stdout
    assert "회비표 참고" in said["check"].stdout and "잔액 합계" in said["balances"].stdout
    assert "청구서" in said["invoice"].stdout and "이미 청구된" in said["invoice again"].stdout
    assert "확인함" in said["confirm"].stdout and "시험 실행" in said["confirm"].stdout


def test_english_closing_lines_stay_as_they_were(roster_copy, tmp_path):
    out = run_cli("refresh", roster_copy, "--fee-year", "2016", "--out", tmp_path / "r.xlsx")
    assert "970,000 persons and 35,379 USD give 7,000 USD" in out.stdout and "Next:" in out.stdout
    assert "Checks: 0 error(s)" in out.stdout and "fee(s) computed" in out.stdout


# -- 5. control characters in the ledger's free text: one line, exit 2, nothing written ---------

BAD_TEXT = ["bad\x07bell", "esc\x1b[31m", "tab\there", "two\nlines", "del\x7f", "nel\x85", "sep\u2028", b"bytes\xff"]


def _shown(value: str | bytes) -> str:
    """The value as the error repeats it (undecodable bytes come as surrogate escapes)."""
    return repr(os.fsdecode(value) if isinstance(value, bytes) else value)


def _ledger_run(*args: str | bytes) -> subprocess.CompletedProcess:
    """The command line: in this process for text (click's runner, the same commands), in a
    process of its own for raw bytes (only a real argv hands them over undecoded)."""
    if all(isinstance(a, str) for a in args):
        from ..conftest import wego as in_process

        done = in_process(*args)
        return subprocess.CompletedProcess(list(args), done.returncode, done.stdout, done.stderr)
    out = subprocess.run([*CLI, *args], capture_output=True, timeout=180)
    return subprocess.CompletedProcess(out.args, out.returncode, out.stdout.decode("utf-8", "replace"),
                                       out.stderr.decode("utf-8", "backslashreplace"))  # fmt: skip


@pytest.mark.parametrize("bad", BAD_TEXT, ids=repr)
def test_control_characters_in_the_ledgers_free_text_are_one_line(billed, bad):
    before = book_of(billed)
    entries = len(json.loads(wego("ledger", "log", "--json").stdout))
    cases = [
        (["credit", "WEGO-2017-001", "--amount", "10", "--reason", bad], "the credit note's reason"),
        (["pay", "Seoul", "100", "--date", "2017-03-01", "--reference", bad], "the bank reference"),
        (["pay", "Seoul", "100", "--date", "2017-03-01", "--note", bad], "the note"),
        (["write-off", "WEGO-2017-001", "--reason", bad, "--decision", "EC 2018-3"], "the write-off's reason"),
        (["write-off", "WEGO-2017-001", "--reason", "gone", "--decision", bad], "the decision"),
        (["close", "--through", "2016-12-31", "--by", bad], "--by"),
        (["credit", bad, "--amount", "10", "--reason", "x"], "the invoice number"),
    ]
    for args, field in cases:
        out = _ledger_run(*args)
        one_line(out, field, "control characters")
        shown = _shown(bad)
        assert shown in out.stderr or shown.encode("unicode_escape").decode() in out.stderr, out.stderr
    assert wego("pay", "Seoul", "100", "--date", "2017-03-01", "--reference", "KEB-1").returncode == 0  # a receipt
    receipt = book_of(billed).payments[0].receipt
    one_line(_ledger_run("void", receipt, "--reason", bad), "the void's reason")
    after = book_of(billed)
    assert len(after.payments) == 1 and after.credits == before.credits and after.voids == before.voids
    assert len(json.loads(wego("ledger", "log", "--json").stdout)) == entries + 1


def test_the_ledger_service_refuses_control_characters_for_every_caller(billed):
    """The Excel scripts and the Post sheet reach the ledger through its service: the rule is there."""
    from wego_xl.errors import InputError
    from wego_xl.ledger.service import actor, issue_credit, plain_text
    from wego_xl.ledger.store import open_ledger

    store = open_ledger(str(billed / "wego_ledger.db"))
    for bad in ("a\tb", "a\udcffb", "a\x00b", "a\u2029b"):
        with pytest.raises(InputError, match="control characters") as said:
            issue_credit(store, "WEGO-2017-001", "10", bad, by=actor("test"))
        assert repr(bad) in str(said.value) and "\n" not in str(said.value)
        with pytest.raises(InputError, match="the payer's name"):
            plain_text(bad, "the payer's name")
        with pytest.raises(InputError, match="the user's name"):
            actor("Excel script", bad)
    assert plain_text("  EC   2018-3 ", "the decision") == "EC 2018-3"
    store.engine.dispose()
    assert book_of(billed).credits == []


def test_the_post_sheet_refuses_control_characters_naming_the_cell(billed):
    sheet = billed / "payments.xlsx"
    assert wego("ledger", "post", sheet).returncode == 0
    wb = openpyxl.load_workbook(sheet)
    header = [c.value for c in wb["Post"][1]]
    typed = {"Date received": dt.datetime(2017, 3, 1), "Member": "Seoul", "Amount received": 100,
             "Bank reference": "KEB\tone", "Note": "ok"}  # fmt: skip
    wb["Post"].append([typed.get(h) for h in header])
    wb.save(sheet)
    out = wego("ledger", "post", sheet)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "column 'Bank reference'" in out.stderr and "control characters" in out.stderr, out.stderr
    assert book_of(billed).payments == []


# -- 6. LibreOffice's lock file and read-only workbooks ------------------------------------------


@pytest.mark.parametrize(
    ("content", "who"),
    [(b",Kim Minji,finance-pc,07.12.2026 10:00,file:///home/kim/.config/libreoffice/4;", "Kim Minji"),
     ("김민지,finance-pc,kim,07.12.2026 10:00,file:///home/kim;".encode(), "김민지"),
     (b"", "")],
)  # fmt: skip
def test_a_libreoffice_lock_file_refuses_the_write(roster_copy, content, who):
    before = digest(roster_copy)
    (roster_copy.parent / f".~lock.{roster_copy.name}#").write_bytes(content)
    for args in (("refresh", roster_copy, "--fee-year", "2016"),
                 ("confirm", "Seoul", "--population", "--by", "Kim", "--roster", roster_copy),
                 ("settings", "Email", "a@b.org", "--roster", roster_copy)):  # fmt: skip
        out = run_cli(*args)
        one_line(out, "open in LibreOffice", f".~lock.{roster_copy.name}#")
        if who:
            assert f"by {who}" in out.stderr
    assert digest(roster_copy) == before
    assert files_in(roster_copy.parent) == [f".~lock.{roster_copy.name}#", "roster.xlsx"]


def test_a_libreoffice_lock_beside_the_target_of_a_link_refuses(roster_copy, tmp_path):
    link_folder = tmp_path / "links"
    link_folder.mkdir()
    link = link_folder / "mine.xlsx"
    link.symlink_to(roster_copy)
    (roster_copy.parent / f".~lock.{roster_copy.name}#").write_bytes(b",Lee,pc,date,path;")
    one_line(run_cli("refresh", link, "--fee-year", "2016"), "open in LibreOffice by Lee")


def test_a_read_only_workbook_is_refused_before_anything_is_written(roster_copy, tmp_path):
    """The mode bits: refused as root too (root could rename over the file)."""
    before = digest(roster_copy)
    roster_copy.chmod(0o444)
    try:
        for args in (("refresh", roster_copy, "--fee-year", "2016"),
                     ("confirm", "--all-populations", "--by", "Kim", "--roster", roster_copy),
                     ("settings", "Email", "a@b.org", "--roster", roster_copy)):  # fmt: skip
            one_line(run_cli(*args), "read-only", str(roster_copy), "nothing was changed")
        assert digest(roster_copy) == before and not (roster_copy.parent / ".wego-backups").exists()
        assert files_in(roster_copy.parent) == ["roster.xlsx"]
        copy = tmp_path / "copy.xlsx"  # a copy may be written from it
        assert run_cli("refresh", roster_copy, "--fee-year", "2016", "--out", copy).returncode == 0
        copy.chmod(0o400)
        kept = digest(copy)
        one_line(run_cli("refresh", roster_copy, "--fee-year", "2016", "--out", copy), "read-only")
        assert digest(copy) == kept
    finally:
        roster_copy.chmod(0o644)


def test_a_read_only_view_workbook_is_not_replaced(billed):
    view = billed / "view.xlsx"
    assert wego("ledger", "export", "--out", view).returncode == 0
    view.chmod(0o444)
    kept = digest(view)
    try:
        one_line(wego("ledger", "export", "--out", view), "read-only")
    finally:
        view.chmod(0o644)
    assert digest(view) == kept


# -- 7. a Korean name under a Latin-1 locale -----------------------------------------------------


def _latin1_locale(folder: Path) -> dict[str, str] | None:
    """An ISO-8859-1 locale: an installed one, else one compiled into ``folder`` (localedef)."""
    installed = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    for name in installed:
        if re.search(r"iso-?8859-?1$", name, re.I):
            return {"LC_ALL": name, "LANG": name}
    localedef = shutil.which("localedef")
    if localedef is None:
        return None
    subprocess.run([localedef, "-i", "en_US", "-f", "ISO-8859-1", str(folder / "en_US.ISO-8859-1")],
                   capture_output=True, timeout=120)  # fmt: skip
    if not (folder / "en_US.ISO-8859-1").exists():
        return None
    return {"LC_ALL": "en_US.ISO-8859-1", "LANG": "en_US.ISO-8859-1", "LOCPATH": str(folder)}


@pytest.mark.parametrize("how", ["latin-1 locale", "C locale, latin-1 terminal"])
def test_a_korean_name_is_found_under_a_latin1_locale(roster_copy, tmp_path, how):
    env = {**os.environ, "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0", "WEGO_ROSTER": str(roster_copy)}
    for name in ("LC_CTYPE", "PYTHONIOENCODING", "LOCPATH"):
        env.pop(name, None)
    if how == "latin-1 locale":
        locale = _latin1_locale(tmp_path)
        if locale is None:
            pytest.skip("no ISO-8859-1 locale here, and none can be compiled (localedef)")
        env.update(locale)
    else:
        env.update({"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "latin-1"})
    probe = subprocess.run([*CLI[:1], "-c", "import sys; print(sys.getfilesystemencoding(), sys.stdout.encoding)"],
                           capture_output=True, text=True, env=env)  # fmt: skip
    assert "utf" not in probe.stdout.lower(), probe.stdout  # really not UTF-8
    for args, first in ((["status", "서울"], "Seoul ("), (["status", "세종시", "--json"], "{")):
        out = subprocess.run([*CLI, *args], capture_output=True, env=env, timeout=120)
        assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
        text = out.stdout.decode("latin-1")
        assert text.startswith(first) and b"Traceback" not in out.stderr
    status = subprocess.run([*CLI, "status", "서울"], capture_output=True, env=env, timeout=120).stdout
    assert b"[W001]" in status and b"\\uc11c\\uc6b8" in status  # Hangul the terminal cannot show: escaped
    found = subprocess.run([*CLI, "status", "세종시", "--json"], capture_output=True, env=env, timeout=120).stdout
    assert json.loads(found.decode("latin-1"))["name_en"] == "Sejong"
    latin = subprocess.run([*CLI, "status", "São Paulo".encode("latin-1")], capture_output=True, env=env, timeout=120)
    if how == "latin-1 locale":  # a name typed in the terminal's own encoding is found too
        assert latin.returncode == 0 and latin.stdout.decode("latin-1").startswith("São Paulo ("), latin.stderr
    else:
        assert b"Traceback" not in latin.stderr


# -- 8. balances in an 80-column terminal --------------------------------------------------------


def test_balances_fit_an_80_column_terminal(billed):
    script = shutil.which("script")
    if script is None:
        pytest.skip("script (util-linux) is not installed: no terminal to run in")
    assert wego("pay", "Seoul", "7000", "--date", "2017-03-01").returncode == 0
    assert wego("pay", "Ulaanbaatar", "1234.50", "--date", "2017-03-02", "--bank-charges", "0").returncode == 0
    assert wego("credit", "WEGO-2017-003", "--amount", "250", "--reason", "population corrected").returncode == 0
    data = json.loads(wego("balances", "--as-of", "2017-12-31", "--json").stdout)
    env = {**os.environ, "COLUMNS": "80", "LINES": "60", "TERM": "xterm"}
    command = " ".join([*CLI, "balances", "--as-of", "2017-12-31"])
    raw = subprocess.run([script, "-qec", command, "/dev/null"], capture_output=True, env=env, timeout=180)
    assert raw.returncode == 0, raw.stdout
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw.stdout.decode("utf-8")).replace("\r", "")
    lines = shown.splitlines()
    table = [line for line in lines if not line.startswith("Invoiced")]  # the closing sentence wraps as text does
    assert max(len(line.rstrip()) for line in table) <= 80, shown
    assert "…" not in shown
    header = " ".join(lines[:6])
    for word in ("Member", "Billed", "Credited", "Paid", "Written", "off", "Balance", "Oldest", "unpaid", "Years",
                 "late"):  # fmt: skip
        assert re.search(rf"\b{word}\b", header), (word, header)
    rows = [line for line in lines if re.search(r"\d\.\d\d", line) and not line.startswith("Invoiced")]
    assert len(rows) == len(data["balances"])  # a row of figures per member, a name wrapping under it
    for member, row in zip(data["balances"], rows, strict=True):
        figures = row.split()[-8:]  # the name may have wrapped: the figures are whole on the first line
        money = [f"{member[k]:,.2f}" for k in ("Billed (USD)", "Credited (USD)", "Paid (USD)", "Written off (USD)",
                                                 "Balance (USD)")]  # fmt: skip
        assert all(m in row for m in money), (money, row)
        assert str(member["Years in arrears"]) == figures[-1], row  # the last column, whole
        assert str(member["Oldest unpaid fee year"]) in row


@pytest.mark.parametrize("bad", ["EC\x07", "EC\t2017", b"EC\xff"], ids=repr)
def test_the_roster_commands_refuse_control_characters_in_decisions_and_names(roster_copy, bad):
    """--decision and --by of the member and confirm commands, as the ledger's."""
    before = digest(roster_copy)
    roster = str(roster_copy)
    for args, field in (
        (["member", "withdraw", "Hanoi", "--effective", "2017-03-01", "--decision", bad, "--roster", roster],
         "the decision"),
        (["member", "withdraw", "Hanoi", "--effective", "2017-03-01", "--by", bad, "--roster", roster], "--by"),
        (["member", "rename", "Hanoi", "--english", "Ha Noi", "--effective", "2017-03-01", "--decision", bad,
          "--roster", roster], "the decision"),
        (["confirm", "Seoul", "--population", "--by", bad, "--roster", roster], "who confirms (--by)"),
    ):  # fmt: skip
        out = _ledger_run(*args)
        one_line(out, field, "control characters", _shown(bad))
    assert digest(roster_copy) == before


def test_a_cell_a_workbook_cannot_keep_is_one_line_not_a_crash(tmp_path):
    from openpyxl import Workbook

    from wego_xl.errors import InputError
    from wego_xl.store.xlsx import write_cell

    ws = Workbook().active
    ws.title = "History"
    assert write_cell(ws, 2, 3, "two\nlines").value == "two\nlines"  # a line break a cell keeps
    for bad in ("a\x07b", "a\udcffb"):
        with pytest.raises(InputError, match=r"'History'!C2") as said:
            write_cell(ws, 2, 3, bad)
        assert repr(bad) in str(said.value)


def test_invoice_says_why_a_member_is_skipped_in_korean(office):
    """`invoice --lang ko`: the reasons a member is skipped are Korean too (the figures and the
    names as they are)."""
    assert wego("ledger", "init").returncode == 0
    ko = wego("invoice", "--fee-year", 2017, "--issue-date", "2017-01-15", "--dry-run", "--lang", "ko")
    en = wego("invoice", "--fee-year", 2017, "--issue-date", "2017-01-15", "--dry-run")
    assert "inputs not confirmed yet" in en.stdout
    assert "아직 확인되지 않은 입력값" in ko.stdout and "inputs not confirmed yet" not in ko.stdout, ko.stdout


def test_pay_credit_and_void_speak_korean_when_asked(billed):
    """`pay`, `credit` and `void` with --lang ko: the line that says what was recorded is Korean;
    without it, the English line as before."""
    paid = wego("pay", "Seoul", "1000", "--date", "2017-02-01", "--lang", "ko")
    assert (
        paid.returncode == 0 and "입금" in paid.stdout and "현재 잔액" in paid.stdout and "credited" not in paid.stdout
    )
    receipt = paid.stdout.split(":")[0]
    credited = wego("credit", "WEGO-2017-002", "--amount", "10", "--reason", "EC 2017-2", "--lang", "ko")
    assert credited.returncode == 0 and "감액" in credited.stdout and "it now asks" not in credited.stdout
    voided = wego("void", receipt, "--reason", "typed twice", "--lang", "ko")
    assert voided.returncode == 0 and "취소" in voided.stdout and "taken back" not in voided.stdout
    english = wego("pay", "Seoul", "1000", "--date", "2017-02-01")
    assert "from Seoul on 2017-02-01, credited 1,000.00 USD; balance now" in english.stdout
