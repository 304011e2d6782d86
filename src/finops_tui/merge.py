"""The three-way merge of one iteration, field by field, for a team sharing its history in git.

Pure: bytes or iterations in, an iteration out; no files, no git (`finops_tui.sync` runs git
and calls this as git's merge driver). Each side is read into a tree in which every list of
records is keyed by what identifies a record across clones:

- people and actions by their stable `id`;
- scope by capability; a capability holds its `levels`, `weights` and its `goals`, so that
  unticking it on one side and changing one of its goals on the other meet as one record;
- goals by their cell, the lens within the capability (a cell holds one goal; a second one,
  which only a hand edit makes, is `metrics#2`): goal ids (`g3`) are handed out per file, so
  two clones can both make a `g3`, while the cell is what the goal is about;
- measurements by when they were taken.

Then, field by field: what one side changed is taken; what both changed alike is taken once;
what both changed differently keeps ours and records theirs as a `Conflict` (path, theirs,
when). A record removed on one side is removed when the other left it as it was; when the other
side changed it, that is a conflict too (ours kept, theirs recorded whole), so nothing typed is
lost. `updated` is the later of both; a goal's `from_level` follows its cell's level. A merge
whose result would break a rule of the format repairs what it can (a goal at or below its
cell's level, crossed dates, two goals with one id) and otherwise keeps ours whole and records
each of theirs' changes as a conflict. The result is always a valid iteration.

A path names a field in that tree: `title`, `stakeholders.notes`,
`stakeholders.people[p-k3f9x2].role`, `scope[budget-management].levels.metrics`,
`scope[budget-management].goals[metrics].actions[a-7hq2mz].status`. Names and keys that are
not plain are written as JSON strings.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from finops_tui import toml_writer
from finops_tui.frameworks import find_catalog
from finops_tui.lenses import LENSES
from finops_tui.model import (
    DEFAULT_WEIGHT,
    Conflict,
    Iteration,
    Take,
    describe_errors,
    new_record_id,
    utc_now,
)
from finops_tui.terms import SCHEMA_VERSION


class _Missing:
    """A field or record that one side does not have."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
GOAL_ORDER = ("goal-order",)
"""The tree key (not a string, so never a file's key) of the goals' order in the file."""
DEFAULT_WEIGHTS = {lens.value: DEFAULT_WEIGHT for lens in LENSES}


