"""Home: every iteration, newest first, and the files that could not be read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from finops_tui.screens.explained import ExplainedScreen
from finops_tui.session import ChangeKind
from finops_tui.store import StoreError
from finops_tui.terms import Status
from finops_tui.widgets.key_bar import KeyBar
from finops_tui.widgets.title_bar import TitleBar
from finops_tui.wording import count

if TYPE_CHECKING:
    from finops_tui.app import FinOpsApp
    from finops_tui.index import IterationSummary
    from finops_tui.model import Iteration
    from finops_tui.session import Change, Session

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
UNREADABLE_ONLY = """\
No iteration could be read: the files below are left exactly as they are
(`finops-tui doctor` says what is wrong with each, with its line).

Press  n  to start a new iteration anyway."""


class IterationsTable(DataTable[Text]):
    """The iterations, a row each: Enter opens the highlighted one (and F1 says so)."""

    KEYS_TITLE = "In the list"
    BINDINGS = [
        Binding(
            "enter", "select_cursor", "Open", show=False, tooltip="Open the highlighted iteration"
        )
    ]


class HomeScreen(ExplainedScreen):
    """The list of iterations: open one, start a new or the next one, delete one."""

    KEYS_TITLE = "On the list of iterations"

    BINDINGS = [
        Binding("n", "new", "New iteration", id="new"),
        Binding("enter", "open", "Open", id="open", show=False),
        Binding("s", "start_next", "Start next", id="start-next"),
        Binding("x", "export", "Export", id="export"),
        Binding("p", "app.progress", "Progress", id="home-progress"),
        Binding("d,delete", "delete", "Delete", id="delete"),
        Binding("q", "app.quit", "Quit", id="quit-home", tooltip="Quit (ctrl+q anywhere)"),
    ]

    @property
    def finops(self) -> FinOpsApp:
        return self.app  # type: ignore[return-value]

    @property
    def session(self) -> Session:
        return self.finops.session

    def compose(self) -> ComposeResult:
        self.sub_title = str(self.session.store.data_dir)
        yield TitleBar()
        with Vertical(id="body"):
            yield Static(Content("Iterations"), classes="step-heading")
            yield IterationsTable(cursor_type="row", id="iterations")
            yield Static(id="welcome")
            yield Static(id="problems")
        yield KeyBar()

    def __init__(self) -> None:
        super().__init__()
        self._stale = False  # the history changed while another screen was shown

    def on_mount(self) -> None:
        self.watch(self.app, "change", self._changed, init=False)
        self.watch(self.app, "reading", self._reading, init=False)
        self.refresh_list()

    def on_resize(self) -> None:
        self.refresh_list()

    def on_screen_resume(self) -> None:
        if self._stale:
            self.refresh_list()

    def _changed(self, change: Change) -> None:
        if change.kind is not ChangeKind.HISTORY:
            return
        if self.is_current:
            self.refresh_list()
        else:
            self._stale = True  # shown again when the list is back on screen

    def _reading(self, reading: tuple[int, int]) -> None:
        if self.session.loading:
            self.show_progress(*reading)

    def _columns(self, table: DataTable[Text]) -> None:
        """Fixed columns get what they need; the title gets the rest of the width."""
        narrow = self.size.width < NARROW
        both_dates = self.size.width >= BOTH_DATES  # below that, the title needs the room
        largest = max((s.number for s in self.session.history.summaries), default=0)
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
        self._stale = False
        if self.session.loading:
            self.query_one("#iterations", DataTable).display = False
            self.query_one("#problems", Static).display = False
            welcome = self.query_one("#welcome", Static)
            welcome.update(Content("Reading the iterations…"))
            return
        history = self.session.history
        table = self.query_one("#iterations", DataTable)
        selected = self.selected.id if table.row_count and self.selected else None
        if self.session.left is not None:  # back from an iteration: the cursor goes to it
            selected, self.session.left = self.session.left, None
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
        if self.session.load_error:
            welcome.update(Content(self.session.load_error))
        elif empty and history.problems:
            welcome.update(Content(UNREADABLE_ONLY))
        else:
            welcome.update(Content(WELCOME))
        problems = self.query_one("#problems", Static)
        catalogs = self.session.catalog_problems
        problems.display = bool(history.problems or catalogs)
        lines = []
        if history.problems:
            files = len(history.problems)
            verb = "is" if files == 1 else "are"
            lines = [f"{count(files, 'file')} could not be read and {verb} left as is:"]
            lines += [f"  {p.path.name}: {p.message}" for p in history.problems]
        if catalogs:
            verb = "is" if len(catalogs) == 1 else "are"
            lines.append(f"{count(len(catalogs), 'catalogue')} of your own {verb} not used:")
            lines += [f"  {problem}" for problem in catalogs]
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
        return self.session.history.summary(key) if key else None

    def _selected_iteration(self) -> Iteration | None:
        if (selected := self.selected) is None:
            return None
        try:
            return self.session.iteration_by_id(selected.id)
        except StoreError as exc:
            self.notify(str(exc), title="Cannot open", severity="error", markup=False)
            return None

    def why_not(self, action: str) -> str | None:
        if action not in ("open", "delete", "export", "start_next"):
            return None
        if self.session.loading:
            return "The iterations are still being read."
        if (selected := self.selected) is None:
            return "There is no iteration yet: n starts the first one."
        if action == "start_next" and selected.status != Status.CLOSED:
            return (
                f"Start next follows a closed iteration, and #{selected.number} is "
                f"{selected.status}: close it at its Review step (Enter opens it), or press n "
                "for a new iteration."
            )
        return None

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        if not self.refused("open") and (selected := self.selected) is not None:
            self.finops.open_iteration(selected.id)

    def action_export(self) -> None:
        if not self.refused("export") and (iteration := self._selected_iteration()) is not None:
            self.finops.export_iteration(iteration)

    def action_new(self) -> None:
        self.finops.new_iteration()

    def action_start_next(self) -> None:
        if self.refused("start_next"):
            return
        source = self._selected_iteration()
        if source is not None and source.status is Status.CLOSED:
            self.finops.offer_next_iteration(source)

    @work
    async def action_delete(self) -> None:
        if self.refused("delete"):
            return
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
        if confirmed:
            self.finops.trash(iteration.id)
