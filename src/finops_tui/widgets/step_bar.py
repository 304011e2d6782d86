"""The step indicator: where am I in the iteration, and which steps have what they need."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from finops_tui.steps import Step, is_done
from finops_tui.widgets.quiet import update_quietly

if TYPE_CHECKING:
    from finops_tui.model import Iteration


class StepBar(Static):
    """`#3 ✓1 Stakeholders › ✓2 Scope › ▶3 Goals › 4 Plan › 5 Review`; where that does not
    fit, only the current step is named: `#3 ✓1 › ✓2 › ▶3 Goals › 4 › 5`."""

    def __init__(self, iteration: Iteration, current: Step) -> None:
        super().__init__()
        self.iteration = iteration
        self.previous: Iteration | None = None
        self.current = current

    def on_mount(self) -> None:
        self.show(self.iteration, self.previous)

    def on_resize(self) -> None:
        self.show(self.iteration, self.previous)

    def show(self, iteration: Iteration, previous: Iteration | None = None) -> None:
        """Show where the iteration stands (it may be another object after an undo)."""
        self.iteration, self.previous = iteration, previous
        done = {step: is_done(iteration, step, previous) for step in Step}
        state = " closed" if iteration.read_only else ""
        head = Content(f"#{iteration.number}{state} ")
        full = head + self._steps(done, short=False)
        width = self.content_region.width
        update_quietly(
            self,
            full
            if not width or full.cell_length <= width
            else (head + self._steps(done, short=True)),
        )

    def _steps(self, done: dict[Step, bool], *, short: bool) -> Content:
        parts = []
        for step in Step:
            mark = "▶" if step is self.current else ("✓" if done[step] else " ")
            named = not short or step is self.current
            label = f"{mark}{step.value}" + (f" {step.title}" if named else "")
            style = "bold reverse" if step is self.current else ("" if mark == " " else "bold")
            parts.append(Content.styled(label, style) if style else Content(label))
        return Content(" › ").join(parts)
