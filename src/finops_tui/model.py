"""The iteration model: what one FinOps iteration holds, its rules, and what follows from it.

Pure data and logic: no Textual, no file access. The shape is the public file format
(`docs/file-format.md`); `Iteration.to_document()` gives it back in the documented order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from finops_tui.catalog import DEFAULT_CATALOG, CatalogError, load_catalog
from finops_tui.lenses import CAPABILITY_MAX_SCORE, LENSES, MAX_LEVEL, MIN_LEVEL, Lens
from finops_tui.terms import (
    SCHEMA_VERSION,
    ActionStatus,
    Group,
    Outcome,
    Status,
    validate_id,
)

DEFAULT_LENGTH = timedelta(weeks=4)
LONG_ITERATION = timedelta(weeks=13)
FIRST_SCOPE_RANGE = (3, 5)
MAX_ADDED_LATER = 2
MAX_GOALS = 3

Level = Annotated[int, Field(ge=MIN_LEVEL, le=MAX_LEVEL, strict=True)]


def utc_now() -> datetime:
    """The current time in UTC, to the second (the precision the files keep)."""
    return datetime.now(UTC).replace(microsecond=0)


def _as_utc(value: datetime) -> datetime:
    # A hand-edited file may hold a local date-time; read it as UTC rather than refuse it.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Record(BaseModel):
    """Base of every table in an iteration file: keeps unknown keys for a lossless round trip."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    # Fields written even when empty, so a reader always sees them.
    _keep_empty: ClassVar[frozenset[str]] = frozenset()

    def to_document(self) -> dict[str, Any]:
        """This record as the TOML shape: declared keys in order, empty optional ones left out."""
        doc: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = _document_value(getattr(self, name))
            if name in self._keep_empty or not _is_empty(value):
                doc[name] = value
        for name, value in (self.__pydantic_extra__ or {}).items():
            doc[name] = _document_value(value)
        return doc


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _document_value(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_document()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, list | tuple):
        return [_document_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _document_value(v) for k, v in value.items()}
    return value


class Person(Record):
    """Someone taking part in the iteration."""

    name: str
    role: str = ""
    group: Group | None = None

    _keep_empty = frozenset({"name"})

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a person needs a name")
        return value


class Stakeholders(Record):
    """Who takes part: the groups involved, the people, and a note on the team's situation."""

    business: bool = False
    technology: bool = False
    finance: bool = False
    notes: str = ""
    people: list[Person] = Field(default_factory=list)

    _keep_empty = frozenset({"business", "technology", "finance"})

    def groups(self) -> list[Group]:
        """The groups ticked as taking part."""
        return [g for g in Group if getattr(self, g.value)]


class ScopeItem(Record):
    """One capability the iteration works on."""

    capability: str
    note: str = ""


class Levels(Record):
    """The level 0-4 of one capability on each of the five lenses."""

    knowledge: Level = 0
    process: Level = 0
    metrics: Level = 0
    adoption: Level = 0
    automation: Level = 0

    _keep_empty = frozenset(lens.value for lens in LENSES)

    def get(self, lens: Lens) -> int:
        return int(getattr(self, lens.value))

    def set(self, lens: Lens, level: int) -> None:
        if not MIN_LEVEL <= level <= MAX_LEVEL:
            raise ValueError(f"a level is {MIN_LEVEL}-{MAX_LEVEL}, not {level}")
        setattr(self, lens.value, level)

    def total(self) -> int:
        return sum(self.get(lens) for lens in LENSES)


class Measurement(Record):
    """A figure computed from cost data for a goal's metric."""

    at: datetime
    value: float
    unit: str = ""
    source: str = ""

    _keep_empty = frozenset({"at", "value"})

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return _as_utc(value)

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(f"a measurement must be a finite number, not {value}")
        return value


class Action(Record):
    """A concrete step towards a goal."""

    title: str
    owner: str = ""
    due: date | None = None
    status: ActionStatus = ActionStatus.TODO

    _keep_empty = frozenset({"title", "status"})

    @property
    def open(self) -> bool:
        return self.status in (ActionStatus.TODO, ActionStatus.DOING)


class Goal(Record):
    """A measurable goal: raise one capability on one lens from one level to a higher one."""

    id: str
    capability: str
    lens: Lens
    from_level: Level
    to_level: Level
    statement: str = ""
    metric: str = ""
    baseline: str = ""
    target: str = ""
    due: date | None = None
    outcome: Outcome | None = None
    reached_level: Level | None = None
    evidence: str = ""
    kpi: str | None = None
    measurements: list[Measurement] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)

    _keep_empty = frozenset({"statement"})

    @field_validator("id")
    @classmethod
    def _id_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a goal needs an id")
        return value

    @model_validator(mode="after")
    def _raises_level(self) -> Goal:
        if self.to_level <= self.from_level:
            raise ValueError(
                f"to_level ({self.to_level}) must be above from_level ({self.from_level}): "
                "a goal raises a level"
            )
        return self

    @property
    def finished(self) -> bool:
        return self.outcome is Outcome.ACHIEVED


