"""The floor every figure is compared with: bare Textual apps with nothing of finops-tui.

`BareApp` is Header + Label + Footer (start-up and memory). `BareTable` and `BareList` put
Textual's own DataTable and SelectionList, filled like the goal matrix and the scope picker,
on the screen, for the keystroke measurements.
"""

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Label, SelectionList

ROWS = 18
COLUMNS = 7


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Hello")
        yield Footer()


class BareTable(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="cell")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(f"Column {c}" for c in range(COLUMNS)))
        for r in range(ROWS):
            table.add_row(*(f"{r}.{c}" for c in range(COLUMNS)))
        table.focus()


class BareList(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield SelectionList[int](*((f"Capability {n}", n) for n in range(ROWS)))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()
