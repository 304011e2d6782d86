"""Starting the next iteration in the successor framework (finops-2023 → finops-2025): the
scope mapping, the levels (the lower one where capabilities merge) and the open goals."""

from __future__ import annotations

from datetime import date

import pytest

from finops_tui.catalog import CatalogError
from finops_tui.lenses import Lens
from finops_tui.migrate import plan_migration
from finops_tui.model import (
    Action,
    ActionStatus,
    Goal,
    Iteration,
    Levels,
    Outcome,
    ScopeItem,
    WarningKind,
)

from .conftest import NOW

K, P, M, A, AU = Lens.KNOWLEDGE, Lens.PROCESS, Lens.METRICS, Lens.ADOPTION, Lens.AUTOMATION


def closed_2023_iteration() -> Iteration:
    """A hand-made closed iteration on four 2023 capabilities, two of which merge in 2025."""
    it = Iteration(
        id="2026-10-01-ab12",
        number=1,
        framework="finops-2023",
        starts=date(2026, 10, 1),
        ends=date(2026, 10, 29),
        created=NOW,
        updated=NOW,
        scope=[
            ScopeItem(capability="cost-allocation", note="Tags on prod only"),
            ScopeItem(capability="managing-shared-cost", note="Platform team splits by hand"),
            ScopeItem(capability="commitment-based-discounts", target_score=8),
            ScopeItem(capability="finops-culture"),
        ],
        levels={
            "cost-allocation": Levels(knowledge=2, process=2, metrics=1, adoption=1),
            "managing-shared-cost": Levels(knowledge=1, process=2, metrics=2),
            "commitment-based-discounts": Levels(knowledge=1),
            "finops-culture": Levels(knowledge=2),
        },
        goals=[
            Goal(
                id="g1", capability="cost-allocation", lens=P, from_level=2, to_level=3,
                statement="Document the tagging process", outcome=Outcome.MISSED,
                actions=[
                    Action(title="Write the tag policy", status=ActionStatus.DONE),
                    Action(title="Review it with finance", status=ActionStatus.DOING),
                ],
            ),
            Goal(
                id="g2", capability="managing-shared-cost", lens=M, from_level=2, to_level=3,
                statement="Baseline unallocated shared cost",
            ),
            Goal(
                id="g3", capability="commitment-based-discounts", lens=K, from_level=1,
                to_level=2, outcome=Outcome.ACHIEVED, reached_level=2,
            ),
            Goal(
                id="g4", capability="finops-culture", lens=K, from_level=2, to_level=3,
                outcome=Outcome.PARTLY, reached_level=3,
            ),
        ],
    )  # fmt: skip
    it.set_lens_weights("cost-allocation", {M: 2})
    it.close(it.ends)
    return it


def test_the_plan_shows_the_mapping_and_the_lower_levels_taken() -> None:
    plan = plan_migration(closed_2023_iteration(), "finops-2025")
    assert plan.changes_framework
    assert [str(m) for m in plan.moves] == [
        "Cost allocation + Managing shared cost → Allocation",
        "Managing commitment-based discounts → Rate optimization",
        "Establishing a FinOps culture → FinOps education and enablement",
    ]
    assert [m.target for m in plan.moves] == [
        "allocation", "rate-optimization", "finops-education-enablement",
    ]  # fmt: skip
    # Allocation: the lower level of its two parts on each lens where they differ.
    assert [(m.lens, m.taken) for m in plan.merges] == [(K, 1), (M, 1), (A, 0)]
    assert str(plan.merges[0]) == (
        "Allocation · Knowledge: 1, the lower of Cost allocation 2, Managing shared cost 1"
    )
    levels = plan.levels["allocation"]
    assert [levels.get(lens) for lens in (K, P, M, A, AU)] == [1, 2, 1, 0, 0]
    # Levels are carried as reached: g3 took commitments to 2, g4 culture to 3.
    assert plan.levels["rate-optimization"].get(K) == 2
    assert plan.levels["finops-education-enablement"].get(K) == 3
    assert plan.unmapped == ()
    assert plan.parameters_reset == ("Allocation",)  # weights of its parts differed
    lines = plan.lines()
    assert lines[0] == "Cost allocation + Managing shared cost → Allocation"
    assert "Merged capabilities start at the lower level of their parts:" in lines
    assert lines[-1] == "Weights and target score reset (their parts differed): Allocation"
    moves = {m.goal_id: (m.target, m.carried) for m in plan.goal_moves}
    assert moves == {
        "g1": ("allocation", True),  # process 3 is still above the merged 2
        "g2": ("allocation", True),  # metrics 3 is above the merged 1
        "g4": ("finops-education-enablement", False),  # level 3 already reached
    }


