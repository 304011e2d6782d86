"""Keys in order: in a burst of keys (a paste, a slow SSH link, `tmux send-keys`) each key
lands where it was meant.

Textual sends a key to the widget focused when the app reads it, but resolves its bindings
once the key has bubbled back up, against the focus of that later moment. So in a burst, a key
typed after Tab or Enter could land in the field it was typed away from, or in the screen a
dialog was about to cover. `KeyOrder` lets the terminal's keys into the app one at a time:
each after the one before, and what it set off, is done with.

"Done with" is observed through public API only. A key travels from the app to the focused
widget and bubbles up through its ancestors to the screen and back to the app; each of those
nodes handles its messages in order, so a callback queued with `call_later` on each of them,
one after the other along that path, runs once the key (and whatever the key posted to them
on its way) has been handled. The path is walked until a walk ends with the same screen and
focus it started with, twice in a row: by then a dialog the key opened is mounted and focused.
Every wait is bounded, so a key is never held for long, and a Textual release whose internals
differ can only make the order less strict, never stall the keys.

While the app is not ready (its data dir is still being read), keys wait here and are then
let in, in order.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

NODE_WAIT = 2.0
"""Seconds to wait for one node to reach a callback (a busy or closing node is skipped)."""
KEY_WAIT = 5.0
"""Seconds a key may take before the next one is let in anyway."""
STABLE_WALKS = 2


class KeyOrder:
    """Holds the terminal's keys and pastes, and lets them into `app` one at a time."""

    def __init__(self, app: App[object]) -> None:
        self.app = app
        self.enabled = True
        self.ready = asyncio.Event()
        self._queue: asyncio.Queue[events.Key | events.Paste] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._letting_in = False
        self._unsettled = False  # a key was let in and may still be under way

    def start(self) -> None:
        """Start taking keys (from the app's mount, in its event loop)."""
        self._task = asyncio.create_task(self._let_in_one_by_one())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def take(self, message: object) -> bool:
        """Keep a key or paste from the terminal to let it in later; False for other messages
        (and when not taking keys), which go their usual way."""
        if (
            self._task is None
            or self._letting_in
            or not isinstance(message, events.Key | events.Paste)
            or message.is_forwarded  # a key bubbling back up from a widget
        ):
            return False
        if not self.enabled and self.ready.is_set():
            return False
        self._queue.put_nowait(message)
        return True

    def open(self, *, ordered: bool = True) -> None:
        """The app is ready: let the held keys in; with `ordered=False`, as stock Textual does."""
        self.enabled = ordered
        self.ready.set()

    async def drain(self, timeout: float) -> None:
        """Wait (at most `timeout` seconds) until every key held has been let in and handled:
        what was typed just before the terminal went away still reaches the iteration."""
        if not self.ready.is_set():
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._queue.empty() and loop.time() < deadline:
            await asyncio.sleep(0.01)
        if self._unsettled and self.enabled:
            await asyncio.wait_for(self.settled(), max(0.0, deadline - loop.time()))

    async def _let_in_one_by_one(self) -> None:
        await self.ready.wait()
        while True:
            message = await self._queue.get()
            self._letting_in = True
            try:
                self.app.post_message(message)
            finally:
                self._letting_in = False
            self._unsettled = True
            if self.enabled:
                await self.settled()

    async def settled(self) -> None:
        """Wait until the key just let in, and what it set off, has been handled."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + KEY_WAIT
        stable = 0
        while stable < STABLE_WALKS and loop.time() < deadline:
            before = self._where()
            await self._walk(deadline)
            stable = stable + 1 if self._where() == before else 0
        self._unsettled = False

    def _where(self) -> tuple[object, object]:
        try:
            return self.app.screen, self.app.focused
        except Exception:  # no screen (starting or closing): nothing to wait for
            return None, None

    async def _walk(self, deadline: float) -> None:
        """Reach a callback on the app, then on the focus and each of its ancestors up to the
        screen, then on the app again: the way a key goes and bubbles back."""
        screen, focused = self._where()
        path: list[MessagePump] = [self.app]
        if focused is not None:
            path += list(focused.ancestors_with_self)
        elif screen is not None:
            path += [screen, self.app]  # type: ignore[list-item]
        loop = asyncio.get_running_loop()
        for node in path:
            reached = asyncio.Event()
            if not node.call_later(reached.set):
                continue
            timeout = min(NODE_WAIT, deadline - loop.time())
            if timeout <= 0:
                return
            try:
                await asyncio.wait_for(reached.wait(), timeout)
            except TimeoutError:
                continue


TESTED_TEXTUAL = 8
"""The Textual major version the ordering is built and tested on."""


def ordering_supported() -> bool:
    """Whether the installed Textual is the one `KeyOrder` was tested on; on another, keys
    go the stock way. (Read from the package metadata: call it off the first paint's path.)"""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return int(version("textual").split(".")[0]) == TESTED_TEXTUAL
    except (PackageNotFoundError, ValueError):
        return False
