"""Shared fixtures: the shipped roster, private copies of it (plain or priced), the real-data
folder, :func:`edit_roster`, which changes a roster file's cells found by their header
and member, never by cell letters, and :func:`run_cli`, the real command line in a process."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import openpyxl
import pytest

from wego_xl.store import roster as roster_mod
from wego_xl.store.package import SHIPPED_ROSTER
from wego_xl.store.roster import GDP_SHEET, MEMBERS_SHEET

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = SHIPPED_ROSTER
SHARED_DATA = ROOT.parent / "shared" / "data"
#: Korea's GDP (PPP) per capita in the 2016 source's worked example (970,000 persons -> 7,000).
WORKED_EXAMPLE = {"population": 970_000, "gdp": 35_379.0}
#: The command line as a user runs it: a separate Python process.
CLI = [sys.executable, "-m", "wego_xl.cli"]


def run_cli(
    *args: object, cwd: Path | None = None, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run ``wego-xl ARGS`` in its own process; its output as text."""
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def leaves(value: object):
    """Every value in a (nested) list answer of a function, or the value itself."""
    if isinstance(value, list):
        for v in value:
            yield from leaves(v)
    else:
        yield value


def edit_roster(
    path: Path, members: Mapping[str, Mapping[str, object]] | None = None, gdp: Iterable[Mapping[str, object]] = ()
) -> Path:
    """Change a roster file: ``members`` maps a member's English name or id to
    {header: value} on the Members sheet; each of ``gdp`` is a GDP row {header: value}."""
    wb = openpyxl.load_workbook(path)
    ws = wb[MEMBERS_SHEET]
    headers = {cell.value: cell.column for cell in ws[1] if cell.value is not None}
    rows = {}
    for r in range(2, ws.max_row + 1):
        for key in ("Member ID", "English name"):
            value = ws.cell(r, headers[key]).value
            if value is not None:
                rows[str(value)] = r
    for member, changes in (members or {}).items():
        for header, value in changes.items():
            cell = ws.cell(rows[member], headers[header])
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text as typed, even "=1+1"
    sheet = wb[GDP_SHEET]
    gdp_headers = [cell.value for cell in sheet[1]]
    for row in gdp:
        sheet.append([row.get(h) for h in gdp_headers])
    wb.save(path)
    return path


def require_program(name: str, package: str) -> str:
    """The path of the program ``name``; a test without it is skipped on a user's machine and
    fails in CI (CI=true), whose .ci/run installs ``package``: never silently passed."""
    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed (Debian package {package})"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run should have installed it")
        pytest.skip(message)
    return found


def build_wheel(outdir: Path) -> Path:
    """Build the project's wheel into ``outdir`` (one build at a time: parallel test workers
    would otherwise share setuptools' build/ folder)."""
    from filelock import FileLock

    (ROOT / ".cache").mkdir(exist_ok=True)
    with FileLock(str(ROOT / ".cache" / "build.lock"), timeout=600):
        subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir), str(ROOT)],
                       check=True, capture_output=True, timeout=600)  # fmt: skip
    [wheel] = list(outdir.glob("wego_xl-*.whl"))
    return wheel


def files_in(folder: Path) -> list[str]:
    """The names in ``folder``, without the toolkit's lock file (which stays, hidden, by design)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".wego-lock"))


def korea_gdp(year: int = 2014, value: float = WORKED_EXAMPLE["gdp"], edition: str = "October 2015") -> dict:
    return {
        "Country code": "KOR",
        "Country": "Korea",
        "Year": year,
        "GDP per capita (PPP, USD)": value,
        "Edition": edition,
        "Units": "Purchasing power parity; international dollars",
        "Source": "test",
    }


@pytest.fixture(autouse=True)
def _fresh_roster_cache(monkeypatch):
    monkeypatch.delenv(roster_mod.ROSTER_ENV, raising=False)
    roster_mod.clear_cache()
    yield
    roster_mod.clear_cache()


@pytest.fixture
def roster_copy(tmp_path) -> Path:
    """A private copy of the shipped roster that a test may change."""
    target = tmp_path / "roster.xlsx"
    shutil.copy2(SHIPPED, target)
    return target


@pytest.fixture
def priced_roster(roster_copy, monkeypatch) -> Path:
    """A private roster with the worked example filled in (Seoul 970,000 persons, Korea's
    2014 GDP 35,379 USD), used by the functions through ``WEGO_ROSTER``."""
    edit_roster(roster_copy, {"Seoul": {"Population": WORKED_EXAMPLE["population"]}}, [korea_gdp()])
    monkeypatch.setenv(roster_mod.ROSTER_ENV, str(roster_copy))
    return roster_copy


#: The package's Python sources (for tests that read the code itself).
PACKAGE_SOURCES = [*sorted(p for p in (ROOT / "wego_xl").rglob("*.py") if "data" not in p.parts), ROOT / "udfs.py"]


# -- the ledger's tests: a finance officer's folder -----------------------------------------


def wego(*args: object, env: dict | None = None) -> subprocess.CompletedProcess:
    """``wego-xl ARGS`` through the real command line (click's runner) in this process, its
    caches of ledgers cleared first as a new process would have them; the tests that need a
    process of its own (locales, signals, concurrency) use ``run_cli``."""
    from click.testing import CliRunner

    from wego_xl.cli import main
    from wego_xl.ledger.store import books

    books.clear()
    done = CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)
    return subprocess.CompletedProcess(list(args), done.exit_code, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def _initialised(tmp_path_factory) -> Path:
    """What `wego-xl init` makes in an empty folder, made once per test session by the real
    command; each test's office is a copy of it."""
    folder = tmp_path_factory.mktemp("initialised")
    assert wego("init", folder).returncode == 0
    return folder


@pytest.fixture
def office(tmp_path, monkeypatch, _initialised) -> Path:
    """A finance officer's folder: the roster and finance workbook from `wego-xl init`."""
    shutil.copytree(_initialised, tmp_path, dirs_exist_ok=True)
    monkeypatch.setenv("WEGO_ROSTER", str(tmp_path / "wego_roster.xlsx"))
    from wego_xl.ledger.store import books

    books.clear()
    return tmp_path


@pytest.fixture(scope="session")
def _billed_ledger(tmp_path_factory, _initialised) -> Path:
    """A ledger with fee year 2017 invoiced on 2017-01-15, made once per test session."""
    from wego_xl.ledger.service import actor, issue_invoices
    from wego_xl.ledger.store import create_ledger

    where = tmp_path_factory.mktemp("billed") / "wego_ledger.db"
    store = create_ledger(str(where))
    plan = issue_invoices(store, roster_mod.read_roster(_initialised / "wego_roster.xlsx"), 2017, dt.date(2017, 1, 15),
                          60, by=actor("test"), accept_unconfirmed=True)  # fmt: skip
    assert plan.new[0]["Invoice number"] == "WEGO-2017-001"
    store.engine.dispose()
    return where


@pytest.fixture
def billed(office, _billed_ledger) -> Path:
    """The office with its ledger made and fee year 2017 invoiced on 2017-01-15 (unconfirmed
    inputs accepted; made once per session, copied for each test)."""
    shutil.copy2(_billed_ledger, office / "wego_ledger.db")
    return office


def book_of(office: Path):
    """The ledger of ``office``, as its database holds it now."""
    from wego_xl.ledger.store import open_ledger

    return open_ledger(str(office / "wego_ledger.db")).load()
