"""The command line: list, doctor, exit codes, and no Textual on the scripting paths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from finops_tui import __version__, locations
from finops_tui.cli import run
from finops_tui.model import Outcome
from finops_tui.store import Store

from .conftest import make_iteration


def finops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def filled(store: Store) -> Store:
    older = make_iteration(id="2026-10-01-ab12", number=2, previous=None, title="Budgets first")
    older.goals[0].outcome = Outcome.ACHIEVED
    older.close(older.ends)
    store.save(older)
    store.save(make_iteration(title="Commit \x1b[31mred [bold]x[/]"))
    return store


def test_list_shows_a_table_newest_first(filled: Store, capsys: pytest.CaptureFixture) -> None:
    assert run(["list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["#", "ID", "TITLE", "STATUS", "DATES", "CAPS", "GOALS", "SCORE"]
    assert out[1].startswith("3  2026-11-28-k3f9")
    assert "\\x1b[31mred" in out[1] and "\x1b" not in "".join(out)
    assert "[bold]x[/]" in out[1]
    assert out[2].startswith("2  2026-10-01-ab12  Budgets first")
    assert "closed" in out[2] and "1/2" in out[2]


def test_list_json(filled: Store, capsys: pytest.CaptureFixture) -> None:
    assert run(["list", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    first, second = payload["iterations"]
    assert first["id"] == "2026-11-28-k3f9" and first["title"] == "Commit \x1b[31mred [bold]x[/]"
    assert first["capabilities"] == [
        "budget-management", "commitment-based-discounts", "managing-anomalies",
    ]  # fmt: skip
    assert (first["goals"], first["goals_achieved"], first["score"]) == (2, 0, 9)
    assert first["score_percent"] == 15.0
    assert second["status"] == "closed" and payload["problems"] == []


def test_list_empty_data_dir(capsys: pytest.CaptureFixture) -> None:
    assert run(["list"]) == 0
    assert "No iterations yet" in capsys.readouterr().out


def test_list_mentions_unreadable_files(filled: Store, capsys: pytest.CaptureFixture) -> None:
    (filled.iterations_dir / "broken.toml").write_text("not = [toml")
    assert run(["list"]) == 0
    captured = capsys.readouterr()
    assert "2026-11-28-k3f9" in captured.out
    assert "1 file could not be read" in captured.err
    assert run(["list", "--json"]) == 0
    [problem] = json.loads(capsys.readouterr().out)["problems"]
    assert problem["kind"] == "syntax" and problem["line"] == 1


def test_doctor_good(filled: Store, capsys: pytest.CaptureFixture) -> None:
    assert run(["doctor"]) == 0
    assert "2 files checked" in capsys.readouterr().out


def test_doctor_reports_each_problem_and_exits_1(
    filled: Store, capsys: pytest.CaptureFixture
) -> None:
    bad = filled.iterations_dir / "broken.toml"
    bad.write_text('schema_version = 1\ntitle = "open\n')
    newer = filled.iterations_dir / "newer.toml"
    newer.write_text("schema_version = 99\n")
    assert run(["doctor"]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:2: TOML syntax error" in out
    assert f"{newer}: schema_version 99 is newer" in out
    assert "4 files checked" in out and "2 with problems" in out


def test_doctor_without_a_data_dir(capsys: pytest.CaptureFixture) -> None:
    assert run(["doctor"]) == 0
    assert "nothing to check" in capsys.readouterr().out


def test_data_dir_flag_beats_the_environment(
    tmp_path: Path, filled: Store, capsys: pytest.CaptureFixture
) -> None:
    assert run(["--data-dir", str(tmp_path / "elsewhere"), "list"]) == 0
    assert "No iterations yet" in capsys.readouterr().out


def test_data_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert locations.data_dir("~/x") == Path.home() / "x"
    assert locations.data_dir() == tmp_path / "data"
    monkeypatch.delenv("FINOPS_TUI_DATA_DIR")
    assert locations.data_dir() == tmp_path / "xdg-data" / "finops-tui"
    assert locations.config_file() == tmp_path / "config" / "config.toml"


def test_errors_are_one_line_exit_1_no_traceback(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    result = finops("--data-dir", str(not_a_dir), "list")
    assert result.returncode == 1
    assert (
        result.stderr
        == f"finops-tui: error: {not_a_dir}: the data dir is a file, not a directory\n"
    )


def test_version_help_and_usage_errors() -> None:
    assert finops("--version").stdout.strip() == f"finops-tui {__version__}"
    help_text = finops("--help")
    assert help_text.returncode == 0 and "doctor" in help_text.stdout
    assert finops("no-such-command").returncode == 2


@pytest.mark.parametrize(
    "command",
    [
        ["list"], ["list", "--json"], ["doctor"], ["--version"], ["catalog"],
        ["catalog", "--json"], ["catalog", "--framework", "finops-2025"], ["cache"],
        ["progress"], ["progress", "--format", "html"], ["progress", "--format", "json"],
        ["progress", "--format", "markdown"], ["progress", "--format", "csv"],
        ["diff", "2", "latest"], ["diff", "2", "3", "--format", "markdown"],
    ],
)  # fmt: skip
def test_script_commands_do_not_import_textual(filled: Store, command: list[str]) -> None:
    code = (
        "import sys\n"
        "from finops_tui.cli import run\n"
        f"try:\n    run({command!r})\nexcept SystemExit:\n    pass\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')], 'textual'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_catalog_lists_the_frameworks(capsys: pytest.CaptureFixture) -> None:
    assert run(["catalog", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "frameworks": [
            {
                "id": "finops-2023",
                "name": "FinOps Framework 2023 (as listed by Microsoft's FinOps docs, early 2024)",
                "domains": 6,
                "capabilities": 18,
                "source": "builtin",
            },
            {
                "id": "finops-2025",
                "name": "FinOps Framework 2025 (as listed by Microsoft's FinOps docs)",
                "domains": 4,
                "capabilities": 22,
                "source": "builtin",
            },
        ]
    }
    assert run(["catalog"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["ID", "NAME", "DOMAINS", "CAPS", "SOURCE"]
    assert out[2].startswith("finops-2025") and out[2].split()[-3:] == ["4", "22", "builtin"]


def test_catalog_of_one_framework(capsys: pytest.CaptureFixture) -> None:
    assert run(["catalog", "--framework", "finops-2025", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert list(payload) == ["id", "name", "domains", "capabilities", "starter_groups"]
    assert payload["domains"][0] == {"id": "understand", "name": "Understand usage and cost"}
    assert len(payload["capabilities"]) == 22
    assert payload["capabilities"][1] == {
        "id": "allocation",
        "name": "Allocation",
        "domain": "understand",
        "url": "https://learn.microsoft.com/cloud-computing/finops/framework/understand/allocation",
        "kpis": [
            "Share of spend allocated to an owner (80% to start, 90% or more when mature)",
            "Share of cost compliant with the tagging policy",
            "Share of shared cost that is still unallocated",
        ],
        "cost_kpis": ["tag-coverage", "cost-by-month"],
        "successor_of": ["cost-allocation", "managing-shared-cost"],
    }
    assert set(payload["starter_groups"][0]) == {"id", "title", "description", "capabilities"}
    assert run(["catalog", "--framework", "finops-2025"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("finops-2025: FinOps Framework 2025")
    assert "succeeds finops-2023" in out
    assert "allocation" in out and "cost-allocation, managing-shared-cost" in out
    assert "STARTER GROUP" in out


def test_catalog_reports_broken_custom_catalogues_and_goes_on(
    capsys: pytest.CaptureFixture,
) -> None:
    directory = locations.catalogs_dir()
    directory.mkdir(parents=True)
    broken = directory / "ours.toml"
    broken.write_text('id = "ours"\nname = "Ours\n', encoding="utf-8")
    assert run(["catalog", "--json"]) == 0
    captured = capsys.readouterr()
    assert [f["id"] for f in json.loads(captured.out)["frameworks"]] == [
        "finops-2023", "finops-2025",
    ]  # fmt: skip
    assert f"finops-tui: {broken}:2: TOML syntax error" in captured.err
    assert run(["catalog", "--framework", "ours"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("finops-tui: error: catalogue 'ours' cannot be used: ")
    assert err[-1].endswith("(on offer: finops-2023, finops-2025)")


def test_catalog_of_an_unknown_framework_is_one_line_exit_1() -> None:
    result = finops("catalog", "--framework", "finops-1999")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("finops-tui: error: catalogue 'finops-1999' is not installed")
    assert result.stderr.count("\n") == 1
