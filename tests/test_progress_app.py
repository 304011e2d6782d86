"""The Progress and Compare screens: what they show at 80×24 and 60×20, Enter on a cell,
following an edit, and the comparison of two iterations."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Sparkline

from finops_tui.demo import seed
from finops_tui.screens.dialogs import PickDialog
from finops_tui.screens.progress import CompareScreen, ProgressScreen, sparkline_text
from finops_tui.steps import Step
from finops_tui.store import Store
from finops_tui.widgets.goal_matrix import GoalMatrix

from .ui import TODAY, drawn, home_ready, make_app, on_step, open_step, shown, wait_until


def dialog_title(pilot: Pilot) -> str:
    return str(pilot.app.screen.query_one(".dialog-title").render())


def grid_rows(pilot: Pilot) -> dict[str, list[str]]:
    grid = pilot.app.screen.query_one("#grid", DataTable)
    return {
        str(grid.get_row_at(i)[0]): [str(c) for c in grid.get_row_at(i)[2:]]
        for i in range(grid.row_count)
    }


async def open_progress(pilot: Pilot) -> None:
    """Open Progress from the list and wait until the lens table below the grid, which
    follows the grid's highlight, is filled and drawn."""
    await pilot.press("p")
    await wait_until(pilot, lambda: shown(pilot.app, ProgressScreen) and pilot.app.screen.trend)
    lenses = pilot.app.screen.query_one("#lenses", DataTable)
    await wait_until(pilot, lambda: "Knowledge" in "\n".join(drawn(lenses)))
    await pilot.pause()


def demo(store: Store) -> Store:
    seed(store, TODAY)
    return Store(store.data_dir)


async def test_the_grid_shows_each_capability_start_to_end_and_enter_opens_the_goals(
    store: Store,
) -> None:
    app = make_app(demo(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await open_progress(pilot)
        rows = grid_rows(pilot)
        assert rows["Cost allocation"] == ["2→4", "4→4", "4→…"]  # closed, closed, under way
        assert rows["Managing shared cost"][0] == "·"  # not in #1's scope
        assert rows["Goals achieved"] == ["1/2", "2/3", "0/2"]
        # The highlighted capability lens by lens, and its sparkline.
        assert "Data analysis and showback" in str(app.screen.query_one("#lens-title").render())
        assert app.screen.query_one("#spark", Sparkline).data == [1, 2, 2]
        # Enter on Cost allocation in #2's column opens #2 at its goals, on that row.
        await pilot.press("down", "right")
        await pilot.press("enter")
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        assert app.session.iteration.number == 2
        assert app.screen.query_one(GoalMatrix).cell is not None


async def test_progress_follows_an_edit_of_the_open_iteration(store: Store) -> None:
    app = make_app(demo(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.GOALS)  # #3, under way
        await pilot.press("down", "4")  # cost allocation, knowledge 4
        await pilot.press("f9")
        await wait_until(pilot, lambda: shown(app, ProgressScreen) and app.screen.trend)
        await wait_until(pilot, lambda: grid_rows(pilot)["Cost allocation"][2] == "7→…")
        await pilot.press("ctrl+z")  # an undo shows there too
        await wait_until(pilot, lambda: grid_rows(pilot)["Cost allocation"][2] == "4→…")
        await pilot.press("escape")
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))


async def test_compare_two_iterations(store: Store) -> None:
    app = make_app(demo(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await open_progress(pilot)
        await pilot.press("right", "c")  # the highlighted column is #2: offered first
        await wait_until(pilot, lambda: shown(app, PickDialog))
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: "with which one" in str(app.screen.query_one(".dialog-title").render())
        )
        await pilot.press("enter")  # #3, the first of the others
        await wait_until(pilot, lambda: shown(app, CompareScreen))
        cmp = app.screen.comparison
        assert (cmp.before.head.number, cmp.after.head.number) == (2, 3)
        scope = app.screen.query_one("#section-1", DataTable)
        marks = {
            str(scope.get_row_at(i)[1]): str(scope.get_row_at(i)[0]) for i in range(scope.row_count)
        }
        assert marks["managing-anomalies"] == "+"
        await pilot.press("escape")
        await wait_until(pilot, lambda: shown(app, ProgressScreen))


async def test_progress_and_compare_fit_60x20(store: Store) -> None:
    app = make_app(demo(store))
    async with app.run_test(size=(60, 20)) as pilot:
        await home_ready(pilot)
        await open_progress(pilot)
        grid = app.screen.query_one("#grid", DataTable)
        assert grid.region.height >= 3 and app.screen.region.contains_region(grid.region)
        await pilot.press("c", "enter")
        await wait_until(pilot, lambda: "with which one" in dialog_title(pilot))
        await pilot.press("enter")
        await wait_until(pilot, lambda: shown(app, CompareScreen))
        await pilot.pause()
        first = app.screen.query_one("#section-0", DataTable)
        assert first.region.height >= 3 and app.screen.region.contains_region(first.region)


def test_the_sparkline_text_scales_0_to_20_and_marks_out_of_scope() -> None:
    assert sparkline_text([0, 10, 20, None]) == "▁▄█·"


async def test_the_lens_table_is_drawn_at_its_widths_as_soon_as_it_is_filled(store: Store) -> None:
    """Moving through the grid fills the lens table again: no frame may show it at its
    labels' widths ("Kno…"), as one drawn before the table's next idle did."""
    app = make_app(demo(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await open_progress(pilot)
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        lenses = screen.query_one("#lenses", DataTable)
        screen.show_capability()  # as a highlight does, with no idle after it
        text = "\n".join(drawn(lenses))
        assert "Knowledge" in text and "Kno…" not in text
