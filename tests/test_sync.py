"""`finops-tui sync` and the merge driver through the real git command line: a bare repository
and two clones in a temp dir, each clone a data dir, edited through the model and the store as
the app does."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from finops_tui.cli import run
from finops_tui.model import Iteration
from finops_tui.session import Session
from finops_tui.store import Store
from finops_tui.sync import status

from .conftest import NOW, PREVIOUS_ID, make_iteration

ID = "2026-11-28-k3f9"
T1, T2, T3 = (NOW + timedelta(hours=h) for h in (1, 2, 3))


@pytest.fixture(autouse=True)
def _git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git with an identity of its own and nobody's global settings."""
    config = tmp_path / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Person")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(where: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(where), *args], capture_output=True, text=True, check=check
    )


@dataclass
class Ran:
    code: int
    out: str
    err: str


def finops(*args: str) -> Ran:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(list(args))
    return Ran(code, out.getvalue(), err.getvalue())


@dataclass
class Clone:
    path: Path

    @property
    def store(self) -> Store:
        return Store(self.path)

    def load(self, iteration_id: str = ID) -> Iteration:
        return self.store.load(iteration_id)

    def edit(
        self, change: Callable[[Iteration], object], when: datetime, iteration_id: str = ID
    ) -> None:
        store = self.store
        iteration = store.load(iteration_id)
        change(iteration)
        iteration.touch(when)
        store.save(iteration)

    def sync(self, *args: str) -> Ran:
        return finops("--data-dir", str(self.path), "sync", *args)

    def file(self, iteration_id: str = ID) -> bytes:
        return self.store.path_of(iteration_id).read_bytes()

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return git(self.path, *args, check=check)


@contextlib.contextmanager
def opened(clone: Clone) -> Iterator[Session]:
    """A session on the clone's data with #3 open, as the app has it; stopped (and saved) after."""
    session = Session(clone.store, today=date(2026, 11, 28))
    try:
        session.history_read(session.read_history())
        session.open(ID)
        yield session
    finally:
        assert session.stop()


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    hub = tmp_path / "hub.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(hub))
    return hub


def clone(hub: Path, name: str) -> Clone:
    path = hub.parent / name
    git(hub.parent, "clone", "--quiet", str(hub), str(path))
    return Clone(path)


@pytest.fixture
def team(hub: Path) -> tuple[Clone, Clone]:
    """Clone a starts the shared history with iteration #3; clone b joins afterwards."""
    a = clone(hub, "a")
    a.store.save(make_iteration())
    assert a.sync().code == 0
    return a, clone(hub, "b")


def conflicts_in(data: bytes) -> list[dict[str, object]]:
    return tomllib.loads(data.decode("utf-8")).get("conflicts", [])


# -- merging through sync -----------------------------------------------------------------------


@pytest.mark.parametrize("first", ["a", "b"])
def test_unrelated_edits_of_one_iteration_merge_cleanly_both_ways(
    team: tuple[Clone, Clone], first: str
) -> None:
    a, b = team
    a.edit(lambda it: (it.retitle("Budgets and commitments"), it.add_person("Lena")), T1)
    b.edit(lambda it: (it.describe_team("Two teams"), it.add_action("g2", "Workshop")), T2)
    one, other = (a, b) if first == "a" else (b, a)

    assert one.sync().code == 0
    merged = other.sync()
    assert merged.code == 0, merged
    assert one.sync().code == 0

    assert a.file() == b.file()
    it = a.load()
    assert it.title == "Budgets and commitments" and it.stakeholders.notes == "Two teams"
    assert "Lena" in [p.name for p in it.stakeholders.people]
    assert it.goal("g2").actions[-1].title == "Workshop"
    assert it.updated == T2 and not it.conflicts
    assert merged.out.splitlines()[-1] == "In sync with origin/main."
    assert "received" in merged.out and "#3 “Budgets and commitments”" in merged.out


