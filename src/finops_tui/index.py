"""The history index: what `list` and `export` need from every iteration file, kept in the
user's cache dir, so that on a long history these commands read one file instead of parsing
and validating every iteration (and need not load pydantic at all).

An entry is used only while its file has the size, modification time, inode and change time
it had when it was read, and only by the finops-tui version that wrote it; anything else (a
new, edited, renamed or removed file) is read again through the store and validated. A file
changed in the last seconds is not indexed, so two edits within one clock tick cannot hide.
The index holds nothing that is not in the iteration files: deleting it loses nothing, and a
cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finops_tui import __version__
from finops_tui.store import LoadProblem, ProblemKind, Store, StoreError, make_private_dir

if TYPE_CHECKING:
    from finops_tui.model import Iteration
    from finops_tui.progress.facts import IterationFacts

INDEX_FORMAT = 4
Block = tuple[list[Any], list[list[Any]]]
SETTLED_SECONDS = 2.0  # a file younger than this is read every time, never indexed


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
    def from_json(cls, data: object) -> IterationSummary:
        """A summary read back from the index; ValueError unless every field has its type."""
        if not isinstance(data, dict) or set(data) != set(_SUMMARY_FIELDS):
            raise ValueError("not a summary")
        values = dict(data)
        for name, kind in _SUMMARY_FIELDS.items():
            value = values[name]
            if name == "previous" and value is None:
                continue
            if kind is float and isinstance(value, int):
                value = values[name] = float(value)
            if isinstance(value, bool) or not isinstance(value, kind):
                raise ValueError(f"summary field {name} is not a {kind.__name__}")
        capabilities = values["capabilities"]
        if not all(isinstance(c, str) for c in capabilities):
            raise ValueError("summary capabilities are not names")
        values["capabilities"] = tuple(capabilities)
        return cls(**values)


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
    digest = hashlib.sha256(str(store.data_dir.resolve()).encode()).hexdigest()[:24]
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
    history = History()
    now = time.time()
    files = store.files()
    for done, file in enumerate(files, 1):
        if progress is not None:
            progress(done, len(files))
        try:
            stat = file.stat()
        except OSError:
            stat = None
        key = [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns] if stat else None
        cached = {part: old.get(part, {}).get(file.name) for part in parts}
        if key is None or any(c is None or c.get("key") != key for c in cached.values()):
            cached = _entries(store, file, key)
        if stat is not None and now - max(stat.st_mtime, stat.st_ctime) > SETTLED_SECONDS:
            for part in parts:
                new[part][file.name] = cached[part]
        summary = cached["summaries"]
        if (problem := summary.get("problem")) is not None:
            history.problems.append(_problem(file, problem))
            continue
        try:
            item = IterationSummary.from_json(summary["summary"])
            item_facts = _facts(cached) if facts else None
        except ValueError:  # an entry this version cannot trust: read the file again
            cached = _entries(store, file, key)
            summary = cached["summaries"]
            for part in parts:
                new[part].pop(file.name, None)
            if (problem := summary.get("problem")) is not None:
                history.problems.append(_problem(file, problem))
                continue
            item = IterationSummary.from_json(summary["summary"])
            item_facts = _facts(cached) if facts else None
        history.summaries.append(item)
        if rows:
            history.blocks[item.id] = _block(item, cached["rows"])
        if item_facts is not None:
            history.facts[item.id] = item_facts
    history.summaries.sort(key=_newest_first, reverse=True)
    for part, path in paths.items():
        if new[part] != old[part]:
            _write_index(path, new[part], catalogs)
    return history


def _entries(store: Store, file: Path, key: list[int] | None) -> dict[str, dict[str, Any]]:
    """Read one file through the store (validating it) into its index entries."""
    from finops_tui.export.rows import COLUMNS, iteration_rows
    from finops_tui.progress.facts import facts_of

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
    own = [c for c in COLUMNS if c not in _ITERATION_COLUMNS]
    compact = [[row[c] for c in own] for row in iteration_rows(result)]
    return {
        "summaries": {"key": key, "summary": IterationSummary.of(result).to_json()},
        "rows": {"key": key, "columns": own, "rows": compact},
        "facts": {"key": key, "facts": facts_of(result).to_json()},
    }


def _facts(cached: dict[str, dict[str, Any]]) -> IterationFacts:
    """The progress facts of an entry; ValueError when they cannot be trusted."""
    from finops_tui.progress.facts import IterationFacts

    entry = cached["facts"]
    if not isinstance(entry, dict):
        raise ValueError("not an entry")
    return IterationFacts.from_json(entry.get("facts"))


def _block(summary: IterationSummary, entry: dict[str, Any]) -> Block:
    from finops_tui.export.rows import COLUMNS

    shared = [getattr(summary, field) for field in _ITERATION_COLUMNS.values()]
    if entry["columns"] != COLUMNS[len(shared) :]:
        raise ValueError("index rows have other columns")  # cannot happen within one version
    return shared, entry["rows"]


def _problem(file: Path, data: dict[str, Any]) -> LoadProblem:
    return LoadProblem(
        file,
        ProblemKind(data["kind"]),
        data["message"],
        tuple(data["details"]),
        data["line"],
        data["column"],
    )


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


def _read_index(path: Path, catalogs: list[list[Any]]) -> dict[str, dict[str, Any]]:
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
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
