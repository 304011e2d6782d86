"""Screens are styled once as they open (`screens/fresh.py`): what each screen of the journey
shows first is what styling it all over again gives; and the plan's goals and actions sit
side by side from the first frame where there is room, stacked at 80 columns, and follow
the terminal as it is resized."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from finops_tui.app import FinOpsApp
from finops_tui.screens.dialogs import Dialog, PickDialog
from finops_tui.screens.fresh import breakpoint_class
from finops_tui.screens.plan import PlanScreen
from finops_tui.screens.progress import CompareScreen, ProgressScreen
from finops_tui.steps import Step
from finops_tui.store import Store

from .test_progress_app import demo, dialog_title, open_progress
from .ui import home_ready, make_app, on_step, open_step, press, shown, wait_until


def styles_of(screen: Screen[object]) -> list[tuple[str, str]]:
    """Every widget of the screen and its computed styles, as CSS."""
    return [(repr(node), node.styles.css) for node in screen.walk_children(with_self=True)]


async def styled_as_when_restyled(pilot: Pilot[object]) -> Screen[object]:
    """The screen shown, once settled, has the styles that styling it all over again gives."""
    screen = pilot.app.screen
    looks: list[list[tuple[str, str]]] = []
    while len(looks) < 2 or looks[-1] != looks[-2]:  # settled: two looks alike
        assert len(looks) < 50, "the styles never settle"
        await pilot.pause()
        looks.append(styles_of(screen))
    first = looks[-1]
    screen.update_node_styles(animate=False)  # what Textual does as a screen is shown again
    again = styles_of(screen)
    assert len(again) > 3
    assert [pair for pair in first if pair not in again] == [], type(screen).__name__
    return screen


async def test_every_screen_first_shows_the_styles_a_full_restyle_gives(store: Store) -> None:
    app = make_app(demo(store))
    seen: list[str] = []

    async def look(pilot: Pilot[object]) -> None:
        seen.append(type(await styled_as_when_restyled(pilot)).__name__)

    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await look(pilot)
        await open_step(pilot, Step.STAKEHOLDERS)
        for step in Step:
            app.show_step(step)
            await wait_until(pilot, lambda s=step: on_step(app, s))
            await look(pilot)
        app.show_step(Step.PLAN)
        await wait_until(pilot, lambda: on_step(app, Step.PLAN))
        await press(pilot, "a")  # a dialog: add an action
        await wait_until(pilot, lambda: isinstance(app.screen, Dialog))
        await look(pilot)
        await press(pilot, "escape", "escape")
        await home_ready(pilot)
        # Home again, shown as it was left: styled again, as Textual does.
        await look(pilot)
        await open_progress(pilot)
        await look(pilot)
        await press(pilot, "c")
        await wait_until(pilot, lambda: shown(app, PickDialog))
        await press(pilot, "enter")
        await wait_until(pilot, lambda: "with which" in dialog_title(pilot))
        await press(pilot, "enter")
        await wait_until(pilot, lambda: shown(app, CompareScreen))
        await look(pilot)
        await press(pilot, "escape")
        await wait_until(pilot, lambda: shown(app, ProgressScreen))
        await look(pilot)
    assert seen == [
        "HomeScreen", "StakeholdersScreen", "ScopeScreen", "GoalsScreen", "PlanScreen",
        "ReviewScreen", "FormDialog", "HomeScreen", "ProgressScreen", "CompareScreen",
        "ProgressScreen",
    ]  # fmt: skip


def laid_out(app: App[object]) -> bool:
    return all(app.screen.query_one(f"#{name}").region for name in ("goals-panel", "actions-panel"))


def side_by_side(app: App[object]) -> bool:
    """The actions beside the goals (else below them: checked)."""
    goals: Widget = app.screen.query_one("#goals-panel")
    actions: Widget = app.screen.query_one("#actions-panel")
    beside = actions.region.x >= goals.region.right and actions.region.y == goals.region.y
    assert beside or actions.region.y >= goals.region.bottom, (goals.region, actions.region)
    return beside


async def plan_laid_out(pilot: Pilot[object], width: int) -> None:
    """The plan on screen, laid out for a terminal `width` columns wide."""
    app = pilot.app
    assert isinstance(app, FinOpsApp)
    await wait_until(pilot, lambda: on_step(app, Step.PLAN) and laid_out(app))
    await wait_until(pilot, lambda: app.screen.region.width == width)


async def test_the_plan_is_side_by_side_from_110_columns_and_stacked_below(store: Store) -> None:
    for width, beside in ((80, False), (109, False), (110, True), (140, True)):
        app = make_app(demo(store))
        async with app.run_test(size=(width, 30)) as pilot:
            await open_step(pilot, Step.PLAN)
            assert isinstance(app.screen, PlanScreen)
            await plan_laid_out(pilot, width)
            assert side_by_side(app) is beside, width  # as first laid out
            await styled_as_when_restyled(pilot)
    # And it follows the terminal as it is resized, back and forth.
    app = make_app(demo(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.PLAN)
        for width, beside in ((120, True), (80, False), (110, True)):
            await pilot.resize_terminal(width, 30)
            await plan_laid_out(pilot, width)
            await wait_until(pilot, lambda b=beside: side_by_side(app) is b)
        app.show_step(Step.REVIEW)  # another step, and back: as wide as the terminal now
        await wait_until(pilot, lambda: on_step(app, Step.REVIEW))
        app.show_step(Step.PLAN)
        await plan_laid_out(pilot, 110)
        assert side_by_side(app)


def test_the_breakpoint_class_is_the_largest_reached() -> None:
    breakpoints = PlanScreen.HORIZONTAL_BREAKPOINTS or []
    assert [breakpoint_class(breakpoints, w) for w in (0, 80, 109, 110, 300)] == [
        "-narrow", "-narrow", "-narrow", "-wide", "-wide",
    ]  # fmt: skip
    assert breakpoint_class([(40, "-small"), (0, "-tiny")], 39) == "-tiny"
    assert breakpoint_class([(40, "-small")], 39) is None
