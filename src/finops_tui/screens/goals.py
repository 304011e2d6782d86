"""Step 3, identify your goals: the goal matrix, with the lens advice for the focused cell."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from finops_tui.focus.kpis import format_value
from finops_tui.lenses import LENSES, MAX_LEVEL, Lens
from finops_tui.screens.base import StepScreen
from finops_tui.screens.dialogs import ConfirmDialog, FormDialog, FormField
from finops_tui.steps import Step
from finops_tui.widgets.goal_matrix import Cell, GoalMatrix
from finops_tui.widgets.quiet import update_quietly
from finops_tui.wording import count

if TYPE_CHECKING:
    from finops_tui.model import Goal, Iteration
    from finops_tui.session import Change


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
        ),
        Binding(
            "w",
            "weights",
            "Weights and target",
            id="weights",
            show=False,
            tooltip="How much each lens counts for the row, and its target score",
        ),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static(id="goal-warnings")
        with Horizontal(classes="split goals-split"):
            place = self.recall()
            yield GoalMatrix(
                self.iteration,
                self.finops.catalog,
                read_only=self.read_only_reason() or "",
                start_at=place if isinstance(place, Cell) else None,
                previous_end=self._previous_ends(),
                id="matrix",
            )
            with VerticalScroll(id="side-panel"):
                yield Static(id="cell-detail")
        yield Static(
            Content(
                "0-4 current level · + / - target level · Enter edit the goal"
                + (" · ·n: where the last one ended" if self._previous_ends() else "")
            ),
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
            for w in it.warnings(self.session.previous_of(it))
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
            Content.assemble(
                (catalog.capability(cell.capability).name, "bold"),
                " · ",
                (lens.name, "bold"),
                "\n",
                lens.question,
                "\n",
            )
        ]
        lines.append(self._score_line(cell.capability))
        if (before := self._previous_level(cell)) is not None:
            lines.append(Content(before))
        lines.append(Content(""))
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

    def _score_line(self, capability: str) -> Content:
        """The row's score, weighted score and target ('w' sets the weights and target)."""
        it = self.iteration
        score = it.capability_score(capability)
        parts = [f"Score {score.points}/{score.maximum} ({score.percent:.0f}%)"]
        if it.scope_item(capability).weights is not None:
            parts.append(f"weighted {it.weighted_score(capability).percent:.0f}%")
        if (progress := it.target_progress(capability)) is not None:
            parts.append(str(progress))
        if not self.read_only:
            parts.append("w: weights and target")
        return Content(" · ".join(parts))

    def _previous_ends(self) -> dict[tuple[str, Lens], int]:
        """Where the previous iteration (once closed) left each cell this one also has."""
        previous = self.session.previous_of(self.iteration)
        if previous is None or not previous.read_only:
            return {}
        return {
            (capability, lens): previous.reached_levels(capability).get(lens)
            for capability in self.iteration.capabilities
            if capability in previous.capabilities
            for lens in LENSES
        }

    def _previous_level(self, cell: Cell) -> str | None:
        """Where the previous iteration left this cell, when it had the capability."""
        previous = self.session.previous_of(self.iteration)
        if previous is None or cell.capability not in previous.capabilities:
            return None
        if previous.read_only:
            ended = previous.reached_levels(cell.capability).get(cell.lens)
            return f"#{previous.number} ended at {ended}."
        return f"#{previous.number} started at {previous.level(cell.capability, cell.lens)}."

    def action_weights(self) -> None:
        if (cell := self.matrix.cell) is not None and not self.read_only:
            self.edit_weights(cell.capability)

    @work
    async def edit_weights(self, capability: str) -> None:
        """How much each lens counts for the capability now, and its target score."""
        it = self.iteration
        weights = it.lens_weights(capability)
        target = it.target_score(capability)
        name = self.finops.catalog.capability(capability).name
        values = await self.app.push_screen_wait(
            FormDialog(
                f"{name}: how much each lens counts now (0-5), and the score that is good "
                "enough for now (1-20, blank for none)",
                [
                    *(
                        FormField(lens.value, f"{lens.label} weight", str(weights[lens]))
                        for lens in LENSES
                    ),
                    FormField("target", "Target score", "" if target is None else str(target)),
                ],
            )
        )
        if values is None:
            return
        try:
            new_weights = {lens: int(values[lens.value]) for lens in LENSES}
            text = values["target"].strip()
            new_target = int(text) if text else None
        except ValueError:
            self.notify("Weights and the target score are whole numbers.", severity="warning")
            return

        def apply(it: Iteration) -> None:
            it.set_lens_weights(capability, new_weights)
            it.set_target_score(capability, new_target)

        self.edit(f"weights and target of {name}", apply)

    def follow(self, change: Change) -> None:
        self.matrix.show(self.iteration)
        self.show_warnings()
        self.show_cell()

    @on(GoalMatrix.CellHighlighted)
    def _moved(self, event: GoalMatrix.CellHighlighted) -> None:
        if event.cell is not None:
            self.remember(event.cell)
        self.show_cell()

    @on(GoalMatrix.LevelChosen)
    def _level(self, event: GoalMatrix.LevelChosen) -> None:
        cell, level = event.cell, event.level
        lost = self.iteration.goals_removed_by(cell.capability, cell.lens, level=level)
        what = f"level {level} on {self._cell_name(cell)}"
        self._change_or_ask(what, lambda it: it.set_level(cell.capability, cell.lens, level), lost)

    @on(GoalMatrix.TargetMoved)
    def _target(self, event: GoalMatrix.TargetMoved) -> None:
        cell = event.cell
        name = self._cell_name(cell)
        if event.step > 0:
            if self.iteration.target(cell.capability, cell.lens) == MAX_LEVEL or (
                self.iteration.level(cell.capability, cell.lens) == MAX_LEVEL
            ):
                self.app.bell()
                return
            self.edit(
                f"raise the target of {name}",
                lambda it: it.raise_target(cell.capability, cell.lens),
            )
            return
        lost = self.iteration.goals_removed_by(cell.capability, cell.lens, lower=True)
        self._change_or_ask(
            f"lower the target of {name}",
            lambda it: it.lower_target(cell.capability, cell.lens),
            lost,
        )

    def _change_or_ask(
        self, what: str, change: Callable[[Iteration], object], lost: list[Goal]
    ) -> None:
        """Make a change at once, or ask first when it would remove a goal that holds text."""
        if any(goal.has_text for goal in lost):
            self._ask_then_change(what, change, lost)
        else:
            self.edit(what, change)

    @work
    async def _ask_then_change(
        self, what: str, change: Callable[[Iteration], object], lost: list[Goal]
    ) -> None:
        goal = lost[0]
        described = f"“{goal.statement}”" if goal.statement.strip() else "with its notes"
        actions = f" and its {count(len(goal.actions), 'action')}" if goal.actions else ""
        if await self.app.push_screen_wait(
            ConfirmDialog(
                f"This removes goal {goal.id} {described}{actions}.\n"
                "Remove it? (ctrl+z brings it back)",
                yes="Remove the goal",
                no="Keep it",
            )
        ):
            self.edit(what, change)

    def _cell_name(self, cell: Cell) -> str:
        name = self.finops.catalog.capability(cell.capability).name
        return f"{name} · {cell.lens.label}"

    def action_baseline(self) -> None:
        cell = self.matrix.cell
        if cell is None or self.read_only:
            return
        goals = self.iteration.goals_of(cell.capability, cell.lens)
        if not goals:
            self.notify("Raise the target (+) first: a baseline belongs to a goal.")
            return
        self.measure_goal(goals[0])

    @on(GoalMatrix.EditGoal)
    def _edit(self, event: GoalMatrix.EditGoal) -> None:
        self.edit_goal(event.cell)

    @work
    async def edit_goal(self, cell: Cell) -> None:
        """Describe the cell's goal; on a cell without one, a new goal one level up is made
        when the form is saved (cancelling leaves none)."""
        goals = self.iteration.goals_of(cell.capability, cell.lens)
        goal = goals[0] if goals else None
        level = self.iteration.level(cell.capability, cell.lens)
        if goal is None:
            if self.read_only:
                return
            if level >= MAX_LEVEL:
                self.notify("This cell is at the top level (4): there is no higher target.")
                return
        capability = self.finops.catalog.capability(cell.capability).name
        head = f"Goal {goal.id}" if goal else "New goal"
        levels = f"{level} → {goal.to_level if goal else level + 1}"
        values = await self.app.push_screen_wait(
            FormDialog(
                f"{head}: {capability}, {cell.lens.label} {levels}",
                [
                    FormField(
                        "statement",
                        "Measurable goal",
                        goal.statement if goal else "",
                        placeholder="What will be true at the end of the iteration?",
                    ),
                    FormField(
                        "metric",
                        "Metric",
                        goal.metric if goal else "",
                        placeholder="e.g. cost vs budget variance (%)",
                    ),
                    FormField(
                        "baseline",
                        "Baseline",
                        goal.baseline if goal else "",
                        placeholder="Where the metric is now (or 'unknown')",
                    ),
                    FormField(
                        "target",
                        "Target",
                        goal.target if goal else "",
                        placeholder="e.g. monthly variance under 5%",
                    ),
                    FormField("due", "Due", goal.due if goal else None, kind="date"),
                ],
                read_only=self.read_only,
            )
        )
        if values is None or self.read_only:
            return
        if goal is not None:
            goal_id = goal.id
            self.edit(f"describe goal {goal_id}", lambda it: it.describe_goal(goal_id, **values))
            return

        def add_and_describe(it: Iteration) -> None:
            new = it.add_goal(cell.capability, cell.lens)
            it.describe_goal(new.id, **values)

        self.edit(f"new goal on {self._cell_name(cell)}", add_and_describe)
