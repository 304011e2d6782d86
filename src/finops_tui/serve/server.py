"""The web server of `finops-tui serve`: textual-serve's protocol, our page, our rules.

textual-serve runs one app process per browser tab and relays the terminal between the tab's
WebSocket and the process. Taken from it as they are: the relay (`AppService`: the packets,
the resize, focus and quit messages, file deliveries), its download route, and its static
files (xterm.js with textual's glue, the Roboto Mono font). Ours: the routes behind the token
(`guard.py`), the page (`page.html`, only local assets), how an app process starts (no shell
in between, in a session of its own, told which server it belongs to: `tab.py`), and how the
server stops: every app saves and ends, within `STOP_WITHIN` seconds.

Everything that relies on textual-serve's internals is in this module, and the server refuses
to start with a textual-serve other than the one it was built on (`TESTED`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import sys
from asyncio.subprocess import Process
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path
from string import Template

from finops_tui.serve import ServeError

TESTED = "1.1."
"""The textual-serve release line this module is built and tested on."""
STOP_WITHIN = 3.0
"""Seconds from SIGTERM (or ctrl+c) to the server's end, every app saved and ended."""
APP_GRACE = 1.8
"""...of which the apps get this long to save and end (they do within 1.5 s) before they are
killed; the rest is for the connections to close."""
QUIT_GRACE = 5.0
"""Seconds an app may take to end after its tab closed, before it is told more firmly."""
TERM_GRACE = 2.0
"""Seconds an app may take to end after SIGTERM (it saves and ends within 1.5 s)."""


def check_textual_serve() -> None:
    """Refuse a textual-serve this module was not built on (its internals are used here)."""
    try:
        found = version("textual-serve")
    except PackageNotFoundError:
        raise ServeError(
            "finops-tui serve needs textual-serve: pip install 'finops-tui[web]'"
        ) from None
    if not found.startswith(TESTED):
        raise ServeError(
            f"finops-tui serve is built on textual-serve {TESTED}x, and {found} is installed: "
            f"pip install 'textual-serve>={TESTED}3,<1.2'"
        )


check_textual_serve()

from aiohttp import web  # noqa: E402
from textual_serve.app_service import AppService  # noqa: E402
from textual_serve.server import Server  # noqa: E402

from finops_tui.serve.guard import WEBSOCKET_PATH, guard  # noqa: E402

PAGE = Template(files("finops_tui.serve").joinpath("page.html").read_text(encoding="utf-8"))
CSP = (
    "default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


class AppProcess(AppService):
    """The app process of one tab, started as `argv` with `env` added to textual-serve's."""

    def __init__(self, argv: list[str], env: dict[str, str], **relay: object) -> None:
        super().__init__(" ".join(argv), **relay)  # type: ignore[arg-type]
        self.argv, self.env = argv, env

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        # textual-serve 1.1 starts `command` through a shell; this starts the app itself, so
        # that the server is its parent (the app ends when the server dies), and in a session
        # of its own (ctrl+c in the server's terminal reaches the server, which stops the
        # apps in order, each saving first).
        environment = self._build_environment(width=width, height=height) | self.env
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    @property
    def process(self) -> Process | None:
        return self._process

    async def end(self, *, quit_grace: float = QUIT_GRACE) -> None:
        """Ask the app to save and end (its tab closed); tell it more firmly if it does not.
        With `quit_grace=0`, SIGTERM at once: it saves and ends within 1.5 s."""
        process = self._process
        if process is not None and process.returncode is None:
            if quit_grace > 0:
                await self.send_meta({"type": "quit"})
                await _wait(process, quit_grace)
            if process.returncode is None:
                _signal(process, signal.SIGTERM)
                await _wait(process, TERM_GRACE)
            if process.returncode is None:
                _signal(process, signal.SIGKILL)
                await process.wait()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 1.0)  # the relay reads the last output
            self._task = None
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)


async def _wait(process: Process, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), seconds)


def _signal(process: Process, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signum)


class FinOpsServer(Server):
    """Serves one data dir's finops-tui: one app process per tab, behind the token."""

    def __init__(self, *, host: str, port: int, token: str, data_dir: Path) -> None:
        super().__init__(command="finops-tui", host=host, port=port, title="finops-tui")
        self.token = token
        self.argv = [sys.executable, "-m", "finops_tui.serve.tab", "--data-dir", str(data_dir)]
        self.env = {
            "TEXTUAL_DRIVER": "finops_tui.serve.driver:ServedDriver",
            "FINOPS_TUI_SERVE_PARENT": str(os.getpid()),
        }
        self.apps: set[AppProcess] = set()
        self.stopping = False

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[guard(self.token)])
        app.add_routes(
            [
                web.get("/", self.handle_index),
                web.get(WEBSOCKET_PATH, self.handle_websocket),
                web.get("/download/{key}", self.handle_download),
                web.static("/static", self.statics_path, show_index=False, follow_symlinks=False),
            ]
        )
        return app

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        nonce = secrets.token_urlsafe(16)
        try:
            font_size = min(48, max(6, int(request.query.get("fontsize", "16"))))
        except ValueError:
            font_size = 16
        return web.Response(
            text=PAGE.substitute(nonce=nonce, font_size=font_size),
            content_type="text/html",
            headers={"Content-Security-Policy": CSP.format(nonce=nonce)},
        )

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if self.stopping:
            raise web.HTTPServiceUnavailable(text="finops-tui serve is stopping\n")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _size(request.query.get("width"), 80)
        height = _size(request.query.get("height"), 24)
        await websocket.prepare(request)
        app = AppProcess(
            self.argv,
            self.env,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=False,
        )
        self.apps.add(app)
        try:
            await app.start(width, height)
            await self._process_messages(websocket, app)
        except Exception as error:  # a broken message ends this tab's app, not the server
            print(f"finops-tui serve: a tab's connection failed: {error!r}", file=sys.stderr)
        finally:
            if not self.stopping:  # when stopping, `run` ends every app at once
                await asyncio.shield(app.end())
                self.apps.discard(app)
            with contextlib.suppress(Exception):
                await websocket.close()
        return websocket

    async def run(self, ready: Callable[[int], None]) -> None:
        """Serve until SIGTERM, SIGINT or SIGHUP; `ready(port)` once listening."""
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=0.2)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise ServeError(_bind_problem(self.host, self.port, exc)) from None
        ready(runner.addresses[0][1])
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        await self.stop(runner)

    async def stop(self, runner: web.AppRunner) -> None:
        """Every app saves and ends (killed after APP_GRACE), then the server ends."""
        self.stopping = True
        apps = list(self.apps)
        ending = asyncio.gather(*(app.end(quit_grace=0) for app in apps))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(ending), APP_GRACE)
        for app in apps:
            if app.process is not None and app.process.returncode is None:
                _signal(app.process, signal.SIGKILL)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ending, 0.3)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(runner.cleanup(), STOP_WITHIN - APP_GRACE - 0.5)


def _size(value: str | None, default: int) -> int:
    try:
        return min(1000, max(10, int(value or default)))
    except ValueError:
        return default


def _bind_problem(host: str, port: int, exc: OSError) -> str:
    import errno

    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is in use on {host}: choose another with --port (0 picks a free one)"
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on port {port}: use a port above 1023"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
