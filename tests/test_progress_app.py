"""The Progress and Compare screens: what they show at 80×24 and 60×20, Enter on a cell,
following an edit, and the comparison of two iterations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.pilot import Pilot
from textual.widgets import DataTable

from finops_tui.demo import seed
from finops_tui.lenses import Lens
from finops_tui.model import Iteration, Status
from finops_tui.progress.tables import Section
from finops_tui.screens.dialogs import PickDialog
from finops_tui.screens.progress import CompareScreen, ProgressScreen, sparkline_text
from finops_tui.steps import Step
from finops_tui.store import Store
from finops_tui.widgets.goal_matrix import GoalMatrix
from finops_tui.widgets.score_bars import ScoreBar, ScoreBars, score_lines

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
        # The highlighted capability lens by lens, and its score as bars on the 0-20 scale:
        # 1, 2 and 2 are short bars (the first the shortest), not nothing, everything,
        # everything.
        assert "Data analysis and showback" in str(app.screen.query_one("#lens-title").render())
        caption, *bars = [line.rstrip() for line in drawn(app.screen.query_one(ScoreBars))]
        assert caption == "Score (0-20) per iteration"
        assert [(b.split()[0], b.split()[-1]) for b in bars] == [
            ("#1", "1→1"),
            ("#2", "1→2"),
            ("#3", "2→…"),
        ]
        lengths = [len(b.split()[1]) for b in bars]
        width = len(bars[0]) - len("#1  1→1")
        assert 0 < lengths[0] < lengths[1] == lengths[2] <= width // 5
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
        # No level moved from #2's end to #3's start: the section says so, as `diff` does.
        titles = [section.title for section in app.screen.sections]
        moved = app.screen.query_one(f"#section-{titles.index('Levels that moved')}")
        assert drawn(moved)[0].strip() == "(none)"
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


def long_history(store: Store, count: int) -> None:
    """`count` monthly iterations of one capability, cost allocation, its score rising from
    5 by one a month (by a goal on the metrics lens); the last one under way."""
    start = TODAY - timedelta(weeks=4 * count)
    for number in range(1, count + 1):
        starts = start + timedelta(weeks=4 * (number - 1))
        iteration = Iteration.new(
            f"{starts}-lh{number:02d}", number, starts, now=datetime(2026, 1, 1, tzinfo=UTC)
        )
        iteration.title = f"Month {number}"
        iteration.set_scope(["cost-allocation", "budget-management", "data-analysis-showback"])
        levels = [min(4, (4 + number) // 5 + (i < (4 + number) % 5)) for i in range(5)]
        for lens, level in zip(Lens, levels, strict=True):
            iteration.set_level("cost-allocation", lens, level)
        if number < count:
            iteration.status = Status.CLOSED
        store.save(iteration)


async def test_a_long_history_shows_its_latest_iterations_and_says_how_many(
    store: Store,
) -> None:
    long_history(store, 9)
    app = make_app(Store(store.data_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await open_progress(pilot)
        screen = app.screen
        # Nine iterations do not fit beside the lens names: the latest do, and the title
        # says so; the table is drawn whole inside its panel.
        title = str(screen.query_one("#lens-title").render())
        assert title == "Cost allocation, lens by lens: the last 5 of 9"
        lenses = screen.query_one("#lenses", DataTable)
        assert [str(c.label) for c in lenses.ordered_columns] == [
            "Lens", "#5", "#6", "#7", "#8", "#9"
        ]  # fmt: skip
        assert screen.query_one("#lens-panel").region.contains_region(lenses.region)
        assert lenses.virtual_size.width <= lenses.region.width
        # The bars: the newest seven, the last one #9 at 13 out of 20.
        caption, *bars = [line.rstrip() for line in drawn(screen.query_one(ScoreBars))]
        assert caption == "Score (0-20), the last 7 of 9"
        assert [b.split()[0] for b in bars] == ["#3", "#4", "#5", "#6", "#7", "#8", "#9"]
        assert bars[-1].endswith("13→…")
        # The definitions, whole, under them.
        definitions = " ".join(line.strip() for line in drawn(screen.query_one("#definitions")))
        assert definitions.endswith("·: not in the iteration's scope.")
        grid = screen.query_one("#grid", DataTable)
        rows_at_24 = grid.region.height

        # Below 24 lines the definitions give way to the grid, and at 60 columns fewer
        # iterations fit beside the lens names.
        await pilot.resize_terminal(60, 20)
        await wait_until(pilot, lambda: not screen.query_one("#definitions").display)
        await wait_until(pilot, lambda: len(lenses.ordered_columns) < 6)
        assert grid.region.height >= 3 and screen.region.contains_region(grid.region)
        assert rows_at_24 >= 5
        header = [str(c.label) for c in lenses.ordered_columns]
        assert header[0] == "Lens" and header[-1] == "#9" and len(header) < 6
        assert lenses.virtual_size.width <= lenses.region.width


def test_score_bars_are_on_the_fixed_0_to_20_scale() -> None:
    bars = [
        ScoreBar("#1", 0, "0→0"),
        ScoreBar("#2", 1, "1→1"),
        ScoreBar("#3", 10, "10→10"),
        ScoreBar("#4", None, "·"),
        ScoreBar("#5", 20, "20→…"),
    ]
    # 29 cells: "#1 ", 20 for the bar, " 10→10": a point a cell.
    caption, *lines = [line.plain for line in score_lines(bars, 29, 6)]
    assert caption == "Score (0-20) per iteration"
    assert {len(line) for line in lines} == {29}  # the figures line up on the right
    bar = {line.split()[0]: line[3:23] for line in lines}
    assert bar["#1"].strip() == "" and lines[0].endswith(" 0→0")  # zero: no bar
    assert bar["#2"].strip() == "█"
    assert bar["#3"].strip() == "█" * 10
    assert bar["#4"].strip() == "" and lines[3].endswith(" ·")
    assert bar["#5"] == "█" * 20
    # 39 cells: 30 for the bar, a point a cell and a half, drawn to the eighth.
    drawn39 = [line.plain for line in score_lines(bars, 39, 6)[1:]]
    bar = {line.split()[0]: line[3:33].strip() for line in drawn39}
    assert (bar["#2"], bar["#3"], bar["#5"]) == ("█▌", "█" * 15, "█" * 30)
    # Fewer lines than iterations: the newest, and the caption says so.
    caption, *lines = [line.plain for line in score_lines(bars, 29, 3)]
    assert caption == "Score (0-20), the last 2 of 5"
    assert [line.split()[0] for line in lines] == ["#4", "#5"]
    assert score_lines([], 29, 6) == []


def test_a_table_keeps_its_row_names_and_the_last_columns_that_fit() -> None:
    section = Section("t", ["Lens", "#1", "#2", "#3"], [["Knowledge", "1→1", "10→12", "3→…"]])
    assert section.column_widths() == [9, 3, 5, 3]
    assert section.last_columns(100) is section
    # 9 + 2 for the names, then from the right: 3 + 2, 5 + 2, 3 + 2.
    assert section.last_columns(9 + 2 + 5 + 7).header == ["Lens", "#2", "#3"]
    assert section.last_columns(9 + 2 + 5 + 7).rows == [["Knowledge", "10→12", "3→…"]]
    assert section.last_columns(9 + 2 + 5 + 6).header == ["Lens", "#3"]
    assert section.last_columns(3).header == ["Lens", "#3"]  # at least the last one


async def test_progress_before_anything_is_scoped_says_where_scope_is_set(store: Store) -> None:
    store.save(Iteration.new("2026-11-28-aa01", 1, TODAY, now=datetime(2026, 11, 28, tzinfo=UTC)))
    app = make_app(Store(store.data_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("p")
        await wait_until(pilot, lambda: shown(app, ProgressScreen) and app.screen.trend)
        title = app.screen.query_one("#lens-title")
        await wait_until(pilot, lambda: "step 2, Scope" in str(title.render()))
        assert grid_rows(pilot) == {"Goals achieved": ["0/0"]}
        assert drawn(app.screen.query_one(ScoreBars))[0].strip() == ""
