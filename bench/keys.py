"""Child process: keystroke → repaint latency, printed as one JSON list of seconds.

    python bench/keys.py matrix|picker|bare-table|bare-list [KEYS]   # 200 keys by default

A key's latency runs from posting it to the app until the next frame is handed to the
terminal driver; the same harness times finops-tui's goal matrix and scope picker (all 18
capabilities scoped) and Textual's own DataTable and SelectionList in a bare app, so their
difference is ours.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App

KEYS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
NO_REPAINT = 2.0
CHARACTERS = {"space": " ", **{str(n): str(n) for n in range(5)}}
MOVES = ["down", "up"]


def matrix_keys() -> list[str]:
    """Moves round a square of four cells, setting a level that differs from the last round."""
    keys: list[str] = []
    for round_ in range(KEYS // 8):
        level = str(round_ % 4 + 1)
        for move in ("right", "down", "left", "up"):
            keys += [move, level]
    return keys


def picker_keys() -> list[str]:
    """Down, up, down, toggle: every key changes what is shown."""
    return ["down", "up", "down", "space"] * (KEYS // 4)


def table_keys() -> list[str]:
    return ["right", "down", "left", "up"] * (KEYS // 4)


async def measure(app: App[Any], pilot: Any, keys: list[str]) -> list[float]:
    frames: list[float] = []
    display: Callable[..., None] = app._display

    def timed(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None:
            frames.append(time.perf_counter())

    app._display = timed  # type: ignore[method-assign]
    latencies = []
    for key in keys:
        await pilot.pause()
        seen = len(frames)
        start = time.perf_counter()
        app.post_message(events.Key(key, CHARACTERS.get(key)))
        while len(frames) == seen and time.perf_counter() - start < NO_REPAINT:
            await asyncio.sleep(0)
        if len(frames) == seen:
            raise SystemExit(f"key {key!r} caused no repaint within {NO_REPAINT} s")
        latencies.append(frames[seen] - start)
    app._display = display  # type: ignore[method-assign]
    return latencies


async def finops(which: str) -> list[float]:
    from finops_tui.app import FinOpsApp
    from finops_tui.catalog import load_catalog
    from finops_tui.model import Iteration
    from finops_tui.steps import Step
    from finops_tui.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        it = Iteration.new("2026-11-28-bench", 1, date(2026, 11, 28))
        it.set_scope([c.id for c in load_catalog().capabilities])
        Store(Path(tmp)).save(it)
        app = FinOpsApp(Store(Path(tmp)))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter")
            while app.session.iteration is None:
                await pilot.pause(0.05)
            step = Step.GOALS if which == "matrix" else Step.SCOPE
            app.show_step(step)
            while getattr(app.screen, "STEP", None) is not step:
                await pilot.pause(0.05)
            await pilot.pause(0.2)
            return await measure(app, pilot, matrix_keys() if which == "matrix" else picker_keys())


async def bare(which: str) -> list[float]:
    sys.path.insert(0, str(Path(__file__).parent))
    from bare_app import BareList, BareTable

    app: App[None] = BareTable() if which == "bare-table" else BareList()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        return await measure(app, pilot, table_keys() if which == "bare-table" else picker_keys())


def main() -> None:
    which = sys.argv[1]
    run = bare(which) if which.startswith("bare") else finops(which)
    print(json.dumps(asyncio.run(run)))


if __name__ == "__main__":
    main()
