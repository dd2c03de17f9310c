"""The real xlwings Server (the ``xlwings-server`` package) serving the project in ``server/``,
started with uvicorn on a free loopback port and spoken to over HTTP as Office.js does."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest
import xlwings as xw

import udfs
from tests.conftest import ROOT, edit_roster
from tests.officejs import book_payload, call_payload
from wego_xl.store.package import SHIPPED_ROSTER

NA = {"type": "Error", "errorType": "NotAvailable"}
VALUE = {"type": "Error", "errorType": "Value"}
WEGO_FUNCTIONS = sorted(n for n in dir(udfs) if n.startswith("WEGO_"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def roster(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("roster") / "wego_roster.xlsx"
    shutil.copy2(SHIPPED_ROSTER, path)
    edit_roster(path, {"Seoul": {"Population": 970_000}})
    return path


@pytest.fixture(scope="module")
def server(roster) -> Iterator[str]:
    """The base URL of a running xlwings Server; stopped when the tests end, even on failure."""
    port = _free_port()
    env = {
        **os.environ,
        "XLWINGS_PROJECT_DIR": str(ROOT / "server"),
        "XLWINGS_LICENSE_KEY": "noncommercial",
        "XLWINGS_ENVIRONMENT": "prod",
        "XLWINGS_FUNCTIONS_NAMESPACE": "",
        "XLWINGS_ENABLE_SOCKETIO": "false",
        "WEGO_ROSTER": str(roster),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "server")]),
    }
    env.pop("XLWINGS_ON_SERVER", None)  # xlwings Server sets it itself
    log = open(roster.parent / "server.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "xlwings_server.main:main_app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT / "server",
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (roster.parent / "server.log").read_text()
            try:
                if httpx.get(f"{base}/xlwings/custom-functions-meta", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "xlwings Server did not start in 60 s"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def call(base: str, func_name: str, *args, runtime: str = "1.4"):
    data = call_payload(xw.__version__, func_name, *args, runtime=runtime)
    response = httpx.post(f"{base}/xlwings/custom-functions-call", json=data, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def test_metadata_lists_every_function_with_its_help(server):
    meta = httpx.get(f"{server}/xlwings/custom-functions-meta", timeout=10).json()
    found = {f["id"]: f for f in meta["functions"]}
    assert sorted(found) == WEGO_FUNCTIONS
    for name in WEGO_FUNCTIONS:
        assert found[name]["name"] == name  # an empty namespace: plain =WEGO_FEE(...)
        assert found[name]["description"] == getattr(udfs, name).__doc__
        assert all(p["description"] for p in found[name]["parameters"])
    code = httpx.get(f"{server}/xlwings/custom-functions-code", timeout=10).text
    assert all(name in code for name in WEGO_FUNCTIONS)
    scripts = httpx.get(f"{server}/xlwings/custom-scripts-meta", timeout=10).json()
    assert "refresh_roster" in str(scripts)


EXPECTED = {
    "WEGO_FEE": ((970000, 35379), [[7000]]),
    "WEGO_STATUS": (([["Seoul"], ["세종시"]], "ko"), [["정회원"], ["준회원"]]),
    "WEGO_MEMBER_FEE": (("Seoul", 2016), [[7000]]),
    "WEGO_FEE_DUE": (("Sejong", 2016), [[False]]),
    "WEGO_GDP_YEAR": ((2016,), [[2014]]),
    "WEGO_REGION": (("Suva",), [["Oceania"]]),
    "WEGO_COUNTRY": (("Seoul",), [["Korea, Republic of"]]),
    "WEGO_IS_CAPITAL": (("Abu Dhabi",), [[False]]),
    "WEGO_MEMBERS": (("Oceania",), [["Suva"]]),
    "WEGO_MEMBER": (([[1], [2]],), [["Seoul"], ["Ulaanbaatar"]]),
    "WEGO_BANDS": ((970000, 35379), [["population 600~999 thousand; GDP 20,000~ USD"]]),
    "WEGO_INVOICED": (("Seoul", 2016), [[NA]]),  # no ledger beside this roster: an error, never 0
    "WEGO_INVOICE": (("Seoul", 2016), [[NA]]),
    "WEGO_PAID": (("Seoul",), [[NA]]),
    "WEGO_BALANCE": (("Seoul",), [[NA]]),
    "WEGO_ARREARS": (("Seoul",), [[NA]]),
    "WEGO_UNMATCHED": ((), [[NA]]),
    "WEGO_FAILED": (([[7000], [{"type": "Error", "errorType": "NotAvailable", "basicValue": "#N/A"}]],), [[1]]),
}


@pytest.mark.parametrize("name", WEGO_FUNCTIONS)
def test_every_function_over_http(server, name):
    if name == "WEGO_SCHEDULE":
        assert call(server, name, 2016)[-1][6:8] == [8500, 8500]
    elif name == "WEGO_EXPLAIN":
        assert call(server, name, "Seoul", 2016)[0][0].startswith("Seoul, fee year 2016: 7,000 USD")
    else:
        args, expected = EXPECTED[name]
        assert call(server, name, *args) == expected


def test_bare_error_values_and_the_text_fallback(server):
    assert call(server, "WEGO_FEE", [[970000], ["x"], [None]], [[35379], [1], [5]]) == [[7000], [VALUE], [NA]]
    assert call(server, "WEGO_STATUS", "Seol") == [[NA]]
    assert call(server, "WEGO_STATUS", "Seol", runtime="1.3") == [["#N/A"]]  # runtime 1.3: text


def test_an_unknown_function_is_an_error(server):
    response = httpx.post(
        f"{server}/xlwings/custom-functions-call",
        json=call_payload(xw.__version__, "WEGO_NOPE"),
        timeout=10,
    )
    assert response.status_code >= 400


def test_the_refresh_script_over_http(server, roster):
    book = book_payload(xw.__version__, 2016)
    response = httpx.post(f"{server}/xlwings/custom-scripts-call/refresh_roster", json=book, timeout=60)
    assert response.status_code == 200, response.text
    actions = response.json()["actions"]
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert added == ["Summary", "Fees 2016", "Checks"]
    fees = [a["values"] for a in actions if a["func"] == "setValues" and a["values"][0][0] == "Member ID"]
    assert len(fees) == 1 and len(fees[0]) == 101  # a header and a row per member
    seoul = dict(zip(fees[0][0], fees[0][1], strict=True))
    assert seoul["English name"] == "Seoul" and seoul["Amount owed (USD)"] == 7000
    assert openpyxl.load_workbook(roster).sheetnames[0] == "Members"  # the roster itself is only read
