"""Every screen renders at every size, from a cramped 40×12 to a wide 250×80."""

from __future__ import annotations

import pytest

from finops_tui.demo import seed
from finops_tui.steps import Step
from finops_tui.store import Store

from ..ui import TODAY, home_ready, make_app, on_step, open_step, wait_until


@pytest.mark.parametrize("size", [(40, 12), (60, 20), (80, 24), (250, 80)], ids=str)
async def test_every_screen_at(store: Store, size: tuple[int, int]) -> None:
    seed(store, TODAY)
    app = make_app(Store(store.data_dir))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await open_step(pilot, Step.STAKEHOLDERS)
        for step in Step:
            app.show_step(step)
            await wait_until(pilot, lambda s=step: on_step(app, s))
            await pilot.pause()
        await pilot.press("enter")  # a dialog on the review screen
        await pilot.pause()
        await pilot.press("escape", "escape")
        await home_ready(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert app.is_running and app.return_code is None
