"""What the progress across iterations needs from one iteration, and nothing more.

An iteration's header, each scoped capability's levels at the start and as reached, its
lens weights and target score, its goals with their outcomes and measurements. Built from an
iteration (`facts_of`), or read back from the history index (`IterationFacts.from_json`), so
`progress` and `diff` run on a long history without parsing files or loading pydantic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from finops_tui.lenses import CAPABILITY_MAX_SCORE, LENSES, MAX_LEVEL, MAX_WEIGHT, Lens
from finops_tui.terms import Outcome, Status

if TYPE_CHECKING:
    from finops_tui.model import Iteration

_E = TypeVar("_E")
LevelsTuple = tuple[int, ...]
"""One level 0-4 per lens, in the order of `LENSES`."""
STATEMENT_CHARS = 200
"""A goal's statement is kept up to this many characters: enough to tell goals apart."""


class CapabilityFacts(NamedTuple):
    """One scoped capability of one iteration."""

    id: str
    name: str
    """The catalogue's name; the id when the framework's catalogue is missing."""
    url: str
    """The guidance page; empty when the catalogue is missing."""
    successor_of: tuple[str, ...]
    """Capabilities of the predecessor framework this one took over (other ids than its own)."""
    start: LevelsTuple
    reached: LevelsTuple
    """`start` with each goal's `reached_level` applied (as `Iteration.reached_levels`)."""
    weights: LevelsTuple | None
    """The lens weights, None when every lens counts once."""
    target_score: int | None


class MeasurementFacts(NamedTuple):
    """A figure computed from cost data for a goal."""

    at: str
    """ISO 8601 in UTC with a `Z`, as in the file."""
    value: float
    unit: str


class GoalFacts(NamedTuple):
    """One goal: the cell it raises, how it ended, its measurements."""

    id: str
    capability: str
    lens: Lens
    from_level: int
    to_level: int
    outcome: Outcome | None
    reached_level: int | None
    statement: str
    """The first `STATEMENT_CHARS` characters of the statement."""
    kpi: str | None
    measurements: tuple[MeasurementFacts, ...]


@dataclass(frozen=True)
class IterationFacts:
    """One iteration, as far as progress and comparison go."""

    id: str
    number: int
    title: str
    status: Status
    framework: str
    starts: date
    ends: date
    previous: str | None
    capabilities: tuple[CapabilityFacts, ...]
    goals: tuple[GoalFacts, ...]

    @property
    def closed(self) -> bool:
        return self.status is Status.CLOSED

    def capability(self, capability_id: str) -> CapabilityFacts | None:
        return next((c for c in self.capabilities if c.id == capability_id), None)

    def end(self, capability: CapabilityFacts) -> LevelsTuple | None:
        """A capability's levels at the end: known once the iteration is closed."""
        return capability.reached if self.closed else None

    def latest(self, capability: CapabilityFacts) -> LevelsTuple:
        """The levels the iteration stands at: the end once closed, else the start."""
        return capability.reached if self.closed else capability.start

    def to_json(self) -> dict[str, Any]:
        """The shape kept in the history index: the header by name, each capability and goal
        as a list in the order of its fields (a long history's index stays small)."""
        return {
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "status": self.status.value,
            "framework": self.framework,
            "starts": self.starts.isoformat(),
            "ends": self.ends.isoformat(),
            "previous": self.previous,
            "capabilities": [
                [c.id, c.name, c.url, list(c.successor_of), list(c.start), list(c.reached),
                 None if c.weights is None else list(c.weights), c.target_score]
                for c in self.capabilities
            ],
            "goals": [
                [g.id, g.capability, g.lens.value, g.from_level, g.to_level,
                 None if g.outcome is None else g.outcome.value, g.reached_level, g.statement,
                 g.kpi, [[m.at, m.value, m.unit] for m in g.measurements]]
                for g in self.goals
            ],
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: object) -> IterationFacts:
        """Facts read back from the index; ValueError unless every field has its type."""
        if type(data) is not dict or data.keys() != _ITERATION_KEYS:
            raise ValueError("not an entry of progress facts")
        d: dict[str, Any] = data
        previous = d["previous"]
        capabilities, goals = d["capabilities"], d["goals"]
        if type(capabilities) is not list or type(goals) is not list:
            raise ValueError("expected lists of capabilities and goals")
        return cls(
            id=_text(d["id"]),
            number=_whole(d["number"], 1, None),
            title=_text(d["title"]),
            status=_member(_STATUS_OF, d["status"]),
            framework=_text(d["framework"]),
            starts=date.fromisoformat(_text(d["starts"])),
            ends=date.fromisoformat(_text(d["ends"])),
            previous=None if previous is None else _text(previous),
            capabilities=tuple(_capability(c) for c in capabilities),
            goals=tuple(_goal(g) for g in goals),
        )


_ITERATION_KEYS = frozenset(
    ("id", "number", "title", "status", "framework", "starts", "ends", "previous",
     "capabilities", "goals")
)  # fmt: skip


def _text(value: object) -> str:
    if type(value) is not str:
        raise ValueError("expected text")
    return value


def _whole(value: object, low: int, high: int | None) -> int:
    if type(value) is not int or value < low or (high is not None and value > high):
        raise ValueError("expected a whole number in range")
    return value


