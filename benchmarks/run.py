"""wego-xl benchmarks: each figure beside a baseline measured in the same run.

    python benchmarks/run.py [--json FILE] [--quick] [--only TEXT]

These machines are shared and noisy, so every comparison interleaves the measured code and
its baseline and reports the median of several rounds (``timing.py``). Exit 1 when a target is
missed. The benchmarks live by room: ``functions.py`` (the worksheet functions and the xlwings
Server path), ``ledger.py``, ``bank.py``, ``journal.py``, ``startup.py``, ``refresh.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bank import bank_import_scaling, bank_matching_vs_dict_join  # noqa: E402
from benchmarks.functions import (  # noqa: E402
    fee_vectorized_vs_numpy,
    misspelt_names_vs_valid,
    scalar_fee_vs_rules,
    server_calls,
    status_lookup_vs_dict,
)
from benchmarks.journal import journal_scaling  # noqa: E402
from benchmarks.ledger import balance_warm_vs_dict, export_scaling, ledger_scaling, pay_scaling  # noqa: E402
from benchmarks.refresh import refresh_scaling  # noqa: E402
from benchmarks.startup import import_udfs_vs_xlwings, roster_load  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the results to this file")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds (a smoke run)")
    parser.add_argument("--only", metavar="TEXT", help="run only the benchmarks whose function name contains TEXT")
    args = parser.parse_args()
    q = args.quick
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan: list[tuple[Callable[..., dict | list[dict]], tuple]] = [
            (fee_vectorized_vs_numpy, (100_000 if q else 1_000_000, 3 if q else 7)),
            (scalar_fee_vs_rules, (2_000 if q else 20_000, 3 if q else 5)),
            (status_lookup_vs_dict, (20_000 if q else 100_000, 3 if q else 9)),
            (misspelt_names_vs_valid, (100_000 if q else 1_000_000, 3 if q else 5)),
            (balance_warm_vs_dict, (folder / "balance", 10_000, 3 if q else 9)),
            (pay_scaling, (folder / "pay", 1_000, 10_000 if q else 100_000, 5 if q else 10, 5 if q else 15)),
            (ledger_scaling, (100 if q else 1_000, 1_000 if q else 10_000, 10, 1 if q else 3)),
            (export_scaling, (folder / "export", 1_000 if q else 10_000, 10_000 if q else 100_000, 1 if q else 2)),
            (bank_matching_vs_dict_join, (1_000 if q else 10_000, 200 if q else 2_000, 3 if q else 7)),
            (bank_import_scaling, (folder / "bank", 50 if q else 500, 500 if q else 5_000, 1 if q else 3)),
            (journal_scaling, (folder / "journal", 1_000 if q else 10_000, 10_000 if q else 100_000, 1 if q else 2)),
            (import_udfs_vs_xlwings, (3 if q else 9,)),
            (roster_load, (3 if q else 7,)),
            (server_calls, (1_000, 5 if q else 15)),
            (refresh_scaling, (folder / "refresh", 200 if q else 1_000, 2_000 if q else 10_000, 1 if q else 3)),
        ]
        results: list[dict] = []
        for benchmark, sizes in plan:
            if args.only and args.only not in benchmark.__name__:
                continue
            out = benchmark(*sizes)
            results += out if isinstance(out, list) else [out]
    if not results:
        parser.error(f"no benchmark's name contains {args.only!r}")
    width = max(len(r["name"]) for r in results)
    print(f"{'benchmark':<{width}}  {'measured':>10}  {'baseline':>10}  {'ratio':>7}  target")
    for r in results:
        base = "" if r["baseline_s"] is None else f"{r['baseline_s']:.4f}s"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        target = "" if r["target"] is None else f"<= {r['target']} {'ok' if r['ok'] else 'MISSED'}"
        print(f"{r['name']:<{width}}  {r['measured_s']:>9.4f}s  {base:>10}  {ratio:>7}  {target}")
        extra = {k: v for k, v in r.items() if k not in ("name", "measured_s", "baseline_s", "ratio", "target", "ok")}
        if extra:
            shown = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in extra.items()}
            print(f"{'':<{width}}  {json.dumps(shown, ensure_ascii=False)}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 1 if any(r["ok"] is False for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
