"""The history index: what `list` and `export` need from every iteration file, kept in the
user's cache dir, so that on a long history these commands read one file instead of parsing
and validating every iteration (and need not load pydantic at all).

An entry is used only while its file has the size, modification time, inode and change time
it had when it was read, and only by the finops-tui version that wrote it; anything else (a
new, edited, renamed or removed file) is read again through the store and validated. A file
changed in the last seconds is not indexed, so two edits within one clock tick cannot hide.
The index holds nothing that is not in the iteration files: deleting it loses nothing, and a
cache that cannot be read or written is simply not used. Nor is it trusted: every entry is
checked (types, ranges, and that its figures add up) before it is used, an entry that does not
check out is dropped and its file read again, and an index over 64 MB is not even read.

When many files must be read (a first run of a command on a long history), they are parsed in
a pool of processes, one per core.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finops_tui import __version__
from finops_tui.lenses import CAPABILITY_MAX_SCORE, LENSES, MAX_LEVEL, MAX_WEIGHT, MIN_LEVEL
from finops_tui.store import (
    LoadProblem,
    NotAFile,
    ProblemKind,
    Store,
    StoreError,
    make_private_dir,
    read_regular,
)
from finops_tui.terms import ID_PATTERN, Outcome, Status

if TYPE_CHECKING:
    from finops_tui.model import Iteration
    from finops_tui.progress.facts import IterationFacts

INDEX_FORMAT = 5
Block = tuple[list[Any], list[list[Any]]]
Key = list[int]  # size, modification time, inode and change time of a file
SETTLED_SECONDS = 2.0  # a file younger than this is read every time, never indexed
MAX_INDEX_BYTES = 64 * 2**20  # a larger index is not read but rebuilt
PARALLEL_FROM = 200  # files to read before a pool of processes pays for its start


@dataclass(frozen=True)
class IterationSummary:
    """What `list` and the home screen show of an iteration (and `list --json`'s shape)."""

    id: str
    number: int
    title: str
    status: str
    framework: str
    starts: str
    ends: str
    capabilities: tuple[str, ...]
    goals: int
    goals_achieved: int
    score: int
    score_max: int
    score_percent: float
    previous: str | None = None

    @classmethod
    def of(cls, iteration: Iteration) -> IterationSummary:
        score = iteration.score(at_end=iteration.read_only)
        achieved, total = iteration.goals_achieved()
        return cls(
            id=iteration.id,
            number=iteration.number,
            title=iteration.title,
            status=iteration.status.value,
            framework=iteration.framework,
            starts=iteration.starts.isoformat(),
            ends=iteration.ends.isoformat(),
            capabilities=tuple(iteration.capabilities),
            goals=total,
            goals_achieved=achieved,
            score=score.points,
            score_max=score.maximum,
            score_percent=round(score.percent, 1),
            previous=iteration.previous,
        )

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _SUMMARY_FIELDS} | {
            "capabilities": list(self.capabilities)
        }

    @classmethod
    def from_json(cls, data: object, *, check: bool = True) -> IterationSummary:
        """A summary read back from the index; ValueError unless every field has its type and
        the figures are ones an iteration can have (they add up, …). Without `check`, for a
        summary made from its file just now, only its fields are checked."""
        if not isinstance(data, dict) or set(data) != set(_SUMMARY_FIELDS):
            raise ValueError("not a summary")
        values = dict(data)
        if not check:  # made from the file just now
            return cls(**values | {"capabilities": tuple(values["capabilities"])})
        for name, kind in _SUMMARY_FIELDS.items():
            value = values[name]
            if name == "previous" and value is None:
                continue
            if kind is float and type(value) is int:
                value = values[name] = float(value)
            if isinstance(value, bool) or not isinstance(value, kind):
                raise ValueError(f"summary field {name} is not a {kind.__name__}")
        capabilities = values["capabilities"]
        if not all(isinstance(c, str) and ID_PATTERN.fullmatch(c) for c in capabilities):
            raise ValueError("summary capabilities are not names")
        values["capabilities"] = tuple(capabilities)
        summary = cls(**values)
        summary._check()
        return summary

    def _check(self) -> None:
        """ValueError unless the figures are ones `of` can give."""
        if not ID_PATTERN.fullmatch(self.id) or self.number < 1:
            raise ValueError("summary id or number is not valid")
        if not ID_PATTERN.fullmatch(self.framework):
            raise ValueError("summary framework is not an id")
        if self.previous is not None and not ID_PATTERN.fullmatch(self.previous):
            raise ValueError("summary previous is not an id")
        if self.status not in _STATUSES:
            raise ValueError(f"summary status {self.status!r} is not a status")
        if not _iso_date(self.starts) or not _iso_date(self.ends) or self.ends < self.starts:
            raise ValueError("summary dates are not valid")
        if len(set(self.capabilities)) != len(self.capabilities):
            raise ValueError("summary capabilities repeat")
        if not 0 <= self.goals_achieved <= self.goals:
            raise ValueError("summary goals do not add up")
        maximum = CAPABILITY_MAX_SCORE * len(self.capabilities)
        if self.score_max != maximum or not 0 <= self.score <= maximum:
            raise ValueError("summary score does not add up")
        percent = round(100.0 * self.score / maximum, 1) if maximum else 0.0
        if self.score_percent != percent:
            raise ValueError("summary score percentage does not add up")


