"""Baselining a goal from cost data in the app: the figure lands on the goal in the file."""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.message import Message
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import Input

from finops_tui.focus.measure import Measured, Measuring
from finops_tui.focus.reader import FocusError
from finops_tui.screens.baseline import BaselineDialog, PathSuggester
from finops_tui.steps import Step
from finops_tui.store import Store

from .conftest import make_iteration
from .ui import make_app, on_step, open_step, saved, shown, type_text, wait_until

SCENARIOS = (
    Path(__file__).parent
    / "data" / "focus" / "FOCUS_Spec-v1.2" / "specification" / "data"
    / "commitment_discount_scenarios"
)  # fmt: skip
SCENARIO_3 = "commitment_discount_usage_scenario_3.csv"  # 75 % utilization


async def open_dialog_on_g2(pilot: Pilot) -> None:
    """From home: the goal matrix, the cell of goal g2, and its baseline dialog."""
    await open_step(pilot, Step.GOALS)
    await pilot.press("down", "b")  # goal g2: commitment-based discounts · knowledge
    await wait_until(pilot, lambda: shown(pilot.app, BaselineDialog))


def app_with_file(store: Store, folder: Path, name: str, text: str) -> App[None]:
    """The app on the example iteration, with a cost file `name` in `folder` to baseline."""
    store.save(make_iteration())
    (folder / name).write_text(text)
    return make_app(store, export_dir=folder)


async def compute_from(pilot: Pilot, file_name: str) -> None:
    """Open the dialog on goal g2, type a file name after the folder, and compute."""
    await open_dialog_on_g2(pilot)
    await type_text(pilot, file_name)
    await pilot.press("enter")


def status(app: App[None]) -> str:
    return str(app.screen.query_one("#status").render())


async def test_baseline_a_goal_then_measure_it_again_at_review(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store, export_dir=SCENARIOS)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await compute_from(pilot, SCENARIO_3)
        await wait_until(pilot, lambda: saved(store)["goals"][1].get("measurements"))
        goal = saved(store)["goals"][1]
        assert goal["kpi"] == "commitment-utilization"
        [measurement] = goal["measurements"]
        assert measurement["value"] == 0.75 and measurement["unit"] == "ratio"
        size = (SCENARIOS / SCENARIO_3).stat().st_size
        digest = hashlib.sha256((SCENARIOS / SCENARIO_3).read_bytes()).hexdigest()[:12]
        assert measurement["source"] == f"{SCENARIO_3} ({size:,} bytes, sha256:{digest})"
        assert isinstance(measurement["at"], datetime)
        assert goal["baseline"] == "75.0% (commitment-utilization, 2023-01-01..2023-01-01)"
        assert goal["metric"] == "Commitment utilization"
        assert "75.0%" in str(app.screen.query_one("#cell-detail").render())

        app.show_step(Step.REVIEW)
        await wait_until(pilot, lambda: on_step(app, Step.REVIEW))
        await pilot.press("down", "m")
        await wait_until(pilot, lambda: shown(app, BaselineDialog))
        # Measuring again asks the same question: the file and the KPI are filled in.
        assert app.screen.query_one("#path").value == str(SCENARIOS / SCENARIO_3)
        assert app.screen.query_one("#kpi").value == "commitment-utilization"
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(saved(store)["goals"][1]["measurements"]) == 2)
        first, again = saved(store)["goals"][1]["measurements"]
        assert again["kpi"] == first["kpi"] == "commitment-utilization"
        assert again["path"] == first["path"] == str(SCENARIOS / SCENARIO_3)
        # The baseline stays the first figure; the review shows both side by side.
        assert saved(store)["goals"][1]["baseline"].startswith("75.0%")
        await wait_until(pilot, lambda: on_step(app, Step.REVIEW))
        table = app.screen.query_one("#outcomes")
        assert str(table.get_row_at(1)[3]) == "75.0% → 75.0%"
        assert any("75.0% → 75.0%" in n.message for n in app._notifications)


async def test_bad_data_is_explained_and_escape_leaves_the_goal_alone(
    store: Store, tmp_path: Path
) -> None:
    app = app_with_file(store, tmp_path, "people.csv", "Name,Team\nAna,x\n")
    async with app.run_test(size=(80, 24)) as pilot:
        await compute_from(pilot, "people.csv")
        await wait_until(pilot, lambda: "missing the column" in status(app))
        assert isinstance(app.screen, BaselineDialog)  # still open, to try another file
        await pilot.press("escape")
        await wait_until(pilot, lambda: on_step(app, Step.GOALS))
    assert "measurements" not in saved(store)["goals"][1]


async def test_a_cell_without_a_goal_asks_for_a_target_first(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_step(pilot, Step.GOALS)
        await pilot.press("b")  # budget management · knowledge has no goal
        await wait_until(
            pilot, lambda: any("Raise the target" in n.message for n in app._notifications)
        )
        assert on_step(app, Step.GOALS)


async def test_paths_complete_to_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "costs-2026.csv").write_text("x")
    (tmp_path / "exports").mkdir()
    suggester = PathSuggester()
    assert await suggester.get_suggestion(f"{tmp_path}/co") == f"{tmp_path}/costs-2026.csv"
    assert await suggester.get_suggestion(f"{tmp_path}/ex") == f"{tmp_path}/exports/"
    assert await suggester.get_suggestion(f"{tmp_path}/zz") is None
    assert await suggester.get_suggestion("/no/such/dir/x") is None


