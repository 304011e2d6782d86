"""A team on one history: sync a data dir with its git upstream, merging iterations field by field.

`sync` commits the local changes to iteration files (with a message saying what changed),
merges the upstream with finops-tui's merge driver (`finops_tui.merge`: field by field, never
conflict markers), gives a fresh number to an iteration whose number the other side took too,
and pushes. `status` says how far the data dir is from its upstream without touching the
network. `merge_driver` is what git runs for `iterations/*.toml`.

Runs the `git` command line, the team's existing engine: no network code of our own, and the
user's remotes, credentials and hooks apply. No Textual: the app calls `sync` and `status` from
a worker thread.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from finops_tui.store import (
    ITERATIONS,
    SUFFIX,
    TRASH,
    Store,
    StoreError,
    make_private_dir,
    write_atomic,
)

DRIVER = "finops-tui"
ATTRIBUTES = ".gitattributes"
ATTRIBUTE_LINE = f"*{SUFFIX} merge={DRIVER}"
LAST_SYNC = "finops-tui.lastsync"
EXCLUDED = (".lock", ".*.tmp")
"""What the store leaves in the data dir that is not data (kept out of `git status`)."""
WHOLE = {
    "created": "a new iteration",
    "deleted": "its deletion",
    "restored": "it back (deleted here, edited there meanwhile)",
}
PUSH_ATTEMPTS = 3
"""How often sync pulls again when someone pushed between its pull and its push."""

Progress = Callable[[str], None]


class SyncError(Exception):
    """Sync cannot run or could not finish; the message is one line saying why and what to do."""


# -- results ------------------------------------------------------------------------------------


@dataclass
class IterationSync:
    """What one sync did to one iteration."""

    iteration_id: str
    number: int
    title: str
    sent: list[str] = field(default_factory=list)
    """What the local commit carried: topics (`title`, `goals`, …), `created` or `deleted`."""
    received: list[str] = field(default_factory=list)
    """What came from the upstream, in the same words."""
    notes: list[str] = field(default_factory=list)
    """Anything else: a new number, a deleted iteration kept because the other side edited it."""

    def __str__(self) -> str:
        parts = []
        for verb, topics in (("sent", self.sent), ("received", self.received)):
            if topics:
                parts.append(f"{verb} " + ", ".join(WHOLE.get(t, t) for t in topics))
        parts += self.notes
        return f"#{self.number} {_shown_title(self.title)}: {'; '.join(parts)}"


@dataclass(frozen=True)
class UnresolvedConflict:
    """A `[[conflicts]]` entry in an iteration file, named for people."""

    iteration_id: str
    number: int
    title: str
    path: str
    label: str
    ours: str
    theirs: str

    def __str__(self) -> str:
        return (
            f"conflict: #{self.number} {_shown_title(self.title)}: {self.label}: "
            f"here {self.ours}, theirs {self.theirs}"
        )


@dataclass
class SyncResult:
    """What `sync` did."""

    upstream: str
    iterations: list[IterationSync] = field(default_factory=list)
    conflicts: list[UnresolvedConflict] = field(default_factory=list)
    committed: str | None = None
    """The message of the commit made of the local changes, if there were any."""
    pushed: bool = False

    @property
    def in_sync(self) -> bool:
        """Pushed and pulled, with no conflict waiting anywhere in the data dir."""
        return not self.conflicts

    @property
    def changed_on_disk(self) -> set[str]:
        """Ids of the iterations whose files this sync changed (to read again)."""
        return {i.iteration_id for i in self.iterations if i.received or i.notes}

    def summary(self) -> str:
        if not self.conflicts:
            return f"In sync with {self.upstream}."
        count = len(self.conflicts)
        return (
            f"Synced with {self.upstream}; {count} conflict{'s' if count > 1 else ''} to "
            "resolve: open the iteration in finops-tui, or edit its [[conflicts]] table."
        )


@dataclass(frozen=True)
class SyncStatus:
    """How far a data dir is from its upstream, as of the last fetch (no network)."""

    problem: str | None = None
    """Why sync cannot run here (not a git work tree, no upstream, no git); None if it can."""
    upstream: str | None = None
    ahead: int = 0
    """Commits here that the upstream does not have."""
    behind: int = 0
    """Commits of the upstream (as last fetched) not merged here."""
    local_changes: int = 0
    """Iteration files changed since the last commit."""
    last_sync: datetime | None = None

    def __str__(self) -> str:
        if self.problem:
            return self.problem
        parts = []
        if self.local_changes:
            parts.append(f"{self.local_changes} changed here")
        if self.ahead:
            parts.append(f"{self.ahead} to send")
        if self.behind:
            parts.append(f"{self.behind} to receive")
        when = "never" if self.last_sync is None else self.last_sync.strftime("%Y-%m-%d %H:%M UTC")
        state = ", ".join(parts) or "nothing to send"
        return f"{self.upstream}: {state}; last sync {when}"


def _shown_title(title: str) -> str:
    from finops_tui.merge import show_value

    return show_value(title) if title else "(untitled)"


# -- git ----------------------------------------------------------------------------------------


@dataclass
class _Run:
    code: int
    out: bytes
    err: bytes

    @property
    def text(self) -> str:
        return self.out.decode("utf-8", "replace").strip()

    @property
    def message(self) -> str:
        """git's complaint as one line."""
        lines = (self.err or self.out).decode("utf-8", "replace").splitlines()
        text = ""
        for line in lines:
            line = line.strip()
            if line.startswith(("hint:", "Aborting")) or not line:
                continue
            for prefix in ("error: ", "fatal: ", "remote: "):
                line = line.removeprefix(prefix)
            text += (" " if text.endswith(":") else "; " if text else "") + line.rstrip(".")
        return text or f"git exited with {self.code}"