class Keyed(dict[str, Any]):
    """The records of one list, by their key, in file order (order counts for equality)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Keyed) and list(self.items()) == list(other.items())

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]


class MergeError(Exception):
    """One side cannot be merged (not an iteration file); the message says which and why."""


# -- trees --------------------------------------------------------------------------------------


def _unique(keys: Iterable[str]) -> list[str]:
    """Keys made unique in order: a second `metrics` is `metrics#2`."""
    seen: dict[str, int] = {}
    out = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return out


def _at_key(measurement: dict[str, Any]) -> str:
    at = measurement.get("at")
    if isinstance(at, datetime):
        return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(at)


# The lists of records, by their name, and what keys their records.
_KEYS: dict[str, Callable[[dict[str, Any]], str]] = {
    "people": lambda record: str(record.get("id")),
    "actions": lambda record: str(record.get("id")),
    "measurements": _at_key,
    "goals": lambda record: str(record.get("lens")),
    "scope": lambda record: str(record.get("capability")),
}


def treeify(value: Any) -> Any:
    """A record in file shape (as a conflict keeps it) in tree shape: lists of records keyed."""
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for name, item in value.items():
        if name in _KEYS and isinstance(item, list) and all(isinstance(r, dict) for r in item):
            records = [treeify(r) for r in item]
            keys = _unique(_KEYS[name](r) for r in records)
            out[name] = Keyed(zip(keys, records, strict=True))
        else:
            out[name] = treeify(item)
    return out


def plain(value: Any) -> Any:
    """A tree value in file shape: keyed records as a list, in order."""
    if isinstance(value, Keyed):
        return [plain(v) for v in value.values()]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def to_tree(iteration: Iteration) -> dict[Any, Any]:
    """An iteration as a merge tree (its conflicts left out)."""
    doc = iteration.to_document()
    special = ("stakeholders", "scope", "levels", "goals", "review", "conflicts")
    tree: dict[Any, Any] = {k: v for k, v in doc.items() if k not in special}
    tree["stakeholders"] = treeify(doc["stakeholders"])
    tree["stakeholders"].setdefault("people", Keyed())
    levels = doc.get("levels", {})
    scope = Keyed()
    for item in doc.get("scope", []):
        unit = treeify(item)
        unit["levels"] = levels[item["capability"]]
        unit["goals"] = Keyed()
        scope[item["capability"]] = unit
    order: list[tuple[str, str]] = []
    goals = [g for g in doc.get("goals", [])]
    keys = _unique(f"{g['capability']}\0{g['lens']}" for g in goals)
    for key, goal in zip(keys, goals, strict=True):
        record = treeify(goal)
        record.pop("from_level", None)
        cell = key.split("\0", 1)[1]
        scope[goal["capability"]]["goals"][cell] = record
        order.append((goal["capability"], cell))
    tree["scope"] = scope
    tree[GOAL_ORDER] = order
    tree["review"] = doc.get("review", {})
    return tree


def from_tree(tree: dict[Any, Any], conflicts: Iterable[Conflict] = ()) -> Iteration:
    """The iteration a merge tree describes (raises pydantic's ValidationError)."""
    doc: dict[str, Any] = {
        k: plain(v) for k, v in tree.items() if isinstance(k, str) and k not in ("scope",)
    }
    scope, levels, goals = [], {}, {}
    for capability, unit in tree["scope"].items():
        item = {k: plain(v) for k, v in unit.items() if k not in ("levels", "goals")}
        scope.append(item)
        levels[capability] = dict(unit["levels"])
        for cell, goal in unit["goals"].items():
            record = plain(goal)
            record["from_level"] = unit["levels"].get(str(goal.get("lens")), 0)
            goals[(capability, cell)] = record
    doc["scope"], doc["levels"] = scope, levels
    doc["goals"] = [goal for _, _, goal in goals_in_order(tree, goals)]
    doc["conflicts"] = [c.to_document() for c in conflicts]
    return Iteration.from_document(doc)


def goals_in_order(
    tree: dict[Any, Any], goals: dict[tuple[str, str], Any] | None = None
) -> list[tuple[str, str, Any]]:
    """(capability, cell, goal) in file order: the goals' order, then any goal it lacks."""
    if goals is None:
        goals = {(c, cell): g for c, u in tree["scope"].items() for cell, g in u["goals"].items()}
    keys = [k for k in dict.fromkeys(tree.get(GOAL_ORDER, [])) if k in goals]
    keys += [k for k in goals if k not in keys]
    return [(cap, cell, goals[(cap, cell)]) for cap, cell in keys]


# -- paths --------------------------------------------------------------------------------------

_BARE_NAME = re.compile(r"[A-Za-z0-9_-]+")
_BARE_KEY = re.compile(r"[^\[\]\"\s](?:[^\[\]\"]*[^\[\]\"\s])?")
_SEGMENT = re.compile(
    r'(?:(?P<name>[A-Za-z0-9_-]+)|(?P<qname>"(?:[^"\\]|\\.)*"))'
    r'(?:\[(?:(?P<qkey>"(?:[^"\\]|\\.)*")|(?P<key>[^\[\]"]+))\])?'
)

Segment = tuple[str, str | None]


def _name(name: str) -> str:
    return name if _BARE_NAME.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def child(path: str, name: str) -> str:
    return f"{path}.{_name(name)}" if path else _name(name)


def select(path: str, key: str) -> str:
    shown = key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)
    return f"{path}[{shown}]"


