"""The line at the top of every screen: the palette's icon, and the app's title with the
screen's subtitle (the iteration's title, the data dir, …), centred as Textual's `Header`
centres them.

One widget drawing one line, where `Header` is four widgets whose title is set by four
watchers as it mounts, each change asking for a layout of the whole screen, and one of them
failing when the screen goes before its watchers ran (a step switched at once, the app
ending). Here a change of title repaints this line, and the line is drawn from the screen's
title as it is when drawn.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget

ICON = "⭘"
ICON_WIDTH = 8  # the icon's column, as Textual's Header has it
RIGHT_WIDTH = 10  # the room Textual's Header keeps for its clock, kept for the centring


class TitleBar(Widget):
    """The palette's icon (click it to open the palette) and the centred title."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def on_mount(self) -> None:
        for owner in (self.screen, self.app):
            self.watch(owner, "title", self._retitle, init=False)
            self.watch(owner, "sub_title", self._retitle, init=False)

    def _retitle(self) -> None:
        self.refresh()

    def render(self) -> Content:
        screen, app = self.screen, self.app
        title = app.format_title(
            screen.title if screen.title is not None else app.title,
            screen.sub_title if screen.sub_title is not None else app.sub_title,
        )
        room = max(0, self.size.width - ICON_WIDTH - RIGHT_WIDTH)
        title = title.truncate(room, ellipsis=True)
        left = (room - title.cell_length) // 2
        return Content.assemble(f" {ICON}".ljust(ICON_WIDTH + left), title)

    async def on_click(self, event: events.Click) -> None:
        if event.x < ICON_WIDTH and self.app.ENABLE_COMMAND_PALETTE:
            event.stop()
            await self.run_action("app.command_palette")
