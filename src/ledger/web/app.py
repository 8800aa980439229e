"""The Starlette application: routes, the guard, and the one error page.

Every page is a GET that changes nothing; every write is a POST checked by
:func:`ledger.web._guard.check_write`. A :class:`ledger.LedgerError` (a bad value, an
unknown person) is shown as its one-line message; anything else as one generic page,
its traceback logged (logger ``ledger.web``), never shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ledger import Ledger, LedgerError
from ledger.web._ask import Ask, ask_of
from ledger.web._audit import audit_page, start_audit
from ledger.web._entry import FIELDS, log_form, start_import, write_touch
from ledger.web._guard import Guard, check_write, cookie_name
from ledger.web._intros import intros
from ledger.web._jobs import Job
from ledger.web._network import DIVERSITY_BY, network
from ledger.web._page import Context, base, heavy, show, show_job
from ledger.web._person import person, timeline_page
from ledger.web._render import render
from ledger.web._shell import Shell
from ledger.web._week import week, write_snooze

__all__ = ["LOOPBACK", "create_app"]

log = logging.getLogger("ledger.web")
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
_STATIC = Path(__file__).with_name("static")


def create_app(shell: Shell, *, port: int, hosts: tuple[str, ...] = LOOPBACK) -> Starlette:
    """The web application over ``shell``'s ledger, for a server on ``port``; requests
    naming another host than ``hosts`` are refused (DNS rebinding)."""
    pages = _Pages(shell)
    routes = [
        Route("/", pages.week),
        Route("/person", pages.person),
        Route("/person/timeline", pages.timeline),
        Route("/network", pages.network),
        Route("/intros", pages.intros),
        Route("/log", pages.log),
        Route("/log", pages.post_touch, methods=["POST"]),
        Route("/snooze", pages.post_snooze, methods=["POST"]),
        Route("/import", pages.post_import, methods=["POST"]),
        Route("/audit", pages.audit),
        Route("/audit", pages.post_audit, methods=["POST"]),
        Route("/jobs/{job_id}", pages.job),
        Mount("/static", StaticFiles(directory=_STATIC), name="static"),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts)),
        Middleware(Guard, token=shell.token, cookie=cookie_name(port), refused=pages.refused),
    ]
    handlers: dict[Any, Callable[..., Any]] = {
        LedgerError: pages.ledger_error,
        HTTPException: pages.http_error,
        Exception: pages.crash,
    }
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


class _Pages:
    """The endpoints, each a thin call into a page module."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell

    # -- pages -------------------------------------------------------------------------
    def week(self, request: Request) -> Response:
        def build(book: Ledger, ask: Ask, query: dict[str, str]) -> Context | Job:
            return heavy(self.shell, request, "week", ask, {}, lambda b: week(b, ask, query))

        return show(self.shell, request, "week.html", build)

    def person(self, request: Request) -> Response:
        def build(book: Ledger, ask: Ask, query: dict[str, str]) -> Context | Job:
            key = {"key": query.get("key", ""), "page": query.get("page", "")}
            return heavy(self.shell, request, "person", ask, key, lambda b: person(b, ask, query))

        return show(self.shell, request, "person.html", build)

    def timeline(self, request: Request) -> Response:
        return show(self.shell, request, "_timeline.html", timeline_page)

    def network(self, request: Request) -> Response:
        def build(book: Ledger, ask: Ask, query: dict[str, str]) -> Context | Job:
            scope = "all" if query.get("scope") == "all" or ask.me is None else "me"
            by = query.get("by", "org") if query.get("by") in DIVERSITY_BY else "org"
            return heavy(
                self.shell,
                request,
                "network",
                ask,
                {"scope": scope, "by": by},
                lambda b: network(b, ask, scope, by),
            )

        return show(self.shell, request, "network.html", build)

    def intros(self, request: Request) -> Response:
        def build(book: Ledger, ask: Ask, query: dict[str, str]) -> Context | Job:
            target = query.get("target", "").strip()
            return heavy(
                self.shell,
                request,
                "intros",
                ask,
                {"target": target},
                lambda b: intros(b, ask, target),
            )

        return show(self.shell, request, "intros.html", build)

    def log(self, request: Request) -> Response:
        def build(book: Ledger, ask: Ask, query: dict[str, str]) -> Context:
            job = self.shell.jobs.get(query.get("job", ""))
            return {**log_form(book, ask, query), "import_job": job}

        return show(self.shell, request, "log.html", build)

    def audit(self, request: Request) -> Response:
        return show(
            self.shell,
            request,
            "audit.html",
            lambda book, ask, q: audit_page(self.shell, book, ask),
        )

    def job(self, request: Request) -> Response:
        found = self.shell.jobs.get(request.path_params["job_id"])
        if found is None:
            raise HTTPException(404, "no such job (it may have finished long ago)")
        if found.finished and found.after and request.headers.get("hx-request"):
            response = Response(status_code=200)
            response.headers["HX-Redirect"] = found.after
            return response
        if request.headers.get("hx-request"):
            return render(request, "_job.html", {"job": found})
        return show_job(self.shell, request, found)

    # -- writes ------------------------------------------------------------------------
    async def _form(self, request: Request) -> dict[str, str]:
        form = await request.form()
        check_write(request, form, self.shell.csrf, self.shell.read_only)
        return {k: v for k, v in form.items() if isinstance(v, str)}

    async def post_touch(self, request: Request) -> Response:
        fields = await self._form(request)

        def work() -> tuple[Ask, str | None, str | None]:
            with self.shell.reading() as book:
                ask = ask_of(book, fields)
                try:
                    return ask, write_touch(book, ask, fields), None
                except LedgerError as error:
                    return ask, None, str(error)

        ask, done, error = await run_in_threadpool(work)
        if done is not None:
            self.shell.notice(done)
            return RedirectResponse(_local(fields.get("next", "")) or ask.link("/log"), 303)
        return await run_in_threadpool(self._log_again, request, ask, fields, error)

    def _log_again(
        self, request: Request, ask: Ask, fields: dict[str, str], error: str | None
    ) -> Response:
        """The form again, with what was typed and what is wrong; nothing was written."""
        with self.shell.reading() as book:
            context = log_form(book, ask, {})
        context["values"] = {name: fields.get(name, "") for name in FIELDS}
        context["error"] = error
        context["import_job"] = None
        return render(request, "log.html", {**base(self.shell, request, ask), **context}, 400)

    async def post_snooze(self, request: Request) -> Response:
        fields = await self._form(request)

        def work() -> Ask:
            with self.shell.reading() as book:
                ask = ask_of(book, fields)
                self.shell.notice(write_snooze(book, ask, fields))
                return ask

        ask = await run_in_threadpool(work)
        return RedirectResponse(_local(fields.get("next", "")) or ask.link("/"), 303)

    async def post_import(self, request: Request) -> Response:
        form = await request.form()
        check_write(request, form, self.shell.csrf, self.shell.read_only)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise HTTPException(400, "choose a file to upload")
        me = str(form.get("me_address") or "")
        after = _local(str(form.get("next") or "")) or "/log"
        job = await run_in_threadpool(
            start_import, self.shell, upload.filename, upload.file, me, after
        )
        separator = "&" if "?" in after else "?"
        job.after = f"{after}{separator}job={job.job_id}"
        return RedirectResponse(f"/jobs/{job.job_id}", 303)

    async def post_audit(self, request: Request) -> Response:
        fields = await self._form(request)
        after = _local(fields.get("next", "")) or "/audit"
        start_audit(self.shell, after)
        return RedirectResponse(after, 303)

    # -- errors ------------------------------------------------------------------------
    def refused(self, request: Request, status: int, message: str) -> Response:
        return render(request, "error.html", self._error(request, status, message), status)

    def _error(self, request: Request, status: int, message: str) -> Context:
        return {**base(self.shell, request, None), "status": status, "message": message}

    async def ledger_error(self, request: Request, error: Exception) -> Response:
        return render(request, "error.html", self._error(request, 400, str(error)), 400)

    async def http_error(self, request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return render(
            request,
            "error.html",
            self._error(request, error.status_code, error.detail),
            error.status_code,
        )

    async def crash(self, request: Request, error: Exception) -> Response:
        log.error("%s %s failed", request.method, request.url.path, exc_info=error)
        message = "something went wrong; the details are in the server's log"
        return render(request, "error.html", self._error(request, 500, message), 500)


def _local(target: str) -> str:
    """``target`` if it is a path on this server (never another site), else ''."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""
