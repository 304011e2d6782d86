"""One browser tab's finops-tui: the app process that `finops-tui serve` starts per tab.

`python -m finops_tui.serve.tab --data-dir DIR`, started by the server with `ServedDriver`
(see `driver.py`). It ends with its server: on Linux the kernel sends it SIGHUP when the server
dies, anywhere the end of its input does; either way it saves first, as after an SSH drop.
The server's quit message (the tab was closed) goes the same way: the keys typed last go in,
what is pending is written, then the app ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

from textual.binding import Binding
from textual.message import Message
from textual.messages import ExitApp

from finops_tui import app as app_module
from finops_tui.app import FinOpsApp
from finops_tui.locations import cache_dir, config_file
from finops_tui.store import Store

PARENT = "FINOPS_TUI_SERVE_PARENT"
"""The environment variable holding the server's process id."""
TAB_CLOSED_GRACE = 3.0
"""Seconds the keys typed just before the tab closed may take to go in (the server waits
longer than this before it tells the app more firmly; see `server.QUIT_GRACE`)."""
BROWSER_KEYS = {"next-step": "F8", "previous-step": "F7"}
"""Keys shown in place of those a browser keeps for itself (ctrl+n opens a window; ctrl+r
reloads the page where the page does not catch it)."""


class ServedApp(FinOpsApp):
    """finops-tui in a browser tab: the browser-safe keys are the ones shown, and closing the
    tab lets the keys typed last in before what is pending is written."""

    CSS_PATH = Path(app_module.__file__).with_name("styles") / "app.tcss"

    def __init__(self, store: Store, **kw: object) -> None:
        super().__init__(store, **kw)  # type: ignore[arg-type]
        self._leaving = False
        self._served_loop: asyncio.AbstractEventLoop | None = None

    def on_mount(self) -> None:  # Textual runs FinOpsApp's `on_mount` after this one
        self._served_loop = asyncio.get_running_loop()

    def get_key_display(self, binding: Binding) -> str:
        if (shown := BROWSER_KEYS.get(binding.id or "")) is not None:
            return shown
        return super().get_key_display(binding)

    def exit(self, *args: object, **kw: object) -> None:
        self._leaving = True
        super().exit(*args, **kw)  # type: ignore[arg-type]

    def post_message(self, message: Message) -> bool:
        if isinstance(message, ExitApp) and not self._leaving and self._served_loop is not None:
            # The server's quit message (the tab closed): leave as after a hang-up, with the
            # keys typed just before let in and everything written.
            self._leaving = True
            with contextlib.suppress(RuntimeError):  # the loop is closed: already ending
                self._served_loop.call_soon_threadsafe(self._on_hangup, TAB_CLOSED_GRACE)
            return True
        return super().post_message(message)


def die_with_parent(parent: int) -> None:
    """Have the kernel send SIGHUP when the server dies (Linux); end now if it is gone."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGHUP, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)  # nothing is open yet, so nothing is lost


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="finops_tui.serve.tab")
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    if parent := os.environ.get(PARENT):
        die_with_parent(int(parent))
    app = ServedApp(Store(args.data_dir), config_path=config_file(), cache_dir=cache_dir())
    app.run()
    sys.exit(app.return_code or 0)


if __name__ == "__main__":
    main()
