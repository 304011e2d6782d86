"""The Textual driver of a served app: textual's web driver, but the app saves before it ends.

Textual's `WebDriver` ends the app at once on SIGTERM and SIGINT, and carries on when its
server goes away (its input just stops). Here SIGTERM is left to the app's own hang-up handler
(which lets the keys typed last in, writes what is pending, and ends within 1.5 s), SIGINT is
ignored (the server stops its apps itself), and the end of the input (the server died or
closed the pipe) is a hang-up. Selected by `TEXTUAL_DRIVER` in the app process's environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

from textual.drivers.web_driver import WebDriver


class ServedDriver(WebDriver):
    def start_application_mode(self) -> None:
        super().start_application_mode()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, ValueError):
                loop.remove_signal_handler(signum)
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set():
            # The input ended without the app ending it: the server is gone.
            os.kill(os.getpid(), signal.SIGHUP)
