"""Step 2, define your scope: tick the capabilities to work on, or start from a starter group."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static

from finops_tui.catalog import Capability
from finops_tui.model import FIRST_SCOPE_RANGE, MAX_ADDED_LATER
from finops_tui.screens.base import StepScreen
from finops_tui.screens.dialogs import PickDialog
from finops_tui.steps import SCOPE_WARNINGS, Step
from finops_tui.widgets.checklist import CapabilityChecklist
from finops_tui.widgets.quiet import update_quietly
from finops_tui.wording import count

if TYPE_CHECKING:
    from finops_tui.model import Iteration
    from finops_tui.session import Change


class ScopeScreen(StepScreen):
    """The capability picker, the highlighted capability's details, and the tutorial's rule."""

    STEP = Step.SCOPE
    BINDINGS = [Binding("p", "preset", "Starter groups", id="presets")]

    def __init__(self) -> None:
        super().__init__()
        self._tallest_at: dict[int, int] = {}

    def compose_body(self) -> ComposeResult:
        yield Static(id="scope-counter")
        with Horizontal(classes="split"):
            yield CapabilityChecklist(
                self.finops.catalog,
                self.iteration.capabilities,
                read_only=self.read_only,
                start_at=place if isinstance(place := self.recall(), str) else None,
                id="checklist",
            )
            with VerticalScroll(id="side-panel"):
                yield Static(id="capability-detail")

    @property
    def checklist(self) -> CapabilityChecklist:
        return self.query_one(CapabilityChecklist)

    def on_mount(self) -> None:
        self.checklist.focus()
        self.show_counter()
        self.show_detail(self.checklist.highlighted_capability)

    def show_counter(self) -> None:
        it = self.iteration
        count = len(it.scope)
        previous = self.session.previous_of(it)
        if it.is_first:
            low, high = FIRST_SCOPE_RANGE
            rule = f"first iteration: pick {low}-{high}"
        else:
            rule = f"later iteration: keep the same, add up to {MAX_ADDED_LATER}"
            if previous is not None:
                added, dropped = it.scope_changes(previous)
                rule += f" ({len(added)} added" + (f", {len(dropped)} removed)" if dropped else ")")
        warn = any(w.kind in SCOPE_WARNINGS for w in it.warnings(previous))
        text = f"{count} selected · {rule}"
        counter = self.query_one("#scope-counter", Static)
        update_quietly(counter, Content(("⚠ " if warn else "") + text))
        counter.set_class(warn, "warning")

    def _describe(self, capability: Capability) -> Content:
        domain = self.finops.catalog.domain(capability.domain)
        kpis = "\n".join(f"  • {k}" for k in capability.kpis)
        return Content.from_markup(
            "[b]$name[/b]\n[dim]$domain[/dim]\n\n$description\n\n[b]KPIs[/b]\n$kpis\n\n"
            "[b]Guidance[/b]\n$url\n$framework_url",
            name=capability.name,
            domain=domain.name,
            description=capability.description,
            kpis=kpis,
            url=capability.url,
            framework_url=capability.framework_url,
        )

    def _tallest(self, detail: Static) -> int:
        """Lines of the longest description at the panel's width (cached per width)."""
        width = detail.size.width
        if width not in self._tallest_at:
            self._tallest_at[width] = max(
                self._describe(c).get_height(detail.styles, width)
                for c in self.finops.catalog.capabilities
            )
        return self._tallest_at[width]

    def show_detail(self, capability: Capability | None) -> None:
        detail = self.query_one("#capability-detail", Static)
        if capability is None:
            update_quietly(detail, "")
            return
        content = self._describe(capability)
        if width := detail.size.width:
            # A description that fits the panel fills it; one that does not takes the
            # height of the longest. So moving through the list mostly repaints the panel
            # without re-arranging the screen, and shows no scroll bar that is not needed.
            lines = content.get_height(detail.styles, width)
            visible = self.query_one("#side-panel").scrollable_content_region.height
            target = visible if lines <= visible else self._tallest(detail)
            content += Content("\n" * max(0, target - lines))
        update_quietly(detail, content)

    @on(OptionList.OptionHighlighted, "#checklist")
    def _highlighted(self) -> None:
        capability = self.checklist.highlighted_capability
        if capability is not None:
            self.remember(capability.id)
        self.show_detail(capability)

    @on(CapabilityChecklist.Toggled)
    def _toggled(self, event: CapabilityChecklist.Toggled) -> None:
        capability = event.capability
        name = self.finops.catalog.capability(capability).name
        if event.checked:
            self.edit(f"tick {name}", lambda it: it.tick(capability))
            return
        goals = len(self.iteration.goals_of_capability(capability))
        if self.edit(f"untick {name}", lambda it: it.untick(capability)) and goals:
            self.notify(
                f"“{name}” left the scope with its {count(goals, 'goal')} and its levels: tick it "
                "again (or ctrl+z) to bring them back.",
                timeout=6,
                markup=False,
            )

    def follow(self, change: Change) -> None:
        if set(self.checklist.checked) != set(self.iteration.capabilities):
            self.checklist.set_checked(self.iteration.capabilities)
        self.show_counter()

    def why_not(self, action: str) -> str | None:
        return self.read_only_reason() if action == "preset" else None

    @work
    async def action_preset(self) -> None:
        if self.refused("preset"):
            return
        catalog = self.finops.catalog
        options = [
            (
                group.id,
                Content(
                    f"{group.title}\n  "
                    + ", ".join(catalog.capability(c).name for c in group.capabilities)
                ),
            )
            for group in catalog.starter_groups
        ]
        picked = await self.app.push_screen_wait(
            PickDialog("Tick a starter group's capabilities (you can mix groups):", options)
        )
        if picked is None:
            return
        group = next(g for g in catalog.starter_groups if g.id == picked)

        def tick_all(it: Iteration) -> None:
            for capability in group.capabilities:
                it.tick(capability)

        self.edit(f"starter group “{group.title}”", tick_all)
