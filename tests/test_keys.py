"""Keys in order (`finops_tui.keys`): on the Textual it was built for, a burst lands where
each key was meant; on any other, keys go Textual's stock way and the app still works."""

from __future__ import annotations

import pytest

from finops_tui import app as app_module
from finops_tui.keys import ordering_supported
from finops_tui.steps import Step
from finops_tui.store import Store

from .ui import burst, home_ready, make_app, on_step, saved, type_text, wait_until


def test_the_installed_textual_is_the_one_the_order_was_built_for() -> None:
    assert ordering_supported()


async def test_on_another_textual_keys_go_the_stock_way_and_the_app_works(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "ordering_supported", lambda: False)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        assert not app.keys.enabled
        await pilot.press("n")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        await type_text(pilot, "Stock keys")
        await wait_until(pilot, lambda: saved(store).get("title") == "Stock keys")
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: on_step(app, Step.SCOPE))
        await pilot.press("space")
        await wait_until(pilot, lambda: len(saved(store).get("scope", [])) == 1)


async def test_keys_typed_before_the_list_is_read_wait_and_then_apply_in_order(
    store: Store,
) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        burst(pilot, "n", *"Early", "ctrl+n", "space", "down", "space")
        await wait_until(pilot, lambda: store.files() and len(saved(store).get("scope", [])) == 2)
        assert saved(store)["title"] == "Early"
