"""Two whole iterations and the start of a third, at 80×24, by keys alone; after each step the
user goes back to the list and finds there what they just did. Then the same screens at
60×20, each with its main action in view."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, DataTable

from finops_tui.app import FinOpsApp
from finops_tui.screens.dialogs import ConfirmDialog, FormDialog, PickDialog
from finops_tui.screens.home import HomeScreen
from finops_tui.steps import Step
from finops_tui.store import Store
from finops_tui.widgets.checklist import CapabilityChecklist
from finops_tui.widgets.goal_matrix import GoalMatrix
from finops_tui.widgets.key_bar import KeyBar

from .ui import home_ready, make_app, on_step, press, saved, shown, type_text, wait_until


def rows(app: FinOpsApp) -> dict[str, dict[str, str]]:
    """The list as shown, by iteration number: each column's text."""
    table = app.screen.query_one("#iterations", DataTable)
    keys = [str(c.key.value) for c in table.ordered_columns]
    shown = [
        dict(zip(keys, map(str, table.get_row_at(i)), strict=True)) for i in range(table.row_count)
    ]
    return {row["number"]: row for row in shown}


async def home(pilot: Pilot) -> dict[str, dict[str, str]]:
    """Escape back to the list, and what it shows once it shows it."""
    app = pilot.app
    await press(pilot, "escape")
    await wait_until(pilot, lambda: shown(app, HomeScreen))
    await pilot.pause()
    return rows(app)  # type: ignore[arg-type]


async def step(pilot: Pilot, target: Step) -> None:
    """From the list, open the highlighted iteration and walk with ctrl+n to a step."""
    app = pilot.app
    await press(pilot, "enter")
    await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS) or on_step(app, Step.REVIEW))
    if on_step(app, Step.REVIEW):  # a closed iteration opens at its review
        await press(pilot, *["ctrl+r"] * (Step.REVIEW - Step.STAKEHOLDERS))
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
    for _ in range(target - Step.STAKEHOLDERS):
        await press(pilot, "ctrl+n")
    await wait_until(pilot, lambda: on_step(app, target))
    await pilot.pause()


async def describe_goal(pilot: Pilot, statement: str) -> None:
    await press(pilot, "enter")
    await wait_until(pilot, lambda: shown(pilot.app, FormDialog))
    await type_text(pilot, statement)
    await press(pilot, *["enter"] * 5)  # statement, metric, baseline, target, due: saved
    await wait_until(pilot, lambda: on_step(pilot.app, Step.GOALS))  # type: ignore[arg-type]


async def add_action(pilot: Pilot, title: str, owner: str) -> None:
    await press(pilot, "a")
    await wait_until(pilot, lambda: shown(pilot.app, FormDialog))
    await type_text(pilot, title)
    await press(pilot, "enter")
    await type_text(pilot, owner)
    await press(pilot, "enter", "enter", "enter")  # owner, due, status: saved
    await wait_until(pilot, lambda: on_step(pilot.app, Step.PLAN))  # type: ignore[arg-type]


async def record_outcome(pilot: Pilot, pick: int, evidence: str) -> None:
    """Enter on the first goal; pick the outcome `pick` rows down the list; evidence; save."""
    await press(pilot, "enter")
    await wait_until(pilot, lambda: shown(pilot.app, FormDialog))
    await press(pilot, "down")  # opens the outcome's choices
    await pilot.pause()
    await press(pilot, *["down"] * pick, "enter")
    await press(pilot, "enter", "enter")  # on to the level reached, then to the evidence
    await type_text(pilot, evidence)
    await press(pilot, "enter")
    await wait_until(pilot, lambda: on_step(pilot.app, Step.REVIEW))  # type: ignore[arg-type]


async def close_iteration(pilot: Pilot) -> None:
    app = pilot.app
    await press(pilot, "shift+tab")  # from the goals table to the Close button
    await wait_until(pilot, lambda: isinstance(app.focused, Button))
    await press(pilot, "enter")
    await wait_until(pilot, lambda: shown(app, ConfirmDialog))  # open actions
    await press(pilot, "y")
    await wait_until(pilot, lambda: app.screen.query("#start-next"))


def goals_of(store: Store, number: int) -> list[dict[str, Any]]:
    path = next(p for p in store.files() if saved(store, p.stem)["number"] == number)
    return saved(store, path.stem).get("goals", [])


