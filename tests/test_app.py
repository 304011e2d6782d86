"""The TUI starts on the user's data and quits cleanly."""

from __future__ import annotations

from pathlib import Path

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


async def test_the_theme_choice_is_remembered(store: Store, tmp_path: Path) -> None:
    config = tmp_path / "config" / "config.toml"
    app = FinOpsApp(store=store, config_path=config)
    async with app.run_test() as pilot:
        app.theme = "nord"
        await pilot.pause()
    assert 'theme = "nord"' in config.read_text()
    again = FinOpsApp(store=store, config_path=config)
    async with again.run_test() as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_a_broken_config_is_reported_and_defaults_are_used(
    store: Store, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("theme = [")
    app = FinOpsApp(store=store, config_path=config)
    async with app.run_test(notifications=True) as pilot:
        await pilot.pause()
        assert any("settings ignored" in n.message for n in app._notifications)
    assert config.read_text() == "theme = ["
