"""Progress across iterations: the definitions (start, end, score) on hand-made histories,
the comparison of two iterations, and the facts the history index keeps for them."""

from __future__ import annotations

import json
from datetime import date

import pytest

from finops_tui.lenses import Lens
from finops_tui.model import Iteration, Outcome, Status
from finops_tui.progress.compare import compare
from finops_tui.progress.facts import IterationFacts, facts_of
from finops_tui.progress.trend import Trend, UnknownCapabilityError, compute_trend

from .conftest import make_iteration
from .progress_history import team_history

K, P, M, A, AU = Lens


def trend_of(*iterations: Iteration, **options: object) -> Trend:
    return compute_trend([facts_of(it) for it in iterations], **options)  # type: ignore[arg-type]


def reviewed() -> Iteration:
    """The conftest iteration, reviewed: g1 (budget-management metrics 1 → 2) achieved,
    g2 (commitment-based-discounts knowledge 1 → 2) missed without a level reached."""
    it = make_iteration()
    it.record_outcome("g1", Outcome.ACHIEVED)
    it.record_outcome("g2", Outcome.MISSED)
    return it


# -- start, end, score ----------------------------------------------------------------------


def test_a_closed_iteration_ends_at_its_start_with_the_levels_reached_applied() -> None:
    it = reviewed()
    it.close(it.ends)
    budget = trend_of(it).capability("budget-management")
    [point] = budget.points
    assert point.iteration == it.id
    assert point.start == (2, 1, 1, 0, 0) and point.end == (2, 1, 2, 0, 0)
    assert (point.score_start, point.score_end) == (4, 5)
    [missed] = trend_of(it).capability("commitment-based-discounts").points
    assert missed.end == missed.start == (1, 0, 0, 0, 0)  # a missed goal leaves its cell


@pytest.mark.parametrize("status", [Status.PLANNING, Status.ACTIVE])
def test_the_end_is_unknown_until_the_iteration_is_closed(status: Status) -> None:
    it = reviewed()
    it.status = status
    trend = trend_of(it)
    for capability in trend.capabilities:
        [point] = capability.points
        assert point.end is None and point.score_end is None
    payload = trend.to_json()["capabilities"][0]["points"][0]
    assert payload["end"] is None and payload["score_end"] is None
    assert payload["start"] == {
        "knowledge": 2, "process": 1, "metrics": 1, "adoption": 0, "automation": 0,
    }  # fmt: skip


def test_each_goal_reached_level_is_applied_even_below_the_start() -> None:
    it = make_iteration()
    it.record_outcome("g1", Outcome.PARTLY, 1)  # metrics 1 → 2, reached 1: no move
    it.record_outcome("g2", Outcome.MISSED, 0)  # knowledge 1 → 2, found to be at 0
    it.close(it.ends)
    trend = trend_of(it)
    assert trend.capability("budget-management").points[0].end == (2, 1, 1, 0, 0)
    [point] = trend.capability("commitment-based-discounts").points
    assert (point.score_start, point.score_end) == (1, 0)


def test_goals_per_iteration_count_each_outcome_and_the_open_ones() -> None:
    first = reviewed()
    first.close(first.ends)
    second = first.start_next("2026-12-28-zz01", 4, date(2026, 12, 28), carry_unfinished=True)
    second.set_target("managing-anomalies", AU, 1)
    second.record_outcome(second.goals[0].id, Outcome.PARTLY, 1)
    trend = trend_of(second, first)  # any order in; oldest first out
    assert [h.number for h in trend.iterations] == [3, 4]
    assert [g.to_json() for g in trend.goals] == [
        {"iteration": first.id, "total": 2, "achieved": 1, "partly": 0, "missed": 1, "open": 0},
        {"iteration": second.id, "total": 2, "achieved": 0, "partly": 1, "missed": 0, "open": 1},
    ]


