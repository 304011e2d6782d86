"""The first screen and a key's echo in a browser (`finops-tui serve`, Chromium) beside a terminal.

    python bench/browser.py [--runs 5] [--keys 40]

Browser (Debian's Chromium through Playwright, as in the tests): the first screen runs from
navigating to the link until the page's terminal has drawn the list (the page, its assets,
the WebSocket, starting the app process, its first paint, the relay, xterm.js drawing it);
a key's echo from the key's `keydown` in the page until xterm.js has drawn the typed title
(browser → WebSocket → server → app → server → WebSocket → xterm.js). Both are timed in the
page with `performance.now()`, on xterm.js's own render event.

Terminal: the same app in a pseudo-terminal (80×24, what a terminal emulator reads): the
first screen from starting the process until its output holds the list, a key's echo from
writing the key until the output holds the character. The emulator's own drawing is not in
these figures (a millisecond or two).

An empty data dir; medians over the runs, and p50 / p95 / max over the keys. Needs the test
extras and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import APP, Chromium, Served, Tab  # noqa: E402

FIRST = "Press  n  to start"
TITLE = "Quarterly budget review for the platform team"
# Installed before the page's scripts: times the first screen and each key's echo on
# xterm.js's render event, once textual.js hands its terminal to `window.finopsTerminal`.
TIMING = """
window.bench = {first: null, down: null, expect: null, echo: null};
const shows = (terminal, text, start = "") => {
  const buffer = terminal.buffer.active;
  for (let y = 0; y < buffer.length; y++) {
    const line = buffer.getLine(y), shown = line ? line.translateToString(true) : "";
    if (shown.trimStart().startsWith(start) && shown.includes(text)) return true;
  }
  return false;
};
document.addEventListener("keydown", () => { window.bench.down = performance.now(); }, true);
let hooked;
Object.defineProperty(window, "finopsTerminal", {
  get() { return hooked; },
  set(terminal) {
    hooked = terminal;
    terminal.onRender(() => {
      const now = performance.now(), b = window.bench;
      if (b.first === null && shows(terminal, "%FIRST%")) b.first = now;
      if (b.expect !== null && b.echo === null && shows(terminal, b.expect, "Title")) {
        b.echo = now - b.down;
      }
    });
  },
});
""".replace("%FIRST%", FIRST)


def until(condition, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.005)
    return value


def browser_first_screen(chromium: Chromium, served: Served) -> float:
    tab = Tab(chromium)
    tab.call(lambda page: page.add_init_script(TIMING))
    tab.goto(served.url)
    first = until(lambda: tab.call(lambda page: page.evaluate("() => window.bench.first")))
    tab.close()
    return first / 1000


def browser_echoes(chromium: Chromium, served: Served, keys: int) -> list[float]:
    tab = Tab(chromium)
    tab.call(lambda page: page.add_init_script(TIMING))
    tab.open(served.url)
    tab.press("n")
    tab.wait_for("Before you begin")
    echoes = []
    for n in range(keys):
        typed = TITLE[: n % len(TITLE) + 1]
        if n and n % len(TITLE) == 0:
            tab.press("Control+u")  # start the title again
            tab.wait_for("What this iteration is about")
        tab.call(
            lambda page, t=typed: page.evaluate(
                "t => Object.assign(window.bench, {expect: t, echo: null})", t
            )
        )
        tab.press(typed[-1] if typed[-1] != " " else "Space")
        echoes.append(until(lambda: tab.call(lambda p: p.evaluate("() => window.bench.echo"))))
    tab.close()
    return [e / 1000 for e in echoes]


class Pty:
    """The app in a pseudo-terminal of 80×24."""

    def __init__(self, data_dir: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = os.environ | {"TERM": "xterm-256color", "FINOPS_TUI_DATA_DIR": str(data_dir)}
        self.start = time.monotonic()
        self.process = subprocess.Popen(
            [str(APP)], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.output = bytearray()

    def read_until(self, wanted: bytes, timeout: float = 30.0) -> float:
        """Read until the output (from now on) holds `wanted`; when that was."""
        seen = len(self.output)
        deadline = time.monotonic() + timeout
        while wanted not in self.output[seen:]:
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {wanted!r}")
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                self.output += os.read(self.master, 65536)
        return time.monotonic()

    def quiet(self, seconds: float = 0.15) -> None:
        """Read until the app has written nothing for `seconds` (its last repaint is done)."""
        while select.select([self.master], [], [], seconds)[0]:
            self.output += os.read(self.master, 65536)

    def key(self, key: str, shown: str) -> float:
        """Write a key once the screen is still; the seconds until `shown` is in the output."""
        self.quiet()
        sent = time.monotonic()
        os.write(self.master, key.encode())
        return self.read_until(shown.encode()) - sent

    def close(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        with contextlib.suppress(OSError):
            os.close(self.master)


def terminal_first_screen(data_dir: Path) -> float:
    terminal = Pty(data_dir)
    took = terminal.read_until(FIRST.encode()) - terminal.start
    terminal.close()
    return took


def terminal_echoes(data_dir: Path, keys: int) -> list[float]:
    terminal = Pty(data_dir)
    terminal.read_until(FIRST.encode())
    os.write(terminal.master, b"n")
    terminal.read_until(b"Before you begin")
    echoes = []
    for n in range(keys):
        typed = TITLE[: n % len(TITLE) + 1]
        if n and n % len(TITLE) == 0:
            terminal.key("\x15", "What this iteration is about")  # ctrl+u: start again
        echoes.append(terminal.key(typed[-1], typed))  # the field is redrawn whole
    terminal.close()
    return echoes


def summary(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):.0f} / p95 {p95:.0f} / max {ms[-1]:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keys", type=int, default=40)
    args = parser.parse_args()
    chromium = Chromium()
    with tempfile.TemporaryDirectory() as tmp:
        web_data, term_data = Path(tmp) / "web", Path(tmp) / "term"
        os.environ["FINOPS_TUI_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["FINOPS_TUI_CACHE_DIR"] = str(Path(tmp) / "cache")
        served = Served(web_data)
        try:
            browser_first_screen(chromium, served)  # warm-up: page cache, imports
            terminal_first_screen(term_data)
            web = [browser_first_screen(chromium, served) for _ in range(args.runs)]
            term = [terminal_first_screen(term_data) for _ in range(args.runs)]
            web_keys = browser_echoes(chromium, served, args.keys)
            term_keys = terminal_echoes(term_data, args.keys)
        finally:
            served.stop()
            chromium.close()
    print(f"first screen, median of {args.runs}: browser {statistics.median(web) * 1000:.0f} ms, "
          f"terminal {statistics.median(term) * 1000:.0f} ms")  # fmt: skip
    print(f"key echo, {args.keys} keys: browser {summary(web_keys)}; terminal {summary(term_keys)}")


if __name__ == "__main__":
    main()