class _Git:
    def __init__(self, where: Path, *, interactive: bool) -> None:
        exe = shutil.which("git")
        if exe is None:
            raise SyncError("git is not installed (no `git` on PATH); sync needs it")
        self.exe = exe
        self.where = where
        self.env = dict(os.environ, GIT_MERGE_AUTOEDIT="no", GIT_LITERAL_PATHSPECS="1")
        if not interactive:
            # Nobody can answer a prompt (the app owns the terminal): fail instead of waiting.
            self.env["GIT_TERMINAL_PROMPT"] = "0"
            self.env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
        self.interactive = interactive

    def run(self, *args: str, check: bool = True) -> _Run:
        done = subprocess.run(
            [self.exe, "-C", str(self.where), *args],
            capture_output=True,
            env=self.env,
            stdin=None if self.interactive else subprocess.DEVNULL,
        )
        result = _Run(done.returncode, done.stdout, done.stderr)
        if check and result.code != 0:
            raise SyncError(f"git {args[0]} failed: {result.message}")
        return result

    def ok(self, *args: str) -> bool:
        return self.run(*args, check=False).code == 0

    def text(self, *args: str) -> str | None:
        """git's output, or None when it fails."""
        result = self.run(*args, check=False)
        return result.text if result.code == 0 else None

    def blob(self, spec: str) -> bytes | None:
        result = self.run("cat-file", "blob", spec, check=False)
        return result.out if result.code == 0 else None


