"""The five steps of an iteration, as the tutorial orders them, and when each counts as done."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from finops_tui.terms import Status

if TYPE_CHECKING:
    from finops_tui.model import Iteration


class Step(IntEnum):
    """A step of the iteration, in order."""

    STAKEHOLDERS = 1
    SCOPE = 2
    GOALS = 3
    PLAN = 4
    REVIEW = 5

    @property
    def title(self) -> str:
        return _TITLES[self][0]

    @property
    def heading(self) -> str:
        """The tutorial's name for the step."""
        return _TITLES[self][1]

    def next(self) -> Step | None:
        return Step(self + 1) if self < Step.REVIEW else None

    def previous(self) -> Step | None:
        return Step(self - 1) if self > Step.STAKEHOLDERS else None


_TITLES = {
    Step.STAKEHOLDERS: ("Stakeholders", "Before you begin: who takes part"),
    Step.SCOPE: ("Scope", "Define your scope: which capabilities"),
    Step.GOALS: ("Goals", "Identify your goals: the goal matrix"),
    Step.PLAN: ("Plan", "Put your plan into action"),
    Step.REVIEW: ("Review", "Review progress"),
}


SCOPE_WARNINGS = ("scope-size", "scope-growth", "scope-dropped")


def is_done(iteration: Iteration, step: Step, previous: Iteration | None = None) -> bool:
    """Whether a step has what the tutorial asks of it (shown as a tick, never enforced).
    The scope is done when it follows the tutorial's rule (against `previous`, if any)."""
    match step:
        case Step.STAKEHOLDERS:
            return bool(iteration.title.strip()) and bool(iteration.stakeholders.groups())
        case Step.SCOPE:
            return bool(iteration.scope) and not any(
                w.kind in SCOPE_WARNINGS for w in iteration.warnings(previous)
            )
        case Step.GOALS:
            return bool(iteration.goals)
        case Step.PLAN:
            return bool(iteration.goals) and all(g.actions for g in iteration.goals)
        case Step.REVIEW:
            return iteration.status is Status.CLOSED
