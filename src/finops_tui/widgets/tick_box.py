"""A checkbox that shows its state without colour."""

from __future__ import annotations

from textual.widgets import Checkbox


class TickBox(Checkbox):
    """☑/☐ instead of a coloured X, so the state reads the same under NO_COLOR."""

    BUTTON_LEFT = ""
    BUTTON_RIGHT = " "

    def on_mount(self) -> None:
        self._show_state()

    def watch_value(self) -> None:
        super().watch_value()
        self._show_state()

    def _show_state(self) -> None:
        self.BUTTON_INNER = "☑" if self.value else "☐"
        self.refresh()
