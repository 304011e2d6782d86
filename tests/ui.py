"""Helpers for driving the app in tests: wait for conditions, send key bursts, read the file."""

from __future__ import annotations

import asyncio
import tomllib
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.keys import key_to_character
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from finops_tui.app import FinOpsApp
from finops_tui.screens.base import StepScreen
from finops_tui.steps import Step
from finops_tui.store import Store
from finops_tui.widgets.keys_panel import KeysPanel

TODAY = date(2026, 11, 28)


SAVE_DELAYS = (0.02, 0.1)
"""The autosave's delays in app tests (the app's are 0.3 s and 1 s): a test waiting for a
save waits for the file, not for the debounce, which tests/test_session.py checks."""


def make_app(store: Store, **kw: Any) -> FinOpsApp:
    app = FinOpsApp(store=store, today=TODAY, **kw)
    app.session.save_delay, app.session.max_save_delay = SAVE_DELAYS
    return app


async def wait_until(pilot: Pilot, condition: Callable[[], Any], timeout: float = 10.0) -> None:
    """Let the app run until `condition()` is true; fail after `timeout` seconds.

    The app runs on this event loop: between looks it gets 20 ms to itself. (`Pilot.pause`
    would also send a message to every widget of the screen and wait for each, which costs
    the app 1-2 ms of CPU a look; a test waiting for a save looks a hundred times.) A look
    that finds a key or an item missing (the saved file has no `[review]` until the first
    word of the review is saved) is a "not yet", and is told if it is still so at the end."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            if condition():
                return
            missing = None
        except LookupError as exc:
            missing = exc
        if loop.time() > deadline:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {condition}"
                + (f" (missing: {missing!r})" if missing else "")
            )
        await asyncio.sleep(0.02)


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


KEY_WAIT = 10.0
"""Seconds a key may take to be handled before a test fails."""

_CHARACTERS = {"slash": "/", "backslash": "\\", "at": "@", "minus": "-", "plus": "+"}
_CHARACTERS |= {"underscore": "_", "tab": "\t"}
_KEYS = {character: key for key, character in _CHARACTERS.items()}


def key_event(key: str) -> events.Key:
    """The key event a terminal sends for `key` (a key name, or one character)."""
    if len(key) == 1 and not key.isalnum():
        character = key
        name = unicodedata.name(key, key).lower().replace("-", "_").replace(" ", "_")
        key = _KEYS.get(key, name)
    else:
        character = _CHARACTERS.get(key) or key_to_character(key)
    return events.Key(key, character)


async def press(pilot: Pilot, *keys: str) -> None:
    """Type keys as a terminal does, each once the one before has been handled.

    A key goes the way the terminal's keys go: into the app's key order, which lets it in
    once the key before, and what that key set off, has been handled. A key is handled when
    the key order has let it in and settled, and the screen has repainted after it (with the
    callbacks queued for after that paint). `Pilot.press` waits instead for the process to be
    idle for 20 ms twice per key, which costs a test at least 40 ms a key."""
    app = pilot.app
    assert isinstance(app, FinOpsApp), "press drives the app's key order; use pilot.press"
    await asyncio.wait_for(app.keys.ready.wait(), KEY_WAIT)
    for key in keys:
        app.post_message(key_event(key))
        await app.keys.drain(KEY_WAIT)
        if not app.is_running:
            return
        await asyncio.wait_for(app.screen.wait_for_refresh(), KEY_WAIT)
        await app.keys.settled()


def burst(pilot: Pilot, *keys: str) -> None:
    """Queue key events without waiting between them, as a paste or a slow link delivers them."""
    for key in keys:
        pilot.app.post_message(key_event(key))


async def paste(pilot: Pilot, widget: Widget, text: str) -> None:
    """Focus a widget and paste text into it, as the app forwards a terminal's paste."""
    widget.focus()
    await wait_until(pilot, lambda: pilot.app.focused is widget)
    event = events.Paste(text)
    event._set_forwarded()
    widget.post_message(event)
    await pilot.pause()


async def type_text(pilot: Pilot, text: str) -> None:
    await press(pilot, *text)


def drawn(widget: Widget) -> list[str]:
    """A widget's lines as they are on screen now (scroll bars left out)."""
    view = widget.scrollable_content_region
    return [widget.render_line(y).crop(0, view.width).text for y in range(view.height)]


def clipped(screen: Screen[Any]) -> list[str]:
    """The widgets of `screen` its layout cuts off: drawn partly outside a parent that does
    not scroll (a hint two lines tall in a row one line high, say), as `Type#id in Parent`."""
    out = []
    for widget in screen.walk_children(Widget):
        parent = widget.parent
        if not widget.display or not widget.region or not isinstance(parent, Widget):
            continue
        if parent is screen or parent.allow_vertical_scroll or parent.allow_horizontal_scroll:
            continue
        if widget.region.intersection(parent.region) != widget.region:
            out.append(f"{type(widget).__name__}#{widget.id} in {type(parent).__name__}")
    return out


def laid_out(screen: Screen[Any]) -> bool:
    """The screen is mounted and has had its first layout: its widgets have their places and
    sizes, so what they draw can be read. (A screen is mounted a frame before that.)"""
    return screen.is_mounted and any(widget.region for widget in screen.walk_children())


def shown(app: App[Any], screen_class: type[Screen[Any]]) -> bool:
    """The app shows a screen of this class, composed, mounted and laid out."""
    return isinstance(app.screen, screen_class) and laid_out(app.screen)


def on_step(app: FinOpsApp, step: Step) -> bool:
    return isinstance(app.screen, StepScreen) and app.screen.STEP is step and laid_out(app.screen)


async def keys_panel(pilot: Pilot) -> KeysPanel:
    """Press F1 and wait for the keys panel to list the keys of the screen."""
    app = pilot.app
    await press(pilot, "f1")
    await wait_until(pilot, lambda: [p for p in app.screen.query(KeysPanel) if p.shown])
    return app.screen.query_one(KeysPanel)


async def open_step(pilot: Pilot, step: Step) -> None:
    """From home, open the highlighted iteration at a step."""
    app = pilot.app
    assert isinstance(app, FinOpsApp)
    await press(pilot, "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, StepScreen))
    if not on_step(app, step):
        app.show_step(step)
    await wait_until(pilot, lambda: on_step(app, step))
    await pilot.pause()
