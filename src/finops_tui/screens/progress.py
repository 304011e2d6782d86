"""Progress across iterations: every capability's score from start to end in each iteration,
coloured by level, with a sparkline of it and the goals achieved per iteration; the
highlighted capability lens by lens, and its score as bars on the 0-20 scale. Enter opens an
iteration at its goals; `c` compares two.

The trend is computed by `finops_tui.progress` (the same as `finops-tui progress`) from the
history index, with the open iteration's unsaved edits, and follows every change.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from finops_tui.progress.compare import Comparison, compare
from finops_tui.progress.tables import (
    NOT_SCOPED,
    SHORT_DEFINITIONS,
    TITLE,
    Section,
    column,
    comparison_sections,
    lens_section,
    overview,
    score_cell,
)
from finops_tui.screens.fresh import FreshScreen
from finops_tui.session import Change, ChangeKind
from finops_tui.steps import Step
from finops_tui.widgets.key_bar import KeyBar
from finops_tui.widgets.quiet import update_quietly
from finops_tui.widgets.score_bars import ScoreBar, ScoreBars, level_style
from finops_tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from finops_tui.app import FinOpsApp
    from finops_tui.progress.facts import IterationFacts
    from finops_tui.progress.trend import Trend

SPARK = "▁▂▃▄▅▆▇█"


def _styled(text: str, score: int | None) -> Text:
    if score is None:
        return Text(text, style="dim")
    return Text(text, style=level_style(score))


def sparkline_text(scores: list[int | None]) -> str:
    """A capability's score (0-20) across iterations as one character each (· out of scope)."""
    return "".join(
        NOT_SCOPED if s is None else SPARK[min(len(SPARK) - 1, s * len(SPARK) // 21)]
        for s in scores
    )


def fill_table(table: DataTable[Text], section: Section) -> None:
    """A section of `finops_tui.progress.tables` as the rows of a DataTable.

    Each column gets its width here, from its label and cells: left to the table, widths
    follow the rows only on its next idle, and a frame drawn in between shows the labels'
    widths ("Kno…"), a flicker each time a highlight fills the table again."""
    table.clear(columns=True)
    for label, width in zip(section.header, section.column_widths(cell_len), strict=True):
        table.add_column(label, width=width)
    for row in section.rows:
        table.add_row(*(Text(cell, no_wrap=True, overflow="ellipsis") for cell in row))


class ProgressScreen(FreshScreen):
    """The maturity trend across every iteration of the data dir."""

    KEYS_TITLE = "On the progress screen"

    # Below 24 lines the definitions give way to the tables (they are in the reports too).
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-tall")]
    BINDINGS = [
        Binding("escape", "back", "Back", id="progress-back"),
        Binding("c", "compare", "Compare", id="compare", tooltip="What changed between two"),
    ]

    class Read(Message):
        """The history's facts, read from the index in a thread."""

        def __init__(self, facts: list[IterationFacts], error: str | None) -> None:
            super().__init__()
            self.facts, self.error = facts, error

    def __init__(self) -> None:
        super().__init__()
        self._saved: list[IterationFacts] = []
        self.trend: Trend | None = None
        self._lens_section: tuple[str, Section] | None = None
        """The highlighted capability's name and its lens by lens table, before fitting."""
        self._fitted: Section | None = None
        """The lens table as it is shown."""

    @property
    def finops(self) -> FinOpsApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        self.sub_title = "Progress"
        yield TitleBar()
        with Vertical(id="body"):
            yield Static(Content(TITLE), classes="step-heading")
            yield Static(Content("Reading the history…"), id="overview")
            grid: DataTable[Text] = DataTable(cursor_type="cell", id="grid")
            yield grid
            with Horizontal(id="progress-detail"):
                with Vertical(id="lens-panel"):
                    yield Label(id="lens-title", classes="section-label")
                    yield DataTable(cursor_type="none", id="lenses")
                yield ScoreBars(id="score-bars")
            yield Static(Content(SHORT_DEFINITIONS), classes="hint", id="definitions")
        yield KeyBar()

    def on_mount(self) -> None:
        self.watch(self.app, "change", self._changed, init=False)
        self.query_one("#grid").focus()
        self._read()

    def _read(self) -> None:
        session = self.finops.session
        store, cache = session.store, session.cache_dir

        def read() -> None:
            from finops_tui.index import read_history
            from finops_tui.store import StoreError

            try:
                history = read_history(store, cache, facts=True)
            except StoreError as exc:
                self.post_message(self.Read([], str(exc)))
                return
            self.post_message(self.Read(history.facts_oldest_first(), None))

        threading.Thread(target=read, name="progress", daemon=True).start()

    @on(Read)
    def _got(self, message: Read) -> None:
        self._saved = message.facts
        if message.error:
            update_quietly(self.query_one("#overview", Static), Content(message.error))
        self.show()

    def _changed(self, change: Change) -> None:
        if self.trend is None:
            return  # the history is still being read: its arrival shows everything
        if change.touches_iteration or change.kind is ChangeKind.HISTORY:
            self.show()

    def _facts(self) -> list[IterationFacts]:
        """The saved facts, with the open iteration as it is in memory (unsaved edits too)."""
        from finops_tui.progress.facts import facts_of

        open_ = self.finops.session.iteration
        if open_ is None:
            return self._saved
        facts = [f for f in self._saved if f.id != open_.id] + [facts_of(open_)]
        return sorted(facts, key=lambda f: (f.number, f.starts, f.id))

    def show(self) -> None:
        from finops_tui.progress.trend import compute_trend

        self.trend = trend = compute_trend(self._facts())
        update_quietly(self.query_one("#overview", Static), Content(overview(trend)))
        grid = self.query_one("#grid", DataTable)
        row, col = grid.cursor_coordinate
        grid.clear(columns=True)
        grid.add_column("Capability", key="capability", width=24)
        grid.add_column("Trend", key="trend", width=max(5, min(12, len(trend.iterations))))
        for head in trend.iterations:
            grid.add_column(column(head), key=head.id)
        for capability in trend.capabilities:
            points = [capability.point(h.id) for h in trend.iterations]
            cells = [_styled(score_cell(p), None if p is None else sum(p.latest)) for p in points]
            scores = [None if p is None else sum(p.latest) for p in points]
            grid.add_row(
                Text(capability.name, no_wrap=True, overflow="ellipsis"),
                Text(sparkline_text(scores)[-12:]),
                *cells,
                key=capability.id,
            )
        grid.add_row(
            Text("Goals achieved", style="bold"),
            Text(""),
            *(Text(f"{g.achieved}/{g.total}") for g in trend.goals),
            key="",
        )
        if grid.row_count:
            grid.move_cursor(row=min(row, grid.row_count - 1), column=max(2, col))
        self.show_capability()

    def _cursor(self) -> tuple[str | None, str | None]:
        """The capability and the iteration of the cell under the cursor."""
        grid = self.query_one("#grid", DataTable)
        if not grid.row_count or self.trend is None:
            return None, None
        key = grid.coordinate_to_cell_key(grid.cursor_coordinate)
        capability = key.row_key.value or None
        column_key = key.column_key.value
        iteration = column_key if column_key not in ("capability", "trend") else None
        return capability, iteration

    @on(DataTable.CellHighlighted, "#grid")
    def _moved(self) -> None:
        self.show_capability()

    def show_capability(self) -> None:
        capability_id, _ = self._cursor()
        trend = self.trend
        lenses = self.query_one("#lenses", DataTable)
        title = self.query_one("#lens-title", Label)
        bars = self.query_one(ScoreBars)
        if trend is None:
            return
        if not capability_id:
            self._lens_section = self._fitted = None
            lenses.clear(columns=True)
            update_quietly(
                title,
                Content(
                    "Lens by lens: highlight a capability"
                    if trend.capabilities
                    else "No capability is in an iteration's scope yet (step 2, Scope)."
                ),
            )
            bars.show([])
            return
        capability = trend.capability(capability_id)
        self._lens_section = (capability.name, lens_section(trend, capability))
        self._fit_lenses()
        points = [capability.point(h.id) for h in trend.iterations]
        bars.show(
            [
                ScoreBar(column(h), None if p is None else sum(p.latest), score_cell(p))
                for h, p in zip(trend.iterations, points, strict=True)
            ]
        )

    def _fit_lenses(self) -> None:
        """The lens table with the latest iterations that fit the panel's width (the first
        ones give way), and a title that says so. The name alone: the report's title adds
        the id, which the panel has no room for."""
        if self._lens_section is None:
            return
        name, section = self._lens_section
        width = self.query_one("#lens-panel").content_region.width
        fitted = section.last_columns(width, cell_len) if width else section
        title = f"{name}, lens by lens"
        if (shown := len(fitted.header)) < (total := len(section.header)):
            title += f": the last {shown - 1} of {total - 1}"
        update_quietly(self.query_one("#lens-title", Label), Content(title))
        if fitted != self._fitted:  # the grid's highlight, a change, a resize: often the same
            self._fitted = fitted
            fill_table(self.query_one("#lenses", DataTable), fitted)

    @on(events.Resize)
    def _resized(self) -> None:
        self.call_after_refresh(self._fit_lenses)

    @on(DataTable.CellSelected, "#grid")
    def _open(self) -> None:
        _, iteration = self._cursor()
        if iteration is None:
            self.notify("Enter on an iteration's column opens it at its goals.", timeout=4)
            return
        self.dismiss()
        self.finops.open_iteration(iteration, Step.GOALS)

    def action_back(self) -> None:
        self.dismiss()

    @work
    async def action_compare(self) -> None:
        """Pick two iterations (the highlighted one first) and show what changed."""
        from finops_tui.screens.dialogs import PickDialog

        trend = self.trend
        if trend is None or len(trend.iterations) < 2:
            self.notify("Comparing takes two iterations.", timeout=4)
            return
        _, current = self._cursor()
        heads = list(reversed(trend.iterations))
        options = [
            (h.id, Content(f"#{h.number} {h.title or '(untitled)'} · {h.status.value}"))
            for h in heads
        ]
        if current is not None:  # the highlighted iteration first, as the likely "to"
            options.sort(key=lambda o: o[0] != current)
        after = await self.app.push_screen_wait(PickDialog("Compare: which iteration?", options))
        if after is None:
            return
        before = await self.app.push_screen_wait(
            PickDialog(
                "…with which one? (what changed from it)",
                [o for o in options if o[0] != after],
            )
        )
        if before is None:
            return
        facts = {f.id: f for f in self._facts()}
        older, newer = sorted((facts[before], facts[after]), key=lambda f: (f.number, f.starts))
        self.app.push_screen(CompareScreen(compare(older, newer)))


class CompareScreen(FreshScreen):
    """What changed between two iterations: scope, levels, scores, goals (as `diff A B`)."""

    KEYS_TITLE = "On the comparison"

    BINDINGS = [Binding("escape", "back", "Back", id="compare-back")]

    def __init__(self, comparison: Comparison) -> None:
        super().__init__()
        self.comparison = comparison
        self.sections = comparison_sections(comparison)

    def compose(self) -> ComposeResult:
        cmp = self.comparison
        self.sub_title = f"#{cmp.before.head.number} → #{cmp.after.head.number}"
        yield TitleBar()
        with VerticalScroll(id="body"):
            yield Static(
                Content(f"What changed from #{cmp.before.head.number} to #{cmp.after.head.number}"),
                classes="step-heading",
            )
            for number, section in enumerate(self.sections):
                yield Label(Content(section.title), classes="section-label")
                if section.rows:
                    yield DataTable(
                        cursor_type="row", id=f"section-{number}", classes="compare-table"
                    )
                else:  # as `diff` says it
                    yield Static(Content("(none)"), classes="hint", id=f"section-{number}")
                for note in section.notes:
                    yield Static(Content(note), classes="hint")
        yield KeyBar()

    def on_mount(self) -> None:
        for number, section in enumerate(self.sections):
            if section.rows:
                fill_table(self.query_one(f"#section-{number}", DataTable), section)
        self.query(DataTable).first().focus()

    def action_back(self) -> None:
        self.dismiss()
