"""Three realistic iterations for `finops-tui --demo`: two closed, one under way."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from finops_tui.lenses import Lens
from finops_tui.model import (
    Action,
    ActionStatus,
    Group,
    Iteration,
    Outcome,
    Person,
    Stakeholders,
    Status,
)
from finops_tui.store import Store

SCOPE = ["data-analysis-showback", "cost-allocation", "budget-management", "managing-anomalies"]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def demo_iterations(today: date) -> list[Iteration]:
    """The demo history, ending with an iteration that started two weeks before `today`."""
    third_start = today - timedelta(weeks=2)
    second_start = third_start - timedelta(weeks=5)
    first_start = second_start - timedelta(weeks=5)

    first = Iteration.new(f"{first_start}-demo", 1, first_start, now=_at(first_start))
    first.title = "Get visibility of our cloud spend"
    first.stakeholders = Stakeholders(
        business=True,
        technology=True,
        finance=True,
        notes=(
            "First iteration. The platform team knows the cloud well but has never looked at "
            "cost; finance sees one invoice a month and wants it split by product."
        ),
        people=[
            Person(name="Ana Ruiz", role="FinOps lead", group=Group.FINANCE),
            Person(name="Sam Okafor", role="Platform engineering manager", group=Group.TECHNOLOGY),
            Person(name="Priya Nair", role="Product owner, Checkout", group=Group.BUSINESS),
        ],
    )
    first.set_scope(SCOPE[:3])
    for capability, levels in {
        "data-analysis-showback": (1, 0, 0, 0, 0),
        "cost-allocation": (1, 1, 0, 0, 0),
        "budget-management": (1, 0, 0, 0, 0),
    }.items():
        for lens, level in zip(Lens, levels, strict=True):
            first.set_level(capability, lens, level)
    g1 = first.set_target("cost-allocation", Lens.METRICS, 2)
    g2 = first.set_target("data-analysis-showback", Lens.ADOPTION, 1)
    assert g1 and g2
    g1.statement = "Know what share of our spend carries an owner tag"
    g1.metric = "share of effective cost with an `owner` tag"
    g1.baseline = "unknown"
    g1.target = "measured weekly, 60% or more"
    g1.due = first.ends
    g1.actions = [
        Action(
            title="Agree the tag keys: owner, env, product",
            owner="Ana Ruiz",
            status=ActionStatus.DONE,
        ),
        Action(
            title="Weekly tag-coverage query in the cost tool",
            owner="Sam Okafor",
            status=ActionStatus.DONE,
        ),
    ]
    g1.outcome, g1.reached_level = Outcome.ACHIEVED, 2
    g1.evidence = "Coverage went from 41% to 63% in four weeks; the query runs every Monday."
    g2.statement = "The Checkout team looks at its own cost every sprint review"
    g2.metric = "sprint reviews with a cost slide"
    g2.target = "2 of 2 sprint reviews"
    g2.actions = [
        Action(title="Build a Checkout cost view", owner="Sam Okafor", status=ActionStatus.DONE),
    ]
    g2.outcome, g2.reached_level = Outcome.PARTLY, 0
    g2.evidence = "Shown once; the second review ran out of time."
    first.status = Status.ACTIVE
    first.review.went_well = "Finance and engineering agreed on the tag keys in one meeting."
    first.review.went_poorly = "Shared platform costs (Kubernetes, networking) have no owner."
    first.review.improve = "Put shared cost on the agenda before the next iteration starts."
    first.close(first.ends)

    second = first.start_next(
        f"{second_start}-demo", 2, second_start, carry_unfinished=True, now=_at(second_start)
    )
    second.title = "Shared cost and budgets"
    second.set_scope([*first.capabilities, "managing-shared-cost"])
    g3 = second.set_target("managing-shared-cost", Lens.PROCESS, 1)
    g4 = second.set_target("budget-management", Lens.METRICS, 1)
    assert g3 and g4
    g3.statement = "Draft a split rule for the shared Kubernetes clusters"
    g3.metric = "share of shared cost with an agreed split rule"
    g3.baseline = "0%"
    g3.target = "the two largest clusters"
    g3.actions = [
        Action(
            title="Collect namespace usage per team", owner="Sam Okafor", status=ActionStatus.DONE
        ),
        Action(title="Review the split with finance", owner="Ana Ruiz", status=ActionStatus.DONE),
    ]
    g3.outcome, g3.reached_level = Outcome.ACHIEVED, 1
    g3.evidence = "Split by CPU requests agreed for both clusters."
    g4.statement = "Name the budget metric for every product"
    g4.metric = "cost vs budget variance (%)"
    g4.target = "defined for 4 products"
    g4.outcome, g4.reached_level = Outcome.MISSED, 0
    g4.evidence = "Budgets are still yearly lump sums in the finance tool."
    for goal in second.goals:
        if goal.capability == "data-analysis-showback":
            goal.outcome, goal.reached_level = Outcome.ACHIEVED, 1
            goal.evidence = "Both sprint reviews showed cost, as carried over from #1."
    second.status = Status.ACTIVE
    second.review.went_well = "The split rule was accepted without escalation."
    second.review.went_poorly = "Budgets depend on the finance calendar; we started too late."
    second.review.improve = "Invite the controller to the kick-off; keep to one or two goals."
    second.close(second.ends)

    third = second.start_next(
        f"{third_start}-demo", 3, third_start, carry_unfinished=True, now=_at(third_start)
    )
    third.title = "Monthly budgets and anomaly alerts"
    third.set_scope([*second.capabilities, *SCOPE[3:]])
    third.stakeholders.people.append(
        Person(name="Lena Fischer", role="Controller", group=Group.FINANCE)
    )
    g5 = third.set_target("managing-anomalies", Lens.AUTOMATION, 1)
    assert g5
    g5.statement = "Find the daily cost alerts we could automate"
    g5.metric = "days with an unexplained cost jump"
    g5.baseline = "not tracked"
    g5.target = "every jump over 3 σ explained within 2 days"
    g5.due = third.ends
    g5.actions = [
        Action(
            title="List last quarter's cost surprises",
            owner="Lena Fischer",
            status=ActionStatus.DOING,
        ),
        Action(title="Try the cloud provider's anomaly alerts", owner="Sam Okafor"),
    ]
    for goal in third.goals:
        if goal.capability == "budget-management":
            goal.due = third.ends
            goal.actions = [
                Action(
                    title="Monthly budget per product in the finance tool",
                    owner="Lena Fischer",
                    status=ActionStatus.DOING,
                ),
            ]
    third.status = Status.ACTIVE
    return [first, second, third]


def seed(store: Store, today: date) -> None:
    """Write the demo iterations into an empty data dir."""
    for iteration in demo_iterations(today):
        store.save(iteration)
