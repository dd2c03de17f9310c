"""Benchmarks of start-up: a new process importing udfs.py (what Excel starts) against one
importing xlwings, and the first read of the shipped roster against a cached load."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from benchmarks.timing import ROOT, paired, result
from wego_xl.store.roster import SHIPPED_ROSTER, load_roster, read_roster


def import_udfs_vs_xlwings(rounds: int) -> dict:
    def start(code: str) -> Callable[[], object]:
        return lambda: subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)

    start("import udfs")()  # warm the file cache and bytecode once
    m, b, ratio = paired(start("import udfs"), start("import xlwings"), rounds)
    return result("import_udfs_vs_xlwings", m, b, ratio, 1.2)


def roster_load(rounds: int) -> dict:
    load_roster(SHIPPED_ROSTER)
    m, b, ratio = paired(lambda: read_roster(SHIPPED_ROSTER), lambda: load_roster(SHIPPED_ROSTER), rounds)
    return result("roster_load_cold_vs_cached", m, b, ratio, None, members=100)