def test_a_capability_that_leaves_the_scope_and_comes_back_keeps_one_row() -> None:
    history = team_history()
    trend = trend_of(*history)
    showback = trend.capability("data-analysis-showback")
    assert [p.iteration for p in showback.points] == [history[0].id, history[2].id]
    assert [(p.score_start, p.score_end) for p in showback.points] == [(4, 4), (5, 6)]
    assert showback.point(history[1].id) is None
    assert [c.id for c in trend.capabilities].count("data-analysis-showback") == 1


def test_a_framework_change_gives_renamed_capabilities_rows_that_name_what_they_continue() -> None:
    trend = trend_of(*team_history())
    assert [c.id for c in trend.capabilities] == [
        "data-analysis-showback", "reporting-analytics",
        "cost-allocation", "managing-shared-cost", "allocation",
        "budget-management", "budgeting",
        "managing-anomalies", "anomaly-management",
        "unit-economics",
    ]  # fmt: skip
    allocation = trend.capability("allocation")
    assert allocation.successor_of == ("cost-allocation", "managing-shared-cost")
    # The catalogue's links are kept, also to capabilities this history never scoped.
    assert trend.capability("unit-economics").successor_of == ("measuring-unit-costs",)
    # "Start next" merged the two at the lower level of each lens: (2, 2, 2, 1, 0) and
    # (1, 1, 0, 0, 0).
    assert allocation.points[0].start == (1, 1, 0, 0, 0)
    assert trend.capability("budgeting").points[0].start == (2, 2, 1, 0, 0)


def test_a_capability_that_keeps_its_id_in_the_successor_framework_keeps_its_row() -> None:
    first = Iteration.new("2026-01-05-ff01", 1, date(2026, 1, 5))
    first.set_scope(["forecasting", "budget-management", "managing-anomalies"])
    first.set_level("forecasting", K, 2)
    first.set_target("forecasting", P, 1)
    first.record_outcome("g1", Outcome.ACHIEVED)
    first.close(first.ends)
    second = first.start_next("2026-02-09-ff02", 2, date(2026, 2, 9), framework="finops-2025")
    trend = trend_of(first, second)
    forecasting = trend.capability("forecasting")
    assert [p.iteration for p in forecasting.points] == [first.id, second.id]
    assert forecasting.points[1].start == forecasting.points[0].end == (2, 1, 0, 0, 0)
    assert forecasting.successor_of == ()
    assert trend.capability("budgeting").successor_of == ("budget-management",)


def test_the_assessment_weights_and_target_score_come_with_each_point() -> None:
    history = team_history()
    trend = trend_of(*history)
    first, second = trend.capability("budget-management").points[:2]
    assert first.weights is None and first.target_score is None and first.target_met is None
    assert second.weights == (1, 1, 3, 1, 1) and second.target_score == 6
    assert second.weighted_start == pytest.approx(100 * (2 + 1 + 3) / 28)
    assert second.target_met is False
    budgeting = trend.capability("budgeting").points[0]
    assert (budgeting.score_end, budgeting.target_score, budgeting.target_met) == (6, 6, True)
    payload = second.to_json()
    assert payload["weights"] == {
        "knowledge": 1, "process": 1, "metrics": 3, "adoption": 1, "automation": 1,
    }  # fmt: skip
    assert (payload["weighted_start"], payload["weighted_end"]) == (21.4, 21.4)
    assert (payload["target_score"], payload["target_met"]) == (6, False)


