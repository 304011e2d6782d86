"""What every step screen shares: header, step indicator, step keys, footer, read-only mode, and
following the open iteration as it changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static, TextArea

from finops_tui.screens.explained import ExplainedScreen
from finops_tui.session import Change, ChangeKind, NotEditable
from finops_tui.steps import Step
from finops_tui.widgets.key_bar import KeyBar
from finops_tui.widgets.quiet import update_quietly
from finops_tui.widgets.step_bar import StepBar
from finops_tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from finops_tui.app import FinOpsApp
    from finops_tui.model import Goal, Iteration
    from finops_tui.session import Session


class StepScreen(ExplainedScreen):
    """A step of the open iteration. Subclasses compose the body, set STEP, and `follow`."""

    STEP: ClassVar[Step]

    @property
    def keys_title(self) -> str:
        return f"Step {int(self.STEP)}: {self.STEP.title}"

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
        Binding(
            "f6",
            "conflicts",
            "Conflicts",
            id="conflicts",
            show=False,
            tooltip="Pick a value for each field both sides changed in a merge",
        ),
    ]

    @property
    def finops(self) -> FinOpsApp:
        return self.app  # type: ignore[return-value]

    @property
    def session(self) -> Session:
        return self.finops.session

    @property
    def iteration(self) -> Iteration:
        iteration = self.session.iteration
        assert iteration is not None
        return iteration

    @property
    def read_only(self) -> bool:
        """Closed, or its framework's catalogue is not installed here."""
        return self.iteration.read_only or self.iteration.catalog_missing

    def read_only_reason(self) -> str | None:
        """Why the iteration cannot be changed here, for a key that would change it."""
        iteration = self.iteration
        if iteration.catalog_missing:
            return f"Read-only: catalogue {iteration.framework!r} is not installed here."
        if self.read_only:
            return f"#{iteration.number} is closed: reopen it from the palette to change it."
        return None

    def compose(self) -> ComposeResult:
        self._composed_read_only = self.read_only
        self._agreed: dict[str, str] = {}  # field id → text the iteration was last given/shown
        self.sub_title = self._subtitle()  # the title bar's, from its first frame
        yield TitleBar()
        bar = StepBar(self.iteration, self.STEP)
        bar.previous = self.session.previous_of(self.iteration)
        yield bar
        if self.iteration.catalog_missing:
            note = f"  (read-only: catalogue {self.iteration.framework!r} is not installed)"
        elif self.read_only:
            note = "  (closed: reopen it from the palette to edit)"
        else:
            note = ""
        heading = self.STEP.heading + note
        yield Static(Content(heading), classes="step-heading")
        yield Static(id="conflicts-banner", classes="warning")
        with Vertical(id="body"):
            yield from self.compose_body()
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def _subtitle(self) -> str:
        return self.iteration.title or f"Iteration {self.iteration.number}"

    # -- following the open iteration ---------------------------------------------------------

    def _on_mount(self) -> None:
        self.watch(self.app, "change", self._changed, init=False)
        self.show_conflicts()
        for field in self.query("Input, TextArea"):  # composed from the iteration: agreed
            if field.id and isinstance(field, Input | TextArea):
                self._agreed[field.id] = _text_of(field)

    def show_conflicts(self) -> None:
        """A banner while a merge left fields that both sides changed."""
        banner = self.query_one("#conflicts-banner", Static)
        conflicts = self.iteration.conflicts
        banner.display = bool(conflicts)
        if conflicts:
            fields = "field" if len(conflicts) == 1 else "fields"
            update_quietly(
                banner,
                Content(
                    f"⚠ {len(conflicts)} {fields} changed on both sides in a merge: this "
                    "file keeps ours for now. F6 (or the palette) picks a value for each."
                ),
            )

    def _changed(self, change: Change) -> None:
        if self.session.iteration is None or not change.touches_iteration:
            return
        if change.kind is ChangeKind.OPENED:
            return  # another iteration: the app shows it on fresh screens
        if self.read_only != self._composed_read_only:
            if self.is_current:  # closed or reopened: every field changes its state
                self.finops.show_step(self.STEP)
            return
        self.query_one(StepBar).show(self.iteration, self.session.previous_of(self.iteration))
        self.sub_title = self._subtitle()
        self.show_conflicts()
        self.follow(change)

    def follow(self, change: Change) -> None:
        """Show what the open iteration holds now: it changed by a key on this screen, a
        dialog, an undo, a reload or a merge. Fields the user types in are set only where
        they differ from it (while typing they do not: the field made the edit)."""

    # -- fields the user types in ------------------------------------------------------------

    def show_text(self, field: Input | TextArea, value: str) -> None:
        """Set a field to what the iteration holds, unless it holds typing whose edit has not
        reached the iteration yet (its Changed message is still queued): setting the field
        then would throw that typing away. The edit, when it comes, wins."""
        current = _text_of(field)
        if current != self._agreed.get(field.id or "", current):
            return  # typed, not yet an edit
        if current != value:
            if isinstance(field, Input):
                field.value = value
                field.cursor_position = len(value)
            else:
                field.load_text(value)
        self._agreed[field.id or ""] = value

    def typed(self, field: Input | TextArea, text: str) -> None:
        """A field's Changed message was handled: what it holds is what the iteration gets."""
        self._agreed[field.id or ""] = text

    def edit(
        self, what: str, change: Callable[[Iteration], object], *, merge: str | None = None
    ) -> bool:
        """Change the open iteration through the session; a refused change is a message."""
        try:
            self.session.edit(what, change, merge=merge)
        except NotEditable as exc:
            self.notify(str(exc) or "No iteration is open.", severity="warning", markup=False)
        except (ValueError, KeyError, IndexError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            self.notify(str(message), title="Not changed", severity="warning", markup=False)
        else:
            return True
        return False

    # -- conflicts a merge left ---------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.session.iteration is None:
            # Left (Esc): the list is on its way, and the key bar or the keys panel may read
            # this screen's keys once more in the meantime; none of them can act now.
            return None
        if action == "conflicts":
            return bool(self.iteration.conflicts) and not self.read_only
        if action == "next_step":
            return self.STEP.next() is not None or None
        if action == "previous_step":
            return self.STEP.previous() is not None or None
        return True

    @work
    async def action_conflicts(self) -> None:
        """For each field both sides changed: keep ours, take theirs, or leave it for later.
        Each choice is a step ctrl+z takes back."""
        from finops_tui.merge import describe
        from finops_tui.screens.dialogs import PickDialog

        conflicts = list(self.iteration.conflicts)
        for number, conflict in enumerate(conflicts, 1):
            view = describe(self.iteration, conflict)
            take = await self.app.push_screen_wait(
                PickDialog(
                    f"Conflict {number} of {len(conflicts)}: {view.label}\n"
                    f"both sides changed it (theirs on {view.when:%Y-%m-%d %H:%M} UTC).",
                    [
                        ("ours", Content(f"Keep ours: {view.ours}")),
                        ("theirs", Content(f"Take theirs: {view.theirs}")),
                        ("later", Content("Decide later")),
                    ],
                )
            )
            if take is None:
                return
            if take in ("ours", "theirs"):
                self.edit(
                    f"resolve {view.label}",
                    lambda it, p=conflict.path, t=take: it.resolve_conflict(p, t),
                )

    # -- where the user was ------------------------------------------------------------------

    def remember(self, place: object) -> None:
        """Keep where the user is on this step (a cell, a goal), to come back to it."""
        self.finops.places[(self.iteration.id, self.STEP)] = place

    def recall(self) -> object | None:
        """Where the user last was on this step of this iteration, if anywhere."""
        return self.finops.places.get((self.iteration.id, self.STEP))

    # -- cost data ----------------------------------------------------------------------------

    @work
    async def measure_goal(self, goal: Goal) -> None:
        """Compute one of the KPIs that serve the goal's capability from cost data, and keep
        the figure on the goal (the first one also fills an empty or 'unknown' baseline).
        Measuring again asks the same question: the last figure's file, KPI, tag key,
        currency and budget come filled in, and both figures are shown side by side."""
        from finops_tui.focus.kpis import KPIS, format_value
        from finops_tui.model import Measurement, utc_now
        from finops_tui.screens.baseline import BaselineDialog

        if self.read_only:
            return
        capability = self.finops.catalog.capability(goal.capability)
        last = goal.measurements[-1] if goal.measurements else None
        verb = "Measure again" if last else "Baseline from cost data"
        title = f"{verb}: goal {goal.id}, {capability.name} · {goal.lens.label}"
        dialog = BaselineDialog(
            title,
            list(capability.cost_kpis),
            self.finops.cost_data_dir,
            kpi=goal.kpi,
            cache_dir=self.session.cache_dir,
            tag_aliases=self.finops.config.tag_aliases,
            cache_max_bytes=self.finops.config.cache_max_bytes,
            again=last,
        )
        measured = await self.app.push_screen_wait(dialog)
        if measured is None or measured.result.value is None:
            return
        result, options = measured.result, measured.options
        shown = f"{format_value(result.value, result.unit)} ({result.kpi}, {result.period})"
        measurement = Measurement(
            at=utc_now(),
            value=result.value,
            unit=result.unit,
            source=measured.source,
            kpi=result.kpi,
            period=result.period,
            path=str(measured.path or ""),
            tag_key=(options.tag_key or "") if options else "",
            currency=measured.currency or "",
            budget=options.budget if options else None,
        )
        goal_id = goal.id
        if not self.edit(
            f"measure goal {goal_id}",
            lambda it: it.record_measurement(
                goal_id, measurement, kpi=result.kpi, shown=shown, metric=KPIS[result.kpi].title
            ),
        ):
            return
        if last is not None:
            before = format_value(last.value, last.unit)
            alike = "" if last.asked_like(measurement) else " (asked differently: not comparable)"
            shown = f"{before} → {format_value(result.value, result.unit)}{alike}"
        self.notify(f"Goal {goal_id}: {shown}", title="Measured", markup=False)

    # -- moving between steps -----------------------------------------------------------------

    def action_next_step(self) -> None:
        if (step := self.STEP.next()) is not None:
            self.finops.show_step(step)

    def action_previous_step(self) -> None:
        if (step := self.STEP.previous()) is not None:
            self.finops.show_step(step)

    def action_home(self) -> None:
        self.finops.go_home()


def _text_of(field: Input | TextArea) -> str:
    return field.value if isinstance(field, Input) else field.text
