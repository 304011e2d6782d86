"""The iteration model: what one FinOps iteration holds, its rules, and what follows from it.

Pure data and logic: no Textual, no file access. The shape is the public file format
(`docs/file-format.md`); `Iteration.to_document()` gives it back in the documented order.
"""

from __future__ import annotations

import math
import secrets
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from finops_tui.catalog import DEFAULT_CATALOG, Catalog, load_catalog
from finops_tui.frameworks import find_catalog, missing_reason, stand_in_catalog
from finops_tui.lenses import (
    CAPABILITY_MAX_SCORE,
    LENSES,
    MAX_LEVEL,
    MAX_WEIGHT,
    MIN_LEVEL,
    Lens,
)
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
DEFAULT_WEIGHT = 1

Level = Annotated[int, Field(ge=MIN_LEVEL, le=MAX_LEVEL, strict=True)]
Weight = Annotated[int, Field(ge=0, le=MAX_WEIGHT, strict=True)]
TargetScore = Annotated[int, Field(ge=1, le=CAPABILITY_MAX_SCORE, strict=True)]


def utc_now() -> datetime:
    """The current time in UTC, to the second (the precision the files keep)."""
    return datetime.now(UTC).replace(microsecond=0)


def _as_utc(value: datetime) -> datetime:
    # A hand-edited file may hold a local date-time; read it as UTC rather than refuse it.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


R = TypeVar("R", bound="Record")


