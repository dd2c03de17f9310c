"""Benchmarks of the xlwings Server path (run by benchmarks/run.py in its own process, as
xlwings fixes its mode on first import):

* ``server_call_vs_function``: a 1,000-row WEGO_FEE through xlwings' own
  ``custom_functions_call`` (what xlwings Server and Lite run) against the function itself;
  reported, no target (xlwings' conversion is the host's cost).
* ``server_call_vs_xlwings_floor``: the same call against an identity function taking the
  same 1,000-row arguments through ``custom_functions_call``: what WeGO adds on top of the
  host's floor. Target <= 1.5.

Prints one JSON list of results.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import types
from pathlib import Path

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import xlwings as xw  # noqa: E402
import xlwings.server  # noqa: E402

import udfs  # noqa: E402
from benchmarks.timing import paired, result  # noqa: E402
from wego_xl.excel import worksheet as wf  # noqa: E402


def _floor_module() -> types.ModuleType:
    module = types.ModuleType("floor")

    @xw.func
    @xw.arg("population", ndim=2)
    @xw.arg("gdp_per_capita", ndim=2)
    def IDENTITY(population, gdp_per_capita):
        return population

    module.IDENTITY = IDENTITY  # type: ignore[attr-defined]
    return module


def _payload(name: str, rows: int) -> dict:
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "runtime": "1.4",
        "func_name": name,
        "args": [[[970_000 + i] for i in range(rows)], [[35_379.0 - i] for i in range(rows)]],
        "caller_address": "Sheet1!C1",
        "culture_info_name": "en-US",
        "date_format": "M/d/yyyy",
    }


def main() -> None:
    rows, rounds = (int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (1_000, 15)
    fee, floor = _payload("WEGO_FEE", rows), _payload("IDENTITY", rows)
    module = _floor_module()
    population, gdp = fee["args"]

    def through_server() -> object:
        return asyncio.run(xlwings.server.custom_functions_call(fee, udfs))

    def floor_call() -> object:
        return asyncio.run(xlwings.server.custom_functions_call(floor, module))

    assert through_server()[0] == [7000]
    m, b, ratio = paired(through_server, lambda: wf.fee(population, gdp, text_errors=False), rounds)
    out = [result("server_call_vs_function", m, b, ratio, None, rows=rows, is_jsnull_fast=udfs.FAST_JSNULL)]
    m, b, ratio = paired(through_server, floor_call, rounds)
    out.append(result("server_call_vs_xlwings_floor", m, b, ratio, 1.5, rows=rows))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
