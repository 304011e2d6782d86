"""A long history with a cold index: `list`, and the app, on thousands of iterations.

    python bench/cold_list.py                   # 5,000 iterations, 3 runs each
    python bench/cold_list.py --count 500 --repeats 5
    python bench/cold_list.py --data DIR        # reuse a data dir from make_data.py

Each run starts with an empty cache dir, so every file is parsed (in a pool of processes,
one per core); `list` is timed to its exit, the app to its first frame and to its first
frame with the list filled (bench/first_paint.py). Medians of the runs, after a warm-up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import BENCH, PYTHON, SCRIPT, spawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warm-ups", type=int, default=1, help="untimed rounds first")
    parser.add_argument("--data", type=Path, help="a data dir made by make_data.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or Path(tmp) / "data"
        if args.data is None:
            print(f"… generating {args.count} iterations", file=sys.stderr, flush=True)
            cmd = [PYTHON, str(BENCH / "make_data.py"), str(data), str(args.count)]
            subprocess.run(cmd, check=True)
        count = len(list((data / "iterations").glob("*.toml")))
        cache = Path(tmp) / "cache"
        os.environ["FINOPS_TUI_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["FINOPS_TUI_CACHE_DIR"] = str(cache)
        paint = [PYTHON, str(BENCH / "first_paint.py")]
        commands = {
            "`list`, cold index": ([SCRIPT, "--data-dir", str(data), "list"], None),
            "app, first paint, cold index": ([*paint, "finops", str(data)], "painted"),
            "app, list filled, cold index": ([*paint, "finops-loaded", str(data)], "painted"),
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(args.warm_ups + args.repeats):  # warm-ups: file cache, .pyc files
            for name, (argv, until) in commands.items():
                shutil.rmtree(cache, ignore_errors=True)
                run = spawn(argv, until=until)
                if round_ >= args.warm_ups:
                    times[name].append(run.seconds)
        listing = [SCRIPT, "--data-dir", str(data), "list"]
        warm = [spawn(listing).seconds for _ in range(args.repeats)]
        print(f"| Measurement ({count} iterations, {os.cpu_count()} cores) | median | runs |")
        print("|---|---|---|")
        for name, values in [*times.items(), ("`list`, current index", warm)]:
            runs = ", ".join(f"{v:.2f}" for v in values)
            print(f"| {name} | {statistics.median(values):.2f} s | {runs} |")


if __name__ == "__main__":
    main()
