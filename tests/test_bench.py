"""The benchmark's harness still runs (its figures are in the README, not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench(*args: str) -> str:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, check=True
    ).stdout


def test_data_is_generated_and_both_apps_paint(tmp_path: Path) -> None:
    bench(str(BENCH / "make_data.py"), str(tmp_path / "data"), "12")
    assert len(list((tmp_path / "data" / "iterations").glob("*.toml"))) == 12
    assert bench(str(BENCH / "first_paint.py"), "bare").strip() == "painted"
    for mode in ("finops", "finops-loaded"):
        out = bench(str(BENCH / "first_paint.py"), mode, str(tmp_path / "data"))
        assert out.strip() == "painted"


@pytest.mark.parametrize("which", ["matrix", "picker", "bare-list"])
def test_keystrokes_are_timed(which: str) -> None:
    latencies = json.loads(bench(str(BENCH / "keys.py"), which, "16"))
    assert len(latencies) == 16
    assert all(0 < seconds < 2 for seconds in latencies)


def test_the_kpi_benchmark_runs_on_a_small_table() -> None:
    out = bench(str(BENCH / "kpis.py"), "--rows", "20000", "--engines", "duckdb")
    assert "| commitment-utilization |" in out and "peak memory" in out


def test_the_cold_index_benchmark_runs_on_a_short_history() -> None:
    out = bench(str(BENCH / "cold_list.py"), "--count", "8", "--repeats", "1", "--warm-ups", "0")
    assert "| `list`, cold index |" in out and "| app, list filled, cold index |" in out


def test_the_sync_benchmark_runs_two_clones() -> None:
    out = bench(str(BENCH / "sync.py"), "--edits", "1")
    assert "1 of 1 merges conflict" in out and "sync wall time: median" in out