class _Repo:
    """The git work tree holding a data dir's iterations, its branch and upstream."""

    def __init__(self, data_dir: Path, *, interactive: bool = True) -> None:
        self.data_dir = Path(data_dir)
        if not self.data_dir.is_dir():
            raise SyncError(f"{self.data_dir}: no such data dir")
        iterations = self.data_dir / ITERATIONS
        probe = iterations if iterations.is_dir() else self.data_dir
        self.git = _Git(probe, interactive=interactive)
        top = self.git.text("rev-parse", "--show-toplevel")
        if not top:
            raise SyncError(
                f"{self.data_dir} is not in a git work tree: `git init` it, or clone your "
                "team's repository there (README: Working as a team)"
            )
        self.top = Path(top)
        self.git.where = self.top
        self.iterations = self._inside(iterations)
        if self.iterations is None:  # pragma: no cover - probe was inside the work tree
            raise SyncError(f"{iterations} is not inside the git work tree {self.top}")
        self.trash = self._inside(self.data_dir / TRASH)
        branch = self.git.text("symbolic-ref", "--quiet", "--short", "HEAD")
        if not branch:
            raise SyncError(f"{self.top}: HEAD is not on a branch; check out your branch first")
        self.branch = branch
        remote = self.git.text("config", "--get", f"branch.{branch}.remote")
        merge = self.git.text("config", "--get", f"branch.{branch}.merge")
        if not remote or not merge:
            raise SyncError(
                f"branch {branch} in {self.top} has no upstream to sync with: "
                f"`git push -u origin {branch}` once (or `git branch -u origin/{branch}`)"
            )
        self.remote, self.merge_ref = remote, merge
        self.upstream = f"{remote}/{merge.removeprefix('refs/heads/')}"

    def _inside(self, path: Path) -> str | None:
        """`path` relative to the work tree (posix), or None when it is outside it."""
        real = path.resolve()
        try:
            relative = real.relative_to(self.top.resolve())
        except ValueError:
            return None
        return relative.as_posix() if relative.parts else "."

    # -- paths ----------------------------------------------------------------------------------

    def is_iteration(self, path: str) -> bool:
        return self._in(path, self.iterations)

    def is_trash(self, path: str) -> bool:
        return self.trash is not None and self._in(path, self.trash)

    @staticmethod
    def _in(path: str, directory: str | None) -> bool:
        if directory is None:
            return False
        parent, _, name = path.rpartition("/")
        return (parent or ".") == directory and name.endswith(SUFFIX) and not name.startswith(".")

    def rel(self, directory: str, name: str) -> str:
        return name if directory == "." else f"{directory}/{name}"

    @property
    def attributes(self) -> str:
        return self.rel(self.iterations or ".", ATTRIBUTES)

    def tracked_dirs(self) -> list[str]:
        return [d for d in (self.iterations, self.trash) if d is not None]

    # -- state ----------------------------------------------------------------------------------

    def head(self) -> str | None:
        return self.git.text("rev-parse", "--verify", "--quiet", "HEAD")

    def upstream_commit(self) -> str | None:
        return self.git.text("rev-parse", "--verify", "--quiet", "@{upstream}")

    def check_idle(self) -> None:
        if self.git.ok("rev-parse", "--verify", "--quiet", "MERGE_HEAD"):
            raise SyncError(
                f"a merge is under way in {self.top}: finish it (`git commit`) or undo it "
                "(`git merge --abort`), then sync again"
            )
        if self.git.text("ls-files", "--unmerged"):
            raise SyncError(f"{self.top} has unmerged files: resolve them with git first")

    def changed_files(self) -> list[str]:
        """Iteration and trash files that differ from the last commit (and the attributes)."""
        result = self.git.run(
            "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames",
            "--", *self.tracked_dirs(),
        )  # fmt: skip
        paths = [entry[3:] for entry in result.out.decode("utf-8").split("\0") if entry]
        return [
            p for p in paths if self.is_iteration(p) or self.is_trash(p) or p == self.attributes
        ]

    def last_sync(self) -> datetime | None:
        value = self.git.text("config", "--get", LAST_SYNC)
        try:
            return datetime.fromisoformat(value).astimezone(UTC) if value else None
        except ValueError:
            return None

    # -- steps ----------------------------------------------------------------------------------

    def register_driver(self) -> bool:
        """Make git merge iteration files with finops-tui (config and attributes); True if
        anything had to be set."""
        command = f"{shlex.quote(sys.executable)} -m finops_tui merge-driver %O %A %B %P"
        changed = False
        if self.git.text("config", "--get", f"merge.{DRIVER}.driver") != command:
            self.git.run("config", f"merge.{DRIVER}.name", "finops-tui: iterations, field by field")
            self.git.run("config", f"merge.{DRIVER}.driver", command)
            changed = True
        changed |= self._exclude()
        path = self.top / self.attributes
        try:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
        except (OSError, UnicodeDecodeError) as exc:
            raise SyncError(f"{path}: cannot read: {exc}") from None
        if ATTRIBUTE_LINE not in text.splitlines():
            lines = [*text.splitlines(), ATTRIBUTE_LINE]
            try:
                make_private_dir(path.parent)
                write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))
            except (OSError, StoreError) as exc:
                raise SyncError(f"{path}: cannot write: {exc}") from None
            changed = True
        return changed

    def _exclude(self) -> bool:
        """Keep the store's lock and unfinished saves out of `git status` (this clone only)."""
        data = self._inside(self.data_dir)
        where = self.git.text("rev-parse", "--git-path", "info/exclude")
        if data is None or where is None:
            return False
        path = self.top / where
        prefix = "" if data == "." else f"{data}/"
        wanted = [f"/{prefix}{pattern}" for pattern in EXCLUDED]
        wanted += [f"/{self.rel(self.iterations or '.', pattern)}" for pattern in EXCLUDED[1:]]
        try:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            missing = [w for w in dict.fromkeys(wanted) if w not in text.splitlines()]
            if missing:
                path.parent.mkdir(parents=True, exist_ok=True)
                head = text if not text or text.endswith("\n") else text + "\n"
                path.write_text(head + "".join(f"{w}\n" for w in missing), encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False  # only tidiness
        return bool(missing)

    def commit(self, paths: list[str], message: str) -> None:
        self.git.run("add", "--all", "--", *paths)
        self.git.run("commit", "--quiet", "-m", message, "--", *paths)

    def fetch(self) -> None:
        result = self.git.run("fetch", "--quiet", self.remote, check=False)
        if result.code != 0:
            raise SyncError(f"cannot fetch from {self.remote}: {result.message}")

    def push(self) -> bool:
        """Push; False when the upstream moved on meanwhile (pull again)."""
        upstream = self.upstream_commit()
        head = self.head()
        if head is None or head == upstream:
            return True
        if (
            upstream is not None
            and self.git.text("rev-list", "--count", f"{upstream}..HEAD") == "0"
        ):
            return True
        result = self.git.run(
            "push", "--porcelain", self.remote, f"HEAD:{self.merge_ref}", check=False
        )
        if result.code == 0:
            return True
        if "[rejected]" in result.text:  # the upstream moved on ("[remote rejected]" is a no)
            return False
        raise SyncError(f"cannot push to {self.upstream}: {result.message}")


# -- what changed -------------------------------------------------------------------------------


@dataclass
class _Version:
    iteration_id: str
    number: int
    title: str
    tree: dict[object, object] | None
    conflicts: frozenset[str] = frozenset()


def _read(data: bytes | None, path: str) -> _Version | None:
    """An iteration file's content as a merge tree (None if absent or unreadable)."""
    from finops_tui.merge import MergeError, parse, to_tree

    if data is None:
        return None
    try:
        iteration = parse(data, path)
    except MergeError:
        return None
    conflicts = frozenset(c.path for c in iteration.conflicts)
    return _Version(iteration.id, iteration.number, iteration.title, to_tree(iteration), conflicts)


TOPICS = {
    "people": "people",
    "notes": "notes",
    "business": "groups",
    "technology": "groups",
    "finance": "groups",
    "levels": "levels",
    "weights": "weights",
    "target_score": "target scores",
    "starts": "dates",
    "ends": "dates",
}


def topics(old: dict[object, object], new: dict[object, object]) -> list[str]:
    """What changed between two versions of an iteration, in few words: `title`, `notes`,
    `people`, `scope`, `levels`, `goals`, `actions`, `review`, …"""
    from finops_tui.merge import changed_paths, parse_path

    found: list[str] = []
    for path in changed_paths(old, new):
        names = [name for name, _ in parse_path(path)]
        if names[0] == "scope" and len(names) > 1:
            if "actions" in names:
                topic = "actions"
            elif "measurements" in names:
                topic = "measurements"
            elif "goals" in names:
                topic = "goals"
            else:
                topic = TOPICS.get(names[1], "scope")
        elif names[0] == "stakeholders" and len(names) > 1:
            topic = TOPICS.get(names[1], names[1])
        else:
            topic = TOPICS.get(names[0], names[0].replace("_", " "))
        if topic not in found:
            found.append(topic)
    return found


def _describe(old: _Version | None, new: _Version | None) -> tuple[_Version, list[str]] | None:
    if new is not None and old is None:
        return new, ["created"]
    if old is not None and new is None:
        return old, ["deleted"]
    if old is None or new is None or old.tree is None or new.tree is None:
        return None
    found = topics(old.tree, new.tree)
    if old.conflicts - new.conflicts:
        found.append("conflicts resolved")
    elif new.conflicts - old.conflicts:
        found.append("conflicts")
    return new, found


def _message(changes: list[tuple[_Version, list[str]]]) -> str:
    parts = []
    for version, what in sorted(changes, key=lambda c: (c[0].number, c[0].iteration_id)):
        if what in (["created"], ["deleted"]):
            parts.append(f"#{version.number} {what[0]}")
        elif what:
            parts.append(f"#{version.number}: {', '.join(what)}")
    return "; ".join(parts)


# -- sync ---------------------------------------------------------------------------------------


class _Sync:
    def __init__(self, repo: _Repo, progress: Progress, now: datetime) -> None:
        self.repo = repo
        self.git = repo.git
        self.say = progress
        self.now = now
        self.lines: dict[str, IterationSync] = {}

    def line(self, version: _Version) -> IterationSync:
        found = self.lines.get(version.iteration_id)
        if found is None:
            found = IterationSync(version.iteration_id, version.number, version.title)
            self.lines[version.iteration_id] = found
        else:
            found.number, found.title = version.number, version.title
        return found

    def work_tree(self, path: str) -> bytes | None:
        try:
            return (self.repo.top / path).read_bytes()
        except OSError:
            return None

    def commit_local(self, message: str | None) -> str | None:
        paths = self.repo.changed_files()
        if not paths:
            return None
        changes = []
        for path in paths:
            if not self.repo.is_iteration(path):
                continue
            described = _describe(
                _read(self.git.blob(f"HEAD:{path}"), path), _read(self.work_tree(path), path)
            )
            if described is not None:
                changes.append(described)
                self.line(described[0]).sent.extend(described[1])
        summary = _message(changes) or (
            "finops-tui: set up sync" if paths == [self.repo.attributes] else "finops-tui: sync"
        )
        text = summary if message is None else f"{message}\n\n{summary}"
        self.say("Committing the changes made here")
        self.repo.commit(paths, text)
        return text

    def merge_upstream(self) -> None:
        self.say(f"Fetching {self.repo.upstream}")
        self.repo.fetch()
        upstream = self.repo.upstream_commit()
        before = self.repo.head()
        if upstream is None or upstream == before:
            return
        self.say(f"Merging {self.repo.upstream}")
        result = self.git.run(
            # No rename detection: deleting an iteration moves its file to trash/, and an edit
            # made meanwhile on the other side belongs in iterations/, not in the trash.
            "merge", "--no-edit", "--ff", "-X", "no-renames",
            "-m", f"finops-tui sync: merge {self.repo.upstream}", upstream, check=False,
        )  # fmt: skip
        if result.code != 0:
            self.finish_merge(result.message)
        if before is not None:
            self.keep_edited(before, upstream)
        self.note_received(before)

    def finish_merge(self, message: str) -> None:
        """Settle what git left unmerged: iteration files finops-tui's way; anything else
        stops the sync with the merge undone."""
        if not self.git.ok("rev-parse", "--verify", "--quiet", "MERGE_HEAD"):
            raise SyncError(f"cannot merge {self.repo.upstream}: {message}")
        stages: dict[str, dict[int, str]] = {}
        for entry in self.git.run("ls-files", "--unmerged", "-z").out.decode().split("\0"):
            if entry:
                info, path = entry.split("\t", 1)
                _, sha, stage = info.split()
                stages.setdefault(path, {})[int(stage)] = sha
        problems = []
        for path, blobs in stages.items():
            problem = self.settle(path, blobs)
            if problem:
                problems.append(problem)
        if problems:
            self.git.run("merge", "--abort", check=False)
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise SyncError(
                f"cannot merge {self.repo.upstream}: {problems[0]}{more}; the merge was undone, "
                "nothing else changed"
            )
        self.git.run("commit", "--quiet", "--no-edit")

    def settle(self, path: str, blobs: dict[int, str]) -> str | None:
        """Resolve one unmerged path; a reason when it cannot be."""
        from finops_tui.merge import MergeError, merge_files

        if not (self.repo.is_iteration(path) or self.repo.is_trash(path)):
            return f"{path} changed on both sides (not an iteration file)"
        base, ours, theirs = (self.git.blob(blobs[s]) if s in blobs else None for s in (1, 2, 3))
        if self.repo.is_trash(path) or ours is None or theirs is None:
            # Trash keeps ours; an iteration deleted on one side and edited on the other is
            # kept with the edits: deleting it again is one key, lost edits are not.
            data = ours if ours is not None else theirs
            assert data is not None
            if self.repo.is_iteration(path) and (version := _read(data, path)):
                deleted, edited = ("here", "there") if ours is None else ("there", "here")
                self.line(version).notes.append(
                    f"deleted {deleted} but edited {edited}: kept (delete it again if you meant to)"
                )
        else:
            try:
                data, _ = merge_files(base, ours, theirs, now=self.now)
            except MergeError as exc:
                return f"{path}: {exc}"
        try:
            write_atomic(self.repo.top / path, data)
        except StoreError as exc:
            return str(exc)
        self.git.run("add", "--", path)
        return None

    def keep_edited(self, ours: str, theirs: str) -> None:
        """An iteration deleted on one side and edited on the other is kept, with the edits.

        Git would follow the deletion's move to trash/ and put the edits there (its rename
        detection cannot be turned off everywhere), so this looks at both sides itself."""
        base = self.git.text("merge-base", ours, theirs)
        if not base:
            return
        changed = {side: self.changes(base, side) for side in (ours, theirs)}
        kept = []
        for path, how in changed[ours].items():
            other = changed[theirs].get(path)
            if {how, other} != {"M", "D"} or self.git.blob(f"HEAD:{path}") is not None:
                continue
            data = self.git.blob(f"{ours if how == 'M' else theirs}:{path}")
            version = _read(data, path)
            if data is None or version is None:
                continue
            write_atomic(self.repo.top / path, data)
            deleted, edited = ("there", "here") if how == "M" else ("here", "there")
            self.line(version).notes.append(
                f"deleted {deleted} but edited {edited}: kept (delete it again if you meant to)"
            )
            kept.append((version.number, path))
        if kept:
            numbers = ", ".join(f"#{n}" for n, _ in sorted(kept))
            self.repo.commit(
                [p for _, p in kept], f"finops-tui sync: keep {numbers}, edited while deleted"
            )

    def changes(self, base: str, side: str) -> dict[str, str]:
        """Iteration files changed between two commits: path → A, M or D."""
        out = self.git.run(
            "diff", "--name-status", "-z", "--no-renames", base, side,
            "--", *self.repo.tracked_dirs(),
        ).out.decode("utf-8").split("\0")  # fmt: skip
        pairs = zip(out[0::2], out[1::2], strict=False)
        return {path: how for how, path in pairs if self.repo.is_iteration(path)}

    def note_received(self, before: str | None) -> None:
        after = self.repo.head()
        args = ["diff", "--name-only", "-z", "--no-renames"]
        if before is None:
            listed = self.git.run("ls-tree", "-r", "--name-only", "-z", "HEAD").out
        else:
            listed = self.git.run(*args, before, "HEAD", "--", *self.repo.tracked_dirs()).out
        for path in listed.decode("utf-8").split("\0"):
            if not path or not self.repo.is_iteration(path):
                continue
            old = _read(self.git.blob(f"{before}:{path}"), path) if before else None
            described = _describe(old, _read(self.git.blob(f"{after}:{path}"), path))
            if described is not None and old is None and self.trashed(before, path):
                described = (described[0], ["restored"])
            if described is not None and described[1]:
                line = self.line(described[0])
                line.received.extend(t for t in described[1] if t not in line.received)

    def trashed(self, commit: str | None, path: str) -> bool:
        """Whether the iteration file at `path` was in the trash at `commit`."""
        if commit is None or self.repo.trash is None:
            return False
        name = path.rpartition("/")[2]
        return self.git.blob(f"{commit}:{self.repo.rel(self.repo.trash, name)}") is not None

    def renumber(self) -> None:
        """Two iterations with one number (both sides made a #4): the later-created one takes
        the next free number."""
        store = Store(self.repo.data_dir)
        try:
            iterations = store.load_all().iterations
        except StoreError as exc:
            raise SyncError(str(exc)) from None
        following = max((it.number for it in iterations), default=0)
        taken: dict[int, str] = {}
        moved = []
        for iteration in sorted(iterations, key=lambda it: (it.number, it.created, it.id)):
            holder = taken.get(iteration.number)
            if holder is None:
                taken[iteration.number] = iteration.id
                continue
            following += 1
            old = iteration.number
            iteration.renumber(following)
            iteration.touch(self.now)
            try:
                store.save(iteration)
            except StoreError as exc:
                raise SyncError(str(exc)) from None
            version = _Version(iteration.id, iteration.number, iteration.title, None)
            self.line(version).notes.append(
                f"renumbered #{old} → #{following} (#{old} is {holder}, created earlier)"
            )
            moved.append((old, following, self.relative(store.path_of(iteration.id))))
        if moved:
            message = "; ".join(f"#{old} → #{new}" for old, new, _ in moved)
            self.repo.commit([p for _, _, p in moved], f"finops-tui sync: renumber {message}")

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.repo.top.resolve()).as_posix()