def _iso_date(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


_STATUSES = frozenset(status.value for status in Status)
_OUTCOMES = frozenset(outcome.value for outcome in Outcome)
_LEVELS = frozenset(range(MIN_LEVEL, MAX_LEVEL + 1))
_LENS_NAMES = tuple(lens.value for lens in LENSES)
_WEIGHTS = frozenset(range(MAX_WEIGHT + 1))
_SCORES = frozenset(range(1, CAPABILITY_MAX_SCORE + 1))
_PROBLEM_KINDS = frozenset(kind.value for kind in ProblemKind)


_SUMMARY_FIELDS: dict[str, type] = {
    "id": str,
    "number": int,
    "title": str,
    "status": str,
    "framework": str,
    "starts": str,
    "ends": str,
    "capabilities": list,
    "goals": int,
    "goals_achieved": int,
    "score": int,
    "score_max": int,
    "score_percent": float,
    "previous": str,
}


@dataclass
class History:
    """Every iteration as its summary (newest first), its tidy rows, and the unreadable files."""

    summaries: list[IterationSummary] = field(default_factory=list)
    # By iteration id: the values its rows share (the iteration's columns) and, per row, the
    # rest, both in the order of `COLUMNS`.
    blocks: dict[str, Block] = field(default_factory=dict)
    problems: list[LoadProblem] = field(default_factory=list)
    # By iteration id: what `progress` and `diff` need (with `read_history(facts=True)`).
    facts: dict[str, IterationFacts] = field(default_factory=dict)

    @property
    def next_number(self) -> int:
        return max((s.number for s in self.summaries), default=0) + 1

    def summary(self, iteration_id: str) -> IterationSummary | None:
        return next((s for s in self.summaries if s.id == iteration_id), None)

    def put(self, summary: IterationSummary) -> None:
        """Add or replace the summary of an iteration (after a save), keeping the order."""
        self.drop(summary.id)
        self.summaries.append(summary)
        self.summaries.sort(key=_newest_first, reverse=True)

    def drop(self, iteration_id: str) -> None:
        self.summaries = [s for s in self.summaries if s.id != iteration_id]

    def rows_oldest_first(self) -> list[dict[str, Any]]:
        """All tidy rows as dicts, oldest iteration first, as `export --all` writes them."""
        from finops_tui.export.rows import COLUMNS

        return [
            dict(zip(COLUMNS, shared + values, strict=True))
            for shared, rows in self.blocks_oldest_first()
            for values in rows
        ]

    def blocks_oldest_first(self) -> list[Block]:
        """The rows of each iteration, oldest first, as (shared values, per-row values)."""
        return [self.blocks[s.id] for s in reversed(self.summaries)]

    def facts_oldest_first(self) -> list[IterationFacts]:
        """The progress facts of each iteration, oldest first."""
        return [self.facts[s.id] for s in reversed(self.summaries)]


def index_file(store: Store, cache_dir: Path, part: str = "summaries") -> Path:
    """The index of a data dir (named by a hash of its full path): `summaries`, `rows` or
    `facts`."""
    digest = hashlib.sha256(os.path.realpath(store.data_dir).encode()).hexdigest()[:24]
    return cache_dir / "index" / f"{digest}.{part}.json"


# A row in the index keeps what differs between the rows of one iteration; the rest comes
# from the iteration's summary when the rows are read back.
_ITERATION_COLUMNS = {
    "iteration_id": "id",
    "number": "number",
    "title": "title",
    "starts": "starts",
    "ends": "ends",
    "status": "status",
}
_SHARED = len(_ITERATION_COLUMNS)


def _newest_first(summary: IterationSummary) -> tuple[int, str, str]:
    return summary.number, summary.starts, summary.id


def read_history(
    store: Store,
    cache_dir: Path | None,
    *,
    rows: bool = False,
    facts: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> History:
    """The history of a data dir, from the index where it is current (raises StoreError).

    `rows=True` also gives the tidy rows (`export --all`); they live in an index of their own,
    so that `list` and single-iteration exports never read them; `facts=True` gives what
    `progress` and `diff` need, in an index of its own too. `progress(done, total)` is
    called after each file. Without a `cache_dir`, every file is read.
    """
    parts = ["summaries", *(["rows"] if rows else []), *(["facts"] if facts else [])]
    paths = {part: index_file(store, cache_dir, part) for part in parts} if cache_dir else {}
    catalogs = catalogs_signature()
    old = {part: _read_index(path, catalogs) for part, path in paths.items()}
    new: dict[str, dict[str, Any]] = {part: {} for part in parts}
    files = store.files()
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(files))

    stats = {file: _stat(file) for file in files}
    results: dict[Path, _Result] = {}
    stale: list[tuple[Path, Key | None]] = []
    for file in files:
        key = _key(stats[file])
        entries = {part: old.get(part, {}).get(file.name) for part in parts}
        result = _checked(file, key, entries, parts)
        if result is None:
            stale.append((file, key))
            continue
        results[file] = result
        step()
    for file, entries in _read_files(store, stale, parts):
        results[file] = _result(file, entries, parts, check=False)
        step()

    history = History()
    now = time.time()
    for file in files:
        result = results[file]
        stat = stats[file]
        if stat is not None and now - max(stat.st_mtime, stat.st_ctime) > SETTLED_SECONDS:
            for part in parts:
                new[part][file.name] = result.entries[part]
        if isinstance(result.item, LoadProblem):
            history.problems.append(result.item)
            continue
        history.summaries.append(result.item)
        if rows:
            history.blocks[result.item.id] = _block(result.item, result.rows)
        if result.facts is not None:
            history.facts[result.item.id] = result.facts
    history.summaries.sort(key=_newest_first, reverse=True)
    for part, path in paths.items():
        if new[part] != old[part]:
            _write_index(path, new[part], catalogs)
    return history


@dataclass(frozen=True)
class _Result:
    """What the history takes from one file, and the index entries it came from."""

    item: IterationSummary | LoadProblem
    rows: list[list[Any]]
    entries: dict[str, Any]
    facts: IterationFacts | None = None


def _stat(file: Path) -> os.stat_result | None:
    try:
        return file.stat()
    except OSError:  # gone, or a link loop: the store says which
        return None


def _key(stat: os.stat_result | None) -> Key | None:
    if stat is None:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]