def parse_path(path: str) -> list[Segment]:
    """A path as (name, key or None) segments; ValueError for a path that is not one."""
    segments: list[Segment] = []
    pos = 0
    while True:
        match = _SEGMENT.match(path, pos)
        if match is None:
            raise ValueError(f"{path!r} is not a field path")
        name = match["name"] or json.loads(match["qname"])
        key = json.loads(match["qkey"]) if match["qkey"] else match["key"]
        segments.append((name, key))
        pos = match.end()
        if pos == len(path):
            return segments
        if path[pos] != ".":
            raise ValueError(f"{path!r} is not a field path")
        pos += 1


def get_path(tree: dict[Any, Any], path: str) -> Any:
    """The value at a path, or MISSING."""
    node: Any = tree
    for name, key in parse_path(path):
        if not isinstance(node, dict) or name not in node:
            return MISSING
        node = node[name]
        if key is not None:
            if not isinstance(node, Keyed) or key not in node:
                return MISSING
            node = node[key]
    return node


def set_path(tree: dict[Any, Any], path: str, value: Any, *, after: Iteration) -> None:
    """Set (or with MISSING, remove) the value at a path; KeyError when its parent is gone.

    A record put back into a list goes where its key belongs: a capability in catalogue order,
    anything else at the end."""
    segments = parse_path(path)
    node: Any = tree
    for name, key in segments[:-1]:
        node = node[name]
        if key is not None:
            node = node[key]
    name, key = segments[-1]
    if key is None:
        if value is MISSING:
            node.pop(name, None)
        else:
            node[name] = value
        return
    records: Keyed = node[name]
    if value is MISSING:
        records.pop(key, None)
    elif key in records or name != "scope":
        records[key] = value
    else:
        order = _insert([*records], key, _catalogue_positions(after.framework))
        merged = Keyed({key: value} | dict(records))
        records.clear()
        records.update((k, merged[k]) for k in order)
    if name == "goals" and len(segments) >= 2 and value is not MISSING:
        cell = (segments[-2][1] or "", key)
        if cell not in tree[GOAL_ORDER]:
            tree[GOAL_ORDER].append(cell)


def _catalogue_positions(framework: str) -> dict[str, int]:
    catalog = find_catalog(framework)
    return {} if catalog is None else {c.id: i for i, c in enumerate(catalog.capabilities)}


def _insert(order: list[str], key: str, positions: dict[str, int]) -> list[str]:
    """`order` with `key` added: before the first key that comes after it in `positions`
    (the catalogue, as ticking a capability does), else at the end."""
    at = _catalogue_index(order, key, positions)
    return [*order[:at], key, *order[at:]]


def _catalogue_index(order: list[str], key: str, positions: dict[str, int]) -> int:
    """Where `_insert` puts `key` in `order`."""
    if key in positions:
        for i, other in enumerate(order):
            if positions.get(other, -1) > positions[key]:
                return i
    return len(order)


# -- merging ------------------------------------------------------------------------------------


@dataclass
class Merged:
    """The result of a merge: the iteration (always valid) and the conflicts this merge met."""

    iteration: Iteration
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _order(
    base: list[Any], ours: list[Any], theirs: list[Any], keys: Iterable[Any], positions: Any
) -> list[Any]:
    """The order of a merged list: the side that changed the list gives it (theirs when ours
    left it as it was), and the other side's additions go at the end, or (scope) where ticking
    them there would: before the first capability the catalogue puts after them, among those
    that side had (also the ones the other side since removed), and after any that come
    before them on the other side. A scope out of catalogue order so keeps the places it
    would have after ours and then theirs were made one after the other."""
    wanted = set(keys)
    skeleton, other = (theirs, ours) if ours == base else (ours, theirs)
    full = list(skeleton)
    for index, key in enumerate(other):
        if key not in wanted or key in full:
            continue
        if not positions:
            full.append(key)
            continue
        after = max((full.index(k) + 1 for k in other[:index] if k in full), default=0)
        full.insert(max(_catalogue_index(full, key, positions), after), key)
    out = [k for k in full if k in wanted]
    for key in keys:
        if key not in out:
            out = _insert(out, key, positions) if positions else [*out, key]
    return out


