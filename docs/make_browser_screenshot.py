"""Regenerate the README picture of the app in a browser: `python docs/make_browser_screenshot.py`.

Serves the demo data with `finops-tui serve` and screenshots the goal matrix of its newest
iteration in Debian's Chromium (through Playwright, as the browser tests do) into
docs/screenshots/browser.png. Needs the test extras and `/usr/bin/chromium`.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import Chromium, Served, Tab  # noqa: E402

from finops_tui.demo import seed  # noqa: E402
from finops_tui.store import Store  # noqa: E402

OUT = ROOT / "docs" / "screenshots" / "browser.png"
VIEWPORT = (1100, 640)


def main() -> None:
    chromium = Chromium()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "finops-tui"
        seed(Store(data), date.today())
        served = Served(data)
        try:
            tab = Tab(chromium, viewport=VIEWPORT)
            tab.open(served.url)
            tab.wait_for("Monthly budgets and anomaly alerts")
            tab.press("Enter")
            tab.wait_for("Before you begin")
            tab.press("F8", "F8")
            tab.wait_for("Identify your goals")
            tab.call(lambda page: page.mouse.move(0, 0))
            tab.call(lambda page: page.screenshot(path=str(OUT)))
            tab.close()
        finally:
            served.stop()
            chromium.close()
    print(f"Wrote {OUT}")


if __name__ == "__main__":
    main()