def _checked(
    file: Path, key: Key | None, entries: dict[str, Any], parts: list[str]
) -> _Result | None:
    """The history's share of a file from its index entries, if they are current and check
    out; None when the file must be read again."""
    if key is None or not all(
        isinstance(e, dict) and e.get("key") == key for e in entries.values()
    ):
        return None
    try:
        return _result(file, entries, parts, check=True)
    except ValueError:
        return None


def _result(file: Path, entries: dict[str, Any], parts: list[str], *, check: bool) -> _Result:
    """The history's share of a file from its entries; with `check`, ValueError unless every
    entry checks out (entries made from the file just now need no check)."""
    rows, facts = "rows" in parts, "facts" in parts
    summary = entries["summaries"]
    if set(summary) == {"key", "problem"}:
        if rows and (set(entries["rows"]) != {"key", "rows"} or entries["rows"]["rows"] != []):
            raise ValueError("the rows of an unreadable file")
        if facts and entries["facts"] != {"key": summary["key"], "facts": None}:
            raise ValueError("the facts of an unreadable file")
        return _Result(_problem_from_json(file, summary["problem"]), [], entries)
    if set(summary) != {"key", "summary"}:
        raise ValueError("not an entry")
    item = IterationSummary.from_json(summary["summary"], check=check)
    if item.id != file.stem:
        raise ValueError("the summary of another file")
    item_rows: list[list[Any]] = []
    if rows:
        item_rows = _rows_from_json(item, entries["rows"]) if check else entries["rows"]["rows"]
    return _Result(item, item_rows, entries, _facts_from_json(item, entries) if facts else None)