def test_the_same_field_changed_differently_is_recorded_and_resolved_in_the_app(
    team: tuple[Clone, Clone],
) -> None:
    a, b = team
    a.edit(lambda it: it.retitle("From A"), T1)
    b.edit(lambda it: it.retitle("From B"), T2)
    assert a.sync().code == 0

    ran = b.sync()
    assert ran.code == 1
    assert "conflict: #3 “From B”: title: here “From B”, theirs “From A”" in ran.out
    data = b.file()
    assert b"<<<<<<<" not in data
    assert [(c["path"], c["theirs"]) for c in conflicts_in(data)] == [("title", "From A")]
    assert finops("--data-dir", str(b.path), "doctor").code == 0
    assert not b.git("status", "--porcelain", "--untracked-files=no").stdout  # all committed
    assert a.sync().code == 1  # the conflict travelled with the file

    with opened(b) as session:
        session.edit("take their title", lambda it: it.resolve_conflict("title", "theirs"))
    assert b.sync().code == 0
    assert a.sync().code == 0
    assert a.load().title == b.load().title == "From A"
    assert not conflicts_in(a.file())


def test_deletes_against_edits(team: tuple[Clone, Clone]) -> None:
    a, b = team
    previous = make_iteration(id=PREVIOUS_ID, number=2, title="Budgets first")
    a.store.save(previous)
    assert a.sync().code == 0 and b.sync().code == 0

    # a removes Sam, whom b left alone, and an action that b edited; a deletes #2, b edits it
    a.edit(lambda it: (it.remove_person(1), it.remove_action("g1", 1)), T1)
    b.edit(lambda it: it.advance_action("g1", 1), T2)
    a.store.trash(PREVIOUS_ID)
    b.edit(lambda it: it.retitle("Budgets, first of all"), T2, PREVIOUS_ID)
    assert a.sync().code == 0
    ran = b.sync()
    assert ran.code == 1, ran

    # b is "ours" here: the action b edited stays, a's removal is recorded
    it = b.load()
    assert [p.name for p in it.stakeholders.people] == ["Ana Ruiz"]
    [conflict] = it.conflicts
    assert conflict.path == "scope[budget-management].goals[metrics].actions[g1-a2]"
    assert conflict.theirs is None
    assert [a.status.value for a in it.goal("g1").actions] == ["done", "doing"]
    kept = "deleted there but edited here: kept (delete it again if you meant to)"
    assert f"#2 “Budgets, first of all”: sent title; {kept}" in ran.out.splitlines()
    assert b.load(PREVIOUS_ID).title == "Budgets, first of all"
    ran = a.sync()
    assert ran.code == 1  # the conflict on #3 waits for someone
    back = "received it back (deleted here, edited there meanwhile)"
    assert f"#2 “Budgets, first of all”: {back}" in ran.out.splitlines()
    assert a.load(PREVIOUS_ID).title == "Budgets, first of all"
    assert a.file() == b.file()


def test_both_sides_create_number_4(team: tuple[Clone, Clone]) -> None:
    a, b = team
    later = Iteration.new(a.store.new_id(date(2026, 12, 26)), 4, date(2026, 12, 26), now=T2)
    earlier = Iteration.new(b.store.new_id(date(2026, 12, 27)), 4, date(2026, 12, 27), now=T1)
    a.store.save(later)
    b.store.save(earlier)
    assert a.sync().code == 0
    ran = b.sync()
    assert ran.code == 0, ran
    assert ran.out.splitlines() == [
        "#4 (untitled): sent a new iteration",
        f"#5 (untitled): received a new iteration; renumbered #4 → #5 (#4 is {earlier.id}, "
        "created earlier)",
        "In sync with origin/main.",
    ]
    assert a.sync().code == 0
    for clone_ in (a, b):
        listed = json.loads(finops("--data-dir", str(clone_.path), "list", "--json").out)
        numbers = {i["id"]: i["number"] for i in listed["iterations"]}
        assert numbers == {ID: 3, earlier.id: 4, later.id: 5}
    assert a.file(later.id) == b.file(later.id)


