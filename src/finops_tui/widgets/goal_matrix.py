"""The goal matrix: scoped capabilities × the five lenses, each cell a level and maybe a goal.

A Line API widget: every row is drawn once into a strip and kept until what it shows changes
(its levels, the cursor on it, the width, focus or the styles), so a key repaints the one or
two rows it touched, not the table. The header line stays put while the rows scroll.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from finops_tui.catalog import Catalog
from finops_tui.lenses import LENSES, MAX_LEVEL, MIN_LEVEL, Lens
from finops_tui.model import Iteration
from finops_tui.widgets.key_bar import say_why_not

SHORT = {
    Lens.KNOWLEDGE: "Knowl.",
    Lens.PROCESS: "Process",
    Lens.METRICS: "Metrics",
    Lens.ADOPTION: "Adopt.",
    Lens.AUTOMATION: "Autom.",
}
NAME_WIDTH = 19
LEVEL_WIDTH = 7
SCORE_WIDTH = 10
PADDING = 1
"""Blank cells on each side of every column's text."""
HEADER_HEIGHT = 1

NAME_CELL = NAME_WIDTH + 2 * PADDING
LEVEL_CELL = LEVEL_WIDTH + 2 * PADDING
LENS_X = tuple(NAME_CELL + i * LEVEL_CELL for i in range(len(LENSES)))
"""Where each lens column starts, padding included, from the left of the table."""
TABLE_WIDTH = NAME_CELL + len(LENSES) * LEVEL_CELL + SCORE_WIDTH + 2 * PADDING

HEADER = "goal-matrix--header"
CURSOR = "goal-matrix--cursor"
BOLD = Style(bold=True)
DIM = Style(dim=True)


@dataclass(frozen=True)
class Cell:
    """One cell of the matrix: a capability on a lens."""

    capability: str
    lens: Lens


def _plain(text: str) -> str:
    """Text safe to draw on one line: control and other unprintable characters become spaces."""
    return text if text.isprintable() else "".join(c if c.isprintable() else " " for c in text)


def _cell(text: str, width: int, *, right: bool = False) -> str:
    """A column's text, cut or padded to `width` cells, with the padding either side."""
    if cell_len(text) > width:
        text = set_cell_size(text, width)
    gap = " " * (width - cell_len(text))
    pad = " " * PADDING
    return f"{pad}{gap}{text}{pad}" if right else f"{pad}{text}{gap}{pad}"


