"""The tidy history: one row per iteration × scoped capability × lens, for pivot tables."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from finops_tui.lenses import LENSES

if TYPE_CHECKING:
    from finops_tui.model import Iteration

COLUMNS = [
    "iteration_id", "number", "title", "starts", "ends", "status",
    "capability_id", "capability", "domain", "lens",
    "level_start", "target", "reached", "goal_id", "outcome",
    "weight", "target_score",
    "goal_statement", "goal_metric", "goal_baseline", "goal_target", "goal_due",
]  # fmt: skip


def history_rows(iterations: Sequence[Iteration]) -> Iterator[dict[str, Any]]:
    """Rows oldest iteration first, capabilities in scope order, lenses in order."""
    for iteration in sorted(iterations, key=lambda it: (it.number, it.starts, it.id)):
        yield from iteration_rows(iteration)


def iteration_rows(iteration: Iteration) -> Iterator[dict[str, Any]]:
    """The rows of one iteration: its scoped capabilities in order, each lens in order.

    Without the framework's catalogue, a capability is named by its id, with no domain.
    """
    from finops_tui.export.report import capability_info

    for capability_id in iteration.capabilities:
        capability, domain = capability_info(iteration.framework, capability_id)
        weights = iteration.lens_weights(capability_id)
        target_score = iteration.target_score(capability_id)
        for lens in LENSES:
            goals = iteration.goals_of(capability_id, lens)
            goal = goals[0] if goals else None
            yield {
                "iteration_id": iteration.id,
                "number": iteration.number,
                "title": iteration.title,
                "starts": iteration.starts.isoformat(),
                "ends": iteration.ends.isoformat(),
                "status": iteration.status.value,
                "capability_id": capability_id,
                "capability": capability.name if capability else capability_id,
                "domain": domain,
                "lens": lens.value,
                "level_start": iteration.level(capability_id, lens),
                "target": goal.to_level if goal else None,
                "reached": goal.reached_level if goal else None,
                "goal_id": goal.id if goal else None,
                "outcome": goal.outcome.value if goal and goal.outcome else None,
                "weight": weights[lens],
                "target_score": target_score,
                # What the goal is, so a spreadsheet shows more than "g1".
                "goal_statement": goal.statement if goal else None,
                "goal_metric": goal.metric if goal else None,
                "goal_baseline": goal.baseline if goal else None,
                "goal_target": goal.target if goal else None,
                "goal_due": goal.due.isoformat() if goal and goal.due else None,
            }