def test_a_clone_with_uncommitted_files_that_are_not_iterations(team: tuple[Clone, Clone]) -> None:
    a, b = team
    (a.path / "README.md").write_text("Our FinOps iterations\n")
    a.git("add", "README.md")
    a.git("commit", "--quiet", "-m", "Say what this is")
    assert a.sync().code == 0  # pushes the commit made by hand too
    assert b.sync().code == 0

    (b.path / "README.md").write_text("Our FinOps iterations, by team\n")
    (b.path / "scratch.txt").write_text("not for the repository\n")
    b.edit(lambda it: it.retitle("From B"), T1)
    assert b.sync().code == 0
    assert a.sync().code == 0 and a.load().title == "From B"
    assert b.git("status", "--porcelain").stdout.splitlines() == [" M README.md", "?? scratch.txt"]

    # a changes the README too: b's uncommitted change would be overwritten, so nothing is
    (a.path / "README.md").write_text("Our FinOps iterations (team A)\n")
    a.git("commit", "--quiet", "-am", "Rename the team")
    assert a.sync().code == 0
    b.edit(lambda it: it.describe_team("Kept"), T2)
    ran = b.sync()
    assert ran.code == 1 and len(ran.err.splitlines()) == 1
    assert "README.md" in ran.err and "finops-tui: error: cannot merge origin/main" in ran.err
    assert (b.path / "README.md").read_text() == "Our FinOps iterations, by team\n"
    assert b.load().stakeholders.notes == "Kept"
    assert not b.git("rev-parse", "--verify", "--quiet", "MERGE_HEAD", check=False).stdout


def test_files_changed_on_both_sides_that_are_not_iterations_undo_the_merge(
    team: tuple[Clone, Clone],
) -> None:
    a, b = team
    for clone_, text in ((a, "A\n"), (b, "B\n")):
        (clone_.path / "notes.md").write_text(text)
        clone_.git("add", "notes.md")
        clone_.git("commit", "--quiet", "-m", "notes")
    assert a.sync().code == 0
    ran = b.sync()
    assert ran.code == 1
    assert "notes.md changed on both sides (not an iteration file)" in ran.err
    assert "the merge was undone" in ran.err
    assert (b.path / "notes.md").read_text() == "B\n"
    assert b.git("status", "--porcelain").stdout == ""


def test_git_itself_merges_with_the_driver_and_reports_the_conflict(
    team: tuple[Clone, Clone],
) -> None:
    a, b = team
    assert b.sync().code == 0  # registers the driver in b's .git/config
    a.edit(lambda it: it.retitle("From A"), T1)
    b.edit(lambda it: (it.retitle("From B"), it.describe_team("B's notes")), T2)
    assert a.sync().code == 0
    b.git("commit", "--quiet", "-am", "by hand")
    pulled = b.git("pull", "--no-rebase", "--no-edit", check=False)
    assert pulled.returncode != 0 and "CONFLICT" in pulled.stdout + pulled.stderr
    data = b.file()
    assert b"<<<<<<<" not in data and conflicts_in(data)[0]["theirs"] == "From A"
    assert b.load().stakeholders.notes == "B's notes"
    assert finops("--data-dir", str(b.path), "doctor").code == 0
    ran = b.sync()
    assert ran.code == 1 and "a merge is under way" in ran.err


# -- the merge driver on its own ----------------------------------------------------------------


def test_the_merge_driver_keeps_ours_when_a_side_is_not_an_iteration(tmp_path: Path) -> None:
    base, ours, theirs = (tmp_path / name for name in ("base", "ours", "theirs"))
    good = Store(tmp_path).render(make_iteration())
    base.write_bytes(good)
    ours.write_bytes(good.replace(b"Commitments and budgets", b"Ours"))
    theirs.write_bytes(b"<<<<<<< HEAD\ntitle = 1\n")
    before = ours.read_bytes()
    ran = finops("merge-driver", str(base), str(ours), str(theirs), f"iterations/{ID}.toml")
    assert ran.code == 1 and ours.read_bytes() == before
    assert ran.err.startswith(f"finops-tui merge-driver: iterations/{ID}.toml: cannot merge: ")
    assert len(ran.err.splitlines()) == 1 and "theirs: TOML syntax error" in ran.err


