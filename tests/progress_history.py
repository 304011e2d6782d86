"""A hand-made history of five iterations for the progress tests, golden files and the
README's picture: a capability leaving the scope and coming back, achieved, partly achieved
and missed goals, lens weights and a target score, KPI measurements, a move from the 2023 to
the 2025 framework (a merge and renames), and an iteration still under way."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from finops_tui.lenses import Lens
from finops_tui.model import Iteration, Measurement, Outcome, Status

K, P, M, A, AU = Lens


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def _levels(iteration: Iteration, capability: str, levels: tuple[int, ...]) -> None:
    for lens, level in zip(Lens, levels, strict=True):
        iteration.set_level(capability, lens, level)


def _goal(
    iteration: Iteration,
    capability: str,
    lens: Lens,
    target: int,
    statement: str,
    outcome: Outcome | None = None,
    reached: int | None = None,
) -> str:
    goal = iteration.set_target(capability, lens, target)
    assert goal is not None
    iteration.describe_goal(goal.id, statement=statement)
    if outcome is not None:
        iteration.record_outcome(goal.id, outcome, reached)
    return goal.id


def _measure(iteration: Iteration, goal_id: str, kpi: str, day: date, value: float,
             unit: str) -> None:  # fmt: skip
    iteration.record_measurement(
        goal_id,
        Measurement(at=_at(day), value=value, unit=unit, source="focus.parquet sha256:3f9a1c"),
        kpi=kpi,
        shown=str(value),
        metric=kpi,
    )


def _close(iteration: Iteration) -> None:
    iteration.status = Status.CLOSED
    iteration.review.closed = iteration.ends


def team_history() -> list[Iteration]:
    """Five iterations, oldest first; the last one is under way."""
    d1 = date(2026, 1, 5)
    first = Iteration.new("2026-01-05-aa01", 1, d1, now=_at(d1))
    first.title = "Get visibility of our cloud spend"
    first.set_scope(["data-analysis-showback", "cost-allocation", "budget-management"])
    _levels(first, "data-analysis-showback", (2, 1, 1, 0, 0))
    _levels(first, "cost-allocation", (2, 2, 0, 1, 0))
    _levels(first, "budget-management", (2, 1, 1, 0, 0))
    tags = _goal(first, "cost-allocation", M, 2, "Know the share of spend with an owner tag",
                 Outcome.ACHIEVED)  # fmt: skip
    _measure(first, tags, "tag-coverage", date(2026, 1, 6), 0.41, "ratio")
    _measure(first, tags, "tag-coverage", date(2026, 1, 30), 0.63, "ratio")
    _goal(first, "data-analysis-showback", A, 1, "Checkout looks at its cost every sprint",
          Outcome.PARTLY, 0)  # fmt: skip
    _close(first)

    d2 = date(2026, 2, 9)
    second = first.start_next("2026-02-09-aa02", 2, d2, now=_at(d2))
    second.title = "Budgets and anomalies"
    second.set_scope(["cost-allocation", "budget-management", "managing-anomalies"])
    _levels(second, "managing-anomalies", (1, 1, 0, 0, 0))
    second.set_lens_weight("budget-management", M, 3)
    second.set_target_score("budget-management", 6)
    _goal(second, "budget-management", P, 2, "A monthly budget review with finance",
          Outcome.MISSED)  # fmt: skip
    _goal(second, "managing-anomalies", M, 1, "Count the days with a cost jump",
          Outcome.ACHIEVED)  # fmt: skip
    _close(second)

    d3 = date(2026, 3, 16)
    third = second.start_next("2026-03-16-aa03", 3, d3, carry_unfinished=True, now=_at(d3))
    third.title = "Showback again, and shared cost"
    third.set_scope([*third.capabilities, "data-analysis-showback", "managing-shared-cost"])
    _levels(third, "data-analysis-showback", (2, 1, 1, 1, 0))
    _levels(third, "managing-shared-cost", (1, 1, 0, 0, 0))
    [carried] = third.goals
    third.record_outcome(carried.id, Outcome.ACHIEVED)
    _goal(third, "data-analysis-showback", A, 2, "Every product team sees its cost monthly",
          Outcome.ACHIEVED)  # fmt: skip
    _goal(third, "managing-shared-cost", P, 2, "Agree a split rule for shared clusters",
          Outcome.PARTLY, 1)  # fmt: skip
    _close(third)

    d4 = date(2026, 4, 20)
    fourth = third.start_next("2026-04-20-aa04", 4, d4, now=_at(d4), framework="finops-2025")
    fourth.title = "The 2025 framework: allocation"
    auto = _goal(fourth, "allocation", AU, 1, "Tag policy enforced on new subscriptions",
                 Outcome.ACHIEVED)  # fmt: skip
    _measure(fourth, auto, "tag-coverage", date(2026, 5, 15), 0.78, "ratio")
    _goal(fourth, "budgeting", P, 3, "Budgets per product in the finance tool",
          Outcome.ACHIEVED)  # fmt: skip
    _close(fourth)

    d5 = date(2026, 5, 25)
    fifth = fourth.start_next("2026-05-25-aa05", 5, d5, now=_at(d5))
    fifth.title = "Unit economics"
    fifth.set_scope([*fifth.capabilities, "unit-economics"])
    _goal(fifth, "unit-economics", K, 1, "Pick the business metric for cost per order")
    alerts = _goal(fifth, "anomaly-management", AU, 1, "Automated alerts for cost jumps")
    _measure(fifth, alerts, "anomaly-days", date(2026, 5, 26), 3, "days")
    fifth.status = Status.ACTIVE
    return [first, second, third, fourth, fifth]