class Record(BaseModel):
    """Base of every table in an iteration file: keeps unknown keys for a lossless round trip."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    def with_changes(self: R, **changes: Any) -> R:
        """A validated copy with some fields changed (unknown keys kept)."""
        return type(self).model_validate(self.model_dump() | changes)

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


RECORD_ID_LENGTH = 6
_RECORD_ID_ALPHABET = string.ascii_lowercase + string.digits


def new_record_id(prefix: str, taken: Iterable[str] = ()) -> str:
    """A fresh id for a person (`p`) or an action (`a`): random, so that people editing the
    same iteration on two clones never hand out the same one, and not in `taken`."""
    used = set(taken)
    while True:
        suffix = "".join(secrets.choice(_RECORD_ID_ALPHABET) for _ in range(RECORD_ID_LENGTH))
        candidate = f"{prefix}-{suffix}"
        if candidate not in used:
            return candidate


class Person(Record):
    """Someone taking part in the iteration."""

    id: str = Field(default_factory=lambda: new_record_id("p"))
    """Stable within the iteration, and what a merge knows the person by."""
    name: str
    role: str = ""
    group: Group | None = None

    _keep_empty = frozenset({"name"})

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        return validate_id(value, "person id")

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


class LensWeights(Record):
    """How much each lens counts for one capability now (the assessment's lens weighting).

    0 (does not count now) to 5; 1 on every lens, the default, is the plain score.
    """

    knowledge: Weight = DEFAULT_WEIGHT
    process: Weight = DEFAULT_WEIGHT
    metrics: Weight = DEFAULT_WEIGHT
    adoption: Weight = DEFAULT_WEIGHT
    automation: Weight = DEFAULT_WEIGHT

    _keep_empty = frozenset(lens.value for lens in LENSES)

    @model_validator(mode="after")
    def _one_counts(self) -> LensWeights:
        if not any(self.get(lens) for lens in LENSES):
            raise ValueError("at least one lens needs a weight above 0")
        return self

    def get(self, lens: Lens) -> int:
        return int(getattr(self, lens.value))

    @property
    def is_default(self) -> bool:
        return all(self.get(lens) == DEFAULT_WEIGHT for lens in LENSES)


class ScopeItem(Record):
    """One capability the iteration works on, with the assessment's parameters for it."""

    capability: str
    note: str = ""
    target_score: TargetScore | None = None
    """The score out of 20 that is "good enough" for now; None: no target."""
    weights: LensWeights | None = None
    """How much each lens counts now; None: 1 on every lens."""


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
    """A figure computed from cost data for a goal's metric, and what it was computed with,
    so that measuring again asks the same question of newer data."""

    at: datetime
    value: float
    unit: str = ""
    source: str = ""
    kpi: str = ""
    period: str = ""
    path: str = ""
    """The file or folder as given (`source` names the files read, with their digests)."""
    tag_key: str = ""
    currency: str = ""
    budget: float | None = None

    _keep_empty = frozenset({"at", "value"})

    def asked_like(self, other: Measurement) -> bool:
        """Whether two figures answer the same question (KPI, tag key, currency, budget),
        so that they can be compared."""
        return (self.kpi, self.tag_key, self.currency, self.budget) == (
            other.kpi,
            other.tag_key,
            other.currency,
            other.budget,
        )

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return _as_utc(value)

    @field_validator("value", "budget")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError(f"a measurement must be a finite number, not {value}")
        return value


class Action(Record):
    """A concrete step towards a goal."""

    id: str = Field(default_factory=lambda: new_record_id("a"))
    """Stable within the iteration, and what a merge knows the action by."""
    title: str
    owner: str = ""
    due: date | None = None
    status: ActionStatus = ActionStatus.TODO

    _keep_empty = frozenset({"title", "status"})

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        return validate_id(value, "action id")

    @property
    def open(self) -> bool:
        return self.status in (ActionStatus.TODO, ActionStatus.DOING)

    def overdue(self, today: date) -> bool:
        """Still open after its due date."""
        return self.open and self.due is not None and self.due < today


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
    carried_from: str | None = None
    """`<iteration id>#<goal id>` of the goal this one continues (set by "start next")."""
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

    def carried_baseline(self, number: int) -> str:
        """The baseline of this goal when it is carried into the next iteration: where the
        review left it (level reached and evidence), else the baseline it had."""
        if self.reached_level is None and not self.evidence.strip():
            return self.baseline
        parts = []
        if self.reached_level is not None:
            parts.append(f"level {self.reached_level} reached in #{number}")
        if self.evidence.strip():
            parts.append(self.evidence.strip())
        return "; ".join(parts)

    @property
    def has_text(self) -> bool:
        """Whether the goal holds anything typed or measured (removing it would lose work)."""
        typed = (self.statement, self.metric, self.baseline, self.target, self.evidence)
        return any(t.strip() for t in typed) or bool(self.actions or self.measurements)


RetrospectivePart = Literal["went_well", "went_poorly", "improve"]


class Review(Record):
    """The retrospective at the end of an iteration."""

    went_well: str = ""
    went_poorly: str = ""
    improve: str = ""
    closed: date | None = None


class Conflict(Record):
    """A field (or a whole person, action, goal or capability) that the last merge found
    changed differently on both sides (see `finops_tui.merge`). The file holds this side's
    value; `theirs` holds the other side's, and is left out when the other side had none (an
    empty field, or a record it removed). Resolving the conflict removes the entry."""

    path: str
    """Where, in `finops_tui.merge`'s path syntax: `title`, `scope[budget-management].note`,
    `stakeholders.people[p-k3f9x2]`, `scope[budget-management].goals[metrics].statement`."""
    theirs: Any = None
    when: datetime
    """When the merge met it (UTC)."""

    _keep_empty = frozenset({"path", "when"})

    @field_validator("path")
    @classmethod
    def _path_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a conflict needs a path")
        return value

    @field_validator("when")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return _as_utc(value)


Take = Literal["ours", "theirs"]
"""Which side's value a resolved conflict keeps: the file's (`ours`) or the recorded one."""


@dataclass(frozen=True)
class Score:
    """A maturity score: points out of a maximum, and the share as a percentage."""

    points: int
    maximum: int

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.maximum if self.maximum else 0.0


@dataclass(frozen=True)
class TargetProgress:
    """A capability's score against its target score (both out of the same maximum)."""

    score: int
    target: int
    maximum: int = CAPABILITY_MAX_SCORE

    @property
    def met(self) -> bool:
        return self.score >= self.target

    @property
    def to_go(self) -> int:
        """Points still missing to reach the target; 0 once it is met."""
        return max(0, self.target - self.score)

    def __str__(self) -> str:
        head = f"target {self.target}/{self.maximum}"
        return f"{head} met" if self.met else f"{head}: {self.to_go} to go"


class WarningKind(StrEnum):
    """The tutorial's advice that an iteration departs from."""

    SCOPE_SIZE = "scope-size"
    SCOPE_GROWTH = "scope-growth"
    SCOPE_DROPPED = "scope-dropped"
    NO_GOALS = "no-goals"
    TOO_MANY_GOALS = "too-many-goals"
    LONG_ITERATION = "long-iteration"


@dataclass(frozen=True)
class IterationWarning:
    """Advice shown to the user; never a reason to refuse the data."""

    kind: WarningKind
    message: str


@dataclass
class SetAside:
    """A capability taken out of the scope, kept so that ticking it again brings all of it back."""

    item: ScopeItem
    levels: Levels
    goals: list[Goal]


class Iteration(Record):
    """One FinOps iteration, as saved in `iterations/<id>.toml`.

    Every change a person makes goes through one of the methods below, named as the tutorial
    names the step (`retitle`, `tick`, `set_level`, `raise_target`, `describe_goal`,
    `record_outcome`, ...); each checks its input and leaves the iteration valid.
    """

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
    goals_issued: int | None = Field(default=None, ge=0, strict=True)
    """How many goal ids were ever given here (g1…gN): a removed goal's id is never reused.
    Written only when it says more than the goals present do."""
    stakeholders: Stakeholders = Field(default_factory=Stakeholders)
    scope: list[ScopeItem] = Field(default_factory=list)
    levels: dict[str, Levels] = Field(default_factory=dict)
    goals: list[Goal] = Field(default_factory=list)
    review: Review = Field(default_factory=Review)
    conflicts: list[Conflict] = Field(default_factory=list)

    _keep_empty = frozenset({"schema_version", "title", "stakeholders"})
    # Capabilities unticked in this session, with their levels and goals (never saved).
    _set_aside: dict[str, SetAside] = PrivateAttr(default_factory=dict)

    def to_document(self) -> dict[str, Any]:
        document = super().to_document()
        if document.get("goals_issued", 0) <= _highest_goal_number(self.goals):
            document.pop("goals_issued", None)
        return document

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
    def _framework_id(cls, value: str) -> str:
        # A framework whose catalogue is not installed here still loads (see
        # `catalog_missing`); only an id that could never name a catalogue is refused.
        return validate_id(value, "framework")

    @model_validator(mode="after")
    def _consistent(self) -> Iteration:
        if self.ends < self.starts:
            raise ValueError(f"ends ({self.ends}) is before starts ({self.starts})")
        if self.previous == self.id:
            raise ValueError("previous names this iteration itself")
        catalog = find_catalog(self.framework)
        scoped: list[str] = []
        for i, item in enumerate(self.scope):
            if catalog is not None and not catalog.has_capability(item.capability):
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
        self._check_record_ids()
        paths: set[str] = set()
        for i, conflict in enumerate(self.conflicts):
            if conflict.path in paths:
                raise ValueError(f"conflicts[{i}]: path {conflict.path!r} is listed twice")
            paths.add(conflict.path)
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

    def _check_record_ids(self) -> None:
        people = [(f"stakeholders.people[{i}]", p) for i, p in enumerate(self.stakeholders.people)]
        actions = [
            (f"goals ({g.id}).actions[{i}]", a) for g in self.goals for i, a in enumerate(g.actions)
        ]
        taken: set[str] = set()
        for where, record in people + actions:
            if record.id in taken:
                raise ValueError(f"{where}: id {record.id!r} is used twice")
            taken.add(record.id)

    @model_validator(mode="before")
    @classmethod
    def _ids_for_old_files(cls, data: Any) -> Any:
        """People and actions of a file written before they had ids get ids by position
        (`p1`, `p2`, …; `g1-a1`, …): every clone gives an old file the same ones. The caller's
        document is left as it was."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        records: list[tuple[str, str, dict[str, Any]]] = []
        stakeholders = data.get("stakeholders")
        if isinstance(stakeholders, dict) and isinstance(stakeholders.get("people"), list):
            stakeholders = data["stakeholders"] = dict(stakeholders)
            people = stakeholders["people"] = [
                dict(p) if isinstance(p, dict) else p for p in stakeholders["people"]
            ]
            records += [(f"p{i + 1}", "p", p) for i, p in enumerate(people) if isinstance(p, dict)]
        if isinstance(data.get("goals"), list):
            goals = data["goals"] = [dict(g) if isinstance(g, dict) else g for g in data["goals"]]
            for goal in goals:
                if isinstance(goal, dict) and isinstance(goal.get("actions"), list):
                    actions = goal["actions"] = [
                        dict(a) if isinstance(a, dict) else a for a in goal["actions"]
                    ]
                    records += [
                        (f"{goal.get('id')}-a{i + 1}", "a", a)
                        for i, a in enumerate(actions)
                        if isinstance(a, dict)
                    ]
        taken = {str(record["id"]) for _, _, record in records if "id" in record}
        for candidate, prefix, record in records:
            if "id" not in record:
                record["id"] = _legacy_id(candidate, prefix, taken)
        return data

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

    def renumber(self, number: int) -> None:
        """Give the iteration another number (when two clones both made the same one)."""
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ValueError(f"an iteration number is 1 or more, not {number!r}")
        self.number = number

    # -- conflicts from a merge ---------------------------------------------------------------

    def conflict(self, path: str) -> Conflict:
        for conflict in self.conflicts:
            if conflict.path == path:
                return conflict
        raise KeyError(f"no conflict at {path!r} in iteration {self.id}")

    def resolve_conflict(self, path: str, take: Take) -> None:
        """Settle one conflict: keep this side's value (`ours`) or take the recorded one
        (`theirs`); either way the entry goes. Raises KeyError for an unknown path and
        ValueError when their value no longer fits (the message says why)."""
        from finops_tui.merge import resolve

        resolved = resolve(self, path, take)
        for name in type(self).model_fields:
            setattr(self, name, getattr(resolved, name))
        if self.__pydantic_extra__ is not None:
            self.__pydantic_extra__.clear()
            self.__pydantic_extra__.update(resolved.__pydantic_extra__ or {})

    # -- framework ----------------------------------------------------------------------------

    @property
    def catalog_missing(self) -> bool:
        """Whether this iteration's framework has no usable catalogue here (not installed, or
        broken). Such an iteration loads with its capability ids as they are; open it
        read-only and say `catalog_problem`."""
        return find_catalog(self.framework) is None

    @property
    def catalog_problem(self) -> str | None:
        """Why the framework's catalogue cannot be used, for a message; None when it can."""
        reason = missing_reason(self.framework)
        if reason is None:
            return None
        return f"{reason}. The iteration is shown read-only, its capabilities by id."

    def catalog(self) -> Catalog:
        """The framework's catalogue (raises CatalogError when `catalog_missing`)."""
        return load_catalog(self.framework)

    def display_catalog(self) -> Catalog:
        """The catalogue to show this iteration with: its framework's, or when that is
        missing, a stand-in that names each scoped capability by its id (see
        `frameworks.stand_in_catalog`)."""
        catalog = find_catalog(self.framework)
        return catalog or stand_in_catalog(self.framework, self.capabilities)

    def set_framework(self, framework: str) -> None:
        """Choose the framework; only while nothing is scoped (ids belong to one framework)."""
        if framework == self.framework:
            return
        if self.scope:
            raise ValueError(
                f"the framework can only change while nothing is scoped; unscope the "
                f"{len(self.scope)} capabilities first"
            )
        validate_id(framework, "framework")
        load_catalog(framework)
        self.framework = framework

    # -- scope and levels ---------------------------------------------------------------------

    @property
    def capabilities(self) -> list[str]:
        """The scoped capability ids, in order."""
        return [item.capability for item in self.scope]

    def set_scope(self, capabilities: Iterable[str]) -> None:
        """Scope exactly these capabilities, in this order (ticking and unticking as needed)."""
        wanted = list(dict.fromkeys(capabilities))
        catalog = load_catalog(self.framework)
        for capability in wanted:
            catalog.capability(capability)
        for capability in self.capabilities:
            if capability not in wanted:
                self.untick(capability)
        for capability in wanted:
            self.tick(capability)
        order = {c: i for i, c in enumerate(wanted)}
        self.scope.sort(key=lambda item: order[item.capability])
        self.levels = {c: self.levels[c] for c in wanted}

    def tick(self, capability: str) -> None:
        """Take a capability into the scope, in catalogue order; one unticked in this session
        comes back with its levels and goals."""
        if capability in self.levels:
            return
        catalog = load_catalog(self.framework)
        catalog.capability(capability)  # raises for an unknown one
        position = {c.id: i for i, c in enumerate(catalog.capabilities)}
        index = next(
            (
                i
                for i, item in enumerate(self.scope)
                if position.get(item.capability, -1) > position[capability]
            ),
            len(self.scope),
        )
        shelved = self._set_aside.pop(capability, None)
        self.scope.insert(index, shelved.item if shelved else ScopeItem(capability=capability))
        levels = dict(self.levels)
        levels[capability] = shelved.levels if shelved else Levels()
        self.levels = {item.capability: levels[item.capability] for item in self.scope}
        if shelved:
            for goal in shelved.goals:
                if goal.id in {g.id for g in self.goals}:
                    goal.id = self.next_goal_id()
                self.goals.append(goal)

    def untick(self, capability: str) -> None:
        """Take a capability out of the scope. Its levels and goals are set aside for as long
        as this iteration is open, so ticking it again brings them back."""
        if capability not in self.levels:
            return
        item = next(i for i in self.scope if i.capability == capability)
        self._set_aside[capability] = SetAside(
            item, self.levels[capability], self.goals_of_capability(capability)
        )
        self.scope = [i for i in self.scope if i.capability != capability]
        self.levels = {c: v for c, v in self.levels.items() if c != capability}
        self.goals = [g for g in self.goals if g.capability != capability]

    def set_aside(self, capability: str) -> SetAside | None:
        """What an unticked capability left behind in this session, if anything."""
        return self._set_aside.get(capability)

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
        """A goal id never given in this iteration before (set-aside and removed goals count)."""
        shelved = [g for aside in self._set_aside.values() for g in aside.goals]
        number = max(_highest_goal_number([*self.goals, *shelved]), self.goals_issued or 0) + 1
        self.goals_issued = number
        return f"g{number}"

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

    def raise_target(self, capability: str, lens: Lens) -> Goal | None:
        """Aim one level higher on a cell (a goal appears); None when it is at the top already."""
        current = self.level(capability, lens)
        target = self.target(capability, lens) or current
        if target >= MAX_LEVEL:
            return None
        return self.set_target(capability, lens, target + 1)

    def lower_target(self, capability: str, lens: Lens) -> None:
        """Aim one level lower; down at the current level, the cell's goal is removed."""
        target = self.target(capability, lens)
        if target is not None:
            self.set_target(capability, lens, target - 1)

    def goals_removed_by(
        self, capability: str, lens: Lens, *, level: int | None = None, lower: bool = False
    ) -> list[Goal]:
        """The goals of a cell that a new current `level`, or a `lower`ed target, would remove.

        Screens ask before such a change removes a goal that holds text.
        """
        goals = self.goals_of(capability, lens)
        if level is not None:
            return [g for g in goals if g.to_level <= level]
        target = self.target(capability, lens)
        if lower and target is not None and target - 1 <= self.level(capability, lens):
            return goals
        return []

    def add_goal(self, capability: str, lens: Lens) -> Goal:
        """A goal one level above the cell's current level (the cell has none yet)."""
        if self.goals_of(capability, lens):
            raise ValueError(f"{capability} · {lens.label} has a goal already")
        goal = self.raise_target(capability, lens)
        if goal is None:
            raise ValueError("this cell is at the top level (4): there is no higher target")
        return goal

    def describe_goal(
        self,
        goal_id: str,
        *,
        statement: str,
        metric: str = "",
        baseline: str = "",
        target: str = "",
        due: date | None = None,
    ) -> None:
        """Say what a goal means: the measurable statement, metric, baseline, target, due date."""
        self._replace_goal(
            goal_id, statement=statement, metric=metric, baseline=baseline, target=target, due=due
        )

    def record_outcome(
        self,
        goal_id: str,
        outcome: Outcome | None,
        reached_level: int | None = None,
        evidence: str = "",
    ) -> None:
        """How a goal ended. An achieved goal without a level reached has reached its target."""
        goal = self.goal(goal_id)
        if outcome is Outcome.ACHIEVED and reached_level is None:
            reached_level = goal.to_level
        self._replace_goal(goal_id, outcome=outcome, reached_level=reached_level, evidence=evidence)

    def record_measurement(
        self, goal_id: str, measurement: Measurement, *, kpi: str, shown: str, metric: str
    ) -> None:
        """Keep a figure computed from cost data on a goal. The first one also fills an empty
        (or 'unknown') baseline with `shown` and an empty metric with the KPI's `metric`."""
        goal = self.goal(goal_id)
        changes: dict[str, Any] = {
            "kpi": kpi,
            "measurements": [*goal.measurements, measurement],
        }
        if goal.baseline.strip().lower() in ("", "unknown"):
            changes["baseline"] = shown
        if not goal.metric.strip():
            changes["metric"] = metric
        self._replace_goal(goal_id, **changes)

    def _replace_goal(self, goal_id: str, **changes: Any) -> Goal:
        goal = self.goal(goal_id)
        new = goal.with_changes(**changes)
        self.goals[self.goals.index(goal)] = new
        return new

    # -- actions ------------------------------------------------------------------------------

    def add_action(
        self,
        goal_id: str,
        title: str,
        owner: str = "",
        due: date | None = None,
        status: ActionStatus = ActionStatus.TODO,
    ) -> Action:
        """Plan a concrete step towards a goal."""
        _needs_text(title, "an action needs a title")
        goal = self.goal(goal_id)
        action_id = new_record_id("a", self._action_ids())
        action = Action(id=action_id, title=title, owner=owner, due=due, status=status)
        goal.actions.append(action)
        return action

    def _action_ids(self) -> set[str]:
        goals = [*self.goals, *(g for shelved in self._set_aside.values() for g in shelved.goals)]
        return {a.id for g in goals for a in g.actions}

    def action_position(self, action_id: str) -> tuple[str, int]:
        """(goal id, index) of an action, for the index-based methods; KeyError if none."""
        for goal in self.goals:
            for index, action in enumerate(goal.actions):
                if action.id == action_id:
                    return goal.id, index
        raise KeyError(f"no action {action_id!r} in iteration {self.id}")

    def action(self, action_id: str) -> Action:
        goal_id, index = self.action_position(action_id)
        return self.goal(goal_id).actions[index]

    def edit_action(
        self,
        goal_id: str,
        index: int,
        *,
        title: str,
        owner: str = "",
        due: date | None = None,
        status: ActionStatus = ActionStatus.TODO,
    ) -> None:
        _needs_text(title, "an action needs a title")
        actions = self.goal(goal_id).actions
        actions[index] = actions[index].with_changes(
            title=title, owner=owner, due=due, status=status
        )

    def advance_action(self, goal_id: str, index: int) -> ActionStatus:
        """Move an action to its next status: todo → doing → done → dropped → todo."""
        action = self.goal(goal_id).actions[index]
        order = list(ActionStatus)
        action.status = order[(order.index(action.status) + 1) % len(order)]
        return action.status

    def remove_action(self, goal_id: str, index: int) -> Action:
        return self.goal(goal_id).actions.pop(index)

    def move_action(self, goal_id: str, index: int, to_goal_id: str) -> None:
        """Move an action to another goal (at the end of its list)."""
        target = self.goal(to_goal_id)
        if to_goal_id != goal_id:
            target.actions.append(self.goal(goal_id).actions.pop(index))

    def open_actions(self) -> list[tuple[Goal, Action]]:
        """Actions still to do or under way, with their goals."""
        return [(g, a) for g in self.goals for a in g.actions if a.open]

    def goals_without_outcome(self) -> list[Goal]:
        return [g for g in self.goals if g.outcome is None]

    # -- before you begin ---------------------------------------------------------------------

    def retitle(self, title: str) -> None:
        self.title = title

    def set_dates(self, starts: date, ends: date) -> None:
        if ends < starts:
            raise ValueError(f"The end ({ends}) is before the start ({starts}).")
        self.starts, self.ends = starts, ends

    def set_group(self, group: Group, taking_part: bool) -> None:
        """Say whether business, technology or finance takes part."""
        setattr(self.stakeholders, group.value, taking_part)

    def describe_team(self, notes: str) -> None:
        """The note on the team's situation and experience mix."""
        self.stakeholders.notes = notes

    def add_person(self, name: str, role: str = "", group: Group | None = None) -> Person:
        taken = {p.id for p in self.stakeholders.people}
        person = Person(id=new_record_id("p", taken), name=name, role=role, group=group)
        self.stakeholders.people.append(person)
        return person

    def person_index(self, person_id: str) -> int:
        """Where a person is in the list, for the index-based methods; KeyError if absent."""
        for index, person in enumerate(self.stakeholders.people):
            if person.id == person_id:
                return index
        raise KeyError(f"no person {person_id!r} in iteration {self.id}")

    def person(self, person_id: str) -> Person:
        return self.stakeholders.people[self.person_index(person_id)]

    def edit_person(self, index: int, *, name: str, role: str = "", group: Group | None) -> None:
        people = self.stakeholders.people
        people[index] = people[index].with_changes(name=name, role=role, group=group)

    def remove_person(self, index: int) -> Person:
        return self.stakeholders.people.pop(index)

    # -- review -------------------------------------------------------------------------------

    def set_retrospective(self, part: RetrospectivePart, text: str) -> None:
        """Answer one of the retrospective's questions."""
        if part not in ("went_well", "went_poorly", "improve"):
            raise ValueError(f"the retrospective has no part {part!r}")
        setattr(self.review, part, text)

    def goals_achieved(self) -> tuple[int, int]:
        """(achieved, total) goals."""
        return sum(1 for g in self.goals if g.finished), len(self.goals)

    # -- the assessment's parameters: lens weights and target score ---------------------------

    def scope_item(self, capability: str) -> ScopeItem:
        for item in self.scope:
            if item.capability == capability:
                return item
        raise KeyError(f"capability {capability!r} is not in scope")

    def lens_weights(self, capability: str) -> dict[Lens, int]:
        """How much each lens counts for a scoped capability (1 each unless set)."""
        weights = self.scope_item(capability).weights
        return {lens: weights.get(lens) if weights else DEFAULT_WEIGHT for lens in LENSES}

    def set_lens_weights(self, capability: str, weights: Mapping[Lens | str, int] | None) -> None:
        """Set the lens weights of a scoped capability; lenses not given keep theirs.

        `None` goes back to the default (1 on every lens). Raises ValueError for a weight
        outside 0-5 or when no lens would count.
        """
        item = self.scope_item(capability)
        if weights is None:
            item.weights = None
            return
        merged = {lens.value: weight for lens, weight in self.lens_weights(capability).items()}
        for lens, weight in weights.items():
            merged[Lens(lens).value] = weight
        for lens_name, weight in merged.items():
            if isinstance(weight, bool) or not isinstance(weight, int):
                raise ValueError(f"a weight is a whole number, not {weight!r}")
            if not 0 <= weight <= MAX_WEIGHT:
                raise ValueError(f"a weight is 0-{MAX_WEIGHT}, not {weight} ({lens_name})")
        if not any(merged.values()):
            raise ValueError("at least one lens needs a weight above 0")
        new = LensWeights(**merged)
        item.weights = None if new.is_default else new

    def set_lens_weight(self, capability: str, lens: Lens | str, weight: int) -> None:
        """Set how much one lens counts for a scoped capability (0-5)."""
        self.set_lens_weights(capability, {Lens(lens): weight})

    def target_score(self, capability: str) -> int | None:
        """The "good enough for now" score out of 20 of a scoped capability, if set."""
        return self.scope_item(capability).target_score

    def set_target_score(self, capability: str, target: int | None) -> None:
        """Set (1-20) or clear (None) the target score of a scoped capability."""
        if target is not None and (
            isinstance(target, bool)
            or not isinstance(target, int)
            or not 1 <= target <= CAPABILITY_MAX_SCORE
        ):
            raise ValueError(f"a target score is 1-{CAPABILITY_MAX_SCORE}, not {target!r}")
        self.scope_item(capability).target_score = target

    def weighted_score(self, capability: str | None = None, *, at_end: bool = False) -> Score:
        """The score with each lens counted by its weight: Σ level×weight out of Σ 4×weight.

        For one capability, or (None) for all scoped capabilities together.
        """
        capabilities = self.capabilities if capability is None else [capability]
        points = maximum = 0
        for cap in capabilities:
            levels = self.reached_levels(cap) if at_end else self.levels[cap]
            for lens, weight in self.lens_weights(cap).items():
                points += levels.get(lens) * weight
                maximum += MAX_LEVEL * weight
        return Score(points, maximum)

    def has_weights(self) -> bool:
        """Whether any scoped capability has lens weights other than the default."""
        return any(item.weights is not None for item in self.scope)

    def target_progress(self, capability: str, *, at_end: bool = False) -> TargetProgress | None:
        """The capability's plain score against its target score; None without a target."""
        target = self.target_score(capability)
        if target is None:
            return None
        return TargetProgress(self.capability_score(capability, at_end=at_end).points, target)

    def targets_met(self, *, at_end: bool = False) -> tuple[int, int]:
        """(met, set): how many scoped capabilities with a target score have reached it."""
        progress = [self.target_progress(c, at_end=at_end) for c in self.capabilities]
        known = [p for p in progress if p is not None]
        return sum(1 for p in known if p.met), len(known)

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
        framework: str | None = None,
    ) -> Iteration:
        """The next iteration: same scope, the levels reached as its current levels.

        With `carry_unfinished`, goals not achieved come along (with their open actions) when
        their target is still above the new current level. With a `framework` that succeeds
        this one (finops-2023 → finops-2025), scope, levels and goals move to the successor
        capabilities as `finops_tui.migrate.plan_migration` describes: merged capabilities
        take the lower level per lens.
        """
        from finops_tui.migrate import plan_migration

        plan = plan_migration(self, framework or self.framework)
        nxt = Iteration.new(id, number, starts, now=now, framework=plan.to_framework)
        nxt.previous = self.id
        nxt.stakeholders = self.stakeholders.model_copy(deep=True)
        nxt.scope = list(plan.scope)
        nxt.levels = dict(plan.levels)
        # Goal ids go on from the previous iteration's: within a history an id is one goal.
        nxt.goals_issued = max(self.goals_issued or 0, _highest_goal_number(self.goals))
        if carry_unfinished:
            carried = {move.goal_id: move.target for move in plan.goal_moves if move.carried}
            for goal in self.unfinished_goals():
                if goal.id not in carried:
                    continue
                capability = carried[goal.id]
                taken = {g.id for g in nxt.goals}
                nxt.goals.append(
                    goal.model_copy(
                        deep=True,
                        update={
                            # The same id, so the goal reads the same in both iterations.
                            "id": goal.id if goal.id not in taken else nxt.next_goal_id(),
                            "carried_from": f"{self.id}#{goal.id}",
                            "capability": capability,
                            "from_level": nxt.level(capability, goal.lens),
                            "baseline": goal.carried_baseline(self.number),
                            "outcome": None,
                            "reached_level": None,
                            "evidence": "",
                            "due": None,
                            # Open actions keep their due dates: a past one shows as overdue.
                            "actions": [a.model_copy() for a in goal.actions if a.open],
                        },
                    )
                )
        return nxt.validated()

    # -- advice -------------------------------------------------------------------------------

    def _carried_over(self, previous: Iteration) -> set[str]:
        """The previous iteration's capabilities, in this iteration's framework: the same ids,
        or, after a move to the successor framework, the capabilities they became."""
        if previous.framework == self.framework:
            return set(previous.capabilities)
        catalog = find_catalog(self.framework)
        if catalog is None or catalog.succeeds != previous.framework:
            return set()
        return {new for old in previous.capabilities for new in catalog.successors_of(old)}

    def scope_changes(self, previous: Iteration) -> tuple[list[str], list[str]]:
        """The capabilities added since `previous`, and those of `previous` that left."""
        before = self._carried_over(previous)
        added = [c for c in self.capabilities if c not in before]
        return added, sorted(c for c in before if c not in self.capabilities)

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
            added, dropped = self.scope_changes(previous)
            if dropped:
                found.append(
                    IterationWarning(
                        WarningKind.SCOPE_DROPPED,
                        f"{len(dropped)} of the previous iteration's capabilities left the "
                        "scope: a later iteration keeps the same ones.",
                    )
                )
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


def _highest_goal_number(goals: Iterable[Goal]) -> int:
    numbers = [int(g.id[1:]) for g in goals if g.id[:1] == "g" and g.id[1:].isdigit()]
    return max(numbers, default=0)


def _legacy_id(candidate: str, prefix: str, taken: set[str]) -> str:
    """`candidate` if it is a valid, free id, else a fresh one; either way, now taken."""
    try:
        chosen = validate_id(candidate)
    except ValueError:
        chosen = new_record_id(prefix, taken)
    if chosen in taken:
        chosen = new_record_id(prefix, taken)
    taken.add(chosen)
    return chosen


def _needs_text(text: str, message: str) -> None:
    if not text.strip():
        raise ValueError(message)


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