def test_start_next_moves_scope_levels_and_open_goals_to_the_successors() -> None:
    old = closed_2023_iteration()
    nxt = old.start_next(
        "2026-11-01-cd34", 2, date(2026, 11, 1), carry_unfinished=True, now=NOW,
        framework="finops-2025",
    )  # fmt: skip
    assert nxt.framework == "finops-2025" and nxt.previous == old.id
    assert nxt.capabilities == ["allocation", "rate-optimization", "finops-education-enablement"]
    assert nxt.scope[0].note == "Tags on prod only\nPlatform team splits by hand"
    assert nxt.lens_weights("allocation") == dict.fromkeys((K, P, M, A, AU), 1)
    assert nxt.target_score("rate-optimization") == 8  # one part: its target comes along
    assert nxt.levels["allocation"] == Levels(knowledge=1, process=2, metrics=1)
    g1, g2 = nxt.goals
    assert (g1.capability, g1.lens, g1.from_level, g1.to_level) == ("allocation", P, 2, 3)
    assert g1.statement == "Document the tagging process" and g1.outcome is None
    assert [a.title for a in g1.actions] == ["Review it with finance"]  # open actions only
    assert (g2.capability, g2.lens, g2.from_level, g2.to_level) == ("allocation", M, 1, 3)
    assert [g.id for g in nxt.goals] == ["g1", "g2"]
    assert nxt.validated() == nxt
    # Without carrying, the goals stay behind; the mapping is the same.
    assert (
        old.start_next("2026-11-01-cd34", 2, date(2026, 11, 1), framework="finops-2025").goals == []
    )


def test_start_next_in_the_same_framework_is_unchanged() -> None:
    old = closed_2023_iteration()
    nxt = old.start_next("2026-11-01-cd34", 2, date(2026, 11, 1), carry_unfinished=True, now=NOW)
    assert nxt.framework == "finops-2023"
    assert nxt.capabilities == old.capabilities
    assert nxt.levels["managing-shared-cost"] == Levels(knowledge=1, process=2, metrics=2)
    assert nxt.lens_weights("cost-allocation")[M] == 2
    assert [(g.capability, g.lens) for g in nxt.goals] == [
        ("cost-allocation", P), ("managing-shared-cost", M),
    ]  # fmt: skip
    plan = plan_migration(old, "finops-2023")
    assert not plan.changes_framework and plan.merges == () and plan.lines() == []


def test_only_a_successor_framework_can_be_moved_to() -> None:
    old = closed_2023_iteration()
    nxt = old.start_next("2026-11-01-cd34", 2, date(2026, 11, 1), framework="finops-2025")
    with pytest.raises(ValueError, match="finops-2023 does not succeed finops-2025"):
        plan_migration(nxt, "finops-2023")
    with pytest.raises(CatalogError, match="not installed"):
        plan_migration(old, "team-2027")


def test_two_open_goals_landing_in_one_cell_are_both_kept_and_said() -> None:
    old = closed_2023_iteration()
    old.reopen()
    old.set_target("managing-shared-cost", P, 4)  # a second goal on process, from 2 to 4
    plan = plan_migration(old, "finops-2025")
    assert plan.shared_cells() == {("allocation", P): 2}
    assert plan.lines()[-1] == "2 open goals now share Allocation · Process"
    nxt = old.start_next("2026-11-01-cd34", 2, date(2026, 11, 1), carry_unfinished=True,
                         framework="finops-2025")  # fmt: skip
    assert [(g.capability, g.lens, g.to_level) for g in nxt.goals_of("allocation", P)] == [
        ("allocation", P, 3), ("allocation", P, 4),
    ]  # fmt: skip
    assert nxt.target("allocation", P) == 4


def test_moving_to_the_successor_is_not_counted_as_added_scope() -> None:
    old = closed_2023_iteration()
    nxt = old.start_next("2026-11-01-cd34", 2, date(2026, 11, 1), framework="finops-2025")
    kinds = [w.kind for w in nxt.warnings(old)]
    assert WarningKind.SCOPE_GROWTH not in kinds
    nxt.set_scope([*nxt.capabilities, "budgeting", "forecasting", "benchmarking"])
    [growth] = [w for w in nxt.warnings(old) if w.kind is WarningKind.SCOPE_GROWTH]
    assert growth.message.startswith("3 capabilities added")
