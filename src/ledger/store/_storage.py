"""Choosing the storage from a URL; what every storage module provides."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from itertools import islice
from typing import Any, Protocol
from urllib.parse import urlsplit

from ledger.errors import StorageError
from ledger.store.chain import Chain
from ledger.views._tables import ViewStore

__all__ = [
    "DEFAULT_URL",
    "Storage",
    "Writer",
    "batches",
    "default_url",
    "insert_under_savepoint",
    "open_storage",
    "redact",
]

DEFAULT_URL = "sqlite:///ledger.db"


def batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last may be shorter)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def redact(url: str) -> str:
    """``url`` with its password, if any, replaced by ``***`` (for messages and logs)."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def default_url() -> str:
    """``$LEDGER_DB`` if set, else a SQLite file ``ledger.db`` in the working directory."""
    return os.environ.get("LEDGER_DB") or DEFAULT_URL


class Writer(Protocol):
    """One open write transaction on the events (see :meth:`Storage.writing`)."""

    def existing(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` (32 hex digits) have a first event stored, counting those
        this transaction has inserted."""

    def insert(self, stored_events: Sequence[Any]) -> None:
        """Insert the stored events and extend the hash chain over them."""

    def insert_new(self, stored_events: Sequence[Any]) -> bool:
        """:meth:`insert` them all and return True; or, if any of them is stored
        already, insert none and return False (the transaction stays usable)."""


class Storage(Protocol):
    """One database: where the events live and where the views live beside them."""

    @property
    def url(self) -> str:
        """The URL the storage was opened with."""

    def environment(self) -> dict[str, str]:
        """eventsourcing settings for the application (persistence module, names, ...)."""

    def views(self, app: Any) -> ViewStore:
        """The view store, sharing the application's datastore."""

    def chain(self, app: Any) -> Chain:
        """The hash chain over the application's events (see :mod:`ledger.store.chain`)."""

    def writing(self, app: Any) -> AbstractContextManager[Writer]:
        """A write transaction that holds the log's write lock from its first statement.

        Every write of events goes through here, so that the chain covers the whole
        log. Holding the lock before the first :meth:`Writer.existing` makes "check,
        then insert what is new" safe against other writers, however many chunks a
        batch is written in: all of it commits, or (on any error) none of it.
        """


def insert_under_savepoint(
    writer: Writer, cursor: Any, stored_events: Sequence[Any], duplicate: type[Exception]
) -> bool:
    """:meth:`Writer.insert_new` for any SQL database: the insert under a savepoint,
    rolled back to it when ``duplicate`` (the driver's unique violation) is raised."""
    cursor.execute("SAVEPOINT ledger_insert_new")
    try:
        writer.insert(stored_events)
    except duplicate:
        cursor.execute("ROLLBACK TO SAVEPOINT ledger_insert_new")
        cursor.execute("RELEASE SAVEPOINT ledger_insert_new")
        return False
    cursor.execute("RELEASE SAVEPOINT ledger_insert_new")
    return True


def open_storage(url: str | None = None) -> Storage:
    """The storage a URL names: ``sqlite:///path``, ``memory://``, ``postgresql://...``.

    A bare path is taken as a SQLite file.
    """
    url = (url or default_url()).strip()
    scheme, sep, _ = url.partition("://")
    scheme = scheme.lower() if sep else ""
    if scheme in ("", "sqlite", "memory"):
        from ledger.store.sqlite import SQLiteStorage  # noqa: PLC0415 - keep startup light

        return SQLiteStorage.from_url(url)
    if scheme in ("postgresql", "postgres"):
        from ledger.store.postgres import PostgresStorage  # noqa: PLC0415 - psycopg only when used

        return PostgresStorage.from_url(url)
    raise StorageError(
        f"url: unsupported ledger URL {url!r} (use sqlite:///PATH, memory:// "
        "or postgresql://USER:PASSWORD@HOST:PORT/DB)"
    )
