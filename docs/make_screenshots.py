"""Regenerate the README screenshots: `python docs/make_screenshots.py` (needs the test extras).

Runs the app headless at 80×24 on the demo data and saves one SVG per screen (the list, the
five steps, the progress across iterations) in docs/screenshots/.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from textual.widgets import Input, TextArea

from finops_tui.app import FinOpsApp
from finops_tui.demo import seed
from finops_tui.screens.progress import ProgressScreen
from finops_tui.steps import Step
from finops_tui.store import Store

OUT = Path(__file__).parent / "screenshots"
TODAY = date(2026, 11, 28)


async def main() -> None:
    # A steady cursor: the screenshot should not depend on the blink phase.
    Input._toggle_cursor = lambda self: None  # type: ignore[method-assign]
    TextArea._toggle_cursor_blink_visible = lambda self: None  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "finops-tui"
        seed(Store(data), TODAY)
        app = FinOpsApp(Store(data), today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            while app.session.loading:  # the files are read after the first paint
                await pilot.pause(0.02)
            app.screen.sub_title = "~/.local/share/finops-tui"
            await pilot.pause()
            app.save_screenshot("0-home.svg", path=str(OUT))
            await pilot.press("enter")
            for step in Step:
                app.show_step(step)
                while getattr(app.screen, "STEP", None) is not step or not app.screen.is_mounted:
                    await pilot.pause(0.05)
                await pilot.pause(0.3)
                app.save_screenshot(f"{step.value}-{step.title.lower()}.svg", path=str(OUT))
            await pilot.press("f9")
            while not isinstance(app.screen, ProgressScreen) or app.screen.trend is None:
                await pilot.pause(0.05)
            await pilot.pause(0.3)
            app.save_screenshot("6-progress.svg", path=str(OUT))


if __name__ == "__main__":
    asyncio.run(main())
