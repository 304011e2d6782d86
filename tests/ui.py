"""Helpers for driving the app in tests: wait for conditions, send key bursts, read the file."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from finops_tui.app import FinOpsApp
from finops_tui.screens.base import StepScreen
from finops_tui.steps import Step
from finops_tui.store import Store

TODAY = date(2026, 11, 28)


def make_app(store: Store, **kw: Any) -> FinOpsApp:
    return FinOpsApp(store=store, today=TODAY, **kw)


async def wait_until(pilot: Pilot, condition: Callable[[], Any], timeout: float = 10.0) -> None:
    """Let the app run until `condition()` is true; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        await pilot.pause(0.02)


async def home_ready(pilot: Pilot) -> None:
    """Wait for the home screen with the data dir read (it is read after the first paint)."""
    from finops_tui.screens.home import HomeScreen

    app = pilot.app
    await wait_until(pilot, lambda: shown(app, HomeScreen) and not app.session.loading)


def saved(store: Store, iteration_id: str | None = None) -> dict[str, Any]:
    """The iteration as written on disk (the only one, unless an id is given)."""
    if iteration_id is None:
        [path] = store.files()
    else:
        path = store.path_of(iteration_id)
    return tomllib.loads(path.read_text(encoding="utf-8"))


def saved_files(store: Store) -> list[Path]:
    return store.files()


def burst(pilot: Pilot, *keys: str) -> None:
    """Queue key events without waiting between them, as a paste or a slow link delivers them."""
    for key in keys:
        char = {"space": " ", "plus": "+", "minus": "-"}.get(key, key if len(key) == 1 else None)
        pilot.app.post_message(events.Key(key, char))


async def paste(pilot: Pilot, widget: Widget, text: str) -> None:
    """Focus a widget and paste text into it, as the app forwards a terminal's paste."""
    widget.focus()
    await wait_until(pilot, lambda: pilot.app.focused is widget)
    event = events.Paste(text)
    event._set_forwarded()
    widget.post_message(event)
    await pilot.pause()


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(c, c) for c in text])


def shown(app: App[Any], screen_class: type[Screen[Any]]) -> bool:
    """The app shows a screen of this class, composed and mounted (queries find its widgets)."""
    return isinstance(app.screen, screen_class) and app.screen.is_mounted


def on_step(app: FinOpsApp, step: Step) -> bool:
    return isinstance(app.screen, StepScreen) and app.screen.STEP is step and app.screen.is_mounted


async def open_step(pilot: Pilot, step: Step) -> None:
    """From home, open the highlighted iteration at a step."""
    app = pilot.app
    assert isinstance(app, FinOpsApp)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, StepScreen))
    if not on_step(app, step):
        app.show_step(step)
    await wait_until(pilot, lambda: on_step(app, step))
    await pilot.pause()
