"""Hostile input: anything Excel can hand a function, and damaged roster files.

Every function, given any mix of what Excel passes (scalars, rows, blocks, ragged lists),
returns values or Excel error values that carry a reason; it never raises, and answers in
well under a second. Damaged roster files give one clear line naming the file.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
import math
import re
import subprocess
import sys
import unicodedata
import zipfile
from unittest import mock

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import udfs
from wego_xl.errors import RosterError
from wego_xl.rules.inputs import EXCEL_ERRORS, error_code
from wego_xl.store.roster import read_roster

from ..conftest import SHIPPED, files_in, leaves

UDFS = {name: getattr(udfs, name) for name in dir(udfs) if name.startswith("WEGO_")}


def bare_codes(fn, *args):
    """``fn`` from udfs.py as xlwings Server and Lite run it: bare error codes."""
    with mock.patch.object(udfs, "TEXT_ERRORS", False):
        return fn(*args)


NAMES = ["Seoul", "서울", unicodedata.normalize("NFD", "세종시"), "남 다카", "NITDA", "Seol", "muğla"]

cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324, -0.0, 2016.0, 2016, 970000, 35379.0, 299999.5]),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    st.dates(),
    st.sampled_from(EXCEL_ERRORS),
    st.sampled_from(
        ["", " ", "\t\n", "=1+1", "+SUM(A1)", "-2", "@x", "970,000", " 970000 ", "2016", "ko", "Asia", "Full"]
    ),
    st.sampled_from(NAMES),
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0x10000, max_codepoint=0x1FFFF), max_size=8),
    st.just("x" * 20_000),
    st.just("서울" * 5_000),
)
rectangles = st.integers(1, 4).flatmap(
    lambda width: st.lists(st.lists(cells, min_size=width, max_size=width), min_size=1, max_size=5)
)
arguments = st.one_of(
    cells,
    st.lists(cells, min_size=1, max_size=6),
    rectangles,
    st.lists(st.lists(cells, max_size=4), min_size=1, max_size=4),  # ragged, maybe empty rows
    st.just([]),
    st.just([[]]),
    st.just([[[1]]]),
)


def _check(result, bare: bool):
    for leaf in leaves(result):
        assert leaf is None or isinstance(leaf, (bool, int, float, str)), type(leaf)
        if isinstance(leaf, float):
            assert math.isfinite(leaf)  # NaN would become an empty cell: a silent failure
        if isinstance(leaf, str) and error_code(leaf):
            code = error_code(leaf)
            if bare:
                assert leaf in EXCEL_ERRORS
            else:
                assert leaf.startswith(code + ": ") and len(leaf) > len(code) + 5, leaf  # a reason


def _arity(fn):
    params = inspect.signature(fn).parameters.values()
    required = sum(1 for p in params if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD)
    return required, len([p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD])


@pytest.mark.parametrize("name", sorted(UDFS))
def test_every_function_survives_anything_excel_can_pass(name):
    fn = UDFS[name]
    low, high = _arity(fn)

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(low, high).flatmap(lambda n: st.lists(arguments, min_size=n, max_size=n)))
    def run(args):
        _check(fn(*args), bare=False)
        _check(bare_codes(fn, *args), bare=True)

    run()


def test_errors_in_a_range_stay_in_their_cells():
    got = udfs.WEGO_FEE([[970000], ["#DIV/0!"], [True], [dt.date(2016, 1, 1)]], 35379)
    assert got[0] == [7000]
    assert [error_code(r[0]) for r in got[1:]] == ["#DIV/0!", "#VALUE!", "#VALUE!"]


# -- damaged roster files ------------------------------------------------------------------------


def _encrypted(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(SHIPPED, "rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    path = tmp_path / "protected.xlsx"
    path.write_bytes(out.getvalue())
    return path


def _without(tmp_path, sheet=None, column=None):
    wb = openpyxl.load_workbook(SHIPPED)
    if sheet:
        wb.remove(wb[sheet])
    if column:
        ws = wb["Members"]
        for cell in ws[1]:
            if cell.value == column:
                ws.delete_cols(cell.column)
    path = tmp_path / f"no {sheet or column}.xlsx"
    wb.save(path)
    return path


DAMAGE = {
    "zero bytes": (lambda tmp: _write(tmp / "empty.xlsx", b""), "empty (0 bytes)"),
    "truncated": (lambda tmp: _write(tmp / "cut.xlsx", SHIPPED.read_bytes()[:9000]), "not a zip package"),
    "not a workbook": (lambda tmp: _write(tmp / "notes.xlsx", "이름,인구\n서울,1\n".encode()), "not an Excel workbook"),
    "password": (_encrypted, "password-protected"),
    "missing sheet": (lambda tmp: _without(tmp, sheet="Fee schedule"), "sheet 'Fee schedule' is missing"),
    "missing column": (lambda tmp: _without(tmp, column="Region"), "column 'Region' is missing"),
}


def _write(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_damaged_roster_gives_one_line_and_writes_nothing(kind, tmp_path):
    make, words = DAMAGE[kind]
    path = make(tmp_path)
    before = {p: p.read_bytes() for p in map(tmp_path.joinpath, files_in(tmp_path))}
    with pytest.raises(RosterError, match=re.escape(words)):
        read_roster(path)
    for command in (["roster"], ["check"], ["status", "Seoul"]):
        out = subprocess.run(
            [sys.executable, "-m", "wego_xl.cli", *command, "--roster", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 2, (kind, command, out.stderr)
        assert out.stderr.count("\n") == 1 and path.name in out.stderr and words in out.stderr
    out = subprocess.run(
        [sys.executable, "-m", "wego_xl.cli", "refresh", str(path), "--fee-year", "2016"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert {p: p.read_bytes() for p in map(tmp_path.joinpath, files_in(tmp_path))} == before  # nothing written


def test_a_damaged_roster_shows_in_the_cell(tmp_path, monkeypatch):
    monkeypatch.setenv("WEGO_ROSTER", str(_write(tmp_path / "empty.xlsx", b"")))
    got = udfs.WEGO_STATUS("Seoul")
    assert got.startswith("#VALUE!: ") and "empty.xlsx" in got and "0 bytes" in got


def test_xml_bombs_are_refused(tmp_path):
    import openpyxl.xml

    assert openpyxl.DEFUSEDXML  # defusedxml is installed and openpyxl uses it
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(SHIPPED) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = bomb.encode()
            dst.writestr(item, data)
    with pytest.raises(RosterError) as info:  # refused before any entity is expanded
        read_roster(path)
    assert "bomb.xlsx" in str(info.value) and "XML entity declarations" in str(info.value)
    assert "EntitiesForbidden" in str(info.value) and "\n" not in str(info.value)


# -- one line, never a traceback, for values no command can use (issue 27) -----------------


def _one_line(out, *words):
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1, out.stderr
    for word in words:
        assert word in out.stderr, out.stderr


@pytest.mark.parametrize(
    "args,words",
    [
        (("invoice", "--fee-year", "2017", "--issue-date", "9999-12-31", "--dry-run"), "--issue-date 9999-12-31"),
        (("balances", "--as-of", "0001-01-01"), "--as-of 0001-01-01"),
        (("statement", "Seoul", "--as-of", "0001-01-01"), "--as-of 0001-01-01"),
        (("statement", "Seoul", "--as-of", "9999-12-31"), "--as-of 9999-12-31"),
        (("documents", "--fee-year", "2017", "--as-of", "0001-01-01"), "--as-of 0001-01-01"),
        (("pay", "Seoul", "100", "--date", "1999-12-31"), "1999-12-31"),
        (("status", "Seoul", "--as-of", "0001-01-01"), "--as-of 0001-01-01"),
    ],
)
def test_a_date_outside_the_books_is_one_line(billed, args, words):
    from ..conftest import wego

    _one_line(wego(*args), words, "2010-01-01")


def test_settings_and_environment_values_no_command_can_use_are_one_line(roster_copy, monkeypatch):
    from ..conftest import run_cli

    before = roster_copy.read_bytes()
    for value, words in (("a\x07b", "control character (U+0007)"), ("a\x1b[31mb", "control character (U+001B)")):
        _one_line(run_cli("settings", "Email", value, "--roster", roster_copy), "the value of 'Email'", words)
    for value in ("inf", " INF ", "nan", "1e400", "Infinity"):
        _one_line(run_cli("settings", "Payment days", value, "--roster", roster_copy), "from 1 to 365", repr(value))
    for value in ("inf", "nan", "1e400"):
        _one_line(run_cli("settings", "Rate fallback days", value, "--roster", roster_copy), "whole number")
        _one_line(run_cli("settings", "Bank charges tolerance (USD)", value, "--roster", roster_copy), "amount")
    assert roster_copy.read_bytes() == before
    for value in ("nan", "inf", "-inf", "-5", "1e400", "soon"):
        env = {**__import__("os").environ, "WEGO_LOCK_TIMEOUT": value}
        out = run_cli("refresh", roster_copy, "--fee-year", "2016", env=env)
        _one_line(out, "WEGO_LOCK_TIMEOUT must be a number of seconds from 0 to 86,400", repr(value))
    assert roster_copy.read_bytes() == before


def test_an_unreadable_roster_is_one_line(roster_copy, monkeypatch):
    """chmod 000: as root (these tests' usual user) the file stays readable, so the refusal
    the system gives is simulated; the real one runs when the tests are not root."""
    from click.testing import CliRunner

    from wego_xl.cli import main
    from wego_xl.store import xlsx

    real_open = open

    def refused(path, *args, **kwargs):
        if str(path) == str(roster_copy):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(xlsx, "open", refused, raising=False)
    for args in (("status", "Seoul", "--roster", str(roster_copy)), ("check", "--roster", str(roster_copy))):
        out = CliRunner().invoke(main, list(args))
        assert out.exit_code == 2, out.output
        assert "cannot read the workbook (Permission denied)" in out.output and "chmod" in out.output, out.output
        assert "damaged" not in out.output and out.output.count("\n") == 1


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
                    reason="root reads a chmod 000 file")  # fmt: skip
def test_a_chmod_000_roster_is_one_line(roster_copy):
    from ..conftest import run_cli

    roster_copy.chmod(0)
    try:
        out = run_cli("status", "Seoul", env={**__import__("os").environ, "WEGO_ROSTER": str(roster_copy)})
    finally:
        roster_copy.chmod(0o644)
    _one_line(out, "cannot read the workbook")
