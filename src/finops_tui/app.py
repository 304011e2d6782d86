"""The Textual application: owns the store, the open iteration and autosave; switches screens.

Screens change the open iteration in memory and call `changed()`; the app saves it through
the store within a second, and reports (never loses) what the disk refuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from finops_tui import __version__
from finops_tui.config import Config, load_config, save_config
from finops_tui.index import History, IterationSummary, read_history
from finops_tui.steps import Step
from finops_tui.store import ConflictError, Store, StoreError, write_export
from finops_tui.terms import Status

if TYPE_CHECKING:
    # The model, the catalogue and pydantic load after the first paint (see `_load_first`).
    from finops_tui.catalog import Catalog
    from finops_tui.model import Iteration
    from finops_tui.screens.home import HomeScreen

SAVE_DELAY = 0.3
PROGRESS_EVERY = 0.1  # seconds between updates of the loading counter
SETTLE_TURNS = 2000  # event-loop turns a key may take before the next one is let in anyway


class FinOpsApp(App[None]):
    """finops-tui: one FinOps iteration at a time."""

    TITLE = "finops-tui"
    SUB_TITLE = f"v{__version__}"
    CSS_PATH = "styles/app.tcss"
    # Side panels go beside their list only where there is room; at 80x24 they go below.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1,question_mark", "help", "Keys", id="help", key_display="F1"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        config_path: Path | None = None,
        today: date | None = None,
        notice: str | None = None,
        export_dir: Path | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.export_dir = export_dir or Path.cwd()
        self.cost_data_dir = self.export_dir  # where the baseline dialog starts looking
        self.store = store
        self.config_path = config_path
        self.config = Config()
        self.today = today or date.today()
        self.notice = notice
        self.cache_dir = cache_dir  # where the history index lives; None: read every file
        self.history = History()  # the summaries the home screen lists
        self._models: dict[str, Iteration] = {}  # iterations opened in this session
        self.load_error: str | None = None
        self.loading = True  # until the first read of the data dir is done
        self._input_ready = asyncio.Event()  # keys wait for that read, and are then applied
        self.iteration: Iteration | None = None
        # Changes to the open iteration are counted; a save records the count it wrote.
        self._changes = self._saved = self._queued = 0
        self._save_lock = threading.Lock()  # one save at a time, in order
        self._conflict = False
        self._save_timer: Timer | None = None
        self._input: asyncio.Queue[events.Key | events.Paste] = asyncio.Queue()
        self._input_feeder: asyncio.Task[None] | None = None

    # -- start and stop -----------------------------------------------------------------------

    # -- input, one key at a time -----------------------------------------------------------------

    def post_message(self, message: Message) -> bool:
        # Textual routes a key to the widget focused when the key is read, but resolves its
        # binding when the key has bubbled up, against the focus of that later moment. In a
        # burst (a paste, SSH, tmux send-keys) a key after Tab or Enter could land in the
        # field it was typed away from. So keys are let in one at a time, each once the app
        # has finished with the one before.
        if (
            isinstance(message, events.Key | events.Paste)
            and not message.is_forwarded  # a key bubbling back up from a widget
            and self._input_feeder is not None
        ):
            self.call_from_any_thread(self._input.put_nowait, message)
            return True
        return super().post_message(message)

    def call_from_any_thread(self, callback: Callable[..., object], *args: object) -> None:
        loop = self._loop
        if loop is not None and threading.get_ident() != self._thread_id:
            loop.call_soon_threadsafe(callback, *args)
        else:
            callback(*args)

    async def _feed_input(self) -> None:
        await self._input_ready.wait()
        while True:
            event = await self._input.get()
            super().post_message(event)
            await self._settled()

    async def _settled(self) -> None:
        """Wait until nothing is left to run: the key and all it set off are done with."""
        loop = asyncio.get_running_loop()
        for _ in range(SETTLE_TURNS):
            await asyncio.sleep(0)
            # Nothing else ready to run in the event loop, and no message waiting anywhere.
            if not getattr(loop, "_ready", ()) and not any(
                not pump._message_queue.empty() for pump in [self, *self._registry]
            ):
                return

    def on_mount(self) -> None:
        self._input_feeder = asyncio.create_task(self._feed_input())
        if self.config_path is not None:
            self.config, problem = load_config(self.config_path)
            if problem:
                self.notify(problem, severity="warning", markup=False)
            if self.config.theme in self.available_themes:
                self.theme = self.config.theme
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(sig, self._on_hangup)
        from finops_tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())
        self.call_after_refresh(self._load_first)
        if self.notice:
            self.notify(self.notice, timeout=8, markup=False)

    def _load_first(self) -> None:
        # The first screen is on the terminal already; the files are read (and the model and
        # pydantic imported) in a thread, so a long history never delays it. Keys typed
        # meanwhile wait in the input queue and are applied once the list is there.
        self.run_worker(self._read_data_dir, thread=True, name="load", exit_on_error=False)

    def _read_data_dir(self) -> None:
        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY:
                last = now
                self.call_from_thread(self._show_progress, done, total)

        try:
            history, error = read_history(self.store, self.cache_dir, progress=progress), None
        except StoreError as exc:
            history, error = History(), str(exc)
        except Exception as exc:  # a bug must not leave the app waiting forever
            history, error = History(), f"Could not read the data dir: {exc!r}"
        self.call_from_thread(self._first_load_done, history, error)

    def _home_screens(self) -> list[HomeScreen]:
        from finops_tui.screens.home import HomeScreen

        return [screen for screen in self.screen_stack if isinstance(screen, HomeScreen)]

    def _show_progress(self, done: int, total: int) -> None:
        for home in self._home_screens():
            home.show_progress(done, total)

    def _first_load_done(self, history: History, error: str | None) -> None:
        self.history, self.load_error, self.loading = history, error, False
        for home in self._home_screens():
            home.refresh_list()
        self._input_ready.set()
        self.call_after_refresh(freeze_long_lived)

    def _on_hangup(self) -> None:
        """SSH dropped or the session was killed: write what is pending, then leave."""
        self.save_now()
        self.exit(return_code=0)

    async def action_quit(self) -> None:
        self.save_now()
        self.exit()

    def watch_theme(self, theme: str) -> None:
        if self.config_path is None or not self.is_mounted or theme == self.config.theme:
            return
        self.config.theme = theme
        try:
            save_config(self.config_path, self.config)
        except StoreError as exc:
            self.notify(f"Theme not remembered: {exc}", severity="warning", markup=False)

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    # -- iterations ---------------------------------------------------------------------------

    def iteration_by_id(self, iteration_id: str, *, quiet: bool = False) -> Iteration | None:
        """The whole iteration, read from its file the first time it is asked for."""
        if (iteration := self._models.get(iteration_id)) is not None:
            return iteration
        try:
            iteration = self.store.load(iteration_id)
        except StoreError as exc:
            if not quiet:
                self.notify(str(exc), title="Cannot open", severity="error", markup=False)
            return None
        self._models[iteration_id] = iteration
        return iteration

    @property
    def catalog(self) -> Catalog:
        from finops_tui.catalog import load_catalog

        return load_catalog(self.iteration.framework if self.iteration else "finops-2023")

    def previous_of(self, iteration: Iteration) -> Iteration | None:
        if not iteration.previous or self.history.summary(iteration.previous) is None:
            return None
        return self.iteration_by_id(iteration.previous, quiet=True)

    def new_iteration(self) -> None:
        """Start a fresh iteration today and open its first step."""
        starts = self.today
        from finops_tui.model import Iteration

        iteration = Iteration.new(self.store.new_id(starts), self.history.next_number, starts)
        iteration.ends = starts + timedelta(weeks=self.config.iteration_weeks)
        self._adopt(iteration)

    def start_next(self, source: Iteration, *, carry_unfinished: bool) -> None:
        """Start the iteration that continues `source`, and open its first step."""
        starts = max(self.today, source.ends)
        iteration = source.start_next(
            self.store.new_id(starts),
            self.history.next_number,
            starts,
            carry_unfinished=carry_unfinished,
        )
        self._adopt(iteration)

    @work
    async def offer_next_iteration(self, source: Iteration) -> None:
        """Ask whether unfinished goals come along, then start the next iteration."""
        from finops_tui.screens.dialogs import PickDialog

        unfinished = len(source.unfinished_goals())
        choice: str | None = "fresh"
        if unfinished:
            choice = await self.push_screen_wait(
                PickDialog(
                    f"Start the iteration after #{source.number}. "
                    f"{unfinished} goal(s) were not achieved:",
                    [
                        ("carry", Content("Carry them (and their open actions) over")),
                        ("fresh", Content("Start with no goals")),
                    ],
                )
            )
        if choice is not None:
            self.start_next(source, carry_unfinished=choice == "carry")

    def _adopt(self, iteration: Iteration) -> None:
        self.save_now()
        self.iteration = iteration
        self._models[iteration.id] = iteration
        self._dirty = True
        self.save_now()
        self.show_step(Step.STAKEHOLDERS)

    def open_iteration(self, iteration: Iteration, step: Step | None = None) -> None:
        self.save_now()
        self.iteration = iteration
        self._conflict = False
        if step is None:
            step = Step.REVIEW if iteration.status is Status.CLOSED else Step.STAKEHOLDERS
        self.show_step(step)

    def show_step(self, step: Step) -> AwaitComplete:
        """Show a step of the open iteration, in place of the step shown now (if any)."""
        from finops_tui.screens import step_screen
        from finops_tui.screens.base import StepScreen

        if isinstance(self.screen, StepScreen):
            return self.switch_screen(step_screen(step))
        return self.push_screen(step_screen(step))

    def go_home(self) -> None:
        self.save_now()
        self.iteration = None
        while len(self.screen_stack) > 2:
            self.pop_screen()

    @work
    async def export_iteration(self, iteration: Iteration) -> None:
        """Ask for a format and a file, confirm an overwrite, write, and say where."""
        from finops_tui.export import render
        from finops_tui.screens.dialogs import ConfirmDialog
        from finops_tui.screens.export import ExportDialog

        choice = await self.push_screen_wait(ExportDialog(iteration, self.export_dir))
        if choice is None:
            return
        fmt, path = choice
        force = False
        if path.exists() or path.is_symlink():
            force = await self.push_screen_wait(
                ConfirmDialog(f"{path} exists. Replace it?", yes="Replace", no="Keep it")
            )
            if not force:
                return
        try:
            write_export(path, render(iteration, fmt).encode("utf-8"), force=force)
        except StoreError as exc:
            self.notify(str(exc), title="Not exported", severity="error", markup=False)
            return
        self.notify(f"Wrote {path}", title="Exported", markup=False)

    def trash(self, iteration: Iteration) -> bool:
        try:
            where = self.store.trash(iteration.id)
        except StoreError as exc:
            self.notify(str(exc), title="Not deleted", severity="error", markup=False)
            return False
        self.history.drop(iteration.id)
        self._models.pop(iteration.id, None)
        self.notify(f"Moved to {where}", title="Deleted", markup=False)
        return True

    # -- autosave -----------------------------------------------------------------------------

    @property
    def _dirty(self) -> bool:
        """Whether the open iteration has changes that are not on disk yet."""
        return self._changes > self._saved

    @_dirty.setter
    def _dirty(self, dirty: bool) -> None:
        if dirty:
            self._changes += 1
        else:
            self._saved = self._queued = self._changes

    def changed(self) -> None:
        """The open iteration changed in memory: save it shortly (edits come in bursts)."""
        if self.iteration is None:
            return
        self.iteration.touch()
        self._dirty = True
        if self._save_timer is None:
            self._save_timer = self.set_timer(SAVE_DELAY, self._autosave)

    def _autosave(self) -> None:
        # The file is written in a thread: a disk that takes its time to fsync (hundreds
        # of milliseconds happen) must not hold up the keys typed meanwhile.
        self._save_timer = None
        if self.iteration is None or self._conflict or self._queued >= self._changes:
            return
        snapshot, seq = self.iteration.model_copy(deep=True), self._changes
        self._queued = seq
        self.run_worker(
            lambda: self._write(snapshot, seq), thread=True, group="save", exit_on_error=False
        )

    def _write(self, snapshot: Iteration, seq: int) -> None:
        with self._save_lock:
            if seq <= self._saved:
                return  # a newer version is on disk already
            try:
                self.store.save(snapshot)
            except StoreError as exc:
                self.call_from_thread(self._not_saved, exc)
                return
            self._saved = max(self._saved, seq)
        self.call_from_thread(self.history.put, IterationSummary.of(snapshot))

    def save_now(self) -> bool:
        """Write pending changes now, after any save under way; False (with a notification)
        when the disk refused. Used when leaving an iteration, quitting and hanging up."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if self.iteration is None or self._conflict:
            return not self._dirty
        with self._save_lock:
            if not self._dirty:
                return True
            seq = self._changes
            try:
                self.store.save(self.iteration)
            except StoreError as exc:
                self._not_saved(exc)
                return False
            self._saved = self._queued = max(self._saved, seq)
        self.history.put(IterationSummary.of(self.iteration))
        return True

    def _not_saved(self, exc: StoreError) -> None:
        self._queued = self._saved  # the next change tries again
        if isinstance(exc, ConflictError):
            self._conflict = True
            self.notify(
                f"{exc.path.name} {exc.reason}. Your edits are kept here, not saved: use "
                "the palette (ctrl+p) to reload the file or save your version as a copy.",
                title="Not saved: the file changed on disk",
                severity="error",
                timeout=30,
                markup=False,
            )
            return
        self.notify(
            f"{exc}. Your edits are kept in memory; the next change tries again.",
            title="Not saved",
            severity="error",
            timeout=15,
            markup=False,
        )

    def reload_from_disk(self) -> None:
        """Resolve a conflict by taking the version on disk (the edits here are dropped)."""
        if self.iteration is None:
            return
        try:
            fresh = self.store.load(self.iteration.id)
        except StoreError as exc:
            self.notify(str(exc), title="Cannot reload", severity="error", markup=False)
            return
        self._models[fresh.id] = self.iteration = fresh
        self.history.put(IterationSummary.of(fresh))
        self._dirty = self._conflict = False
        self.show_step(self._current_step())

    def save_as_copy(self) -> None:
        """Resolve a conflict by keeping both: the edits here go to a new iteration file."""
        if self.iteration is None:
            return
        copy = self.iteration.model_copy(deep=True)
        copy.id = self.store.new_id(copy.starts)
        copy.number = self.history.next_number
        copy.title = f"{copy.title} (copy)".strip()
        self._dirty = self._conflict = False
        self._models[copy.id] = self.iteration = copy
        self._dirty = True
        if self.save_now():
            self.notify(f"Saved as iteration {copy.number} ({copy.id})", markup=False)
            self.show_step(self._current_step())

    def _current_step(self) -> Step:
        return getattr(self.screen, "STEP", Step.STAKEHOLDERS)

    # -- command palette ----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from finops_tui.screens.home import HomeScreen

        yield SystemCommand("Iterations", "Back to the list of iterations", self.go_home)
        yield SystemCommand("New iteration", "Start a fresh iteration today", self.new_iteration)
        if isinstance(screen, HomeScreen) and screen.selected is not None:
            yield SystemCommand(
                "Export iteration…", "Markdown, HTML, JSON or CSV", screen.action_export
            )
        if self.iteration is not None:
            iteration = self.iteration
            yield SystemCommand(
                "Export iteration…",
                "Markdown, HTML, JSON or CSV",
                lambda: self.export_iteration(iteration),
            )
            for step in Step:
                yield SystemCommand(
                    f"Go to {step.title}", step.heading, lambda s=step: self.show_step(s)
                )
            if self.iteration.read_only:
                yield SystemCommand("Reopen iteration", "Make it editable again", self._reopen)
            else:
                yield SystemCommand("Close iteration", "End it after the review", self._close)
            if self._conflict:
                yield SystemCommand(
                    "Reload from disk",
                    "Take the file's version; drop the edits here",
                    self.reload_from_disk,
                )
                yield SystemCommand(
                    "Save as a copy",
                    "Keep both: your edits become a new iteration",
                    self.save_as_copy,
                )
        yield from super().get_system_commands(screen)

    def _close(self) -> None:
        if self.iteration is not None:
            self.iteration.close(self.today)
            self.changed()
            self.show_step(Step.REVIEW)

    def _reopen(self) -> None:
        if self.iteration is not None:
            self.iteration.reopen()
            self.changed()
            self.show_step(self._current_step())


def freeze_long_lived() -> None:
    """Take what start-up built (modules, catalogue, the loaded history) out of the cyclic
    garbage collector's reach. Its full passes otherwise rescan all of it and stall a
    keystroke for 50-100 ms every few hundred keys; now they walk only what came later."""
    gc.freeze()
