"""The history index: `list` and `export` read one cache file on a long history, and are
never wrong about a file that changed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from finops_tui import index
from finops_tui.cli import run
from finops_tui.index import index_file, read_history
from finops_tui.store import Store

from .conftest import make_iteration


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Files written by a test are seconds old at most; let the index take them at once.
    monkeypatch.setattr(index, "SETTLED_SECONDS", -1.0)
    return tmp_path / "cache"


@pytest.fixture
def history(store: Store) -> Store:
    for number in range(1, 4):
        store.save(make_iteration(f"2026-0{number}-01-aaaa", number=number, title=f"It {number}"))
    return store


def no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Store, path: Path) -> None:
        raise AssertionError(f"{path.name} was parsed although the index is current")

    monkeypatch.setattr(Store, "read", refuse)


def test_a_second_read_uses_the_index_alone(
    history: Store, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = read_history(history, cache, rows=True)
    assert [s.number for s in first.summaries] == [3, 2, 1]
    assert index_file(history, cache).exists()
    assert index_file(history, cache, "rows").exists()
    no_reading(monkeypatch)
    again = read_history(history, cache, rows=True)
    assert again.summaries == first.summaries
    assert again.rows_oldest_first() == first.rows_oldest_first()


def test_an_edited_added_or_removed_file_is_read_again(history: Store, cache: Path) -> None:
    read_history(history, cache)
    edited = history.load("2026-02-01-aaaa")
    edited.title = "It 9"  # same length: only the times tell the file changed
    history.save(edited)
    history.save(make_iteration("2026-04-01-aaaa", number=4, title="New"))
    history.path_of("2026-01-01-aaaa").unlink()
    titles = [s.title for s in read_history(history, cache).summaries]
    assert titles == ["New", "It 3", "It 9"]
    kept = json.loads(index_file(history, cache).read_text())["files"]
    assert sorted(kept) == ["2026-02-01-aaaa.toml", "2026-03-01-aaaa.toml", "2026-04-01-aaaa.toml"]


def test_a_file_broken_after_indexing_is_reported_and_a_fixed_one_listed(
    history: Store, cache: Path
) -> None:
    read_history(history, cache)
    path = history.path_of("2026-03-01-aaaa")
    good = path.read_bytes()
    path.write_text("title = [")
    broken = read_history(history, cache)
    assert [p.path.name for p in broken.problems] == [path.name]
    assert "TOML syntax error" in broken.problems[0].message
    assert read_history(history, cache).problems == broken.problems  # now from the index
    path.write_bytes(good)
    assert [s.number for s in read_history(history, cache).summaries] == [3, 2, 1]


def test_files_changed_in_the_last_seconds_are_not_indexed(history: Store, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    read_history(history, cache)  # every file was written just now
    path = index_file(history, cache)
    assert not path.exists() or json.loads(path.read_text())["files"] == {}


def test_a_damaged_or_foreign_index_is_ignored_and_replaced(history: Store, cache: Path) -> None:
    expected = read_history(history, cache).summaries
    path = index_file(history, cache)
    for damage in (b"\x00garbage", b"[]", json.dumps({"format": 99}).encode()):
        path.write_bytes(damage)
        assert read_history(history, cache).summaries == expected
        assert json.loads(path.read_text())["format"] == index.INDEX_FORMAT


def test_an_index_from_another_version_is_not_trusted(history: Store, cache: Path) -> None:
    read_history(history, cache)
    path = index_file(history, cache)
    document = json.loads(path.read_text())
    document["version"] = "0.0.0"
    for entry in document["files"].values():
        entry["summary"]["title"] = "stale"
    path.write_text(json.dumps(document))
    assert "stale" not in {s.title for s in read_history(history, cache).summaries}


def test_an_unwritable_cache_is_not_an_error(history: Store, tmp_path: Path) -> None:
    blocked = tmp_path / "cache-is-a-file"
    blocked.write_text("x")
    assert len(read_history(history, blocked).summaries) == 3


def test_the_index_is_private(history: Store, cache: Path) -> None:
    old = os.umask(0o022)
    try:
        read_history(history, cache)
    finally:
        os.umask(old)
    path = index_file(history, cache)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_list_and_export_give_the_same_output_from_the_index(
    history: Store, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = []
    for _ in range(2):  # the first run fills the index, the second reads it
        for command in (["list"], ["list", "--json"], ["export", "--all"], ["export", "latest"]):
            assert run(command) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert "It 3" in outputs[0]


def test_with_a_current_index_list_and_export_all_do_not_load_pydantic(
    history: Store, tmp_path: Path
) -> None:
    settle = "import finops_tui.index as i; i.SETTLED_SECONDS = -1\n"
    for command in (["list"], ["export", "--all", "--format", "csv"]):
        env = {**os.environ, "FINOPS_TUI_CACHE_DIR": str(tmp_path / command[0])}
        code = (
            "import sys\n"
            + settle
            + "from finops_tui.cli import run\n"
            + f"run({command!r})\n"
            + "print('PYDANTIC' if 'pydantic' in sys.modules else 'NO-PYDANTIC')\n"
        )
        runs = [
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
            ).stdout
            for _ in range(2)
        ]
        assert runs[0].endswith("PYDANTIC\n") and not runs[0].endswith("NO-PYDANTIC\n")
        assert runs[1].endswith("NO-PYDANTIC\n")


def test_rows_from_the_index_are_the_rows_of_the_iterations(history: Store, cache: Path) -> None:
    from finops_tui.export.rows import history_rows

    iterations = history.load_all().iterations
    direct = list(history_rows(iterations))
    assert len(direct) == sum(len(it.scope) for it in iterations) * 5 > 0
    for _ in range(2):  # computed, then read back from the index
        assert read_history(history, cache, rows=True).rows_oldest_first() == direct


@pytest.mark.parametrize("title", ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_export_all_from_the_index_neutralises_formulas(
    store: Store, cache: Path, capsys: pytest.CaptureFixture[str], title: str
) -> None:
    import csv
    import io

    store.save(make_iteration(title=title))
    for _ in range(2):  # rows computed, then rows read back from the index
        assert run(["export", "--all", "--format", "csv"]) == 0
        table = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
        assert {row["title"] for row in table} == {"'" + title}
        assert {row["status"] for row in table} == {"active"}


def test_a_summary_round_trips_and_a_wrong_shape_is_refused() -> None:
    from finops_tui.index import IterationSummary

    summary = IterationSummary.of(make_iteration())
    assert IterationSummary.from_json(json.loads(json.dumps(summary.to_json()))) == summary
    for broken in ["oops", {}, summary.to_json() | {"number": "3"}, summary.to_json() | {"x": 1}]:
        with pytest.raises(ValueError):
            IterationSummary.from_json(broken)


# -- a cold index on a long history: the files are parsed in a pool of processes ----------------


@pytest.fixture
def spied(history: Store, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """A pool from the first file on; returns the files a pool read."""
    (history.iterations_dir / "broken.toml").write_text("x = [")
    os.mkfifo(history.iterations_dir / "pipe.toml")
    monkeypatch.setattr(index, "PARALLEL_FROM", 1)
    monkeypatch.setattr(index, "_workers", lambda: 2)
    read: list[Path] = []
    real = index._read_in_pool

    def spy(*args: object, **kwargs: object) -> object:
        for file, entries in real(*args, **kwargs):  # type: ignore[arg-type]
            read.append(file)
            yield file, entries

    monkeypatch.setattr(index, "_read_in_pool", spy)
    return read


@pytest.fixture
def pooled(spied: list[Path], monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """As `spied`, as if the command line ran it (no other thread, whatever the test runner
    keeps running)."""
    monkeypatch.setattr(index, "_alone", lambda: True)
    return spied


def read_alone(store: Store) -> index.History:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "PARALLEL_FROM", 10**9)
        return read_history(store, None, rows=True)


def test_a_pool_reads_what_one_process_reads(
    history: Store, cache: Path, pooled: list[Path]
) -> None:
    expected = read_alone(history)
    calls: list[tuple[int, int]] = []
    got = read_history(history, cache, rows=True, progress=lambda *c: calls.append(c))
    assert sorted(pooled) == history.files()
    assert got == expected and len(got.problems) == 2
    assert calls == [(n, 5) for n in range(1, 6)]
    pooled.clear()
    assert read_history(history, cache, rows=True) == expected  # from the index it wrote
    assert pooled == []


def test_with_other_threads_running_this_process_reads_alone(
    history: Store, cache: Path, spied: list[Path]
) -> None:
    """The app reads in a thread, where forking is unsafe (and its captured stderr stops a
    fork server): there the files are read in that thread."""
    expected = read_alone(history)
    results: list[index.History] = []
    thread = threading.Thread(target=lambda: results.append(read_history(history, None, rows=True)))
    thread.start()
    thread.join(timeout=60)
    assert results == [expected]
    assert spied == []


def test_a_pool_that_breaks_leaves_the_reading_to_this_process(
    history: Store, pooled: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    expected = read_alone(history)
    monkeypatch.setattr(index, "_read_chunk", die)
    monkeypatch.setattr(index, "_pool_context", lambda: multiprocessing.get_context("fork"))
    assert read_history(history, None, rows=True) == expected
    assert pooled == []

    def no_processes() -> object:
        raise OSError("no processes on this platform")

    monkeypatch.setattr(index, "_pool_context", no_processes)
    assert read_history(history, None, rows=True) == expected


def die(job: object) -> None:
    """A pool process that is killed (out of memory, a signal) while it reads."""
    os._exit(1)
