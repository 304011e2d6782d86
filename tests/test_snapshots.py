"""What each screen looks like at 80×24 (and home at 60×20), with realistic data.

Snapshots guard layout only; behaviour is tested on the saved files elsewhere. Update them
with `pytest tests/test_snapshots.py --snapshot-update` after an intended change.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from finops_tui.demo import seed
from finops_tui.screens.progress import CompareScreen
from finops_tui.steps import Step
from finops_tui.store import Store

from .test_progress_app import dialog_title, open_progress
from .ui import TODAY, home_ready, make_app, open_step, shown, wait_until


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes screenshots differ from run to run."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture
def fixed_dir(request: pytest.FixtureRequest) -> Iterator[Path]:
    # The home screen shows the data dir: keep its path the same on every run.
    path = Path(tempfile.gettempdir()) / "finops-tui-snapshots" / request.node.name
    shutil.rmtree(path, ignore_errors=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def demo_store(fixed_dir: Path) -> Store:
    store = Store(fixed_dir)
    seed(store, TODAY)
    return Store(fixed_dir)


class TestHome:
    # The files are read after the first paint: each picture waits for the list.
    def test_history(self, snap_compare, demo_store: Store) -> None:
        assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=home_ready)

    def test_history_at_60x20(self, snap_compare, demo_store: Store) -> None:
        assert snap_compare(make_app(demo_store), terminal_size=(60, 20), run_before=home_ready)

    def test_first_run(self, snap_compare, fixed_dir: Path) -> None:
        app = make_app(Store(fixed_dir))
        assert snap_compare(app, terminal_size=(80, 24), run_before=home_ready)


@pytest.mark.parametrize("step", list(Step), ids=[s.title.lower() for s in Step])
def test_step(snap_compare, demo_store: Store, step: Step) -> None:
    async def open_it(pilot: Pilot) -> None:
        await open_step(pilot, step)

    assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=open_it)


class TestProgress:
    def test_progress(self, snap_compare, demo_store: Store) -> None:
        async def run(pilot: Pilot) -> None:
            await home_ready(pilot)
            await open_progress(pilot)

        assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=run)

    def test_compare(self, snap_compare, demo_store: Store) -> None:
        async def run(pilot: Pilot) -> None:
            await home_ready(pilot)
            await open_progress(pilot)
            await pilot.press("c", "enter")
            await wait_until(pilot, lambda: "with which one" in dialog_title(pilot))
            await pilot.press("enter")
            await wait_until(pilot, lambda: shown(pilot.app, CompareScreen))
            await pilot.pause()

        assert snap_compare(make_app(demo_store), terminal_size=(80, 24), run_before=run)
