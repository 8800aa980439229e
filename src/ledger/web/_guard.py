"""Safe by default: the token on every request, CSRF on every write, strict headers.

* **Token** (as Jupyter does): the address printed at start-up carries ``?token=...``;
  the first request with it gets the token as a cookie (HttpOnly, SameSite=Strict,
  named after the port, since cookies ignore ports) and is redirected to the same
  address without it. Every request, static files included, needs the cookie or the
  token; without either it is refused (403) before any page code runs.
* **CSRF**: every write is a POST carrying the server's CSRF token, in the form
  (``csrf``) or the ``X-CSRF-Token`` header (htmx sends it); a POST from another
  origin is refused too. No GET writes anything.
* **Headers**: a Content-Security-Policy that allows only this server's own scripts,
  styles and images (no inline script), no framing, no referrer to other sites
  (Chromium sends a same-origin POST with ``Origin: null`` under ``no-referrer``), no
  caching.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp

__all__ = ["HEADERS", "Guard", "check_write", "cookie_name"]

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

_METHODS = frozenset({"GET", "HEAD", "POST"})


def cookie_name(port: int) -> str:
    return f"ledger-token-{port}"


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class Guard(BaseHTTPMiddleware):
    """Refuses any request without the token, and any method but GET, HEAD, POST."""

    def __init__(
        self,
        app: ASGIApp,
        token: str,
        cookie: str,
        refused: Callable[[Request, int, str], Response],
    ) -> None:
        super().__init__(app)
        self.token, self.cookie, self.refused = token, cookie, refused

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.method not in _METHODS:
            return self._headed(self.refused(request, 405, "only GET and POST are served"))
        given = request.query_params.get("token")
        if _same(given, self.token):
            return self._headed(self._welcome(request))
        if not _same(request.cookies.get(self.cookie), self.token):
            return self._headed(
                self.refused(request, 403, "open the address ledger serve printed (with its token)")
            )
        if request.method == "POST" and not _same_origin(request):
            return self._headed(self.refused(request, 403, "a write from another site"))
        return self._headed(await call_next(request))

    def _welcome(self, request: Request) -> Response:
        """Keep the token as a cookie and show the same address without it."""
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
        target = request.url.path + (f"?{urlencode(kept)}" if kept else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            self.cookie, self.token, httponly=True, samesite="strict", path="/", secure=False
        )
        return response

    @staticmethod
    def _headed(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


def check_write(request: Request, form: FormData, csrf: str, read_only: bool) -> None:
    """Refuse a write without the CSRF token (403), or on a read-only server (403)."""
    given = request.headers.get("x-csrf-token") or form.get("csrf")
    if not isinstance(given, str) or not _same(given, csrf):
        raise HTTPException(403, "this form is out of date or not from this page (no CSRF token)")
    if read_only:
        raise HTTPException(403, "this server is read-only (ledger serve --read-only)")
