"""Home: every iteration, newest first, and the files that could not be read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from finops_tui.terms import Status

if TYPE_CHECKING:
    from finops_tui.app import FinOpsApp
    from finops_tui.index import IterationSummary
    from finops_tui.model import Iteration

NARROW = 76
BOTH_DATES = 100
WELCOME = """\
Welcome to finops-tui.

An iteration takes your team through five short steps, as in
Microsoft's tutorial "Conduct a FinOps iteration":

  1 Stakeholders  who takes part: business, technology, finance
  2 Scope         which 3-5 FinOps capabilities to work on
  3 Goals         your level on five maturity lenses, and the next
  4 Plan          the actions, with owners and due dates
  5 Review        what you achieved, what to improve next time

Press  n  to start your first iteration.
Run  finops-tui --demo  to look around a filled-in example first.
Everything you type is saved as you go."""


class HomeScreen(Screen[None]):
    """The list of iterations: open one, start a new or the next one, delete one."""

    BINDINGS = [
        Binding("n", "new", "New iteration", id="new"),
        Binding("enter", "open", "Open", id="open", show=False),
        Binding("s", "start_next", "Start next", id="start-next"),
        Binding("x", "export", "Export", id="export"),
        Binding("delete,d", "delete", "Delete", id="delete"),
    ]

    @property
    def finops(self) -> FinOpsApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        self.sub_title = str(self.finops.store.data_dir)
        yield Header()
        with Vertical(id="body"):
            yield Static(Content("Iterations"), classes="step-heading")
            table: DataTable[Text] = DataTable(cursor_type="row", id="iterations")
            yield table
            yield Static(id="welcome")
            yield Static(id="problems")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_list()

    def on_resize(self) -> None:
        self.refresh_list()

    def _columns(self, table: DataTable[Text]) -> None:
        """Fixed columns get what they need; the title gets the rest of the width."""
        narrow = self.size.width < NARROW
        both_dates = self.size.width >= BOTH_DATES  # below that, the title needs the room
        largest = max((s.number for s in self.finops.history.summaries), default=0)
        fixed = [
            ("#", "number", max(3, len(str(largest)))),
            ("Dates", "dates", 23) if both_dates else ("Starts", "starts", 10),
            ("Status", "status", 8),
            *([] if narrow else [("Caps", "caps", 4)]),
            ("Goals", "goals", 5),
            ("Score", "score", 5),
        ]
        padding = 2 * (len(fixed) + 1) + 4
        title = max(10, self.size.width - sum(w for *_, w in fixed) - padding)
        table.clear(columns=True)
        for label, key, width in [fixed[0], ("Title", "title", title), *fixed[1:]]:
            table.add_column(label, key=key, width=width)

    def show_progress(self, done: int, total: int) -> None:
        welcome = self.query_one("#welcome", Static)
        welcome.update(Content(f"Reading the iterations… {done} of {total}"))

    def refresh_list(self) -> None:
        if self.finops.loading:
            self.query_one("#iterations", DataTable).display = False
            self.query_one("#problems", Static).display = False
            welcome = self.query_one("#welcome", Static)
            welcome.update(Content("Reading the iterations…"))
            return
        history = self.finops.history
        table = self.query_one("#iterations", DataTable)
        selected = self.selected.id if table.row_count and self.selected else None
        self._columns(table)
        keys = [str(column.key.value) for column in table.ordered_columns]
        for summary in history.summaries:
            cells = self._cells(summary)
            table.add_row(*(cells[k] for k in keys), key=summary.id)
        if selected in {s.id for s in history.summaries}:
            table.move_cursor(row=table.get_row_index(selected))
        empty = not history.summaries
        table.display = not empty
        welcome = self.query_one("#welcome", Static)
        welcome.display = empty
        welcome.update(Content(self.finops.load_error or WELCOME))
        problems = self.query_one("#problems", Static)
        problems.display = bool(history.problems)
        if history.problems:
            lines = [f"{len(history.problems)} file(s) could not be read and are left as they are:"]
            lines += [f"  {p.path.name}: {p.message}" for p in history.problems]
            problems.update(Content("\n".join(lines)))
        if not empty:
            table.focus()
        self.refresh_bindings()

    @staticmethod
    def _cells(summary: IterationSummary) -> dict[str, Text]:
        """A summary as the cells of its row."""
        return {
            "number": Text(str(summary.number)),
            "title": Text(summary.title or "(untitled)", no_wrap=True, overflow="ellipsis"),
            "starts": Text(summary.starts),
            "dates": Text(f"{summary.starts} → {summary.ends}"),
            "status": Text(summary.status),
            "caps": Text(str(len(summary.capabilities)), justify="right"),
            "goals": Text(f"{summary.goals_achieved}/{summary.goals}", justify="right"),
            "score": Text(f"{summary.score_percent:.0f}%", justify="right"),
        }

    @property
    def selected(self) -> IterationSummary | None:
        """The summary of the highlighted iteration."""
        table = self.query_one("#iterations", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.finops.history.summary(key) if key else None

    def _selected_iteration(self) -> Iteration | None:
        selected = self.selected
        return self.finops.iteration_by_id(selected.id) if selected else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "delete", "export"):
            return self.selected is not None or None
        if action == "start_next":
            selected = self.selected
            return (selected is not None and selected.status == Status.CLOSED) or None
        return True

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        if (iteration := self._selected_iteration()) is not None:
            self.finops.open_iteration(iteration)

    def action_export(self) -> None:
        if (iteration := self._selected_iteration()) is not None:
            self.finops.export_iteration(iteration)

    def action_new(self) -> None:
        self.finops.new_iteration()

    def action_start_next(self) -> None:
        source = self._selected_iteration()
        if source is not None and source.status is Status.CLOSED:
            self.finops.offer_next_iteration(source)

    @work
    async def action_delete(self) -> None:
        iteration = self._selected_iteration()
        if iteration is None:
            return
        from finops_tui.screens.dialogs import ConfirmDialog

        title = iteration.title or "(untitled)"
        confirmed = await self.app.push_screen_wait(
            ConfirmDialog(
                f"Delete iteration #{iteration.number} “{title}”?\n"
                "The file moves to the trash folder of the data dir.",
                yes="Delete",
                no="Keep",
            )
        )
        if confirmed and self.finops.trash(iteration):
            self.refresh_list()
