"""Step 4, put your plan into action: the actions of each goal, and the guidance to follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from finops_tui.model import Action, ActionStatus, Goal
from finops_tui.screens.base import StepScreen
from finops_tui.screens.dialogs import ConfirmDialog, FormDialog, FormField, PickDialog
from finops_tui.steps import Step
from finops_tui.widgets.quiet import update_quietly

if TYPE_CHECKING:
    from finops_tui.session import Change

STATUS_CHOICES = tuple((s.value, s) for s in ActionStatus)
PLAN_ACTIONS = frozenset(
    {"add_action", "cycle_status", "edit_action", "move_action", "remove_action", "copy_url"}
)


def goal_prompt(goal: Goal, capability_name: str) -> Content:
    """How a goal is named in lists: capability, lens, levels, statement."""
    head = f"{goal.id} {capability_name} · {goal.lens.label} {goal.from_level}→{goal.to_level}"
    return Content(f"{head}\n   {goal.statement or '(no statement yet)'}")


class PlanScreen(StepScreen):
    """Goals on the left; the highlighted goal's actions and guidance on the right."""

    def __init__(self) -> None:
        super().__init__()
        self._listed: list[tuple[str, str]] = []

    STEP = Step.PLAN
    # The actions go beside the goals only where there is room; at 80x24 they go below.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("a", "add_action", "Add", id="add-action", tooltip="Add an action to the goal"),
        Binding("space", "cycle_status", "Status", id="cycle-status"),
        Binding("e", "edit_action", "Edit", id="edit-action", show=False),
        Binding("m", "move_action", "Move", id="move-action", tooltip="Move to another goal"),
        Binding("x,delete", "remove_action", "Remove", id="remove-action"),
        Binding("c", "copy_url", "Copy link", id="copy-url", show=False),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="split", id="plan-split"):
            with Vertical(id="goals-panel"):
                yield Label(id="goals-label", classes="section-label")
                yield OptionList(id="goals")
            with Vertical(id="actions-panel"):
                yield Label(id="actions-label", classes="section-label")
                yield DataTable(cursor_type="row", id="actions")
                yield Static(id="guidance")

    @property
    def goal_list(self) -> OptionList:
        return self.query_one("#goals", OptionList)

    @property
    def actions_table(self) -> DataTable[Text]:
        return self.query_one("#actions", DataTable)

    def on_mount(self) -> None:
        table = self.actions_table
        table.add_column("Action", key="title", width=35)
        table.add_column("Owner", key="owner", width=14)
        table.add_column("Due", key="due", width=11)
        table.add_column("Status", key="status", width=7)
        self.fill_goals()
        self.goal_list.focus()
        self.fill_actions()

    def on_descendant_focus(self) -> None:
        self.show_labels()

    def show_labels(self) -> None:
        """Name the pane that has the focus in the text too (▶), not only by its colour."""
        goals_focused = self.focused is self.goal_list
        actions_focused = self.focused is self.actions_table
        goal = self.goal
        whose = f" of {goal.id}" if goal else ""
        update_quietly(
            self.query_one("#goals-label", Label),
            Content(("▶ " if goals_focused else "  ") + "Goals  (Enter: its actions)"),
        )
        update_quietly(
            self.query_one("#actions-label", Label),
            Content(
                ("▶ " if actions_focused else "  ")
                + f"Actions{whose}  (a add · e edit · Space status · m move · x remove)"
            ),
        )

    def fill_goals(self) -> None:
        """List the goals, keeping the highlighted one (by id) where it was."""
        goals = self.goal_list
        keep = self.goal.id if self.goal is not None else None
        catalog = self.finops.catalog
        prompts = [
            (goal.id, goal_prompt(goal, catalog.capability(goal.capability).name))
            for goal in self.iteration.goals
        ]
        listed = [(goal_id, prompt.plain) for goal_id, prompt in prompts]
        if listed == self._listed:
            return
        self._listed = listed
        goals.clear_options()
        if not prompts:
            goals.add_option(
                Option(
                    Content("No goals yet: set target levels in step 3 (ctrl+r)."), disabled=True
                )
            )
            return
        goals.add_options([Option(prompt, id=goal_id) for goal_id, prompt in prompts])
        ids = [goal_id for goal_id, _ in prompts]
        keep = keep or self.recall()
        goals.highlighted = ids.index(keep) if keep in ids else 0

    def follow(self, change: Change) -> None:
        self.fill_goals()
        self.fill_actions()

    @property
    def goal(self) -> Goal | None:
        """The highlighted goal."""
        index = self.goal_list.highlighted
        if index is None or not self.iteration.goals:
            return None
        option = self.goal_list.get_option_at_index(index)
        try:
            return self.iteration.goal(option.id or "")
        except KeyError:
            return None

    def fill_actions(self) -> None:
        table = self.actions_table
        row = table.cursor_row
        table.clear()
        goal = self.goal
        guidance = self.query_one("#guidance", Static)
        if goal is None:
            update_quietly(guidance, "")
            return
        today = self.session.today
        for action in goal.actions:
            due = Text(action.due.isoformat() if action.due else "")
            if action.overdue(today):
                due = Text.assemble("⚠", (due.plain, "bold red"))
            table.add_row(
                Text(action.title, no_wrap=True, overflow="ellipsis"),
                Text(action.owner, no_wrap=True, overflow="ellipsis"),
                due,
                Text(action.status.value),
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        capability = self.finops.catalog.capability(goal.capability)
        update_quietly(
            guidance,
            Content.from_markup(
                "[b]Guidance for $name[/b] (c copies the first link)\n$url\n$framework_url",
                name=capability.name,
                url=capability.url,
                framework_url=capability.framework_url,
            ),
        )
        self.show_labels()
        self.refresh_bindings()

    @on(OptionList.OptionHighlighted, "#goals")
    def _goal_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.remember(event.option.id)
        self.actions_table.move_cursor(row=0)
        self.fill_actions()

    @on(OptionList.OptionSelected, "#goals")
    def _goal_selected(self) -> None:
        self.actions_table.focus()

    @on(DataTable.RowSelected, "#actions")
    def _action_selected(self) -> None:
        self.action_edit_action()

    def _action(self) -> Action | None:
        goal, index = self.goal, self._action_index()
        return None if goal is None or index is None else goal.actions[index]

    def _action_index(self) -> int | None:
        goal = self.goal
        if goal is None or not goal.actions:
            return None
        return min(self.actions_table.cursor_row, len(goal.actions) - 1)

    def why_not(self, action: str) -> str | None:
        if action not in PLAN_ACTIONS:
            return None
        if self.goal is None:
            return "There is no goal to plan for: goals are set at step 3, Goals (^r goes back)."
        if action == "copy_url":
            return None
        if action != "edit_action" and (reason := self.read_only_reason()):
            return reason
        if action != "add_action" and self._action() is None:
            return "This goal has no action yet: a adds one."
        if action == "move_action" and len(self.iteration.goals) < 2:
            return "Moving an action takes a second goal to move it to."
        return None

    def _form(self, action: Action | None) -> list[FormField]:
        people = [p.name for p in self.iteration.stakeholders.people]
        hint = ", ".join(people[:3]) + (", …" if len(people) > 3 else "")
        return [
            FormField(
                "title",
                "Action",
                action.title if action else "",
                required=True,
                placeholder="what will be done, e.g. share the variance report",
            ),
            FormField(
                "owner",
                "Owner",
                action.owner if action else "",
                placeholder=f"a stakeholder ({hint}; → completes) or anyone"
                if people
                else "who does it",
                suggestions=tuple(people),
            ),
            FormField("due", "Due", action.due if action else None, kind="date"),
            FormField(
                "status",
                "Status",
                action.status if action else ActionStatus.TODO,
                kind="choice",
                required=True,
                choices=STATUS_CHOICES,
            ),
        ]

    def _goal_name(self, goal: Goal) -> str:
        name = self.finops.catalog.capability(goal.capability).name
        return f"{goal.id} {name} · {goal.lens.label} {goal.from_level}→{goal.to_level}"

    @work
    async def action_add_action(self) -> None:
        goal = self.goal
        if self.refused("add_action") or goal is None:
            return
        goal_id = goal.id
        values = await self.app.push_screen_wait(
            FormDialog(f"Add an action to {self._goal_name(goal)}", self._form(None))
        )
        if values is not None and self.edit(
            f"add action “{values['title']}”", lambda it: it.add_action(goal_id, **values)
        ):
            self.actions_table.move_cursor(row=len(self.iteration.goal(goal_id).actions) - 1)

    @work
    async def action_move_action(self) -> None:
        goal, action, index = self.goal, self._action(), self._action_index()
        if self.refused("move_action") or goal is None or action is None or index is None:
            return
        others = [g for g in self.iteration.goals if g.id != goal.id]
        to = await self.app.push_screen_wait(
            PickDialog(
                f"Move “{action.title}” to which goal?",
                [(g.id, Content(self._goal_name(g))) for g in others],
            )
        )
        goal_id = goal.id
        if to is not None and self.edit(
            f"move “{action.title}” to {to}", lambda it: it.move_action(goal_id, index, to)
        ):
            self.notify(f"Moved to goal {to}.", markup=False)

    @work
    async def action_edit_action(self) -> None:
        goal, action = self.goal, self._action()
        if self.refused("edit_action") or goal is None or action is None:
            return
        goal_id, index = goal.id, self._action_index()
        values = await self.app.push_screen_wait(
            FormDialog("Edit action", self._form(action), read_only=self.read_only)
        )
        if values is not None and not self.read_only:
            self.edit(
                f"edit action “{values['title']}”",
                lambda it: it.edit_action(goal_id, index, **values),
            )

    def action_cycle_status(self) -> None:
        goal, action = self.goal, self._action()
        if self.refused("cycle_status") or goal is None or action is None:
            return
        goal_id, index = goal.id, self._action_index()
        self.edit(f"status of “{action.title}”", lambda it: it.advance_action(goal_id, index))

    @work
    async def action_remove_action(self) -> None:
        goal, action = self.goal, self._action()
        if self.refused("remove_action") or goal is None or action is None:
            return
        goal_id, index = goal.id, self._action_index()
        if await self.app.push_screen_wait(
            ConfirmDialog("Remove this action?\n" + action.title, yes="Remove")
        ):
            self.edit(
                f"remove action “{action.title}”", lambda it: it.remove_action(goal_id, index)
            )

    def action_copy_url(self) -> None:
        if not self.refused("copy_url") and (goal := self.goal) is not None:
            url = self.finops.catalog.capability(goal.capability).url
            self.app.copy_to_clipboard(url)
            self.notify(f"Copied {url}", markup=False)
