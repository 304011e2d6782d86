"""Baseline a goal from cost data: pick a FOCUS file or folder and a KPI, compute it in the
background with its progress shown, Escape to cancel. The figure goes back to the caller.

The worker thread tells the dialog what happens with typed messages (`post_message` is
thread-safe and never blocks, even while the app shuts down); every failure, expected or
not, reaches the dialog and is shown there.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static

from finops_tui.focus.kpis import KPIS, Options, parse_amount
from finops_tui.focus.measure import Cancelled, Measured, Measuring
from finops_tui.focus.reader import FocusError
from finops_tui.model import Measurement
from finops_tui.screens.dialogs import Dialog


class PathSuggester(Suggester):
    """Completes a typed path with the first file or folder that starts with it."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        typed = os.path.expanduser(value)
        folder, start = os.path.split(typed)
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            return None
        for name in names:
            if name.startswith(start) and name != start and not name.startswith("."):
                full = os.path.join(folder, name)
                suffix = "/" if os.path.isdir(full) else ""
                return value + name[len(start) :] + suffix
        return None


class BaselineDialog(Dialog[Measured]):
    """Which cost data, which KPI; Compute runs it in a thread; Escape cancels it."""

    SUBMIT_FROM_ANY_FIELD = True  # the other fields are optional: Enter computes at once

    class Progressed(Message):
        """The computation is at `text`, `share` done (None: unknown)."""

        def __init__(self, text: str, share: float | None) -> None:
            super().__init__()
            self.text, self.share = text, share

    class Failed(Message):
        """The computation failed; `text` says why."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Finished(Message):
        """The computation gave `measured`."""

        def __init__(self, measured: Measured) -> None:
            super().__init__()
            self.measured = measured

    def __init__(
        self,
        title: str,
        kpis: list[str],
        start: Path,
        *,
        kpi: str | None = None,
        cache_dir: Path | None = None,
        tag_aliases: dict[str, str] | None = None,
        cache_max_bytes: int | None = None,
        again: Measurement | None = None,
    ) -> None:
        """`again`: the goal's last figure; its file, KPI, tag key, currency and budget are
        filled in, so the new figure answers the same question."""
        super().__init__()
        self.again = again
        self.cache_dir = cache_dir
        self.cache_max_bytes = cache_max_bytes
        self.tag_aliases = tag_aliases or {}
        self.title_text = title
        self.kpis = kpis or list(KPIS)
        self.start = start
        wanted = again.kpi if again and again.kpi else kpi
        self.kpi = wanted if wanted in self.kpis else self.kpis[0]
        self.measuring: Measuring | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="baseline"):
            yield Static(Content(self.title_text), classes="dialog-title")
            yield Label("FOCUS cost data: a file or folder, or sc://host:port PATH (Spark)")
            yield Input(
                self.again.path if self.again and self.again.path else str(self.start) + os.sep,
                id="path",
                suggester=PathSuggester(),
                select_on_focus=False,
                placeholder="path (→ completes)",
            )
            yield Label("KPI")
            yield Select(
                [(Content(f"{KPIS[k].title} ({k})"), k) for k in self.kpis],
                value=self.kpi,
                allow_blank=False,
                id="kpi",
            )
            again = self.again
            with Horizontal(classes="dialog-options"):
                yield Input(
                    again.currency if again else "",
                    placeholder="currency if mixed",
                    id="currency",
                )
                yield Input(again.tag_key if again else "", placeholder="tag key", id="tag-key")
                budget = "" if again is None or again.budget is None else f"{again.budget:g}"
                yield Input(budget, placeholder="budget amount", id="budget")
            yield ProgressBar(total=None, show_eta=False, id="progress")
            yield Static("", id="status")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Compute", variant="primary", id="compute")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        path = self.query_one("#path", Input)
        path.focus()
        path.cursor_position = len(path.value)

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(error, "field-error")

    def submit(self) -> None:
        self._compute()

    @on(Button.Pressed, "#compute")
    def _compute(self) -> None:
        if self.measuring is not None:
            return
        typed = self.query_one("#path", Input).value.strip()
        # A Spark Connect URL and the cluster's path stay text; anything else is a file here.
        path = typed if typed.startswith("sc://") else Path(os.path.expanduser(typed))
        kpi = self.query_one("#kpi", Select).value
        budget_text = self.query_one("#budget", Input).value.strip()
        try:
            budget = parse_amount(budget_text, "Budget") if budget_text else None
        except ValueError as exc:
            self._status(str(exc), error=True)
            return
        tag_key = self.query_one("#tag-key", Input).value.strip() or None
        currency = self.query_one("#currency", Input).value.strip().upper() or None
        self.measuring = Measuring()
        self.query_one("#progress").display = True
        self.query_one("#compute", Button).disabled = True
        self._status("Starting… (Escape cancels)")
        options = Options(tag_key=tag_key, budget=budget)
        self._run(self.measuring, path, str(kpi), options, currency)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _run(
        self,
        measuring: Measuring,
        path: Path | str,
        kpi: str,
        options: Options,
        currency: str | None,
    ) -> None:
        def progress(text: str, share: float | None) -> None:
            self._tell(measuring, self.Progressed(text, share))

        try:
            measured = measuring.run(
                path,
                kpi,
                options,
                progress,
                self.cache_dir,
                currency=currency,
                tag_aliases=self.tag_aliases,
                cache_max_bytes=self.cache_max_bytes,
            )
        except Cancelled:
            return
        except FocusError as exc:
            message = str(exc)
            if message.endswith("choose one currency"):
                message += " in the currency field"
            self._tell(measuring, self.Failed(message))
        except Exception as exc:  # a bug must not leave the dialog waiting forever
            self._tell(measuring, self.Failed(f"Unexpected error: {type(exc).__name__}: {exc}"))
        else:
            self._tell(measuring, self.Finished(measured))

    def _tell(self, measuring: Measuring, message: Message) -> None:
        """Send the dialog a message from the worker thread; never blocks, never raises."""
        if measuring.cancelled:
            return
        with contextlib.suppress(RuntimeError):  # the app's event loop is gone: nobody waits
            self.post_message(message)

    @on(Progressed)
    def _progress(self, message: Progressed) -> None:
        bar = self.query_one("#progress", ProgressBar)
        if message.share is None:
            bar.update(total=None)
        else:
            bar.update(total=100, progress=message.share * 100)
        self._status(f"{message.text} (Escape cancels)")

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self._show_failure(message.text)

    def _show_failure(self, text: str) -> None:
        self.measuring = None
        self.query_one("#progress").display = False
        self.query_one("#compute", Button).disabled = False
        self._status(text, error=True)

    @on(Finished)
    def _done(self, message: Finished) -> None:
        result = message.measured.result
        if result.error:
            self._show_failure(f"{result.kpi}: {result.error}")
            return
        self.dismiss(message.measured)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.measuring is not None:
            self.measuring.cancel()
        self.dismiss(None)
