"""The maturity trend across iterations, by the definitions in docs/file-format.md.

For each iteration and scoped capability: `start` is its `[levels]`; `end` is `start` with
each goal's `reached_level` applied, known for closed iterations only (None while planning or
active); a score is the sum of the five levels (0-20). A capability is its id: a capability
that keeps its id across a move to the successor framework keeps its row, and one that was
renamed or merged gets a row of its own that names the rows it continues (`successor_of`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, NamedTuple

from finops_tui.lenses import LENSES, MAX_LEVEL, Lens
from finops_tui.progress.facts import IterationFacts, LevelsTuple, finite, oldest_first
from finops_tui.terms import Outcome, Status


class IterationHead(NamedTuple):
    """An iteration as a column of the trend."""

    id: str
    number: int
    title: str
    starts: date
    ends: date
    status: Status
    framework: str

    @property
    def closed(self) -> bool:
        return self.status is Status.CLOSED

    @classmethod
    def of(cls, facts: IterationFacts) -> IterationHead:
        return cls(
            facts.id, facts.number, facts.title, facts.starts, facts.ends, facts.status,
            facts.framework,
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "starts": self.starts.isoformat(),
            "ends": self.ends.isoformat(),
            "status": self.status.value,
            "framework": self.framework,
        }


def weighted_percent(levels: LevelsTuple, weights: LevelsTuple) -> float:
    """Σ level × weight out of Σ 4 × weight, as a percentage."""
    points = sum(level * weight for level, weight in zip(levels, weights, strict=True))
    return 100.0 * points / (MAX_LEVEL * sum(weights))


class Point(NamedTuple):
    """One capability in one iteration."""

    iteration: str
    start: LevelsTuple
    end: LevelsTuple | None
    """None until the iteration is closed."""
    weights: LevelsTuple | None
    """The lens weights; None when every lens counts once (the plain score)."""
    target_score: int | None

    @property
    def score_start(self) -> int:
        return sum(self.start)

    @property
    def score_end(self) -> int | None:
        return None if self.end is None else sum(self.end)

    @property
    def latest(self) -> LevelsTuple:
        """The levels the iteration stands at: the end once closed, else the start."""
        return self.start if self.end is None else self.end

    def level(self, lens: Lens, *, at_end: bool = False) -> int | None:
        levels = self.end if at_end else self.start
        return None if levels is None else levels[LENSES.index(lens)]

    @property
    def weighted_start(self) -> float | None:
        return None if self.weights is None else weighted_percent(self.start, self.weights)

    @property
    def weighted_end(self) -> float | None:
        if self.weights is None or self.end is None:
            return None
        return weighted_percent(self.end, self.weights)

    @property
    def target_met(self) -> bool | None:
        """Whether the plain score (the end once closed, else the start) reaches the target."""
        return None if self.target_score is None else sum(self.latest) >= self.target_score

    def to_json(self) -> dict[str, Any]:
        return {
            "iteration": self.iteration,
            "start": _by_lens(self.start),
            "end": None if self.end is None else _by_lens(self.end),
            "score_start": self.score_start,
            "score_end": self.score_end,
            "weights": None if self.weights is None else _by_lens(self.weights),
            "weighted_start": _rounded(self.weighted_start),
            "weighted_end": _rounded(self.weighted_end),
            "target_score": self.target_score,
            "target_met": self.target_met,
        }


def _by_lens(levels: LevelsTuple) -> dict[str, int]:
    return {lens.value: level for lens, level in zip(LENSES, levels, strict=True)}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass(frozen=True)
class CapabilityTrend:
    """A capability across the iterations whose scope holds it."""

    id: str
    name: str
    url: str
    successor_of: tuple[str, ...]
    points: tuple[Point, ...]

    def point(self, iteration_id: str) -> Point | None:
        """The capability in an iteration; None when that iteration's scope leaves it out."""
        return self._by_iteration.get(iteration_id)

    @cached_property
    def _by_iteration(self) -> dict[str, Point]:
        return {p.iteration: p for p in self.points}

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "successor_of": list(self.successor_of),
            "points": [p.to_json() for p in self.points],
        }


class GoalCount(NamedTuple):
    """How an iteration's goals ended."""

    iteration: str
    total: int
    achieved: int
    partly: int
    missed: int
    open: int
    """Goals without an outcome yet."""

    def to_json(self) -> dict[str, Any]:
        return {
            "iteration": self.iteration,
            "total": self.total,
            "achieved": self.achieved,
            "partly": self.partly,
            "missed": self.missed,
            "open": self.open,
        }


class MeasurementPoint(NamedTuple):
    """A KPI figure measured for a goal from cost data."""

    iteration: str
    goal: str
    capability: str
    kpi: str | None
    at: str
    value: float
    unit: str

    def to_json(self) -> dict[str, Any]:
        return {
            "iteration": self.iteration,
            "goal": self.goal,
            "capability": self.capability,
            "kpi": self.kpi,
            "at": self.at,
            "value": finite(self.value),
            "unit": self.unit,
        }


