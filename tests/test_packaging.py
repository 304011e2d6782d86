"""The package as users get it: a wheel that carries its catalogue, and clean code."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_the_catalogue_and_reads_it_from_the_zip(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(tmp_path)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    [wheel] = tmp_path.glob("finops_tui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "finops_tui/assets/catalogs/finops-2023.toml" in names
    assert "finops_tui/assets/catalogs/finops-2025.toml" in names
    assert "finops_tui/assets/lenses.toml" in names
    assert "finops_tui/focus/sql/commitment-utilization.sql" in names
    assert "finops_tui/serve/page.html" in names  # the page of `finops-tui serve`
    # Import straight from the zipped wheel: proves the catalogue is read through
    # importlib.resources, not from a path in a source checkout.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import finops_tui, finops_tui.catalog as c\n"
        "assert finops_tui.__file__.startswith(sys.argv[1]), finops_tui.__file__\n"
        "from finops_tui.focus.kpis import KPIS, sql\n"
        "assert all(sql(k) for k in KPIS if k != 'budget-variance' and k != 'unit-cost')\n"
        "from importlib.resources import files\n"
        "assert 'textual.js' in files('finops_tui.serve').joinpath('page.html').read_text()\n"
        "print(len(c.load_catalog().capabilities), c.available_catalogs(),\n"
        "      len(c.load_catalog('finops-2025').capabilities), len(c.shared_lenses()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(wheel)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "18 ['finops-2023', 'finops-2025'] 22 5"


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]])
def test_code_is_ruff_clean(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *args, "src", "tests", "bench", "docs"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
