"""Standard output that is closed, full, gone or narrow: every command says so in one line on
stderr (or, for a reader that left, says nothing), and no text reaches the terminal raw."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from finops_tui.output import printable
from finops_tui.store import Store

from ..conftest import make_iteration

FOCUS = Path(__file__).parent.parent / "data" / "focus" / "FOCUS-Sample-Data"
COMMANDS = [["list"], ["doctor"], ["export", "latest"], ["kpis", str(FOCUS)]]
QUICK = COMMANDS[:3]  # kpis, the slowest, runs where the others cannot stand in for it
IDS = ["list", "doctor", "export", "kpis"]
ESC = "\x1b"


def finops_sh(
    redirect: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command line through a shell that applies `redirect` to it (e.g. `>&-`)."""
    return subprocess.run(
        ["sh", "-c", f'exec "$0" -m finops_tui "$@" {redirect}', sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


@pytest.fixture(autouse=True)
def one(store: Store) -> Store:
    store.save(make_iteration(title="Budgets → commitments"))
    return store


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_a_closed_stdout_is_one_line_and_exit_1(command: list[str]) -> None:
    result = finops_sh(">&-", *command)
    assert result.returncode == 1
    assert result.stderr == "finops-tui: error: cannot write to standard output: it is closed\n"


@pytest.mark.parametrize("command", QUICK, ids=IDS[:3])
def test_a_full_stdout_is_one_line_and_exit_1(command: list[str]) -> None:
    result = finops_sh("> /dev/full", *command)
    assert result.returncode == 1
    assert result.stderr == (
        "finops-tui: error: cannot write to standard output: No space left on device\n"
    )


@pytest.mark.parametrize("command", QUICK, ids=IDS[:3])
def test_a_reader_that_left_is_a_quiet_exit_0(command: list[str]) -> None:
    read, write = os.pipe()
    os.close(read)  # every write to the pipe now fails with EPIPE, as after `| head -1` quits
    try:
        result = subprocess.run(
            [sys.executable, "-m", "finops_tui", *command],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("command", [["list"], ["kpis", str(FOCUS)]], ids=["list", "kpis"])
def test_text_a_cp1252_stream_cannot_carry_is_replaced(command: list[str]) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    result = subprocess.run(
        [sys.executable, "-m", "finops_tui", *command],
        capture_output=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("cp1252")
    assert "?" in out and "→" not in out and "σ" not in out
    if command == ["list"]:
        assert "Budgets ? commitments" in out and "2026-11-28 ? 2026-12-26" in out
    assert result.stderr.decode("cp1252").splitlines()[-1] == (
        "note: some characters cannot be written in cp1252 and were written as '?'; "
        "PYTHONIOENCODING=utf-8 keeps them"
    )


def test_an_export_a_stream_can_carry_is_not_touched() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    plain = subprocess.run(
        [sys.executable, "-m", "finops_tui", "export", "latest", "--format", "json"],
        capture_output=True,
        timeout=60,
        check=True,
        env={**env, "PYTHONIOENCODING": "utf-8"},
    )
    narrow = subprocess.run(
        [sys.executable, "-m", "finops_tui", "export", "latest", "--format", "json"],
        capture_output=True,
        timeout=60,
        check=True,
        env=env,
    )
    assert narrow.stdout == plain.stdout.replace("→".encode(), b"?")
    assert b"note:" in narrow.stderr and plain.stderr == b""


# -- escapes ------------------------------------------------------------------------------------


def test_printable_escapes_every_control_and_formatting_character() -> None:
    hostile = "a\x1b[2Jb\x07c\x00d\re\x7ff\x9bg\u202eh\u2028i\U000e0001j\n"
    shown = printable(hostile)
    assert shown == ("a\\x1b[2Jb\\x07c\\x00d\\x0de\\x7ff\\x9bg\\u202eh\\u2028i\\U000e0001j\\x0a")
    assert shown.isprintable()
    assert printable("ok → ✓ 日本") == "ok → ✓ 日本"
    assert printable("x\ny", keep="\n") == "x\ny"
    assert printable("\x1b" * 50, limit=10) == "\\x1b\\x1b\\…"


def test_file_and_dir_names_never_reach_the_terminal_raw(tmp_path: Path) -> None:
    data = tmp_path / f"data{ESC}[31mred"
    store = Store(data)
    store.save(make_iteration(title=f"T{ESC}]0;title{ESC}\\"))
    (store.iterations_dir / f"bad{ESC}[2J.toml").write_text("x = [")
    env = {**os.environ, "FINOPS_TUI_DATA_DIR": str(data)}
    runs = [
        finops_sh("", *command, env=env)
        for command in (
            ["list"],
            ["doctor"],
            ["export", "nope"],
            ["export", "latest", "-o", str(tmp_path / f"out{ESC}[5m.md")],
            ["export", "latest", "-o", str(tmp_path / f"missing{ESC}[5m" / "x.md")],
            ["kpis", str(tmp_path / f"none{ESC}[31m.csv")],
        )
    ]
    for result in runs:
        assert ESC not in result.stdout + result.stderr, result
        assert "Traceback" not in result.stderr
    doctor = runs[1].stdout
    assert "bad\\x1b[2J.toml: TOML syntax error" in doctor
    assert "checked in " + str(data).replace(ESC, "\\x1b") in doctor
    assert "\\x1b[5m" in runs[3].stderr and "\\x1b[31m" in runs[5].stderr
