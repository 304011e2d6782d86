"""The store: files are saved atomically, deterministically, privately, and never over others."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import signal
import stat
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finops_tui import store as store_module
from finops_tui.model import Group, Iteration, Person
from finops_tui.store import (
    ConflictError,
    InvalidIdError,
    LoadError,
    ProblemKind,
    Store,
    StoreError,
)

from .conftest import make_iteration


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_file(store: Store, name: str, content: str | bytes) -> Path:
    store.iterations_dir.mkdir(parents=True, exist_ok=True)
    path = store.iterations_dir / name
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def test_save_then_load_gives_the_same_iteration(store: Store, iteration: Iteration) -> None:
    assert store.save(iteration) is True
    assert Store(store.data_dir).load(iteration.id) == iteration
    loaded = Store(store.data_dir).load_all()
    assert loaded.iterations == [iteration] and loaded.problems == []
    assert loaded.next_number == iteration.number + 1


def test_saved_file_matches_the_documented_shape(store: Store, iteration: Iteration) -> None:
    store.save(iteration)
    text = store.path_of(iteration.id).read_text()
    assert text.startswith('schema_version = 1\nid = "2026-11-28-k3f9"\nnumber = 3\n')
    assert "created = 2026-11-28T14:50:00Z\n" in text
    assert "\n[stakeholders]\nbusiness = true\ntechnology = true\nfinance = false\n" in text
    assert "\n[[stakeholders.people]]\n" in text
    assert '\n[[scope]]\ncapability = "budget-management"\n' in text
    assert "\n[levels.budget-management]\nknowledge = 2\nprocess = 1\n" in text
    assert "\n[[goals.actions]]\n" in text and text.endswith("\n")
    assert text.index("[[scope]]") < text.index("[levels.") < text.index("[[goals]]")
    assert text.index("[[goals]]") < text.index("[review]")


def test_saving_is_deterministic(store: Store, iteration: Iteration) -> None:
    store.save(iteration)
    path = store.path_of(iteration.id)
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    assert store.save(iteration) is False
    assert store.save(Store(store.data_dir).load(iteration.id)) is False
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
    assert store.render(iteration) == store.render(iteration.validated()) == before


def test_files_and_dirs_are_private_whatever_the_umask(store: Store, iteration: Iteration) -> None:
    old = os.umask(0)
    try:
        store.save(iteration)
        iteration.title = "changed"
        store.save(iteration)
        store.trash(iteration.id)
    finally:
        os.umask(old)
    for directory in (store.data_dir, store.iterations_dir, store.trash_dir):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for path in store.trash_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_refuses_to_overwrite_a_file_changed_by_someone_else(
    store: Store, iteration: Iteration
) -> None:
    store.save(iteration)
    other = Store(store.data_dir)
    theirs = other.load(iteration.id)
    theirs.title = "their edit"
    other.save(theirs)
    iteration.title = "my edit"
    with pytest.raises(ConflictError, match="changed by someone else"):
        store.save(iteration)
    assert Store(store.data_dir).load(iteration.id).title == "their edit"
    assert iteration.title == "my edit"
    # Reloading takes their version as the new base; saving over it is then allowed.
    store.load(iteration.id)
    assert store.save(iteration) is True


def test_refuses_to_create_over_an_existing_file(store: Store, iteration: Iteration) -> None:
    Store(store.data_dir).save(iteration)
    with pytest.raises(ConflictError, match="already exists"):
        store.save(make_iteration(title="a new one with the same id"))


def test_refuses_to_recreate_a_file_deleted_since_it_was_read(
    store: Store, iteration: Iteration
) -> None:
    store.save(iteration)
    Store(store.data_dir).trash(iteration.id)
    with pytest.raises(ConflictError, match="deleted or moved"):
        store.save(iteration)


def test_an_invalid_iteration_is_never_written(store: Store, iteration: Iteration) -> None:
    iteration.goals[0].from_level = 4
    with pytest.raises(StoreError, match="breaks a rule"):
        store.save(iteration)
    assert not store.path_of(iteration.id).exists()


BAD_FILES: list[tuple[str, bytes, ProblemKind, str]] = [
    ("syntax", b'schema_version = 1\nid = "x\n', ProblemKind.SYNTAX, "line 2"),
    ("empty", b"", ProblemKind.INVALID, "is empty"),
    ("binary", bytes(range(256)) * 4, ProblemKind.UNREADABLE, "not UTF-8"),
    ("newer", b"schema_version = 99\nid = 'newer'\n", ProblemKind.NEWER_SCHEMA, "newer"),
]


@pytest.mark.parametrize(("name", "content", "kind", "expected"), BAD_FILES)
def test_bad_files_are_reported_untouched_and_do_not_hide_the_rest(
    store: Store, iteration: Iteration, name: str, content: bytes, kind: ProblemKind, expected: str
) -> None:
    store.save(iteration)
    path = write_file(store, f"{name}.toml", content)
    before = digest(path)
    loaded = Store(store.data_dir).load_all()
    assert loaded.iterations == [iteration]
    [problem] = loaded.problems
    assert problem.path == path and problem.kind is kind and expected in str(problem)
    assert digest(path) == before


def test_syntax_errors_carry_line_and_column(store: Store) -> None:
    write_file(store, "broken.toml", 'schema_version = 1\n\ntitle = "unterminated\n')
    [problem] = store.load_all().problems
    assert (problem.line, problem.column) == (3, 22)
    assert str(problem).startswith(f"{problem.path}:3: TOML syntax error")


def test_invalid_data_names_the_field(store: Store, iteration: Iteration) -> None:
    text = store.render(iteration).decode().replace("metrics = 1", "metrics = 7", 1)
    path = write_file(store, f"{iteration.id}.toml", text)
    with pytest.raises(LoadError) as info:
        store.load(iteration.id)
    problem = info.value.problem
    assert problem.kind is ProblemKind.INVALID
    assert "levels.budget-management.metrics" in problem.message
    assert path.read_text() == text


def test_a_goal_outside_the_scope_is_reported(store: Store, iteration: Iteration) -> None:
    text = store.render(iteration).decode()
    text = text.replace(
        'capability = "commitment-based-discounts"\nlens', 'capability = "forecasting"\nlens'
    )
    write_file(store, f"{iteration.id}.toml", text)
    [problem] = store.load_all().problems
    assert "capability 'forecasting' is not in scope" in problem.message


def test_newer_schema_file_is_never_overwritten(store: Store, iteration: Iteration) -> None:
    path = write_file(store, f"{iteration.id}.toml", "schema_version = 2\nfuture = true\n")
    before = digest(path)
    assert [p.kind for p in store.load_all().problems] == [ProblemKind.NEWER_SCHEMA]
    with pytest.raises(ConflictError):
        store.save(iteration)
    assert digest(path) == before


def test_file_name_must_match_the_id(store: Store, iteration: Iteration) -> None:
    write_file(store, "copy-of-it.toml", store.render(iteration))
    [problem] = store.load_all().problems
    assert "does not match the file name" in problem.message


def test_hidden_and_foreign_files_are_ignored(store: Store, iteration: Iteration) -> None:
    store.save(iteration)
    write_file(store, f".{iteration.id}.toml.1234abcd.tmp", b"half a sa")
    write_file(store, ".hidden.toml", b"junk")
    write_file(store, "notes.txt", b"junk")
    assert [p.name for p in store.files()] == [f"{iteration.id}.toml"]


def test_links_outside_the_data_dir_are_not_followed(
    store: Store, iteration: Iteration, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.toml"
    outside.write_bytes(store.render(iteration))
    store.iterations_dir.mkdir(parents=True)
    (store.iterations_dir / f"{iteration.id}.toml").symlink_to(outside)
    [problem] = store.load_all().problems
    assert "outside the data dir" in problem.message


def test_huge_files_are_not_read(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "MAX_FILE_BYTES", 1024)
    write_file(store, "huge.toml", b"# " + b"x" * 4096)
    [problem] = store.load_all().problems
    assert problem.kind is ProblemKind.UNREADABLE and "limit" in problem.message


@pytest.mark.parametrize("bad_id", ["../escape", "a/b", "..", "", "x\x00y", "UPPER", "-lead"])
def test_ids_are_checked_before_any_path_is_built(store: Store, bad_id: str) -> None:
    for call in (store.path_of, store.load, store.trash):
        with pytest.raises(InvalidIdError, match="not valid"):
            call(bad_id)
    assert not store.data_dir.exists()


def test_data_dir_that_is_a_file(tmp_path: Path, iteration: Iteration) -> None:
    path = tmp_path / "data"
    path.write_text("I am a file")
    with pytest.raises(StoreError, match="is a file"):
        Store(path).load_all()
    with pytest.raises(StoreError, match="is a file"):
        Store(path).save(iteration)
    assert path.read_text() == "I am a file"


@pytest.mark.parametrize(
    ("error", "message"),
    [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "read-only"), (errno.EACCES, "permission")],
)
def test_disk_errors_leave_the_old_file_and_no_temp(
    store: Store, iteration: Iteration, monkeypatch: pytest.MonkeyPatch, error: int, message: str
) -> None:
    store.save(iteration)
    path = store.path_of(iteration.id)
    before = path.read_bytes()

    def failing_fsync(fd: int) -> None:
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(store_module.os, "fsync", failing_fsync)
    iteration.title = "not saved"
    with pytest.raises(StoreError, match=message):
        store.save(iteration)
    assert path.read_bytes() == before
    assert sorted(p.name for p in store.iterations_dir.iterdir()) == [path.name]


def test_trash_moves_never_deletes(store: Store, iteration: Iteration) -> None:
    store.save(iteration)
    saved = store.path_of(iteration.id).read_bytes()
    first = store.trash(iteration.id)
    assert first == store.trash_dir / f"{iteration.id}.toml" and first.read_bytes() == saved
    assert store.load_all().iterations == []
    store.save(make_iteration(title="same id again"))
    second = store.trash(iteration.id)
    assert second != first and first.read_bytes() == saved
    assert len(list(store.trash_dir.iterdir())) == 2


def test_new_ids_follow_the_format_and_are_free(store: Store, iteration: Iteration) -> None:
    ids = {store.new_id(date(2026, 11, 28)) for _ in range(50)}
    assert all(store_module.Store(store.data_dir).path_of(i) for i in ids)
    assert all(i.startswith("2026-11-28-") and len(i) == 15 for i in ids)
    assert len(ids) == 50


def test_a_killed_save_leaves_the_old_or_the_new_file(store: Store, iteration: Iteration) -> None:
    """SIGKILL a process that saves in a loop: the file is always one whole version."""
    store.save(iteration)
    path = store.path_of(iteration.id)
    versions = {path.read_bytes()}
    for title in ("version A " * 50, "version B " * 500):
        iteration.title = title
        versions.add(store.render(iteration))
    rng = random.Random(1)
    kills = 0
    while kills < 40:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child only saves until it is killed
            child = Store(store.data_dir)
            mine = child.load(iteration.id)
            titles = ("version A " * 50, "version B " * 500)
            n = 0
            while True:
                mine.title = titles[n % 2]
                child.save(mine)
                n += 1
        # Not synchronisation: a random moment at which to kill the child mid-save.
        time.sleep(rng.uniform(0.002, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        kills += 1
        assert path.read_bytes() in versions
        assert store.files() == [path]
    loaded = Store(store.data_dir).load_all()
    assert len(loaded.iterations) == 1 and loaded.problems == []


_typed_text = st.sampled_from(
    ['"""', "[bold]x[/]", "[/]", "a\r\nb", "\\", "🧭 مرحبا e\u0301", "\x00\x1b[2J", "\n"]
) | st.text(max_size=200)
_name = _typed_text.filter(str.strip)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=_typed_text,
    notes=_typed_text,
    name=_name,
    role=_typed_text,
    note=_typed_text,
    statement=_typed_text,
    action=_typed_text,
    improve=_typed_text,
)
def test_any_typed_text_round_trips_byte_exact(**texts: str) -> None:
    iteration = make_iteration()
    iteration.title = texts["title"]
    iteration.stakeholders.notes = texts["notes"]
    iteration.stakeholders.people.append(
        Person(name=texts["name"], role=texts["role"], group=Group.BUSINESS)
    )
    iteration.scope[0].note = texts["note"]
    iteration.goals[0].statement = texts["statement"]
    iteration.goals[0].evidence = texts["statement"]
    iteration.goals[0].actions[0].title = texts["action"]
    iteration.review.improve = texts["improve"]
    with tempfile.TemporaryDirectory() as tmp:
        first = Store(Path(tmp))
        first.save(iteration)
        again = Store(Path(tmp)).load(iteration.id)
        assert again == iteration
        assert again.title == texts["title"] and again.review.improve == texts["improve"]
        assert first.render(again) == first.path_of(iteration.id).read_bytes()
        assert first.save(again) is False


