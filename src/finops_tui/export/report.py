"""What a report of one iteration says, before any format: shared by Markdown and HTML."""

from __future__ import annotations

from dataclasses import dataclass, field

from finops_tui.catalog import load_catalog
from finops_tui.lenses import LENSES
from finops_tui.model import Goal, Iteration, Score

_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}
_KEEP = {ord("\n"), ord("\t")}


def visible(text: str) -> str:
    """Control characters as their visible symbols (␛ for ESC): a report never obeys them."""
    return text.translate({k: v for k, v in _CONTROL_PICTURES.items() if k not in _KEEP})


@dataclass(frozen=True)
class MatrixCell:
    level: int
    target: int | None
    reached: int | None

    def __str__(self) -> str:
        text = str(self.level) if self.target is None else f"{self.level} → {self.target}"
        if self.reached is not None:
            text += f" (reached {self.reached})"
        return text


@dataclass(frozen=True)
class CapabilityRow:
    id: str
    name: str
    domain: str
    description: str
    note: str
    url: str
    cells: list[MatrixCell]
    start: Score
    end: Score


@dataclass(frozen=True)
class GoalView:
    goal: Goal
    capability: str
    url: str

    @property
    def heading(self) -> str:
        g = self.goal
        return f"{g.id} · {self.capability} · {g.lens.label} {g.from_level} → {g.to_level}"


@dataclass(frozen=True)
class Report:
    """Everything a report shows, in the order it shows it."""

    iteration: Iteration
    rows: list[CapabilityRow] = field(default_factory=list)
    goals: list[GoalView] = field(default_factory=list)

    @property
    def heading(self) -> str:
        it = self.iteration
        return f"Iteration {it.number}" + (f": {it.title}" if it.title else "")

    @property
    def dates(self) -> str:
        it = self.iteration
        return f"{it.starts} → {it.ends} ({it.weeks:.0f} weeks)"

    def review_parts(self) -> list[tuple[str, str]]:
        """The retrospective's answers that were given, with their questions."""
        review = self.iteration.review
        parts = [
            ("What went well", review.went_well),
            ("What didn't go well", review.went_poorly),
            ("What to improve next time", review.improve),
        ]
        return [(label, value) for label, value in parts if value]

    def score_line(self) -> str:
        it = self.iteration
        start = it.score()
        text = f"{start.points}/{start.maximum} ({start.percent:.0f}%) at the start"
        if it.read_only:
            end = it.score(at_end=True)
            text += f", {end.points}/{end.maximum} ({end.percent:.0f}%) at the end"
        return text


def build_report(iteration: Iteration) -> Report:
    catalog = load_catalog(iteration.framework)
    report = Report(iteration)
    notes = {item.capability: item.note for item in iteration.scope}
    for capability_id in iteration.capabilities:
        capability = catalog.capability(capability_id)
        cells = []
        for lens in LENSES:
            goals = iteration.goals_of(capability_id, lens)
            reached = [g.reached_level for g in goals if g.reached_level is not None]
            cells.append(
                MatrixCell(
                    iteration.level(capability_id, lens),
                    iteration.target(capability_id, lens),
                    max(reached) if reached else None,
                )
            )
        report.rows.append(
            CapabilityRow(
                id=capability_id,
                name=capability.name,
                domain=catalog.domain(capability.domain).name,
                description=capability.description,
                note=notes.get(capability_id, ""),
                url=capability.url,
                cells=cells,
                start=iteration.capability_score(capability_id),
                end=iteration.capability_score(capability_id, at_end=True),
            )
        )
    for goal in iteration.goals:
        capability = catalog.capability(goal.capability)
        report.goals.append(GoalView(goal, capability.name, capability.url))
    return report
