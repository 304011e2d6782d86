"""`finops-tui serve` end to end: the real server, the app in Debian's Chromium, the files.

Synchronisation is by polling the page's terminal, the files or the processes, never by fixed
sleeps."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from .browser import APP, Chromium, Served, Tab, until

# One worker runs them all (`--dist loadgroup`), so the suite starts one Chromium, not four.
pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture
def served(data_dir: Path) -> Iterator[Served]:
    server = Served(data_dir)
    yield server
    server.stop()


def titles(data_dir: Path) -> dict[int, str]:
    """Each iteration on disk: its number and title."""
    out = {}
    for path in (data_dir / "iterations").glob("*.toml"):
        with path.open("rb") as f:
            document = tomllib.load(f)
        out[document["number"]] = document.get("title", "")
    return out


def new_iteration_typing(chromium: Chromium, served: Served, title: str) -> Tab:
    """A tab on the served app, with a new iteration open and `title` typed into it."""
    tab = Tab(chromium)
    tab.open(served.url)
    tab.press("n")
    tab.wait_for("Before you begin")
    tab.type(title)
    return tab


def test_a_title_typed_then_the_tab_closed_at_once_is_saved(
    chromium: Chromium, served: Served
) -> None:
    tab = new_iteration_typing(chromium, served, "Typed in a browser")
    tab.close()  # at once: the last keys may still be on their way
    until(
        lambda: titles(served.data_dir) == {1: "Typed in a browser"},
        10,
        lambda: f"the title saved; on disk: {titles(served.data_dir)}",
    )
    until(lambda: not served.app_pids(), 10, "the tab's app to end")
    # Every request the page made went to this machine: the page, its assets, the WebSocket.
    assert tab.requests
    assert {urlsplit(url).hostname for url in tab.requests} == {"127.0.0.1"}
    assert any(urlsplit(url).path == "/ws" for url in tab.requests)


def test_without_the_token_the_page_is_refused(chromium: Chromium, served: Served) -> None:
    tab = Tab(chromium)
    assert tab.goto(served.base + "/") == 403
    assert tab.goto(served.base + "/?token=wrong-token-0123456789") == 403
    assert tab.goto(served.base + "/static/js/textual.js") == 403
    assert "finops-tui serve" in tab.call(lambda page: page.content())  # says what to open
    tab.close()


async def test_the_token_opens_page_and_websocket_and_nothing_else_does(
    served: Served,
) -> None:
    jar = aiohttp.CookieJar(unsafe=True)  # keeps cookies of an IP address, as browsers do
    async with aiohttp.ClientSession(served.base, cookie_jar=jar) as client:
        for path in ("/", "/static/js/textual.js", "/static/", "/download/x"):
            async with client.get(path) as response:
                assert response.status == 403, path
        async with client.get("/", params={"token": served.token}) as response:
            assert response.status == 200 and "textual.js" in await response.text()
        # The cookie now stands for the token; a folder is never listed.
        async with client.get("/static/js/textual.js") as response:
            assert response.status == 200
        async with client.get("/static/") as response:
            assert response.status == 403 and "textual.js" not in await response.text()
        origin = {"Origin": served.base}
        async with client.ws_connect("/ws", headers=origin) as socket:
            await socket.send_json(["ping", "1"])
            assert await socket.receive_json(timeout=20) == ["pong", "1"]
        for headers in ({"Origin": "http://evil.example"}, {}):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect("/ws", headers=headers)
            assert refused.value.status == 403
    async with aiohttp.ClientSession(served.base) as stranger:  # no cookie, no token
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await stranger.ws_connect("/ws", headers=origin)
        assert refused.value.status == 403
    until(lambda: not served.app_pids(), 10, "the one app let in to end")


def test_a_page_of_another_site_on_this_machine_cannot_drive_an_app(
    chromium: Chromium, served: Served, tmp_path: Path
) -> None:
    """Cookies go to every port of a host: the WebSocket's Origin check is what stops a page
    served from another local port (which the browser sends the cookie for)."""
    port = int(urlsplit(served.base).port or 0)
    (tmp_path / "evil").mkdir()
    (tmp_path / "evil" / "index.html").write_text(
        "<script>window.result = new Promise(done => {"
        f" const s = new WebSocket('ws://127.0.0.1:{port}/ws');"
        " s.onopen = () => done('open'); s.onclose = () => done('refused'); });</script>"
    )
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path / "evil"))
    evil = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        tab = Tab(chromium)
        tab.open(served.url)  # the cookie is set for 127.0.0.1
        until(lambda: served.app_pids(), 10, "the tab's app")
        apps = set(served.app_pids())
        tab.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
        assert tab.call(lambda page: page.evaluate("() => window.result")) == "refused"
        assert set(served.app_pids()) <= apps  # no app was started for that page
        tab.close()
    finally:
        evil.shutdown()


def test_two_tabs_number_apart_and_follow_each_other(chromium: Chromium, served: Served) -> None:
    a, b = Tab(chromium), Tab(chromium)
    a.open(served.url)
    b.open(served.url)
    a.press("n")
    b.press("n")
    a.wait_for("Before you begin")
    b.wait_for("Before you begin")
    until(lambda: sorted(titles(served.data_dir)) == [1, 2], 10, "two iterations, #1 and #2")
    b.press("Escape")
    b.wait_for("(untitled)")
    a.type("Budgets first")
    a.wait_for("Budgets first")
    took = until(lambda: "Budgets first" in b.screen(), 5, "A's title in B's list")
    assert took <= 2.0, f"tab B showed tab A's edit after {took:.2f}s"
    a.close()
    b.close()


def test_keys_in_a_browser(chromium: Chromium, served: Served) -> None:
    tab = Tab(chromium, viewport=(1000, 1800))  # room for the whole help panel
    tab.open(served.url)
    tab.press("n")
    screen = tab.wait_for("Before you begin")
    assert "F8 Next" in screen and "F7 Back" in screen  # not ^n, which opens a window
    tab.press("F8")
    tab.wait_for("Define your scope")
    tab.press("F7")
    tab.wait_for("Before you begin")
    tab.press("F1")  # the help lists the keys a browser lets through
    shown = ("Next step", "F8 Next", "F7 Back")  # all of them: a look may catch half a repaint
    until(lambda: all(text in tab.screen() for text in shown), 20, lambda: tab.screen())
    assert "^n" not in tab.screen()
    tab.press("F1", "Escape")
    tab.wait_for("(untitled)")
    tab.press("q")
    tab.call(lambda page: page.wait_for_selector("body.-closed"))
    message = tab.call(lambda page: page.inner_text(".ended"))
    assert "closing the tab is enough" in message and "saved" in message
    tab.close()


def test_sigterm_with_a_tab_open_saves_and_ends_within_3s(
    chromium: Chromium, served: Served
) -> None:
    tab = new_iteration_typing(chromium, served, "Saved on SIGTERM")
    tab.wait_for("Saved on SIGTERM")
    apps = served.app_pids()
    assert apps
    start = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    served.process.wait(10)
    took = time.monotonic() - start
    assert took <= 3.0, f"the server took {took:.2f}s to end"
    assert titles(served.data_dir) == {1: "Saved on SIGTERM"}
    assert not served.app_pids()
    tab.close()


def test_sigkill_of_the_server_leaves_no_app_behind(chromium: Chromium, served: Served) -> None:
    tab = new_iteration_typing(chromium, served, "Saved when the server died")
    tab.wait_for("Saved when the server died")
    assert served.app_pids()
    served.process.send_signal(signal.SIGKILL)
    until(lambda: not served.app_pids(), 5, "every app process to end")
    assert titles(served.data_dir) == {1: "Saved when the server died"}
    tab.close()


def test_the_link_comes_first_with_a_fresh_token_each_time(data_dir: Path) -> None:
    first, second = Served(data_dir), Served(data_dir)
    try:
        for server in (first, second):
            assert server.url.startswith("http://127.0.0.1:")
            assert len(server.token) >= 43  # 32 random bytes
        assert first.token != second.token
        assert "warning" not in first.said()  # loopback: nothing to warn about
    finally:
        first.stop()
        second.stop()


def test_a_token_of_ones_own(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINOPS_TUI_SERVE_TOKEN", "from-the-environment-0123")
    by_env = Served(data_dir)
    by_flag = Served(data_dir, "--token", "from-the-command-line-0123")
    try:
        assert by_env.token == "from-the-environment-0123"
        assert by_flag.token == "from-the-command-line-0123"
    finally:
        by_env.stop()
        by_flag.stop()
    short = subprocess.run(
        [str(APP), "serve", "--token", "short"], capture_output=True, text=True, timeout=30
    )
    assert short.returncode == 2 and "at least 16 characters" in short.stderr
    assert "Traceback" not in short.stderr


def test_another_host_than_this_machine_warns_to_put_tls_in_front(data_dir: Path) -> None:
    server = Served(data_dir, "--host", "0.0.0.0")
    try:
        assert server.url.startswith("http://") and "?token=" in server.url
        warning = server.said()
        assert "warning" in warning and "TLS" in warning
    finally:
        server.stop()


def test_a_tab_app_whose_input_ends_saves_and_ends(data_dir: Path) -> None:
    """Where the kernel cannot end an app with its server (not Linux), the end of its input
    does: the app saves what was typed and ends, as after a hang-up."""
    app = subprocess.Popen(
        [sys.executable, "-m", "finops_tui.serve.tab", "--data-dir", str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=os.environ | {"TEXTUAL_DRIVER": "finops_tui.serve.driver:ServedDriver"},
    )
    assert app.stdin is not None and app.stdout is not None
    output = bytearray()
    threading.Thread(target=lambda: _drain(app.stdout, output), daemon=True).start()

    def send(text: str) -> None:
        data = text.encode()
        app.stdin.write(b"D" + len(data).to_bytes(4, "big") + data)
        app.stdin.flush()

    until(lambda: b"Press  n  to start" in output, 20, "the first screen")
    send("n")
    until(lambda: b"Before you begin" in output, 20, "the new iteration")
    send("Piped")
    until(lambda: b"Piped" in output, 20, "the title on screen")
    app.stdin.close()
    app.wait(5)
    assert titles(data_dir) == {1: "Piped"}


def _drain(stream: Any, into: bytearray) -> None:
    while chunk := stream.read1(65536):
        into.extend(chunk)


def test_the_server_itself_never_loads_textual() -> None:
    code = (
        "import sys, finops_tui.serve.server\n"
        "assert 'textual' not in sys.modules and 'pydantic' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_open_hands_the_link_to_the_browser(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = tmp_path / "opened"
    opener = tmp_path / "opener"
    opener.write_text(f'#!/bin/sh\nprintf %s "$1" > {opened}\n')
    opener.chmod(0o755)
    monkeypatch.setenv("BROWSER", f"{opener} %s")  # what Python's webbrowser runs
    server = Served(data_dir, "--open")
    try:
        until(lambda: opened.exists() and opened.read_text(), 10, "the browser to be asked")
        assert opened.read_text() == server.url
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("installed", "says"),
    [(None, "pip install 'finops-tui[web]'"), ("1.2.0", "built on textual-serve 1.1.x")],
)
def test_serve_needs_the_textual_serve_it_was_built_on(
    monkeypatch: pytest.MonkeyPatch, installed: str | None, says: str
) -> None:
    from importlib.metadata import PackageNotFoundError

    from finops_tui.serve import ServeError, server

    def version(name: str) -> str:
        if installed is None:
            raise PackageNotFoundError(name)
        return installed

    monkeypatch.setattr(server, "version", version)
    with pytest.raises(ServeError, match=re.escape(says)):
        server.check_textual_serve()
