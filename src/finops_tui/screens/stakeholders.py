"""Step 1, before you begin: the title and dates, the groups and people taking part, a note."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, DataTable, Input, Label, Select, Static, TextArea

from finops_tui.model import LONG_ITERATION, Group, Person
from finops_tui.screens.base import StepScreen
from finops_tui.screens.dialogs import ConfirmDialog, FormDialog, FormField, parse_date
from finops_tui.steps import Step
from finops_tui.widgets.quiet import update_quietly
from finops_tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from finops_tui.session import Change

GROUP_CHOICES = tuple((g.value.capitalize(), g) for g in Group)


class PeopleTable(DataTable[Text]):
    """The people taking part; `a` adds, Enter edits, `x` removes."""

    BINDINGS = [
        Binding("a", "screen.add_person", "Add person"),
        Binding("enter", "screen.edit_person", "Edit"),
        Binding("x,delete", "screen.remove_person", "Remove"),
    ]


class StakeholdersScreen(StepScreen):
    """Who takes part, and the iteration's title and dates."""

    STEP = Step.STAKEHOLDERS

    def compose_body(self) -> ComposeResult:
        it = self.iteration
        # Not a Tab stop itself: focus moves field to field and scrolls them into view.
        with VerticalScroll(can_focus=False):
            previous = self.session.previous_of(it)
            if previous is not None and previous.review.improve.strip():
                note = Static(Content(previous.review.improve), id="improve-note")
                note.border_title = f"To improve, from the review of #{previous.number}"
                yield note
            with Horizontal(classes="field-row"):
                yield Label("Title", classes="field-label")
                yield Input(
                    it.title,
                    placeholder="What this iteration is about",
                    id="title",
                    disabled=self.read_only,
                    select_on_focus=False,
                )
            with Horizontal(classes="field-row"):
                yield Label("Starts", classes="field-label")
                yield Input(
                    it.starts.isoformat(),
                    id="starts",
                    classes="date",
                    disabled=self.read_only,
                    select_on_focus=False,
                )
                yield Label("Ends", classes="field-label short")
                yield Input(
                    it.ends.isoformat(),
                    id="ends",
                    classes="date",
                    disabled=self.read_only,
                    select_on_focus=False,
                )
                yield Static(id="length", classes="hint")
            yield Static(id="date-error", classes="field-error")
            yield Static(id="date-advice", classes="warning")
            with Horizontal(classes="field-row"):
                yield Label("Groups", classes="field-label")
                for group in Group:
                    yield TickBox(
                        group.value.capitalize(),
                        getattr(it.stakeholders, group.value),
                        id=f"group-{group.value}",
                        disabled=self.read_only,
                    )
            with Horizontal(classes="field-row"):
                yield Label("Framework", classes="field-label", id="framework-label")
                yield Select(
                    self._framework_choices(),
                    value=it.framework,
                    allow_blank=False,
                    id="framework",
                    disabled=self.read_only or bool(it.scope),
                )
                yield Static(id="framework-hint", classes="hint")
            yield Label("People  (a add · Enter edit · x remove)", classes="section-label")
            yield PeopleTable(cursor_type="row", id="people")
            yield Label("Notes on the team's situation and experience", classes="section-label")
            yield TextArea(
                it.stakeholders.notes,
                id="notes",
                read_only=self.read_only,
                soft_wrap=True,
                show_line_numbers=False,
            )

    def _framework_choices(self) -> list[tuple[str, str]]:
        """The frameworks on offer (built in, and a team's own), the iteration's among them."""
        from finops_tui.frameworks import discover

        offered = [
            (f"{f.id} · {f.catalog.name.split(' (')[0]}", f.id) for f in discover().frameworks
        ]
        if self.iteration.framework not in [fid for _, fid in offered]:
            offered.append(
                (f"{self.iteration.framework} (not installed)", self.iteration.framework)
            )
        return offered

    def show_framework(self) -> None:
        select = self.query_one("#framework", Select)
        scoped = bool(self.iteration.scope)
        select.disabled = self.read_only or scoped
        if select.value != self.iteration.framework:
            select.value = self.iteration.framework
        hint = "untick scope first" if scoped and not self.read_only else ""
        update_quietly(self.query_one("#framework-hint", Static), Content(hint))

    @on(Select.Changed, "#framework")
    def _framework(self, event: Select.Changed) -> None:
        framework = str(event.value)
        if framework != self.iteration.framework:
            self.edit(f"framework {framework}", lambda it: it.set_framework(framework))

    def on_mount(self) -> None:
        self.show_framework()
        self.fill_people()
        self.show_length()
        self.query_one("#title", Input).focus()

    def follow(self, change: Change) -> None:
        """Fields show the iteration; a field is set only where it differs (while typing it
        does not: the field made the edit), and a date being typed is left alone."""
        it = self.iteration
        self.fill_people()
        self.show_length()
        self.show_framework()
        self.show_text(self.query_one("#title", Input), it.title)
        for key, value in (("starts", it.starts), ("ends", it.ends)):
            field = self.query_one(f"#{key}", Input)
            try:
                typed = parse_date(field.value)
            except ValueError:
                continue  # being typed: the date error says so
            if typed != value:
                self.show_text(field, value.isoformat())
        for group in Group:
            box = self.query_one(f"#group-{group.value}", Checkbox)
            if box.value != getattr(it.stakeholders, group.value):
                box.value = getattr(it.stakeholders, group.value)
        self.show_text(self.query_one("#notes", TextArea), it.stakeholders.notes)

    def on_resize(self) -> None:
        self.fill_people()

    def fill_people(self) -> None:
        """The people, the role column taking the width the name and group leave."""
        table = self.query_one(PeopleTable)
        row = table.cursor_row
        role = max(12, self.size.width - 22 - 10 - 10)
        if [c.width for c in table.ordered_columns] != [22, role, 10]:
            table.clear(columns=True)
            table.add_column("Name", key="name", width=22)
            table.add_column("Role", key="role", width=role)
            table.add_column("Group", key="group", width=10)
        table.clear()
        for person in self.iteration.stakeholders.people:
            table.add_row(
                Text(person.name, no_wrap=True, overflow="ellipsis"),
                Text(person.role, no_wrap=True, overflow="ellipsis"),
                Text(person.group.value if person.group else ""),
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def show_length(self) -> None:
        it = self.iteration
        weeks = (it.ends - it.starts).days / 7
        text = f"{weeks:.1f} weeks".replace(".0 ", " ")
        update_quietly(self.query_one("#length", Static), Content(text))
        advice = self.query_one("#date-advice", Static)
        long = it.ends - it.starts > LONG_ITERATION
        advice.display = long
        if long:
            update_quietly(
                advice,
                Content(
                    f"⚠ {weeks:.0f} weeks is long: the tutorial keeps iterations short, "
                    "13 weeks at most."
                ),
            )

    @on(Input.Changed, "#title")
    def _title(self, event: Input.Changed) -> None:
        title = event.value
        self.typed(event.input, title)
        if title != self.iteration.title:  # not when a field is filled in from the file
            self.edit("typing the title", lambda it: it.retitle(title), merge="title")

    @on(Input.Changed, "#starts, #ends")
    def _dates(self, event: Input.Changed) -> None:
        self.typed(event.input, event.value)
        error = self.query_one("#date-error", Static)
        try:
            starts = parse_date(self.query_one("#starts", Input).value)
            ends = parse_date(self.query_one("#ends", Input).value)
            if starts is None or ends is None:
                raise ValueError("Both dates are needed (YYYY-MM-DD).")
            if ends < starts:
                raise ValueError(f"The end ({ends}) is before the start ({starts}).")
        except ValueError as exc:
            error.update(Content(f"{exc} Not saved until it is a valid date."))
            error.display = True
            return
        error.display = False
        if (starts, ends) != (self.iteration.starts, self.iteration.ends):
            self.edit("dates", lambda it: it.set_dates(starts, ends), merge="dates")

    @on(Checkbox.Changed)
    def _group(self, event: Checkbox.Changed) -> None:
        group = Group((event.checkbox.id or "").removeprefix("group-"))
        taking_part = event.value
        if taking_part == getattr(self.iteration.stakeholders, group.value):
            return
        verb = "takes part" if taking_part else "does not take part"
        self.edit(f"{group.value} {verb}", lambda it: it.set_group(group, taking_part))

    @on(TextArea.Changed, "#notes")
    def _notes(self, event: TextArea.Changed) -> None:
        notes = event.text_area.text
        self.typed(event.text_area, notes)
        if notes == self.iteration.stakeholders.notes:
            return
        self.edit("notes on the team", lambda it: it.describe_team(notes), merge="notes")

    # -- people -------------------------------------------------------------------------------

    def why_not(self, action: str) -> str | None:
        if action in ("add_person", "remove_person") and (reason := self.read_only_reason()):
            return reason
        if action in ("edit_person", "remove_person") and not self.iteration.stakeholders.people:
            return "There is nobody on the list yet: a adds a person."
        return None

    def _person_form(self, person: Person | None) -> list[FormField]:
        return [
            FormField("name", "Name", person.name if person else "", required=True),
            FormField(
                "role",
                "Role",
                person.role if person else "",
                placeholder="e.g. FinOps lead, product owner, controller",
            ),
            FormField(
                "group",
                "Group",
                person.group if person else None,
                kind="choice",
                choices=GROUP_CHOICES,
            ),
        ]

    @work
    async def action_add_person(self) -> None:
        if self.refused("add_person"):
            return
        values = await self.app.push_screen_wait(
            FormDialog("Add a person", self._person_form(None))
        )
        if values is not None and self.edit(
            f"add {values['name']}", lambda it: it.add_person(**values)
        ):
            self.query_one(PeopleTable).move_cursor(row=len(self.iteration.stakeholders.people) - 1)

    @work
    async def action_edit_person(self) -> None:
        people = self.iteration.stakeholders.people
        if self.refused("edit_person") or not people:
            return
        index = self.query_one(PeopleTable).cursor_row
        values = await self.app.push_screen_wait(
            FormDialog("Edit person", self._person_form(people[index]), read_only=self.read_only)
        )
        if values is not None and not self.read_only:
            self.edit(f"edit {values['name']}", lambda it: it.edit_person(index, **values))

    @work
    async def action_remove_person(self) -> None:
        people = self.iteration.stakeholders.people
        if self.refused("remove_person") or not people:
            return
        index = self.query_one(PeopleTable).cursor_row
        name = people[index].name
        if await self.app.push_screen_wait(
            ConfirmDialog(f"Remove {name} from this iteration?", yes="Remove")
        ):
            self.edit(f"remove {name}", lambda it: it.remove_person(index))
