"""An SSH drop (SIGHUP) or a killed tmux session right after typing loses nothing."""

from __future__ import annotations

import os
import signal
import time
import tomllib
from pathlib import Path

import pytest

from finops_tui.store import Store

from ..conftest import make_iteration
from ..test_e2e_tmux import APP, Terminal, wait

ID = "2026-11-28-k3f9"


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
    """Whether the process runs (a zombie, ended but not yet reaped, does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _iteration_files(data: Path, count: int) -> None:
    """`count` realistic iteration files, so that reading them takes a while at start-up."""
    template = Store(data)
    template.save(make_iteration())
    text = template.path_of(ID).read_text(encoding="utf-8")
    for n in range(1, count):
        other = f"2025-01-{n % 28 + 1:02d}-{n:04d}"
        (data / "iterations" / f"{other}.toml").write_text(
            text.replace(ID, other).replace("number = 3", f"number = {n + 3}"), encoding="utf-8"
        )


MOMENTS = [i * 0.06 for i in range(20)]  # from the first instant to past the first paint
EXIT_WITHIN = 2.0


@pytest.mark.parametrize("batch", range(4))
def test_the_app_ends_when_its_terminal_dies_at_any_moment_of_start_up(
    tmp_path: Path, batch: int
) -> None:
    data = tmp_path / "data"
    _iteration_files(data, 300)
    for moment in MOMENTS[batch::4]:
        root = tmp_path / f"at-{moment:.2f}"
        root.mkdir()
        terminal = Terminal(root)
        try:
            terminal.start(
                f"sh -c 'echo $$ > {root / 'pid'}; exec env FINOPS_TUI_DATA_DIR={data} "
                f"FINOPS_TUI_CONFIG_DIR={root / 'cfg'} FINOPS_TUI_CACHE_DIR={root / 'cache'} "
                f"{APP}'"
            )
            wait(lambda r=root: (r / "pid").exists() and (r / "pid").read_text().strip(), 5)
            pid = int((root / "pid").read_text())
            time.sleep(moment)  # the moment of start-up under test, not a wait for something
            killed = time.monotonic()
            terminal.tmux("kill-server")
            while _alive(pid) and time.monotonic() - killed < EXIT_WITHIN + 3:
                time.sleep(0.01)
            took = time.monotonic() - killed
            assert not _alive(pid), f"pid {pid} still runs {took:.1f}s after its terminal died"
            assert took <= EXIT_WITHIN, f"the app took {took:.2f}s to end"
        finally:
            terminal.close()
