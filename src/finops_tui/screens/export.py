"""The export dialog: pick a format and a file; the app writes it and says where."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Label, Select, Static

from finops_tui.export import EXTENSIONS, FORMATS, file_name
from finops_tui.model import Iteration
from finops_tui.screens.dialogs import Dialog, FieldSelect

FORMAT_LABELS = {
    "markdown": "Markdown: paste into a wiki or chat",
    "html": "HTML: one page to e-mail or print",
    "json": "JSON: the full data, for scripts",
    "csv": "CSV: tidy rows for Excel or Power BI",
}


class ExportDialog(Dialog[tuple[str, Path]]):
    """Choose the format and the file of an export (Enter in the path field exports)."""

    def __init__(self, iteration: Iteration, directory: Path) -> None:
        super().__init__()
        self.iteration = iteration
        self.directory = directory

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Content(f"Export iteration #{self.iteration.number}"), classes="dialog-title"
            )
            yield Label("Format", classes="field-label")
            yield FieldSelect(
                [(FORMAT_LABELS[f], f) for f in FORMATS],
                value="markdown",
                allow_blank=False,
                id="format",
            )
            yield Label("File", classes="field-label")
            yield Input(self._default("markdown"), id="path", select_on_focus=False)
            yield Static("", classes="field-error", id="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.focus_first_field()

    def _default(self, fmt: str) -> str:
        return str(self.directory / file_name(self.iteration, fmt))

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        path = self.query_one("#path", Input)
        stem, dot, ext = path.value.rpartition(".")
        if dot and ext in EXTENSIONS.values():
            path.value = f"{stem}.{EXTENSIONS[str(event.value)]}"
            path.cursor_position = len(path.value)

    def submit(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#export")
    def action_export(self) -> None:
        value = self.query_one("#path", Input).value.strip()
        error = self.query_one("#error", Static)
        path = Path(value).expanduser()
        if value and not path.is_absolute():
            path = self.directory / path
        if not value:
            problem = "A file name is needed."
        elif path.is_dir():
            problem = f"{path} is a folder: add a file name."
        elif not path.parent.is_dir():
            problem = f"There is no folder {path.parent}: create it, or pick another."
        else:
            self.dismiss((str(self.query_one("#format", Select).value), path))
            return
        error.update(Content(problem))
        self.query_one("#path", Input).focus()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