def test_the_merge_driver_merges_into_ours(tmp_path: Path) -> None:
    store = Store(tmp_path)
    base = make_iteration()
    ours, theirs = base.model_copy(deep=True), base.model_copy(deep=True)
    ours.retitle("Ours")
    theirs.describe_team("Theirs")
    paths = []
    for name, iteration in (("base", base), ("ours", ours), ("theirs", theirs)):
        paths.append(tmp_path / name)
        paths[-1].write_bytes(store.render(iteration))
    assert finops("merge-driver", *map(str, paths), "x.toml").code == 0
    merged = tomllib.loads(paths[1].read_text())
    assert (merged["title"], merged["stakeholders"]["notes"]) == ("Ours", "Theirs")


# -- when sync cannot run -----------------------------------------------------------------------


def test_no_upstream_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store(data).save(make_iteration())
    git(tmp_path, "init", "--quiet", str(data))
    ran = finops("--data-dir", str(data), "sync")
    assert ran.code == 1 and ran.out == ""
    assert ran.err.startswith("finops-tui: error: branch ") and len(ran.err.splitlines()) == 1
    assert "has no upstream" in ran.err and "git push -u origin" in ran.err
    assert git(data, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode != 0
    assert not (data / "iterations" / ".gitattributes").exists()


def test_a_data_dir_that_is_not_a_git_work_tree_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store(data).save(make_iteration())
    ran = finops("--data-dir", str(data), "sync")
    assert ran.code == 1 and len(ran.err.splitlines()) == 1
    assert "is not in a git work tree" in ran.err and "git init" in ran.err
    assert status(data).problem is not None


def test_without_git_sync_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    Store(data).save(make_iteration())
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    ran = finops("--data-dir", str(data), "sync")
    assert ran.code == 1 and ran.err == (
        "finops-tui: error: git is not installed (no `git` on PATH); sync needs it\n"
    )


def test_an_iterations_folder_that_is_its_own_repository(hub: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    git(data, "clone", "--quiet", str(hub), "iterations")
    Store(data).save(make_iteration())
    ran = finops("--data-dir", str(data), "sync")
    assert ran.code == 0, ran
    listed = git(hub, "ls-tree", "--name-only", "main").stdout.split()
    assert listed == [".gitattributes", f"{ID}.toml"]


# -- what sync says -----------------------------------------------------------------------------


def test_the_commit_says_what_changed(team: tuple[Clone, Clone]) -> None:
    a, _ = team
    a.edit(lambda it: (it.retitle("New"), it.describe_team("Notes")), T1)
    a.store.save(Iteration.new(a.store.new_id(date(2026, 12, 26)), 4, date(2026, 12, 26)))
    ran = a.sync()
    assert ran.code == 0
    assert a.git("log", "-1", "--format=%s").stdout.strip() == "#3: title, notes; #4 created"
    a.edit(lambda it: it.set_retrospective("improve", "More"), T2)
    assert a.sync("--message", "Weekly check-in").code == 0
    assert a.git("log", "-1", "--format=%B").stdout.strip() == "Weekly check-in\n\n#3: review"


def test_status_says_how_far_from_the_upstream(team: tuple[Clone, Clone]) -> None:
    a, b = team
    assert b.sync().code == 0
    synced = status(a.path)
    assert (synced.problem, synced.upstream, synced.ahead, synced.behind) == (
        None,
        "origin/main",
        0,
        0,
    )
    assert synced.local_changes == 0 and synced.last_sync is not None
    a.edit(lambda it: it.retitle("Changed"), T1)
    assert status(a.path).local_changes == 1
    b.edit(lambda it: it.describe_team("From B"), T1)
    assert b.sync().code == 0
    assert status(a.path).behind == 0  # not fetched yet
    fetched = status(a.path, fetch=True)
    assert fetched.behind == 1
    assert str(fetched).startswith("origin/main: 1 changed here, 1 to receive; last sync ")


def test_sync_does_not_import_textual(team: tuple[Clone, Clone]) -> None:
    a, _ = team
    a.edit(lambda it: it.retitle("Changed"), T3)
    file = str(a.store.path_of(ID))
    code = (
        "import sys\n"
        "from finops_tui.cli import run\n"
        f"assert run(['--data-dir', {str(a.path)!r}, 'sync']) == 0\n"
        f"assert run(['merge-driver', {file!r}, {file!r}, {file!r}, 'x.toml']) == 0\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ
    )
    assert done.returncode == 0, done.stderr


def test_last_sync_is_recorded(team: tuple[Clone, Clone]) -> None:
    a, _ = team
    last = status(a.path).last_sync
    assert last is not None and datetime.now(UTC) - last < timedelta(minutes=5)


def test_the_app_path_sync_in_a_thread_then_read_the_changed_files_again(
    team: tuple[Clone, Clone],
) -> None:
    """What the app's Sync command does: flush, sync (no prompts), tell the session."""
    import threading

    from finops_tui.sync import SyncResult, sync

    a, b = team
    b.store.save(make_iteration(id=PREVIOUS_ID, number=2, title="Budgets first"))
    assert b.sync().code == 0 and a.sync().code == 0
    a.edit(lambda it: it.retitle("From A"), T1)
    a.store.trash(PREVIOUS_ID)
    assert a.sync().code == 0

    with opened(b) as session:
        session.edit("notes", lambda it: it.describe_team("From B"))
        assert session.flush()
        results: list[SyncResult] = []
        worker = threading.Thread(target=lambda: results.append(sync(b.path, interactive=False)))
        worker.start()
        worker.join(timeout=60)
        [result] = results
        assert result.in_sync and result.changed_on_disk == {ID, PREVIOUS_ID}
        session.files_changed(result.changed_on_disk)
        assert session.iteration is not None
        assert (session.iteration.title, session.iteration.stakeholders.notes) == (
            "From A",
            "From B",
        )
        session.edit("title", lambda it: it.retitle("Both"))
        assert session.flush() and session.conflict is None
    assert b.load().title == "Both"
    assert not b.store.path_of(PREVIOUS_ID).exists()


def test_an_open_iteration_deleted_by_a_sync_is_left(team: tuple[Clone, Clone]) -> None:
    a, b = team
    a.store.trash(ID)
    assert a.sync().code == 0
    with opened(b) as session:
        ran = b.sync()
        assert ran.code == 0 and "#3 “Commitments and budgets”: received its deletion" in ran.out
        session.files_changed({ID})
        assert session.iteration is None and session.history.summary(ID) is None


# -- in the app ---------------------------------------------------------------------------------


async def test_the_app_syncs_shows_the_conflict_and_resolving_it_clears_it(
    team: tuple[Clone, Clone],
) -> None:
    from textual.widgets import Input

    from finops_tui.screens.dialogs import PickDialog
    from finops_tui.steps import Step

    from .ui import make_app, on_step, open_step, shown, wait_until

    a, b = team
    assert b.sync().code == 0
    a.edit(lambda it: it.retitle("Title from A"), T1)
    assert a.sync().code == 0
    b.edit(lambda it: it.retitle("Title from B"), T2)  # the same field, changed differently
    app = make_app(b.store)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_step(pilot, Step.STAKEHOLDERS)
        [sync] = [c for c in app.get_system_commands(app.screen) if c.title == "Sync"]
        sync.callback()
        banner = app.screen.query_one("#conflicts-banner")
        await wait_until(pilot, lambda: banner.display, 30)
        assert "1 field changed on both sides" in str(banner.render())
        await wait_until(
            pilot, lambda: any("conflict" in (n.title or "").lower() for n in app._notifications)
        )
        await pilot.press("f6")
        await wait_until(pilot, lambda: shown(app, PickDialog))
        assert "Title from A" in str(
            app.screen.query_one("OptionList").get_option_at_index(1).prompt
        )
        await pilot.press("down", "enter")  # take theirs
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS) and not banner.display)
        assert app.screen.query_one("#title", Input).value == "Title from A"
        await pilot.press("ctrl+q")
    assert conflicts_in(b.file()) == []
    assert b.load().title == "Title from A"
