"""Anything a person types or pastes is data: saved exactly, shown literally, never run."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from finops_tui.lenses import Lens
from finops_tui.model import Action, Person
from finops_tui.screens.dialogs import FormDialog
from finops_tui.steps import Step
from finops_tui.store import Store

from .conftest import make_iteration, without_ids
from .ui import make_app, open_step, paste, saved, shown, wait_until

MARKUP = "[bold]x[/] [/] [link=https://example.org]y[/link] [@click=app.quit]quit[/] $var"
HOSTILE = [
    pytest.param(MARKUP, id="markup"),
    pytest.param("🧭 مرحبا עברית e\u0301 \u202e reversed", id="emoji-rtl-combining"),
    pytest.param("tab\tnul\x00 esc\x1b[31m bell\x07", id="control"),
    pytest.param("A" * 10_000 + "[/]", id="10k"),
]


async def test_pasted_into_the_title_and_notes(store: Store, hostile: str) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        title = app.screen.query_one("#title", Input)
        title.value = ""
        await paste(pilot, title, hostile)
        await wait_until(pilot, lambda: title.value)
        notes = app.screen.query_one("#notes", TextArea)
        notes.clear()
        await paste(pilot, notes, hostile)
        await wait_until(pilot, lambda: notes.text)
        await wait_until(pilot, lambda: saved(store)["stakeholders"].get("notes") == notes.text)
        await wait_until(pilot, lambda: saved(store)["title"] == title.value)
        assert app.is_running
    # Whatever the widget accepted is exactly what is saved; markup is never interpreted.
    if hostile == MARKUP:
        assert saved(store)["title"] == MARKUP
        assert saved(store)["stakeholders"]["notes"] == MARKUP


async def test_typed_into_every_dialog_field(store: Store, hostile: str) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_step(pilot, Step.GOALS)
        await pilot.press("enter")
        await wait_until(pilot, lambda: shown(app, FormDialog))
        dialog = app.screen
        for key in ("statement", "metric", "baseline", "target"):
            dialog.query_one(f"#field-{key}", Input).value = hostile
        await pilot.pause()
        dialog.action_save()
        # Enter on the first cell (no goal yet) made one: budget-management, knowledge 2 → 3.
        await wait_until(pilot, lambda: saved(store)["goals"][-1].get("metric") == hostile)
        goal = saved(store)["goals"][-1]
        assert (goal["capability"], goal["lens"], goal["to_level"]) == (
            "budget-management",
            "knowledge",
            3,
        )
        assert [goal[k] for k in ("statement", "metric", "baseline", "target")] == [hostile] * 4
        assert app.is_running


@pytest.fixture(params=HOSTILE)
def hostile(request: pytest.FixtureRequest) -> str:
    return request.param


async def test_loaded_from_a_file_every_screen_shows_it(store: Store, hostile: str) -> None:
    iteration = make_iteration(title=hostile)
    iteration.stakeholders.notes = hostile
    iteration.stakeholders.people.append(Person(name=hostile, role=hostile))
    iteration.scope[0].note = hostile
    goal = iteration.goals[0]
    goal.statement = goal.metric = goal.evidence = hostile
    goal.actions.append(Action(title=hostile, owner=hostile))
    iteration.set_target("managing-anomalies", Lens.ADOPTION, 2)
    iteration.review.went_well = iteration.review.improve = hostile
    store.save(iteration)
    before = store.path_of(iteration.id).read_bytes()
    app = make_app(store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        if hostile == MARKUP:
            assert MARKUP in str(app.screen.query_one("#iterations").get_row_at(0)[1])
        await open_step(pilot, Step.STAKEHOLDERS)
        for step in Step:
            app.show_step(step)
            await wait_until(pilot, lambda s=step: getattr(app.screen, "STEP", None) is s)
            await pilot.pause()
            assert app.is_running
        await pilot.press("ctrl+q")
    assert store.path_of(iteration.id).read_bytes() == before


async def test_markup_in_the_other_dialogs_and_the_retrospective(store: Store) -> None:
    """People, actions, outcomes and the retrospective take hostile text as data too."""
    from textual.widgets import Button

    store.save(make_iteration())
    app = make_app(store)

    async def fill_dialog(opener: str, values: dict[str, str]) -> None:
        await pilot.press(opener)
        await wait_until(pilot, lambda: shown(app, FormDialog))
        for key, value in values.items():
            app.screen.query_one(f"#field-{key}", Input).value = value
        app.screen.query_one("#save", Button).press()
        await wait_until(pilot, lambda: not isinstance(app.screen, FormDialog))

    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        app.screen.query_one("#people").focus()
        await fill_dialog("a", {"name": MARKUP, "role": MARKUP})
        app.show_step(Step.PLAN)
        await wait_until(pilot, lambda: getattr(app.screen, "STEP", None) is Step.PLAN)
        await pilot.pause()
        await fill_dialog("a", {"title": MARKUP, "owner": MARKUP})
        app.show_step(Step.REVIEW)
        await wait_until(pilot, lambda: getattr(app.screen, "STEP", None) is Step.REVIEW)
        await pilot.pause()
        await fill_dialog("enter", {"evidence": MARKUP})
        for key in ("went_well", "went_poorly", "improve"):
            area = app.screen.query_one(f"#{key}", TextArea)
            area.clear()
            await paste(pilot, area, MARKUP)
        await wait_until(pilot, lambda: saved(store)["review"].get("went_poorly") == MARKUP)
        await wait_until(pilot, lambda: saved(store)["review"].get("improve") == MARKUP)
        assert app.is_running
    it = saved(store)
    assert without_ids(it["stakeholders"]["people"])[-1] == {"name": MARKUP, "role": MARKUP}
    assert it["goals"][0]["actions"][-1]["title"] == MARKUP
    assert it["goals"][0]["actions"][-1]["owner"] == MARKUP
    assert it["goals"][0]["evidence"] == MARKUP
    assert it["review"]["went_well"] == MARKUP
