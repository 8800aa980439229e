"""Long work off the request: a catch-up, an audit, an import, each in a thread of its
own, with progress a page polls (``/jobs/ID``) instead of a request that hangs.

A job gets its own :class:`ledger.Ledger` (opened by the shell's ``opener``): the
ledger object that answers the pages is never shared with a thread that works for
minutes. What a job returns is kept for the page that shows it; an error is logged
with its traceback and shown only as its one-line message (a :class:`LedgerError`)
or a generic sentence (anything else).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs

from ledger import LedgerError

__all__ = ["Job", "Jobs"]

log = logging.getLogger("ledger.web")

_KEPT = 20
"""Finished jobs kept (the oldest are forgotten first)."""


@attrs.define
class Job:
    """One piece of long work: what it is, how far it got, and how it ended."""

    job_id: str
    kind: str
    title: str
    done: int = 0
    total: int = 0
    stage: str = "starting"
    started: float = attrs.field(factory=time.monotonic)
    finished: bool = False
    result: Any = None
    error: str | None = None
    after: str = ""
    """Where the page goes when the job is done (a local path with its query)."""

    @property
    def fraction(self) -> float | None:
        if self.total <= 0:
            return None
        return min(1.0, self.done / self.total)

    def update(self, stage: str, done: int, total: int | None = None) -> None:
        self.stage, self.done = stage, done
        if total is not None:
            self.total = total


@attrs.define
class Jobs:
    """Every job of this server, by id; at most one running per ``kind``."""

    _jobs: dict[str, Job] = attrs.field(factory=dict)
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def running(self, kind: str) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs.values() if j.kind == kind and not j.finished), None)

    def latest(self, kind: str) -> Job | None:
        with self._lock:
            found = [j for j in self._jobs.values() if j.kind == kind]
        return found[-1] if found else None

    def start(self, kind: str, title: str, work: Callable[[Job], Any], *, after: str = "") -> Job:
        """Run ``work(job)`` in a new thread (or return the job of ``kind`` running)."""
        with self._lock:
            for job in self._jobs.values():
                if job.kind == kind and not job.finished:
                    return job
            job = Job(secrets.token_hex(8), kind, title, after=after)
            self._jobs[job.job_id] = job
            self._forget_old()
        thread = threading.Thread(target=_run, args=(job, work), name=f"ledger-web-{kind}")
        thread.daemon = True
        thread.start()
        return job

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.finished]
        for key in finished[: max(0, len(finished) - _KEPT)]:
            del self._jobs[key]


def _run(job: Job, work: Callable[[Job], Any]) -> None:
    try:
        job.result = work(job)
    except LedgerError as error:
        log.warning("%s failed: %s", job.title, error)
        job.error = str(error)
    except Exception:
        log.exception("%s failed", job.title)
        job.error = "it failed unexpectedly; the details are in the server's log"
    finally:
        job.stage = "done"
        job.finished = True
