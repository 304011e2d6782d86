"""Screens styled once as they open.

Textual styles each widget as it mounts and then, when the screen is shown (its
`ScreenResume`), styles the whole screen again; a screen with width breakpoints is styled a
third time at its first resize, when it gets its breakpoint classes. For a screen composed a
moment ago both passes find the styles already there: they were about a tenth of the CPU
time of starting the app and opening a step. `FreshScreen` is shown the first time without
the second pass (through the event's `refresh_styles`, which Textual reads after the
screen's own handlers ran), and is given its breakpoint classes as it is made. A screen shown
again later (the list, back from an iteration) is styled again as Textual does, since the
app may have changed meanwhile.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events, on
from textual.screen import ModalScreen, Screen


def breakpoint_class(breakpoints: list[tuple[int, str]], size: int) -> str | None:
    """The class of the largest breakpoint not above `size` (as Textual picks it)."""
    reached = [(at, name) for at, name in breakpoints if size >= at]
    return max(reached)[1] if reached else None


class FreshScreen(Screen[Any]):
    """A screen whose first showing keeps the styles it was mounted with."""

    KEYS_TITLE: ClassVar[str] = "On this screen"
    """The heading of the screen's own keys in the keys panel (F1)."""

    @property
    def keys_title(self) -> str:
        return self.KEYS_TITLE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown = False
        try:
            size = self.app.size
        except RuntimeError:  # made outside a running app: the first resize sets the class
            return
        for breakpoints, extent in (
            (self.HORIZONTAL_BREAKPOINTS, size.width),
            (self.VERTICAL_BREAKPOINTS, size.height),
        ):
            if name := breakpoint_class(breakpoints or [], extent):
                self.add_class(name, update=False)

    @on(events.ScreenResume)
    def _keep_first_styles(self, event: events.ScreenResume) -> None:
        if not self._shown:
            self._shown = True
            event.refresh_styles = False

    @on(events.ScreenResume)
    def _show_the_keys_panel(self) -> None:
        if getattr(self.app, "keys_panel_open", False) and not isinstance(self, ModalScreen):
            from finops_tui.widgets.keys_panel import KeysPanel

            if not self.query(KeysPanel):  # opened by F1 on another screen: shown here too
                self.mount(KeysPanel())
