"""Modal dialogs: a form for people, goals and actions; a yes/no question; a list to pick from.

Every dialog is a `Dialog`: Escape cancels (the caller gets None), Enter in a field moves to
the next one and submits from the last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from finops_tui.screens.fresh import FreshScreen


def parse_date(text: str) -> date | None:
    """A date typed as YYYY-MM-DD; blank is None; anything else raises ValueError."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2026-12-31") from None


@dataclass(frozen=True)
class FormField:
    """One field of a form dialog."""

    key: str
    label: str
    value: Any = ""
    kind: Literal["text", "date", "choice"] = "text"
    required: bool = False
    choices: tuple[tuple[str, Any], ...] = ()
    placeholder: str = ""
    suggestions: tuple[str, ...] = ()
    """Names a text field completes (→), e.g. the stakeholders for an action's owner."""


ResultType = TypeVar("ResultType")


class FieldSelect(Select[Any], inherit_bindings=False):
    """A Select for forms: Enter goes on to the next field (as in a text field); Space or
    the arrows open the list of choices."""

    BINDINGS = [
        Binding("space,down,up", "show_overlay", "Show the choices", show=False),
        Binding("enter", "next_field", "Next field", show=False),
    ]

    class Submitted(Message):
        """Enter on the select, with its list closed."""

        def __init__(self, select: FieldSelect) -> None:
            super().__init__()
            self.select = select

    def action_next_field(self) -> None:
        self.post_message(self.Submitted(self))


class Dialog(FreshScreen, ModalScreen[ResultType | None]):
    """A dialog: Escape cancels; Enter in a field (text or choice) goes to the next field,
    and from the last one submits. The first field has the focus, its cursor at the end."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    # Below 24 lines the fields (or choices) scroll in less room, so that the buttons stay in
    # view at 60×20.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-tall")]
    SUBMIT_FROM_ANY_FIELD: ClassVar[bool] = False

    def action_cancel(self) -> None:
        self.dismiss(None)

    def submit(self) -> None:
        """Enter in the last field: what the dialog is for (save, export, compute…)."""

    @property
    def field_widgets(self) -> list[Widget]:
        """The fields Enter walks through, in order."""
        return [w for w in self.query("Input, FieldSelect") if w.focusable]

    def focus_first_field(self) -> None:
        fields = self.field_widgets
        if fields:
            fields[0].focus()
            if isinstance(fields[0], Input):
                fields[0].cursor_position = len(fields[0].value)

    @on(Input.Submitted)
    @on(FieldSelect.Submitted)
    def _next_or_submit(self, event: Input.Submitted | FieldSelect.Submitted) -> None:
        event.stop()
        field = event.input if isinstance(event, Input.Submitted) else event.select
        fields = self.field_widgets
        if self.SUBMIT_FROM_ANY_FIELD or (fields and field is fields[-1]):
            self.submit()
        elif field in fields:
            fields[fields.index(field) + 1].focus()
        else:
            self.focus_next()


class FormDialog(Dialog[dict[str, Any]]):
    """A small form. Enter moves to the next field and saves from the last; Escape cancels."""

    def __init__(self, title: str, fields: list[FormField], *, read_only: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            with VerticalScroll(classes="dialog-fields", can_focus=False):
                for field in self.fields:
                    yield Label(Content(field.label), classes="field-label")
                    if field.kind == "choice":
                        yield FieldSelect(
                            field.choices,
                            value=field.value if field.value is not None else Select.NULL,
                            allow_blank=not field.required,
                            id=f"field-{field.key}",
                            disabled=self.read_only,
                        )
                    else:
                        value = field.value
                        if isinstance(value, date):
                            value = value.isoformat()
                        yield Input(
                            "" if value is None else str(value),
                            placeholder=field.placeholder
                            or ("YYYY-MM-DD" if field.kind == "date" else ""),
                            id=f"field-{field.key}",
                            disabled=self.read_only,
                            select_on_focus=False,
                            suggester=SuggestFromList(field.suggestions, case_sensitive=False)
                            if field.suggestions
                            else None,
                        )
                    yield Static("", classes="field-error", id=f"error-{field.key}")
            with Horizontal(classes="dialog-buttons"):
                if not self.read_only:
                    yield Button("Save", variant="primary", id="save")
                yield Button("Cancel" if not self.read_only else "Close", id="cancel")

    def on_mount(self) -> None:
        if self.field_widgets:
            self.focus_first_field()
        else:
            self.query_one("#cancel", Button).focus()

    def submit(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        values: dict[str, Any] = {}
        bad: list[FormField] = []
        for field in self.fields:
            widget = self.query_one(f"#field-{field.key}")
            error = self.query_one(f"#error-{field.key}", Static)
            error.update("")
            if isinstance(widget, Select):
                value: Any = None if widget.value is Select.NULL else widget.value
            else:
                assert isinstance(widget, Input)
                value = widget.value
                if field.kind == "date":
                    try:
                        value = parse_date(value)
                    except ValueError as exc:
                        error.update(Content(str(exc)))
                        bad.append(field)
                        continue
            if field.required and (value is None or (isinstance(value, str) and not value.strip())):
                error.update(Content(f"{field.label} is required"))
                bad.append(field)
                continue
            values[field.key] = value
        if not bad:
            self.dismiss(values)
            return
        # The first field to put right gets the focus; the message names them all.
        self.query_one(f"#field-{bad[0].key}").focus()
        labels = [f.label for f in bad]
        names = " and ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 1 else labels)
        where = "under it" if len(bad) == 1 else "under each"
        self.notify(f"Check {names}: the reason is {where}.", severity="warning", markup=False)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(Dialog[bool]):
    """A yes/no question; `y` or Enter on Yes confirms, `n` or Escape declines; the arrows
    move between the two buttons (the safe one has the focus first)."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
        Binding("left", "app.focus_previous", "Previous button", show=False),
        Binding("right", "app.focus_next", "Next button", show=False),
    ]
    AUTO_FOCUS = "#no"
    """The safe answer has the focus from the first moment (focused from `on_mount`, it came
    a moment after Yes, the first button, had it)."""

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        """Escape (or `n`) answers no: the caller gets False, not None."""
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), classes="dialog-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content(self.yes), variant="error", id="yes")
                yield Button(Content(self.no), id="no")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(False)


class PickDialog(Dialog[str]):
    """Pick one entry from a list: Up/Down and Enter; Escape cancels."""

    def __init__(self, title: str, options: list[tuple[str, Content]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            yield OptionList(*(Option(prompt, id=key) for key, prompt in self.options))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
