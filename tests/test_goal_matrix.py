"""The goal matrix by keys and mouse: cursor, scrolling, levels on file, and one row redrawn."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.strip import Strip

from finops_tui.catalog import load_catalog
from finops_tui.lenses import Lens
from finops_tui.model import Iteration
from finops_tui.steps import Step
from finops_tui.store import Store
from finops_tui.widgets.goal_matrix import LENS_X, NAME_WIDTH, Cell, GoalMatrix

from .conftest import make_iteration
from .ui import drawn, make_app, on_step, open_step, saved, wait_until

ALL = [c.id for c in load_catalog().capabilities]


def everything_scoped() -> Iteration:
    """The example iteration with all 18 capabilities in scope: more rows than fit at 80×24."""
    iteration = make_iteration()
    iteration.set_scope(ALL)
    return iteration


def shown_name(capability: str) -> str:
    name = load_catalog().capability(capability).name
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"


def detail(pilot: Pilot) -> str:
    return str(pilot.app.screen.query_one("#cell-detail").render())


async def open_matrix(pilot: Pilot) -> GoalMatrix:
    await open_step(pilot, Step.GOALS)
    matrix = pilot.app.screen.query_one(GoalMatrix)
    await wait_until(pilot, lambda: pilot.app.focused is matrix)
    await matrix_drawn(pilot, matrix)
    return matrix


async def matrix_drawn(pilot: Pilot, matrix: GoalMatrix) -> None:
    """Wait for the matrix's first layout: before it, it has no room and shows no line."""
    await wait_until(
        pilot, lambda: [line.split()[:1] for line in drawn(matrix)[:1]] == [["Capability"]]
    )


async def test_the_cursor_moves_on_the_lens_columns_and_stops_at_the_edges(store: Store) -> None:
    iteration = make_iteration()
    store.save(iteration)
    first, second, last = iteration.capabilities
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        matrix = await open_matrix(pilot)
        assert matrix.cell == Cell(first, Lens.KNOWLEDGE)
        await pilot.press("left", "up")
        assert matrix.cell == Cell(first, Lens.KNOWLEDGE)
        await pilot.press("right", "down")
        assert matrix.cell == Cell(second, Lens.PROCESS)
        # The side panel follows the cursor (GoalMatrix.CellHighlighted).
        await wait_until(pilot, lambda: "Process" in detail(pilot))
        await pilot.press(*["right"] * 6)
        assert matrix.cell == Cell(second, Lens.AUTOMATION)
        await wait_until(pilot, lambda: "Automation" in detail(pilot))
        await pilot.press("end", "down")
        assert matrix.cell == Cell(last, Lens.AUTOMATION)
        await pilot.press("home")
        assert matrix.cell == Cell(first, Lens.AUTOMATION)
        await pilot.press("pagedown")
        assert matrix.cell == Cell(last, Lens.AUTOMATION)
        await pilot.press("pageup")
        assert matrix.cell == Cell(first, Lens.AUTOMATION)


async def test_a_click_puts_the_cursor_on_the_cell(store: Store) -> None:
    iteration = make_iteration()
    store.save(iteration)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        matrix = await open_matrix(pilot)
        await pilot.click(matrix, offset=(LENS_X[2] + 2, 2))  # second row, Metrics
        await wait_until(
            pilot, lambda: matrix.cell == Cell(iteration.capabilities[1], Lens.METRICS)
        )
        await pilot.click(matrix, offset=(3, 3))  # on the name: the row, same lens
        await wait_until(
            pilot, lambda: matrix.cell == Cell(iteration.capabilities[2], Lens.METRICS)
        )


async def test_the_cursor_row_stays_in_view_under_the_header(store: Store) -> None:
    store.save(everything_scoped())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        matrix = await open_matrix(pilot)
        assert app.screen.region.contains_region(matrix.region)
        rows = len(drawn(matrix)) - 1
        assert rows < len(ALL), "the test needs more rows than fit"

        def cursor_row_shown() -> bool:
            lines = drawn(matrix)
            return lines[0].split()[0] == "Capability" and any(
                line.startswith(f" {shown_name(ALL[matrix.cursor_row])} ") for line in lines[1:]
            )

        assert cursor_row_shown()
        for row in range(1, len(ALL)):
            await pilot.press("down")
            assert matrix.cursor_row == row
            assert cursor_row_shown()
        assert matrix.scroll_offset.y == len(ALL) - rows
        for row in reversed(range(len(ALL) - 1)):
            await pilot.press("up")
            assert matrix.cursor_row == row
            assert cursor_row_shown()
        assert matrix.scroll_offset.y == 0
        for key, row in [("end", len(ALL) - 1), ("home", 0), ("pagedown", rows)]:
            await pilot.press(key)
            assert matrix.cursor_row == row
            assert cursor_row_shown()
        await pilot.press("pagedown", "pagedown", "pageup")
        assert matrix.cursor_row == len(ALL) - 1 - rows
        assert cursor_row_shown()
        await pilot.press("pageup", "pageup")
        assert matrix.cursor_row == 0
        assert cursor_row_shown()


