"""The keys panel (F1): every key that works on screen now, in the order a person needs them.

Textual's own panel lists the focused widget's keys first. On a text field those are some
thirty editing keys ("Scroll Up", "Move cursor left a word and select", …), so at 80×24 the
step's own keys (add a person, next step) were below the bottom of a panel that could not be
scrolled by keyboard. This panel lists, each under a heading, the keys of the step (or the
list, or Progress), led by those this app gives the focused field; then those that work
everywhere; then those the focused field has from Textual. A key that cannot act now is
dimmed, as in the key bar. The panel is a Tab stop, whose arrows and page keys scroll it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from textual.app import App
from textual.binding import Binding
from textual.containers import ScrollableContainer, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Select, TextArea

from finops_tui.widgets.key_bar import key_state

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.dom import DOMNode


class KeyRow(NamedTuple):
    """One action and the keys bound to it."""

    keys: str
    description: str
    tooltip: str
    enabled: bool


class Section(NamedTuple):
    title: str
    rows: list[KeyRow]


_FIELDS: tuple[tuple[type, str], ...] = (
    (Input, "In the text field"),
    (TextArea, "In the text box"),
    (DataTable, "In the table"),
    (OptionList, "In the list"),
    (Select, "In the choice"),
    (ScrollableContainer, "In the panel"),
)


_ON_EVERY_SCREEN = ("focus_next", "focus_previous", "copy_text")
"""Actions every screen binds: listed after the screen's own."""


def section_title(node: DOMNode, screen: Screen[object]) -> str:
    """The heading of a node's keys: its own `KEYS_TITLE`, else what kind of thing it is."""
    if node is screen:
        return getattr(screen, "keys_title", None) or "On this screen"
    if isinstance(node, App):
        return "Everywhere"
    if title := getattr(node, "KEYS_TITLE", None):
        return str(title)
    for kind, title in _FIELDS:
        if isinstance(node, kind):
            return title
    return "In the focused field"


def sections(screen: Screen[object]) -> list[Section]:
    """The keys that work on `screen` now: the screen's, the app's, then each focused
    widget's (innermost first); one row per action, its keys together.

    The keys this app gives the focused widget (the list's Open, the goal matrix's levels,
    Add person) lead the screen's section: they are what the screen is for. The keys the
    widget has from Textual (a table's cursor keys, a text field's thirty editing keys)
    come last, under the field's heading."""
    app = screen.app
    grouped: dict[int, tuple[DOMNode, dict[str, list[KeyRow]]]] = {}
    for active in screen.active_bindings.values():
        node, binding = active.node, active.binding
        if binding.system:
            continue
        enabled, tooltip, _why = key_state(screen, active)
        row = KeyRow(app.get_key_display(binding), binding.description, tooltip, enabled)
        actions = grouped.setdefault(id(node), (node, {}))[1]
        actions.setdefault(binding.action, []).append(row)
    order = sorted(
        grouped.values(),
        key=lambda group: 0 if group[0] is screen else 1 if isinstance(group[0], App) else 2,
    )
    fields: list[KeyRow] = []  # the app's own keys of the focused widgets
    result = []
    for node, actions in order:
        rows, common = [], []
        ours = _ours(node)
        for action, bound in actions.items():
            keys = " ".join(dict.fromkeys(row.keys for row in bound))
            kind = (
                common if action.endswith(_ON_EVERY_SCREEN) else fields if action in ours else rows
            )
            kind.append(bound[0]._replace(keys=keys))
        if rows or common:
            result.append(Section(section_title(node, screen), rows + common))
    if fields:
        if result and result[0].title == section_title(screen, screen):
            result[0] = Section(result[0].title, fields + result[0].rows)
        else:
            result.insert(0, Section(section_title(screen, screen), fields))
    return result


def _ours(node: DOMNode) -> set[str]:
    """The actions this app's classes bind on a focused widget (none for a screen or the
    app, whose keys are listed as such)."""
    if isinstance(node, Screen | App):
        return set()
    return {
        b.action if isinstance(b, Binding) else b[1]
        for kind in type(node).__mro__
        if kind.__module__.startswith("finops_tui.")
        for b in vars(kind).get("BINDINGS", [])
    }


KEY_WIDTH = 11
"""Columns for the keys of a row at most (longer keys push the text along)."""


def _text(row: KeyRow) -> str:
    """The description, and the tooltip where it says more (else the tooltip alone, when
    it begins with the description: "Undo the last change", not "Undo Undo the last…")."""
    if not row.tooltip or row.tooltip == row.description:
        return row.description
    if row.tooltip.casefold().startswith(row.description.casefold()):
        return row.tooltip
    return f"{row.description}: {row.tooltip}"


class KeysTable(Widget, can_focus=False):
    """The sections, each a heading and its keys, the text wrapped beside the keys."""

    COMPONENT_CLASSES = {"keys-table--title", "keys-table--key", "keys-table--description"}

    def __init__(self) -> None:
        super().__init__(id="keys-table")
        self.sections: list[Section] = []

    def lines(self, width: int) -> list[Content]:
        title = self.get_visual_style("keys-table--title")
        key_style = self.get_visual_style("keys-table--key")
        text_style = self.get_visual_style("keys-table--description")
        column = min(
            KEY_WIDTH, max((cell_len(r.keys) for s in self.sections for r in s.rows), default=0)
        )
        lines: list[Content] = []
        for number, section in enumerate(self.sections):
            if number:
                lines.append(Content(""))
            lines.append(Content.styled(section.title, title))
            for row in section.rows:
                key = Content.styled(row.keys, key_style)
                indent = max(column, key.cell_length) + 1
                wrapped = Content.styled(_text(row), text_style).wrap(max(8, width - indent))
                for number_in_row, part in enumerate(wrapped or [Content("")]):
                    head = key if number_in_row == 0 else Content("")
                    line = head.pad_right(indent - head.cell_length) + part
                    lines.append(line if row.enabled else line.stylize("dim"))
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.size.width))


class KeysPanel(VerticalScroll):
    """The keys of the screen it is mounted on, kept up to date as the focus moves; a Tab
    stop of its own, so that the arrows and page keys scroll it where it runs long."""

    KEYS_TITLE = "In this panel"

    DEFAULT_CSS = """
    KeysPanel {
        split: right;
        width: 33%;
        min-width: 30;
        max-width: 60;
        height: 1fr;
        padding: 0 1;
        border-left: vkey $foreground 30%;
        &:focus { border-left: vkey $accent; }
        & KeysTable {
            width: 1fr;
            height: auto;
            & > .keys-table--title { color: $text-primary; text-style: bold; }
            & > .keys-table--key { color: $text-accent; text-style: bold; }
            & > .keys-table--description { color: $foreground; }
        }
    }
    """

    def __init__(self) -> None:
        super().__init__(id="keys-panel")

    def compose(self) -> ComposeResult:
        yield KeysTable()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._update()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update)

    @property
    def shown(self) -> list[Section]:
        """The sections the panel shows now."""
        return self.query_one(KeysTable).sections

    def text(self) -> str:
        """What the panel shows, as plain text (one line per key, titles included)."""
        table = self.query_one(KeysTable)
        return "\n".join(line.plain.rstrip() for line in table.lines(10_000))

    def _update(self) -> None:
        tables = self.query(KeysTable)
        if not self.is_attached or not tables or not self.screen.is_current:
            return  # removed meanwhile, or its screen is leaving (read again when shown)
        table = tables.first()
        shown = sections(self.screen)
        if shown != table.sections:
            table.sections = shown
            table.refresh(layout=True)
