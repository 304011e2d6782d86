"""The assessment's parameters per scoped capability: lens weights (weighted score beside the
plain one) and a target score ("target 12/20 met / 3 to go"), and their round trip."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from finops_tui.lenses import Lens
from finops_tui.model import Iteration, Levels, Outcome, TargetProgress, describe_errors
from finops_tui.store import Store

from .conftest import make_iteration

K, P, M, A, AU = Lens.KNOWLEDGE, Lens.PROCESS, Lens.METRICS, Lens.ADOPTION, Lens.AUTOMATION
BUDGET = "budget-management"  # levels 2, 1, 1, 0, 0 in the example iteration


def test_without_weights_the_weighted_score_is_the_plain_score(iteration: Iteration) -> None:
    assert iteration.lens_weights(BUDGET) == {K: 1, P: 1, M: 1, A: 1, AU: 1}
    assert iteration.weighted_score(BUDGET) == iteration.capability_score(BUDGET)
    assert iteration.weighted_score() == iteration.score()
    assert not iteration.has_weights()


def test_weighted_score_on_a_hand_made_case(iteration: Iteration) -> None:
    iteration.set_lens_weights(BUDGET, {Lens.METRICS: 3, "automation": 0})
    assert iteration.lens_weights(BUDGET) == {K: 1, P: 1, M: 3, A: 1, AU: 0}
    # 2×1 + 1×1 + 1×3 + 0×1 + 0×0 = 6 out of 4×(1+1+3+1+0) = 24
    score = iteration.weighted_score(BUDGET)
    assert (score.points, score.maximum, score.percent) == (6, 24, 25.0)
    assert iteration.capability_score(BUDGET).percent == 20.0  # the plain score is unchanged
    # The whole iteration: 6/24 + 1/20 (commitments) + 4/20 (anomalies) = 11/64.
    total = iteration.weighted_score()
    assert (total.points, total.maximum) == (11, 64)
    # At the end, the levels reached count: g1 took metrics from 1 to 2, worth 3 points.
    iteration.goal("g1").reached_level = 2
    assert iteration.weighted_score(BUDGET, at_end=True).points == 9
    iteration.set_lens_weight(BUDGET, Lens.PROCESS, 2)
    assert iteration.lens_weights(BUDGET)[P] == 2 and iteration.weighted_score(BUDGET).points == 7
    assert iteration.has_weights()


def test_weights_back_to_one_leave_no_trace(iteration: Iteration) -> None:
    iteration.set_lens_weights(BUDGET, {M: 3})
    iteration.set_lens_weights(BUDGET, {M: 1})
    assert iteration.scope[0].weights is None
    iteration.set_lens_weights(BUDGET, {M: 2})
    iteration.set_lens_weights(BUDGET, None)
    assert iteration.scope[0].weights is None
    assert "weights" not in iteration.to_document()["scope"][0]


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({M: 6}, "a weight is 0-5, not 6 (metrics)"),
        ({M: -1}, "a weight is 0-5, not -1"),
        ({M: True}, "a weight is a whole number"),
        ({M: 1.5}, "a weight is a whole number"),
        (dict.fromkeys(Lens, 0), "at least one lens needs a weight above 0"),
        ({"vibes": 1}, "'vibes' is not a valid Lens"),
    ],
)
def test_bad_weights_are_refused_and_change_nothing(
    iteration: Iteration, weights: dict[Any, Any], message: str
) -> None:
    iteration.set_lens_weights(BUDGET, {K: 2})
    with pytest.raises(ValueError) as info:
        iteration.set_lens_weights(BUDGET, weights)
    assert message in str(info.value)
    assert iteration.lens_weights(BUDGET) == {K: 2, P: 1, M: 1, A: 1, AU: 1}


def test_weights_and_targets_need_a_scoped_capability(iteration: Iteration) -> None:
    with pytest.raises(KeyError, match="'forecasting' is not in scope"):
        iteration.set_lens_weights("forecasting", {M: 2})
    with pytest.raises(KeyError, match="not in scope"):
        iteration.set_target_score("forecasting", 12)


def test_target_score_met_or_to_go(iteration: Iteration) -> None:
    assert iteration.target_progress(BUDGET) is None
    assert iteration.targets_met() == (0, 0)
    iteration.set_target_score(BUDGET, 7)  # the plain score is 4
    progress = iteration.target_progress(BUDGET)
    assert progress == TargetProgress(score=4, target=7)
    assert (progress.met, progress.to_go, str(progress)) == (False, 3, "target 7/20: 3 to go")
    iteration.set_target_score("managing-anomalies", 4)  # its score is 4: met
    assert str(iteration.target_progress("managing-anomalies")) == "target 4/20 met"
    assert iteration.targets_met() == (1, 2)
    # Reaching levels at the review moves the end score, not the start score.
    iteration.levels[BUDGET] = Levels(knowledge=2, process=1, metrics=1)
    iteration.goal("g1").outcome, iteration.goal("g1").reached_level = Outcome.ACHIEVED, 4
    assert str(iteration.target_progress(BUDGET, at_end=True)) == "target 7/20 met"
    assert iteration.targets_met(at_end=True) == (2, 2)
    assert str(TargetProgress(score=9, target=12)) == "target 12/20: 3 to go"
    iteration.set_target_score(BUDGET, None)
    assert iteration.target_progress(BUDGET) is None


@pytest.mark.parametrize("bad", [0, 21, -3, True, 12.0, "12"])
def test_bad_target_scores_are_refused(iteration: Iteration, bad: Any) -> None:
    with pytest.raises(ValueError, match="a target score is 1-20"):
        iteration.set_target_score(BUDGET, bad)
    assert iteration.target_score(BUDGET) is None


def test_weights_and_target_round_trip_through_the_file(store: Store) -> None:
    iteration = make_iteration()
    iteration.set_lens_weights(BUDGET, {M: 3, AU: 0})
    iteration.set_target_score(BUDGET, 12)
    iteration.set_target_score("managing-anomalies", 6)
    store.save(iteration)
    text = store.path_of(iteration.id).read_text(encoding="utf-8")
    assert (
        '[[scope]]\ncapability = "budget-management"\nnote = "Budgets exist for prod only"\n'
        "target_score = 12\n\n[scope.weights]\nknowledge = 1\nprocess = 1\nmetrics = 3\n"
        "adoption = 1\nautomation = 0\n\n[[scope]]\n"
    ) in text
    loaded = store.load(iteration.id)
    assert loaded == iteration
    assert loaded.lens_weights(BUDGET)[M] == 3 and loaded.target_score("managing-anomalies") == 6
    assert store.render(loaded) == store.render(iteration)  # same data, same bytes
    assert store.save(loaded) is False


def test_old_files_without_the_keys_still_load(store: Store) -> None:
    iteration = make_iteration()
    store.save(iteration)
    text = store.path_of(iteration.id).read_text(encoding="utf-8")
    assert "weights" not in text and "target_score" not in text
    loaded = store.load(iteration.id)
    assert loaded.target_score(BUDGET) is None and not loaded.has_weights()


def scope_doc(**changes: Any) -> dict[str, Any]:
    doc = make_iteration().to_document()
    doc["scope"][0].update(changes)
    return doc


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"target_score": 25}, "scope[0].target_score: Input should be less than or equal to 20"),
        ({"target_score": "12"}, "scope[0].target_score"),
        ({"weights": {"metrics": 9}}, "scope[0].weights.metrics"),
        ({"weights": {"metrics": 1.5}}, "scope[0].weights.metrics"),
        (
            {"weights": dict.fromkeys(("knowledge", "process", "metrics", "adoption",
                                       "automation"), 0)},
            "at least one lens needs a weight above 0",
        ),
    ],
)  # fmt: skip
def test_a_file_with_bad_weights_or_target_is_rejected_naming_the_key(
    changes: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ValidationError) as info:
        Iteration.from_document(scope_doc(**changes))
    assert expected in "\n".join(describe_errors(info.value))


def test_a_partial_weights_table_defaults_the_other_lenses_to_one() -> None:
    it = Iteration.from_document(scope_doc(weights={"metrics": 2}))
    assert it.lens_weights(BUDGET) == {K: 1, P: 1, M: 2, A: 1, AU: 1}