@dataclass(frozen=True)
class Trend:
    """The progress across iterations: what `finops-tui progress` prints in every format."""

    iterations: tuple[IterationHead, ...]
    """Oldest first."""
    capabilities: tuple[CapabilityTrend, ...]
    """By first appearance; a capability that continues others comes right after them."""
    goals: tuple[GoalCount, ...]
    """One per iteration, in the order of `iterations`."""
    measurements: tuple[MeasurementPoint, ...]

    def capability(self, capability_id: str) -> CapabilityTrend:
        for capability in self.capabilities:
            if capability.id == capability_id:
                return capability
        raise KeyError(capability_id)

    def iteration(self, iteration_id: str) -> IterationHead:
        """The iteration of an id (raises KeyError for one not shown)."""
        return self._heads[iteration_id]

    @cached_property
    def _heads(self) -> dict[str, IterationHead]:
        return {head.id: head for head in self.iterations}

    def to_json(self) -> dict[str, Any]:
        return {
            "iterations": [i.to_json() for i in self.iterations],
            "capabilities": [c.to_json() for c in self.capabilities],
            "goals": [g.to_json() for g in self.goals],
            "measurements": [m.to_json() for m in self.measurements],
        }


class UnknownCapabilityError(ValueError):
    """A capability asked for that no shown iteration scopes."""


def compute_trend(
    facts: Iterable[IterationFacts],
    *,
    since: date | None = None,
    capabilities: Collection[str] | None = None,
) -> Trend:
    """The trend of these iterations (any order; shown oldest first).

    `since`: only iterations that start on or after that day. `capabilities`: only these
    capabilities, with the ones they continue and the ones that continue them across a
    framework change, and only their goals and measurements; UnknownCapabilityError names
    an id that no shown iteration scopes.
    """
    shown = [f for f in oldest_first(list(facts)) if since is None or f.starts >= since]
    rows: dict[str, _Row] = {}
    for it in shown:
        for c in it.capabilities:
            row = rows.get(c.id)
            if row is None:
                row = rows[c.id] = _Row()
            row.name, row.url, row.successor_of = c.name, c.url, c.successor_of
            row.points.append(Point(it.id, c.start, it.end(c), c.weights, c.target_score))
    wanted = None if capabilities is None else _lineage(rows, capabilities)
    order = [cid for cid in _family_order(rows) if wanted is None or cid in wanted]
    goals = []
    measurements = []
    for it in shown:
        counted = [g for g in it.goals if wanted is None or g.capability in wanted]
        outcomes = [g.outcome for g in counted]
        goals.append(
            GoalCount(
                it.id,
                total=len(counted),
                achieved=outcomes.count(Outcome.ACHIEVED),
                partly=outcomes.count(Outcome.PARTLY),
                missed=outcomes.count(Outcome.MISSED),
                open=outcomes.count(None),
            )
        )
        measurements += [
            MeasurementPoint(it.id, g.id, g.capability, g.kpi, m.at, m.value, m.unit)
            for g in counted
            for m in g.measurements
        ]
    return Trend(
        iterations=tuple(IterationHead.of(f) for f in shown),
        capabilities=tuple(rows[cid].trend(cid) for cid in order),
        goals=tuple(goals),
        measurements=tuple(measurements),
    )


class _Row:
    """A capability's row while the trend is built (name and links from its latest iteration)."""

    def __init__(self) -> None:
        self.name = ""
        self.url = ""
        self.successor_of: tuple[str, ...] = ()
        self.points: list[Point] = []

    def trend(self, capability_id: str) -> CapabilityTrend:
        return CapabilityTrend(
            capability_id, self.name, self.url, self.successor_of, tuple(self.points)
        )


def _lineage(rows: dict[str, _Row], asked: Collection[str]) -> set[str]:
    """The capabilities asked for, with those they continue and those continuing them."""
    unknown = [c for c in asked if c not in rows]
    if unknown:
        known = ", ".join(rows) or "none"
        raise UnknownCapabilityError(
            f"no capability {unknown[0]!r} in the iterations shown (they scope: {known})"
        )
    continued_by: dict[str, set[str]] = {}
    for cid, row in rows.items():
        for old in row.successor_of:
            continued_by.setdefault(old, set()).add(cid)
    found = set(asked)
    for links in ({c: r.successor_of for c, r in rows.items()}, continued_by):
        todo = list(asked)
        while todo:
            for linked in links.get(todo.pop(), ()):
                if linked in rows and linked not in found:
                    found.add(linked)
                    todo.append(linked)
    return found


def _family_order(rows: dict[str, _Row]) -> list[str]:
    """Row ids by first appearance, each family (capabilities linked by `successor_of`)
    together, at the place of its first member."""
    first = {cid: i for i, cid in enumerate(rows)}
    family = {cid: cid for cid in rows}

    def root(cid: str) -> str:
        while family[cid] != cid:
            cid = family[cid]
        return cid

    for cid, row in rows.items():
        for old in row.successor_of:
            if old in rows:
                a, b = sorted((root(cid), root(old)), key=first.__getitem__)
                family[b] = a
    return sorted(rows, key=lambda cid: (first[root(cid)], first[cid]))
