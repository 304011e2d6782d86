"""KPI speed on large FOCUS data: `python bench/kpis.py [--rows 10000000] [--engines duckdb,spark]`.

Generates synthetic FOCUS data (bench/make_focus.py): ROWS rows as Parquet, and a tenth of
that as CSV. Times each KPI on the Parquet file in a separate process per engine (after
reading and checking it, which is timed too), with the process's peak memory: DuckDB, and
Apache Spark on this machine (`local[*]`, the `spark` extra and Java 17+; its JVM's
memory is not in the peak). For contrast, the same three KPIs by a naive pure-Python pass
over the CSV.
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


def child(engine: str, path: str) -> None:
    """In a process of its own: open the data with `engine`, then time each KPI."""
    from finops_tui.focus.kpis import KPIS, Options, compute

    times = {}
    if engine == "spark":
        from finops_tui.focus.spark import open_spark, session

        start = time.perf_counter()
        spark = session()
        spark.sql("SELECT 1").collect()
        times["start Spark"] = time.perf_counter() - start
        start = time.perf_counter()
        data = open_spark([Path(path)], spark=spark)
    else:
        from finops_tui.focus.reader import open_focus

        start = time.perf_counter()
        data = open_focus([Path(path)])
    times["open"] = time.perf_counter() - start
    options = Options(tag_key="environment", budget=1e6, unit_metric={"2025-01": 1e5})
    for kpi in KPIS:
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


def run_child(engine: str, parquet: Path) -> tuple[dict[str, float], float]:
    """Each KPI's seconds with `engine`, and the process's peak memory in MB."""
    print(f"… timing each KPI with {engine}", file=sys.stderr, flush=True)
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", engine, str(parquet)], stdout=subprocess.PIPE
    )
    out = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"the {engine} KPI child failed")
    return json.loads(out), usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--engines", default="duckdb,spark", help="duckdb, spark or both")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
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
        measured = {engine: run_child(engine, parquet) for engine in engines}
        print("… the naive pure-Python pass over the CSV", file=sys.stderr, flush=True)
        slow = naive(small_csv)
    peaks = "; ".join(f"{engine} {peak:.0f} MB" for engine, (_, peak) in measured.items())
    print(f"\n{os.cpu_count()} cores; peak memory of the Python process: {peaks}\n")
    big, small = f"{args.rows:,}", f"{args.rows // 10:,}"
    names = {"duckdb": "DuckDB", "spark": "Spark local"}
    heads = [f"{names[e]}, {big} rows (Parquet)" for e in engines]
    print(f"| KPI | {' | '.join(heads)} | naive Python, {small} rows (CSV) |")
    print("|---|" + "---|" * len(engines) + "---|")
    steps = sorted(
        dict.fromkeys(k for times, _ in measured.values() for k in times),
        key=lambda step: step != "start Spark",  # Spark's start first, then as timed
    )
    for step in steps:
        cells = [f"{times[step]:.2f} s" if step in times else "" for times, _ in measured.values()]
        contrast = f"{slow[step]:.2f} s" if step in slow else ""
        print(f"| {step} | {' | '.join(cells)} | {contrast} |")


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
