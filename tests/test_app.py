"""The TUI starts on the user's data and quits cleanly."""

from __future__ import annotations

from finops_tui.app import FinOpsApp
from finops_tui.store import Store

from .conftest import make_iteration


async def test_starts_and_quits_with_ctrl_q(store: Store) -> None:
    store.save(make_iteration())
    app = FinOpsApp(store=store)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.loaded.iterations[0].id == "2026-11-28-k3f9"
        await pilot.press("ctrl+q")
    assert app.return_code == 0
