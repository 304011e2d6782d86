"""The session: one owner of the history and of the open iteration.

Every change to the open iteration goes through `Session.edit` and one of the model's named
methods; the session keeps an undo/redo history of whole-iteration snapshots, saves through
the store from a writer thread of its own (a slow disk never holds up typing), and resolves
conflicts with the file on disk. With `watch_disk`, it also notices files that another
process changed (another window, a browser tab, a `git pull`): the list follows them, and so
does the open iteration while it has no unsaved change (else that is a conflict to resolve).
Listeners hear of every change on the thread that made it (the app's: edits, undo and
`collect` all run there). No Textual here: the app turns changes into reactive state that its
screens watch.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from finops_tui.index import History, IterationSummary
from finops_tui.store import SUFFIX, ConflictError, LoadProblem, Store, StoreError

if TYPE_CHECKING:
    from finops_tui.model import Iteration

T = TypeVar("T")

SAVE_DELAY = 0.3
"""Seconds after the last change before it is written (edits come in bursts)."""
MAX_SAVE_DELAY = 1.0
"""...but never more than this after the first unsaved change, however fast the typing."""
UNDO_DEPTH = 200
MERGE_SECONDS = 3.0
"""Edits of one field this close together undo as one (typing a word is one step)."""
WATCH_EVERY = 0.5
"""Seconds between two looks at the data dir for files changed by another process."""
CHANGED_ELSEWHERE = "changes made elsewhere"
"""What undo names when the open iteration was taken from its file changed by another process."""


class ChangeKind(StrEnum):
    """What happened."""

    EDITED = "edited"  # the open iteration changed through an edit
    UNDONE = "undone"
    REDONE = "redone"
    OPENED = "opened"  # another iteration is open now (new, next, copy, or opened)
    LEFT = "left"  # no iteration is open any more
    RELOADED = "reloaded"  # the open iteration was read again from its file
    HISTORY = "history"  # the list of iterations changed (loaded, saved, deleted)
    SAVED = "saved"
    NOT_SAVED = "not-saved"  # the disk refused; the edits are kept and tried again
    CONFLICT = "conflict"  # the file changed on disk: nothing is saved until resolved


@dataclass(frozen=True)
class Change:
    """A change announced to listeners; `what` names it for people ("level 3 on …")."""

    kind: ChangeKind
    what: str = ""

    @property
    def touches_iteration(self) -> bool:
        """Whether what the open iteration holds may differ afterwards."""
        return self.kind in _ITERATION_KINDS


_ITERATION_KINDS = {
    ChangeKind.EDITED,
    ChangeKind.UNDONE,
    ChangeKind.REDONE,
    ChangeKind.OPENED,
    ChangeKind.RELOADED,
}


class NotEditable(Exception):
    """An edit was asked of a closed iteration, or with none open."""


@dataclass
class _Step:
    """One step of the undo (or redo) history: the iteration as it was, and what changed it."""

    what: str
    snapshot: bytes
    """The iteration pickled: one object instead of thousands for the garbage collector to
    walk again and again (200 steps of a large iteration stalled keystrokes by 100 ms)."""
    merge: str | None = None
    at: float = 0.0


def _frozen(iteration: Iteration) -> bytes:
    return pickle.dumps(iteration, protocol=pickle.HIGHEST_PROTOCOL)


def _thawed(snapshot: bytes) -> Iteration:
    iteration: Iteration = pickle.loads(snapshot)
    return iteration


@dataclass
class _History:
    undo: deque[_Step] = field(default_factory=lambda: deque(maxlen=UNDO_DEPTH))
    redo: list[_Step] = field(default_factory=list)


@dataclass(frozen=True)
class _Written:
    """A version the writer saved: the change count it holds, and its line in the list."""

    seq: int
    summary: IterationSummary


@dataclass
class _DiskNews:
    """Iteration files another process wrote, changed or removed since the session looked."""

    changed: set[str] = field(default_factory=set)  # ids of files that are not as left here
    summaries: dict[str, IterationSummary] = field(default_factory=dict)  # by id, read anew
    problems: dict[str, LoadProblem] = field(default_factory=dict)  # by file name
    gone: set[str] = field(default_factory=set)  # file names


Listener = Callable[[Change], None]


class Session:
    """The history of iterations, the open one, its undo history, and its saving."""

    def __init__(
        self,
        store: Store,
        *,
        cache_dir: Path | None = None,
        today: date | None = None,
        iteration_weeks: int = 4,
        wake: Callable[[], None] | None = None,
    ) -> None:
        """`wake` is called from the writer thread when a save has a result for `collect`."""
        self.store = store
        self.save_delay = SAVE_DELAY  # the autosave's delays (tests shorten them)
        self.max_save_delay = MAX_SAVE_DELAY
        self.cache_dir = cache_dir
        self.today = today or date.today()
        self.iteration_weeks = iteration_weeks
        self.history = History()
        self.loading = True
        self.load_error: str | None = None
        self.catalog_problems: list[str] = []
        """A team's catalogue files that cannot be used (file, line, reason)."""
        self.iteration: Iteration | None = None
        self.left: str | None = None
        """The id of the iteration open last, once it is left (the list puts its cursor there)."""
        self.conflict: ConflictError | None = None
        self._models: dict[str, Iteration] = {}
        self._histories: dict[str, _History] = {}
        self._listeners: list[Listener] = []
        self._wake = wake or self.collect
        # Changes are counted; the writer records the count it has written.
        self._changes = self._queued = self._saved = 0
        self._listed = 0
        """The change count of the open iteration's version that the list shows: a write
        that ends after a later version was listed (by `flush` or `leave`) lists nothing."""
        self._last_change = self._first_unsaved = 0.0
        self._lock = threading.Condition(threading.RLock())  # the open iteration and counters
        self._save_lock = threading.Lock()  # one write at a time, in order
        self._results: deque[_Written | StoreError | _DiskNews] = deque()
        self._disk: dict[str, tuple[int, int, int, int]] | None = None
        """The data dir's files as `history` knows them (see `Store.fingerprint`)."""
        self._watching = threading.Event()  # set: stop watching
        self._looking = threading.Event()  # cleared: do not look for a while (a sync runs)
        self._looking.set()
        self._stopped = False
        self._write_planned = False
        self._writer = threading.Thread(target=self._write_loop, name="autosave", daemon=True)
        self._writer.start()

    # -- listening ----------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _announce(self, kind: ChangeKind, what: str = "") -> None:
        change = Change(kind, what)
        for listener in list(self._listeners):
            listener(change)

    # -- the history --------------------------------------------------------------------------

    def read_history(self, progress: Callable[[int, int], None] | None = None) -> History:
        """Read the data dir (call from a thread; hand the result to `history_read`)."""
        from finops_tui.index import read_history

        self._disk = self.store.fingerprint()  # what changes from now on is news
        return read_history(self.store, self.cache_dir, progress=progress)

    def history_read(self, history: History, error: str | None = None) -> None:
        """The first read of the data dir is done (or failed with `error`)."""
        with self._lock:
            # Iterations made while the files were read are kept in the list.
            for summary in self.history.summaries:
                if history.summary(summary.id) is None:
                    history.put(summary)
            self.history, self.load_error, self.loading = history, error, False
        self._announce(ChangeKind.HISTORY)

    def iteration_by_id(self, iteration_id: str) -> Iteration:
        """The whole iteration, read from its file the first time (raises StoreError)."""
        if (iteration := self._models.get(iteration_id)) is None:
            iteration = self._models[iteration_id] = self.store.load(iteration_id)
        return iteration

    def previous_of(self, iteration: Iteration) -> Iteration | None:
        """The iteration this one continues, if it is still there and readable."""
        if not iteration.previous or self.history.summary(iteration.previous) is None:
            return None
        try:
            return self.iteration_by_id(iteration.previous)
        except StoreError:
            return None

    def followers_of(self, iteration_id: str) -> list[IterationSummary]:
        """The iterations started from this one (newest first)."""
        return [s for s in self.history.summaries if s.previous == iteration_id]

    def trash(self, iteration_id: str) -> Path:
        """Move an iteration's file to the trash folder (raises StoreError)."""
        if self.iteration is not None and self.iteration.id == iteration_id:
            self.leave()
        where = self.store.trash(iteration_id)
        self.history.drop(iteration_id)
        self._models.pop(iteration_id, None)
        self._histories.pop(iteration_id, None)
        self._announce(ChangeKind.HISTORY)
        return where

    # -- opening and leaving ------------------------------------------------------------------

    def open(self, iteration_id: str) -> Iteration:
        """Open an iteration for editing (raises StoreError when its file cannot be read)."""
        iteration = self.iteration_by_id(iteration_id)
        if self.iteration is not iteration:
            self.flush()
            with self._lock:
                self.iteration, self.conflict = iteration, None
            self._announce(ChangeKind.OPENED)
        return iteration

    def new_iteration(self) -> Iteration:
        """Start a fresh iteration today and open it."""
        from finops_tui.frameworks import default_framework
        from finops_tui.model import Iteration

        # The framework of the latest iteration, else the current FinOps Framework.
        latest = self.history.summaries[0].framework if self.history.summaries else None
        iteration = Iteration.new(
            self.store.new_id(self.today),
            self.history.next_number,
            self.today,
            framework=default_framework(latest),
        )
        iteration.ends = self.today + timedelta(weeks=self.iteration_weeks)
        return self._adopt(iteration)

    def start_next(
        self, source: Iteration, *, carry_unfinished: bool, framework: str | None = None
    ) -> Iteration:
        """Start and open the iteration that continues `source` (in `framework`, its own or
        the one that succeeds it)."""
        starts = max(self.today, source.ends)
        iteration = source.start_next(
            self.store.new_id(starts),
            self.history.next_number,
            starts,
            carry_unfinished=carry_unfinished,
            framework=framework,
        )
        return self._adopt(iteration)

    def _adopt(self, iteration: Iteration) -> Iteration:
        """Open an iteration made in memory, list it, and write its file at once, numbered
        under the data dir's lock after every iteration there (another window's included)."""
        self.flush()
        failed: StoreError | None = None
        try:
            self.store.create(iteration, self._free_number)
        except StoreError as exc:
            failed = exc  # kept in memory and tried again like any unsaved change
        with self._lock:
            self.iteration, self.conflict = iteration, None
            self._models[iteration.id] = iteration
            if failed is not None:
                self._mark_changed()
        self.history.put(IterationSummary.of(iteration))
        self._announce(ChangeKind.OPENED)
        if failed is not None:
            self._failed(failed)
        self._announce(ChangeKind.HISTORY)
        return iteration

    def _free_number(self) -> int:
        """The number after every iteration listed here and every one written by another
        process since the session last looked (asked under the data dir's lock)."""
        from finops_tui.model import Iteration

        top = max((s.number for s in self.history.summaries), default=0)
        known = self._disk or {}
        reader = Store(self.store.data_dir)
        for name, key in self.store.fingerprint().items():
            if known.get(name) != key:
                read = reader.read(self.store.iterations_dir / name)
                if isinstance(read, Iteration):
                    top = max(top, read.number)
        return top + 1

    def leave(self) -> bool:
        """Save what is pending and close the open iteration; False if the disk refused."""
        saved = self.flush()
        if self.iteration is None:
            return saved
        self._list(IterationSummary.of(self.iteration), self._changes, announce=False)
        with self._lock:
            self.left, self.iteration = self.iteration.id, None
        self._announce(ChangeKind.LEFT)
        self._announce(ChangeKind.HISTORY)
        return saved

    # -- editing ------------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self.iteration is None or self.iteration.read_only

    def edit(self, what: str, change: Callable[[Iteration], T], *, merge: str | None = None) -> T:
        """Change the open iteration through one of its methods, as one step that can be undone.

        `what` names the change for "Undo …". Edits with the same `merge` key in a row (a word
        typed into one field) undo as one. A change that raises leaves the iteration as it was.
        Raises NotEditable when no iteration is open or it is closed.
        """
        iteration = self.iteration
        if iteration is None or iteration.read_only:
            raise NotEditable("the iteration is closed: reopen it to edit" if iteration else "")
        if iteration.catalog_missing:
            raise NotEditable(iteration.catalog_problem or "its catalogue is missing")
        now = time.monotonic()
        with self._lock:
            before = _frozen(iteration)
            try:
                result = change(iteration)
            except BaseException:
                self._install(_thawed(before))
                raise
            if _frozen(iteration) == before:
                return result
            iteration.touch()
            history = self._history()
            top = history.undo[-1] if history.undo else None
            if (
                merge is not None
                and top is not None
                and top.merge == merge
                and not history.redo
                and now - top.at < MERGE_SECONDS
            ):
                top.at = now
            else:
                history.undo.append(_Step(what, before, merge, now))
            history.redo.clear()
            self._mark_changed()
        self._announce(ChangeKind.EDITED, what)
        return result

    def close_iteration(self) -> None:
        """End the open iteration after its review: read-only until reopened."""
        self.edit("close the iteration", lambda it: it.close(self.today))

    def reopen(self) -> None:
        """Make a closed iteration editable again (an undoable step like any edit)."""
        iteration = self.iteration
        if iteration is None or not iteration.read_only:
            return
        with self._lock:
            before = _frozen(iteration)
            iteration.reopen()
            iteration.touch()
            history = self._history()
            history.undo.append(_Step("reopen the iteration", before))
            history.redo.clear()
            self._mark_changed()
        self._announce(ChangeKind.EDITED, "reopen the iteration")

    # -- undo and redo ------------------------------------------------------------------------

    @property
    def undo_label(self) -> str | None:
        """What `undo` would take back, or None."""
        if self.iteration is None or not (undo := self._history().undo):
            return None
        return undo[-1].what

    @property
    def redo_label(self) -> str | None:
        if self.iteration is None or not (redo := self._history().redo):
            return None
        return redo[-1].what

    def undo(self) -> str | None:
        """Take back the last change to the open iteration; returns what it was, or None."""
        return self._step(ChangeKind.UNDONE)

    def redo(self) -> str | None:
        return self._step(ChangeKind.REDONE)

    def _step(self, kind: ChangeKind) -> str | None:
        if self.iteration is None:
            return None
        history = self._history()
        source, target = (
            (history.undo, history.redo)
            if kind is ChangeKind.UNDONE
            else (history.redo, history.undo)
        )
        if not source:
            return None
        with self._lock:
            step = source.pop()
            target.append(_Step(step.what, _frozen(self.iteration), step.merge))
            restored = _thawed(step.snapshot)
            self._install(restored)
            restored.touch()
            self._mark_changed()
        self._announce(kind, step.what)
        return step.what

    def _history(self) -> _History:
        assert self.iteration is not None
        return self._histories.setdefault(self.iteration.id, _History())

    def _install(self, iteration: Iteration) -> None:
        self.iteration = self._models[iteration.id] = iteration

    # -- saving -------------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """Whether the open iteration has changes that are not on disk yet."""
        return self._changes > self._saved

    def _mark_changed(self) -> None:
        # Called with the lock held. The writer is woken only when it has nothing planned:
        # a planned write looks at the time of the last change itself when it is due (a
        # thread woken at every keystroke would take the interpreter's lock from the keys).
        now = time.monotonic()
        if not self.dirty:
            self._first_unsaved = now
        self._last_change = now
        self._changes += 1
        if not self._write_planned:
            self._lock.notify_all()

    def _write_loop(self) -> None:
        while True:
            with self._lock:
                while True:
                    if self._stopped:
                        return
                    if self._queued < self._changes and self.iteration and not self.conflict:
                        due = min(
                            self._last_change + self.save_delay,
                            self._first_unsaved + self.max_save_delay,
                        )
                        wait = due - time.monotonic()
                        if wait <= 0:
                            break
                        self._write_planned = True
                        self._lock.wait(wait)
                    else:
                        self._write_planned = False
                        self._lock.wait()
                self._write_planned = False
                snapshot, seq = self.iteration.model_copy(deep=True), self._changes
                self._queued = seq
            self._write(snapshot, seq)

    def _write(self, snapshot: Iteration, seq: int) -> None:
        with self._save_lock:
            if seq <= self._saved:
                return  # a newer version is on disk already
            try:
                self.store.save(snapshot)
            except StoreError as exc:
                self._results.append(exc)
            else:
                self._saved = max(self._saved, seq)
                self._results.append(_Written(seq, IterationSummary.of(snapshot)))
        self._wake()

    def collect(self) -> None:
        """Take in what the writer and watcher threads report: list what was saved, say what
        was not, follow what another process changed."""
        while self._results:
            result = self._results.popleft()
            if isinstance(result, _Written):
                self._announce(ChangeKind.SAVED)
                if result.seq >= self._listed:
                    self._list(result.summary, result.seq)
            elif isinstance(result, _DiskNews):
                self._take_news(result)
            else:
                self._failed(result)

    def _failed(self, exc: StoreError) -> None:
        # The writer tries again after the next change; `flush` tries at once.
        if isinstance(exc, ConflictError):
            with self._lock:
                self.conflict = exc
            self._announce(ChangeKind.CONFLICT, f"{exc.path.name} {exc.reason}")
        else:
            self._announce(ChangeKind.NOT_SAVED, str(exc))

    def flush(self) -> bool:
        """Write pending changes now, after any write under way; False when the disk refused
        (listeners hear why). Used when leaving an iteration, quitting and hanging up."""
        self.collect()
        if self.iteration is None or self.conflict is not None:
            return not self.dirty
        with self._save_lock:
            with self._lock:
                if not self.dirty:
                    return True
                iteration, seq = self.iteration, self._changes
            try:
                self.store.save(iteration)
            except StoreError as exc:
                failed: StoreError | None = exc
            else:
                failed = None
                with self._lock:
                    self._saved = self._queued = max(self._saved, seq)
        if failed is not None:
            self._failed(failed)
            return False
        self._list(IterationSummary.of(iteration), seq, announce=False)
        return True

    def _list(self, summary: IterationSummary, seq: int, *, announce: bool = True) -> None:
        """Show a version of the open iteration in the list: the one of change count `seq`."""
        self._listed = max(self._listed, seq)
        self.history.put(summary)
        if announce:
            self._announce(ChangeKind.HISTORY)

    def wait_saved(self, timeout: float = 5.0) -> bool:
        """Wait until the writer has saved every change (for scripts and tests)."""
        deadline = time.monotonic() + timeout
        while self.dirty and not self.conflict and time.monotonic() < deadline:
            time.sleep(0.01)
        self.collect()
        return not self.dirty

    def stop(self) -> bool:
        """Save what is pending and end the writer (and watcher) thread."""
        self._watching.set()
        saved = self.flush()
        with self._lock:
            self._stopped = True
            self._write_planned = False
            self._lock.notify_all()
        return saved

    # -- conflicts ----------------------------------------------------------------------------

    def reload_from_disk(self) -> None:
        """Resolve a conflict by taking the file's version; ctrl+z brings the edits back."""
        iteration = self.iteration
        if iteration is None:
            return
        self._take_from_disk(self.store.load(iteration.id), "reload from disk")  # StoreError

    def _take_from_disk(self, fresh: Iteration, what: str) -> None:
        """Show the open iteration as its file has it now, as a step that undo takes back."""
        assert self.iteration is not None
        with self._lock:
            self._history().undo.append(_Step(what, _frozen(self.iteration)))
            self._history().redo.clear()
            self._install(fresh)
            self.conflict = None
            self._saved = self._queued = self._changes
        self._list(IterationSummary.of(fresh), self._changes, announce=False)
        self._announce(ChangeKind.RELOADED, what)
        self._announce(ChangeKind.HISTORY)

    def files_changed(self, iteration_ids: Iterable[str]) -> None:
        """Files changed on disk by something else (`finops_tui.sync.sync`'s
        `changed_on_disk`): what was read of them is forgotten, and the open one is read again
        (ctrl+z brings back the version before), or left when its file is gone. Call `flush`
        before the change and this after it, then read the history again."""
        changed = set(iteration_ids)
        open_id = self.iteration.id if self.iteration is not None else None
        for iteration_id in changed - {open_id}:
            self._forget(iteration_id)
        if open_id is None or open_id not in changed:
            return
        if self.store.path_of(open_id).exists():
            self.reload_from_disk()  # raises StoreError for a file that cannot be read
            return
        self.leave()
        self._forget(open_id)
        self.history.drop(open_id)
        self._announce(ChangeKind.HISTORY)

    def _forget(self, iteration_id: str) -> None:
        """Drop what was read of an iteration whose file changed: it is read again when next
        opened, with no undo steps that would bring back the version before."""
        self._models.pop(iteration_id, None)
        self._histories.pop(iteration_id, None)

    def save_as_copy(self) -> Iteration:
        """Resolve a conflict by keeping both: the edits here become a new iteration."""
        assert self.iteration is not None
        copy = self.iteration.model_copy(deep=True)
        copy.id = self.store.new_id(copy.starts)
        copy.number = self.history.next_number
        copy.title = f"{copy.title} (copy)".strip()
        with self._lock:
            self.conflict = None
            self._saved = self._queued = self._changes
        return self._adopt(copy)

    # -- other processes ----------------------------------------------------------------------

    def watch_disk(self, every: float = WATCH_EVERY) -> None:
        """Look at the data dir every `every` seconds, from a thread of its own, for iteration
        files that another process wrote, changed or removed; `collect` takes them in."""
        if self._disk is None:
            self._disk = self.store.fingerprint()
        threading.Thread(target=self._watch_loop, args=(every,), name="watch", daemon=True).start()

    def _watch_loop(self, every: float) -> None:
        while not self._watching.wait(every):
            if not self._looking.is_set():
                continue
            try:
                news = self._look_at_disk()
            except Exception:  # never let a look end the watching (a file vanishing mid-read)
                continue
            if news is not None:
                self._results.append(news)
                self._wake()

    def look_away(self) -> None:
        """Stop looking at the data dir while something of this app's rewrites it (a sync):
        the files it leaves are taken in by `files_changed`, not as another process's."""
        self._looking.clear()

    def look_again(self, *, taken_in: bool = True) -> None:
        """Look at the data dir again: from how it is now when what changed was `taken_in`
        (by `files_changed`), else from how it was (what changed is then news)."""
        if taken_in:
            self._disk = self.store.fingerprint()
        self._looking.set()

    def _look_at_disk(self) -> _DiskNews | None:
        """What changed in the data dir since the last look, leaving out this session's own
        saves (called from the watcher thread only)."""
        now, before = self.store.fingerprint(), self._disk or {}
        if now == before:
            return None
        news = _DiskNews(gone=set(before) - set(now))
        reader = Store(self.store.data_dir)  # reads without touching what this store knows
        for name, key in now.items():
            if before.get(name) == key:
                continue
            iteration_id = name.removesuffix(SUFFIX)
            try:
                if self.store.holds(iteration_id, locked=False):
                    continue  # as this session left it: its own save
            except StoreError:
                pass  # not an id: a file that cannot be an iteration, read for its problem
            read = reader.read(self.store.iterations_dir / name)
            if isinstance(read, LoadProblem):
                news.problems[name] = read
            else:
                news.summaries[read.id] = IterationSummary.of(read)
            news.changed.add(iteration_id)
        self._disk = now
        return news if news.changed or news.gone else None

    def _take_news(self, news: _DiskNews) -> None:
        """Follow what another process changed: the list, and the open iteration while it has
        no unsaved change (with one, that is a conflict: reload or save as a copy)."""
        open_id = self.iteration.id if self.iteration is not None else None
        gone = {name.removesuffix(SUFFIX) for name in news.gone}
        for iteration_id in (gone | news.changed) - {open_id}:
            self._forget(iteration_id)
            if iteration_id not in news.summaries:
                self.history.drop(iteration_id)
        for summary in news.summaries.values():
            if summary.id != open_id and not self._own_file(summary.id):
                self.history.put(summary)
        touched = news.gone | set(news.problems) | {f"{i}{SUFFIX}" for i in news.changed}
        problems = [p for p in self.history.problems if p.path.name not in touched]
        self.history.problems = sorted([*problems, *news.problems.values()], key=_by_name)
        if open_id is not None and open_id in news.changed | gone:
            self._changed_elsewhere()
        self._announce(ChangeKind.HISTORY)

    def _own_file(self, iteration_id: str) -> bool:
        """Whether the file holds what this session last wrote: news of it then came from a
        look taken while a save of ours was landing, and what the list shows is newer."""
        try:
            return self.store.holds(iteration_id)
        except StoreError:
            return False

    def _changed_elsewhere(self) -> None:
        iteration = self.iteration
        assert iteration is not None
        if self.store.holds(iteration.id):
            return  # a save of this session's after all (it was under way)
        path = self.store.path_of(iteration.id)
        fresh: Iteration | None = None
        if not self.dirty and self.conflict is None:
            try:
                fresh = self.store.load(iteration.id)
            except StoreError:
                fresh = None
        if fresh is not None:
            if fresh != iteration:
                self._take_from_disk(fresh, CHANGED_ELSEWHERE)
        elif self.conflict is None:
            reason = (
                "was changed by someone else since it was opened"
                if path.exists()
                else "was deleted or moved since it was opened"
            )
            self._failed(ConflictError(path, reason))


def _by_name(problem: LoadProblem) -> str:
    return problem.path.name