class _Merger:
    def __init__(self, positions: dict[str, int]) -> None:
        self.positions = positions
        self.found: list[tuple[str, Any]] = []  # (path, theirs)

    def conflict(self, path: str, theirs: Any) -> None:
        self.found.append((path, theirs))

    def value(self, path: str, base: Any, ours: Any, theirs: Any, within: str = "") -> Any:
        if ours == theirs:
            return ours
        if ours == base:
            return theirs
        if theirs == base:
            return ours
        if isinstance(ours, Keyed) and isinstance(theirs, Keyed):
            return self.records(path, base, ours, theirs)
        if {type(ours), type(theirs)} == {Keyed, _Missing}:  # one side emptied the list
            merged = self.records(
                path, base, *(Keyed() if v is MISSING else v for v in (ours, theirs))
            )
            return merged or MISSING  # an empty list is left out of the file
        if path.endswith(".weights") and (isinstance(ours, dict) or isinstance(theirs, dict)):
            # Weights left out are the default: merge lens by lens against it.
            base, ours, theirs = (
                DEFAULT_WEIGHTS if v is MISSING else v for v in (base, ours, theirs)
            )
            merged = self.fields(path, base, ours, theirs, within)
            return MISSING if merged == DEFAULT_WEIGHTS else merged
        if isinstance(ours, dict) and isinstance(theirs, dict):
            return self.fields(path, base if isinstance(base, dict) else {}, ours, theirs, within)
        if within == "goals" and path.endswith(".id"):
            return ours  # a goal is its cell; its id is settled after the merge
        self.conflict(path, plain(theirs))
        return ours

    def fields(
        self,
        path: str,
        base: dict[str, Any],
        ours: dict[str, Any],
        theirs: dict[str, Any],
        within: str,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in [*ours, *(k for k in theirs if k not in ours)]:
            merged = self.value(
                child(path, name),
                base.get(name, MISSING),
                ours.get(name, MISSING),
                theirs.get(name, MISSING),
                within,
            )
            if merged is not MISSING:
                out[name] = merged
        return out

    def records(self, path: str, base: Any, ours: Keyed, theirs: Keyed) -> Keyed:
        base = base if isinstance(base, Keyed) else Keyed()
        within = path.rsplit(".", 1)[-1]
        merged: dict[str, Any] = {}
        for key in [*ours, *(k for k in theirs if k not in ours)]:
            b, o, t = base.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING)
            where = select(path, key)
            if o is MISSING:  # removed here (or only theirs has it)
                if b is MISSING:
                    merged[key] = t
                elif t != b:
                    self.conflict(where, plain(t))
            elif t is MISSING:
                if b is MISSING:
                    merged[key] = o
                elif o != b:
                    self.conflict(where, None)
                    merged[key] = o
            else:
                merged[key] = self.value(where, MISSING if b is MISSING else b, o, t, within)
        positions = self.positions if within == "scope" else {}
        order = _order([*base], [*ours], [*theirs], merged, positions)
        return Keyed((k, merged[k]) for k in order)


