"""Step 3, identify your goals: the goal matrix, with the lens advice for the focused cell."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from finops_tui.focus.kpis import format_value
from finops_tui.screens.base import StepScreen
from finops_tui.screens.dialogs import FormDialog, FormField
from finops_tui.steps import Step
from finops_tui.widgets.goal_matrix import Cell, GoalMatrix
from finops_tui.widgets.quiet import update_quietly


class GoalsScreen(StepScreen):
    """Rows are the scoped capabilities, columns the five lenses; a raised target is a goal."""

    STEP = Step.GOALS
    BINDINGS = [
        # Off the footer, which is full at 80 columns: the side panel and F1 show it.
        Binding(
            "b",
            "baseline",
            "Baseline from cost data",
            id="baseline",
            show=False,
            tooltip="Compute the goal's metric from a FOCUS cost export",
        )
    ]

    def compose_body(self) -> ComposeResult:
        yield Static(id="goal-warnings")
        with Horizontal(classes="split goals-split"):
            yield GoalMatrix(
                self.iteration, self.finops.catalog, read_only=self.read_only, id="matrix"
            )
            with VerticalScroll(id="side-panel"):
                yield Static(id="cell-detail")
        yield Static(
            Content("0-4 current level · + / - target level · Enter edit the goal"),
            classes="hint",
        )

    @property
    def matrix(self) -> GoalMatrix:
        return self.query_one(GoalMatrix)

    def on_mount(self) -> None:
        self.matrix.focus()
        self.show_warnings()
        self.show_cell()

    def show_warnings(self) -> None:
        it = self.iteration
        found = [
            w.message
            for w in it.warnings(self.finops.previous_of(it))
            if w.kind in ("no-goals", "too-many-goals")
        ]
        if not it.scope:
            found = ["No capabilities in scope yet: pick them in step 2 (ctrl+r)."]
        widget = self.query_one("#goal-warnings", Static)
        update_quietly(widget, Content(" ".join(f"⚠ {m}" for m in found)))
        widget.display = bool(found)

    def show_cell(self) -> None:
        detail = self.query_one("#cell-detail", Static)
        cell = self.matrix.cell
        if cell is None:
            update_quietly(detail, "")
            return
        catalog = self.finops.catalog
        lens = catalog.lens(cell.lens)
        level = self.iteration.level(cell.capability, cell.lens)
        target = self.iteration.target(cell.capability, cell.lens)
        now = catalog.level(cell.lens, level)
        lines = [
            Content.from_markup(
                "[b]$cap[/b] · [b]$lens[/b]\n$question\n",
                cap=catalog.capability(cell.capability).name,
                lens=lens.name,
                question=lens.question,
            )
        ]
        for info in lens.levels:
            mark = "▶" if info.level == level else ("◎" if info.level == target else " ")
            lines.append(Content(f"{mark} {info.level} {info.label}"))
        lines.append(Content.assemble("\n", ("Now: ", "bold"), now.meaning))
        lines.append(Content.assemble(("Next: ", "bold"), now.advice))
        for goal in self.iteration.goals_of(cell.capability, cell.lens):
            lines.append(
                Content.from_markup(
                    "\n[b]Goal $id[/b] ($from → $to): $statement",
                    id=goal.id,
                    statement=goal.statement or "(Enter to describe it)",
                    **{"from": str(goal.from_level), "to": str(goal.to_level)},
                )
            )
            if goal.baseline:
                lines.append(Content.assemble(("Baseline: ", "bold"), goal.baseline))
            for m in goal.measurements:
                figure = format_value(m.value, m.unit)
                lines.append(Content(f"  {m.at:%Y-%m-%d} {figure}  {m.source}"))
            if goal.measurements or self.finops.catalog.capability(goal.capability).cost_kpis:
                lines.append(Content("b: baseline from cost data (FOCUS)"))
        update_quietly(detail, Content("\n").join(lines))

    @on(GoalMatrix.CellHighlighted)
    def _moved(self) -> None:
        self.show_cell()

    @on(GoalMatrix.Changed)
    def _changed(self) -> None:
        self.changed()
        self.show_warnings()
        self.show_cell()

    def action_baseline(self) -> None:
        cell = self.matrix.cell
        if cell is None or self.read_only:
            return
        goals = self.iteration.goals_of(cell.capability, cell.lens)
        if not goals:
            self.notify("Raise the target (+) first: a baseline belongs to a goal.")
            return
        self.measure_goal(goals[0])

    def after_measurement(self) -> None:
        self.show_cell()

    @on(GoalMatrix.EditGoal)
    def _edit(self, event: GoalMatrix.EditGoal) -> None:
        self.edit_goal(event.cell)

    @work
    async def edit_goal(self, cell: Cell) -> None:
        goals = self.iteration.goals_of(cell.capability, cell.lens)
        if not goals:
            if self.read_only:
                return
            level = self.iteration.level(cell.capability, cell.lens)
            if level >= 4:
                self.notify("This cell is at the top level (4): there is no higher target.")
                return
            self.iteration.set_target(cell.capability, cell.lens, level + 1)
            self.matrix.fill()
            self._changed()
            goals = self.iteration.goals_of(cell.capability, cell.lens)
        goal = goals[0]
        capability = self.finops.catalog.capability(cell.capability).name
        title = (
            f"Goal {goal.id}: {capability}, {cell.lens.label} {goal.from_level} → {goal.to_level}"
        )
        values = await self.app.push_screen_wait(
            FormDialog(
                title,
                [
                    FormField(
                        "statement",
                        "Measurable goal",
                        goal.statement,
                        placeholder="What will be true at the end of the iteration?",
                    ),
                    FormField(
                        "metric",
                        "Metric",
                        goal.metric,
                        placeholder="e.g. cost vs budget variance (%)",
                    ),
                    FormField(
                        "baseline",
                        "Baseline",
                        goal.baseline,
                        placeholder="Where the metric is now (or 'unknown')",
                    ),
                    FormField(
                        "target",
                        "Target",
                        goal.target,
                        placeholder="e.g. monthly variance under 5%",
                    ),
                    FormField("due", "Due", goal.due, kind="date"),
                ],
                read_only=self.read_only,
            )
        )
        if values is None or self.read_only:
            return
        changed = False
        for key, value in values.items():
            if getattr(goal, key) != value:
                setattr(goal, key, value)
                changed = True
        if changed:
            self._changed()
