"""`finops-tui serve`: the same app in a browser, one app process per tab, safe by default.

It listens on 127.0.0.1 unless told otherwise, and only whoever has the printed link (its
random token) gets in. This module checks the options and prints the link; `server.py` serves
(with textual-serve, the `web` extra), `guard.py` keeps strangers out, `tab.py` is the app
process of one tab. The server process never imports Textual.
"""

from __future__ import annotations

import ipaddress
import secrets
import sys
from pathlib import Path
from urllib.parse import quote

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TOKEN_ENV = "FINOPS_TUI_SERVE_TOKEN"
TOKEN_BYTES = 32
"""Bytes of randomness in a generated token (printed as 43 URL-safe characters)."""
MIN_TOKEN_LENGTH = 16
TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class ServeError(Exception):
    """The server cannot start; the message says why in one line."""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_problem(token: str) -> str | None:
    """Why a token given by the user cannot be used, or None."""
    if len(token) < MIN_TOKEN_LENGTH:
        return f"the token must be at least {MIN_TOKEN_LENGTH} characters long"
    if not set(token) <= TOKEN_ALPHABET:
        return "the token may hold only letters, digits and - . _ ~"
    return None


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host`."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def link(host: str, port: int, token: str) -> str:
    """The address to open, with its token (a wildcard host is shown as this machine's name)."""
    if host in ("0.0.0.0", "::", ""):
        import socket

        host = socket.gethostname()
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{port}/?token={quote(token, safe='')}"


def exposure_warning(host: str) -> str:
    return (
        f"warning: serving on {host}, which other machines can reach. Anyone with the link can "
        "read and change every iteration, and plain HTTP sends the link in clear text: put a "
        "TLS proxy (HTTPS) in front, or serve on 127.0.0.1 and reach it through an SSH tunnel."
    )


def run(*, data_dir: Path, host: str, port: int, token: str, open_browser: bool = False) -> None:
    """Serve until stopped; the link is the first line on stdout (raises ServeError)."""
    import asyncio

    from finops_tui.serve.server import FinOpsServer

    if not is_loopback(host):
        print(f"finops-tui: {exposure_warning(host)}", file=sys.stderr)
    server = FinOpsServer(host=host, port=port, token=token, data_dir=data_dir)

    def ready(bound: int) -> None:
        url = link(host, bound, token)
        print(url, flush=True)
        print(
            f"finops-tui: serving the iterations in {data_dir}; each browser tab runs its own "
            "app. ctrl+c stops (everything typed is saved first).",
            file=sys.stderr,
            flush=True,
        )
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    asyncio.run(server.run(ready))
