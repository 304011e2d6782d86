"""The goal matrix: scoped capabilities × the five lenses, each cell a level and maybe a goal."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from finops_tui.catalog import Catalog
from finops_tui.lenses import LENSES, MAX_LEVEL, MIN_LEVEL, Lens
from finops_tui.model import Iteration

SHORT = {
    Lens.KNOWLEDGE: "Knowl.",
    Lens.PROCESS: "Process",
    Lens.METRICS: "Metrics",
    Lens.ADOPTION: "Adopt.",
    Lens.AUTOMATION: "Autom.",
}
NAME_WIDTH = 19


@dataclass(frozen=True)
class Cell:
    """One cell of the matrix: a capability on a lens."""

    capability: str
    lens: Lens


class GoalMatrix(DataTable[Text]):
    """Arrows move; 0-4 set the current level; +/- move the target; Enter edits the goal.

    Keys act on the cell under the cursor when the key is handled, so a burst such as
    `1 → 2 → 3` sets three cells, not the last one three times.
    """

    BINDINGS = [
        *(
            Binding(str(n), f"set_level({n})", "Level", show=n == 0, key_display="0-4")
            for n in range(MIN_LEVEL, MAX_LEVEL + 1)
        ),
        Binding("plus,equals_sign", "move_target(1)", "Target", key_display="+/-"),
        Binding("minus", "move_target(-1)", "Lower target", show=False),
        Binding("enter", "edit_goal", "Edit goal"),
    ]

    class Changed(Message):
        """A level or target changed; the iteration has been updated."""

        def __init__(self, cell: Cell) -> None:
            super().__init__()
            self.cell = cell

    class EditGoal(Message):
        """The user asked to edit the goal of a cell."""

        def __init__(self, cell: Cell) -> None:
            super().__init__()
            self.cell = cell

    def __init__(
        self,
        iteration: Iteration,
        catalog: Catalog,
        *,
        read_only: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=False, id=id)
        self.iteration = iteration
        self.catalog = catalog
        self.read_only = read_only

    def on_mount(self) -> None:
        self.add_column(Text("Capability"), key="capability", width=NAME_WIDTH)
        for lens in LENSES:
            self.add_column(Text(SHORT[lens]), key=lens.value, width=7)
        self.add_column(Text("Score", justify="right"), key="score", width=10)
        self.fill()
        self.move_cursor(row=0, column=1)

    def fill(self) -> None:
        """Redraw every row from the iteration, keeping the cursor where it was."""
        cursor = self.cursor_coordinate
        self.clear()
        for capability in self.iteration.capabilities:
            self.add_row(*self._row(capability), key=capability)
        if self.row_count:
            self.cursor_coordinate = Coordinate(
                min(cursor.row, self.row_count - 1), min(max(cursor.column, 1), len(LENSES))
            )

    def _row(self, capability: str) -> list[Text]:
        name = self.catalog.capability(capability).name
        if len(name) > NAME_WIDTH:
            name = name[: NAME_WIDTH - 1] + "…"
        cells = [Text(name)]
        for lens in LENSES:
            cells.append(self._cell_text(capability, lens))
        score = self.iteration.capability_score(capability)
        cells.append(Text(f"{score.points}/20 {score.percent:.0f}%", justify="right"))
        return cells

    def _cell_text(self, capability: str, lens: Lens) -> Text:
        level = self.iteration.level(capability, lens)
        target = self.iteration.target(capability, lens)
        if target is None:
            return Text(f"{level}")
        return Text(f"{level}→{target}", style="bold")

    @property
    def cell(self) -> Cell | None:
        """The cell under the cursor."""
        if not self.row_count:
            return None
        row, column = self.cursor_coordinate
        if not 1 <= column <= len(LENSES):
            return None
        return Cell(self.iteration.capabilities[row], LENSES[column - 1])

    def _update_row(self, cell: Cell) -> None:
        for key, value in zip(
            ["capability", *(lens.value for lens in LENSES), "score"],
            self._row(cell.capability),
            strict=True,
        ):
            self.update_cell(cell.capability, key, value)

    def action_cursor_left(self) -> None:
        if self.cursor_column > 1:
            super().action_cursor_left()

    def action_cursor_right(self) -> None:
        if self.cursor_column < len(LENSES):
            super().action_cursor_right()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("set_level", "move_target") and self.read_only:
            return None
        return True

    def action_set_level(self, level: int) -> None:
        cell = self.cell
        if cell is None or self.iteration.level(cell.capability, cell.lens) == level:
            return
        self.iteration.set_level(cell.capability, cell.lens, level)
        self._changed(cell)

    def action_move_target(self, step: int) -> None:
        cell = self.cell
        if cell is None:
            return
        current = self.iteration.level(cell.capability, cell.lens)
        target = self.iteration.target(cell.capability, cell.lens) or current
        wanted = max(current, min(MAX_LEVEL, target + step))
        if wanted == target:
            if step > 0:
                self.app.bell()
            return
        self.iteration.set_target(cell.capability, cell.lens, wanted)
        self._changed(cell)

    def _changed(self, cell: Cell) -> None:
        self._update_row(cell)
        self.post_message(self.Changed(cell))

    def action_edit_goal(self) -> None:
        if self.cell is not None:
            self.post_message(self.EditGoal(self.cell))
