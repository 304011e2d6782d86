"""Every screen renders at every size, from a cramped 40×12 to a wide 250×80."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from finops_tui.demo import seed
from finops_tui.screens.dialogs import Dialog
from finops_tui.steps import Step
from finops_tui.store import Store

from ..ui import TODAY, clipped, home_ready, laid_out, make_app, on_step, open_step, wait_until


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


@pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=str)
async def test_dialogs_keep_their_buttons_in_view(store: Store, size: tuple[int, int]) -> None:
    """Down to 60×20 a dialog's fields scroll and its buttons stay in view: nothing that does
    not scroll is cut off, on the list, the steps and their dialogs."""
    seed(store, TODAY)
    app = make_app(Store(store.data_dir))
    async with app.run_test(size=size) as pilot:

        async def dialog(*keys: str) -> None:
            await pilot.press(*keys)
            await wait_until(pilot, lambda: isinstance(app.screen, Dialog))
            await wait_until(pilot, lambda: laid_out(app.screen))
            await pilot.pause()
            assert clipped(app.screen) == [], type(app.screen)
            buttons = app.screen.query(Button)
            assert buttons and all(app.screen.region.contains_region(b.region) for b in buttons)
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, Dialog))

        await home_ready(pilot)
        await dialog("x")  # export
        await dialog("d")  # delete
        await open_step(pilot, Step.STAKEHOLDERS)
        app.screen.query_one("#people").focus()
        await dialog("a")  # a person
        app.show_step(Step.GOALS)
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        await dialog("enter")  # a goal
        await dialog("w")  # weights and target
        app.show_step(Step.PLAN)
        await wait_until(pilot, lambda: on_step(app, Step.PLAN))
        await dialog("a")  # an action
        app.show_step(Step.REVIEW)
        await wait_until(pilot, lambda: on_step(app, Step.REVIEW))
        app.screen.query_one("#outcomes").focus()
        await dialog("enter")  # an outcome
