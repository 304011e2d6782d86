"""The progress across iterations as tidy CSV rows (RFC 4180, UTF-8, a header row).

One table holds every fact, told apart by `kind`: `level` (an iteration × capability × lens),
`score` (an iteration × capability), `goals` (an iteration × outcome, with the count in
`value`) and `measurement` (a KPI figure of a goal). Columns a kind does not use are empty.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from finops_tui.export.csv import neutralise
from finops_tui.lenses import LENSES
from finops_tui.progress.facts import finite
from finops_tui.progress.trend import IterationHead, Trend

COLUMNS = [
    "kind", "iteration_id", "number", "title", "starts", "ends", "status", "framework",
    "capability_id", "capability", "lens", "start", "end", "weight", "target_score",
    "goal_id", "outcome", "kpi", "at", "value", "unit",
]  # fmt: skip
OUTCOMES = ("achieved", "partly", "missed", "open")


def _iteration(head: IterationHead) -> list[Any]:
    return [head.id, head.number, head.title, head.starts.isoformat(), head.ends.isoformat(),
            head.status.value, head.framework]  # fmt: skip


def rows(trend: Trend) -> list[list[Any]]:
    """Every row, in the order of COLUMNS: levels and scores per capability (iterations
    oldest first), then goals and measurements per iteration."""
    out: list[list[Any]] = []
    for c in trend.capabilities:
        for p in c.points:
            it = _iteration(trend.iteration(p.iteration))
            for i, lens in enumerate(LENSES):
                end = None if p.end is None else p.end[i]
                weight = 1 if p.weights is None else p.weights[i]
                out.append(["level", *it, c.id, c.name, lens.value, p.start[i], end, weight,
                            p.target_score, None, None, None, None, None, None])  # fmt: skip
            out.append(["score", *it, c.id, c.name, None, p.score_start, p.score_end, None,
                        p.target_score, None, None, None, None, None, None])  # fmt: skip
    for head, goals in zip(trend.iterations, trend.goals, strict=True):
        it = _iteration(head)
        for outcome in OUTCOMES:
            out.append(["goals", *it, *([None] * 7), None, outcome, None, None,
                        getattr(goals, outcome), None])  # fmt: skip
    names = {c.id: c.name for c in trend.capabilities}
    for m in trend.measurements:
        it = _iteration(trend.iteration(m.iteration))
        out.append(["measurement", *it, m.capability, names.get(m.capability), None, None, None,
                    None, None,
                    m.goal, None, m.kpi, m.at, finite(m.value), m.unit])  # fmt: skip
    return out


def render(trend: Trend) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([neutralise(v) for v in row] for row in rows(trend))
    return out.getvalue()