def test_measurements_over_time_name_their_iteration_goal_capability_and_kpi() -> None:
    history = team_history()
    trend = trend_of(*history)
    assert [m.to_json() for m in trend.measurements] == [
        {"iteration": history[0].id, "goal": "g1", "capability": "cost-allocation",
         "kpi": "tag-coverage", "at": "2026-01-06T09:00:00Z", "value": 0.41, "unit": "ratio"},
        {"iteration": history[0].id, "goal": "g1", "capability": "cost-allocation",
         "kpi": "tag-coverage", "at": "2026-01-30T09:00:00Z", "value": 0.63, "unit": "ratio"},
        {"iteration": history[3].id, "goal": "g7", "capability": "allocation",
         "kpi": "tag-coverage", "at": "2026-05-15T09:00:00Z", "value": 0.78, "unit": "ratio"},
        {"iteration": history[4].id, "goal": "g10", "capability": "anomaly-management",
         "kpi": "anomaly-days", "at": "2026-05-26T09:00:00Z", "value": 3.0, "unit": "days"},
    ]  # fmt: skip


def test_since_keeps_the_iterations_that_start_on_or_after_the_day() -> None:
    history = team_history()
    trend = trend_of(*history, since=history[3].starts)
    assert [h.number for h in trend.iterations] == [4, 5]
    assert "cost-allocation" not in [c.id for c in trend.capabilities]
    allocation = trend.capability("allocation")
    assert allocation.successor_of == ("cost-allocation", "managing-shared-cost")
    assert trend_of(*history, since=date(2030, 1, 1)).to_json() == {
        "iterations": [], "capabilities": [], "goals": [], "measurements": [],
    }  # fmt: skip


def test_asking_for_capabilities_brings_what_they_continue_and_what_continues_them() -> None:
    history = team_history()
    trend = trend_of(*history, capabilities=["allocation"])
    assert [c.id for c in trend.capabilities] == [
        "cost-allocation", "managing-shared-cost", "allocation",
    ]  # fmt: skip
    assert [g.total for g in trend.goals] == [1, 0, 1, 1, 0]
    assert {m.capability for m in trend.measurements} == {"cost-allocation", "allocation"}
    forward = trend_of(*history, capabilities=["cost-allocation"])
    assert [c.id for c in forward.capabilities] == ["cost-allocation", "allocation"]
    with pytest.raises(UnknownCapabilityError, match="no capability 'nope'"):
        trend_of(*history, capabilities=["nope"])


# -- the facts the history index keeps --------------------------------------------------------


def test_facts_survive_the_index_round_trip() -> None:
    for it in team_history():
        facts = facts_of(it)
        assert IterationFacts.from_json(json.loads(json.dumps(facts.to_json()))) == facts


def test_a_long_statement_is_kept_short_in_the_facts() -> None:
    it = make_iteration()
    it.describe_goal("g1", statement="x" * 5000)
    assert facts_of(it).goals[0].statement == "x" * 200


def _corrupt(path: tuple[object, ...], value: object) -> dict[str, object]:
    data = facts_of(team_history()[1]).to_json()
    target: object = data
    for step in path[:-1]:
        target = target[step]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    return data


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("number",), 0),
        (("number",), True),
        (("status",), "done"),
        (("starts",), "yesterday"),
        (("title",), None),
        (("capabilities",), {}),
        (("capabilities", 0), ["x"]),
        (("capabilities", 0, 4), [0, 0, 0, 0]),
        (("capabilities", 0, 4), [0, 0, 0, 0, 5]),
        (("capabilities", 0, 5), [0, 0, 0, 0, True]),
        (("capabilities", 0, 6), [0, 0, 0, 0, 6]),
        (("capabilities", 0, 7), 21),
        (("goals", 0, 2), "speed"),
        (("goals", 0, 5), "won"),
        (("goals", 0, 9), [["2026-01-01T00:00:00Z", "1", "x"]]),
    ],
)
def test_facts_that_cannot_be_trusted_are_refused(path: tuple[object, ...], value: object) -> None:
    with pytest.raises(ValueError):
        IterationFacts.from_json(_corrupt(path, value))


def test_facts_with_a_missing_or_extra_key_are_refused() -> None:
    data = facts_of(make_iteration()).to_json()
    with pytest.raises(ValueError):
        IterationFacts.from_json({k: v for k, v in data.items() if k != "goals"})
    with pytest.raises(ValueError):
        IterationFacts.from_json(data | {"extra": 1})