async def test_mixed_currencies_ask_for_the_currency_field(store: Store, tmp_path: Path) -> None:
    app = app_with_file(
        store, tmp_path, "mixed.csv",
        "ChargePeriodStart,EffectiveCost,BillingCurrency,CommitmentDiscountStatus\n"
        "2025-01-01,3,USD,Used\n2025-01-01,1,EUR,Used\n2025-01-01,1,EUR,Unused\n",
    )  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await compute_from(pilot, "mixed.csv")
        await wait_until(pilot, lambda: "currency field" in status(app))
        assert "(EUR, USD)" in status(app)
        await pilot.press("tab", "tab")  # past the KPI to the currency
        await type_text(pilot, "eur")
        await pilot.press("enter")
        await wait_until(pilot, lambda: saved(store)["goals"][1].get("measurements"))
    assert saved(store)["goals"][1]["measurements"][0]["value"] == 0.5


async def test_rejected_rows_are_shown_and_no_figure_is_kept(store: Store, tmp_path: Path) -> None:
    app = app_with_file(
        store, tmp_path, "bad.csv",
        "ChargePeriodStart,EffectiveCost,CommitmentDiscountStatus\n"
        "2025-01-01,3,Used\n2025-01-01,12 USD,Used\n2025-01-01,1,Unused\n",
    )  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await compute_from(pilot, "bad.csv")
        await wait_until(pilot, lambda: "rejected" in status(app))
        assert status(app).startswith(
            "1 row was rejected (first: bad.csv line 3: EffectiveCost '12 USD' is not a number)"
        )
        assert isinstance(app.screen, BaselineDialog)
        assert not app.screen.query_one("#compute").disabled  # another file can be tried
    assert "measurements" not in saved(store)["goals"][1]


class DialogOnly(App[None]):
    """The baseline dialog alone, on a file in `folder`: quicker than the whole app."""

    def __init__(self, folder: Path, name: str) -> None:
        super().__init__()
        self.folder, self.file_name = folder, name
        self.results: list[Measured | None] = []

    def on_mount(self) -> None:
        dialog = BaselineDialog("Baseline", ["commitment-utilization"], self.folder)
        self.push_screen(dialog, self.results.append)

    async def compute(self, pilot: Pilot) -> None:
        await wait_until(pilot, lambda: isinstance(self.screen, BaselineDialog))
        path = self.screen.query_one("#path", Input)
        path.value = str(self.folder / self.file_name)
        path.focus()
        await pilot.press("enter")


async def test_an_unexpected_failure_is_shown_not_waited_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: Measuring, *args: object, **kwargs: object) -> Measured:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Measuring, "run", broken)
    app = DialogOnly(SCENARIOS, SCENARIO_3)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.compute(pilot)
        await wait_until(pilot, lambda: "Unexpected error" in status(app))
        assert status(app) == "Unexpected error: RuntimeError: disk on fire"
        assert not app.screen.query_one("#progress").display
    assert app.results == []


async def test_a_budget_must_be_a_finite_amount() -> None:
    app = DialogOnly(SCENARIOS, SCENARIO_3)
    async with app.run_test(size=(80, 24)) as pilot:
        for budget, message in (
            ("nan", "Budget 'nan' is not a finite number"),
            ("-5", "Budget '-5' is negative"),
        ):
            await wait_until(pilot, lambda: shown(app, BaselineDialog))
            app.screen.query_one("#budget", Input).value = budget
            await app.compute(pilot)
            await wait_until(pilot, lambda message=message: status(app) == message)
    assert app.results == []


async def test_a_computation_ending_after_the_app_quit_never_blocks_its_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started, release, reported = threading.Event(), threading.Event(), threading.Event()
    posted: list[str] = []

    def slow(self: Measuring, *args: Any, **kwargs: Any) -> Measured:
        progress = args[3]
        started.set()
        release.wait(10)
        progress("Still reading…", 0.5)  # the dialog and the app are gone by now
        raise FocusError("too late")

    def post_message(self: BaselineDialog, message: Message) -> bool:
        queued = ModalScreen.post_message(self, message)  # returns at once, queued or not
        if threading.current_thread() is not threading.main_thread():
            posted.append(type(message).__name__)
            if isinstance(message, BaselineDialog.Failed):
                reported.set()
        return queued

    monkeypatch.setattr(Measuring, "run", slow)
    monkeypatch.setattr(BaselineDialog, "post_message", post_message)
    app = DialogOnly(SCENARIOS, SCENARIO_3)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.compute(pilot)
        await wait_until(pilot, started.is_set)
        threading.Timer(0.3, release.set).start()  # once the app is shutting down
    assert reported.wait(5)
    assert posted == ["Progressed", "Failed"]
