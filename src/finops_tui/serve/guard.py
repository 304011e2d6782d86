"""Who may use a served finops-tui: whoever has the link's token, from the page itself.

An aiohttp middleware in front of every route (the page, its static files, downloads and the
WebSocket that drives an app): a request passes with the token in its query (`?token=…`) or
in the cookie that the first such visit sets; anything else is 403. The WebSocket must also
come from a page of this server (its Origin is this server's host), so no other site open in
the same browser can drive an app with the cookie. Every response carries headers that keep
the page out of frames and out of other sites' reach. No Textual, no textual-serve here.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode, urlsplit

from aiohttp import web

FORBIDDEN = (
    "403 Forbidden: open the link that `finops-tui serve` printed (the one with ?token=…).\n"
)
WEBSOCKET_PATH = "/ws"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def cookie_name(token: str) -> str:
    """A cookie of its own per token: two servers on one host never take each other's."""
    return "finops-tui-" + hashlib.sha256(token.encode()).hexdigest()[:12]


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def origin_matches(request: web.Request) -> bool:
    """Whether the request comes from a page of this server (same host and port)."""
    origin = request.headers.get("Origin")
    if not origin:
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == request.host.lower()


def guard(token: str) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """The middleware that lets in only requests carrying `token` (see the module)."""
    cookie = cookie_name(token)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        by_query = _same(request.query.get("token"), token)
        if not (by_query or _same(request.cookies.get(cookie), token)):
            return _forbidden()
        if request.path == WEBSOCKET_PATH and not origin_matches(request):
            return _forbidden("403 Forbidden: this connection does not come from the page.\n")
        if by_query and request.method == "GET" and request.path == "/":
            # The token leaves the address bar (and history) once the cookie holds it.
            rest = urlencode([(k, v) for k, v in request.query.items() if k != "token"])
            response: web.StreamResponse = web.Response(
                status=303, headers={"Location": "/" + (f"?{rest}" if rest else "")}
            )
        else:
            response = await handler(request)
        if by_query:
            response.set_cookie(
                cookie, token, httponly=True, samesite="Strict", path="/", secure=request.secure
            )
        _protect(response, cache=request.path.startswith("/static/"))
        return response

    return middleware


def _forbidden(text: str = FORBIDDEN) -> web.Response:
    response = web.Response(status=403, text=text)
    _protect(response)
    return response


def _protect(response: web.StreamResponse, *, cache: bool = False) -> None:
    """Headers for every answer: no sniffing, no referrer, no frames; only the unchanging
    static files may be kept by the browser."""
    if response.prepared:
        return  # a WebSocket, already answered
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    if not cache:
        headers.setdefault("Cache-Control", "no-store")
