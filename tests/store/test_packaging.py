"""The package as users install it: a wheel (not editable) in a fresh virtual environment,
used from another folder; the shipped workbooks as package data that no command changes."""

from __future__ import annotations

import json
import os
import subprocess
import venv
from pathlib import Path

import pytest

from wego_xl import __version__
from wego_xl.store.package import SHIPPED_FILES, SHIPPED_ROSTER

from ..conftest import build_wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the project's wheel installed (with its dependencies)."""
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    build_wheel(dist)
    wheels = list(dist.glob("wego_xl-*.whl"))
    assert [w.name for w in wheels] == [f"wego_xl-{__version__}-py3-none-any.whl"]
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheels[0])], check=True, capture_output=True, timeout=600
    )
    return env_dir


def _run(env_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k not in ("WEGO_ROSTER", "PYTHONPATH") and not k.startswith("COVERAGE_")
    }
    return subprocess.run(
        [str(env_dir / "bin" / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_wheel_works_from_another_folder(installed, tmp_path):
    roster = _run(installed, tmp_path, "wego-xl", "roster", "--json")
    assert roster.returncode == 0, roster.stderr
    assert json.loads(roster.stdout)["membership"][-1]["total"] == 100
    fee = _run(installed, tmp_path, "wego-xl", "fee", "970000", "35379")
    assert fee.returncode == 0 and fee.stdout.startswith("Fee: 7,000 USD"), fee.stderr
    status = _run(installed, tmp_path, "python", "-c", "import udfs; print(udfs.WEGO_STATUS('Seoul'))")
    assert status.stdout.strip() == "Full", status.stderr
    where = _run(
        installed, tmp_path, "python", "-c", "import wego_xl, udfs; print(wego_xl.__file__); print(udfs.__file__)"
    )
    assert all(str(installed) in line for line in where.stdout.split()), where.stdout  # not this checkout


def test_no_command_changes_the_installed_package(installed, tmp_path):
    package = Path(
        _run(
            installed, tmp_path, "python", "-c", "import wego_xl, pathlib; print(pathlib.Path(wego_xl.__file__).parent)"
        ).stdout.strip()
    )
    before = {p: p.read_bytes() for p in (package / "data").iterdir() if p.is_file()}
    refresh = _run(installed, tmp_path, "wego-xl", "refresh", "--fee-year", "2016")
    assert refresh.returncode == 2
    assert "shipped inside the installed wego-xl package" in refresh.stderr and "wego-xl init" in refresh.stderr
    weo = tmp_path / "weo.csv"
    weo.write_text("country,year,ppppc\nKOR,2014,35379\n", encoding="utf-8")
    imported = _run(installed, tmp_path, "wego-xl", "import-weo", str(weo), "--edition", "April 2015")
    assert imported.returncode == 2 and "wego-xl init" in imported.stderr
    assert {p: p.read_bytes() for p in (package / "data").iterdir() if p.is_file()} == before
    # --out to the user's own folder works from the packaged roster
    out = _run(installed, tmp_path, "wego-xl", "refresh", "--fee-year", "2016", "--out", "mine.xlsx")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "mine.xlsx").exists()


def test_init_copies_the_workbooks_and_never_overwrites(installed, tmp_path):
    first = _run(installed, tmp_path, "wego-xl", "init", "work")
    assert first.returncode == 0, first.stderr
    copied = sorted(p.name for p in (tmp_path / "work").iterdir())
    assert copied == sorted([*(p.name for p in SHIPPED_FILES), "templates"])
    templates = sorted(p.name for p in (tmp_path / "work" / "templates").iterdir())
    assert templates == [
        "confirmation.docx",
        "credit-note.docx",
        "invoice.docx",
        "reminder.docx",
        "statement.docx",
    ]  # in the wheel, for the Secretariat
    assert (tmp_path / "work" / SHIPPED_ROSTER.name).read_bytes() == SHIPPED_ROSTER.read_bytes()
    assert "WEGO_ROSTER" in first.stdout
    (tmp_path / "work" / SHIPPED_ROSTER.name).write_bytes(b"the user's own edits")
    again = _run(installed, tmp_path, "wego-xl", "init", "work")
    assert again.returncode == 0 and "not overwritten" in again.stdout
    assert (tmp_path / "work" / SHIPPED_ROSTER.name).read_bytes() == b"the user's own edits"
    env = {"WEGO_ROSTER": str(tmp_path / "work" / SHIPPED_ROSTER.name)}
    (tmp_path / "work" / SHIPPED_ROSTER.name).write_bytes(SHIPPED_ROSTER.read_bytes())
    refreshed = subprocess.run(
        [str(installed / "bin" / "wego-xl"), "refresh", "--fee-year", "2016"],
        cwd=tmp_path,
        env={**_clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refreshed.returncode == 0, refreshed.stderr
    assert list((tmp_path / "work" / ".wego-backups").glob("wego_roster.*.xlsx"))  # refreshed in place


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "WEGO_ROSTER" and not k.startswith("COVERAGE_")}
