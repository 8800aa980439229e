"""What every page shares: reading its question, the catch-up guard, rendering, and
the cache that lets a heavy page show progress instead of hanging.

A page is a function ``(book, ask, query) -> context``, run with the served ledger
(:meth:`Shell.reading`). Pages whose questions read many touches (this week, a person,
the whole network, intros) go through :func:`heavy`: when the same question was
answered since the log last changed, the answer is reused; when answering it last took
longer than :data:`INLINE_SECONDS`, it is answered by a job while the page shows its
progress, and reloads when it is done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import available_timezones

from starlette.requests import Request
from starlette.responses import Response

from ledger import InvalidInputError, Ledger
from ledger.facts.zones import portable_zone
from ledger.web._ask import Ask, ask_of
from ledger.web._jobs import Job
from ledger.web._render import render
from ledger.web._shell import Shell

__all__ = [
    "INLINE_SECONDS",
    "NAV",
    "Context",
    "base",
    "heavy",
    "here_with",
    "show",
    "show_job",
    "zones",
]

Context = dict[str, Any]
INLINE_SECONDS = 1.0
"""A question answered faster than this (the last time) is answered in the request;
a slower one by a job, while the page shows its progress."""
FRESH_SECONDS = 600.0
"""How long an answer about "now" is reused while the log stands still."""

NAV = (
    ("/", "This week"),
    ("/person", "A person"),
    ("/network", "The network"),
    ("/intros", "Intros"),
    ("/log", "Log and import"),
    ("/audit", "Audit"),
)


_ASKED = frozenset({"as_of", "tz", "me", "page", "token"})


@cache
def zones() -> tuple[str, ...]:
    """The zones the picker offers: the portable ones (``--tz``'s rule)."""
    return tuple(sorted(name for name in available_timezones() if _portable(name)))


def _portable(name: str) -> bool:
    try:
        portable_zone(name, "tz")
    except InvalidInputError:
        return False
    return True


def query_of(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items()}


def base(shell: Shell, request: Request, ask: Ask | None) -> Context:
    return {
        "request": request,
        "ask": ask,
        "clock": None if ask is None else ask.clock,
        "csrf": shell.csrf,
        "read_only": shell.read_only,
        "notices": shell.notices(),
        "nav": NAV,
        "here": request.url.path,
        "zones": zones(),
        "here_with": here_with(request),
        "page_params": {k: v for k, v in request.query_params.items() if k not in _ASKED and v},
    }


def here_with(request: Request) -> str:
    """This page's address with its query: where a form returns to."""
    query = urlencode(list(request.query_params.multi_items()))
    return request.url.path + (f"?{query}" if query else "")


def show(
    shell: Shell,
    request: Request,
    template: str,
    build: Callable[[Ledger, Ask, dict[str, str]], Context | Job],
    status: int = 200,
) -> Response:
    """Answer a page: catch the views up first (with progress when far behind), then
    ``build`` its context with the served ledger, and render ``template``."""
    behind = shell.behind()
    if behind > shell.catch_up_shown:
        return show_job(shell, request, _catch_up_job(shell, request, behind))
    query = query_of(request)
    with shell.reading() as book:
        ask = ask_of(book, query)
        context = build(book, ask, query)
    if isinstance(context, Job):
        return show_job(shell, request, context)
    return render(request, template, {**base(shell, request, ask), **context}, status)


def show_job(shell: Shell, request: Request, job: Job) -> Response:
    """A page that shows a job's progress (and follows it when it is done)."""
    context = {**base(shell, request, None), "job": job}
    return render(request, "progress.html", context, status=202)


def _catch_up_job(shell: Shell, request: Request, behind: int) -> Job:
    def work(job: Job) -> int:
        job.update("catching up the views", 0, behind)
        with shell.opener() as book:
            return book.catch_up(progress=lambda done: job.update("catching up the views", done))

    return shell.jobs.start(
        "catch-up", f"catching up on {behind:,} new events", work, after=here_with(request)
    )


def heavy(
    shell: Shell,
    request: Request,
    name: str,
    ask: Ask,
    key: Mapping[str, str],
    compute: Callable[[Ledger], Context],
) -> Context | Job:
    """The answer of a heavy question (cached while the log stands still), or the job
    answering it. Called with the served ledger held (see :func:`show`)."""
    stamp = (name, tuple(sorted(ask.params().items())), tuple(sorted(key.items())))
    position = shell.book.log_position
    found = shell.cache.get(stamp)
    now = time.monotonic()
    if (
        found is not None
        and found[0] == position
        and (not ask.now or now - found[1] < FRESH_SECONDS)
    ):
        answer: Context = found[2]
        return answer
    if shell.cost.get(name, 0.0) < INLINE_SECONDS:
        return _answer(shell, shell.book, name, stamp, position, compute)
    running = shell.jobs.running(f"page:{name}")
    if running is not None:
        return running

    def work(job: Job) -> None:
        job.update(f"answering {name}", 0, 0)
        with shell.heavy_book() as book:
            _answer(shell, book, name, stamp, position, compute)

    title = f"working out {name} as of {ask.as_of_text or 'now'}"
    return shell.jobs.start(f"page:{name}", title, work, after=here_with(request))


def _answer(
    shell: Shell,
    book: Ledger,
    name: str,
    stamp: Any,
    position: int,
    compute: Callable[[Ledger], Context],
) -> Context:
    started = time.perf_counter()
    context = compute(book)
    context["answered_at"] = datetime.now(UTC)
    shell.cost[name] = time.perf_counter() - started
    shell.remember(stamp, (position, time.monotonic(), context))
    return context
