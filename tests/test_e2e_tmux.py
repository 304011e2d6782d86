"""The installed `finops-tui` in a real terminal (tmux, 80×24), driven by keys as a person would.

Synchronisation is by polling the screen or the saved file, never by fixed sleeps.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import without_ids

APP = Path(sys.executable).parent / "finops-tui"


class Terminal:
    """A private tmux server running one command in an 80×24 pane."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = root / "sock"
        conf = root / "tmux.conf"
        conf.write_text("set -g status off\nset -g escape-time 0\n")
        self.base = ["tmux", "-S", str(self.socket), "-f", str(conf)]

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            [*self.base, *args], capture_output=True, text=True, timeout=10, check=False
        )
        return result.stdout

    def start(self, command: str) -> None:
        self.tmux("new-session", "-d", "-x", "80", "-y", "24", command)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-l", text)

    def wait_for(self, text: str, timeout: float = 10.0) -> None:
        wait(lambda: text in self.screen(), timeout, lambda: f"{text!r} on\n{self.screen()}")

    def close(self) -> None:
        self.tmux("kill-server")


def wait(
    condition: Callable[[], Any], timeout: float, describe: Callable[[], str] = lambda: ""
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {describe()}")
        time.sleep(0.05)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is needed for the end-to-end tests (.ci/run installs it)")
    term = Terminal(tmp_path)
    yield term
    term.close()


def saved_iteration(data: Path) -> dict[str, Any]:
    [path] = (data / "iterations").glob("*.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def exited(rc: Path) -> bool:
    """Whether the shell has written the app's exit status to `rc` (`echo $? > rc` creates
    the file empty first: a look in between found it there but without the status)."""
    return rc.exists() and rc.read_text().endswith("\n")


def test_a_whole_iteration_in_tmux(terminal: Terminal, tmp_path: Path) -> None:
    data, rc = tmp_path / "data", tmp_path / "rc"
    terminal.start(
        f"sh -c 'FINOPS_TUI_DATA_DIR={data} FINOPS_TUI_CONFIG_DIR={tmp_path / 'cfg'} "
        f"ESCDELAY=25 TERM=xterm-256color {APP}; echo $? > {rc}'"
    )
    terminal.wait_for("Press  n  to start")

    # 1 Stakeholders: the title has the focus.
    terminal.keys("n")
    terminal.wait_for("Before you begin")
    terminal.type("Tagging and budgets")
    terminal.wait_for("Tagging and budgets")
    terminal.keys("Tab", "Tab", "Tab", "Space", "Tab", "Tab", "Space")
    wait(lambda: saved_iteration(data)["stakeholders"]["finance"], 5, lambda: "groups saved")

    # 2 Scope: a burst of keys in one send-keys ticks three capabilities.
    terminal.keys("C-n")
    terminal.wait_for("Define your scope")
    terminal.keys("Space", "Down", "Space", "Down", "Space")
    terminal.wait_for("3 selected")

    # 3 Goals: level 1, target 2, then describe the goal.
    terminal.keys("C-n")
    terminal.wait_for("Identify your goals")
    terminal.keys("1", "+")
    terminal.wait_for("1→2")
    terminal.keys("Enter")
    terminal.wait_for("Measurable goal")
    terminal.type("Everyone can find their cost")
    terminal.keys("Enter", "Enter", "Enter", "Enter", "Enter")
    terminal.wait_for("Identify your goals")

    # 4 Plan: an action with an owner.
    terminal.keys("C-n")
    terminal.wait_for("Put your plan into action")
    terminal.keys("a")
    terminal.wait_for("Add an action")
    terminal.type("Publish the cost report")
    terminal.keys("Enter")
    terminal.type("Ana")
    terminal.keys("Enter", "Enter", "Enter")  # Enter walks to Status and saves from it
    terminal.wait_for("Publish the cost report")

    # 5 Review: the retrospective, then close the iteration.
    terminal.keys("C-n")
    terminal.wait_for("Review progress")
    terminal.keys("Tab")
    terminal.type("Finance came to every check-in")
    terminal.wait_for("Finance came to every check-in")
    terminal.keys("Tab", "Tab", "Tab")
    terminal.keys("Enter")
    terminal.wait_for("Close the iteration anyway")  # the action is still open
    terminal.keys("y")
    terminal.wait_for("reopen it from the palette")
    terminal.keys("C-q")
    wait(lambda: exited(rc), 10, lambda: f"the app to exit; screen:\n{terminal.screen()}")

    assert rc.read_text().strip() == "0"
    it = saved_iteration(data)
    assert it["title"] == "Tagging and budgets"
    assert it["stakeholders"]["business"] is True
    assert it["stakeholders"]["technology"] is False
    assert it["stakeholders"]["finance"] is True
    assert it["framework"] == "finops-2025"  # a first iteration takes the current framework
    assert [s["capability"] for s in it["scope"]] == [
        "data-ingestion",
        "allocation",
        "reporting-analytics",
    ]
    assert it["levels"]["data-ingestion"]["knowledge"] == 1
    [goal] = it["goals"]
    assert (goal["from_level"], goal["to_level"]) == (1, 2)
    assert goal["statement"] == "Everyone can find their cost"
    assert without_ids(goal["actions"]) == [
        {"title": "Publish the cost report", "owner": "Ana", "status": "todo"}
    ]
    assert it["review"]["went_well"] == "Finance came to every check-in"
    assert it["status"] == "closed"


def test_page_down_right_after_ctrl_p_does_not_end_the_app(
    terminal: Terminal, tmp_path: Path
) -> None:
    data, rc = tmp_path / "data", tmp_path / "rc"
    terminal.start(
        f"sh -c 'FINOPS_TUI_DATA_DIR={data} FINOPS_TUI_CONFIG_DIR={tmp_path / 'cfg'} "
        f"ESCDELAY=25 {APP} --demo; echo $? > {rc}'"
    )
    terminal.wait_for("Monthly budgets")
    terminal.keys("Enter")
    terminal.wait_for("Before you begin")
    for _ in range(4):
        terminal.keys("C-p", "PageDown")  # one burst: the key meets the list being filled
        terminal.wait_for("Go to Goals")
        terminal.keys("Escape")
        wait(lambda: "Go to Goals" not in terminal.screen(), 5, terminal.screen)
    assert not rc.exists(), terminal.screen()
    terminal.keys("C-q")
    wait(lambda: exited(rc), 10, lambda: f"the app to exit; screen:\n{terminal.screen()}")
    assert rc.read_text().strip() == "0"
