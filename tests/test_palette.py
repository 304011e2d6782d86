"""The command palette: PageDown/PageUp right after ctrl+p must not end the app (a Textual 8
bug: the command list pages through lines it has not drawn yet)."""

from __future__ import annotations

import pytest
from textual.command import CommandList
from textual.command import CommandPalette as TextualCommandPalette
from textual.widgets.option_list import Option

from finops_tui.store import Store
from finops_tui.widgets.palette import CommandPalette

from .ui import home_ready, make_app, shown, wait_until


async def palette_with_undrawn_options(pilot, palette_class) -> CommandList:  # type: ignore[no-untyped-def]
    """The palette as it is the moment its commands arrive: options the list has not drawn."""
    app = pilot.app
    app.push_screen(palette_class())
    await wait_until(pilot, lambda: shown(app, palette_class) and app.screen.query(CommandList))
    await pilot.pause()
    commands = app.screen.query_one(CommandList)
    commands.display = False  # as while the palette gathers its commands
    await pilot.pause()
    commands.clear_options()
    commands.add_options([Option(f"Command {n}") for n in range(30)])
    commands.highlighted = 0
    return commands


async def test_textual_s_own_palette_has_the_bug(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        commands = await palette_with_undrawn_options(pilot, TextualCommandPalette)
        with pytest.raises(KeyError):
            commands.action_page_down()


async def test_page_keys_before_the_list_is_drawn_do_nothing_and_after_they_page(
    store: Store,
) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        commands = await palette_with_undrawn_options(pilot, CommandPalette)
        app.screen.action_page(1)
        app.screen.action_page(-1)
        assert commands.highlighted == 0
        commands.display = True
        await pilot.pause()
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: (commands.highlighted or 0) > 0)
        assert app.is_running


async def test_ctrl_p_opens_this_palette(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("ctrl+p", "pagedown", "pageup")
        await wait_until(pilot, lambda: shown(app, CommandPalette))
        assert app.is_running