def _facts_from_json(summary: IterationSummary, entries: dict[str, Any]) -> IterationFacts:
    """The progress facts of an entry; ValueError when they cannot be trusted."""
    from finops_tui.progress.facts import IterationFacts

    entry = entries["facts"]
    if not isinstance(entry, dict) or set(entry) != {"key", "facts"}:
        raise ValueError("not an entry")
    facts = IterationFacts.from_json(entry["facts"])
    if facts.id != summary.id:
        raise ValueError("the facts of another iteration")
    return facts


def _problem_from_json(file: Path, data: object) -> LoadProblem:
    if not isinstance(data, dict) or set(data) != {"kind", "message", "details", "line", "column"}:
        raise ValueError("not a problem")
    kind, message, details = data["kind"], data["message"], data["details"]
    if type(kind) is not str or kind not in _PROBLEM_KINDS or type(message) is not str:
        raise ValueError("not a problem")
    if not isinstance(details, list) or not all(isinstance(d, str) for d in details):
        raise ValueError("problem details are not text")
    position = (data["line"], data["column"])
    if not all(p is None or (type(p) is int and p >= 1) for p in position):
        raise ValueError("problem position is not a position")
    return LoadProblem(file, ProblemKind(kind), message, tuple(details), *position)


def _rows_from_json(summary: IterationSummary, entry: dict[str, Any]) -> list[list[Any]]:
    """An iteration's rows from the index: one per scoped capability and lens, in order, each
    cell of its column's type; ValueError otherwise. Checked a column at a time: a long
    history has a few hundred thousand rows."""
    from finops_tui.export.rows import COLUMNS

    if set(entry) != {"key", "columns", "rows"} or entry["columns"] != COLUMNS[_SHARED:]:
        raise ValueError("index rows have other columns")
    rows = entry["rows"]
    if type(rows) is not list or {type(row) for row in rows} - {list}:
        raise ValueError("index rows are not rows")
    if {len(row) for row in rows} - {len(COLUMNS) - _SHARED}:
        raise ValueError("an index row has other cells")
    expected = [(c, lens) for c in summary.capabilities for lens in _LENS_NAMES]
    if len(rows) != len(expected):
        raise ValueError("index rows are not one per capability and lens")
    if not rows:
        return rows
    column = dict(zip(COLUMNS[_SHARED:], zip(*rows, strict=True), strict=True))
    if list(zip(column["capability_id"], column["lens"], strict=True)) != expected:
        raise ValueError("index rows are not one per capability and lens, in order")
    texts = ("capability", "domain")
    optional_texts = ("goal_id", *(c for c in column if c.startswith("goal_")))
    if not all(_cells(column[c], str) for c in texts) or not all(
        _cells(column[c], str, None) for c in optional_texts
    ):
        raise ValueError("an index row has a name or goal that is not text")
    levels = _levels(column["level_start"])
    if not (levels and _levels(column["target"], None) and _levels(column["reached"], None)):
        raise ValueError("an index row has a level out of range")
    outcomes = column["outcome"]
    if not _cells(outcomes, str, None) or set(outcomes) - _OUTCOMES - {None}:
        raise ValueError("an index row has an unknown outcome")
    if not _cells(column["weight"], int) or set(column["weight"]) - _WEIGHTS:
        raise ValueError("an index row has a weight out of range")
    scores = column["target_score"]
    if not _cells(scores, int, None) or set(scores) - _SCORES - {None}:
        raise ValueError("an index row has a target score out of range")
    return rows


def _cells(column: tuple[Any, ...], kind: type, *none: None) -> bool:
    """Whether every cell of a column is of the type (or None, when `none` is given)."""
    return {type(cell) for cell in column} <= ({kind, type(None)} if none else {kind})


def _levels(column: tuple[Any, ...], *none: None) -> bool:
    """Whether every cell is a level, 0-4 (a bool is not), or None when `none` is given."""
    return _cells(column, int, *none) and set(column) - {None} <= _LEVELS


