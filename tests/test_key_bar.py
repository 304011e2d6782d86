"""The key bar: the screen's shown keys in one line, following focus; a click presses a key."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from finops_tui.steps import Step
from finops_tui.store import Store
from finops_tui.widgets.key_bar import KeyBar

from .conftest import make_iteration
from .ui import home_ready, make_app, open_step, type_text, wait_until


class Keys(Screen[None]):
    BINDINGS = [
        Binding("a", "add", "Add"),
        Binding("x", "remove", "Remove", tooltip="Remove the highlighted row"),
        Binding("z", "hidden", "Hidden", show=False),
        Binding("f1,question_mark", "help", "Keys", key_display="F1"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pressed: list[str] = []
        self.can_remove = False

    def compose(self) -> ComposeResult:
        yield Static("Nothing to type into here: the screen's own keys apply.")
        yield KeyBar()

    def action_add(self) -> None:
        self.pressed.append("add")

    def action_remove(self) -> None:
        self.pressed.append("remove")

    def action_help(self) -> None:
        self.pressed.append("help")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove":
            return self.can_remove or None  # shown dimmed while it cannot be done
        return True


class KeysApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(Keys())


def drawn(bar: KeyBar) -> str:
    return str(bar.render())


async def keys_read(pilot: Pilot[None]) -> tuple[Keys, KeyBar]:
    """The screen and its bar, once the bar has read the screen's keys."""
    app = pilot.app
    await wait_until(pilot, lambda: app.screen.query(KeyBar) and app.screen.query_one(KeyBar).keys)
    screen = app.screen
    assert isinstance(screen, Keys)
    return screen, screen.query_one(KeyBar)


async def test_the_bar_shows_the_screens_keys_and_follows_what_can_be_done() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen, bar = await keys_read(pilot)
        # One key per action (the first of "f1,question_mark"); hidden keys are not shown.
        assert [(k.display, k.description) for k in bar.keys] == [
            ("a", "Add"), ("x", "Remove"), ("F1", "Keys"), ("^p", "palette"),
        ]  # fmt: skip
        assert [k.enabled for k in bar.keys] == [True, False, True, True]
        text = drawn(bar)
        assert text.startswith(" a Add  x Remove  F1 Keys ") and text.endswith(" ^p palette")
        assert len(text) == 80
        # What can be done changes: the bar follows once the screen says so.
        screen.can_remove = True
        screen.refresh_bindings()
        await wait_until(pilot, lambda: bar.keys[1].enabled)


async def test_a_click_on_a_key_presses_it_and_a_key_that_cannot_be_done_is_not_pressed() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen, bar = await keys_read(pilot)
        await pilot.hover(KeyBar, offset=(9, 0))
        await wait_until(pilot, lambda: bar.tooltip == "Remove the highlighted row")
        await pilot.hover(KeyBar, offset=(2, 0))
        await wait_until(pilot, lambda: bar.tooltip == "Add")  # no tooltip: its description
        await pilot.click(KeyBar, offset=(2, 0))  # " a Add"
        await wait_until(pilot, lambda: screen.pressed == ["add"])
        await pilot.click(KeyBar, offset=(9, 0))  # " x Remove": cannot be done yet
        await pilot.click(KeyBar, offset=(19, 0))  # " F1 Keys"
        await wait_until(pilot, lambda: screen.pressed == ["add", "help"])
        await pilot.click(KeyBar, offset=(40, 0))  # between the keys: nothing
        await pilot.pause()
        assert screen.pressed == ["add", "help"]
        assert bar.visible == list(bar.keys)


async def test_where_the_keys_do_not_fit_the_palette_key_goes_short_then_goes() -> None:
    app = KeysApp()
    async with app.run_test(size=(30, 10)) as pilot:
        _, bar = await keys_read(pilot)
        # " a Add  x Remove  F1 Keys" is 25 columns: a gap and " ^p " make 30.
        assert drawn(bar) == " a Add  x Remove  F1 Keys  ^p "
        assert [k.key for k in bar.visible] == ["a", "x", "f1", "ctrl+p"]
        await pilot.resize_terminal(26, 10)
        await wait_until(pilot, lambda: drawn(bar).rstrip() == " a Add  x Remove  F1 Keys")
        await pilot.resize_terminal(20, 10)
        await wait_until(pilot, lambda: [k.key for k in bar.visible] == ["a", "x"])
        assert drawn(bar).rstrip() == " a Add  x Remove"


async def test_the_step_keys_keep_their_places_in_a_text_area(store: Store) -> None:
    # A text area binds F7 itself, one of the keys of "Back": in Textual's order of the keys,
    # "Back" then came before "Next" while the notes had the focus.
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await open_step(pilot, Step.STAKEHOLDERS)
        bar = app.screen.query_one(KeyBar)
        await wait_until(pilot, lambda: bar.keys)
        assert isinstance(app.focused, Input)
        in_title = [(k.display, k.description) for k in bar.keys]
        assert in_title == [
            ("^n", "Next"), ("^r", "Back"), ("esc", "Home"), ("F1", "Keys"), ("^p", "palette"),
        ]  # fmt: skip
        app.screen.query_one("#notes", TextArea).focus()
        await type_text(pilot, " More")
        # The bar has read the keys with the notes focused once "Back" is pressed by F7,
        # the first of its keys there.
        await wait_until(pilot, lambda: any(k.key == "f7" for k in bar.keys))
        assert [(k.display, k.description) for k in bar.keys] == in_title
        assert drawn(bar).startswith(" ^n Next  ^r Back  esc Home  F1 Keys ")
