"""A year of iterations without a surprise: one test per thing that got in a user's way, each
asserting on what the screen shows and what the file holds."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from textual.widgets import DataTable, Input, Select

from finops_tui.demo import seed
from finops_tui.lenses import Lens
from finops_tui.model import Action, Outcome
from finops_tui.screens.dialogs import ConfirmDialog, FormDialog, PickDialog
from finops_tui.screens.export import ExportDialog
from finops_tui.screens.home import HomeScreen
from finops_tui.screens.progress import ProgressScreen
from finops_tui.steps import Step
from finops_tui.store import Store
from finops_tui.widgets.goal_matrix import Cell, GoalMatrix
from finops_tui.widgets.key_bar import KeyBar
from finops_tui.widgets.step_bar import StepBar

from .conftest import make_iteration, without_ids
from .ui import (
    TODAY,
    clipped,
    home_ready,
    keys_panel,
    make_app,
    on_step,
    open_step,
    saved,
    shown,
    type_text,
    wait_until,
)

ID = "2026-11-28-k3f9"


def rendered(widget: object) -> str:
    return str(widget.render())  # type: ignore[attr-defined]


def highlight(app: object, number: int) -> None:
    """Put the list's cursor on iteration #number."""
    table = app.screen.query_one("#iterations", DataTable)  # type: ignore[attr-defined]
    row = next(i for i in range(table.row_count) if str(table.get_row_at(i)[0]) == str(number))
    table.move_cursor(row=row)


async def test_start_next_on_an_iteration_that_already_has_one_offers_to_open_it(
    store: Store,
) -> None:
    seed(store, TODAY)
    app = make_app(Store(store.data_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        highlight(app, 2)
        await pilot.press("s")
        await wait_until(pilot, lambda: shown(app, PickDialog))
        assert "already continues #2" in rendered(app.screen.query_one(".dialog-title"))
        await pilot.press("enter")  # "Open #3", the first choice
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        assert app.session.iteration.number == 3
        # #2 itself, opened, is at its Review with the focus on its outcomes: the next
        # iteration is there already.
        await pilot.press("escape")
        await home_ready(pilot)
        highlight(app, 2)
        await pilot.press("enter")
        await wait_until(pilot, lambda: on_step(app, Step.REVIEW))
        assert app.session.iteration.number == 2
        assert app.focused is app.screen.query_one("#outcomes")
    assert len(store.files()) == 3  # no second follow-on


async def test_back_on_goals_the_cursor_is_where_it_was(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.GOALS)
        await pilot.press("down", "down", "right", "right", "right")
        matrix = app.screen.query_one(GoalMatrix)
        where = Cell("managing-anomalies", Lens.ADOPTION)
        assert matrix.cell == where
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: on_step(app, Step.PLAN))
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        assert app.screen.query_one(GoalMatrix).cell == where
        await pilot.press("3")  # lands in the cell the user sees the cursor on
        await wait_until(
            pilot, lambda: saved(store)["levels"]["managing-anomalies"]["adoption"] == 3
        )


async def test_the_export_dialog_walks_its_fields_and_keeps_what_is_typed(
    store: Store, tmp_path: Path
) -> None:
    store.save(make_iteration())
    app = make_app(store, export_dir=tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await home_ready(pilot)
        await pilot.press("x")
        await wait_until(pilot, lambda: shown(app, ExportDialog))
        dialog = app.screen
        assert app.focused is dialog.query_one("#format", Select)  # the first field
        dialog.query_one("#format", Select).value = "html"
        await pilot.press("enter")  # Enter goes on to the file
        path = dialog.query_one("#path", Input)
        await wait_until(pilot, lambda: app.focused is path)
        assert path.value.endswith(".html") and path.cursor_position == len(path.value)
        await pilot.press("ctrl+u")  # clears all of it: the cursor was at the end
        assert path.value == ""
        await type_text(pilot, "missing/report.html")
        await pilot.press("enter")
        error = dialog.query_one("#error")
        await wait_until(pilot, lambda: "no folder" in rendered(error))
        assert app.screen is dialog  # still open, the path kept to fix
        await pilot.press("ctrl+u")
        (tmp_path / "reports").mkdir()
        await type_text(pilot, str(tmp_path / "reports" / "review.html"))
        await pilot.press("enter")
        await wait_until(pilot, (tmp_path / "reports" / "review.html").exists)
        await wait_until(pilot, lambda: shown(app, HomeScreen))
        await pilot.press("x")  # the next export starts in the folder of the last one
        await wait_until(pilot, lambda: shown(app, ExportDialog))
        assert app.screen.query_one("#path", Input).value.startswith(str(tmp_path / "reports"))


async def test_enter_in_the_person_dialog_goes_on_to_the_group_and_saves_from_it(
    store: Store,
) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        app.screen.query_one("#people").focus()
        await pilot.press("a")
        await wait_until(pilot, lambda: shown(app, FormDialog))
        await type_text(pilot, "Lena")
        await pilot.press("enter")
        await type_text(pilot, "Controller")
        await pilot.press("enter")  # on to the group: not saved yet
        group = app.screen.query_one("#field-group", Select)
        await wait_until(pilot, lambda: app.focused is group)
        assert isinstance(app.screen, FormDialog)
        await pilot.press("down")  # opens the choices
        await wait_until(pilot, lambda: group.expanded)
        await pilot.press("end", "enter")  # the last group: finance
        await wait_until(pilot, lambda: not group.expanded and group.value == "finance")
        await pilot.press("enter")  # saves from the last field
        await wait_until(pilot, lambda: len(saved(store)["stakeholders"]["people"]) == 3)
    assert without_ids(saved(store)["stakeholders"]["people"])[2] == {
        "name": "Lena",
        "role": "Controller",
        "group": "finance",
    }


async def test_the_plan_says_where_the_focus_is_names_the_goal_and_moves_actions(
    store: Store,
) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.PLAN)
        goals_label = app.screen.query_one("#goals-label")
        actions_label = app.screen.query_one("#actions-label")
        assert rendered(goals_label).startswith("▶") and not rendered(actions_label).startswith("▶")
        await pilot.press("enter")  # g1's actions
        await wait_until(pilot, lambda: rendered(actions_label).startswith("▶ Actions of g1"))
        await pilot.press("down", "m")  # move "Share the variance report" to g2
        await wait_until(pilot, lambda: shown(app, PickDialog))
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(saved(store)["goals"][1].get("actions", [])) == 1)
        assert saved(store)["goals"][1]["actions"][0]["title"] == "Share the variance report"
        assert [a["title"] for a in saved(store)["goals"][0]["actions"]] == [
            "Create budgets for the 12 prod subscriptions"
        ]
        # The add dialog names its goal and says what each field is for; the owner completes
        # from the stakeholders.
        await pilot.press("a")
        await wait_until(pilot, lambda: shown(app, FormDialog))
        assert "to g1 Budget management" in rendered(app.screen.query_one(".dialog-title"))
        hints = [app.screen.query_one(f"#field-{f}", Input).placeholder for f in ("title", "owner")]
        assert hints[0].startswith("what will be done") and hints[1].startswith("a stakeholder")
        await type_text(pilot, "Review budgets")
        await pilot.press("enter", "S", "right")  # "S" + → completes "Sam Okafor"
        owner = app.screen.query_one("#field-owner", Input)
        await wait_until(pilot, lambda: owner.value == "Sam Okafor")


