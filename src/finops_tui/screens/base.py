"""What every step screen shares: header, step indicator, step keys, footer, read-only mode."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from finops_tui.steps import Step
from finops_tui.widgets.step_bar import StepBar

if TYPE_CHECKING:
    from finops_tui.app import FinOpsApp
    from finops_tui.model import Goal, Iteration


class StepScreen(Screen[None]):
    """A step of the open iteration. Subclasses compose the body and set STEP."""

    STEP: ClassVar[Step]
    BINDINGS = [
        # Priority: the new step is on screen before any key typed after these is handled.
        Binding(
            "ctrl+n,f8",
            "next_step",
            "Next",
            id="next-step",
            key_display="^n",
            tooltip="Next step (also F8)",
            priority=True,
        ),
        Binding(
            "ctrl+r,f7",
            "previous_step",
            "Back",
            id="previous-step",
            key_display="^r",
            tooltip="Previous step (also F7)",
            priority=True,
        ),
        Binding("escape", "home", "Home", id="home", tooltip="Back to the list of iterations"),
    ]

    @property
    def finops(self) -> FinOpsApp:
        return self.app  # type: ignore[return-value]

    @property
    def iteration(self) -> Iteration:
        assert self.finops.iteration is not None
        return self.finops.iteration

    @property
    def read_only(self) -> bool:
        return self.iteration.read_only

    def compose(self) -> ComposeResult:
        # Set before the header mounts: a title change on a header being built can race it.
        self.sub_title = self._subtitle()
        yield Header()
        yield StepBar(self.iteration, self.STEP)
        heading = self.STEP.heading + (
            "  (closed: reopen it from the palette to edit)" if self.read_only else ""
        )
        yield Static(Content(heading), classes="step-heading")
        with Vertical(id="body"):
            yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def _subtitle(self) -> str:
        return self.iteration.title or f"Iteration {self.iteration.number}"

    @work
    async def measure_goal(self, goal: Goal) -> None:
        """Compute one of the KPIs that serve the goal's capability from cost data, and keep
        the figure on the goal (the first one also fills an empty or 'unknown' baseline)."""
        from finops_tui.focus.kpis import KPIS, format_value
        from finops_tui.model import Measurement, utc_now
        from finops_tui.screens.baseline import BaselineDialog

        if self.read_only:
            return
        capability = self.finops.catalog.capability(goal.capability)
        verb = "Measure again" if goal.measurements else "Baseline from cost data"
        title = f"{verb}: goal {goal.id}, {capability.name} · {goal.lens.label}"
        dialog = BaselineDialog(
            title,
            list(capability.cost_kpis),
            self.finops.cost_data_dir,
            kpi=goal.kpi,
            cache_dir=self.finops.cache_dir,
            tag_aliases=self.finops.config.tag_aliases,
            cache_max_bytes=self.finops.config.cache_max_bytes,
        )
        measured = await self.app.push_screen_wait(dialog)
        if measured is None or measured.result.value is None:
            return
        result = measured.result
        goal.kpi = result.kpi
        goal.measurements.append(
            Measurement(at=utc_now(), value=result.value, unit=result.unit, source=measured.source)
        )
        shown = f"{format_value(result.value, result.unit)} ({result.kpi}, {result.period})"
        if goal.baseline.strip().lower() in ("", "unknown"):
            goal.baseline = shown
        if not goal.metric.strip():
            goal.metric = KPIS[result.kpi].title
        self.changed()
        self.after_measurement()
        self.notify(f"Goal {goal.id}: {shown}", title="Measured", markup=False)

    def after_measurement(self) -> None:
        """Show the new figure (screens that list goals redraw)."""

    def changed(self) -> None:
        """The iteration changed: save soon, and refresh the step ticks and title."""
        self.finops.changed()
        self.query_one(StepBar).refresh_steps()
        self.sub_title = self._subtitle()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_step":
            return self.STEP.next() is not None or None
        if action == "previous_step":
            return self.STEP.previous() is not None or None
        return True

    async def action_next_step(self) -> None:
        if (step := self.STEP.next()) is not None:
            await self.finops.show_step(step)

    async def action_previous_step(self) -> None:
        if (step := self.STEP.previous()) is not None:
            await self.finops.show_step(step)

    def action_home(self) -> None:
        self.finops.go_home()
