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
    """`Iteration 3 · ✓1 Stakeholders › ✓2 Scope › ▶3 Goals › 4 Plan › 5 Review`."""

    def __init__(self, iteration: Iteration, current: Step) -> None:
        super().__init__()
        self.iteration = iteration
        self.current = current

    def on_mount(self) -> None:
        self.show(self.iteration)

    def show(self, iteration: Iteration) -> None:
        """Show where the iteration stands (it may be another object after an undo)."""
        self.iteration = iteration
        parts = []
        for step in Step:
            mark = "▶" if step is self.current else ("✓" if is_done(self.iteration, step) else " ")
            label = f"{mark}{step.value} {step.title}"
            style = "bold reverse" if step is self.current else ("" if mark == " " else "bold")
            parts.append(Content.styled(label, style) if style else Content(label))
        lock = " (closed, read-only)" if self.iteration.read_only else ""
        head = Content(f"#{self.iteration.number}{lock} ")
        update_quietly(self, head + Content(" › ").join(parts))