async def test_two_iterations_and_the_start_of_a_third_by_keys(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)

        # Iteration 1, step 1: title and who takes part.
        await press(pilot, "n")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        await type_text(pilot, "Visibility first")
        await press(pilot, "tab", "tab", "tab", "space", "tab", "tab", "space")
        listed = await home(pilot)
        assert (listed["1"]["title"], listed["1"]["status"]) == ("Visibility first", "planning")
        assert saved(store)["stakeholders"]["finance"] is True

        # Step 2: three capabilities.
        await step(pilot, Step.SCOPE)
        await press(pilot, "space", "down", "space", "down", "space")
        await wait_until(pilot, lambda: len(saved(store).get("scope", [])) == 3)
        assert (await home(pilot))["1"]["caps"] == "3"

        # Step 3: one goal, described.
        await step(pilot, Step.GOALS)
        await press(pilot, "1", "plus")
        await describe_goal(pilot, "Everyone finds their cost")
        assert (await home(pilot))["1"]["goals"] == "0/1"

        # Step 4: an action.
        await step(pilot, Step.PLAN)
        await add_action(pilot, "Publish the cost report", "Ana")
        await wait_until(pilot, lambda: goals_of(store, 1)[0].get("actions"))
        await home(pilot)

        # Step 5: achieved, then closed (the action is still open: it asks first).
        await step(pilot, Step.REVIEW)
        await record_outcome(pilot, 1, "The report is in the wiki")
        await close_iteration(pilot)
        listed = await home(pilot)
        assert (listed["1"]["status"], listed["1"]["goals"]) == ("closed", "1/1")

        # Iteration 2, started from #1: same scope, goal achieved so nothing to carry.
        await press(pilot, "s")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        await type_text(pilot, "Budgets next")
        listed = await home(pilot)
        assert (listed["2"]["title"], listed["2"]["status"]) == ("Budgets next", "planning")
        assert listed["2"]["caps"] == "3" and listed["1"]["status"] == "closed"

        await step(pilot, Step.SCOPE)  # the first row is #2, the newest
        counter = app.screen.query_one("#scope-counter")
        assert "3 selected" in str(counter.render()) and "0 added" in str(counter.render())
        await press(pilot, "down", "down", "down", "space")  # add a fourth
        await wait_until(pilot, lambda: "1 added" in str(counter.render()))
        assert (await home(pilot))["2"]["caps"] == "4"

        await step(pilot, Step.GOALS)
        await press(pilot, "down", "right", "plus")
        await describe_goal(pilot, "Budgets for every product")
        assert (await home(pilot))["2"]["goals"] == "0/1"
        [goal] = goals_of(store, 2)
        assert goal["id"] == "g2"  # ids are never reused: #1 had g1

        await step(pilot, Step.PLAN)
        await add_action(pilot, "Agree budget owners", "Ana")
        await home(pilot)

        await step(pilot, Step.REVIEW)
        await record_outcome(pilot, 2, "Half the products have one")  # partly
        await close_iteration(pilot)
        listed = await home(pilot)
        assert (listed["2"]["status"], listed["2"]["goals"]) == ("closed", "0/1")

        # The start of iteration 3: the unfinished goal comes along, with its open action.
        await press(pilot, "s")
        await wait_until(pilot, lambda: shown(app, PickDialog))
        await press(pilot, "enter")  # carry it over
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        listed = await home(pilot)
        assert listed["3"]["status"] == "planning" and listed["3"]["goals"] == "0/1"
        [carried] = goals_of(store, 3)
        assert carried["id"] == "g2" and carried["carried_from"].endswith("#g2")
        assert [a["title"] for a in carried["actions"]] == ["Agree budget owners"]
        # Starting from #2 again offers to open #3 instead of making a second one.
        table = app.screen.query_one("#iterations", DataTable)
        table.move_cursor(row=1)
        await press(pilot, "s")
        await wait_until(pilot, lambda: shown(app, PickDialog))
        await press(pilot, "enter")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        assert app.session.iteration.number == 3
    assert len(store.files()) == 3


MAIN_ACTION = {
    Step.STAKEHOLDERS: "#title",
    Step.SCOPE: CapabilityChecklist,
    Step.GOALS: GoalMatrix,
    Step.PLAN: "#goals",
    Step.REVIEW: "#close",
}


async def test_at_60x20_no_step_hides_its_main_action(store: Store) -> None:
    from finops_tui.demo import seed

    from .ui import TODAY

    seed(store, TODAY)
    app = make_app(Store(store.data_dir))
    async with app.run_test(size=(60, 20)) as pilot:
        await home_ready(pilot)
        await press(pilot, "enter")  # #3, under way
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        for current in Step:
            app.show_step(current)
            await wait_until(pilot, lambda s=current: on_step(app, s))
            await pilot.pause()
            main = app.screen.query_one(MAIN_ACTION[current])  # type: ignore[call-overload]
            screen = app.screen.region
            region = main.region
            assert region.width > 0 and region.height > 0, current
            assert screen.contains_region(region) or (
                region.y < screen.bottom - 2 and region.x < screen.right
            ), (current, region)
            footer = app.screen.query_one(KeyBar)
            assert footer.region.bottom == screen.bottom
