"""wego-xl in xlwings Lite's runtime: Pyodide 0.27.7 (CPython 3.12, emscripten) booted under
node with the network cut, the official numpy wheel checked against the release's lock, the
project's wheel and its pure-Python dependencies installed with micropip from local files.

``tests/pyodide/prepare.sh`` (run by .ci/run) fetches npm ``pyodide@0.27.7`` and the wheels
into ``.cache/pyodide``; without node or that folder the check is skipped on a user's
machine and fails in CI: never silently passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ..conftest import ROOT, SHARED_DATA, build_wheel, require_program

CACHE = ROOT / ".cache" / "pyodide"
PYODIDE = CACHE / "node_modules" / "pyodide"
NUMPY = SHARED_DATA.parent / "pyodide" / "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
SQLITE3 = SHARED_DATA.parent / "pyodide" / "sqlite3-1.0.0-cp312-cp312-pyodide_2024_0_wasm32.whl"
#: Pyodide 0.27.7 under node: what markers see there.
PYODIDE_ENV = {
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "os_name": "posix",
    "platform_machine": "wasm32",
    "python_version": "3.12",
    "python_full_version": "3.12.7",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "extra": "",
}


def _prepared() -> None:
    if not (PYODIDE / "pyodide.mjs").exists() or not NUMPY.exists() or not SQLITE3.exists():
        message = "Pyodide is not prepared: run tests/pyodide/prepare.sh (npm pyodide@0.27.7 and the wheels)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> Path:
    """A folder of the project's wheel and the pure-Python wheels Lite installs."""
    require_program("node", "nodejs")
    _prepared()
    folder = tmp_path_factory.mktemp("wheels")
    for wheel in (CACHE / "wheels").glob("*.whl"):
        shutil.copy2(wheel, folder)
    build_wheel(folder)
    _desktop_ledger(folder / "wego_ledger.db")  # rides along in the mounted folder, to be imported into /data
    return folder


def _desktop_ledger(path: Path) -> None:
    """A ledger as the finance officer's desktop makes it: Seoul invoiced 10,000, paid 4,000."""
    from wego_xl.ledger.service import PaymentInput, actor, issue_invoices, record_payment
    from wego_xl.ledger.store import create_ledger
    from wego_xl.store.package import SHIPPED_ROSTER
    from wego_xl.store.roster import read_roster

    store = create_ledger(str(path))
    roster = read_roster(SHIPPED_ROSTER)
    by = actor("test")
    plan = issue_invoices(store, roster, 2017, dt.date(2017, 1, 15), 60, by=by, accept_unconfirmed=True)
    assert plan.new[0]["Invoice number"] == "WEGO-2017-001" and plan.new[0]["Member ID"] == "W001"
    record_payment(store, roster, PaymentInput("Seoul", "4000", "2017-02-01"), by=by)
    store.engine.dispose()


@pytest.mark.parametrize(("package", "wheel"), [("numpy", NUMPY), ("sqlite3", SQLITE3)])
def test_the_numpy_and_sqlite3_wheels_are_the_releases_own(package, wheel):
    _prepared()
    lock = json.loads((PYODIDE / "pyodide-lock.json").read_text(encoding="utf-8"))
    entry = lock["packages"][package]
    assert entry["file_name"] == wheel.name
    assert entry["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()


def test_the_wheel_requires_nothing_pyodide_cannot_install(wheels):
    [ours] = list(wheels.glob("wego_xl-*.whl"))
    with zipfile.ZipFile(ours) as package:
        metadata = next(n for n in package.namelist() if n.endswith(".dist-info/METADATA"))
        lines = package.read(metadata).decode("utf-8").splitlines()
    required = [Requirement(line.split(":", 1)[1].strip()) for line in lines if line.startswith("Requires-Dist:")]
    needed = {canonicalize_name(r.name) for r in required if r.marker is None or r.marker.evaluate(PYODIDE_ENV)}
    available = {canonicalize_name(w.name.split("-")[0]) for w in wheels.glob("*.whl")} | {"numpy"}
    assert needed and needed <= available, f"no wheel usable in Pyodide for {sorted(needed - available)}"
    assert "rapidfuzz" not in needed  # no Pyodide build: names are suggested with difflib there
    assert Marker("sys_platform != 'emscripten'").evaluate(PYODIDE_ENV) is False


def test_the_functions_and_the_refresh_run_in_pyodide(wheels, tmp_path):
    node = require_program("node", "nodejs")
    command = [
        node,
        str(ROOT / "tests" / "pyodide" / "run_lite.mjs"),
        str(PYODIDE),
        str(NUMPY),
        str(SQLITE3),
        str(wheels),
        str(ROOT / "tests" / "pyodide" / "check_lite.py"),
    ]
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        command = [unshare, "-n", *command]  # the network cut: nothing is fetched silently
    out = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    tail = [line for line in out.stdout.splitlines() if line.startswith("{")]
    assert out.returncode == 0 and tail, (
        out.stdout[-2000:],
        [e for e in out.stderr.splitlines() if len(e) < 400][-20:],
    )
    found = json.loads(tail[-1])
    assert found["platform"] == "emscripten" and found["numpy"] == "2.0.2"
    assert found["on_server"] is True and found["text_errors"] is False and found["rapidfuzz"] is False
    assert found["fee"] == 7000 and found["fees"] == [[7000], ["#VALUE!"], ["#N/A"]]
    assert found["status"] == [["Full"], ["#N/A"]]
    assert found["suggestion"].startswith("#N/A: 'Seol' is not on the roster; did you mean Seoul")
    assert found["roster"].endswith("site-packages/wego_xl/data/wego_roster.xlsx")  # the packaged roster
    assert found["member_fee_packaged"] == 10_000  # Seoul, 10,007,651 persons (UNSD)
    assert found["roster_in_data"] == "/data/wego_roster.xlsx" and found["member_fee_data"] == 7_000
    assert found["custom_functions_call"] == [[7000], [{"type": "Error", "errorType": "Value"}]]
    assert found["meta_functions"] == sorted(n for n in dir(__import__("udfs")) if n.startswith("WEGO_"))
    assert found["refresh_added"] == ["Summary", "Fees 2016", "Checks"]
    # the ledger: a .db made on a desktop, imported into /data, read by the functions
    assert found["no_ledger"].startswith("#N/A") and "no ledger at /data/wego_ledger.db" in found["no_ledger_text"]
    assert found["ledger"] == {"balance": 6000, "balance_2017": 6000, "paid": 4000, "invoice": "WEGO-2017-001",
                               "invoiced": 10000}  # fmt: skip
