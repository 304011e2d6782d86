"""The iteration model: every rule of the file format, and the values derived from it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from finops_tui.lenses import Lens
from finops_tui.model import (
    ActionStatus,
    Iteration,
    Outcome,
    Status,
    WarningKind,
    describe_errors,
)

from .conftest import NOW, make_iteration


def document(**changes: Any) -> dict[str, Any]:
    doc = make_iteration().to_document()
    doc.update(changes)
    return doc


def rejected(doc: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        Iteration.from_document(doc)
    return "\n".join(describe_errors(info.value))


def test_the_example_is_valid_and_round_trips(iteration: Iteration) -> None:
    assert Iteration.from_document(iteration.to_document()) == iteration


def test_document_keeps_the_documented_key_order(iteration: Iteration) -> None:
    assert list(iteration.to_document()) == [
        "schema_version", "id", "number", "title", "status", "framework", "starts", "ends",
        "created", "updated", "previous", "stakeholders", "scope", "levels", "goals", "review",
    ]  # fmt: skip
    goal = iteration.to_document()["goals"][0]
    assert list(goal)[:5] == ["id", "capability", "lens", "from_level", "to_level"]
    assert list(goal)[-1] == "actions"


def _unscoped(doc: dict[str, Any]) -> None:
    doc["levels"] = {}
    doc["goals"] = []


def _set(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc.update(changes)


def _level(value: Any, capability: str = "budget-management") -> Callable[[dict], None]:
    return lambda doc: doc["levels"].setdefault(capability, {}).update(metrics=value)


def _scope(*capabilities: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        _unscoped(doc)
        doc["scope"] = [{"capability": c} for c in capabilities]

    return change


def _person(**person: Any) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc["stakeholders"].update(people=[person])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_level(7), "levels.budget-management.metrics: Input should be less than or equal to 4"),
        (_level(-1), "greater than or equal to 0"),
        (_level("2"), "valid integer"),
        (_level(True), "valid integer"),
        (_level(1, "forecasting"), "levels.forecasting: capability is not in scope"),
        (_set(id="../../etc/passwd"), "is not valid"),
        (_set(id="Has-Capitals"), "is not valid"),
        (_set(id="x" * 65), "is not valid"),
        (_set(previous="a/b"), "previous"),
        (_set(schema_version=99), "newer than this finops-tui understands"),
        (_set(schema_version=0), "schema_version must be 1"),
        (_set(status="done"), "status"),
        (_set(number=0), "number"),
        (_set(framework="../finops-2023"), "framework '../finops-2023' is not valid"),
        (_set(ends=date(2026, 11, 1)), "is before starts"),
        (_set(starts="yesterday"), "starts"),
        (_scope("no-such-thing"), "not in the finops-2023 catalogue"),
        (_scope("forecasting", "forecasting"), "listed twice"),
        (_person(name="  "), "a person needs a name"),
        (_person(name="A", group="legal"), "group"),
    ],
)
def test_rules_reject_bad_files_with_a_message_naming_the_rule(
    change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    doc = document()
    change(doc)
    assert expected in rejected(doc)


def goal_doc(**changes: Any) -> dict[str, Any]:
    doc = document()
    doc["goals"][0].update(changes)
    return doc


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"to_level": 1}, "to_level (1) must be above from_level (1)"),
        ({"to_level": 5}, "goals[0].to_level"),
        ({"from_level": 0}, "must equal the current level (1) in levels.budget-management.metrics"),
        ({"capability": "forecasting"}, "goals[0] (g1): capability 'forecasting' is not in scope"),
        ({"lens": "vibes"}, "goals[0].lens"),
        ({"id": "g2"}, "goal id is used twice"),
        ({"outcome": "great"}, "goals[0].outcome"),
        ({"reached_level": 9}, "goals[0].reached_level"),
        ({"due": "soon"}, "goals[0].due"),
    ],
)
def test_goal_rules(change: dict[str, Any], expected: str) -> None:
    assert expected in rejected(goal_doc(**change))


def test_action_status_is_checked() -> None:
    doc = document()
    doc["goals"][0]["actions"][0]["status"] = "someday"
    assert "goals[0].actions[0].status" in rejected(doc)


def test_missing_required_keys_are_named() -> None:
    doc = document()
    for key in ("id", "number", "starts", "ends", "created", "updated"):
        del doc[key]
    message = rejected(doc)
    for key in ("id", "number", "starts", "ends", "created", "updated"):
        assert f"{key}: Field required" in message


def test_unknown_keys_are_kept_everywhere() -> None:
    doc = document(owner_team="platform")
    doc["stakeholders"]["sponsor"] = "CFO"
    doc["goals"][0]["priority"] = 1
    doc["goals"][0]["actions"][0]["ticket"] = {"system": "jira", "key": "FIN-1"}
    doc["review"]["mood"] = ["good", "tired"]
    again = Iteration.from_document(doc).to_document()
    assert again["owner_team"] == "platform"
    assert again["stakeholders"]["sponsor"] == "CFO"
    assert again["goals"][0]["priority"] == 1
    assert again["goals"][0]["actions"][0]["ticket"] == {"system": "jira", "key": "FIN-1"}
    assert again["review"]["mood"] == ["good", "tired"]


def test_naive_timestamps_are_read_as_utc() -> None:
    it = Iteration.from_document(document(created=NOW.replace(tzinfo=None)))
    assert it.created == NOW


def test_scoped_capabilities_without_levels_start_at_zero() -> None:
    doc = document()
    del doc["levels"]["managing-anomalies"]
    it = Iteration.from_document(doc)
    assert it.levels["managing-anomalies"].total() == 0
    assert list(it.levels) == it.capabilities


# -- derived values -----------------------------------------------------------------------------


def test_goals_of_a_cell_and_targets(iteration: Iteration) -> None:
    assert [g.id for g in iteration.goals_of("budget-management", Lens.METRICS)] == ["g1"]
    assert iteration.goals_of("budget-management", Lens.PROCESS) == []
    assert iteration.target("budget-management", Lens.METRICS) == 2
    assert iteration.target("budget-management", Lens.PROCESS) is None


def test_scores(iteration: Iteration) -> None:
    score = iteration.capability_score("budget-management")
    assert (score.points, score.maximum) == (4, 20)
    assert score.percent == 20.0
    total = iteration.score()
    assert (total.points, total.maximum) == (4 + 1 + 4, 60)
    assert total.percent == pytest.approx(15.0)


def test_end_score_uses_the_levels_reached(iteration: Iteration) -> None:
    iteration.goal("g1").reached_level = 3
    assert iteration.capability_score("budget-management", at_end=True).points == 6
    assert iteration.capability_score("budget-management").points == 4


def test_first_iteration(iteration: Iteration) -> None:
    assert not iteration.is_first
    iteration.previous = None
    assert iteration.is_first


def test_goals_achieved(iteration: Iteration) -> None:
    assert iteration.goals_achieved() == (0, 2)
    iteration.goal("g1").outcome = Outcome.ACHIEVED
    iteration.goal("g2").outcome = Outcome.PARTLY
    assert iteration.goals_achieved() == (1, 2)


def kinds(iteration: Iteration, previous: Iteration | None = None) -> set[WarningKind]:
    return {w.kind for w in iteration.warnings(previous)}


def test_warnings_scope_size_on_a_first_iteration(iteration: Iteration) -> None:
    iteration.previous = None
    assert WarningKind.SCOPE_SIZE not in kinds(iteration)
    iteration.set_scope(["forecasting", "budget-management"])
    assert WarningKind.SCOPE_SIZE in kinds(iteration)
    iteration.set_scope([c.id for c in _catalog().capabilities][:6])
    assert WarningKind.SCOPE_SIZE in kinds(iteration)


def test_warnings_scope_growth_on_a_later_iteration(iteration: Iteration) -> None:
    previous = make_iteration(id="2026-10-01-ab12", number=2)
    assert WarningKind.SCOPE_SIZE not in kinds(iteration, previous)
    iteration.set_scope([*previous.capabilities, "forecasting", "cost-allocation"])
    assert WarningKind.SCOPE_GROWTH not in kinds(iteration, previous)
    iteration.set_scope([*iteration.capabilities, "finops-culture"])
    assert WarningKind.SCOPE_GROWTH in kinds(iteration, previous)


def test_warnings_goal_count(iteration: Iteration) -> None:
    assert not kinds(iteration) & {WarningKind.NO_GOALS, WarningKind.TOO_MANY_GOALS}
    for lens in (Lens.PROCESS, Lens.ADOPTION):
        iteration.set_target("managing-anomalies", lens, 2)
    assert WarningKind.TOO_MANY_GOALS in kinds(iteration)
    iteration.goals = []
    assert WarningKind.NO_GOALS in kinds(iteration)


def test_warnings_long_iteration(iteration: Iteration) -> None:
    iteration.ends = iteration.starts + timedelta(weeks=13)
    assert WarningKind.LONG_ITERATION not in kinds(iteration)
    iteration.ends = iteration.starts + timedelta(weeks=13, days=1)
    assert WarningKind.LONG_ITERATION in kinds(iteration)


# -- editing keeps the rules ---------------------------------------------------------------------


def test_set_level_moves_goals_and_drops_reached_ones(iteration: Iteration) -> None:
    iteration.set_target("budget-management", Lens.METRICS, 3)
    iteration.set_level("budget-management", Lens.METRICS, 2)
    assert iteration.goal("g1").from_level == 2
    iteration.set_level("budget-management", Lens.METRICS, 3)
    assert iteration.goals_of("budget-management", Lens.METRICS) == []
    iteration.validated()
    with pytest.raises(ValueError, match="0-4"):
        iteration.set_level("budget-management", Lens.METRICS, 5)


def test_set_target_creates_moves_and_removes_goals(iteration: Iteration) -> None:
    goal = iteration.set_target("managing-anomalies", Lens.AUTOMATION, 1)
    assert goal is not None and (goal.id, goal.from_level, goal.to_level) == ("g3", 0, 1)
    assert iteration.set_target("managing-anomalies", Lens.AUTOMATION, 3) is goal
    assert goal.to_level == 3
    assert iteration.set_target("managing-anomalies", Lens.AUTOMATION, 0) is None
    assert iteration.goals_of("managing-anomalies", Lens.AUTOMATION) == []
    iteration.validated()


def test_set_scope_drops_levels_and_goals_of_removed_capabilities(iteration: Iteration) -> None:
    iteration.set_scope(["forecasting", "budget-management"])
    assert iteration.capabilities == ["forecasting", "budget-management"]
    assert list(iteration.levels) == ["forecasting", "budget-management"]
    assert iteration.levels["budget-management"].metrics == 1
    assert [g.id for g in iteration.goals] == ["g1"]
    assert iteration.scope[1].note == "Budgets exist for prod only"
    with pytest.raises(KeyError):
        iteration.set_scope(["no-such-capability"])
    iteration.validated()


def test_close_and_reopen(iteration: Iteration) -> None:
    iteration.close(date(2026, 12, 26))
    assert iteration.read_only and iteration.review.closed == date(2026, 12, 26)
    iteration.reopen()
    assert not iteration.read_only and iteration.status is Status.ACTIVE
    assert iteration.review.closed is None


def test_start_next_carries_scope_and_reached_levels(iteration: Iteration) -> None:
    iteration.goal("g1").reached_level = 2
    iteration.goal("g1").outcome = Outcome.ACHIEVED
    iteration.close(date(2026, 12, 26))
    nxt = iteration.start_next("2026-12-27-zz99", 4, date(2026, 12, 27), now=NOW)
    assert nxt.previous == iteration.id and nxt.number == 4
    assert nxt.capabilities == iteration.capabilities
    assert nxt.level("budget-management", Lens.METRICS) == 2
    assert nxt.level("commitment-based-discounts", Lens.KNOWLEDGE) == 1
    assert nxt.goals == [] and nxt.status is Status.PLANNING
    assert nxt.ends - nxt.starts == timedelta(weeks=4)
    assert nxt.stakeholders.people == iteration.stakeholders.people


def test_start_next_carries_unfinished_goals_on_request(iteration: Iteration) -> None:
    g1 = iteration.goal("g1")
    g1.outcome, g1.reached_level = Outcome.PARTLY, 1
    iteration.goal("g2").outcome = Outcome.ACHIEVED
    nxt = iteration.start_next("2026-12-27-zz99", 4, date(2026, 12, 27), carry_unfinished=True)
    [carried] = nxt.goals
    assert (carried.capability, carried.lens, carried.from_level, carried.to_level) == (
        "budget-management", Lens.METRICS, 1, 2,
    )  # fmt: skip
    assert carried.outcome is None and carried.statement == g1.statement
    assert [a.title for a in carried.actions] == ["Share the variance report"]
    assert all(a.status is ActionStatus.TODO for a in carried.actions)


def _catalog():
    from finops_tui.catalog import load_catalog

    return load_catalog()
