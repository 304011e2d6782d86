"""The progress and a comparison as titled tables of plain text, before any format.

The terminal, Markdown and HTML show the same tables; each format escapes the cells its own
way (they hold catalogue names, titles and statements people typed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from finops_tui.lenses import LENSES

if TYPE_CHECKING:
    from collections.abc import Callable

    from finops_tui.progress.compare import Comparison, GoalLine
    from finops_tui.progress.trend import CapabilityTrend, IterationHead, Point, Trend

NOT_SCOPED = "·"
"""A cell of an iteration whose scope does not hold the capability."""
NOT_YET = "…"
"""The end of an iteration in planning or under way: not known yet."""
ARROW = "→"
TITLE = "Progress across iterations"
DEFINITIONS = (
    "Score: the sum of a capability's five lens levels (0-20). Start: the levels an iteration "
    "starts at; end: the start with each goal's level reached applied, known once the "
    f"iteration is closed ({NOT_YET} until then). {NOT_SCOPED}: not in the iteration's scope."
)
SHORT_DEFINITIONS = (
    "Score: the five lens levels added up (0-20), at the start → at the end, with the goals "
    f"reached ({NOT_YET} while open). {NOT_SCOPED}: not in the iteration's scope."
)
"""`DEFINITIONS` in two lines of an 80-column terminal, for the Progress screen."""


@dataclass(frozen=True)
class Section:
    """A titled table, with notes to print under it."""

    title: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def column_widths(self, measure: Callable[[str], int] = len) -> list[int]:
        """Each column's width: its widest cell, by `measure` (a terminal's: cells)."""
        return [
            max(map(measure, [label, *(row[i] for row in self.rows if i < len(row))]))
            for i, label in enumerate(self.header)
        ]

    def last_columns(
        self, width: int, measure: Callable[[str], int] = len, gap: int = 2
    ) -> Section:
        """The first column (the row labels) and as many of the last columns as fit in
        `width` cells, each column taking `gap` more; at least the last one."""
        widths = self.column_widths(measure)
        if len(widths) < 2:
            return self
        room, keep = width - widths[0] - gap, 0
        for w in reversed(widths[1:]):
            if keep and w + gap > room:
                break
            room -= w + gap
            keep += 1
        if keep == len(widths) - 1:
            return self
        columns = [0, *range(len(widths) - keep, len(widths))]
        return Section(
            self.title,
            [self.header[i] for i in columns],
            [[row[i] for i in columns if i < len(row)] for row in self.rows],
            self.notes,
        )


def column(head: IterationHead) -> str:
    return f"#{head.number}"


def span(start: int, end: int | None) -> str:
    """`6→9`, or `6→…` while the end is not known."""
    return f"{start}{ARROW}{NOT_YET if end is None else end}"


def score_cell(point: Point | None) -> str:
    return NOT_SCOPED if point is None else span(point.score_start, point.score_end)


def weights_text(weights: tuple[int, ...]) -> str:
    """Lens weights in lens order, e.g. `1/2/1/1/0`."""
    return "/".join(map(str, weights))


def value_text(value: float) -> str:
    return f"{value:g}"


def overview(trend: Trend) -> str:
    """How many iterations, from when to when, in which frameworks."""
    heads = trend.iterations
    if not heads:
        return "No iterations yet."
    first, last = heads[0], heads[-1]
    frameworks = ", ".join(dict.fromkeys(h.framework for h in heads))
    noun = "iteration" if len(heads) == 1 else "iterations"
    return (
        f"{len(heads)} {noun}, {column(first)} ({first.starts}) to {column(last)} "
        f"({last.ends}); framework {frameworks}"
    )


def continuation_notes(trend: Trend) -> list[str]:
    """Which rows continue others across a framework change."""
    shown = {c.id for c in trend.capabilities}
    notes = []
    for c in trend.capabilities:
        olds = [old for old in c.successor_of if old in shown]
        if olds:
            notes.append(f"{c.id} continues {', '.join(olds)} (a successor framework's id)")
    return notes


def iterations_section(trend: Trend) -> Section:
    rows = [
        [str(h.number), h.id, h.title, h.status.value, f"{h.starts} {ARROW} {h.ends}", h.framework]
        for h in trend.iterations
    ]
    return Section("Iterations", ["#", "ID", "Title", "Status", "Dates", "Framework"], rows)


def score_section(trend: Trend) -> Section:
    """One row per capability, one column per iteration: the score (0-20) start → end."""
    rows = [
        [c.id, c.name, *(score_cell(c.point(h.id)) for h in trend.iterations)]
        for c in trend.capabilities
    ]
    rows.append(["", "Goals achieved", *(f"{g.achieved}/{g.total}" for g in trend.goals)])
    return Section(
        "Score per capability (0-20, start → end)",
        ["ID", "Capability", *(column(h) for h in trend.iterations)],
        rows,
        continuation_notes(trend),
    )


def lens_section(trend: Trend, capability: CapabilityTrend) -> Section:
    """One capability lens by lens, in the iterations whose scope holds it."""
    points = [(trend.iteration(p.iteration), p) for p in capability.points]
    rows = [
        [lens.label, *(span(p.start[i], None if p.end is None else p.end[i]) for _, p in points)]
        for i, lens in enumerate(LENSES)
    ]
    rows.append(["Score", *(score_cell(p) for _, p in points)])
    if any(p.weights for _, p in points):
        rows.append(
            ["Lens weights", *(weights_text(p.weights) if p.weights else "" for _, p in points)]
        )
    if any(p.target_score for _, p in points):
        rows.append(["Target score", *(_target(p) for _, p in points)])
    return Section(
        f"{capability.name} ({capability.id}), lens by lens",
        ["Lens", *(column(h) for h, _ in points)],
        rows,
    )


def _target(point: Point) -> str:
    if point.target_score is None:
        return ""
    return f"{point.target_score} {'met' if point.target_met else 'not met'}"


def goals_section(trend: Trend) -> Section:
    rows = [
        [column(h), str(g.total), str(g.achieved), str(g.partly), str(g.missed), str(g.open)]
        for h, g in zip(trend.iterations, trend.goals, strict=True)
    ]
    return Section(
        "Goals per iteration",
        ["Iteration", "Goals", "Achieved", "Partly", "Missed", "Open"],
        rows,
    )


def measurements_section(trend: Trend) -> Section:
    numbers = {h.id: column(h) for h in trend.iterations}
    rows = [
        [numbers[m.iteration], m.goal, m.capability, m.kpi or "", m.at, value_text(m.value),
         m.unit]
        for m in trend.measurements
    ]  # fmt: skip
    return Section(
        "KPI measurements",
        ["Iteration", "Goal", "Capability", "KPI", "Measured", "Value", "Unit"],
        rows,
    )


def assessment_section(trend: Trend) -> Section | None:
    """Lens weights and target scores, where iterations set them; None where none does."""
    rows = []
    for c in trend.capabilities:
        for p in c.points:
            if p.weights is None and p.target_score is None:
                continue
            rows.append(
                [
                    c.id,
                    column(trend.iteration(p.iteration)),
                    weights_text(p.weights) if p.weights else "",
                    _percent(p.weighted_start),
                    _percent(p.weighted_end),
                    _target(p),
                ]
            )
    if not rows:
        return None
    return Section(
        "Lens weights and target scores",
        ["Capability", "Iteration", "Weights (K/P/M/A/Au)", "Weighted start", "Weighted end",
         "Target score"],
        rows,
        ["A target score is compared with the plain score: the end once closed, else the start."],
    )  # fmt: skip


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}%"


def trend_sections(trend: Trend, lenses_of: list[str] | None = None) -> list[Section]:
    """Every table of the progress; lens by lens for the capabilities in `lenses_of` (all of
    them when None)."""
    sections = [iterations_section(trend), score_section(trend)]
    sections += [
        lens_section(trend, c) for c in trend.capabilities if lenses_of is None or c.id in lenses_of
    ]
    sections.append(goals_section(trend))
    if trend.measurements:
        sections.append(measurements_section(trend))
    if (assessment := assessment_section(trend)) is not None:
        sections.append(assessment)
    return sections


# -- a comparison -----------------------------------------------------------------------------

GOAL_HEADER = ["Goal", "Capability", "Lens", "Target", "Outcome", "Reached", "Continues",
               "Statement"]  # fmt: skip
SCOPE_MARKS = {"added": "+", "removed": "-", "kept": "=", "moved": "~"}


def comparison_sections(cmp: Comparison) -> list[Section]:
    """`diff A B` as tables: the two iterations, scope, levels, scores, goals."""
    sides = [
        [label, str(side.head.number), side.head.id, side.head.title, side.head.status.value,
         side.head.framework, "end" if side.at_end else "start"]
        for label, side in (("from", cmp.before), ("to", cmp.after))
    ]  # fmt: skip
    sections = [
        Section(
            "Compared",
            ["", "#", "ID", "Title", "Status", "Framework", "Levels"],
            sides,
            ["A closed iteration is compared at its end levels, any other at its start levels."],
        ),
        Section(
            "Scope",
            ["", "Capability", "Name", "Change"],
            [
                [SCOPE_MARKS[s.kind], s.capability, s.name, _scope_change(s.kind, s.sources)]
                for s in cmp.scope
            ],
        ),
    ]
    sections.append(
        Section(
            "Levels that moved",
            ["Capability", "Lens", "From", "To", ""],
            [
                [c.capability, c.lens.label, str(c.before), str(c.after), "up" if c.up else "down"]
                for c in cmp.levels
            ],
        )
    )
    sections.append(
        Section(
            "Score per capability (0-20)",
            ["Capability", "From", "To", "Change"],
            [
                [s.capability, str(s.before), str(s.after), f"{s.after - s.before:+d}"]
                for s in cmp.scores
            ],
        )
    )
    for label, side, goals in (
        ("from", cmp.before, cmp.goals_before),
        ("to", cmp.after, cmp.goals_after),
    ):
        sections.append(
            Section(
                f"Goals of #{side.head.number} ({label})",
                GOAL_HEADER,
                [_goal_row(g) for g in goals],
            )
        )
    return sections


def _scope_change(kind: str, sources: tuple[str, ...]) -> str:
    if kind == "moved":
        return f"moved from {', '.join(sources)}"
    return kind


def _goal_row(goal: GoalLine) -> list[str]:
    return [
        goal.id,
        goal.capability,
        goal.lens.label,
        f"{goal.from_level}{ARROW}{goal.to_level}",
        goal.outcome,
        "" if goal.reached_level is None else str(goal.reached_level),
        goal.continues or "",
        goal.statement,
    ]