async def test_at_40x12_the_matrix_scrolls_sideways_to_the_cursor(store: Store) -> None:
    store.save(everything_scoped())
    app = make_app(store)
    async with app.run_test(size=(40, 12)) as pilot:
        matrix = await open_matrix(pilot)
        assert drawn(matrix)[0].split()[:2] == ["Capability", "Knowl."]
        await pilot.press(*["right"] * 4)
        assert matrix.cell is not None and matrix.cell.lens is Lens.AUTOMATION
        assert matrix.scroll_offset.x > 0
        assert "Autom." in drawn(matrix)[0]
        await pilot.press("end", "3", "plus")
        await wait_until(
            pilot,
            lambda: saved(store)["levels"][ALL[-1]]["automation"] == 3 and "goals" in saved(store),
        )
        await pilot.press(*["left"] * 4)
        assert matrix.scroll_offset.x == 0
        assert drawn(matrix)[0].split()[0] == "Capability"
        assert app.is_running


async def test_levels_and_targets_are_saved_and_shown(store: Store) -> None:
    iteration = make_iteration(goals=[])
    store.save(iteration)
    first = iteration.capabilities[0]
    app = make_app(store)
    rings: list[None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.bell = lambda: rings.append(None)  # type: ignore[method-assign]
        matrix = await open_matrix(pilot)
        await pilot.press("right", "3", "plus")
        await wait_until(pilot, lambda: saved(store).get("goals"))
        assert saved(store)["levels"][first]["process"] == 3
        [goal] = saved(store)["goals"]
        assert (goal["capability"], goal["lens"], goal["from_level"], goal["to_level"]) == (
            first,
            "process",
            3,
            4,
        )
        assert drawn(matrix)[1].split()[:4] == ["Budget", "management", "2", "3→4"]
        assert rings == []
        await pilot.press("plus")  # the target is at the top already
        assert rings == [None]
        await pilot.press("4")  # a level at the target drops the goal
        await wait_until(pilot, lambda: "goals" not in saved(store))
        assert drawn(matrix)[1].split()[:4] == ["Budget", "management", "2", "4"]
        await pilot.press("plus")
        assert rings == [None, None]


async def test_a_closed_iteration_ignores_level_and_target_keys(store: Store) -> None:
    iteration = make_iteration()
    iteration.close(iteration.ends)
    store.save(iteration)
    before = store.path_of(iteration.id).read_bytes()
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.REVIEW)
        app.show_step(Step.GOALS)
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        matrix = app.screen.query_one(GoalMatrix)
        await matrix_drawn(pilot, matrix)
        lines = drawn(matrix)
        await pilot.press("0", "1", "2", "3", "4", "plus", "minus", "down", "4")
        assert matrix.cursor_row == 1
        assert drawn(matrix) == lines
        # Each key said why it did nothing.
        assert {n.message for n in app._notifications} == {
            "#3 is closed: reopen it from the palette to change it."
        }
        assert matrix.iteration.level(iteration.capabilities[0], Lens.KNOWLEDGE) == 2
        await pilot.press("ctrl+q")
    assert store.path_of(iteration.id).read_bytes() == before


async def test_a_key_draws_only_the_rows_it_changes(store: Store) -> None:
    store.save(everything_scoped())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        matrix = await open_matrix(pilot)
        await pilot.press("down", "down")
        await pilot.pause()
        drawn: list[int] = []
        render_row = matrix._render_row

        def counting(row: int) -> Strip:
            drawn.append(row)
            return render_row(row)

        matrix._render_row = counting  # type: ignore[method-assign]

        await pilot.press("3")
        await wait_until(pilot, lambda: saved(store)["levels"][ALL[2]]["knowledge"] == 3)
        await wait_until(pilot, lambda: drawn)
        await pilot.pause()
        assert drawn == [2], "setting a level draws its row only"

        drawn.clear()
        await pilot.press("down")
        await wait_until(pilot, lambda: len(drawn) >= 2)
        await pilot.pause()
        assert sorted(drawn) == [2, 3], "a cursor move draws the old and the new row only"

        drawn.clear()
        await pilot.press("right", "plus")
        await wait_until(pilot, lambda: saved(store).get("goals"))
        await pilot.pause()
        assert set(drawn) == {3}


async def test_a_cell_shows_where_the_previous_iteration_ended_when_it_starts_elsewhere(
    store: Store,
) -> None:
    from datetime import date

    previous = make_iteration(id="2026-10-01-ab12", number=2)
    previous.record_outcome("g1", None, reached_level=3)  # budget management · metrics → 3
    previous.close(date(2026, 10, 29))
    store.save(previous)
    store.save(make_iteration())  # starts budget management · metrics at 1, not 3
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        matrix = await open_matrix(pilot)
        row = matrix.render_line(1).text
        assert "1→2 ·3" in row  # the goal's cell, and where #2 left it
        assert "·" not in matrix.render_line(2).text  # the same levels as #2 left: no marks
        assert "#2 ended at" in detail(pilot)