async def test_unticking_a_carried_capability_warns_and_takes_the_tick_off_step_2(
    store: Store,
) -> None:
    previous = make_iteration(id="2026-10-01-ab12", number=2)
    store.save(previous)
    store.save(make_iteration())  # the same three capabilities, continuing #2
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.SCOPE)
        counter = app.screen.query_one("#scope-counter")
        assert "⚠" not in rendered(counter) and "0 added" in rendered(counter)
        app.screen.query_one("#checklist").highlight_capability("budget-management")
        await pilot.press("space")
        await wait_until(pilot, lambda: "1 removed" in rendered(counter))
        assert rendered(counter).startswith("⚠")
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        assert "✓2" not in rendered(app.screen.query_one(StepBar))


async def test_closing_says_what_is_still_open_and_the_next_iteration_picks_it_up(
    store: Store,
) -> None:
    iteration = make_iteration(starts=TODAY, ends=TODAY + timedelta(weeks=4))
    iteration.goals[0].actions.append(
        Action(title="Send the first report", due=date(2026, 11, 20))  # before the next start
    )
    store.save(iteration)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.REVIEW)
        await pilot.press("enter")  # g1 (1 → 2): partly, still at level 1, with evidence
        await wait_until(pilot, lambda: shown(app, FormDialog))
        app.screen.query_one("#field-outcome", Select).value = Outcome.PARTLY
        app.screen.query_one("#field-reached_level", Select).value = 1
        app.screen.query_one("#field-evidence", Input).focus()
        await type_text(pilot, "Variance report for 9 of 12")
        await pilot.press("enter")
        await wait_until(pilot, lambda: saved(store)["goals"][0].get("outcome") == "partly")
        app.screen.query_one("#close").press()
        await wait_until(pilot, lambda: shown(app, ConfirmDialog))
        question = rendered(app.screen.query_one(".dialog-question"))
        assert "1 goal without an outcome yet: g2" in question
        assert "2 actions still open" in question and "planned to run until" in question
        await pilot.press("n")  # not yet: nothing changes
        await wait_until(pilot, lambda: on_step(app, Step.REVIEW))
        assert saved(store)["status"] == "active"
        app.screen.query_one("#close").press()
        await wait_until(pilot, lambda: shown(app, ConfirmDialog))
        # "Not yet" has the focus; the left arrow goes to "Close it", Enter presses it.
        assert app.focused is app.screen.query_one("#no")
        await pilot.press("left")
        assert app.focused is app.screen.query_one("#yes")
        await pilot.press("enter")
        await wait_until(pilot, lambda: saved(store)["status"] == "closed")
        # Closed, with nothing after it yet: the focus is on starting the next iteration.
        await wait_until(pilot, lambda: app.screen.query("#start-next"))
        await wait_until(pilot, lambda: app.focused is app.screen.query_one("#start-next"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: shown(app, PickDialog))
        offer = rendered(app.screen.query_one(".dialog-title"))
        assert "finops-2025 is the current" in offer and "Budget management →" in offer
        await pilot.press("down", "enter")  # stay on finops-2023
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, PickDialog)
                and "not achieved" in rendered(app.screen.query_one(".dialog-title"))
            ),
        )
        await pilot.press("enter")  # carry the unfinished goals over
        await wait_until(pilot, lambda: len(store.files()) == 2)
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        nxt = app.session.iteration
        app.show_step(Step.PLAN)
        await wait_until(pilot, lambda: on_step(app, Step.PLAN))
        await pilot.press("enter")
        table = app.screen.query_one("#actions", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        dues = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert "⚠2026-11-20" in dues  # overdue, flagged
    carried = saved(store, nxt.id)["goals"]
    assert [g["id"] for g in carried] == ["g1", "g2"]  # the same ids as in #3
    assert carried[0]["carried_from"] == f"{ID}#g1"
    assert carried[0]["baseline"] == "level 1 reached in #3; Variance report for 9 of 12"
    assert (carried[0]["from_level"], carried[0]["to_level"]) == (1, 2)


async def test_q_on_the_list_quits(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_only_broken_files_say_so_instead_of_the_first_run_welcome(store: Store) -> None:
    store.iterations_dir.mkdir(parents=True)
    (store.iterations_dir / "a.toml").write_text("title = [")
    (store.iterations_dir / "b.toml").write_text("schema_version = 1\n")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        welcome = rendered(app.screen.query_one("#welcome"))
        assert "No iteration could be read" in welcome and "first iteration" not in welcome
        assert "2 files could not be read" in rendered(app.screen.query_one("#problems"))


async def test_nothing_is_cut_off_at_80x24(store: Store) -> None:
    iteration = make_iteration(ends=date(2027, 5, 30))  # 26 weeks: long
    iteration.close(date(2026, 12, 26))
    iteration.stakeholders.people[1].role = "Platform engineering manager, payments and data"
    store.save(iteration)
    store.save(make_iteration("2026-12-28-zz01", 4, previous=iteration.id))  # under way
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        assert clipped(app.screen) == []
        # The one under way: each step, and the Progress screen.
        app.open_iteration("2026-12-28-zz01")
        for step in Step:
            app.show_step(step)
            await wait_until(pilot, lambda s=step: on_step(app, s))
            await pilot.pause()
            assert clipped(app.screen) == [], step
        await pilot.press("f9")
        await wait_until(pilot, lambda: shown(app, ProgressScreen) and app.screen.trend)
        await pilot.pause()
        assert clipped(app.screen) == []
        await pilot.press("escape")
        # The closed one, long and with a long role.
        app.open_iteration(iteration.id, Step.REVIEW)
        for step in Step:
            app.show_step(step)
            await wait_until(pilot, lambda s=step: on_step(app, s))
            await pilot.pause()
            assert clipped(app.screen) == [], step
            bar = app.screen.query_one(StepBar)
            text = rendered(bar)
            assert len(text) <= bar.content_region.width, text
            keys = app.screen.query_one(KeyBar)
            # Every key is in view (the palette's may go short: "^p").
            assert [k.key for k in keys.visible] == [k.key for k in keys.keys], (step, keys.keys)
            if step is Step.STAKEHOLDERS:
                advice = rendered(app.screen.query_one("#date-advice"))
                assert "26 weeks is long" in advice and "13 weeks at most" in advice
                role = str(app.screen.query_one("#people", DataTable).get_row_at(1)[1])
                assert role == "Platform engineering manager, payments and data"
        app.show_step(Step.GOALS)
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        panel = await keys_panel(pilot)
        titles = [section.title for section in panel.shown]
        assert titles == ["Step 3: Goals", "Everywhere"]
        assert [row.description for row in panel.shown[0].rows[:2]] == ["Edit", "Level"]
        keys = panel.text()
        assert keys.count("Level") == 1 and "0-4" in keys and "Scroll" not in keys


async def test_the_list_footer_shows_d_for_delete(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        assert ("d", "Delete") in [(k.display, k.description) for k in bar.visible], bar.keys
        assert " d Delete " in rendered(bar)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Theme" in titles  # as the README names it
