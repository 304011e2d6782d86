"""The home list's `#` column fits the largest iteration number."""

from __future__ import annotations

from textual.widgets import DataTable

from finops_tui.store import Store

from .conftest import make_iteration
from .ui import drawn, home_ready, make_app, wait_until


async def test_five_digit_numbers_are_shown_whole(store: Store) -> None:
    for number, suffix in ((4998, "a"), (4999, "b"), (10000, "c")):
        store.save(make_iteration(f"2026-01-01-aaa{suffix}", number=number, title=f"N{number}"))
    app = make_app(Store(store.data_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        table = app.screen.query_one("#iterations", DataTable)
        await wait_until(pilot, lambda: len(drawn(table)) >= 4)
        lines = drawn(table)
    numbers = [line.split()[0] for line in lines[1:4]]
    assert numbers == ["10000", "4999", "4998"]
    assert [line.split()[1] for line in lines[1:4]] == ["N10000", "N4999", "N4998"]


async def test_small_numbers_keep_the_usual_width(store: Store) -> None:
    store.save(make_iteration(number=3, title="Three"))
    app = make_app(Store(store.data_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        table = app.screen.query_one("#iterations", DataTable)
        await wait_until(pilot, lambda: len(drawn(table)) >= 2)
        header = drawn(table)[0]
    assert header.index("Title") - header.index("#") == 5  # 3 for the number, 2 of padding
