"""The key bar: the screen's shown keys in one line, following focus; a click presses a key."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from finops_tui.demo import seed
from finops_tui.model import Stakeholders
from finops_tui.screens.dialogs import PickDialog
from finops_tui.screens.home import HomeScreen
from finops_tui.screens.stakeholders import PeopleTable, StakeholdersScreen
from finops_tui.steps import Step
from finops_tui.store import Store
from finops_tui.terms import Status
from finops_tui.widgets.key_bar import KeyBar, Shown
from finops_tui.widgets.keys_panel import KeysPanel, KeysTable, sections

from .conftest import make_iteration
from .ui import (
    TODAY,
    home_ready,
    keys_panel,
    make_app,
    on_step,
    open_step,
    press,
    saved,
    saved_files,
    shown,
    type_text,
    wait_until,
)


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


def key(bar: KeyBar, description: str) -> Shown:
    return next(k for k in bar.keys if k.description == description)


def notified(app: App[object], text: str) -> bool:
    return any(text in n.message for n in app._notifications)


async def test_a_dimmed_key_on_the_list_says_why_then_acts_once_it_can(store: Store) -> None:
    seed(store, TODAY)  # #1 and #2 closed, #3 under way and highlighted
    app = make_app(Store(store.data_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        bar = app.screen.query_one(KeyBar)
        why = "Start next follows a closed iteration, and #3 is active"
        # The key is dimmed, and under the pointer it says why (while the list was still being
        # read, it said that there was no iteration yet).
        await wait_until(pilot, lambda: bar.keys and key(bar, "Start next").tooltip.startswith(why))
        assert not key(bar, "Start next").enabled
        files = saved_files(store)
        await pilot.press("s")
        await wait_until(pilot, lambda: notified(app, why))
        assert isinstance(app.screen, HomeScreen) and saved_files(store) == files
        # A click on the dimmed key says the same, once more.
        app.clear_notifications()
        await pilot.click(KeyBar, offset=(drawn(bar).index(" s Start next") + 2, 0))
        await wait_until(pilot, lambda: notified(app, why))
        # On #2, closed, the key is bright and starts the iteration after it, and says
        # first that #3 already does.
        await pilot.press("down")
        await wait_until(pilot, lambda: key(bar, "Start next").enabled)
        await pilot.press("s")
        await wait_until(pilot, lambda: shown(app, PickDialog))
        title = str(app.screen.query_one(".dialog-title").render())
        assert "already continues #2" in title


async def test_keys_of_the_plan_say_why_without_a_goal_or_on_a_closed_iteration(
    store: Store,
) -> None:
    store.save(make_iteration(goals=[], stakeholders=Stakeholders()))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await open_step(pilot, Step.PLAN)
        bar = app.screen.query_one(KeyBar)
        await wait_until(pilot, lambda: bar.keys and not key(bar, "Add").enabled)
        await pilot.press("a")
        await wait_until(pilot, lambda: notified(app, "There is no goal to plan for"))
        assert on_step(app, Step.PLAN)  # no dialog
        # Back on the Stakeholders step, with nobody listed: x on the people says so.
        await pilot.press("ctrl+r", "ctrl+r", "ctrl+r")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        app.screen.query_one(PeopleTable).focus()
        await pilot.press("x")
        await wait_until(pilot, lambda: notified(app, "There is nobody on the list yet"))
        assert on_step(app, Step.STAKEHOLDERS)


async def test_a_closed_iterations_keys_say_how_to_change_it(store: Store) -> None:
    iteration = make_iteration()
    iteration.status = Status.CLOSED
    store.save(iteration)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await open_step(pilot, Step.STAKEHOLDERS)
        app.screen.query_one(PeopleTable).focus()
        bar = app.screen.query_one(KeyBar)
        await wait_until(pilot, lambda: bar.keys and not key(bar, "Add person").enabled)
        await pilot.press("a")
        closed = "#3 is closed: reopen it from the palette to change it."
        await wait_until(pilot, lambda: notified(app, closed))
        assert on_step(app, Step.STAKEHOLDERS) and len(saved(store)["stakeholders"]["people"]) == 2
        # On the Goals step, the matrix's level and target keys say the same.
        before = saved(store)
        await pilot.press("ctrl+n", "ctrl+n")
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
        bar = app.screen.query_one(KeyBar)
        await wait_until(pilot, lambda: key(bar, "Target").why_not == closed)
        assert not key(bar, "Level").enabled and key(bar, "Edit").enabled
        app.clear_notifications()
        await pilot.press("plus", "3")
        await wait_until(pilot, lambda: app._notifications)
        assert {n.message for n in app._notifications} == {closed}
        assert saved(store) == before


async def test_f1_lists_the_steps_keys_first_follows_the_focus_and_stays_open_until_f1(
    store: Store,
) -> None:
    """At 80×24 the text field's thirty editing keys used to fill the panel: the step's own
    keys were below its bottom, out of reach of the keyboard."""
    store.save(make_iteration())
    before = saved(store)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        assert isinstance(app.focused, Input)
        panel = await keys_panel(pilot)
        titles = [section.title for section in panel.shown]
        assert titles == ["Step 1: Stakeholders", "Everywhere", "In the text field"]
        table = panel.query_one(KeysTable)
        in_view = "\n".join(line.plain for line in table.lines(table.size.width))
        in_view = "\n".join(in_view.splitlines()[: panel.size.height])
        for seen in ("Next step", "Home: Back to", "Everywhere", "Undo the last"):
            assert seen in in_view, in_view
        rows = {row.description: row for row in panel.shown[0].rows}
        assert not rows["Back"].enabled and rows["Next"].enabled  # no step before the first
        # The focus moves to the people: the panel lists the table's keys instead.
        for _ in range(8):
            if isinstance(app.focused, PeopleTable):
                break
            await press(pilot, "tab")
        assert isinstance(app.focused, PeopleTable)
        await wait_until(pilot, lambda: panel.shown[-1].title == "In the table")
        leading = {row.description for row in panel.shown[0].rows[:3]}
        assert leading == {"Add person", "Edit", "Remove"}  # the table's keys lead
        # Over a dialog and back, the panel is there still, and follows the focus.
        await press(pilot, "a")
        await wait_until(pilot, lambda: not isinstance(app.screen, StakeholdersScreen))
        await press(pilot, "escape")
        await wait_until(pilot, lambda: isinstance(app.screen, StakeholdersScreen))
        await press(pilot, "shift+tab")
        await wait_until(pilot, lambda: panel.shown[-1].title != "In the table")
        # It stays open on the next step and on the list, with their keys first, until F1.
        for key, title in (("ctrl+n", "Step 2: Scope"), ("escape", "On the list of iterations")):
            await press(pilot, key)
            await wait_until(
                pilot,
                lambda t=title: (
                    [p for p in app.screen.query(KeysPanel) if p.shown]
                    and app.screen.query_one(KeysPanel).shown[0].title == t
                ),
            )
        # On the list, Enter opens the highlighted iteration: the first of the list's keys;
        # the table's own (its cursor keys) come last.
        listed = app.screen.query_one(KeysPanel)
        assert [s.title for s in listed.shown][::2] == ["On the list of iterations", "In the list"]
        assert listed.shown[0].rows[0].description == "Open"
        assert "Select" not in listed.text()
        await pilot.press("f1")
        await wait_until(pilot, lambda: not app.screen.query(KeysPanel))
        await press(pilot, "enter")  # the iteration again: no panel now
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        assert not app.screen.query(KeysPanel)
    assert saved(store) == before


async def test_the_keys_of_a_step_can_be_read_as_it_is_left(store: Store) -> None:
    """Esc with the keys panel open: the iteration is left a moment before the step's screen
    goes, and the panel (or the key bar) reading the step's keys in that moment ended the
    app (one run in two of the test above, run alone)."""
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, Step.SCOPE)
        await keys_panel(pilot)
        step = app.screen
        app.session.leave()
        assert app.session.iteration is None  # the step's screen goes a moment later
        [mine, *_] = sections(step)
        rows = {row.description: row for row in mine.rows}
        assert mine.title == "Step 2: Scope" and not rows["Next"].enabled
        await wait_until(pilot, lambda: shown(app, HomeScreen))
        await wait_until(
            pilot,
            lambda: (
                [p for p in app.screen.query(KeysPanel) if p.shown]
                and app.screen.query_one(KeysPanel).shown[0].title == "On the list of iterations"
            ),
        )
        await press(pilot, "enter")  # and the iteration opens again, panel and all
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        assert app.is_running and app.screen.query(KeysPanel)


async def test_the_keys_panel_is_a_tab_stop_whose_keys_scroll_it(store: Store) -> None:
    """At 80×24 the list's keys run past the panel's bottom ("Start next" says at length why
    it cannot act): the panel could not be scrolled by keyboard."""
    seed(store, TODAY)
    app = make_app(Store(store.data_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        panel = await keys_panel(pilot)
        assert panel.max_scroll_y > 0 and panel.scroll_y == 0
        await press(pilot, "tab")
        assert app.focused is panel
        await wait_until(pilot, lambda: panel.shown[-1].title == "In this panel")
        await press(pilot, "end")
        await wait_until(pilot, lambda: panel.scroll_y == panel.max_scroll_y)
        await press(pilot, "tab")  # on round to the list
        assert app.focused is app.screen.query_one("#iterations")
        await press(pilot, "shift+tab", "f1")  # closed from within: the list has the focus
        await wait_until(pilot, lambda: not app.screen.query(KeysPanel))
        assert app.focused is app.screen.query_one("#iterations")
        await press(pilot, "enter")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
