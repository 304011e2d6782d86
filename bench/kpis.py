"""KPI speed on large FOCUS data: `python bench/kpis.py [--rows 10000000]`.

Generates synthetic FOCUS data (bench/make_focus.py): ROWS rows as Parquet, and a tenth of
that as CSV. Times each KPI on the Parquet file in a separate process (after reading it,
which is timed too), with the process's peak memory; and, for contrast, the same three
KPIs computed by a naive pure-Python pass over the CSV.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def child(path: str, kpis: list[str]) -> None:
    """In a process of its own: open the data, then time each KPI."""
    from finops_tui.focus.kpis import KPIS, Options, compute
    from finops_tui.focus.reader import open_focus

    start = time.perf_counter()
    data = open_focus([Path(path)])
    times = {"open": time.perf_counter() - start}
    options = Options(tag_key="environment", budget=1e6, unit_metric={"2025-01": 1e5})
    for kpi in kpis or list(KPIS):
        start = time.perf_counter()
        result = compute(data, [kpi], options)[kpi]
        times[kpi] = time.perf_counter() - start
        assert result.error is None or "not computable" in result.error, result.error
    data.close()
    print(json.dumps(times))


def naive(path: Path) -> dict[str, float]:
    """The same figures by reading the CSV row by row in Python, as a spreadsheet macro would."""
    times = {}
    start = time.perf_counter()
    months: dict[str, float] = {}
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            month = row["ChargePeriodStart"][:7]
            months[month] = months.get(month, 0.0) + float(row["EffectiveCost"] or 0)
    times["cost-by-month"] = time.perf_counter() - start
    start = time.perf_counter()
    tagged = total = 0.0
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            cost = float(row["EffectiveCost"] or 0)
            if cost > 0:
                total += cost
                if row["Tags"] and "environment" in json.loads(row["Tags"]):
                    tagged += cost
    times["tag-coverage"] = time.perf_counter() - start
    start = time.perf_counter()
    used = unused = 0.0
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            status = row["CommitmentDiscountStatus"]
            if status == "Used":
                used += float(row["EffectiveCost"] or 0)
            elif status == "Unused":
                unused += float(row["EffectiveCost"] or 0)
    times["commitment-utilization"] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        parquet, small_csv = Path(tmp) / "focus.parquet", Path(tmp) / "focus.csv"
        print(f"… generating {args.rows:,} rows of Parquet", file=sys.stderr, flush=True)
        subprocess.run(
            [sys.executable, str(BENCH / "make_focus.py"), str(parquet), str(args.rows)], check=True
        )
        print(f"… and {args.rows // 10:,} rows of CSV", file=sys.stderr, flush=True)
        subprocess.run(
            [sys.executable, str(BENCH / "make_focus.py"), str(small_csv), str(args.rows // 10)],
            check=True,
        )
        print("… timing each KPI with DuckDB", file=sys.stderr, flush=True)
        process = subprocess.Popen(
            [sys.executable, __file__, "--child", str(parquet)], stdout=subprocess.PIPE
        )
        out = process.stdout.read() if process.stdout else b""
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit("the KPI child failed")
        ours = json.loads(out)
        print("… the naive pure-Python pass over the CSV", file=sys.stderr, flush=True)
        slow = naive(small_csv)
    peak = usage.ru_maxrss / 1024
    print(f"\n{os.cpu_count()} cores; peak memory of the DuckDB process: {peak:.0f} MB\n")
    big, small = f"{args.rows:,}", f"{args.rows // 10:,}"
    print(f"| KPI | DuckDB, {big} rows (Parquet) | naive Python, {small} rows (CSV) |")
    print("|---|---|---|")
    for kpi, seconds in ours.items():
        contrast = f"{slow[kpi]:.2f} s" if kpi in slow else ""
        print(f"| {kpi} | {seconds:.2f} s | {contrast} |")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3:])
    else:
        main()
