"""The progress across iterations as tidy CSV rows (RFC 4180, UTF-8, a header row).

One table holds every fact, told apart by `kind`: `level` (an iteration × capability × lens),
`score` (an iteration × capability), `goals` (an iteration × outcome, with the count in
`value`) and `measurement` (a KPI figure of a goal). Columns a kind does not use are empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
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


def _safe(values: list[Any]) -> list[Any]:
    return [neutralise(v) for v in values]


def rows(trend: Trend) -> Iterator[list[Any]]:
    """Every row, in the order of COLUMNS: levels and scores per capability (iterations
    oldest first), then goals and measurements per iteration. Text is made safe for a
    spreadsheet once per iteration and capability (the other cells are numbers)."""
    heads = {h.id: _safe(_iteration(h)) for h in trend.iterations}
    for c in trend.capabilities:
        capability = _safe([c.id, c.name])
        for p in c.points:
            it = heads[p.iteration]
            weights = p.weights or (1,) * len(LENSES)
            end = p.end or (None,) * len(LENSES)
            for i, lens in enumerate(LENSES):
                yield ["level", *it, *capability, lens.value, p.start[i], end[i], weights[i],
                       p.target_score, None, None, None, None, None, None]  # fmt: skip
            yield ["score", *it, *capability, None, p.score_start, p.score_end, None,
                   p.target_score, None, None, None, None, None, None]  # fmt: skip
    for head, goals in zip(trend.iterations, trend.goals, strict=True):
        it = heads[head.id]
        for outcome in OUTCOMES:
            yield ["goals", *it, *([None] * 7), None, outcome, None, None,
                   getattr(goals, outcome), None]  # fmt: skip
    names = {c.id: c.name for c in trend.capabilities}
    for m in trend.measurements:
        yield ["measurement", *heads[m.iteration], *_safe([m.capability, names.get(m.capability)]),
               None, None, None, None, None, *_safe([m.goal, None, m.kpi, m.at]),
               finite(m.value), neutralise(m.unit)]  # fmt: skip


def render(trend: Trend) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(trend))
    return out.getvalue()
