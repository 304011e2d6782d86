"""Baselining a goal from cost data in the app: the figure lands on the goal in the file."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from textual.app import App
from textual.pilot import Pilot

from finops_tui.screens.baseline import BaselineDialog, PathSuggester
from finops_tui.steps import Step
from finops_tui.store import Store

from .conftest import make_iteration
from .ui import make_app, on_step, open_step, saved, type_text, wait_until

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
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, BaselineDialog))


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
        await wait_until(pilot, lambda: isinstance(app.screen, BaselineDialog))
        await type_text(pilot, SCENARIO_3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(saved(store)["goals"][1]["measurements"]) == 2)
        # The baseline stays the first figure.
        assert saved(store)["goals"][1]["baseline"].startswith("75.0%")


async def test_bad_data_is_explained_and_escape_leaves_the_goal_alone(
    store: Store, tmp_path: Path
) -> None:
    store.save(make_iteration())
    (tmp_path / "people.csv").write_text("Name,Team\nAna,x\n")
    app = make_app(store, export_dir=tmp_path)
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
    store.save(make_iteration())
    (tmp_path / "mixed.csv").write_text(
        "ChargePeriodStart,EffectiveCost,BillingCurrency,CommitmentDiscountStatus\n"
        "2025-01-01,3,USD,Used\n2025-01-01,1,EUR,Used\n2025-01-01,1,EUR,Unused\n"
    )
    app = make_app(store, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await compute_from(pilot, "mixed.csv")
        await wait_until(pilot, lambda: "currency field" in status(app))
        assert "(EUR, USD)" in status(app)
        await pilot.press("tab", "tab")  # past the KPI to the currency
        await type_text(pilot, "eur")
        await pilot.press("enter")
        await wait_until(pilot, lambda: saved(store)["goals"][1].get("measurements"))
    assert saved(store)["goals"][1]["measurements"][0]["value"] == 0.5
