"""The top line of every screen (`widgets/title_bar.py`): the palette's icon and the title,
following what is typed; and no screen switched or app ended at once trips over it."""

from __future__ import annotations

from textual.app import App
from textual.command import CommandPalette
from textual.widgets import Input

from finops_tui.screens.base import StepScreen
from finops_tui.steps import Step
from finops_tui.store import Store
from finops_tui.widgets.title_bar import TitleBar

from .conftest import make_iteration
from .test_journey import back_home
from .ui import home_ready, make_app, on_step, open_step, press, saved, shown, wait_until


def top_line(app: App[object]) -> str:
    """The top line as the current screen draws it ("" until it is laid out)."""
    bar = app.screen.query_one(TitleBar)
    return bar.render().plain if bar.size.width else ""


async def test_the_top_line_follows_the_title_typed_and_the_screen(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await wait_until(pilot, lambda: "finops-tui — /" in top_line(app))  # the data dir
        assert top_line(app).startswith(" ⭘ ")
        await open_step(pilot, Step.STAKEHOLDERS)
        await wait_until(pilot, lambda: "finops-tui — Commitments and budgets" in top_line(app))
        app.screen.query_one("#title", Input).focus()
        await press(pilot, "end", *" v2")
        await wait_until(pilot, lambda: "— Commitments and budgets v2" in top_line(app))
        await wait_until(pilot, lambda: saved(store)["title"] == "Commitments and budgets v2")
        app.show_step(Step.GOALS)  # the next step shows it too
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        await wait_until(pilot, lambda: "— Commitments and budgets v2" in top_line(app))
        await back_home(pilot)
        await wait_until(pilot, lambda: "finops-tui — /" in top_line(app))


async def test_a_long_title_ends_in_an_ellipsis_within_the_line(store: Store) -> None:
    store.save(make_iteration(title="A title much longer than any terminal of eighty columns " * 2))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        await wait_until(pilot, lambda: top_line(app))
        line = top_line(app)
        assert line.startswith(" ⭘      finops-tui — A title much longer")
        assert line.endswith("…") and len(line) == 80 - 10


async def test_steps_switched_and_the_app_ended_the_moment_each_mounts(store: Store) -> None:
    """Textual's `Header` set its title from callbacks queued as it mounted, and failed when
    its screen was gone before they ran: here nothing is queued to fail."""
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        for step in (Step.SCOPE, Step.GOALS, Step.PLAN, Step.REVIEW, Step.SCOPE):
            app.show_step(step)
            await wait_until(pilot, lambda s=step: on_step(app, s))  # mounted: switch at once
        app.session.edit("retitle", lambda it: it.retitle("Renamed as it closes"))
        app.exit()  # and end the app the moment the last one mounted
    assert app.return_code == 0
    assert saved(store)["title"] == "Renamed as it closes"


async def test_clicking_the_icon_opens_the_palette_and_the_title_does_not(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        await pilot.click(TitleBar, offset=(20, 0))
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        await pilot.click(TitleBar, offset=(1, 0))
        await wait_until(pilot, lambda: shown(app, CommandPalette))
