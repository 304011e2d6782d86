"""What changed between two iterations: scope, levels per lens, scores, goals and outcomes.

Each side is taken where it stands: a closed iteration at its end levels, an iteration in
planning or under way at its start levels. Capabilities are matched by id, or across a move
to the successor framework through `successor_of` (either way round); a capability that took
over several (a merge) is compared with the lowest of their levels on each lens, as
"start next" sets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from finops_tui.lenses import LENSES, Lens
from finops_tui.progress.facts import CapabilityFacts, GoalFacts, IterationFacts, LevelsTuple
from finops_tui.progress.trend import IterationHead
from finops_tui.terms import Outcome

ScopeKind = Literal["added", "removed", "kept", "moved"]


@dataclass(frozen=True)
class Side:
    """One of the two iterations, and which of its levels are compared."""

    head: IterationHead
    at_end: bool
    """True: the levels reached (a closed iteration); False: the start levels."""

    def to_json(self) -> dict[str, Any]:
        return self.head.to_json() | {"levels": "end" if self.at_end else "start"}


@dataclass(frozen=True)
class ScopeChange:
    """A capability of either side: added in the second, removed from it, kept, or moved to
    another id by a framework change (`sources`: the first side's capabilities it matches)."""

    kind: ScopeKind
    capability: str
    name: str
    sources: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "capability": self.capability,
            "name": self.name,
            "change": self.kind,
            "from": list(self.sources),
        }


@dataclass(frozen=True)
class LevelChange:
    """A lens of a capability in both iterations whose level moved."""

    capability: str
    name: str
    lens: Lens
    before: int
    after: int

    @property
    def up(self) -> bool:
        return self.after > self.before

    def to_json(self) -> dict[str, Any]:
        return {
            "capability": self.capability,
            "name": self.name,
            "lens": self.lens.value,
            "from": self.before,
            "to": self.after,
        }


@dataclass(frozen=True)
class ScoreChange:
    """A capability in both iterations: its score (0-20) in each."""

    capability: str
    name: str
    before: int
    after: int

    def to_json(self) -> dict[str, Any]:
        return {"capability": self.capability, "name": self.name, "from": self.before,
                "to": self.after}  # fmt: skip


@dataclass(frozen=True)
class GoalLine:
    """A goal of either iteration and how it ended (`open` without an outcome yet)."""

    id: str
    capability: str
    name: str
    lens: Lens
    from_level: int
    to_level: int
    outcome: str
    reached_level: int | None
    statement: str
    continues: str | None = None
    """For a goal of the second iteration: the first's unachieved goal on the same cell."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "capability": self.capability,
            "lens": self.lens.value,
            "from_level": self.from_level,
            "to_level": self.to_level,
            "outcome": self.outcome,
            "reached_level": self.reached_level,
            "statement": self.statement,
            "continues": self.continues,
        }


@dataclass(frozen=True)
class Comparison:
    """What changed from `before` to `after` (`finops-tui diff A B`, the app's Compare)."""

    before: Side
    after: Side
    scope: tuple[ScopeChange, ...]
    """The second iteration's capabilities in its order, then those removed from the first."""
    levels: tuple[LevelChange, ...]
    scores: tuple[ScoreChange, ...]
    goals_before: tuple[GoalLine, ...]
    goals_after: tuple[GoalLine, ...]

    def scope_of(self, kind: ScopeKind) -> list[ScopeChange]:
        return [s for s in self.scope if s.kind == kind]

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.before.to_json(),
            "to": self.after.to_json(),
            "scope": [s.to_json() for s in self.scope],
            "levels": [change.to_json() for change in self.levels],
            "scores": [change.to_json() for change in self.scores],
            "goals": {
                "from": [g.to_json() for g in self.goals_before],
                "to": [g.to_json() for g in self.goals_after],
            },
        }


def _linked(old: CapabilityFacts, new: CapabilityFacts) -> bool:
    return old.id == new.id or old.id in new.successor_of or new.id in old.successor_of


def compare(before: IterationFacts, after: IterationFacts) -> Comparison:
    """What changed from `before` to `after` (usually older to newer; either order works)."""
    sources = {
        new.id: [old for old in before.capabilities if _linked(old, new)]
        for new in after.capabilities
    }
    matched = {old.id for found in sources.values() for old in found}
    scope: list[ScopeChange] = []
    levels: list[LevelChange] = []
    scores: list[ScoreChange] = []
    for new in after.capabilities:
        found = sources[new.id]
        ids = tuple(old.id for old in found)
        kind: ScopeKind = "added" if not found else "kept" if ids == (new.id,) else "moved"
        scope.append(ScopeChange(kind, new.id, new.name, ids))
        if not found:
            continue
        was = _lowest([before.latest(old) for old in found])
        now = after.latest(new)
        scores.append(ScoreChange(new.id, new.name, sum(was), sum(now)))
        levels += [
            LevelChange(new.id, new.name, lens, a, b)
            for lens, a, b in zip(LENSES, was, now, strict=True)
            if a != b
        ]
    scope += [
        ScopeChange("removed", old.id, old.name, (old.id,))
        for old in before.capabilities
        if old.id not in matched
    ]
    names = {c.id: c.name for c in (*before.capabilities, *after.capabilities)}
    goals_before = tuple(_line(g, names) for g in before.goals)
    open_before = [g for g in before.goals if g.outcome is not Outcome.ACHIEVED]
    goals_after = []
    for goal in after.goals:
        cell = {old.id for old in sources.get(goal.capability, ())}
        earlier = next(
            (g for g in open_before if g.capability in cell and g.lens is goal.lens), None
        )
        if earlier is not None:
            open_before.remove(earlier)
        goals_after.append(_line(goal, names, earlier.id if earlier else None))
    return Comparison(
        before=Side(IterationHead.of(before), before.closed),
        after=Side(IterationHead.of(after), after.closed),
        scope=tuple(scope),
        levels=tuple(levels),
        scores=tuple(scores),
        goals_before=goals_before,
        goals_after=tuple(goals_after),
    )


def _lowest(levels: list[LevelsTuple]) -> LevelsTuple:
    return tuple(min(values) for values in zip(*levels, strict=True))


def _line(goal: GoalFacts, names: dict[str, str], continues: str | None = None) -> GoalLine:
    return GoalLine(
        id=goal.id,
        capability=goal.capability,
        name=names.get(goal.capability, goal.capability),
        lens=goal.lens,
        from_level=goal.from_level,
        to_level=goal.to_level,
        outcome=goal.outcome.value if goal.outcome else "open",
        reached_level=goal.reached_level,
        statement=goal.statement,
        continues=continues,
    )
