"""The guided iteration, driven by keys; every assertion that matters is on the saved file."""

from __future__ import annotations

from datetime import date

from textual import events
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, DataTable, Input, TextArea

from finops_tui.model import Outcome
from finops_tui.screens.dialogs import ConfirmDialog, FormDialog, PickDialog
from finops_tui.steps import Step
from finops_tui.store import Store
from finops_tui.widgets.checklist import CapabilityChecklist
from finops_tui.widgets.goal_matrix import GoalMatrix

from .conftest import make_iteration, without_ids
from .ui import (
    TODAY,
    burst,
    home_ready,
    make_app,
    on_step,
    open_step,
    press,
    saved,
    shown,
    type_text,
    wait_until,
)

FIRST_THREE = ["data-ingestion", "allocation", "reporting-analytics"]  # finops-2025


async def test_a_whole_iteration_by_keyboard_then_the_next_one(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await home_ready(pilot)
        assert "Press  n  to start" in str(app.screen.query_one("#welcome").render())

        # Step 1: the title field has the focus; typing saves within a second.
        await pilot.press("n")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        assert isinstance(app.focused, Input) and app.focused.id == "title"
        await type_text(pilot, "Budgets first")
        # On disk while the app runs (within a second by design; slack for a loaded machine).
        await wait_until(pilot, lambda: saved(store).get("title") == "Budgets first", 3)
        app.screen.query_one("#group-business", Checkbox).value = True
        app.screen.query_one("#group-finance", Checkbox).value = True
        await wait_until(pilot, lambda: saved(store)["stakeholders"]["finance"] is True)
        assert saved(store)["stakeholders"]["technology"] is False

        # Step 2: the picker has the focus on the first capability; a burst ticks three.
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: on_step(app, Step.SCOPE))
        assert isinstance(app.focused, CapabilityChecklist)
        burst(pilot, "space", "down", "space", "down", "space")
        await wait_until(pilot, lambda: len(saved(store).get("scope", [])) == 3)
        assert [s["capability"] for s in saved(store)["scope"]] == FIRST_THREE

        # Step 3: the matrix has the focus on the first cell.
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        assert isinstance(app.focused, GoalMatrix)
        await pilot.press("1", "plus", "enter")
        await wait_until(pilot, lambda: shown(app, FormDialog))
        await type_text(pilot, "Everyone reads the cost report")
        await pilot.press("enter", "enter", "enter", "enter", "enter")
        await wait_until(pilot, lambda: saved(store).get("goals", [{}])[0].get("statement"))
        [goal] = saved(store)["goals"]
        assert (goal["capability"], goal["lens"], goal["from_level"], goal["to_level"]) == (
            "data-ingestion",
            "knowledge",
            1,
            2,
        )
        assert goal["statement"] == "Everyone reads the cost report"
        assert saved(store)["levels"]["data-ingestion"]["knowledge"] == 1

        # Step 4: an action for the goal.
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: on_step(app, Step.PLAN))
        await pilot.press("a")
        await wait_until(pilot, lambda: shown(app, FormDialog))
        await type_text(pilot, "Send the report")
        await pilot.press("enter")
        await type_text(pilot, "Ana")
        await pilot.press("enter", "enter", "enter")  # Enter walks to Status, saves from it
        await wait_until(pilot, lambda: saved(store)["goals"][0].get("actions"))
        assert without_ids(saved(store)["goals"][0]["actions"]) == [
            {"title": "Send the report", "owner": "Ana", "status": "todo"}
        ]
        await pilot.press("tab", "space")
        await wait_until(pilot, lambda: saved(store)["goals"][0]["actions"][0]["status"] == "doing")

        # Step 5: outcome, retrospective, close.
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: on_step(app, Step.REVIEW))
        await pilot.press("enter")
        await wait_until(pilot, lambda: shown(app, FormDialog))
        dialog = app.screen
        dialog.query_one("#field-outcome").value = Outcome.PARTLY
        dialog.query_one("#field-reached_level").value = 1
        dialog.query_one("#save", Button).press()
        await wait_until(pilot, lambda: saved(store)["goals"][0].get("outcome") == "partly")
        app.screen.query_one("#improve", TextArea).focus()
        await type_text(pilot, "Start on time")
        await wait_until(pilot, lambda: saved(store).get("review", {}).get("improve"))
        app.screen.query_one("#close", Button).press()
        # The action is still open: closing asks first.
        await wait_until(pilot, lambda: shown(app, ConfirmDialog))
        assert "1 action still open" in str(app.screen.query_one(".dialog-question").render())
        await pilot.press("y")
        await wait_until(pilot, lambda: saved(store)["status"] == "closed")
        assert saved(store)["review"]["closed"] == TODAY
        await wait_until(pilot, lambda: app.screen.query("#start-next"))

        # The next iteration: same scope, levels reached, unfinished goal carried on request.
        first_id = saved(store)["id"]
        app.screen.query_one("#start-next", Button).press()
        await wait_until(pilot, lambda: shown(app, PickDialog))
        await pilot.press("enter")  # the first choice: carry the goal over
        await wait_until(pilot, lambda: len(store.files()) == 2)
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        note = app.screen.query_one("#improve-note")
        assert "Start on time" in str(note.render())
        await pilot.press("ctrl+q")

    second = next(p for p in store.files() if p.stem != first_id)
    nxt = saved(store, second.stem)
    assert nxt["previous"] == first_id and nxt["number"] == 2
    assert [s["capability"] for s in nxt["scope"]] == FIRST_THREE
    assert nxt["levels"]["data-ingestion"]["knowledge"] == 1
    [carried] = nxt["goals"]
    assert carried["statement"] == "Everyone reads the cost report"
    assert [a["title"] for a in carried["actions"]] == ["Send the report"]


