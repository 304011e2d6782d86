"""The benchmark: finops-tui against a bare Textual app, measured in the same run.

    python bench/run.py            # everything (a few minutes)
    python bench/run.py --quick    # fewer repeats, no test-suite timing

Needs only the project and its test extras. Every figure comes from separate processes,
after a warm-up run, as the median of several; the bare Textual app (bench/bare_app.py)
is measured the same way, and the table shows each figure's ratio to it.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
SCRIPT = str(Path(PYTHON).parent / "finops-tui")
SIZES = (0, 20, 500)


@dataclass
class Run:
    seconds: float
    max_rss_mb: float


def spawn(
    argv: Sequence[str], *, until: str | None = None, env: dict[str, str] | None = None
) -> Run:
    """Run `argv`; time it to the line `until` on stdout (or to its exit), with its max RSS."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    assert process.stdout is not None
    seen = None
    if until is not None:
        for line in process.stdout:
            if line.decode().strip() == until:
                seen = time.perf_counter() - start
                break
    process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    ended = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or (until is not None and seen is None):
        raise SystemExit(f"{' '.join(argv)} failed (exit {process.returncode})")
    return Run(seen if seen is not None else ended, usage.ru_maxrss / 1024)


def repeat(argv: Sequence[str], times: int, **kwargs: object) -> list[Run]:
    spawn(argv, **kwargs)  # warm-up: file cache, .pyc files
    return [spawn(argv, **kwargs) for _ in range(times)]


def median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def make_data(root: Path) -> dict[int, Path]:
    dirs = {}
    for size in SIZES:
        directory = root / f"data-{size}"
        subprocess.run([PYTHON, str(BENCH / "make_data.py"), str(directory), str(size)], check=True)
        dirs[size] = directory
    return dirs


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def row(name: str, value: str, ratio: float | None = None, budget: str = "") -> str:
    shown = f"{ratio:.2f}×" if ratio is not None else ""
    return f"| {name} | {value} | {shown} | {budget} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats, no test-suite timing")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--only", choices=["paint", "keys", "scripts", "memory", "suite"])
    args = parser.parse_args()
    times = args.repeats or (3 if args.quick else 9)
    wanted = {args.only} if args.only else {"paint", "keys", "scripts", "memory", "suite"}
    if args.quick:
        wanted.discard("suite")
    lines = ["| Measurement | finops-tui | ratio to bare | budget |", "|---|---|---|---|"]

    def progress(text: str) -> None:
        print(f"… {text}", file=sys.stderr, flush=True)

    # As installed: pip compiles a package's modules when it installs it, and Textual's are
    # compiled here; an editable checkout (or PYTHONDONTWRITEBYTECODE) would otherwise have
    # every start compile finops-tui's source, which no user's start does.
    import finops_tui

    compileall.compile_dir(Path(finops_tui.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FINOPS_TUI_CONFIG_DIR"] = str(Path(tmp) / "config")  # not the user's
        os.environ["FINOPS_TUI_CACHE_DIR"] = str(Path(tmp) / "cache")
        progress("generating data dirs of 0, 20 and 500 iterations")
        dirs = make_data(Path(tmp))
        paint = [PYTHON, str(BENCH / "first_paint.py")]
        # Interleaved rounds (bare, then each data dir), so a change in the machine's load
        # affects both sides of a ratio alike.
        commands = {"bare": [*paint, "bare"]}
        if "paint" in wanted:
            commands |= {f"finops-{n}": [*paint, "finops", str(dirs[n])] for n in SIZES}
        scripts = {
            "`list`": [SCRIPT, "list"],
            "`export latest --format markdown`": [
                SCRIPT, "export", "latest", "--format", "markdown"
            ],
            "`export --all --format csv`": [SCRIPT, "export", "--all", "--format", "csv"],
            "`progress`": [SCRIPT, "progress"],
            "`progress --format html`": [SCRIPT, "progress", "--format", "html"],
        }  # fmt: skip
        if "scripts" in wanted:
            commands |= scripts
        big = {"FINOPS_TUI_DATA_DIR": str(dirs[500])}
        progress(f"{', '.join(commands)}: {times} interleaved rounds after a warm-up")
        runs: dict[str, list[Run]] = {name: [] for name in commands}
        for round_ in range(times + 1):
            for name, argv in commands.items():
                # Scripting commands are timed to their exit, the apps to their first frame.
                scripted = name in scripts
                run = spawn(
                    argv, env=big if scripted else None, until=None if scripted else "painted"
                )
                if round_:
                    runs[name].append(run)
        bare = median(runs["bare"])
        bare_rss = statistics.median(r.max_rss_mb for r in runs["bare"])
        lines.append(row("bare Textual app, first paint", f"{bare * 1000:.0f} ms", 1.0))
        for size in SIZES if "paint" in wanted else ():
            value = median(runs[f"finops-{size}"])
            budget = "≤ 1.5×" if size == 500 else "≤ 1.3×"
            lines.append(
                row(
                    f"first paint, {size} iterations",
                    f"{value * 1000:.0f} ms",
                    value / bare,
                    budget,
                )
            )

        if "keys" in wanted:
            for which, floor, label in (
                ("matrix", "bare-table", "goal matrix"),
                ("picker", "bare-list", "scope picker"),
            ):
                progress(f"keystroke latency: {label} and its bare Textual counterpart")
                ours: list[float] = []
                base: list[float] = []
                for _ in range(max(2, times // 3)):  # pooled over processes, interleaved
                    for name, pool in ((which, ours), (floor, base)):
                        keys = subprocess.check_output([PYTHON, str(BENCH / "keys.py"), name])
                        pool.extend(json.loads(keys))
                for name, fraction in (("p50", 0.5), ("p95", 0.95), ("max", 1.0)):
                    mine, theirs = percentile(ours, fraction), percentile(base, fraction)
                    lines.append(
                        row(
                            f"keystroke → repaint, {label}, {name} ({len(ours)} keys)",
                            f"{mine * 1000:.1f} ms (bare {theirs * 1000:.1f} ms)",
                            mine / theirs,
                            "p95 ≤ 16 ms" if name == "p95" else "",
                        )
                    )

        for name in scripts if "scripts" in wanted else ():
            value = median(runs[name])
            lines.append(
                row(f"{name}, 500 iterations", f"{value * 1000:.0f} ms", value / bare, "≤ 1.0×")
            )

        if "memory" in wanted:
            progress("peak memory of the TUI with 500 iterations loaded")
            runs = repeat(
                [*paint, "finops-loaded", str(dirs[500])], max(3, times // 3), until="painted"
            )
            rss = statistics.median(r.max_rss_mb for r in runs)
            lines.append(
                row(
                    "peak memory (max RSS), 500 iterations loaded",
                    f"{rss:.0f} MB (bare {bare_rss:.0f} MB)",
                    rss / bare_rss,
                    "≤ 1.3×",
                )
            )

    if "suite" in wanted:
        progress("the README's test command (pytest -n 4)")
        start = time.perf_counter()
        suite = subprocess.run(
            [PYTHON, "-m", "pytest", "-q", "-n", "4"], cwd=ROOT, check=False, capture_output=True
        )
        took = f"{time.perf_counter() - start:.0f} s"
        if suite.returncode:
            took += f" (failed: exit {suite.returncode})"
        lines.append(row("whole test suite (`pytest -n 4`)", took, None, "≤ 60 s"))

    print(f"\n{os.cpu_count()} cores, Python {sys.version.split()[0]}, median of {times} runs\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
