"""What one server holds: the ledger it serves, its secrets, its jobs and notices.

The pages are answered by one long-lived :class:`ledger.Ledger` (so that what it keeps
while the views stand still is reused from page to page), behind a lock: requests run
in a thread pool, one ledger question at a time. Every question catches the views up
first, so a page shows what another process recorded as soon as it is loaded again.
Long work runs in jobs (:mod:`ledger.web._jobs`), each on a ledger of its own.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import attrs

import ledger
from ledger import AuditReport, Ledger
from ledger.web._jobs import Jobs

__all__ = ["CATCH_UP_SHOWN", "AuditRun", "Shell", "open_shell"]

CATCH_UP_SHOWN = 20_000
"""Events behind from which a page shows a catch-up's progress instead of waiting."""
_CACHED = 32


@attrs.frozen
class AuditRun:
    """The last audit run from this server: when, and what it found."""

    at: datetime
    report: AuditReport
    seconds: float


@attrs.define
class Shell:
    """The served ledger and everything the pages share.

    ``opener`` opens another ledger object on the same storage with the same key (for
    jobs); ``read_only`` refuses every write; ``token`` is the secret in the printed
    address, ``csrf`` the one every form carries.
    """

    book: Ledger
    opener: Callable[[], Ledger]
    read_only: bool = False
    token: str = attrs.field(factory=lambda: secrets.token_urlsafe(24))
    csrf: str = attrs.field(factory=lambda: secrets.token_urlsafe(24))
    jobs: Jobs = attrs.field(factory=Jobs)
    last_audit: AuditRun | None = None
    catch_up_shown: int = CATCH_UP_SHOWN
    cost: dict[str, float] = attrs.field(factory=dict)
    """Seconds the last answer of each heavy page took."""
    cache: OrderedDict[Any, Any] = attrs.field(factory=OrderedDict)
    _lock: threading.RLock = attrs.field(factory=threading.RLock)
    _heavy_lock: threading.Lock = attrs.field(factory=threading.Lock)
    _heavy: Ledger | None = None
    _notices: deque[str] = attrs.field(factory=lambda: deque(maxlen=5))

    @contextmanager
    def reading(self) -> Iterator[Ledger]:
        """The served ledger, for one page's questions (one page at a time)."""
        with self._lock:
            yield self.book

    @contextmanager
    def heavy_book(self) -> Iterator[Ledger]:
        """A second long-lived ledger object, for heavy questions answered by jobs (so
        that the pages are not held up by them, and its caches are reused too)."""
        with self._heavy_lock:
            if self._heavy is None:
                self._heavy = self.opener()
            yield self._heavy

    def remember(self, stamp: Any, answer: Any) -> None:
        """Keep a heavy page's answer (the 32 most recent)."""
        with self._lock:
            self.cache[stamp] = answer
            self.cache.move_to_end(stamp)
            while len(self.cache) > _CACHED:
                self.cache.popitem(last=False)

    def behind(self) -> int:
        """How many events the views have yet to apply (0 when a job is at it)."""
        if self.jobs.running("catch-up") is not None:
            return 0
        with self._lock:
            return self.book.pending

    def notice(self, text: str) -> None:
        """A line for the next page shown (what a write did)."""
        self._notices.append(text)

    def notices(self) -> list[str]:
        found = list(self._notices)
        self._notices.clear()
        return found

    def close(self) -> None:
        with self._lock:
            self.book.close()
        with self._heavy_lock:
            if self._heavy is not None:
                self._heavy.close()


def open_shell(
    url: str,
    *,
    passphrase: str | None = None,
    key: bytes | str | None = None,
    read_only: bool = False,
) -> Shell:
    """Open the existing ledger at ``url`` to serve it (``passphrase``/``key``: an
    encrypted ledger's; by default ``$LEDGER_PASSPHRASE``/``$LEDGER_KEY``)."""

    def opener() -> Ledger:
        return ledger.open(url, create=False, passphrase=passphrase, key=key)

    return Shell(book=opener(), opener=opener, read_only=read_only)