class Review(Record):
    """The retrospective at the end of an iteration."""

    went_well: str = ""
    went_poorly: str = ""
    improve: str = ""
    closed: date | None = None


@dataclass(frozen=True)
class Score:
    """A maturity score: points out of a maximum, and the share as a percentage."""

    points: int
    maximum: int

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.maximum if self.maximum else 0.0


class WarningKind(StrEnum):
    """The tutorial's advice that an iteration departs from."""

    SCOPE_SIZE = "scope-size"
    SCOPE_GROWTH = "scope-growth"
    NO_GOALS = "no-goals"
    TOO_MANY_GOALS = "too-many-goals"
    LONG_ITERATION = "long-iteration"


@dataclass(frozen=True)
class IterationWarning:
    """Advice shown to the user; never a reason to refuse the data."""

    kind: WarningKind
    message: str


class Iteration(Record):
    """One FinOps iteration, as saved in `iterations/<id>.toml`."""

    schema_version: int = SCHEMA_VERSION
    id: str
    number: int = Field(ge=1, strict=True)
    title: str = ""
    status: Status = Status.PLANNING
    framework: str = DEFAULT_CATALOG
    starts: date
    ends: date
    created: datetime
    updated: datetime
    previous: str | None = None
    stakeholders: Stakeholders = Field(default_factory=Stakeholders)
    scope: list[ScopeItem] = Field(default_factory=list)
    levels: dict[str, Levels] = Field(default_factory=dict)
    goals: list[Goal] = Field(default_factory=list)
    review: Review = Field(default_factory=Review)

    _keep_empty = frozenset({"schema_version", "title", "stakeholders"})

    # -- validation ---------------------------------------------------------------------------

    @field_validator("schema_version", mode="before")
    @classmethod
    def _known_schema(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value > SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {value} is newer than this finops-tui understands "
                f"({SCHEMA_VERSION}); upgrade finops-tui to open it"
            )
        if value != SCHEMA_VERSION or isinstance(value, bool):
            raise ValueError(f"schema_version must be {SCHEMA_VERSION}, not {value!r}")
        return value

    @field_validator("id", "previous")
    @classmethod
    def _valid_id(cls, value: str | None) -> str | None:
        return None if value is None else validate_id(value)

    @field_validator("created", "updated")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return _as_utc(value)

    @field_validator("framework")
    @classmethod
    def _known_framework(cls, value: str) -> str:
        try:
            load_catalog(value)
        except CatalogError as exc:
            raise ValueError(str(exc)) from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Iteration:
        if self.ends < self.starts:
            raise ValueError(f"ends ({self.ends}) is before starts ({self.starts})")
        if self.previous == self.id:
            raise ValueError("previous names this iteration itself")
        catalog = load_catalog(self.framework)
        scoped: list[str] = []
        for i, item in enumerate(self.scope):
            if not catalog.has_capability(item.capability):
                raise ValueError(
                    f"scope[{i}]: capability {item.capability!r} is not in the "
                    f"{self.framework} catalogue"
                )
            if item.capability in scoped:
                raise ValueError(f"scope[{i}]: capability {item.capability!r} is listed twice")
            scoped.append(item.capability)
        for capability in self.levels:
            if capability not in scoped:
                raise ValueError(f"levels.{capability}: capability is not in scope")
        # Every scoped capability has levels, written in scope order.
        self.levels = {c: self.levels.get(c) or Levels() for c in scoped}
        seen: set[str] = set()
        for i, goal in enumerate(self.goals):
            where = f"goals[{i}] ({goal.id})"
            if goal.id in seen:
                raise ValueError(f"{where}: goal id is used twice")
            seen.add(goal.id)
            if goal.capability not in scoped:
                raise ValueError(f"{where}: capability {goal.capability!r} is not in scope")
            current = self.levels[goal.capability].get(goal.lens)
            if goal.from_level != current:
                raise ValueError(
                    f"{where}: from_level ({goal.from_level}) must equal the current level "
                    f"({current}) in levels.{goal.capability}.{goal.lens.value}"
                )
        return self

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def new(
        cls,
        id: str,
        number: int,
        starts: date,
        *,
        now: datetime | None = None,
        framework: str = DEFAULT_CATALOG,
        title: str = "",
    ) -> Iteration:
        """A fresh iteration in planning, four weeks long."""
        now = now or utc_now()
        return cls(
            id=id,
            number=number,
            title=title,
            framework=framework,
            starts=starts,
            ends=starts + DEFAULT_LENGTH,
            created=now,
            updated=now,
        )

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Iteration:
        """Validate a TOML- or JSON-shaped document (raises pydantic's ValidationError)."""
        return cls.model_validate(document)

    def validated(self) -> Iteration:
        """A re-validated copy: proof that edits made in place kept every rule."""
        return type(self).from_document(self.to_document())

    def touch(self, now: datetime | None = None) -> None:
        """Record that the iteration changed."""
        self.updated = now or utc_now()

    # -- scope and levels ---------------------------------------------------------------------

    @property
    def capabilities(self) -> list[str]:
        """The scoped capability ids, in order."""
        return [item.capability for item in self.scope]

    def set_scope(self, capabilities: Iterable[str]) -> None:
        """Scope exactly these capabilities; levels and goals of dropped ones go with them."""
        wanted = list(dict.fromkeys(capabilities))
        catalog = load_catalog(self.framework)
        for capability in wanted:
            catalog.capability(capability)
        kept = {item.capability: item for item in self.scope}
        self.scope = [kept.get(c) or ScopeItem(capability=c) for c in wanted]
        self.levels = {c: self.levels.get(c) or Levels() for c in wanted}
        self.goals = [g for g in self.goals if g.capability in self.levels]

    def level(self, capability: str, lens: Lens) -> int:
        """The current (start) level of a cell."""
        return self.levels[capability].get(lens)

    def set_level(self, capability: str, lens: Lens, level: int) -> None:
        """Set a cell's current level; its goals follow, and one no longer above it is dropped."""
        self.levels[capability].set(lens, level)
        kept = []
        for goal in self.goals:
            if goal.capability == capability and goal.lens == lens:
                if goal.to_level <= level:
                    continue
                goal.from_level = level
            kept.append(goal)
        self.goals = kept

    # -- goals --------------------------------------------------------------------------------

    def goals_of(self, capability: str, lens: Lens) -> list[Goal]:
        """The goals of one cell of the goal matrix."""
        return [g for g in self.goals if g.capability == capability and g.lens == lens]

    def goals_of_capability(self, capability: str) -> list[Goal]:
        return [g for g in self.goals if g.capability == capability]

    def goal(self, goal_id: str) -> Goal:
        for goal in self.goals:
            if goal.id == goal_id:
                return goal
        raise KeyError(f"no goal {goal_id!r} in iteration {self.id}")

    def target(self, capability: str, lens: Lens) -> int | None:
        """The target level of a cell: the highest of its goals, or None without a goal."""
        return max((g.to_level for g in self.goals_of(capability, lens)), default=None)

    def next_goal_id(self) -> str:
        taken = {g.id for g in self.goals}
        n = len(self.goals) + 1
        while f"g{n}" in taken:
            n += 1
        return f"g{n}"

    def set_target(self, capability: str, lens: Lens, target: int | None) -> Goal | None:
        """Set a cell's target level: a target above the current level makes (or moves) a goal.

        A target at or below the current level removes the cell's goals. Returns the cell's
        goal, if it has one afterwards.
        """
        current = self.level(capability, lens)
        existing = self.goals_of(capability, lens)
        if target is None or target <= current:
            self.goals = [g for g in self.goals if g not in existing]
            return None
        if target > MAX_LEVEL:
            raise ValueError(f"a level is {MIN_LEVEL}-{MAX_LEVEL}, not {target}")
        if existing:
            existing[0].to_level = target
            return existing[0]
        goal = Goal(
            id=self.next_goal_id(),
            capability=capability,
            lens=lens,
            from_level=current,
            to_level=target,
        )
        self.goals.append(goal)
        return goal

    def goals_achieved(self) -> tuple[int, int]:
        """(achieved, total) goals."""
        return sum(1 for g in self.goals if g.finished), len(self.goals)

    # -- scores -------------------------------------------------------------------------------

    def reached_levels(self, capability: str) -> Levels:
        """A capability's levels at the end: the start levels, moved where a review set a level."""
        levels = self.levels[capability].model_copy()
        for lens in LENSES:
            reached = [
                g.reached_level
                for g in self.goals_of(capability, lens)
                if g.reached_level is not None
            ]
            if reached:
                levels.set(lens, max(reached))
        return levels

    def capability_score(self, capability: str, *, at_end: bool = False) -> Score:
        """A capability's maturity: the sum of its five lens levels, out of 20."""
        levels = self.reached_levels(capability) if at_end else self.levels[capability]
        return Score(levels.total(), CAPABILITY_MAX_SCORE)

    def score(self, *, at_end: bool = False) -> Score:
        """The iteration's maturity: all scoped capabilities together."""
        scores = [self.capability_score(c, at_end=at_end) for c in self.capabilities]
        return Score(sum(s.points for s in scores), sum(s.maximum for s in scores))

    # -- life cycle ---------------------------------------------------------------------------

    @property
    def is_first(self) -> bool:
        """Whether this iteration starts a practice rather than continuing one."""
        return self.previous is None

    @property
    def read_only(self) -> bool:
        return self.status is Status.CLOSED

    @property
    def weeks(self) -> float:
        return (self.ends - self.starts).days / 7

    def close(self, today: date) -> None:
        """End the iteration: it stays read-only until reopened."""
        self.status = Status.CLOSED
        self.review.closed = today

    def reopen(self) -> None:
        self.status = Status.ACTIVE
        self.review.closed = None

    def unfinished_goals(self) -> list[Goal]:
        return [g for g in self.goals if not g.finished]

    def start_next(
        self,
        id: str,
        number: int,
        starts: date,
        *,
        carry_unfinished: bool = False,
        now: datetime | None = None,
    ) -> Iteration:
        """The next iteration: same scope, the levels reached as its current levels.

        With `carry_unfinished`, goals not achieved come along (with their open actions) when
        their target is still above the new current level.
        """
        nxt = Iteration.new(id, number, starts, now=now, framework=self.framework)
        nxt.previous = self.id
        nxt.stakeholders = self.stakeholders.model_copy(deep=True)
        nxt.scope = [item.model_copy(deep=True) for item in self.scope]
        nxt.levels = {c: self.reached_levels(c) for c in self.capabilities}
        if carry_unfinished:
            for goal in self.unfinished_goals():
                current = nxt.level(goal.capability, goal.lens)
                if goal.to_level <= current:
                    continue
                carried = goal.model_copy(
                    deep=True,
                    update={
                        "id": nxt.next_goal_id(),
                        "from_level": current,
                        "outcome": None,
                        "reached_level": None,
                        "evidence": "",
                        "due": None,
                        "actions": [a.model_copy() for a in goal.actions if a.open],
                    },
                )
                nxt.goals.append(carried)
        return nxt.validated()

    # -- advice -------------------------------------------------------------------------------

    def warnings(self, previous: Iteration | None = None) -> list[IterationWarning]:
        """Where the iteration departs from the tutorial's advice (shown, never enforced)."""
        found: list[IterationWarning] = []
        size = len(self.scope)
        low, high = FIRST_SCOPE_RANGE
        if self.is_first and not low <= size <= high:
            found.append(
                IterationWarning(
                    WarningKind.SCOPE_SIZE,
                    f"{size} capabilities in scope: a first iteration works best with "
                    f"{low}-{high}.",
                )
            )
        if previous is not None:
            added = [c for c in self.capabilities if c not in previous.capabilities]
            if len(added) > MAX_ADDED_LATER:
                found.append(
                    IterationWarning(
                        WarningKind.SCOPE_GROWTH,
                        f"{len(added)} capabilities added since the previous iteration: keep "
                        f"the same ones and add at most {MAX_ADDED_LATER}.",
                    )
                )
        goals = len(self.goals)
        if goals == 0:
            found.append(
                IterationWarning(
                    WarningKind.NO_GOALS,
                    "No goals yet: raise a target level in the goal matrix.",
                )
            )
        elif goals > MAX_GOALS:
            found.append(
                IterationWarning(
                    WarningKind.TOO_MANY_GOALS,
                    f"{goals} goals: pick one to {MAX_GOALS} highly related goals.",
                )
            )
        if self.ends - self.starts > LONG_ITERATION:
            found.append(
                IterationWarning(
                    WarningKind.LONG_ITERATION,
                    f"{self.weeks:.0f} weeks long: keep iterations short (13 weeks at most).",
                )
            )
        return found


def describe_errors(exc: ValidationError) -> list[str]:
    """pydantic's errors as short lines: where in the file, and what is wrong."""
    lines = []
    for error in exc.errors(include_url=False):
        where = _location(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        value = error.get("input")
        if error["type"] not in ("missing", "value_error", "model_type", "dict_type") and (
            isinstance(value, int | float | str | bool) and len(repr(value)) < 40
        ):
            message += f" (got {value!r})"
        lines.append(f"{where}: {message}" if where else message)
    return lines


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)
