"""A damaged, forged or huge history index: every entry is checked before it is used, one that
does not check out is dropped and its file read again, and `list` and `export --all` give what
the files say."""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finops_tui import index
from finops_tui.cli import run
from finops_tui.export.rows import COLUMNS
from finops_tui.index import History, index_file, read_history
from finops_tui.store import ProblemKind, Store

from ..conftest import make_iteration

LEVELS = {0, 1, 2, 3, 4}


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "SETTLED_SECONDS", -1.0)  # index files written a moment ago


@pytest.fixture
def history(store: Store, settled: None) -> Store:
    for number in range(1, 4):
        it = make_iteration(f"2026-0{number}-01-aaaa", number=number, title=f"It {number}")
        store.save(it)
    (store.iterations_dir / "broken.toml").write_text("x = [")
    return store


def cache_dir() -> Path:
    return Path(os.environ["FINOPS_TUI_CACHE_DIR"])


def documents(store: Store) -> dict[str, dict[str, Any]]:
    """The two index files after a full read: summaries and rows."""
    read_history(store, cache_dir(), rows=True)
    return {
        part: json.loads(index_file(store, cache_dir(), part).read_text())
        for part in ("summaries", "rows")
    }


def outputs(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    outs = []
    for command in (["list", "--json"], ["export", "--all", "--format", "csv"]):
        assert run(command) == 0
        outs.append(capsys.readouterr().out)
    return outs[0], outs[1]


def entry_of(document: dict[str, Any], name: str = "2026-02-01-aaaa.toml") -> dict[str, Any]:
    return document["files"][name]


DAMAGE: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
    "a string": ("summaries", lambda e: "oops"),
    "an empty object": ("summaries", lambda e: {}),
    "a number as a string": (
        "summaries",
        lambda e: e | {"summary": e["summary"] | {"number": "2"}},
    ),
    "a boolean as a number": (
        "summaries",
        lambda e: e | {"summary": e["summary"] | {"goals": True}},
    ),
    "an unknown status": (
        "summaries",
        lambda e: e | {"summary": e["summary"] | {"status": "done"}},
    ),
    "a date that is no date": (
        "summaries",
        lambda e: e | {"summary": e["summary"] | {"ends": "2026-02-30"}},
    ),
    "a score that does not add up": (
        "summaries",
        lambda e: e | {"summary": e["summary"] | {"score": 99, "score_percent": 165.0}},
    ),
    "more goals achieved than set": (
        "summaries",
        lambda e: e | {"summary": e["summary"] | {"goals_achieved": 7}},
    ),
    "the summary of another file": (
        "summaries",
        lambda e: e | {"summary": e["summary"] | {"id": "2026-03-01-aaaa"}},
    ),
    "an unknown problem kind": (
        "summaries",
        lambda e: {
            "key": e["key"],
            "problem": {"kind": "alien", "message": "x", "details": [], "line": None, "column": 0},
        },
    ),
    "a problem at line 0": (
        "summaries",
        lambda e: {
            "key": e["key"],
            "problem": {"kind": "syntax", "message": "x", "details": [], "line": 0, "column": 1},
        },
    ),
    "changed columns": ("rows", lambda e: e | {"columns": ["x", *e["columns"][1:]]}),
    "rows of the wrong length": ("rows", lambda e: e | {"rows": [r[:3] for r in e["rows"]]}),
    "a row missing": ("rows", lambda e: e | {"rows": e["rows"][1:]}),
    "rows out of order": ("rows", lambda e: e | {"rows": e["rows"][::-1]}),
    "a level out of range": (
        "rows",
        lambda e: e | {"rows": [[*r[:4], 9, *r[5:]] for r in e["rows"]]},
    ),
    "an unknown outcome": ("rows", lambda e: e | {"rows": [[*r[:8], "won"] for r in e["rows"]]}),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_an_entry_that_does_not_check_out_is_dropped_and_its_file_read_again(
    history: Store, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    expected = outputs(capsys)
    part, change = DAMAGE[damage]
    document = documents(history)[part]
    entry = entry_of(document)
    damaged = change(copy.deepcopy(entry))
    assert damaged != entry
    document["files"]["2026-02-01-aaaa.toml"] = damaged
    path = index_file(history, cache_dir(), part)
    path.write_text(json.dumps(document))
    assert outputs(capsys) == expected
    assert entry_of(json.loads(path.read_text())) == entry  # rewritten from the file


def test_an_index_over_64_mb_is_not_read_but_rebuilt(
    history: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = outputs(capsys)
    document = documents(history)["summaries"]
    entry_of(document)["summary"]["title"] = "FORGED"  # would show, were the index read
    path = index_file(history, cache_dir())
    text = json.dumps(document)
    path.write_text(text + " " * (64 * 2**20 + 1 - len(text)))
    assert path.stat().st_size > index.MAX_INDEX_BYTES
    started = time.monotonic()
    assert outputs(capsys) == expected
    assert time.monotonic() - started < 5
    assert path.stat().st_size < 2**20 and "FORGED" not in path.read_text()


def test_a_deeply_nested_index_is_not_an_error(
    history: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = outputs(capsys)
    index_file(history, cache_dir()).write_text("[" * 100_000 + "]" * 100_000)
    assert outputs(capsys) == expected


# -- random JSON ---------------------------------------------------------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(["planning", "closed", "syntax", "knowledge", "achieved", "2026-01-01"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def well_formed(history: History, files: list[Path]) -> None:
    """What the test, on its own, expects of anything the reader returns."""
    names = sorted(
        [f"{s.id}.toml" for s in history.summaries] + [p.path.name for p in history.problems]
    )
    assert names == sorted(f.name for f in files)  # each file exactly once
    for s in history.summaries:
        assert type(s.number) is int and s.number >= 1 and isinstance(s.title, str)
        assert s.status in {"planning", "active", "closed"}
        assert date.fromisoformat(s.starts) <= date.fromisoformat(s.ends)
        assert all(type(c) is str for c in s.capabilities)
        assert s.score_max == 20 * len(s.capabilities) and 0 <= s.score <= s.score_max
        assert 0 <= s.goals_achieved <= s.goals and 0 <= s.score_percent <= 100
        shared, rows = history.blocks[s.id]
        assert shared == [s.id, s.number, s.title, s.starts, s.ends, s.status]
        assert len(rows) == 5 * len(s.capabilities)
        for row in rows:
            cells = dict(zip(COLUMNS[6:], row, strict=True))  # after the iteration's columns
            assert cells["capability_id"] in s.capabilities
            assert cells["level_start"] in LEVELS
            assert cells["target"] in LEVELS | {None} and cells["reached"] in LEVELS | {None}
            assert cells["outcome"] in {None, "achieved", "partly", "missed"}
            assert cells["weight"] in range(6) and cells["target_score"] in {None, *range(1, 21)}
    for p in history.problems:
        assert isinstance(p.kind, ProblemKind) and isinstance(p.message, str)
        assert all(isinstance(d, str) for d in p.details)
        assert p.line is None or (type(p.line) is int and p.line >= 1)


def paths_in(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, the value itself first."""
    places = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            places += paths_in(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            places += paths_in(inner, (*prefix, i))
    return places


def replace_at(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    copied = copy.copy(value)
    copied[head] = replace_at(value[head], tuple(rest), new)
    return copied


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, dict[str, Any], History]:
    """A data dir, its two (valid) index documents, and its true history."""
    store = Store(tmp_path_factory.mktemp("fuzz") / "data")
    for number in range(1, 3):
        store.save(make_iteration(f"2026-0{number}-01-aaaa", number=number))
    (store.iterations_dir / "broken.toml").write_text("x = [")
    cache = tmp_path_factory.mktemp("fuzz-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "SETTLED_SECONDS", -1.0)  # index the files written just now
        truth = read_history(store, cache, rows=True)
    docs = {p: json.loads(index_file(store, cache, p).read_text()) for p in ("summaries", "rows")}
    return store, docs, truth


def read_with(store: Store, cache: Path, docs: dict[str, Any]) -> History:
    for part, document in docs.items():
        path = index_file(store, cache, part)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))
    return read_history(store, cache, rows=True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(_json, st.sampled_from(["summaries", "rows"]))
def test_random_json_as_an_index_gives_the_files_history(
    fuzz_store: tuple[Store, dict[str, Any], History], tmp_path: Path, value: Any, part: str
) -> None:
    store, docs, truth = fuzz_store
    with_garbage = {**docs, part: value}
    history = read_with(store, tmp_path / "cache", with_garbage)
    assert history == truth


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.data(), _json)
def test_random_json_in_an_entry_only_gives_entries_that_check_out(
    fuzz_store: tuple[Store, dict[str, Any], History],
    tmp_path: Path,
    data: st.DataObject,
    value: Any,
) -> None:
    store, docs, truth = fuzz_store
    part = data.draw(st.sampled_from(["summaries", "rows"]))
    name = data.draw(st.sampled_from(sorted(docs[part]["files"])))
    entry = docs[part]["files"][name]
    place = data.draw(st.sampled_from(paths_in(entry)))
    damaged = copy.deepcopy(docs)
    damaged[part]["files"][name] = replace_at(entry, place, value)
    history = read_with(store, tmp_path / "cache", damaged)
    well_formed(history, store.files())
    others = [s for s in history.summaries if f"{s.id}.toml" != name]
    assert others == [s for s in truth.summaries if f"{s.id}.toml" != name]
    for s in others:
        assert history.blocks[s.id] == truth.blocks[s.id]
