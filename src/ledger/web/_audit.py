"""*Audit*: the chain's head as stored, the last audit run from this server, and a
button that runs one (``Ledger.audit``) in a job with its progress."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from ledger import AuditReport, Ledger
from ledger.web._ask import Ask
from ledger.web._jobs import Job
from ledger.web._page import Context
from ledger.web._shell import AuditRun, Shell

__all__ = ["audit_page", "start_audit"]


def audit_page(shell: Shell, book: Ledger, ask: Ask) -> Context:
    position, head = book.chain_head
    return {
        "position": position,
        "head": head,
        "events": book.log_position,
        "last": shell.last_audit,
        "running": shell.jobs.running("audit"),
        "failed": _failed(shell),
    }


def _failed(shell: Shell) -> str | None:
    job = shell.jobs.latest("audit")
    return None if job is None or not job.finished else job.error


def start_audit(shell: Shell, after: str) -> Job:
    def work(job: Job) -> AuditReport:
        started = time.perf_counter()
        with shell.opener() as book:
            total = book.log_position
            job.update("reading the log", 0, total)
            report = book.audit(progress=lambda read: _read(job, read))
        shell.last_audit = AuditRun(datetime.now(UTC), report, time.perf_counter() - started)
        return report

    return shell.jobs.start("audit", "auditing the log", work, after=after)


def _read(job: Job, read: int) -> None:
    """Progress of the first pass; after it, the views are compared with a replay."""
    done = read >= job.total > 0
    job.update("comparing the views with a replay" if done else "reading the log", read)
