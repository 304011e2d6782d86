"""Along the journey: after each action, go where the user goes next and check what is shown
there and what is in the file. A change made anywhere shows everywhere, without a restart."""

from __future__ import annotations

from datetime import date, timedelta

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TextArea

from finops_tui.app import FinOpsApp
from finops_tui.lenses import Lens
from finops_tui.screens.dialogs import ConfirmDialog, FormDialog
from finops_tui.screens.home import HomeScreen
from finops_tui.steps import Step
from finops_tui.store import Store
from finops_tui.widgets.checklist import CapabilityChecklist
from finops_tui.widgets.goal_matrix import Cell, GoalMatrix

from .conftest import make_iteration
from .ui import (
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
ONE_DAY = timedelta(days=1)
BM = "budget-management"


def listed(app: FinOpsApp) -> list[tuple[str, str]]:
    """The home list as shown: (number, title) per row."""
    table = app.screen.query_one("#iterations", DataTable)
    if not table.display:
        return []
    rows = [table.get_row_at(i) for i in range(table.row_count)]
    return [(str(row[0]), str(row[1])) for row in rows]


async def back_home(pilot: Pilot) -> None:
    await pilot.press("escape")
    await wait_until(pilot, lambda: shown(pilot.app, HomeScreen))
    await pilot.pause()


async def test_a_new_iteration_is_on_the_list_when_the_user_comes_back(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        await type_text(pilot, "Tagging")
        await back_home(pilot)
        await wait_until(pilot, lambda: listed(app) == [("1", "Tagging")])
        assert not app.screen.query_one("#welcome").display
        assert saved(store)["title"] == "Tagging"
        # `x` works on it at once: the export dialog opens for the new iteration.
        await pilot.press("x")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ExportDialog")


async def test_a_renamed_iteration_shows_its_new_title_on_the_list(store: Store) -> None:
    store.save(make_iteration(id="2026-10-01-ab12", number=2, title="Older"))
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        await pilot.press("end", *" Q1")
        await back_home(pilot)
        await wait_until(
            pilot, lambda: listed(app) == [("3", "Commitments and budgets Q1"), ("2", "Older")]
        )
        assert saved(store, ID)["title"] == "Commitments and budgets Q1"


async def open_matrix_at(pilot: Pilot, row: int, column: int) -> GoalMatrix:
    await open_step(pilot, Step.GOALS)
    matrix = pilot.app.screen.query_one(GoalMatrix)
    await wait_until(pilot, lambda: pilot.app.focused is matrix)
    await pilot.press(*["down"] * row, *["right"] * column)
    return matrix


def goal_ids(store: Store) -> list[str]:
    return [g["id"] for g in saved(store).get("goals", [])]


async def test_lowering_a_described_goal_away_asks_first_and_escape_keeps_it(
    store: Store,
) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        matrix = await open_matrix_at(pilot, 0, 2)  # budget management · metrics, g1: 1 → 2
        assert matrix.cell == Cell(BM, Lens.METRICS)
        await pilot.press("minus")
        await wait_until(pilot, lambda: shown(app, ConfirmDialog))
        question = str(app.screen.query_one(".dialog-question").render())
        assert "g1" in question and "Baseline cost vs budget" in question
        await pilot.press("escape")
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        assert app.session.iteration.goal("g1").statement.startswith("Baseline cost")
        assert "1→2" in str(matrix.render_line(1).text)
        await pilot.press("ctrl+q")
    assert goal_ids(store) == ["g1", "g2"]


async def test_a_removed_goal_comes_back_with_undo(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        matrix = await open_matrix_at(pilot, 0, 2)
        await pilot.press("minus")
        await wait_until(pilot, lambda: shown(app, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: goal_ids(store) == ["g2"])
        assert "1→2" not in matrix.render_line(1).text
        await pilot.press("ctrl+z")
        await wait_until(pilot, lambda: goal_ids(store) == ["g1", "g2"])
        assert "1→2" in matrix.render_line(1).text
        assert saved(store)["goals"][0]["actions"][0]["title"].startswith("Create budgets")
        assert any("Undone: lower the target" in n.message for n in app._notifications)
        await pilot.press("ctrl+y")
        await wait_until(pilot, lambda: goal_ids(store) == ["g2"])


async def test_undo_of_a_level_shows_on_the_matrix_and_in_the_file(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        matrix = await open_matrix_at(pilot, 1, 3)  # commitment-based discounts · adoption
        await pilot.press("3")
        await wait_until(
            pilot, lambda: saved(store)["levels"]["commitment-based-discounts"]["adoption"] == 3
        )
        assert matrix.render_line(2).text.split()[-4] == "3"
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Undo level 3 on Managing commitment-based discounts · Adoption" in titles
        await pilot.press("ctrl+z")
        await wait_until(
            pilot, lambda: saved(store)["levels"]["commitment-based-discounts"]["adoption"] == 0
        )
        assert matrix.render_line(2).text.split()[-4] == "0"  # Adopt. column, second row
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Redo level 3 on Managing commitment-based discounts · Adoption" in titles
        # The next step shows the undone state too.
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: on_step(app, Step.SCOPE))
        assert "3 selected" in str(app.screen.query_one("#scope-counter").render())


async def test_undo_of_an_untick_brings_the_capability_its_levels_and_goal_back(
    store: Store,
) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.SCOPE)
        checklist = app.screen.query_one(CapabilityChecklist)
        checklist.highlighted = next(i for i, o in enumerate(checklist.options) if o.id == BM)
        await pilot.press("space")
        await wait_until(pilot, lambda: BM not in saved(store)["levels"])
        assert "2 selected" in str(app.screen.query_one("#scope-counter").render())
        await pilot.press("ctrl+z")
        await wait_until(pilot, lambda: BM in saved(store)["levels"])
        assert BM in checklist.checked
        assert "3 selected" in str(app.screen.query_one("#scope-counter").render())
        assert goal_ids(store) == ["g1", "g2"]
        # On the goal matrix, the row is back with its goal.
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        matrix = app.screen.query_one(GoalMatrix)
        assert "1→2" in matrix.render_line(1).text


async def describe_the_cell(pilot: Pilot, statement: str) -> None:
    """Enter on the matrix's cell: its goal's dialog, with `statement` typed in."""
    await pilot.press("enter")
    await wait_until(pilot, lambda: shown(pilot.app, FormDialog))
    await type_text(pilot, statement)


async def test_enter_then_escape_on_an_empty_cell_leaves_no_goal_and_save_makes_one(
    store: Store,
) -> None:
    store.save(make_iteration(goals=[]))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_matrix_at(pilot, 0, 4)
        for text, keys in (("Half typed", ["escape"]), ("Automate the alerts", ["enter"] * 5)):
            await describe_the_cell(pilot, text)
            await pilot.press(*keys)
            await wait_until(pilot, lambda: on_step(app, Step.GOALS))
            if text == "Half typed":
                assert app.session.iteration.goals == [] and app.session.undo_label is None
        await wait_until(pilot, lambda: goal_ids(store) == ["g1"])
        goal = saved(store)["goals"][0]
        assert (goal["lens"], goal["from_level"], goal["to_level"]) == ("automation", 0, 1)
        assert goal["statement"] == "Automate the alerts"
        await pilot.press("ctrl+z")  # one step: the goal and its text go together
        await wait_until(pilot, lambda: "goals" not in saved(store))


async def test_a_bad_due_date_keeps_the_dialog_open_on_that_field_until_it_is_put_right(
    store: Store,
) -> None:
    store.save(make_iteration(goals=[]))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_matrix_at(pilot, 0, 4)
        await describe_the_cell(pilot, "Automate the alerts")
        await pilot.press("enter", "enter", "enter", "enter")  # to Due
        await type_text(pilot, "2027-02-30")
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#save")
        await pilot.press("enter")  # Save: refused
        await wait_until(pilot, lambda: any(n.message.startswith("Check Due") for n in
                                            app._notifications))  # fmt: skip
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        assert [n.message for n in app._notifications] == ["Check Due: the reason is under it."]
        assert str(dialog.query_one("#error-due").render()).startswith("'2027-02-30' is not a date")
        # The focus is back on the date, to put it right; Enter there saves.
        assert app.focused is dialog.query_one("#field-due")
        await pilot.press("ctrl+u")
        await type_text(pilot, "2027-02-26")
        await pilot.press("enter")
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        await wait_until(pilot, lambda: goal_ids(store) == ["g1"])
        assert saved(store)["goals"][0]["due"] == date(2027, 2, 26)
        assert saved(store)["goals"][0]["statement"] == "Automate the alerts"


async def test_undo_reaches_a_typed_title_and_the_list_follows(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        title = app.screen.query_one("#title", Input)
        await pilot.press("end", *" v2")
        await wait_until(pilot, lambda: saved(store)["title"] == "Commitments and budgets v2")
        await pilot.press("ctrl+z")  # in a text input, ctrl+z undoes the typing, as one step
        await wait_until(pilot, lambda: title.value == "Commitments and budgets")
        await back_home(pilot)
        await wait_until(pilot, lambda: listed(app) == [("3", "Commitments and budgets")])
        assert saved(store)["title"] == "Commitments and budgets"


async def test_typing_on_its_way_survives_a_change_made_elsewhere(store: Store) -> None:
    """Text in a field whose Changed message is still queued when another change arrives (a
    dialog, a merge, a busy machine) is not replaced by the file's value: it is saved."""
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        notes = app.screen.query_one("#notes", TextArea)
        title = app.screen.query_one("#title", Input)
        notes.clear()
        notes.insert("Finance joins every review.")  # its Changed messages are queued ...
        title.value = "Typed, not yet handled"
        app.session.edit("a dialog's edit", lambda it: it.set_dates(it.starts, it.ends + ONE_DAY))
        # ... and the screen followed that edit before handling them
        finance = "Finance joins every review."
        await wait_until(pilot, lambda: saved(store)["stakeholders"].get("notes") == finance)
        await wait_until(pilot, lambda: saved(store)["title"] == "Typed, not yet handled")
        assert notes.text == "Finance joins every review."
        # a change from elsewhere still shows in a field nobody is typing in
        app.session.edit("a merge", lambda it: it.retitle("Taken from theirs"))
        await wait_until(pilot, lambda: title.value == "Taken from theirs")


async def test_ctrl_z_with_nothing_to_undo_says_so(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_step(pilot, Step.GOALS)
        await pilot.press("ctrl+z", "ctrl+y")
        await wait_until(pilot, lambda: len(app._notifications) >= 2)
        messages = [n.message for n in app._notifications]
        assert "Nothing to undo." in messages and "Nothing to redo." in messages


async def test_undo_and_redo_are_in_the_keys_help(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_step(pilot, Step.GOALS)
        keys = (await keys_panel(pilot)).text()
        assert "Undo the last change" in keys and "Redo what was undone" in keys


async def test_an_iteration_whose_catalogue_is_missing_opens_read_only(store: Store) -> None:
    iteration = make_iteration()
    store.save(iteration)
    path = store.path_of(ID)
    path.write_text(
        path.read_text().replace('framework = "finops-2023"', 'framework = "team-only"')
    )
    before = path.read_bytes()
    app = make_app(store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await home_ready(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        assert "not installed" in str(app.screen.query_one(".step-heading").render())
        assert app.screen.query_one("#title", Input).disabled
        assert any("team-only" in n.message for n in app._notifications)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Close iteration" not in titles
        app.show_step(Step.GOALS)
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        matrix = app.screen.query_one(GoalMatrix)
        assert "budget-management" in matrix.render_line(1).text  # shown by its id
        await pilot.press("4", "plus", "ctrl+q")
    assert path.read_bytes() == before