def merge(
    base: Iteration | None, ours: Iteration, theirs: Iteration, *, now: datetime | None = None
) -> Merged:
    """Merge two versions of one iteration that both come from `base` (None: both added it)."""
    now = now or utc_now()
    b = to_tree(base) if base is not None else {}
    o, t = to_tree(ours), to_tree(theirs)
    merger = _Merger(_catalogue_positions(ours.framework))
    tree: dict[Any, Any] = {}
    for key in [*o, *(k for k in t if k not in o)]:
        if key in ("updated", "goals_issued", GOAL_ORDER):
            continue
        value = merger.value(key, b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING))
        if value is not MISSING:
            tree[key] = value
    tree["updated"] = max(ours.updated, theirs.updated)
    # Goal ids given on either side are never given again (see settle_ids).
    if issued := max(ours.goals_issued or 0, theirs.goals_issued or 0):
        tree["goals_issued"] = issued
    tree = copy.deepcopy(tree)  # the repairs below change it, and it shares parts with o and t
    cells = [(cap, cell) for cap, unit in tree["scope"].items() for cell in unit["goals"]]
    tree[GOAL_ORDER] = _order(b.get(GOAL_ORDER, []), o[GOAL_ORDER], t[GOAL_ORDER], cells, {})
    _repair_goals(tree, t, merger)
    _repair_dates(tree, o, t, merger)
    settle_ids(tree)
    found = _conflicts(merger.found, now)
    kept = _kept_conflicts(base, ours, theirs, {c.path for c in found})
    try:
        merged = from_tree(tree, [*kept, *found])
    except ValidationError:
        theirs_changes = [
            (path, get_path(t, path))
            for path in changed_paths(b, t)
            if get_path(t, path) != get_path(o, path)
        ]
        found = _conflicts([(path, plain(value)) for path, value in theirs_changes], now)
        kept = _kept_conflicts(base, ours, theirs, {c.path for c in found})
        merged = from_tree(o, [*kept, *found])
    return Merged(merged, found)


def _conflicts(found: list[tuple[str, Any]], now: datetime) -> list[Conflict]:
    by_path = {path: theirs for path, theirs in found}
    return [
        Conflict(path=path, theirs=None if theirs is MISSING else theirs, when=now)
        for path, theirs in by_path.items()
    ]


def _kept_conflicts(
    base: Iteration | None, ours: Iteration, theirs: Iteration, replaced: set[str]
) -> list[Conflict]:
    """The conflicts both files already held, merged: one resolved on one side and left as it
    was on the other is gone; any other stays (ours when both have it)."""
    b = {c.path: c for c in (base.conflicts if base else [])}
    o = {c.path: c for c in ours.conflicts}
    t = {c.path: c for c in theirs.conflicts}
    kept = []
    for path in [*o, *(p for p in t if p not in o)]:
        if path in replaced:
            continue
        if path in o and (path in t or o[path] != b.get(path)):
            kept.append(o[path])
        elif path in t and path not in o and t[path] != b.get(path):
            kept.append(t[path])
    return kept


def _repair_goals(tree: dict[Any, Any], theirs: dict[Any, Any], merger: _Merger) -> None:
    """A goal whose cell's level reached its target (one side raised the level, the other
    set or kept the goal) is no goal any more: it goes, recorded as a conflict (theirs' version
    when they have it) so that its text is not lost."""
    for capability, unit in tree["scope"].items():
        for cell, goal in list(unit["goals"].items()):
            level = unit["levels"].get(str(goal.get("lens")), 0)
            if goal.get("to_level", 0) > level:
                continue
            path = select(child(select("scope", capability), "goals"), cell)
            their_goal = get_path(theirs, path)
            merger.found = [f for f in merger.found if not f[0].startswith(f"{path}.")]
            merger.conflict(path, plain(goal if their_goal is MISSING else their_goal))
            del unit["goals"][cell]


def _repair_dates(
    tree: dict[Any, Any], ours: dict[Any, Any], theirs: dict[Any, Any], merger: _Merger
) -> None:
    """One side moved the start past the end the other side set: ours keep both dates."""
    if tree["ends"] >= tree["starts"]:
        return
    for name in ("starts", "ends"):
        if tree[name] != ours[name]:
            tree[name] = ours[name]
        if theirs[name] != ours[name]:
            merger.conflict(name, theirs[name])


