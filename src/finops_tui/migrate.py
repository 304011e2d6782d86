"""Moving an iteration's scope to the next iteration, within its framework or to a successor.

"Start next" from a finops-2023 iteration may move to finops-2025. Each old capability goes
to the new capabilities that list it in `successor_of`; where several old ones merge into
one (Cost allocation + Managing shared cost → Allocation), the new capability starts at the
*lower* level of its sources on each lens, so no level is claimed that one part of it has
not reached. Open goals follow their capability to its successor. Everything here is pure:
`plan_migration` describes the move (for the app to show before it happens) and
`Iteration.start_next(..., framework=...)` applies the same plan.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from finops_tui.frameworks import find_catalog
from finops_tui.lenses import LENSES, Lens

if TYPE_CHECKING:
    from finops_tui.catalog import Catalog
    from finops_tui.model import Iteration, Levels, ScopeItem


@dataclass(frozen=True)
class ScopeMove:
    """Old capabilities (one or more) that become one new capability."""

    target: str
    target_name: str
    sources: tuple[str, ...]
    source_names: tuple[str, ...]

    @property
    def merged(self) -> bool:
        return len(self.sources) > 1

    @property
    def renamed(self) -> bool:
        return self.sources != (self.target,) or self.source_names != (self.target_name,)

    def __str__(self) -> str:
        return f"{' + '.join(self.source_names)} → {self.target_name}"


@dataclass(frozen=True)
class LevelMerge:
    """A lens on which merged capabilities stood at different levels: the lower was taken."""

    target_name: str
    lens: Lens
    levels: tuple[tuple[str, int], ...]
    """(old capability name, its level) for each source, in scope order."""

    @property
    def taken(self) -> int:
        return min(level for _, level in self.levels)

    def __str__(self) -> str:
        parts = ", ".join(f"{name} {level}" for name, level in self.levels)
        return f"{self.target_name} · {self.lens.label}: {self.taken}, the lower of {parts}"


@dataclass(frozen=True)
class GoalMove:
    """Where an open (not achieved) goal goes, and whether it is still a goal there."""

    goal_id: str
    lens: Lens
    source: str
    target: str | None
    carried: bool
    """False when there is no successor, or the target level is no longer above the level."""


@dataclass(frozen=True)
class Migration:
    """How the scope of `previous` becomes the scope of its next iteration."""

    from_framework: str
    to_framework: str
    moves: tuple[ScopeMove, ...]
    merges: tuple[LevelMerge, ...]
    unmapped: tuple[str, ...]
    """Old capabilities without a successor (their levels and goals stay behind)."""
    goal_moves: tuple[GoalMove, ...]
    parameters_reset: tuple[str, ...]
    """New capabilities whose sources had different weights or target scores: reset."""
    scope: tuple[ScopeItem, ...] = field(repr=False)
    levels: dict[str, Levels] = field(repr=False)
    goal_map: dict[str, str] = field(repr=False)
    """Old capability → the new capability its goals go to."""

    @property
    def changes_framework(self) -> bool:
        return self.from_framework != self.to_framework

    def lines(self) -> list[str]:
        """The move in words, for a confirmation screen: the mapping, then what it implies."""
        out = [str(m) for m in self.moves if m.renamed]
        out += [f"{name} → (no successor; left behind)" for name in self.unmapped]
        if self.merges:
            out.append("Merged capabilities start at the lower level of their parts:")
            out += [f"  {merge}" for merge in self.merges]
        if self.parameters_reset:
            names = ", ".join(self.parameters_reset)
            out.append(f"Weights and target score reset (their parts differed): {names}")
        names = {m.target: m.target_name for m in self.moves}
        for (target, lens), count in self.shared_cells().items():
            out.append(f"{count} open goals now share {names[target]} · {lens.label}")
        return out

    def shared_cells(self) -> dict[tuple[str, Lens], int]:
        """Cells of the goal matrix that more than one carried goal lands in (merged parts
        with goals on the same lens); both goals are kept."""
        counts = Counter((m.target, m.lens) for m in self.goal_moves if m.carried and m.target)
        return {cell: n for cell, n in counts.items() if n > 1}


def plan_migration(previous: Iteration, to_framework: str) -> Migration:
    """How `previous`'s scope, levels (as reached) and open goals move to `to_framework`.

    `to_framework` is the iteration's own framework (nothing moves) or one whose catalogue
    `succeeds` it. Raises ValueError otherwise, and CatalogError when a needed catalogue is
    not available.
    """
    from finops_tui.catalog import load_catalog
    from finops_tui.model import Levels

    old_id = previous.framework
    same = to_framework == old_id
    new = find_catalog(to_framework) if same else load_catalog(to_framework)
    old = None if same else load_catalog(old_id)
    if new is not None and not same and new.succeeds != old_id:
        raise ValueError(
            f"{to_framework} does not succeed {old_id}: an iteration can only move to its "
            "framework's successor"
        )

    def old_name(capability: str) -> str:
        catalog = old or find_catalog(old_id)
        return _name(catalog, capability)

    successors = {
        c: ((c,) if same or new is None else new.successors_of(c)) for c in previous.capabilities
    }
    sources: dict[str, list[str]] = {}
    for capability in previous.capabilities:
        for target in successors[capability]:
            sources.setdefault(target, []).append(capability)
    reached = {c: previous.reached_levels(c) for c in previous.capabilities}

    moves, merges, scope, reset = [], [], [], []
    levels: dict[str, Levels] = {}
    for target, parts in sources.items():
        names = tuple(old_name(c) for c in parts)
        target_name = _name(new, target)
        moves.append(ScopeMove(target, target_name, tuple(parts), names))
        merged = Levels()
        for lens in LENSES:
            values = [reached[c].get(lens) for c in parts]
            merged.set(lens, min(values))
            if len(set(values)) > 1:
                merges.append(LevelMerge(target_name, lens, tuple(zip(names, values, strict=True))))
        levels[target] = merged
        items = [previous.scope_item(c) for c in parts]
        item = items[0].model_copy(deep=True, update={"capability": target})
        notes = list(dict.fromkeys(i.note for i in items if i.note))
        item.note = "\n".join(notes)
        parameters = {
            (previous.target_score(c), tuple(previous.lens_weights(c).values())) for c in parts
        }
        if len(parameters) > 1:
            item.target_score = None
            item.weights = None
            reset.append(target_name)
        scope.append(item)

    goal_map = {c: successors[c][0] for c in previous.capabilities if successors[c]}
    goal_moves = []
    for goal in previous.unfinished_goals():
        target = goal_map.get(goal.capability)
        carried = target is not None and goal.to_level > levels[target].get(goal.lens)
        goal_moves.append(GoalMove(goal.id, goal.lens, goal.capability, target, carried))
    return Migration(
        from_framework=old_id,
        to_framework=to_framework,
        moves=tuple(moves),
        merges=tuple(merges),
        unmapped=tuple(old_name(c) for c in previous.capabilities if not successors[c]),
        goal_moves=tuple(goal_moves),
        parameters_reset=tuple(reset),
        scope=tuple(scope),
        levels=levels,
        goal_map=goal_map,
    )


def _name(catalog: Catalog | None, capability: str) -> str:
    if catalog is not None and catalog.has_capability(capability):
        return catalog.capability(capability).name
    return capability
