"""The Textual application: bindings, the command palette, modes, and the session's wiring.

The `Session` owns the history and the open iteration; the app turns each of its changes into
the reactive `change`, which every screen watches, and shows the mode that fits: the list of
iterations ("home") or the open iteration's steps ("iteration").
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import threading
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.screen import ModalScreen, Screen

from finops_tui import __version__
from finops_tui.config import Config, load_config, save_config
from finops_tui.index import History
from finops_tui.keys import KeyOrder, ordering_supported
from finops_tui.session import Change, ChangeKind, Session
from finops_tui.steps import Step
from finops_tui.store import Store, StoreError, write_export
from finops_tui.stylesheet import SteadyStylesheet
from finops_tui.wording import count

if TYPE_CHECKING:
    # The model, the catalogue and pydantic load after the first paint (see `_read_history`).
    from finops_tui.catalog import Catalog
    from finops_tui.model import Iteration

HOME, ITERATION = "home", "iteration"
PROGRESS_EVERY = 0.1  # seconds between updates of the loading counter
HANGUP_GRACE = 1.5  # seconds from losing the terminal to the end of the process...
KEYS_GRACE = 0.8  # ...of which the keys typed just before may take this long to go in
SHUTDOWN_GRACE = 3.0  # seconds any shutdown may take before the process is ended anyway


def _home_screen() -> Screen[None]:
    from finops_tui.screens.home import HomeScreen

    return HomeScreen()


class FinOpsApp(App[None]):
    """finops-tui: one FinOps iteration at a time."""

    TITLE = "finops-tui"
    SUB_TITLE = f"v{__version__}"
    CSS_PATH = "styles/app.tcss"
    MODES = {HOME: _home_screen}
    DEFAULT_MODE = HOME
    BINDINGS = [
        # Off the footer, which needs the room at 80 columns; the list shows `q`, F1 both.
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, show=False),
        Binding("f1,question_mark", "help", "Keys", id="help", key_display="F1"),
        Binding("ctrl+z", "undo", "Undo", id="undo", show=False, tooltip="Undo the last change"),
        Binding("ctrl+y", "redo", "Redo", id="redo", show=False, tooltip="Redo what was undone"),
        Binding(
            "f9",
            "progress",
            "Progress",
            id="progress",
            show=False,
            tooltip="The maturity trend across iterations",
        ),
    ]

    # `var`: a plain reactive that repaints nothing itself; the screens that watch it do.
    change: var[Change | None] = var(None, init=False, always_update=True)
    """The session's latest change: screens watch it and show what it changed."""
    reading: var[tuple[int, int]] = var((0, 0), init=False)
    """Files of the data dir read so far, of how many (while the list loads)."""

    class SessionWoke(Message):
        """The session's writer thread has news (a save done or refused)."""

    class ReadProgress(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class Synced(Message):
        """`finops-tui sync` ran in a thread: its result, or why it could not."""

        def __init__(self, result: object | None, error: str | None) -> None:
            super().__init__()
            self.result, self.error = result, error

    class HistoryRead(Message):
        """The first read of the data dir is over."""

        def __init__(
            self,
            history: History,
            error: str | None,
            ordered_keys: bool,
            catalog_problems: list[str],
        ) -> None:
            super().__init__()
            self.history, self.error, self.ordered_keys = history, error, ordered_keys
            self.catalog_problems = catalog_problems

    def __init__(
        self,
        store: Store,
        *,
        config_path: Path | None = None,
        today: date | None = None,
        notice: str | None = None,
        export_dir: Path | None = None,
        cache_dir: Path | None = None,
        watch_disk: bool = True,
    ) -> None:
        """`watch_disk`: follow files that other processes change (another window or tab)."""
        super().__init__()
        self.stylesheet = SteadyStylesheet(variables=self.get_css_variables())
        self.export_dir = export_dir or Path.cwd()
        self.cost_data_dir = self.export_dir  # where the baseline dialog starts looking
        self.config_path = config_path
        self.config = Config()
        self.notice = notice
        self.keys = KeyOrder(self)
        self.session = Session(store, cache_dir=cache_dir, today=today, wake=self._wake)
        self.watch_disk = watch_disk
        self._next_step: Step | None = None
        self._frozen_after_open = False
        self.keys_panel_open = False
        """F1 opened the keys panel: each screen then shows it, until F1 closes it."""
        self.places: dict[tuple[str, Step], object] = {}
        """Where the user was on each step of each iteration (the cursor comes back there)."""

    # -- start and stop -----------------------------------------------------------------------

    def post_message(self, message: Message) -> bool:
        # Keys and pastes from the terminal go through the key order (see `keys.py`).
        return self.keys.take(message) or super().post_message(message)

    def on_mount(self) -> None:
        self.keys.start()
        if self.config_path is not None:
            self.config, problem = load_config(self.config_path)
            if problem:
                self.notify(problem, severity="warning", markup=False)
            if self.config.theme in self.available_themes:
                self.theme = self.config.theme
            self.session.iteration_weeks = self.config.iteration_weeks
        self.session.subscribe(self._session_changed)
        if not self.is_headless:
            self._catch_hangups()
        self.call_after_refresh(self._start_reading)
        if self.notice:
            self.notify(self.notice, timeout=8, markup=False)

    def _start_reading(self) -> None:
        # The first screen is on the terminal already; the files are read (and the model and
        # pydantic imported) in a thread, so a long history never delays it. Keys typed
        # meanwhile wait in the key order and are let in once the list is there. The thread
        # reports with messages, which never block: it cannot hold up an app that is ending.
        threading.Thread(target=self._read_history, name="history", daemon=True).start()

    def _read_history(self) -> None:
        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            if (now := time.monotonic()) - last >= PROGRESS_EVERY:
                last = now
                self.post_message(self.ReadProgress(done, total))

        catalogs: list[str] = []
        try:
            history, error = self.session.read_history(progress), None
            import finops_tui.model  # noqa: F401  (warm: the first open is instant)
            from finops_tui.frameworks import catalog_problems

            catalogs = [str(problem) for problem in catalog_problems()]
        except StoreError as exc:
            history, error = History(), str(exc)
        except Exception as exc:  # a bug must not leave the app waiting forever
            history, error = History(), f"Could not read the data dir: {exc!r}"
        self.post_message(self.HistoryRead(history, error, ordering_supported(), catalogs))

    @on(ReadProgress)
    def _read_progress(self, message: ReadProgress) -> None:
        self.reading = (message.done, message.total)

    @on(HistoryRead)
    def _history_read(self, message: HistoryRead) -> None:
        self.session.catalog_problems = message.catalog_problems
        self.session.history_read(message.history, message.error)
        if self.watch_disk:
            self.session.watch_disk()
        self.keys.open(ordered=message.ordered_keys)
        self.call_after_refresh(freeze_long_lived)

    def _wake(self) -> None:
        self.post_message(self.SessionWoke())  # from the writer thread; never blocks

    @on(SessionWoke)
    def _session_woke(self) -> None:
        self.session.collect()

    def _catch_hangups(self) -> None:
        """SIGHUP (SSH dropped, terminal closed) and SIGTERM end the app, saving first.

        A plain signal handler, not the event loop's: it runs even while the loop is busy,
        and from that moment the process ends within HANGUP_GRACE whatever else happens."""
        loop = asyncio.get_running_loop()

        def hung_up(signum: int, frame: object) -> None:
            self._end_within(HANGUP_GRACE)
            with contextlib.suppress(RuntimeError):  # the loop is closed: already ending
                loop.call_soon_threadsafe(self._on_hangup)

        for name in ("SIGHUP", "SIGTERM"):
            if (sig := getattr(signal, name, None)) is not None:
                try:
                    signal.signal(sig, hung_up)
                except ValueError:
                    return  # not the main thread: the embedding program handles signals

    def _on_hangup(self, keys_grace: float = KEYS_GRACE) -> None:
        """SSH dropped or the terminal was closed (or a served app's tab): write what is
        pending, then leave; the keys typed just before may take `keys_grace` to go in."""
        self.run_worker(self._hang_up(keys_grace), name="hang-up", exit_on_error=False)

    async def _hang_up(self, keys_grace: float) -> None:
        try:
            await self.keys.drain(keys_grace)  # keys typed just before still count
        finally:
            self.session.flush()
            self.exit(return_code=0)

    def _end_within(self, seconds: float) -> None:
        """Make sure the process ends: writing to a terminal that is gone can hang Textual's
        shutdown, and nothing is left to save by now."""
        if self.is_headless:
            return
        timer = threading.Timer(seconds, lambda: os._exit(self.return_code or 0))
        timer.daemon = True
        timer.start()

    async def action_quit(self) -> None:
        self.session.flush()
        self.exit()

    def on_unmount(self) -> None:
        # Every way out passes here: whatever is pending is written before the app ends.
        self.session.stop()
        self._end_within(SHUTDOWN_GRACE)

    def watch_theme(self, theme: str) -> None:
        if self.config_path is None or not self.is_mounted or theme == self.config.theme:
            return
        self.config.theme = theme
        try:
            save_config(self.config_path, self.config)
        except StoreError as exc:
            self.notify(f"Theme not remembered: {exc}", severity="warning", markup=False)

    def action_command_palette(self) -> None:
        from finops_tui.widgets.palette import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette"))

    def action_help(self) -> None:
        if self.screen.query("KeysPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_show_help_panel(self) -> None:
        """The keys of the screen (`widgets/keys_panel.py`, in place of Textual's panel)."""
        from finops_tui.widgets.keys_panel import KeysPanel

        self.keys_panel_open = True
        if not self.screen.query(KeysPanel):
            self.screen.mount(KeysPanel())

    def action_hide_help_panel(self) -> None:
        self.keys_panel_open = False
        self.screen.query("KeysPanel").remove()

    # -- the session --------------------------------------------------------------------------

    def _session_changed(self, change: Change) -> None:
        if change.kind is ChangeKind.OPENED:
            iteration = self.session.iteration
            assert iteration is not None
            step = self._next_step or (Step.REVIEW if iteration.read_only else Step.STAKEHOLDERS)
            self._next_step = None
            self.show_step(step)
            if not self._frozen_after_open:  # the steps' modules and the model's schemas
                self._frozen_after_open = True  # are built on the first open: freeze them too
                self.call_after_refresh(freeze_long_lived)
            if iteration.catalog_problem:
                self.notify(iteration.catalog_problem, severity="warning", markup=False)
        elif change.kind is ChangeKind.LEFT:
            self._show_home()
        elif change.kind is ChangeKind.CONFLICT:
            self.notify(
                f"{change.what}. Your edits are kept here, not saved: use the palette (ctrl+p) "
                "to reload the file (ctrl+z then brings your edits back) or save them as a copy.",
                title="Not saved: the file changed on disk",
                severity="error",
                timeout=30,
                markup=False,
            )
        elif change.kind is ChangeKind.NOT_SAVED:
            self.notify(
                f"{change.what}. Your edits are kept in memory; the next change tries again.",
                title="Not saved",
                severity="error",
                timeout=15,
                markup=False,
            )
        self.change = change

    @property
    def catalog(self) -> Catalog:
        """The open iteration's catalogue (a stand-in naming capabilities by id when it is
        not installed here)."""
        from finops_tui.catalog import load_catalog

        iteration = self.session.iteration
        return iteration.display_catalog() if iteration else load_catalog()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("undo", "redo"):
            return not isinstance(self.screen, ModalScreen)  # not under an open dialog
        return True

    def action_progress(self) -> None:
        """Show the progress across iterations (over whatever is on screen)."""
        from finops_tui.screens.progress import ProgressScreen

        if not isinstance(self.screen, ProgressScreen | ModalScreen):
            self.push_screen(ProgressScreen())

    def action_undo(self) -> None:
        if (what := self.session.undo()) is not None:
            self.notify(f"Undone: {what} (ctrl+y redoes it)", timeout=3, markup=False)
        else:
            self.notify("Nothing to undo.", timeout=3)

    def action_redo(self) -> None:
        if (what := self.session.redo()) is not None:
            self.notify(f"Redone: {what}", timeout=3, markup=False)
        else:
            self.notify("Nothing to redo.", timeout=3)

    # -- navigation ---------------------------------------------------------------------------

    def open_iteration(self, iteration_id: str, step: Step | None = None) -> None:
        """Open an iteration at a step (by default, where its status suggests)."""
        try:
            iteration = self.session.iteration_by_id(iteration_id)
        except StoreError as exc:
            self.notify(str(exc), title="Cannot open", severity="error", markup=False)
            return
        if self.session.iteration is iteration:
            self.show_step(step or Step.STAKEHOLDERS)
            return
        self._next_step = step
        self.session.open(iteration_id)

    def new_iteration(self) -> None:
        """Start a fresh iteration today and open its first step."""
        self.session.new_iteration()

    def show_step(self, step: Step) -> None:
        """Show a step of the open iteration, in place of the step shown now (if any)."""
        from finops_tui.screens import step_screen
        from finops_tui.screens.base import StepScreen

        if self.session.iteration is None:
            return
        with self.batch_update():
            if self.current_mode != ITERATION:
                # The mode's first screen stays under the steps, unseen: Textual replaces
                # only screens pushed on a mode, not the one it starts with.
                self.add_mode(ITERATION, Screen)
                self.switch_mode(ITERATION)
            if isinstance(self.screen, StepScreen):
                self.switch_screen(step_screen(step))
            else:
                self.push_screen(step_screen(step))

    def go_home(self) -> None:
        """Leave the open iteration (saving it) for the list of iterations."""
        if self.session.iteration is None:
            self._show_home()
        else:
            self.session.leave()

    def _show_home(self) -> None:
        if self.current_mode != HOME:
            self.switch_mode(HOME)
            self.remove_mode(ITERATION)

    # -- flows that go through dialogs --------------------------------------------------------

    @work
    async def offer_next_iteration(self, source: Iteration) -> None:
        """Start the iteration after `source`: say so when one already continues it (and offer
        to open that), offer the successor framework, ask whether unfinished goals come."""
        from finops_tui.frameworks import successor_framework
        from finops_tui.migrate import plan_migration
        from finops_tui.screens.dialogs import PickDialog

        if followers := self.session.followers_of(source.id):
            follower = followers[0]
            choice = await self.push_screen_wait(
                PickDialog(
                    f"#{follower.number} “{follower.title or 'untitled'}” already continues "
                    f"#{source.number} (it starts {follower.starts}).",
                    [
                        ("open", Content(f"Open #{follower.number}")),
                        ("another", Content(f"Start another iteration after #{source.number}")),
                    ],
                )
            )
            if choice == "open":
                self.open_iteration(follower.id)
            if choice != "another":
                return
        framework = source.framework
        if (successor := successor_framework(source.framework)) is not None:
            lines = plan_migration(source, successor).lines()
            shown = "\n".join(f"  {line}" for line in lines[:12])
            more = f"\n  … and {len(lines) - 12} more" if len(lines) > 12 else ""
            choice = await self.push_screen_wait(
                PickDialog(
                    f"#{source.number} uses {source.framework}; {successor} is the current "
                    f"FinOps Framework. Moving carries the scope and levels over:\n{shown}{more}",
                    [
                        ("move", Content(f"Move to {successor}")),
                        ("stay", Content(f"Stay on {source.framework}")),
                    ],
                )
            )
            if choice is None:
                return
            framework = successor if choice == "move" else source.framework
        unfinished = len(source.unfinished_goals())
        choice = "fresh"
        if unfinished:
            choice = await self.push_screen_wait(
                PickDialog(
                    f"Start the iteration after #{source.number}. "
                    f"{count(unfinished, 'goal')} {'was' if unfinished == 1 else 'were'} "
                    "not achieved:",
                    [
                        ("carry", Content("Carry them (and their open actions) over")),
                        ("fresh", Content("Start with no goals")),
                    ],
                )
            )
        if choice is not None:
            self.session.start_next(source, carry_unfinished=choice == "carry", framework=framework)

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
        self.export_dir = path.parent  # the next export starts in the same folder
        self.notify(f"Wrote {path}", title="Exported", markup=False)

    def trash(self, iteration_id: str) -> None:
        try:
            where = self.session.trash(iteration_id)
        except StoreError as exc:
            self.notify(str(exc), title="Not deleted", severity="error", markup=False)
            return
        self.notify(f"Moved to {where}", title="Deleted", markup=False)

    # -- a team on one history ---------------------------------------------------------------

    def action_sync(self) -> None:
        """Commit, merge and push the data dir with git, in a thread (git may take a while)."""
        if not self.session.flush():
            return  # the notification says why; syncing would leave the edits out
        data_dir = self.session.store.data_dir
        self.notify("Syncing with git…", timeout=3)
        self.session.look_away()

        def run() -> None:
            from finops_tui.sync import SyncError, sync

            try:
                result = sync(data_dir, interactive=False)
            except SyncError as exc:
                self.post_message(self.Synced(None, str(exc)))
            except Exception as exc:  # a bug must not go unseen
                self.post_message(self.Synced(None, f"sync failed: {exc!r}"))
            else:
                self.post_message(self.Synced(result, None))

        threading.Thread(target=run, name="sync", daemon=True).start()

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        from finops_tui.sync import SyncResult, lines

        if message.error is not None or not isinstance(message.result, SyncResult):
            self.session.look_again(taken_in=False)
            self.notify(message.error or "", title="Not synced", severity="error", markup=False)
            return
        result = message.result
        try:
            self.session.files_changed(result.changed_on_disk)
        except StoreError as exc:
            self.notify(str(exc), title="Cannot read a synced file", severity="error")
        self.session.look_again()
        self.session.loading = True
        self._start_reading()
        self.notify(
            "\n".join(lines(result)) or result.summary(),
            title="Synced" if result.in_sync else "Synced, with conflicts to resolve",
            severity="information" if result.in_sync else "warning",
            timeout=10,
            markup=False,
        )

    def _reload(self) -> None:
        try:
            self.session.reload_from_disk()
        except StoreError as exc:
            self.notify(str(exc), title="Cannot reload", severity="error", markup=False)

    def _save_as_copy(self) -> None:
        copy = self.session.save_as_copy()
        self.notify(f"Saved as iteration {copy.number} ({copy.id})", markup=False)

    # -- command palette ----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from finops_tui.screens.base import StepScreen
        from finops_tui.screens.home import HomeScreen

        session = self.session
        if (undo := session.undo_label) is not None:
            yield SystemCommand(
                f"Undo {undo}", "Take back the last change (ctrl+z)", self.action_undo
            )
        if (redo := session.redo_label) is not None:
            yield SystemCommand(
                f"Redo {redo}", "Do again what was undone (ctrl+y)", self.action_redo
            )
        yield SystemCommand("Iterations", "Back to the list of iterations", self.go_home)
        yield SystemCommand(
            "Progress",
            "The maturity trend across iterations; compare two (F9; p on the list)",
            self.action_progress,
        )
        yield SystemCommand("New iteration", "Start a fresh iteration today", self.new_iteration)
        if isinstance(screen, HomeScreen) and screen.selected is not None:
            yield SystemCommand(
                "Export iteration…", "Markdown, HTML, JSON or CSV", screen.action_export
            )
        yield SystemCommand(
            "Sync", "Commit, merge and push the iterations with git", self.action_sync
        )
        if (iteration := session.iteration) is not None:
            if iteration.conflicts and not iteration.read_only and isinstance(screen, StepScreen):
                yield SystemCommand(
                    "Resolve conflicts…",
                    "Pick a value for each field both sides changed (F6)",
                    screen.action_conflicts,
                )
            yield SystemCommand(
                "Export iteration…",
                "Markdown, HTML, JSON or CSV",
                lambda: self.export_iteration(iteration),
            )
            for step in Step:
                yield SystemCommand(
                    f"Go to {step.title}", step.heading, lambda s=step: self.show_step(s)
                )
            if iteration.read_only:
                yield SystemCommand("Reopen iteration", "Make it editable again", session.reopen)
            elif not iteration.catalog_missing:
                yield SystemCommand(
                    "Close iteration", "End it after the review", session.close_iteration
                )
            if session.conflict is not None:
                yield SystemCommand(
                    "Reload from disk",
                    "Take the file's version (ctrl+z brings your edits back)",
                    self._reload,
                )
                yield SystemCommand(
                    "Save as a copy",
                    "Keep both: your edits become a new iteration",
                    self._save_as_copy,
                )
        for command in super().get_system_commands(screen):
            if command.title == "Keys":  # Textual's asks after its own panel
                shown = bool(screen.query("KeysPanel"))
                help = "Hide the keys panel (F1)" if shown else "Show every key of this screen (F1)"
                yield SystemCommand("Keys", help, self.action_help)
            else:
                yield command


def freeze_long_lived() -> None:
    """Take what start-up built (modules, catalogue, the loaded history; after the first
    open, the steps' modules and the model's validators) out of the cyclic garbage
    collector's reach. Its full passes otherwise rescan all of it and stall a keystroke for
    50-100 ms every few hundred keys; now they walk only what came later."""
    gc.freeze()
