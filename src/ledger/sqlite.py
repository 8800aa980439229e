"""SQLite storage: a file (the embedded default) or a private in-memory database.

``memory://`` is SQLite too (a shared-cache in-memory database private to the
process): the views then use exactly the SQL of the file ledger, and nothing touches
the disk. The events are stored by eventsourcing's SQLite recorder; the views sit in
the same database and are tracked by its ``SQLiteTrackingRecorder``.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.persistence import IntegrityError, OperationalError, PersistenceError
from eventsourcing.sqlite import SQLiteTrackingRecorder

from ledger._chain import Chain
from ledger._errors import StorageError
from ledger._storage import batches
from ledger._views import TABLES, CreatedViewStore, Dialect, ViewStore

__all__ = ["DIALECT", "SQLiteStorage"]

_LOCK_TIMEOUT_SECONDS = "30"
WRITE_CHUNK = 20_000
"""Stored events inserted (and chained) per statement inside one transaction."""
_CREATE_ATTEMPTS = 5
_OWN_TABLES = ("stored_events", "tracking", "ledger_chain", *(f"ledger_{n}" for n in TABLES))
DIALECT = Dialect(
    placeholder="?",
    int_type="INTEGER",
    blob_type="BLOB",
    table_options=" WITHOUT ROWID",
    qualify=lambda name: name,
    # A 128 MiB page cache: the default 2 MiB thrashes on the random-order index inserts
    # of a large catch-up (measured: the view inserts of a 332k-event log took 2x longer).
    write_setup=("PRAGMA cache_size = -131072",),
)


@attrs.frozen
class SQLiteStorage:
    url: str
    db_name: str
    create_tables: bool = True

    @classmethod
    def from_url(cls, url: str) -> SQLiteStorage:
        if url.lower().startswith("memory://"):
            name = url[len("memory://") :] or uuid.uuid4().hex
            return cls(url, f"file:ledger-{name}?mode=memory&cache=shared")
        path = url[len("sqlite:///") :] if url.lower().startswith("sqlite:///") else url
        if not path or path.endswith("/"):
            raise StorageError(f"url: no SQLite file named in {url!r} (use sqlite:///PATH)")
        parent = Path(path).expanduser().resolve().parent
        if not parent.is_dir():
            raise StorageError(f"url: directory {str(parent)!r} does not exist (from {url!r})")
        if not os.access(parent, os.W_OK):
            raise StorageError(f"url: directory {str(parent)!r} is not writable (from {url!r})")
        storage = cls(url, str(Path(path).expanduser()))
        storage.create_tables_once()
        # The tables exist now; creating them again on every open is not safe against
        # other processes (see CreatedViewStore).
        return attrs.evolve(storage, create_tables=False)

    def create_tables_once(self) -> None:
        """Create a new file's tables, retrying when another process creates them too.

        eventsourcing's SQLite tracking recorder looks for its table outside the
        transaction that creates it and then records a migration row: two processes
        creating one file at once collide ("Failed to record tracking for
        __migration__ 1"). Once the tables exist, opening is safe.
        """
        from ledger.application import LedgerApplication  # noqa: PLC0415 - avoid a cycle

        for attempt in range(_CREATE_ATTEMPTS):
            if self._has_tables():
                return
            try:
                app = LedgerApplication(env=self.environment())
                try:
                    self.views(app).create_tables()
                    self.chain(app).create_table()
                finally:
                    app.close()
            except (IntegrityError, OperationalError) as error:
                # Another process is creating them: look again in a moment.
                if attempt == _CREATE_ATTEMPTS - 1:
                    raise StorageError(f"url: cannot open ledger {self.url!r}: {error}") from None
                time.sleep(0.05 * (attempt + 1))
            except (PersistenceError, sqlite3.Error) as error:
                raise StorageError(f"url: cannot open ledger {self.url!r}: {error}") from None

    def _has_tables(self) -> bool:
        try:
            with closing(sqlite3.connect(self.db_name, timeout=float(_LOCK_TIMEOUT_SECONDS))) as db:
                found = db.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                    f"({', '.join('?' * len(_OWN_TABLES))})",
                    _OWN_TABLES,
                ).fetchone()
        except sqlite3.Error as error:
            raise StorageError(f"url: cannot open ledger {self.url!r}: {error}") from None
        return bool(found[0] == len(_OWN_TABLES))

    def environment(self) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": self.db_name,
            "SQLITE_LOCK_TIMEOUT": _LOCK_TIMEOUT_SECONDS,
            "CREATE_TABLE": "true" if self.create_tables else "false",
        }

    def views(self, app: Any) -> ViewStore:
        recorder = app.factory.tracking_recorder(SQLiteTrackingRecorder)
        store = ViewStore if self.create_tables else CreatedViewStore
        return store(recorder, DIALECT, tracking_table="tracking")

    def chain(self, app: Any) -> Chain:
        recorder = app.recorder
        return Chain(recorder, DIALECT, recorder.events_table_name, events_id="rowid")

    def existing_ids(self, app: Any, ids: Sequence[UUID]) -> set[UUID]:
        found: set[UUID] = set()
        recorder = app.recorder
        with recorder.datastore.transaction(commit=False) as c:
            for start in range(0, len(ids), 500):
                chunk = [i.hex for i in ids[start : start + 500]]
                marks = ", ".join("?" * len(chunk))
                c.execute(
                    f"SELECT originator_id FROM {recorder.events_table_name} "
                    f"WHERE originator_version = 1 AND originator_id IN ({marks})",
                    chunk,
                )
                found.update(UUID(row["originator_id"]) for row in c.fetchall())
        return found

    def insert_atomically(self, app: Any, stored_events: Iterable[Any]) -> None:
        recorder = app.recorder
        chain = self.chain(app)
        with recorder.datastore.transaction(commit=True) as c:
            # The first insert takes SQLite's write lock, so each chain head read next is
            # the true head; the inserts return the rowids (notification ids) they got.
            for chunk in batches(stored_events, WRITE_CHUNK):
                chain.append(c, _insert_events(recorder, c, chunk), chunk)


def _insert_events(recorder: Any, c: Any, stored_events: Sequence[Any]) -> list[int]:
    """Insert with eventsourcing's statement in one ``executemany``; return the rowids.

    The recorder's own ``_insert_events`` runs one ``execute`` per event (about 3x
    slower for large batches). The first row is inserted alone: that takes SQLite's
    write lock, so no other connection can insert until we commit, and SQLite gives
    each following row the largest rowid so far plus one: the ids are contiguous.
    """
    first = list(recorder._insert_events(c, stored_events[:1]))
    if len(stored_events) < 2:
        return first
    c.executemany(
        recorder.insert_events_statement,
        [
            (
                s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                s.originator_version,
                s.topic,
                s.state,
            )
            for s in stored_events[1:]
        ],
    )
    c.execute(f"SELECT MAX(rowid) FROM {recorder.events_table_name}")
    last = int(c.fetchone()[0])
    if last - first[0] != len(stored_events) - 1:
        raise AssertionError(f"rowids of one insert are not contiguous: {first[0]}..{last}")
    return list(range(first[0], last + 1))
