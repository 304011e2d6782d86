"""Generate a data dir of realistic iterations: `python bench/make_data.py DIR COUNT`."""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

from finops_tui.catalog import load_catalog
from finops_tui.lenses import Lens
from finops_tui.model import Action, ActionStatus, Group, Iteration, Outcome, Person
from finops_tui.store import Store


def make(directory: Path, count: int, seed: int = 7) -> Store:
    store = Store(directory)
    capabilities = [c.id for c in load_catalog().capabilities]
    rng = random.Random(seed)
    previous: Iteration | None = None
    for n in range(1, count + 1):
        starts = date(2020, 1, 6) + timedelta(weeks=5 * n)
        if previous is None:
            it = Iteration.new(f"{starts}-b{n:03d}", n, starts)
        else:
            it = previous.start_next(f"{starts}-b{n:03d}", n, starts)
        it.title = (
            f"Iteration {n}: {rng.choice(['budgets', 'commitments', 'tagging', 'anomalies'])}"
        )
        it.stakeholders.business = it.stakeholders.technology = it.stakeholders.finance = True
        it.stakeholders.notes = "Platform team, finance partner and a FinOps lead. " * 3
        it.stakeholders.people = [
            Person(name=f"Person {i}", role="Engineer", group=Group.TECHNOLOGY) for i in range(4)
        ]
        # Some iterations scope every capability; the rest keep five.
        scope = capabilities if n % 10 == 0 else rng.sample(capabilities, 5)
        it.set_scope(scope)
        for capability in scope:
            for lens in Lens:
                it.set_level(capability, lens, rng.randint(0, 3))
        for capability in scope[:3]:
            goal = it.set_target(capability, Lens.METRICS, 4)
            assert goal is not None
            goal.statement = "Baseline the metric, then automate its collection"
            goal.metric, goal.baseline, goal.target = "cost vs budget (%)", "unknown", "under 5%"
            goal.actions = [
                Action(title=f"Action {a}", owner="Sam", status=ActionStatus.DONE) for a in range(3)
            ]
            goal.outcome, goal.reached_level, goal.evidence = Outcome.ACHIEVED, 4, "Dashboard"
        it.review.went_well = "Good collaboration."
        it.review.improve = "Start on time."
        if n < count:
            it.close(it.ends)
        store.save(it)
        previous = it
    return store


if __name__ == "__main__":
    make(Path(sys.argv[1]), int(sys.argv[2]))
