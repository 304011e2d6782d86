"""The frameworks in the app: choosing one in step 1, weights and a target score on the goal
matrix, a team's broken catalogue named on the list, and the move to the current framework."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select

from finops_tui.screens.dialogs import FormDialog, PickDialog
from finops_tui.steps import Step
from finops_tui.store import Store

from .conftest import make_iteration
from .ui import home_ready, make_app, on_step, open_step, saved, shown, type_text, wait_until


async def test_a_new_iteration_takes_the_current_framework_and_step_1_can_change_it(
    store: Store,
) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        await wait_until(
            pilot, lambda: store.files() and saved(store)["framework"] == "finops-2025"
        )
        select = app.screen.query_one("#framework", Select)
        select.value = "finops-2023"
        await wait_until(pilot, lambda: saved(store)["framework"] == "finops-2023")
        await pilot.press("ctrl+n")  # the scope now lists the 2023 capabilities
        await wait_until(pilot, lambda: on_step(app, Step.SCOPE))
        await pilot.press("space")
        await wait_until(pilot, lambda: saved(store).get("scope"))
        assert saved(store)["scope"][0]["capability"] == "data-analysis-showback"
        await pilot.press("ctrl+r")  # with something scoped, the framework is fixed
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        assert app.screen.query_one("#framework", Select).disabled
        assert "untick scope first" in str(app.screen.query_one("#framework-hint").render())


async def test_weights_and_a_target_score_are_set_on_the_row_and_shown(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.GOALS)
        await pilot.press("w")
        await wait_until(pilot, lambda: shown(app, FormDialog))
        metrics = app.screen.query_one("#field-metrics")
        metrics.focus()
        await pilot.press("ctrl+u", "3")
        app.screen.query_one("#field-target").focus()
        await type_text(pilot, "6")
        await pilot.press("enter")
        await wait_until(pilot, lambda: saved(store)["scope"][0].get("target_score") == 6)
        assert saved(store)["scope"][0]["weights"]["metrics"] == 3
        detail = str(app.screen.query_one("#cell-detail").render())
        assert "weighted" in detail and "target 6/20: 2 to go" in detail
        await pilot.press("ctrl+z")  # one step
        await wait_until(pilot, lambda: "target_score" not in saved(store)["scope"][0])


async def test_a_broken_catalogue_of_the_team_is_named_on_the_list(
    store: Store, tmp_path: Path
) -> None:
    catalogs = tmp_path / "config" / "catalogs"
    catalogs.mkdir(parents=True)
    (catalogs / "ours.toml").write_text("id = [\n")
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await home_ready(pilot)
        problems = str(app.screen.query_one("#problems").render())
        assert "1 catalogue of your own is not used" in problems and "ours.toml" in problems
        assert app.screen.query_one("#iterations").display  # the iterations stay usable


async def test_start_next_from_a_2023_iteration_can_move_to_2025(store: Store) -> None:
    iteration = make_iteration()
    iteration.close(iteration.ends)
    store.save(iteration)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: shown(app, PickDialog))
        assert "Budget management → Budgeting" in str(
            app.screen.query_one(".dialog-title").render()
        )
        await pilot.press("enter")  # move
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, PickDialog)
                and "not achieved" in str(app.screen.query_one(".dialog-title").render())
            ),
        )
        await pilot.press("enter")  # carry the goals
        await wait_until(pilot, lambda: len(store.files()) == 2)
        nxt = app.session.iteration
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
    moved = saved(store, nxt.id)
    assert moved["framework"] == "finops-2025"
    assert "budgeting" in [s["capability"] for s in moved["scope"]]
    assert {g["capability"] for g in moved["goals"]} <= {s["capability"] for s in moved["scope"]}