def settle_ids(tree: dict[Any, Any]) -> None:
    """Give a fresh id to each goal or action whose id an earlier one in the file has (both
    sides made a `g3`): the goal gets the next free number, the action a new random id."""
    goals = [goal for _, _, goal in goals_in_order(tree)]
    ids = [str(g.get("id")) for g in goals]
    numbers = [int(i[1:]) for i in ids if i.startswith("g") and i[1:].isdigit()]
    following = max([*numbers, tree.get("goals_issued") or 0])
    seen: set[str] = set()
    for goal in goals:
        if goal.get("id") in seen:
            following += 1
            goal["id"] = f"g{following}"
        seen.add(str(goal["id"]))
    present = [int(g["id"][1:]) for g in goals if str(g["id"])[1:].isdigit()]
    if following > max(present, default=0):
        tree["goals_issued"] = following  # more than the goals present tell
    else:
        tree.pop("goals_issued", None)
    actions = [a for g in goals for a in g.get("actions", Keyed()).values()]
    taken = {str(a.get("id")) for a in actions}
    seen = set()
    for action in actions:
        if action.get("id") in seen:
            action["id"] = new_record_id("a", taken)
            taken.add(action["id"])
        seen.add(str(action["id"]))


def changed_paths(base: dict[Any, Any], side: dict[Any, Any], path: str = "") -> Iterator[str]:
    """The paths at which `side` differs from `base`: the fields, or whole records added or
    removed (`updated` and the goals' order aside)."""
    for name in [*side, *(k for k in base if k not in side)]:
        if not isinstance(name, str) or (not path and name == "updated"):
            continue
        yield from _changed(child(path, name), base.get(name, MISSING), side.get(name, MISSING))


def _changed(path: str, base: Any, side: Any) -> Iterator[str]:
    if base == side:
        return
    if isinstance(base, Keyed) and isinstance(side, Keyed):
        for key in [*side, *(k for k in base if k not in side)]:
            b, s = base.get(key, MISSING), side.get(key, MISSING)
            if b is MISSING or s is MISSING:
                if b != s:
                    yield select(path, key)
            else:
                yield from _changed(select(path, key), b, s)
        return
    if isinstance(base, dict) and isinstance(side, dict) and not isinstance(base, Keyed):
        yield from changed_paths(base, side, path)
        return
    yield path


# -- resolving ----------------------------------------------------------------------------------


def resolve(iteration: Iteration, path: str, take: Take) -> Iteration:
    """The iteration with the conflict at `path` settled: `ours` keeps the file's value,
    `theirs` puts the recorded one in its place. Raises KeyError for an unknown conflict and
    ValueError when their value no longer fits (its capability is out of scope, its goal's
    cell has reached the target, …)."""
    conflict = iteration.conflict(path)
    if take not in ("ours", "theirs"):
        raise ValueError(f"take 'ours' or 'theirs', not {take!r}")
    others = [c for c in iteration.conflicts if c.path != path]
    tree = to_tree(iteration)
    if take == "theirs":
        value = MISSING if conflict.theirs is None else treeify(conflict.theirs)
        try:
            set_path(tree, path, value, after=iteration)
        except (KeyError, TypeError):
            raise ValueError(
                f"their value of {path} has no place any more: what held it was removed"
            ) from None
        settle_ids(tree)
    try:
        return from_tree(tree, others)
    except ValidationError as exc:
        raise ValueError(
            f"their value of {path} does not fit any more: {describe_errors(exc)[0]}"
        ) from None


# -- text ---------------------------------------------------------------------------------------


