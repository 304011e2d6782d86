"""What a report of one iteration says, before any format: shared by Markdown and HTML."""

from __future__ import annotations

from dataclasses import dataclass, field

from finops_tui.catalog import Capability
from finops_tui.frameworks import find_catalog
from finops_tui.lenses import LENSES, Lens
from finops_tui.model import Goal, Iteration, Score, TargetProgress


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
    weights: dict[Lens, int]
    weighted_start: Score
    weighted_end: Score
    target_start: TargetProgress | None
    target_end: TargetProgress | None

    @property
    def weights_text(self) -> str:
        """The lens weights in lens order, e.g. `1/2/1/1/0`."""
        return "/".join(str(self.weights[lens]) for lens in LENSES)

    def score_text(self, *, weighted: bool) -> str:
        """The start score for the goal matrix, with the weighted % and the target if set."""
        text = percent_text(self.start)
        if weighted:
            text += f", weighted {self.weighted_start.percent:.0f}%"
        if self.target_start is not None:
            text += f", {self.target_start}"
        return text


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

    @property
    def no_review(self) -> str:
        """What the review section says when no retrospective answer was given."""
        if self.iteration.review.closed:
            return "No notes on what went well or what to improve."
        return "Not reviewed yet."

    @property
    def weighted(self) -> bool:
        """Whether any capability has lens weights of its own (else weighted = plain)."""
        return self.iteration.has_weights()

    @property
    def targets(self) -> bool:
        return any(row.target_start is not None for row in self.rows)

    def headline(self) -> str:
        """The iteration in one line, for the top of a report: goals achieved, actions still
        open, and the score from start to end."""
        it = self.iteration
        achieved, total = it.goals_achieved()
        start = it.score()
        parts = [f"{achieved}/{total} goals achieved"]
        open_actions = len(it.open_actions())
        parts.append(f"{open_actions} open action{'' if open_actions == 1 else 's'}")
        if it.read_only:
            end = it.score(at_end=True)
            parts.append(f"score {start.points} → {end.points} of {start.maximum}")
        else:
            parts.append(f"score {start.points} of {start.maximum} at the start")
        return " · ".join(parts)

    def score_line(self) -> str:
        it = self.iteration
        text = _score_text(it.score(), it.weighted_score() if self.weighted else None)
        text += " at the start"
        if it.read_only:
            end = _score_text(
                it.score(at_end=True), it.weighted_score(at_end=True) if self.weighted else None
            )
            text += f", {end} at the end"
        met, total = it.targets_met(at_end=it.read_only)
        if total:
            text += f"; target score met by {met} of {total} capabilities"
        return text

    def score_table(self) -> tuple[list[str], list[list[str]]]:
        """The "score per capability" table as text: header and rows (escape per format)."""
        header = ["Capability", "Start", "End"]
        if self.weighted:
            header += ["Lens weights (K/P/M/A/Au)", "Weighted start", "Weighted end"]
        if self.targets:
            header.append("Target score")
        rows = []
        for r in self.rows:
            row = [r.name, percent_text(r.start), percent_text(r.end)]
            if self.weighted:
                row += [
                    r.weights_text,
                    percent_text(r.weighted_start),
                    percent_text(r.weighted_end),
                ]
            if self.targets:
                # Beside the end score once the iteration is closed, else the start score.
                target = r.target_end if self.iteration.read_only else r.target_start
                row.append(str(target) if target else "")
            rows.append(row)
        return header, rows

    @property
    def catalog_note(self) -> str | None:
        """Why capabilities are shown by id: the framework's catalogue is missing."""
        return self.iteration.catalog_problem


def _score_text(score: Score, weighted: Score | None) -> str:
    text = percent_text(score)
    return text if weighted is None else f"{text}, weighted {weighted.percent:.0f}%"


def percent_text(score: Score) -> str:
    return f"{score.points}/{score.maximum} ({score.percent:.0f}%)"


def capability_info(framework: str, capability_id: str) -> tuple[Capability | None, str]:
    """A scoped capability's catalogue entry and its domain's name; (None, "") when the
    framework's catalogue is missing, so the id is shown as it is."""
    catalog = find_catalog(framework)
    if catalog is None or not catalog.has_capability(capability_id):
        return None, ""
    capability = catalog.capability(capability_id)
    return capability, catalog.domain(capability.domain).name


def build_report(iteration: Iteration) -> Report:
    report = Report(iteration)
    notes = {item.capability: item.note for item in iteration.scope}
    for capability_id in iteration.capabilities:
        capability, domain = capability_info(iteration.framework, capability_id)
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
                name=capability.name if capability else capability_id,
                domain=domain,
                description=capability.description if capability else "",
                note=notes.get(capability_id, ""),
                url=capability.url if capability else "",
                cells=cells,
                start=iteration.capability_score(capability_id),
                end=iteration.capability_score(capability_id, at_end=True),
                weights=iteration.lens_weights(capability_id),
                weighted_start=iteration.weighted_score(capability_id),
                weighted_end=iteration.weighted_score(capability_id, at_end=True),
                target_start=iteration.target_progress(capability_id),
                target_end=iteration.target_progress(capability_id, at_end=True),
            )
        )
    for goal in iteration.goals:
        capability, _ = capability_info(iteration.framework, goal.capability)
        report.goals.append(
            GoalView(
                goal,
                capability.name if capability else goal.capability,
                capability.url if capability else "",
            )
        )
    return report
