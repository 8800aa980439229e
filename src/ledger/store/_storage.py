"""What every storage module provides, and what they share.

A storage is one database holding eventsourcing's tables (the events, the tracking
positions), the store's own tables (:mod:`ledger.store._tables`) and, beside them, the
views' tables, whose statements the views hand over when the ledger is opened.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from itertools import islice
from typing import Any, Protocol
from urllib.parse import urlsplit

from ledger.store._sql import Dialect

__all__ = [
    "DEFAULT_URL",
    "FORMAT",
    "Storage",
    "batches",
    "default_url",
    "redact",
]

DEFAULT_URL = "sqlite:///ledger.db"
FORMAT = "2"
"""The format new ledgers are written in: batches, sealed personal data, Zstandard.
Format 1 (ledgers written before 0.2) stored one plain event per fact, uncompressed."""


def batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last may be shorter)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def redact(url: str) -> str:
    """``url`` with its password, if any, replaced by ``***`` (for messages and logs)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # e.g. a port that is not a number
        password = None
    if not password:
        return url
    return url.replace(f":{password}@", ":***@", 1)


def default_url() -> str:
    """``$LEDGER_DB`` if set, else a SQLite file ``ledger.db`` in the working directory."""
    return os.environ.get("LEDGER_DB") or DEFAULT_URL


class Storage(Protocol):
    """One database: where the events live and where the views live beside them."""

    @property
    def url(self) -> str:
        """The URL the storage was opened with (never shown with its password)."""

    @property
    def dialect(self) -> Dialect:
        """How this database spells what the ledger's own tables need."""

    @property
    def duplicate_errors(self) -> tuple[type[Exception], ...]:
        """What the driver raises when an insert meets a stored key."""

    @property
    def events_table(self) -> str:
        """The qualified name of eventsourcing's events table."""

    @property
    def events_id(self) -> str:
        """Its notification id column (``rowid`` on SQLite)."""

    @property
    def tracking_table(self) -> str:
        """The qualified name of eventsourcing's tracking table."""

    @property
    def exists(self) -> bool:
        """Whether the ledger is there already (a server's always may be)."""

    def create_file(self) -> None:
        """Make the place a new ledger goes (a SQLite file, owner-only)."""

    def peek(self) -> tuple[dict[str, str] | None, bool]:
        """The stored ``ledger_store`` settings (None if there are none yet) and whether
        the log holds any event, read before an application exists."""

    def create_tables(self, app: Any, statements: Sequence[str], fingerprint: str) -> None:
        """Create eventsourcing's tables, then run ``statements`` unless the schema they
        make (``fingerprint``) is there already: once, safely against other processes."""

    def environment(self, settings: dict[str, str]) -> dict[str, str]:
        """eventsourcing settings for the application of a ledger with ``settings``."""

    def waiter(self, app: Any) -> AbstractContextManager[Callable[[float], None]]:
        """A function that waits (at most the seconds given) for new events."""

    def tracking_recorder(self, app: Any) -> Any:
        """eventsourcing's tracking recorder on the application's datastore."""

    def writing(self, app: Any) -> AbstractContextManager[Any]:
        """A write transaction (its cursor) holding the log's write lock from its first
        statement. Every write of events goes through here, so that the chain covers
        the whole log and "look up, then insert what is new" is safe against other
        writers: all of it commits, or, on any error, none of it."""

    def snapshot(self, app: Any) -> AbstractContextManager[Any]:
        """A read transaction (its cursor) that sees one state of the database from its
        first read to its end, whatever other processes commit meanwhile."""

    def scrub(self) -> None:
        """Rewrite the storage so that rows deleted earlier leave nothing on its pages."""

    def may_read(self, c: Any, table: str) -> bool:
        """Whether this connection's database role may read one of the ledger's tables
        (``keys``: a read-only role on PostgreSQL may not; a SQLite file has no roles)."""

    def may_own(self, c: Any, table: str) -> bool:
        """Whether this connection's role may drop and make anew one of the ledger's
        tables (a rebuild of the views does; on PostgreSQL only the tables' owner, or a
        member of its role, may; a SQLite file has no roles)."""

    def keeping_grants(self, c: Any) -> AbstractContextManager[None]:
        """Around dropping and making tables anew: what was granted on them to other
        roles is granted again (PostgreSQL; nothing to keep on SQLite)."""

    def insert_events(self, app: Any, c: Any, stored_events: Sequence[Any]) -> list[int]:
        """Insert stored events (in a :meth:`writing` transaction); their notification
        ids, in the order given."""