def sync(
    data_dir: Path,
    *,
    message: str | None = None,
    progress: Progress | None = None,
    interactive: bool = True,
    now: datetime | None = None,
) -> SyncResult:
    """Commit the local changes to iterations, merge the upstream, push; raises SyncError.

    `progress` hears each step ("Fetching origin/main", …). With `interactive=False` git never
    asks for a password or passphrase (it fails instead): for callers that own the terminal.
    Call from a thread: it waits for the network.
    """
    from finops_tui.model import utc_now

    repo = _Repo(data_dir, interactive=interactive)
    repo.check_idle()
    run = _Sync(repo, progress or (lambda _: None), now or utc_now())
    repo.register_driver()
    committed = run.commit_local(message)
    for _ in range(PUSH_ATTEMPTS):
        run.merge_upstream()
        run.renumber()
        run.say(f"Pushing to {repo.upstream}")
        if repo.push():
            break
    else:
        raise SyncError(
            f"{repo.upstream} kept changing while syncing; your changes are committed here: "
            "sync again"
        )
    repo.git.run("config", LAST_SYNC, run.now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    result = SyncResult(repo.upstream, committed=committed, pushed=True)
    result.iterations = sorted(run.lines.values(), key=lambda i: (i.number, i.iteration_id))
    result.conflicts = unresolved_conflicts(repo.data_dir)
    return result


def unresolved_conflicts(data_dir: Path) -> list[UnresolvedConflict]:
    """Every `[[conflicts]]` entry in the data dir's iterations, oldest iteration first."""
    from finops_tui.merge import describe

    try:
        iterations = Store(data_dir).load_all().iterations
    except StoreError:
        return []
    found = []
    for iteration in reversed(iterations):
        for conflict in iteration.conflicts:
            view = describe(iteration, conflict)
            found.append(
                UnresolvedConflict(
                    iteration.id,
                    iteration.number,
                    iteration.title,
                    view.path,
                    view.label,
                    view.ours,
                    view.theirs,
                )
            )
    return found


def status(data_dir: Path, *, fetch: bool = False, interactive: bool = False) -> SyncStatus:
    """Ahead/behind the upstream (as of the last fetch, or fetching first), local changes and
    the last sync; never raises: a data dir sync cannot run on has its `problem` said."""
    try:
        repo = _Repo(data_dir, interactive=interactive)
        if fetch:
            repo.fetch()
    except SyncError as exc:
        return SyncStatus(problem=str(exc))
    ahead = behind = 0
    counts = repo.git.text("rev-list", "--left-right", "--count", "HEAD...@{upstream}")
    if counts:
        ahead, behind = (int(n) for n in counts.split())
    elif repo.head() is not None:
        ahead = int(repo.git.text("rev-list", "--count", "HEAD") or 0)
    return SyncStatus(
        upstream=repo.upstream,
        ahead=ahead,
        behind=behind,
        local_changes=sum(1 for p in repo.changed_files() if repo.is_iteration(p)),
        last_sync=repo.last_sync(),
    )


# -- the merge driver ---------------------------------------------------------------------------


def merge_driver(base: Path, ours: Path, theirs: Path, path: str, err: TextIO) -> int:
    """git's merge driver for one iteration file (`%O %A %B %P`): the merge goes into `ours`.

    0: merged cleanly. 1: merged, with conflicts recorded in the file's `[[conflicts]]` (it
    stays valid); or a side is not a valid iteration file, and `ours` is left as it was."""
    from finops_tui.merge import MergeError, merge_files

    try:
        sides = [p.read_bytes() for p in (base, ours, theirs)]
    except OSError as exc:
        print(f"finops-tui merge-driver: {path}: cannot read: {exc}", file=err)
        return 1
    try:
        data, merged = merge_files(*sides)
    except MergeError as exc:
        print(f"finops-tui merge-driver: {path}: cannot merge: {exc}; ours kept as it is", file=err)
        return 1
    try:
        write_atomic(ours, data)
    except StoreError as exc:
        print(f"finops-tui merge-driver: {exc}", file=err)
        return 1
    for conflict in merged.conflicts:
        print(
            f"finops-tui merge-driver: {path}: {conflict.path} changed on both sides: "
            "ours kept, theirs recorded in [[conflicts]]",
            file=err,
        )
    return 1 if merged.conflicts else 0


def lines(result: SyncResult) -> Iterable[str]:
    """What `finops-tui sync` prints: a line per iteration changed, per conflict, and how it
    ended."""
    yield from (str(i) for i in result.iterations)
    yield from (str(c) for c in result.conflicts)
    yield result.summary()
