"""Benchmarks of the refresh: the shipped roster, and the cost per member at 10x the members
(synthetic rosters)."""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path

from benchmarks.timing import per_unit, result, timed
from wego_xl.excel.writers import refresh_file
from wego_xl.store.roster import SHIPPED_ROSTER
from workbooks.synthetic import synthetic_roster


def refresh_scaling(folder: Path, small: int, large: int, rounds: int) -> list[dict]:
    folder.mkdir(parents=True)
    shipped = folder / "wego_roster.xlsx"
    shutil.copy2(SHIPPED_ROSTER, shipped)
    shipped_s = statistics.median(
        timed(lambda: refresh_file(shipped, 2016, folder / "out_shipped.xlsx")) for _ in range(rounds)
    )
    paths = {n: synthetic_roster(folder, n) for n in (small, large)}
    times = {}
    for n, path in paths.items():
        times[n] = statistics.median(
            timed(lambda path=path, n=n: refresh_file(path, 2016, folder / f"out{n}.xlsx")) for _ in range(rounds)
        )
    return [
        result("refresh_shipped_roster", shipped_s, None, None, None, members=100),
        per_unit(f"refresh_per_member_{large}_vs_{small}", times, 1.5),
    ]
