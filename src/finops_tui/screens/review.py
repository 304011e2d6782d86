"""Step 5, review progress: how each goal ended, the retrospective, closing, and what comes next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Label, TextArea

from finops_tui.lenses import MAX_LEVEL, MIN_LEVEL
from finops_tui.model import Goal, Outcome
from finops_tui.screens.base import StepScreen
from finops_tui.screens.dialogs import ConfirmDialog, FormDialog, FormField
from finops_tui.steps import Step
from finops_tui.wording import count

if TYPE_CHECKING:
    from finops_tui.session import Change

OUTCOME_CHOICES = tuple((o.value, o) for o in Outcome)
LEVEL_CHOICES = tuple((str(n), n) for n in range(MIN_LEVEL, MAX_LEVEL + 1))
RETROSPECTIVE = [
    ("went_well", "What went well?"),
    ("went_poorly", "What didn't go well?"),
    ("improve", "What will we improve next time? (shown when the next iteration starts)"),
]


def _measured(goal: Goal) -> str:
    """The goal's first and latest figures side by side (`≠` when asked differently)."""
    from finops_tui.focus.kpis import format_value

    if not goal.measurements:
        return "—"
    first, last = goal.measurements[0], goal.measurements[-1]
    if first is last:
        return format_value(first.value, first.unit)
    arrow = "→" if first.asked_like(last) else "≠"
    return f"{format_value(first.value, first.unit)} {arrow} {format_value(last.value, last.unit)}"


class OutcomeTable(DataTable[Text]):
    """Each goal with its outcome; Enter records how it ended."""

    BINDINGS = [
        Binding("enter", "screen.record_outcome", "Record outcome"),
        Binding(
            "m",
            "screen.measure_again",
            "Measure again",
            show=False,
            tooltip="Compute the goal's metric again from a FOCUS cost export",
        ),
    ]


class ReviewScreen(StepScreen):
    """Record outcomes and the retrospective; close the iteration; start the next one."""

    STEP = Step.REVIEW
    AUTO_FOCUS = ""
    """Nothing is focused as the screen composes: it focuses the outcomes, or starting the
    next iteration, as it mounts (Textual focused its first focusable, Close, until then)."""

    def compose_body(self) -> ComposeResult:
        # Not a Tab stop itself: focus moves field to field and scrolls them into view.
        with VerticalScroll(can_focus=False):
            with Horizontal(id="review-actions"):
                if self.read_only:
                    yield Button("Start next iteration", variant="primary", id="start-next")
                    yield Button("Reopen", id="reopen")
                else:
                    yield Button("Close iteration", variant="primary", id="close")
            yield Label(
                "Goals  (Enter: outcome, level reached, evidence · m: measure from cost data)",
                classes="section-label",
            )
            yield OutcomeTable(cursor_type="row", id="outcomes")
            for key, label in RETROSPECTIVE:
                yield Label(label, classes="section-label")
                yield TextArea(
                    getattr(self.iteration.review, key),
                    id=key,
                    classes="retro",
                    read_only=self.read_only,
                    soft_wrap=True,
                )

    def on_mount(self) -> None:
        table = self.query_one(OutcomeTable)
        table.add_column("Goal", key="goal", width=24)
        table.add_column("Outcome", key="outcome", width=8)
        table.add_column("Reached", key="reached", width=7)
        table.add_column("Measured", key="measured", width=17)
        table.add_column("Evidence", key="evidence", width=12)
        self.fill()
        # Closed, and nothing continues it yet: what comes next is the next iteration.
        if self.iteration.read_only and not self.session.followers_of(self.iteration.id):
            self.query_one("#start-next", Button).focus()
        else:
            table.focus()

    def fill(self) -> None:
        table = self.query_one(OutcomeTable)
        row = table.cursor_row
        table.clear()
        catalog = self.finops.catalog
        for goal in self.iteration.goals:
            name = catalog.capability(goal.capability).name
            table.add_row(
                Text(
                    f"{goal.id} {name} · {goal.lens.label} {goal.from_level}→{goal.to_level}",
                    no_wrap=True,
                    overflow="ellipsis",
                ),
                Text(goal.outcome.value if goal.outcome else "—"),
                Text("—" if goal.reached_level is None else str(goal.reached_level)),
                Text(_measured(goal), no_wrap=True, overflow="ellipsis"),
                Text(goal.evidence.replace("\n", " "), no_wrap=True, overflow="ellipsis"),
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    @work
    async def action_record_outcome(self) -> None:
        goals = self.iteration.goals
        if not goals:
            return
        goal = goals[self.query_one(OutcomeTable).cursor_row]
        name = self.finops.catalog.capability(goal.capability).name
        values = await self.app.push_screen_wait(
            FormDialog(
                f"{goal.id}: {goal.statement or name} ({goal.lens.label} "
                f"{goal.from_level} → {goal.to_level})",
                [
                    FormField(
                        "outcome", "Outcome", goal.outcome, kind="choice", choices=OUTCOME_CHOICES
                    ),
                    FormField(
                        "reached_level",
                        "Level reached",
                        goal.reached_level,
                        kind="choice",
                        choices=LEVEL_CHOICES,
                    ),
                    FormField(
                        "evidence",
                        "Evidence",
                        goal.evidence,
                        placeholder="What shows it: a report, a metric, a decision",
                    ),
                ],
                read_only=self.read_only,
            )
        )
        if values is None or self.read_only:
            return
        goal_id = goal.id
        self.edit(f"outcome of goal {goal_id}", lambda it: it.record_outcome(goal_id, **values))

    def action_measure_again(self) -> None:
        goals = self.iteration.goals
        if goals and not self.read_only:
            self.measure_goal(goals[self.query_one(OutcomeTable).cursor_row])

    def follow(self, change: Change) -> None:
        self.fill()
        for key, _ in RETROSPECTIVE:
            self.show_text(self.query_one(f"#{key}", TextArea), getattr(self.iteration.review, key))

    @on(TextArea.Changed, ".retro")
    def _retro(self, event: TextArea.Changed) -> None:
        part = event.text_area.id or ""
        text = event.text_area.text
        self.typed(event.text_area, text)
        if text == getattr(self.iteration.review, part):
            return
        self.edit("the review's notes", lambda it: it.set_retrospective(part, text), merge=part)  # type: ignore[arg-type]

    @on(Button.Pressed, "#close")
    @work
    async def _close(self) -> None:
        """Close, after saying what is still open: goals without an outcome, open actions."""
        it = self.iteration
        unrecorded = it.goals_without_outcome()
        open_actions = it.open_actions()
        overdue = sum(1 for _, a in open_actions if a.overdue(self.session.today))
        lines = []
        if unrecorded:
            ids = ", ".join(g.id for g in unrecorded)
            lines.append(f"{count(len(unrecorded), 'goal')} without an outcome yet: {ids}.")
        if open_actions:
            late = f" ({overdue} overdue)" if overdue else ""
            lines.append(f"{count(len(open_actions), 'action')} still open{late}.")
        if it.ends > self.session.today:
            lines.append(f"It is planned to run until {it.ends}.")
        if lines and not await self.app.push_screen_wait(
            ConfirmDialog(
                "\n".join([*lines, "Close the iteration anyway? (Reopen it from the palette.)"]),
                yes="Close it",
                no="Not yet",
            )
        ):
            return
        self.session.close_iteration()

    @on(Button.Pressed, "#reopen")
    def _reopen(self) -> None:
        self.session.reopen()

    @on(Button.Pressed, "#start-next")
    def _start_next(self) -> None:
        self.finops.offer_next_iteration(self.iteration)
