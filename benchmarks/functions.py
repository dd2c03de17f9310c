"""Benchmarks of the worksheet functions: WEGO_FEE over a column and one cell at a time,
WEGO_STATUS over warm names and over a misspelling, and the xlwings Server path (measured in a
process of its own by ``server_calls.py``)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np

import udfs
from benchmarks.timing import ROOT, paired, result
from wego_xl.rules.names import name_key
from wego_xl.rules.schedules import SCHEDULE_2016
from wego_xl.store.roster import load_roster


def fee_vectorized_vs_numpy(rows: int, rounds: int) -> dict:
    rng = random.Random(1)
    pops = [[rng.uniform(0, 2e7)] for _ in range(rows)]
    gdps = [[rng.uniform(0, 1e5)] for _ in range(rows)]
    s = SCHEDULE_2016
    pop_edges, gdp_edges, table = np.asarray(s.population_lowers), np.asarray(s.gdp_lowers), np.asarray(s.fees)

    def lean():
        p = np.asarray(pops, dtype=float)
        g = np.asarray(gdps, dtype=float)
        i = np.searchsorted(pop_edges, p, side="right") - 1
        j = np.searchsorted(gdp_edges, g, side="right") - 1
        return table[j, i].tolist()

    assert udfs.WEGO_FEE(pops[:1000], gdps[:1000]) == [
        [float(table[np.searchsorted(gdp_edges, g[0], "right") - 1, np.searchsorted(pop_edges, p[0], "right") - 1])]
        for p, g in zip(pops[:1000], gdps[:1000])
    ]
    m, b, ratio = paired(lambda: udfs.WEGO_FEE(pops, gdps), lean, rounds)
    return result("fee_vectorized_vs_numpy", m, b, ratio, 1.5, rows=rows)


def scalar_fee_vs_rules(calls: int, rounds: int) -> dict:
    rng = random.Random(2)
    pairs = [(rng.uniform(0, 2e7), rng.uniform(0, 1e5)) for _ in range(calls)]
    m, b, ratio = paired(
        lambda: [udfs.WEGO_FEE(p, g) for p, g in pairs], lambda: [SCHEDULE_2016.fee(p, g) for p, g in pairs], rounds
    )
    return result(
        "scalar_fee_vs_rules", m, b, ratio, None, calls=calls, udf_calls_per_s=calls / m, rules_calls_per_s=calls / b
    )


def status_lookup_vs_dict(cells: int, rounds: int) -> dict:
    roster = load_roster()
    names = [n for mem in roster.members for n in mem.names()]
    rng = random.Random(3)
    column = [[rng.choice(names)] for _ in range(cells)]
    answers = {name_key(n): roster.find(n).membership.english for n in names}
    keys = [name_key(c[0]) for c in column]
    assert udfs.WEGO_STATUS(column) == [[answers[k]] for k in keys]  # warm, and right
    m, b, ratio = paired(lambda: udfs.WEGO_STATUS(column), lambda: [[answers[k]] for k in keys], rounds)
    return result("status_lookup_vs_dict", m, b, ratio, 3.0, cells=cells)


def misspelt_names_vs_valid(cells: int, rounds: int) -> dict:
    """WEGO_STATUS over a column of one misspelling vs the same column of a valid name (warm):
    a name that failed is remembered like one that matched."""
    wrong, right = [["Seol"]] * cells, [["Seoul"]] * cells
    assert udfs.WEGO_STATUS(wrong)[0][0].startswith("#N/A") and udfs.WEGO_STATUS(right)[0] == ["Full"]
    m, b, ratio = paired(lambda: udfs.WEGO_STATUS(wrong), lambda: udfs.WEGO_STATUS(right), rounds)
    return result("misspelt_names_vs_valid", m, b, ratio, 3.0, cells=cells)


def server_calls(rows: int, rounds: int) -> list[dict]:
    """The xlwings Server path, measured in a process of its own (benchmarks/server_calls.py)."""
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("server_calls.py")), str(rows), str(rounds)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])
