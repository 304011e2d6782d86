"""Two instances on one data dir: neither silently overwrites the other, nothing is lost."""

from __future__ import annotations

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
        assert app.iteration is not None and app.iteration.title.endswith("!")
        app.save_as_copy()
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
        app.reload_from_disk()
        await wait_until(pilot, lambda: app.screen.query("#title"))
        await pilot.pause()
        assert app.screen.query_one("#title").value == "Changed elsewhere"
        await type_text(pilot, "?")
        await wait_until(pilot, lambda: saved(store)["title"] == "Changed elsewhere?")
