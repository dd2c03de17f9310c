"""How the benchmarks time: a figure and its baseline interleaved round by round, medians, and
one result row per comparison (what ``run.py`` prints and writes as JSON)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def paired(measured: Callable[[], object], baseline: Callable[[], object], rounds: int) -> tuple[float, float, float]:
    """(median measured s, median baseline s, median of the per-round ratios), interleaved."""
    ms: list[float] = []
    bs: list[float] = []
    ratios: list[float] = []
    for i in range(rounds):
        if i % 2:
            b, m = timed(baseline), timed(measured)
        else:
            m, b = timed(measured), timed(baseline)
        ms.append(m)
        bs.append(b)
        ratios.append(m / b)
    return statistics.median(ms), statistics.median(bs), statistics.median(ratios)


def interleaved(run: Callable[[int], float], small: int, large: int, rounds: int, small_runs: int) -> dict[int, float]:
    """The median seconds of ``run(size)`` for each size (small first): each round runs the large
    size once, then the small one ``small_runs`` times (the short run, more often), so that both
    sizes see the same machine load, as paired() does. ``run`` returns the seconds it took."""
    samples: dict[int, list[float]] = {small: [], large: []}
    for _ in range(rounds):
        samples[large].append(run(large))
        samples[small] += [run(small) for _ in range(small_runs)]
    return {n: statistics.median(ts) for n, ts in samples.items()}


def result(name, measured, baseline, ratio, target, **figures):
    ok = None if target is None else ratio <= target
    return {
        "name": name,
        "measured_s": measured,
        "baseline_s": baseline,
        "ratio": ratio,
        "target": target,
        "ok": ok,
        **figures,
    }


def per_unit(name: str, times: dict[int, float], target: float, units: dict[int, int] | None = None, **figures):
    """A scaling result: the large run's cost per unit (invoice, line, row...) against the small
    run's. ``times`` are the seconds in all by size (small first, as shown); ``units`` the
    units each size holds (the size itself when not given)."""
    small, large = times
    per = {n: t / (units[n] if units else n) for n, t in times.items()}
    seconds = {str(k): round(v, 3) for k, v in times.items()}
    return result(name, per[large], per[small], per[large] / per[small], target, seconds=seconds, **figures)