async def test_home_lists_newest_first_with_problems(store: Store) -> None:
    store.save(make_iteration(id="2026-10-01-ab12", number=2, title="Older"))
    store.save(make_iteration(title="Newer"))
    (store.iterations_dir / "broken.toml").write_text("title = [")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#iterations", DataTable)
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == ["Newer", "Older"]
        problems = str(app.screen.query_one("#problems").render())
        assert "broken.toml" in problems and "TOML syntax error" in problems


async def test_delete_asks_then_moves_the_file_to_the_trash(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await wait_until(pilot, lambda: shown(app, ConfirmDialog))
        await pilot.press("n")
        await home_ready(pilot)
        assert len(store.files()) == 1
        await pilot.press("d")
        await wait_until(pilot, lambda: shown(app, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: not store.files())
    assert [p.name for p in store.trash_dir.iterdir()] == ["2026-11-28-k3f9.toml"]


MAIN_FIELD = {
    Step.STAKEHOLDERS: "title",
    Step.SCOPE: "checklist",
    Step.GOALS: "matrix",
    Step.PLAN: "goals",
    Step.REVIEW: "outcomes",
}


async def test_each_step_has_its_main_field_focused_from_its_first_moment(store: Store) -> None:
    """Textual focuses a new screen's first focusable as it composes it: the Review, which
    focused its outcomes as it mounted, left the focus on the Close button for a moment."""
    store.save(make_iteration())
    focused: list[tuple[str, str | None]] = []

    def hook(message: Message) -> None:
        if isinstance(message, events.DescendantFocus):
            seen = (type(message.widget.screen).__name__, message.widget.id)
            if not focused or focused[-1] != seen:
                focused.append(seen)

    app = make_app(store)
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await home_ready(pilot)
        for step in Step:
            before = len(focused)
            await press(pilot, "enter" if step is Step.STAKEHOLDERS else "ctrl+n")
            await wait_until(pilot, lambda s=step: on_step(app, s))
            await pilot.pause()
            screen = type(app.screen).__name__
            on_it = [widget for where, widget in focused[before:] if where == screen]
            assert on_it == [MAIN_FIELD[step]], (step, focused[before:])


async def test_a_question_has_the_safe_answer_focused_from_its_first_moment(store: Store) -> None:
    """Focused as the dialog mounted, "No" came a moment after "Yes" (the first button)
    had the focus: an Enter then answered yes."""
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        dialog = ConfirmDialog("Move #3 to the trash?")
        focused: list[str | None] = []
        dialog.watch(dialog, "focused", lambda widget: focused.append(widget and widget.id))
        app.push_screen(dialog)
        await wait_until(pilot, lambda: shown(app, ConfirmDialog) and focused)
        await pilot.pause()
        assert [name for name in focused if name] == ["no"]  # never "yes", not for a moment
        await pilot.press("enter")
        await home_ready(pilot)
        assert len(store.files()) == 1


async def test_a_bad_date_is_a_message_not_a_change(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        ends = app.screen.query_one("#ends", Input)
        ends.value = "2026-13-45"
        await pilot.pause()
        error = app.screen.query_one("#date-error")
        assert error.display and "not a date" in str(error.render())
        ends.value = "2026-11-01"
        await pilot.pause()
        assert "before the start" in str(error.render())
        ends.value = "2027-03-31"
        await wait_until(pilot, lambda: saved(store)["ends"] == date(2027, 3, 31))
        assert not error.display
        advice = app.screen.query_one("#date-advice")
        assert advice.display and "is long" in str(advice.render())


async def add_person(pilot: Pilot) -> None:
    pilot.app.screen.query_one("#people").focus()
    await pilot.press("a")
    await wait_until(pilot, lambda: shown(pilot.app, FormDialog))


async def test_people_are_added_edited_and_removed(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        await add_person(pilot)
        await type_text(pilot, "Lena")
        await pilot.press("enter")
        await type_text(pilot, "Controller")
        app.screen.query_one("#field-group").value = "finance"
        app.screen.query_one("#save", Button).press()
        await wait_until(pilot, lambda: len(saved(store)["stakeholders"]["people"]) == 3)
        assert without_ids(saved(store)["stakeholders"]["people"])[2] == {
            "name": "Lena",
            "role": "Controller",
            "group": "finance",
        }
        await pilot.press("x")
        await wait_until(pilot, lambda: shown(app, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: len(saved(store)["stakeholders"]["people"]) == 2)


async def test_an_empty_name_is_refused_in_the_dialog(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        await add_person(pilot)
        app.screen.query_one("#save", Button).press()
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "required" in str(app.screen.query_one("#error-name").render())


async def test_goal_matrix_keys_and_bursts(store: Store) -> None:
    store.save(make_iteration(goals=[]))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.GOALS)
        burst(pilot, "3", "right", "2", "right", "4", "down", "plus", "plus")

        def goals() -> list[tuple[str, str, int, int]]:
            return [
                (g["capability"], g["lens"], g["from_level"], g["to_level"])
                for g in saved(store).get("goals", [])
            ]

        # Wait for exactly what is asserted: a save between the two `plus` keys shows 0 → 1.
        await wait_until(
            pilot, lambda: goals() == [("commitment-based-discounts", "metrics", 0, 2)]
        )
        bm = saved(store)["levels"]["budget-management"]
        assert (bm["knowledge"], bm["process"], bm["metrics"]) == (3, 2, 4)
        await pilot.press("minus", "minus")
        await wait_until(pilot, lambda: "goals" not in saved(store))


async def test_scope_presets_and_an_untick_that_keeps_the_goals_for_a_re_tick(
    store: Store,
) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_step(pilot, Step.SCOPE)
        await pilot.press("p")
        await wait_until(pilot, lambda: shown(app, PickDialog))
        await pilot.press("enter")  # "New to FinOps"
        await wait_until(pilot, lambda: len(saved(store)["scope"]) == 6)
        # Untick "Budget management", which has a goal: it goes, and is said to be kept.
        checklist = app.screen.query_one(CapabilityChecklist)
        index = next(i for i, o in enumerate(checklist.options) if o.id == "budget-management")
        checklist.highlighted = index
        await pilot.press("space")
        await wait_until(
            pilot,
            lambda: "budget-management" not in [s["capability"] for s in saved(store)["scope"]],
        )
        assert [g["id"] for g in saved(store)["goals"]] == ["g2"]
        assert any("tick it again" in n.message for n in app._notifications)
        # Ticking it again brings the goal, its text and its levels back.
        await pilot.press("space")
        await wait_until(pilot, lambda: [g["id"] for g in saved(store)["goals"]] == ["g2", "g1"])
        assert saved(store)["goals"][1]["statement"].startswith("Baseline cost vs budget")
        assert saved(store)["levels"]["budget-management"]["knowledge"] == 2


async def test_closed_iterations_are_read_only(store: Store) -> None:
    iteration = make_iteration()
    iteration.close(date(2026, 12, 26))
    store.save(iteration)
    before = store.path_of(iteration.id).read_bytes()
    app = make_app(store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_step(pilot, Step.REVIEW)
        app.show_step(Step.GOALS)
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        await pilot.press("4", "plus")
        await wait_until(pilot, lambda: app._notifications)
        assert {n.message for n in app._notifications} == {
            "#3 is closed: reopen it from the palette to change it."
        }
        app.clear_notifications()
        app.show_step(Step.STAKEHOLDERS)
        await wait_until(pilot, lambda: app.screen.query("#title"))
        assert app.screen.query_one("#title", Input).disabled
        await pilot.pause()
        assert not app._notifications  # showing a closed iteration is not an attempt to edit
        await pilot.press("ctrl+q")
    assert store.path_of(iteration.id).read_bytes() == before


async def test_every_step_is_in_the_palette(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        titles = {c.title for c in app.get_system_commands(app.screen)}
    assert {f"Go to {s.title}" for s in Step} <= titles
    assert {"New iteration", "Iterations", "Close iteration", "Keys"} <= titles


async def test_a_burst_of_keys_lands_where_each_key_was_meant(store: Store) -> None:
    """Keys after Tab or Enter in one burst reach the field that Tab or Enter moved to."""
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        burst(pilot, "Q", "tab", "tab", "tab", "space", "tab", "tab", "space")
        await wait_until(pilot, lambda: saved(store)["stakeholders"]["finance"])
        stakeholders = saved(store)["stakeholders"]
        assert (stakeholders["business"], stakeholders["technology"]) == (True, False)
        assert saved(store)["title"] == "Q"
        app.show_step(Step.GOALS)
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: on_step(app, Step.SCOPE))
        burst(pilot, "space", "ctrl+n", "1", "plus", "enter", "G", "enter", "M", *["enter"] * 4)
        await wait_until(pilot, lambda: saved(store).get("goals"))
        await wait_until(pilot, lambda: saved(store)["goals"][0].get("metric") == "M")
        assert saved(store)["goals"][0]["statement"] == "G"