def _read_files(
    store: Store, stale: list[tuple[Path, Key | None]], parts: list[str]
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Read files through the store into their index entries: in a pool of processes when there
    are many (a cold index on a long history), here otherwise or when a pool fails."""
    done = 0
    workers = _workers()
    if len(stale) >= PARALLEL_FROM and workers > 1 and _alone():
        try:
            for file, entries in _read_in_pool(store.data_dir, stale, parts, workers):
                yield file, entries
                done += 1
        except Exception:  # no processes here, or one died: this process reads the rest
            pass
    for file, key in stale[done:]:
        yield file, _entries(store, file, key, parts)


def _alone() -> bool:
    """Whether this process runs one thread only, so that forking it is safe."""
    return threading.active_count() == 1


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(cores, 8)


def _read_in_pool(
    data_dir: Path, stale: list[tuple[Path, Key | None]], parts: list[str], workers: int
) -> Iterator[tuple[Path, dict[str, Any]]]:
    from concurrent.futures import ProcessPoolExecutor

    size = max(8, min(64, len(stale) // (workers * 4)))
    chunks = [stale[i : i + size] for i in range(0, len(stale), size)]
    jobs = [(data_dir, [(str(file), key) for file, key in chunk], parts) for chunk in chunks]
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
        for chunk, results in zip(chunks, pool.map(_read_chunk, jobs), strict=True):
            for (file, _), entries in zip(chunk, results, strict=True):
                yield file, entries


def _pool_context() -> Any:
    """Fork on Linux (the pool is only used with no other thread running: the command line,
    not the app, whose loading thread reads on its own); the platform's own way elsewhere."""
    import multiprocessing

    return multiprocessing.get_context("fork" if sys.platform == "linux" else None)


def _read_chunk(
    job: tuple[Path, list[tuple[str, Key | None]], list[str]],
) -> list[dict[str, Any]]:
    """In a pool process: some files of a data dir, read into their index entries."""
    data_dir, files, parts = job
    store = Store(data_dir)
    return [_entries(store, Path(file), key, parts) for file, key in files]


def _entries(
    store: Store, file: Path, key: Key | None, parts: list[str]
) -> dict[str, dict[str, Any]]:
    """Read one file through the store (validating it) into its index entries."""
    result = store.read(file)
    if isinstance(result, LoadProblem):
        problem = {
            "kind": result.kind.value,
            "message": result.message,
            "details": list(result.details),
            "line": result.line,
            "column": result.column,
        }
        return {
            "summaries": {"key": key, "problem": problem},
            "rows": {"key": key, "rows": []},
            "facts": {"key": key, "facts": None},
        }
    entries = {"summaries": {"key": key, "summary": IterationSummary.of(result).to_json()}}
    if "rows" in parts:
        from finops_tui.export.rows import COLUMNS, iteration_rows

        own = COLUMNS[_SHARED:]
        compact = [[row[c] for c in own] for row in iteration_rows(result)]
        entries["rows"] = {"key": key, "columns": own, "rows": compact}
    if "facts" in parts:
        from finops_tui.progress.facts import facts_of

        entries["facts"] = {"key": key, "facts": facts_of(result).to_json()}
    return entries


def _block(summary: IterationSummary, rows: list[list[Any]]) -> Block:
    return [getattr(summary, field) for field in _ITERATION_COLUMNS.values()], rows


def catalogs_signature() -> list[list[Any]]:
    """The team's own catalogues as they are now (name, size, times, inode): an iteration's
    summary and rows depend on its catalogue, so the index holds only while these do."""
    from finops_tui.locations import catalogs_dir

    out: list[list[Any]] = []
    try:
        with os.scandir(catalogs_dir()) as entries:
            for entry in entries:
                if entry.name.endswith(".toml") and not entry.name.startswith("."):
                    stat = entry.stat()
                    out.append([entry.name, stat.st_size, stat.st_mtime_ns, stat.st_ino])
    except OSError:
        return []
    return sorted(out)


def _read_index(path: Path, catalogs: list[list[Any]]) -> dict[str, Any]:
    """The entries of an index file, unchecked; none when it is missing, damaged, foreign,
    from another version or another state of the team's catalogues, or too large to be
    worth reading."""
    try:
        document = json.loads(read_regular(path, MAX_INDEX_BYTES, what="an index"))
    except (OSError, NotAFile, ValueError, RecursionError):
        return {}
    if not isinstance(document, dict) or document.get("format") != INDEX_FORMAT:
        return {}
    if document.get("version") != __version__ or document.get("catalogs") != catalogs:
        return {}
    files = document.get("files")
    return files if isinstance(files, dict) else {}


def _write_index(path: Path, files: dict[str, dict[str, Any]], catalogs: list[list[Any]]) -> None:
    from finops_tui.store import write_atomic

    data = json.dumps(
        {"format": INDEX_FORMAT, "version": __version__, "catalogs": catalogs, "files": files},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    try:
        make_private_dir(path.parent)
        write_atomic(path, data)
    except (StoreError, OSError):
        pass  # only a cache: the next run reads the files again
