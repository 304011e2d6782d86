"""Step 4, put your plan into action: the actions of each goal, and the guidance to follow."""

from __future__ import annotations

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
from finops_tui.screens.dialogs import ConfirmDialog, FormDialog, FormField
from finops_tui.steps import Step
from finops_tui.widgets.quiet import update_quietly

STATUS_CHOICES = tuple((s.value, s) for s in ActionStatus)
_CYCLE = list(ActionStatus)


def goal_prompt(goal: Goal, capability_name: str) -> Content:
    """How a goal is named in lists: capability, lens, levels, statement."""
    head = f"{goal.id} {capability_name} · {goal.lens.label} {goal.from_level}→{goal.to_level}"
    return Content(f"{head}\n   {goal.statement or '(no statement yet)'}")


class PlanScreen(StepScreen):
    """Goals on the left; the highlighted goal's actions and guidance on the right."""

    STEP = Step.PLAN
    BINDINGS = [
        Binding("a", "add_action", "Add action", id="add-action"),
        Binding("space", "cycle_status", "Status", id="cycle-status"),
        Binding("e", "edit_action", "Edit", id="edit-action"),
        Binding("x,delete", "remove_action", "Remove", id="remove-action"),
        Binding("c", "copy_url", "Copy link", id="copy-url"),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="split", id="plan-split"):
            yield OptionList(id="goals")
            with Vertical(id="actions-panel"):
                yield Label(
                    "Actions  (a add · e edit · Space status · x remove)", classes="section-label"
                )
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
        table.add_column("Action", key="title", width=36)
        table.add_column("Owner", key="owner", width=14)
        table.add_column("Due", key="due", width=10)
        table.add_column("Status", key="status", width=7)
        catalog = self.finops.catalog
        for goal in self.iteration.goals:
            self.goal_list.add_option(
                Option(goal_prompt(goal, catalog.capability(goal.capability).name), id=goal.id)
            )
        if not self.iteration.goals:
            self.goal_list.add_option(
                Option(
                    Content("No goals yet: set target levels in step 3 (ctrl+r)."), disabled=True
                )
            )
        else:
            self.goal_list.highlighted = 0
        self.goal_list.focus()
        self.fill_actions()

    @property
    def goal(self) -> Goal | None:
        index = self.goal_list.highlighted
        if index is None or not self.iteration.goals:
            return None
        return self.iteration.goals[index]

    def fill_actions(self) -> None:
        table = self.actions_table
        row = table.cursor_row
        table.clear()
        goal = self.goal
        guidance = self.query_one("#guidance", Static)
        if goal is None:
            update_quietly(guidance, "")
            return
        for action in goal.actions:
            table.add_row(
                Text(action.title),
                Text(action.owner),
                Text(action.due.isoformat() if action.due else ""),
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
        self.refresh_bindings()

    @on(OptionList.OptionHighlighted, "#goals")
    def _goal_highlighted(self) -> None:
        self.actions_table.move_cursor(row=0)
        self.fill_actions()

    @on(OptionList.OptionSelected, "#goals")
    def _goal_selected(self) -> None:
        self.actions_table.focus()

    @on(DataTable.RowSelected, "#actions")
    def _action_selected(self) -> None:
        self.action_edit_action()

    def _action(self) -> Action | None:
        goal = self.goal
        if goal is None or not goal.actions:
            return None
        return goal.actions[min(self.actions_table.cursor_row, len(goal.actions) - 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_action":
            return (self.goal is not None and not self.read_only) or None
        if action in ("cycle_status", "remove_action"):
            return (self._action() is not None and not self.read_only) or None
        if action == "edit_action":
            return self._action() is not None or None
        if action == "copy_url":
            return self.goal is not None or None
        return super().check_action(action, parameters)

    def _form(self, action: Action | None) -> list[FormField]:
        return [
            FormField("title", "Action", action.title if action else "", required=True),
            FormField("owner", "Owner", action.owner if action else ""),
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

    @work
    async def action_add_action(self) -> None:
        goal = self.goal
        if goal is None or self.read_only:
            return
        values = await self.app.push_screen_wait(FormDialog("Add an action", self._form(None)))
        if values is not None:
            goal.actions.append(Action(**values))
            self.fill_actions()
            self.actions_table.move_cursor(row=len(goal.actions) - 1)
            self.changed()

    @work
    async def action_edit_action(self) -> None:
        action = self._action()
        if action is None:
            return
        values = await self.app.push_screen_wait(
            FormDialog("Edit action", self._form(action), read_only=self.read_only)
        )
        if values is not None and not self.read_only:
            for key, value in values.items():
                setattr(action, key, value)
            self.fill_actions()
            self.changed()

    def action_cycle_status(self) -> None:
        action = self._action()
        if action is None or self.read_only:
            return
        action.status = _CYCLE[(_CYCLE.index(action.status) + 1) % len(_CYCLE)]
        self.fill_actions()
        self.changed()

    @work
    async def action_remove_action(self) -> None:
        goal, action = self.goal, self._action()
        if goal is None or action is None or self.read_only:
            return
        if await self.app.push_screen_wait(
            ConfirmDialog("Remove this action?\n" + action.title, yes="Remove")
        ):
            goal.actions.remove(action)
            self.fill_actions()
            self.changed()

    def action_copy_url(self) -> None:
        if (goal := self.goal) is not None:
            url = self.finops.catalog.capability(goal.capability).url
            self.app.copy_to_clipboard(url)
            self.notify(f"Copied {url}", markup=False)
