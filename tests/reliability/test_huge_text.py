"""100 000 characters with markup, ANSI escapes and NUL: shown, kept exactly, exported inert."""

from __future__ import annotations

from finops_tui import export
from finops_tui.steps import Step
from finops_tui.store import Store

from ..conftest import make_iteration
from ..ui import make_app, open_step, wait_until

HUGE = ("[@click=app.quit]q[/] \x1b[2J\x00 " + "x" * 100) * 800  # ~100 000 characters


async def test_huge_hostile_text_everywhere(store: Store) -> None:
    iteration = make_iteration(title=HUGE)
    iteration.stakeholders.notes = HUGE
    iteration.goals[0].statement = HUGE
    iteration.review.improve = HUGE
    store.save(iteration)
    before = store.path_of(iteration.id).read_bytes()
    assert Store(store.data_dir).load(iteration.id).title == HUGE
    for fmt in ("markdown", "html", "json"):  # CSV keeps the text exact, for spreadsheets
        assert "\x1b" not in export.render(iteration, fmt)
    app = make_app(store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        for step in Step:
            app.show_step(step)
            await wait_until(pilot, lambda s=step: getattr(app.screen, "STEP", None) is s)
            await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+q")
    assert store.path_of(iteration.id).read_bytes() == before
