"""Two instances on one data dir: neither silently overwrites the other, nothing is lost."""

from __future__ import annotations

from finops_tui.app import FinOpsApp
from finops_tui.steps import Step
from finops_tui.store import Store

from ..conftest import make_iteration
from ..ui import make_app, open_step, saved, type_text, wait_until


async def test_the_second_save_is_refused_and_both_versions_kept(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
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
    app = make_app(store)
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