# -- what changed between two iterations ------------------------------------------------------


def test_compare_two_iterations_of_one_framework() -> None:
    history = [facts_of(it) for it in team_history()]
    cmp = compare(history[1], history[2])
    assert cmp.before.at_end and cmp.after.at_end  # both closed: their end levels
    assert [(s.kind, s.capability) for s in cmp.scope] == [
        ("kept", "cost-allocation"), ("kept", "budget-management"),
        ("kept", "managing-anomalies"), ("added", "data-analysis-showback"),
        ("added", "managing-shared-cost"),
    ]  # fmt: skip
    assert [(c.capability, c.lens, c.before, c.after, c.up) for c in cmp.levels] == [
        ("budget-management", P, 1, 2, True)
    ]
    assert [(s.capability, s.before, s.after) for s in cmp.scores] == [
        ("cost-allocation", 7, 7), ("budget-management", 4, 5), ("managing-anomalies", 3, 3),
    ]  # fmt: skip
    assert [(g.id, g.outcome) for g in cmp.goals_before] == [("g3", "missed"), ("g4", "achieved")]
    # The missed budget goal was carried over into the next iteration, keeping its id; goal
    # ids go on through the history, so an id is always one goal.
    assert [(g.id, g.outcome, g.continues) for g in cmp.goals_after] == [
        ("g3", "achieved", "g3"), ("g5", "achieved", None), ("g6", "partly", None),
    ]  # fmt: skip


def test_compare_sees_removed_capabilities_and_levels_going_down() -> None:
    first, second = team_history()[:2]
    second = second.model_copy(deep=True)
    second.set_level("cost-allocation", M, 1)  # reassessed lower than #1 reached
    cmp = compare(facts_of(first), facts_of(second))
    assert [(s.kind, s.capability) for s in cmp.scope if s.kind != "kept"] == [
        ("added", "managing-anomalies"), ("removed", "data-analysis-showback"),
    ]  # fmt: skip
    [down] = [c for c in cmp.levels if c.capability == "cost-allocation"]
    assert (down.lens, down.before, down.after, down.up) == (M, 2, 1, False)


def test_an_iteration_under_way_is_compared_at_its_start_levels() -> None:
    fourth, fifth = (facts_of(it) for it in team_history()[3:])
    cmp = compare(fourth, fifth)
    assert cmp.before.at_end and not cmp.after.at_end
    assert cmp.levels == ()  # #5 starts where #4 ended
    assert cmp.to_json()["to"]["levels"] == "start"
    assert [g.outcome for g in cmp.goals_after] == ["open", "open"]


def test_compare_across_a_framework_change_matches_successors_either_way_round() -> None:
    third, fourth = (facts_of(it) for it in team_history()[2:4])
    cmp = compare(third, fourth)
    moved = {s.capability: s.sources for s in cmp.scope if s.kind == "moved"}
    assert moved == {
        "allocation": ("cost-allocation", "managing-shared-cost"),
        "budgeting": ("budget-management",),
        "anomaly-management": ("managing-anomalies",),
        "reporting-analytics": ("data-analysis-showback",),
    }
    assert not cmp.scope_of("removed") and not cmp.scope_of("added")
    # A merged capability is compared with the lower level of its parts, as "start next" set it.
    assert [(c.capability, c.lens, c.before, c.after) for c in cmp.levels] == [
        ("allocation", AU, 0, 1), ("budgeting", P, 2, 3),
    ]  # fmt: skip
    back = compare(fourth, third)
    assert {s.capability: s.sources for s in back.scope if s.kind == "moved"} == {
        "cost-allocation": ("allocation",),
        "budget-management": ("budgeting",),
        "managing-anomalies": ("anomaly-management",),
        "data-analysis-showback": ("reporting-analytics",),
        "managing-shared-cost": ("allocation",),
    }
