"""Helpers for the browser tests: `finops-tui serve` in a process, Chromium through Playwright.

Playwright's sync API keeps an event loop running in the thread that started it, which the
async (pilot) tests sharing a pytest worker cannot live with; so one Chromium per worker runs
in a thread of its own, and every call to it goes through `Chromium.call`. The terminal is read
from xterm.js's buffer: the page's textual.js is served to the test with one line added, which
hands its terminal to `window.finopsTerminal`.

Chromium is Debian's (`/usr/bin/chromium`, which `.ci/run` installs); Playwright never
downloads a browser. It runs with a fresh profile, no sandbox (CI runs as root) and nothing
that calls home.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .test_e2e_tmux import wait

T = TypeVar("T")
APP = Path(sys.executable).parent / "finops-tui"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-webgl",  # xterm.js draws on a canvas: WebGL without a GPU is emulated, slowly
]
TERMINAL_HOOK = re.compile(r"(const (\w+)=new \w+\(\w+,\{ping:\w+\}\);)")
SCREEN_JS = """() => {
  const t = window.finopsTerminal;
  if (!t) return "";
  const b = t.buffer.active, lines = [];
  for (let y = 0; y < b.length; y++) {
    const line = b.getLine(y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
}"""


class Chromium:
    """One headless Chromium, driven from a thread of its own (see the module)."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[Any], Any], queue.Queue[Any]] | None]
        self._jobs = queue.Queue()
        started: queue.Queue[BaseException | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self._thread.start()
        if (problem := started.get(timeout=60)) is not None:
            raise problem

    def _run(self, started: queue.Queue[BaseException | None]) -> None:
        from playwright.sync_api import sync_playwright

        try:
            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except BaseException as exc:
            started.put(exc)
            return
        started.put(None)
        while (job := self._jobs.get()) is not None:
            work, answer = job
            try:
                answer.put((True, work(browser)))
            except BaseException as exc:
                answer.put((False, exc))
        browser.close()
        playwright.stop()

    def call(self, work: Callable[[Any], T]) -> T:
        """Run `work(browser)` in the browser's thread and return what it returns."""
        answer: queue.Queue[tuple[bool, Any]] = queue.Queue()
        self._jobs.put((work, answer))
        ok, value = answer.get(timeout=120)
        if not ok:
            raise value
        return value

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(30)


def _expose_terminal(route: Any) -> None:
    response = route.fetch()
    if response.status != 200:
        route.fulfill(response=response)  # a refusal, passed on as it is
        return
    body = response.text()
    hooked = TERMINAL_HOOK.sub(r"\1window.finopsTerminal=\2.terminal;", body, count=1)
    assert hooked != body, "textual.js changed: update TERMINAL_HOOK in tests/browser.py"
    route.fulfill(response=response, body=hooked)


class Tab:
    """A browser tab (in a context of its own: its own cookies) showing one served app."""

    def __init__(self, chromium: Chromium, viewport: tuple[int, int] = (1000, 600)) -> None:
        self.chromium = chromium
        self.requests: list[str] = []

        def open_tab(browser: Any) -> Any:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            context.set_default_timeout(20_000)
            page = context.new_page()
            page.route("**/static/js/textual.js", _expose_terminal)
            page.on("request", lambda request: self.requests.append(request.url))
            page.on("websocket", lambda socket: self.requests.append(socket.url))
            return page

        self.page = chromium.call(open_tab)

    def call(self, work: Callable[[Any], T]) -> T:
        return self.chromium.call(lambda _browser: work(self.page))

    def goto(self, url: str) -> int:
        """Open `url`; the HTTP status of the page."""
        return self.call(lambda page: page.goto(url).status)

    def open(self, url: str) -> None:
        """Open the app at `url` and wait for its first screen."""
        assert self.goto(url) == 200
        self.wait_for("Iterations", "Press  n  to start")
        self.call(lambda page: page.evaluate("() => window.finopsTerminal.focus()"))

    def screen(self) -> str:
        return self.call(lambda page: page.evaluate(SCREEN_JS))

    def wait_for(self, *texts: str, timeout: float = 20.0) -> str:
        """Wait until the terminal shows one of `texts`; the screen then."""
        shown: list[str] = [""]

        def showing() -> bool:
            shown[0] = self.screen()
            return any(text in shown[0] for text in texts)

        wait(showing, timeout, lambda: f"{texts} on the page's terminal:\n{shown[0]}")
        return shown[0]

    def press(self, *keys: str) -> None:
        for key in keys:
            self.call(lambda page, k=key: page.keyboard.press(k))

    def type(self, text: str) -> None:
        self.call(lambda page: page.keyboard.type(text))

    def close(self) -> None:
        self.call(lambda page: page.context.close())


class Served:
    """`finops-tui serve --port 0` on a data dir, its output read as it comes."""

    def __init__(self, data_dir: Path, *args: str) -> None:
        self.data_dir = data_dir
        self.process = subprocess.Popen(
            [str(APP), "--data-dir", str(data_dir), "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        streams = ((self.process.stdout, self.stdout), (self.process.stderr, self.stderr))
        for stream, lines in streams:
            threading.Thread(target=_read, args=(stream, lines), daemon=True).start()
        wait(lambda: self.stdout or self.process.poll() is not None, 20, lambda: "the link")
        assert self.stdout, f"no link; stderr: {''.join(self.stderr)}"
        self.url = self.stdout[0].strip()
        parts = urlsplit(self.url)
        self.base = f"{parts.scheme}://{parts.netloc}"
        self.token = parts.query.removeprefix("token=")

    @property
    def pid(self) -> int:
        return self.process.pid

    def said(self) -> str:
        """What the server wrote on stderr up to its line about serving (after the link)."""
        wait(lambda: "serving the iterations" in "".join(self.stderr), 10, lambda: "stderr")
        return "".join(self.stderr)

    def app_pids(self) -> list[int]:
        """The app processes serving this data dir, wherever their parent went."""
        return app_processes(self.data_dir)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for pid in self.app_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _read(stream: Any, lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


def app_processes(data_dir: Path) -> list[int]:
    """The pids of live `finops_tui.serve.tab` processes on `data_dir` (zombies do not count)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"finops_tui.serve.tab" in argv and str(data_dir).encode() in argv and state != "Z":
            found.append(int(entry.name))
    return found


def until(
    condition: Callable[[], Any], timeout: float, what: str | Callable[[], str] = ""
) -> float:
    """Wait for `condition`; the seconds it took. `what` says what was awaited (or a function
    that says it, with what there is instead)."""
    start = time.monotonic()
    wait(condition, timeout, what if callable(what) else lambda: what)
    return time.monotonic() - start