def test_reading_the_history_reports_progress_file_by_file(store: Store) -> None:
    from finops_tui.index import read_history

    for number in range(1, 4):
        store.save(make_iteration(f"2026-01-0{number}-aaaa", number=number))
    (store.iterations_dir / "broken.toml").write_text("x = [")
    calls: list[tuple[int, int]] = []
    loaded = read_history(store, None, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert len(loaded.summaries) == 3 and len(loaded.problems) == 1


def test_doctor_names_the_line_of_invalid_data_found_by_scanning_the_file(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    from finops_tui.cli import run

    store.save(make_iteration())
    path = store.path_of("2026-11-28-k3f9")
    lines = path.read_text().splitlines()
    # The second goal's to_level, made no higher than its from_level.
    second = [i for i, line in enumerate(lines) if line == "[[goals]]"][1]
    at = next(i for i in range(second, len(lines)) if lines[i].startswith("to_level"))
    lines[at] = "to_level = 1"
    path.write_text("\n".join(lines) + "\n")
    assert run(["--data-dir", str(store.data_dir), "doctor"]) == 1
    out = capsys.readouterr().out
    assert f"{path}:{second + 1}: goals[1]: to_level (1) must be above" in out
    lines[at] = 'to_level = "two"'
    path.write_text("\n".join(lines) + "\n")
    run(["--data-dir", str(store.data_dir), "doctor"])
    assert f"{path}:{at + 1}: goals[1].to_level:" in capsys.readouterr().out
