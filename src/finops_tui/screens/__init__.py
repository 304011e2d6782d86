"""One screen per step of the iteration, plus the home screen and dialogs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the step screens load when the first one opens, not before the home screen
    from finops_tui.screens.base import StepScreen
    from finops_tui.steps import Step


def step_screen(step: Step) -> StepScreen:
    """A new screen for one step of the open iteration."""
    from finops_tui.screens.goals import GoalsScreen
    from finops_tui.screens.plan import PlanScreen
    from finops_tui.screens.review import ReviewScreen
    from finops_tui.screens.scope import ScopeScreen
    from finops_tui.screens.stakeholders import StakeholdersScreen
    from finops_tui.steps import Step

    screens: dict[Step, type[StepScreen]] = {
        Step.STAKEHOLDERS: StakeholdersScreen,
        Step.SCOPE: ScopeScreen,
        Step.GOALS: GoalsScreen,
        Step.PLAN: PlanScreen,
        Step.REVIEW: ReviewScreen,
    }
    return screens[step]()