def parse(data: bytes, side: str) -> Iteration:
    """One side of a merge, from its file's bytes (raises MergeError saying what is wrong)."""
    try:
        text = data.decode("utf-8")
        document = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise MergeError(f"{side}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise MergeError(f"{side}: TOML syntax error: {exc}") from None
    version = document.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise MergeError(f"{side}: schema_version {version} is newer than this finops-tui")
    try:
        return Iteration.from_document(document)
    except ValidationError as exc:
        raise MergeError(f"{side}: {describe_errors(exc)[0]}") from None


def render(iteration: Iteration) -> bytes:
    """An iteration's file bytes (the store's layout)."""
    return toml_writer.dumps(iteration.to_document()).encode("utf-8")


def merge_files(
    base: bytes | None, ours: bytes, theirs: bytes, *, now: datetime | None = None
) -> tuple[bytes, Merged]:
    """Merge three versions of an iteration file (base empty or None: both added it).

    Raises MergeError when a side is not a valid iteration file; the caller keeps ours."""
    base_iteration = parse(base, "base") if base and base.strip() else None
    merged = merge(base_iteration, parse(ours, "ours"), parse(theirs, "theirs"), now=now)
    return render(merged.iteration), merged


# -- showing conflicts --------------------------------------------------------------------------

MAX_SHOWN = 60


@dataclass(frozen=True)
class ConflictView:
    """A conflict as people read it: where, this side's value and theirs, each one line."""

    path: str
    label: str
    ours: str
    theirs: str
    when: datetime


def describe(iteration: Iteration, conflict: Conflict) -> ConflictView:
    """Name a conflict for people: `Budget management · Metrics goal · statement`, with both
    values shortened to one line (control characters shown, not obeyed)."""
    tree = to_tree(iteration)
    ours = get_path(tree, conflict.path)
    record = conflict.path.endswith("]")
    theirs = MISSING if conflict.theirs is None else conflict.theirs
    return ConflictView(
        path=conflict.path,
        label=_label(iteration, tree, conflict.path, theirs),
        ours=show_value(ours, record=record),
        theirs=show_value(theirs, record=record),
        when=conflict.when,
    )


def _label(iteration: Iteration, tree: dict[Any, Any], path: str, theirs: Any) -> str:
    try:
        segments = parse_path(path)
    except ValueError:
        return _one_line(path)
    catalog = iteration.display_catalog()
    parts: list[str] = []
    node: Any = tree
    previous = ""
    for i, (name, key) in enumerate(segments):
        node = node.get(name, MISSING) if isinstance(node, dict) else MISSING
        within, previous = previous, name
        if key is None:
            if within in ("levels", "weights"):
                parts.append(f"{name.capitalize()} {within.removesuffix('s')}")
            elif name not in ("stakeholders", "levels", "weights") or i == len(segments) - 1:
                parts.append(name.replace("_", " "))
            continue
        node = node.get(key, MISSING) if isinstance(node, Keyed) else MISSING
        record = theirs if node is MISSING and i == len(segments) - 1 else node
        fields = record if isinstance(record, dict) else {}
        if name == "scope":
            has = catalog.has_capability(key)
            parts.append(catalog.capability(key).name if has else key)
        elif name == "goals":
            lens = key.split("#", 1)[0]
            parts.append(f"{lens.capitalize()} goal")
        elif name == "people":
            parts.append(f"person {_one_line(str(fields.get('name', key)))}")
        elif name == "actions":
            parts.append(f"action “{_one_line(str(fields.get('title', key)))}”")
        else:
            parts.append(f"{name} {key}")
    return " · ".join(parts)


def show_value(value: Any, *, record: bool = False) -> str:
    """A value on one line: text quoted and shortened, a record by its name."""
    if value is MISSING or value is None:
        return "(removed)" if record else "(empty)"
    if isinstance(value, dict):
        if "levels" in value and "capability" in value:
            return "in scope, changed"
        for name in ("name", "title", "statement"):
            if value.get(name):
                return show_value(value[name])
        if "to_level" in value:
            return f"a goal to level {value['to_level']}"
        return "(a table)"
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return f"“{_one_line(value)}”"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return _one_line(str(value))


def _one_line(text: str) -> str:
    out = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
    return out if len(out) <= MAX_SHOWN else out[: MAX_SHOWN - 1] + "…"