def _fields(value: object, count: int) -> list[Any]:
    if type(value) is not list or len(value) != count:
        raise ValueError(f"expected a list of {count} fields")
    return value


def _levels(value: object, high: int = MAX_LEVEL) -> LevelsTuple:
    # Unrolled: this runs for every capability of every iteration of a long history.
    if type(value) is list and len(value) == 5:  # one per lens
        a, b, c, d, e = value
        if (
            type(a) is int and type(b) is int and type(c) is int and type(d) is int
            and type(e) is int
            and 0 <= a <= high and 0 <= b <= high and 0 <= c <= high and 0 <= d <= high
            and 0 <= e <= high
        ):  # fmt: skip
            return (a, b, c, d, e)
    raise ValueError("expected a level 0-4 (a weight 0-5) per lens")


def _texts(*values: object) -> None:
    for value in values:
        if type(value) is not str:
            raise ValueError("expected text")


def _member(members: dict[object, _E], value: object) -> _E:
    # A dict lookup: calling an enum is slow, and this runs for every goal of a history.
    try:
        return members[value]
    except (KeyError, TypeError):
        raise ValueError(f"unknown value {value!r}") from None


_LENS_OF: dict[object, Lens] = {lens.value: lens for lens in Lens}
_OUTCOME_OF: dict[object, Outcome | None] = {o.value: o for o in Outcome} | {None: None}
_STATUS_OF: dict[object, Status] = {status.value: status for status in Status}


def _capability(data: object) -> CapabilityFacts:
    cid, name, url, successor_of, start, reached, weights, target = _fields(data, 8)
    if type(successor_of) is not list:
        raise ValueError("expected a list of capabilities")
    _texts(cid, name, url, *successor_of)
    return CapabilityFacts(
        cid,
        name,
        url,
        tuple(successor_of),
        _levels(start),
        _levels(reached),
        None if weights is None else _levels(weights, MAX_WEIGHT),
        None if target is None else _whole(target, 1, CAPABILITY_MAX_SCORE),
    )


def _goal(data: object) -> GoalFacts:
    gid, capability, lens, low, high, outcome, reached, statement, kpi, measured = _fields(data, 10)
    if type(measured) is not list:
        raise ValueError("expected a list of measurements")
    _texts(gid, capability, statement, *(() if kpi is None else (kpi,)))
    return GoalFacts(
        gid,
        capability,
        _member(_LENS_OF, lens),
        _whole(low, 0, MAX_LEVEL),
        _whole(high, 0, MAX_LEVEL),
        _member(_OUTCOME_OF, outcome),
        None if reached is None else _whole(reached, 0, MAX_LEVEL),
        statement,
        kpi,
        tuple([_measurement(m) for m in measured]) if measured else (),
    )


def _measurement(data: object) -> MeasurementFacts:
    at, value, unit = _fields(data, 3)
    if type(value) is not float and type(value) is not int:
        raise ValueError("expected a number")
    return MeasurementFacts(_text(at), float(value), _text(unit))


def _utc_text(moment: Any) -> str:
    text = moment.isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def _tuple(levels: Any) -> LevelsTuple:
    return tuple(levels.get(lens) for lens in LENSES)


def facts_of(iteration: Iteration) -> IterationFacts:
    """The facts of an iteration (a saved one, or the one open in the app with its edits)."""
    from finops_tui.frameworks import find_catalog

    catalog = find_catalog(iteration.framework)
    capabilities = []
    for item in iteration.scope:
        cid = item.capability
        entry = catalog.capability(cid) if catalog and catalog.has_capability(cid) else None
        weights = item.weights
        capabilities.append(
            CapabilityFacts(
                id=cid,
                name=entry.name if entry else cid,
                url=entry.url if entry else "",
                successor_of=tuple(s for s in entry.successor_of if s != cid) if entry else (),
                start=_tuple(iteration.levels[cid]),
                reached=_tuple(iteration.reached_levels(cid)),
                weights=None if weights is None or weights.is_default else _tuple(weights),
                target_score=item.target_score,
            )
        )
    goals = tuple(
        GoalFacts(
            id=g.id,
            capability=g.capability,
            lens=g.lens,
            from_level=g.from_level,
            to_level=g.to_level,
            outcome=g.outcome,
            reached_level=g.reached_level,
            statement=g.statement[:STATEMENT_CHARS],
            kpi=g.kpi,
            measurements=tuple(
                MeasurementFacts(_utc_text(m.at), m.value, m.unit) for m in g.measurements
            ),
        )
        for g in iteration.goals
    )
    return IterationFacts(
        id=iteration.id,
        number=iteration.number,
        title=iteration.title,
        status=iteration.status,
        framework=iteration.framework,
        starts=iteration.starts,
        ends=iteration.ends,
        previous=iteration.previous,
        capabilities=tuple(capabilities),
        goals=goals,
    )


def oldest_first(facts: Sequence[IterationFacts]) -> list[IterationFacts]:
    """Iterations in the order of their numbers (then start date and id), oldest first."""
    return sorted(facts, key=lambda f: (f.number, f.starts, f.id))


def finite(value: float) -> float | None:
    """A measured value for JSON and charts: None for NaN and infinities."""
    return value if math.isfinite(value) else None
