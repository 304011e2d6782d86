"""Two instances on one data dir: neither silently overwrites the other, nothing is lost.

These tests change the file under an edit that is under way: the save's own check, so the
apps here do not watch the data dir (which would often take the change before the edit)."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from finops_tui.app import FinOpsApp
from finops_tui.steps import Step
from finops_tui.store import Store

from ..conftest import make_iteration
from ..ui import home_ready, make_app, open_step, saved, type_text, wait_until


async def test_the_second_save_is_refused_and_both_versions_kept(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store, watch_disk=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        other = Store(store.data_dir)
        theirs = other.load("2026-11-28-k3f9")
        theirs.title = "Changed elsewhere"
        other.save(theirs)
        await type_text(pilot, "!")
        await wait_until(pilot, lambda: app._notifications)
        assert any("changed on disk" in (n.title or "") for n in app._notifications)
        assert saved(store)["title"] == "Changed elsewhere"
        assert app.session.iteration is not None and app.session.iteration.title.endswith("!")
        run_command(app, "Save as a copy")
        await wait_until(pilot, lambda: len(store.files()) == 2)
        await wait_until(pilot, lambda: app.screen.query("#title"))
        await pilot.pause()
    titles = sorted(saved(store, p.stem)["title"] for p in store.files())
    assert titles == ["Changed elsewhere", "Commitments and budgets! (copy)"]


async def test_reload_takes_the_version_on_disk(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store, watch_disk=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        other = Store(store.data_dir)
        theirs = other.load("2026-11-28-k3f9")
        theirs.title = "Changed elsewhere"
        other.save(theirs)
        await type_text(pilot, "!")
        await wait_until(pilot, lambda: app._notifications)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Reload from disk", "Save as a copy"} <= titles
        run_command(app, "Reload from disk")
        title = app.screen.query_one("#title")
        await wait_until(pilot, lambda: title.value == "Changed elsewhere")
        await type_text(pilot, "?")
        await wait_until(pilot, lambda: saved(store)["title"] == "Changed elsewhere?")
        # Nothing typed is lost: undoing the reload brings the edits of this instance back.
        await pilot.press("ctrl+z", "ctrl+z")
        await wait_until(pilot, lambda: title.value == "Commitments and budgets!")
        await wait_until(pilot, lambda: saved(store)["title"] == "Commitments and budgets!")


def run_command(app: FinOpsApp, title: str) -> None:
    """Run a command of the palette, as choosing it there does."""
    [command] = [c for c in app.get_system_commands(app.screen) if c.title == title]
    command.callback()


# -- watching the data dir: another window's changes show here ------------------------------


async def test_the_list_shows_what_another_window_wrote(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(100, 24)) as pilot:
        await home_ready(pilot)
        table = app.screen.query_one("#iterations", DataTable)
        other = Store(store.data_dir)
        other.save(make_iteration(id="2026-12-01-zz01", number=4, title="Another window's"))
        await wait_until(pilot, lambda: table.row_count == 2, timeout=2.0)
        theirs = other.load("2026-11-28-k3f9")
        theirs.title = "Renamed in another window"
        other.save(theirs)

        def titles() -> set[str]:
            return {str(table.get_row_at(i)[1]) for i in range(table.row_count)}

        await wait_until(pilot, lambda: "Renamed in another window" in titles(), timeout=2.0)


async def test_the_open_step_follows_another_window_while_nothing_is_unsaved(
    store: Store,
) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        title = app.screen.query_one("#title", Input)
        other = Store(store.data_dir)
        theirs = other.load("2026-11-28-k3f9")
        theirs.title = "Changed elsewhere"
        other.save(theirs)
        await wait_until(pilot, lambda: title.value == "Changed elsewhere", timeout=2.0)
        assert not app._notifications  # no conflict: nothing was unsaved here
        await pilot.press("ctrl+z")  # what was here before comes back, and is saved
        await wait_until(pilot, lambda: title.value == "Commitments and budgets")
        await wait_until(pilot, lambda: saved(store)["title"] == "Commitments and budgets")
