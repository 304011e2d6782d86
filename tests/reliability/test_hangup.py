"""An SSH drop (SIGHUP) or a killed tmux session right after typing loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import tomllib
from pathlib import Path

import pytest

from ..test_e2e_tmux import APP, Terminal, wait


def start_typing(terminal: Terminal, tmp_path: Path, text: str) -> Path:
    data = tmp_path / "data"
    terminal.start(
        f"sh -c 'echo $$ > {tmp_path / 'pid'}; exec env FINOPS_TUI_DATA_DIR={data} "
        f"FINOPS_TUI_CONFIG_DIR={tmp_path / 'cfg'} ESCDELAY=25 {APP}'"
    )
    terminal.wait_for("Press  n  to start")
    terminal.keys("n")
    terminal.wait_for("Before you begin")
    terminal.type(text)
    terminal.wait_for(text)  # on screen: the app has it; the save may still be pending
    return data


def title_on_disk(data: Path) -> str:
    [path] = (data / "iterations").glob("*.toml")
    return tomllib.loads(path.read_text(encoding="utf-8")).get("title", "")


@pytest.fixture
def terminal(tmp_path: Path):
    term = Terminal(tmp_path)
    yield term
    term.close()


def test_sighup_right_after_typing(terminal: Terminal, tmp_path: Path) -> None:
    data = start_typing(terminal, tmp_path, "Typed over SSH")
    os.kill(int((tmp_path / "pid").read_text()), signal.SIGHUP)
    wait(lambda: title_on_disk(data) == "Typed over SSH", 5, lambda: title_on_disk(data))


def test_tmux_session_killed_right_after_typing(terminal: Terminal, tmp_path: Path) -> None:
    data = start_typing(terminal, tmp_path, "Typed before the lid closed")
    terminal.tmux("kill-session")
    pid = int((tmp_path / "pid").read_text())
    wait(lambda: not _alive(pid), 5, lambda: "the app to exit")
    assert title_on_disk(data) == "Typed before the lid closed"


def _alive(pid: int) -> bool:
    result = subprocess.run(["ps", "-p", str(pid)], capture_output=True, check=False)
    return result.returncode == 0
