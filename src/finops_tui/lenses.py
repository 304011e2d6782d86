"""The five maturity lenses of the FinOps assessment and the 0-4 scale they share."""

from enum import StrEnum


class Lens(StrEnum):
    """A maturity lens, in the order the tutorial and the assessment list them."""

    KNOWLEDGE = "knowledge"
    PROCESS = "process"
    METRICS = "metrics"
    ADOPTION = "adoption"
    AUTOMATION = "automation"

    @property
    def label(self) -> str:
        return self.value.capitalize()


LENSES: tuple[Lens, ...] = tuple(Lens)
MIN_LEVEL = 0
MAX_LEVEL = 4
CAPABILITY_MAX_SCORE = MAX_LEVEL * len(LENSES)
MAX_WEIGHT = 5
"""The most a lens can weigh for a capability (the assessment's lens weighting, 0-5)."""