class GoalMatrix(ScrollView, can_focus=True, inherit_bindings=False):
    """Arrows move; 0-4 set the current level; +/- move the target; Enter edits the goal.

    The matrix shows an iteration and asks for changes with messages (`LevelChosen`,
    `TargetMoved`, `EditGoal`) naming the cell under the cursor when the key was handled, so a
    burst such as `1 → 2 → 3` sets three cells, not the last one three times. Whoever changes
    the iteration calls `show` with it; only rows whose figures changed are drawn again. The
    cursor lives on the five lens columns.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Enter first: the footer lists the bindings in this order.
        Binding("enter", "edit_goal", "Edit", tooltip="Describe the cell's goal"),
        Binding(
            ",".join(str(n) for n in range(MIN_LEVEL, MAX_LEVEL + 1)),
            "set_typed_level",
            "Level",
            key_display="0-4",
            tooltip="Set the cell's current level",
        ),
        Binding("plus,equals_sign", "move_target(1)", "Target", key_display="+/-"),
        Binding("minus", "move_target(-1)", "Lower target", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("left", "cursor_left", "Cursor left", show=False),
        Binding("right", "cursor_right", "Cursor right", show=False),
        Binding("home,ctrl+home", "cursor_first", "First row", show=False),
        Binding("end,ctrl+end", "cursor_last", "Last row", show=False),
        Binding("pageup", "cursor_page(-1)", "Page up", show=False),
        Binding("pagedown", "cursor_page(1)", "Page down", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {HEADER, CURSOR}
    """
    | Class | Description |
    | :- | :- |
    | `goal-matrix--header` | The header line with the column names. |
    | `goal-matrix--cursor` | The cell under the cursor. |
    """

    DEFAULT_CSS = """
    GoalMatrix {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;

        &:focus {
            background-tint: $foreground 5%;
            & > .goal-matrix--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .goal-matrix--header {
                background-tint: $foreground 5%;
            }
        }

        & > .goal-matrix--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .goal-matrix--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }

        & > .goal-matrix--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class LevelChosen(Message):
        """A current level was typed for a cell."""

        def __init__(self, cell: Cell, level: int) -> None:
            super().__init__()
            self.cell, self.level = cell, level

    class TargetMoved(Message):
        """The target of a cell should go one level up (+1) or down (-1)."""

        def __init__(self, cell: Cell, step: int) -> None:
            super().__init__()
            self.cell, self.step = cell, step

    class EditGoal(Message):
        """The user asked to edit the goal of a cell."""

        def __init__(self, cell: Cell) -> None:
            super().__init__()
            self.cell = cell

    class CellHighlighted(Message):
        """The cursor moved to another cell (and once after each `fill`)."""

        def __init__(self, cell: Cell | None) -> None:
            super().__init__()
            self.cell = cell

    def __init__(
        self,
        iteration: Iteration,
        catalog: Catalog,
        *,
        read_only: str = "",
        start_at: Cell | None = None,
        previous_end: dict[tuple[str, Lens], int] | None = None,
        id: str | None = None,
    ) -> None:
        """`read_only`: why levels and targets cannot be changed (a level or target key says
        it), or "" where they can; `start_at`: the cell the cursor starts on (else the top left
        one);
        `previous_end`: where the previous iteration ended, by cell (shown dimmed, `·n`, where
        the cell's level differs from it)."""
        super().__init__(id=id)
        self.iteration = iteration
        self.catalog = catalog
        self.read_only = read_only
        self._capabilities: list[str] = []
        self._shown: list[tuple[object, ...]] = []
        """What each row shows (levels and targets), to draw again only the rows that change."""
        self.previous_end = previous_end or {}
        self._typed: str | None = None
        self._row = 0
        self._column = 0
        if start_at is not None and start_at.capability in iteration.capabilities:
            self._row = iteration.capabilities.index(start_at.capability)
            self._column = LENSES.index(start_at.lens)
        """The cursor: a row, and a lens by its index in LENSES."""
        self._strips: dict[int, Strip] = {}
        """Rows drawn at full width, by row index; a missing row is drawn when next shown."""
        self._header: Strip | None = None
        self._style_key: tuple[object, ...] | None = None
        self._base_style = Style()
        self._header_style = Style()
        self._cursor_style = Style()

    def on_mount(self) -> None:
        self.fill()

    # -- content ------------------------------------------------------------------------------

    def show(self, iteration: Iteration) -> None:
        """Show the iteration as it is now: draw again the rows whose figures changed."""
        self.iteration = iteration
        if iteration.capabilities != self._capabilities:
            self.fill()
            return
        for row, capability in enumerate(self._capabilities):
            shown = self._figures(capability)
            if shown != self._shown[row]:
                self._shown[row] = shown
                self._refresh_row(row)

    def _figures(self, capability: str) -> tuple[object, ...]:
        return tuple(self._level_text(capability, lens) for lens in LENSES)

    def fill(self) -> None:
        """Redraw every row from the iteration, keeping the cursor where it was."""
        self._capabilities = list(self.iteration.capabilities)
        self._shown = [self._figures(c) for c in self._capabilities]
        self._row = min(self._row, max(len(self._capabilities) - 1, 0))
        self._strips.clear()
        self.virtual_size = Size(TABLE_WIDTH, HEADER_HEIGHT + len(self._capabilities))
        self.refresh()
        self._scroll_cursor_into_view()
        self.post_message(self.CellHighlighted(self.cell))

    @property
    def cell(self) -> Cell | None:
        """The cell under the cursor."""
        if not self._capabilities:
            return None
        return Cell(self._capabilities[self._row], LENSES[self._column])

    @property
    def cursor_row(self) -> int:
        """The row of the cursor, from 0 at the first scoped capability."""
        return self._row

    @property
    def cursor_column(self) -> int:
        """The lens column of the cursor, from 0 at the first lens."""
        return self._column

    def _capability_name(self, capability: str) -> str:
        name = _plain(self.catalog.capability(capability).name)
        if cell_len(name) > NAME_WIDTH:
            name = set_cell_size(name, NAME_WIDTH - 1) + "…"
        return name

    def _level_text(self, capability: str, lens: Lens) -> tuple[str, bool]:
        """What a cell shows, and whether it has a goal (shown bold)."""
        level = self.iteration.level(capability, lens)
        target = self.iteration.target(capability, lens)
        if target is None:
            return f"{level}", False
        return f"{level}→{target}", True

    # -- drawing ------------------------------------------------------------------------------

    def _check_styles(self) -> None:
        """Forget every drawn row when the width or a style it was drawn with has changed."""
        base = self.rich_style
        header = self.get_component_rich_style(HEADER)
        cursor = self.get_component_rich_style(CURSOR)
        key = (self.size.width, base, header, cursor)
        if key != self._style_key:
            self._style_key = key
            self._base_style = base
            self._header_style = base + header
            self._cursor_style = base + cursor
            self._strips.clear()
            self._header = None

    def _extended(self, segments: list[Segment], style: Style) -> Strip:
        """A row's segments, with the style carried to the right edge of a wider widget."""
        spare = self.size.width - TABLE_WIDTH
        if spare > 0:
            segments.append(Segment(" " * spare, style))
        return Strip(segments, TABLE_WIDTH + max(spare, 0))

    def _render_header(self) -> Strip:
        style = self._header_style
        segments = [Segment(_cell("Capability", NAME_WIDTH), style)]
        segments += [Segment(_cell(SHORT[lens], LEVEL_WIDTH), style) for lens in LENSES]
        segments.append(Segment(_cell("Score", SCORE_WIDTH, right=True), style))
        return self._extended(segments, style)

    def _render_row(self, row: int) -> Strip:
        """Draw one row at full width; the cache keeps it until it changes."""
        capability = self._capabilities[row]
        base = self._base_style
        segments = [Segment(_cell(self._capability_name(capability), NAME_WIDTH), base)]
        for column, lens in enumerate(LENSES):
            text, goal = self._level_text(capability, lens)
            style = self._cursor_style if (row, column) == (self._row, self._column) else base
            before = self.previous_end.get((capability, lens))
            if before is None or before == self.iteration.level(capability, lens):
                segments.append(Segment(_cell(text, LEVEL_WIDTH), style + BOLD if goal else style))
                continue
            # Where the previous iteration ended, when this one starts elsewhere: dimmed.
            mark = f" ·{before}"
            segments += [
                Segment(" " * PADDING + text, style + BOLD if goal else style),
                Segment(mark, style + DIM),
                Segment(" " * (LEVEL_WIDTH - cell_len(text + mark) + PADDING), style),
            ]
        score = self.iteration.capability_score(capability)
        score_text = f"{score.points}/{score.maximum} {score.percent:.0f}%"
        segments.append(Segment(_cell(score_text, SCORE_WIDTH, right=True), base))
        return self._extended(segments, base)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._check_styles()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        if self._style_key is None:
            self._check_styles()
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        if y < HEADER_HEIGHT:
            if self._header is None:
                self._header = self._render_header()
            strip = self._header
        else:
            row = y - HEADER_HEIGHT + scroll_y
            if not 0 <= row < len(self._capabilities):
                return Strip.blank(width, self._base_style)
            if row not in self._strips:
                self._strips[row] = self._render_row(row)
            strip = self._strips[row]
        return strip.crop(scroll_x, scroll_x + width).adjust_cell_length(width, self._base_style)

    def _refresh_row(self, row: int) -> None:
        """Draw a row again when it is next shown, and repaint its line if it is on screen."""
        self._strips.pop(row, None)
        self.refresh_line(HEADER_HEIGHT + row)  # a virtual y: the header is line 0

    # -- cursor -------------------------------------------------------------------------------

    def _move_cursor(self, row: int, column: int) -> None:
        if not self._capabilities:
            return
        row = max(0, min(row, len(self._capabilities) - 1))
        column = max(0, min(column, len(LENSES) - 1))
        if (row, column) != (self._row, self._column):
            old = self._row
            self._row, self._column = row, column
            self._refresh_row(old)
            if row != old:
                self._refresh_row(row)
            self.post_message(self.CellHighlighted(self.cell))
        self._scroll_cursor_into_view()

    def _scroll_cursor_into_view(self) -> None:
        """Scroll as little as makes the cursor cell visible below the header."""
        view = self.scrollable_content_region
        if not self._capabilities or not view:
            return
        scroll_x, scroll_y = self.scroll_offset
        x, y = scroll_x, scroll_y
        rows = max(1, view.height - HEADER_HEIGHT)
        if self._row < y:
            y = self._row
        elif self._row >= y + rows:
            y = self._row - rows + 1
        left = LENS_X[self._column]
        right = left + LEVEL_CELL
        if left < x:
            x = 0 if right <= view.width else left
        elif right > x + view.width:
            x = right - view.width
        if (x, y) != (scroll_x, scroll_y):
            self.scroll_to(x, y, animate=False, force=True)

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_cursor_into_view()

    def action_cursor_up(self) -> None:
        self._move_cursor(self._row - 1, self._column)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._row + 1, self._column)

    def action_cursor_left(self) -> None:
        self._move_cursor(self._row, self._column - 1)

    def action_cursor_right(self) -> None:
        self._move_cursor(self._row, self._column + 1)

    def action_cursor_first(self) -> None:
        self._move_cursor(0, self._column)

    def action_cursor_last(self) -> None:
        self._move_cursor(len(self._capabilities) - 1, self._column)

    def action_cursor_page(self, direction: int) -> None:
        """Scroll a page of rows and move the cursor as far."""
        page = max(1, self.scrollable_content_region.height - HEADER_HEIGHT) * direction
        self.scroll_to(y=self.scroll_offset.y + page, animate=False, force=True)
        self._move_cursor(self._row + page, self._column)

    def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < HEADER_HEIGHT:
            return
        scroll_x, scroll_y = self.scroll_offset
        row = offset.y - HEADER_HEIGHT + scroll_y
        x = offset.x + scroll_x
        column = next(
            (i for i, left in enumerate(LENS_X) if left <= x < left + LEVEL_CELL), self._column
        )
        if row < len(self._capabilities):
            self._move_cursor(row, column)

    # -- levels and goals ---------------------------------------------------------------------

    def why_not(self, action: str) -> str | None:
        """Why a level or target key cannot act now: the key bar dims it, and pressed it says
        this (a key Textual disables would do nothing)."""
        if action.partition("(")[0] not in ("set_level", "set_typed_level", "move_target"):
            return None
        return self.read_only or None

    def on_key(self, event: events.Key) -> None:
        # The level binding is one for all five digits: it reads which one was typed.
        self._typed = event.character

    def action_set_typed_level(self) -> None:
        if self._typed is not None and self._typed.isdigit():
            self.action_set_level(int(self._typed))

    def action_set_level(self, level: int) -> None:
        if say_why_not(self, self.why_not("set_level")):
            return
        cell = self.cell
        if cell is not None and self.iteration.level(cell.capability, cell.lens) != level:
            self.post_message(self.LevelChosen(cell, level))

    def action_move_target(self, step: int) -> None:
        if not say_why_not(self, self.why_not("move_target")) and (cell := self.cell) is not None:
            self.post_message(self.TargetMoved(cell, step))

    def action_edit_goal(self) -> None:
        if self.cell is not None:
            self.post_message(self.EditGoal(self.cell))
