"""SQLite storage: a file (the embedded default) or a private in-memory database.

``memory://`` is SQLite too (a shared-cache in-memory database private to the
process): the views then use exactly the SQL of the file ledger, and nothing touches
the disk. The events are stored by eventsourcing's SQLite recorder; the store's and the
views' tables sit in the same database, the views tracked by its
``SQLiteTrackingRecorder``. A new file is created readable by its owner only (0600).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.sqlite import SQLiteTrackingRecorder

from ledger.errors import StorageError
from ledger.store._faults import sqlite_fault
from ledger.store._sql import Dialect

__all__ = ["DIALECT", "LOCK_TIMEOUT_SECONDS", "SQLiteStorage"]

LOCK_TIMEOUT_SECONDS = 30
"""How long a writer waits for another one to finish before giving up."""
DIALECT = Dialect(
    placeholder="?",
    int_type="INTEGER",
    blob_type="BLOB",
    table_options=" WITHOUT ROWID",
    qualify=lambda name: name,
    # A 128 MiB page cache: the default 2 MiB thrashes on the index inserts of a large
    # catch-up (measured: the view inserts of a 332k-event log took 2x longer).
    write_setup=("PRAGMA cache_size = -131072",),
)
_RETRYABLE = ("locked", "busy")
_STORE_TABLE = "CREATE TABLE IF NOT EXISTS ledger_store (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


@attrs.frozen
class SQLiteStorage:
    url: str
    db_name: str
    memory: bool

    dialect = DIALECT
    duplicate_errors = (sqlite3.IntegrityError,)
    events_table = "stored_events"
    events_id = "rowid"
    tracking_table = "tracking"

    @classmethod
    def from_url(cls, url: str) -> SQLiteStorage:
        if url.lower().startswith("memory://"):
            name = url[len("memory://") :] or uuid.uuid4().hex
            return cls(url, f"file:ledger-{name}?mode=memory&cache=shared", memory=True)
        path = url[len("sqlite:///") :] if url.lower().startswith("sqlite:///") else url
        if not path or path.endswith("/"):
            raise StorageError(f"url: no SQLite file named in '{url}' (use sqlite:///PATH)")
        file = Path(path).expanduser()
        parent = file.resolve().parent
        try:
            if not parent.is_dir():
                raise StorageError(f"url: directory '{parent}' does not exist (from '{url}')")
            if file.exists() and not file.is_file():
                raise StorageError(f"url: '{file}' is not a file (from '{url}')")
        except PermissionError:  # a folder on the way that this user may not enter
            raise StorageError(
                f"url: permission denied to open '{file}': check that you may enter its "
                f"folder and read and write the file (from '{url}')"
            ) from None
        return cls(url, str(file), memory=False)

    @property
    def exists(self) -> bool:
        """Whether the ledger is there already (an in-memory one never is)."""
        return not self.memory and Path(self.db_name).is_file()

    def create_file(self) -> None:
        """Create the file, readable and writable by its owner only, if it is missing."""
        if self.memory:
            return
        parent = Path(self.db_name).resolve().parent
        if not os.access(parent, os.W_OK):
            raise StorageError(f"url: directory '{parent}' is not writable (from '{self.url}')")
        with contextlib.suppress(FileExistsError):
            os.close(os.open(self.db_name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))

    def peek(self) -> tuple[dict[str, str] | None, bool]:
        """The stored ``ledger_store`` settings (None if there are none yet), and
        whether the log holds any event: read directly, before an application exists."""
        if self.memory or not self.exists:
            return None, False
        try:
            with contextlib.closing(
                sqlite3.connect(self.db_name, timeout=LOCK_TIMEOUT_SECONDS)
            ) as db:
                names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
                settings = None
                if "ledger_store" in names:
                    rows = db.execute("SELECT key, value FROM ledger_store").fetchall()
                    settings = {str(k): str(v) for k, v in rows} or None
                events = "stored_events" in names and bool(
                    db.execute("SELECT 1 FROM stored_events LIMIT 1").fetchone()
                )
        except sqlite3.Error as error:  # named as every other SQLite fault is
            text = " ".join(str(error).split()).lower()
            found = sqlite_fault(text, self.db_name)
            raise StorageError(found or f"url: '{self.db_name}' is not a ledger: {text}") from None
        return settings, events

    def environment(self, settings: dict[str, str]) -> dict[str, str]:
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": self.db_name,
            "SQLITE_LOCK_TIMEOUT": str(LOCK_TIMEOUT_SECONDS),
            "CREATE_TABLE": "false",
        }
        if settings.get("compressor") == "zstd":
            env["COMPRESSOR_TOPIC"] = "ledger.store.compressor:ZstdCompressor"
        return env

    @contextmanager
    def waiter(self, app: Any) -> Iterator[Callable[[float], None]]:
        """SQLite has no notifications: waiting is sleeping (the caller polls)."""
        yield time.sleep

    def tracking_recorder(self, app: Any) -> Any:
        return app.factory.tracking_recorder(SQLiteTrackingRecorder)

    def create_tables(self, app: Any, statements: Sequence[str], fingerprint: str) -> None:
        """Run eventsourcing's and then our ``statements`` unless the schema they make
        (``fingerprint``) is there already, retrying while another process creates them
        too (eventsourcing's tracking recorder records a migration row outside the
        creating transaction: two creators collide). The check and the statements run
        in one write transaction: two processes never both apply a new schema."""
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        attempt = 0
        while True:
            try:
                app.recorder.create_table()
                self.tracking_recorder(app).create_table()
                with app.recorder.datastore.transaction(commit=True) as c:
                    c.execute(_STORE_TABLE)  # a write: the lock is ours from here
                    c.execute("SELECT value FROM ledger_store WHERE key = 'ddl'")
                    row = c.fetchone()
                    if row is None or row["value"] != fingerprint:
                        for statement in statements:
                            c.execute(statement)
                        c.execute("DELETE FROM ledger_store WHERE key = 'ddl'")
                        c.execute(
                            "INSERT INTO ledger_store (key, value) VALUES ('ddl', ?)",
                            (fingerprint,),
                        )
                return
            except Exception as error:
                if not _retryable(error) or time.monotonic() > deadline:
                    raise StorageError(f"url: cannot create ledger '{self.url}': {error}") from None
                attempt += 1
                time.sleep(min(0.05 * attempt, 0.25))

    @contextmanager
    def writing(self, app: Any) -> Iterator[Any]:
        with app.recorder.datastore.transaction(commit=True) as c:
            # eventsourcing begins a deferred transaction; a write, even one that changes
            # no row, takes SQLite's write lock now, before the first look-up.
            c.execute("UPDATE ledger_store SET value = value WHERE key = 'format'")
            yield c

    @contextmanager
    def snapshot(self, app: Any) -> Iterator[Any]:
        # A deferred transaction in WAL mode reads one snapshot from its first read on.
        with app.recorder.datastore.transaction(commit=False) as c:
            yield c

    def scrub(self) -> None:
        """Rewrite the file (``VACUUM``) and empty its write-ahead log, so that no freed
        page still holds a deleted row. Nothing to do in memory."""
        if self.memory:
            return
        with contextlib.closing(sqlite3.connect(self.db_name, timeout=LOCK_TIMEOUT_SECONDS)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def may_read(self, c: Any, table: str) -> bool:
        """A SQLite file has no roles: whoever opens it reads all of it."""
        return True

    def may_own(self, c: Any, table: str) -> bool:
        """A SQLite file has no roles: whoever may write it may rebuild its views."""
        return True

    def keeping_grants(self, c: Any) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def insert_events(self, app: Any, c: Any, stored_events: Sequence[Any]) -> list[int]:
        """One ``executemany`` with eventsourcing's statement; the rowids.

        Under the write lock no other connection inserts, and SQLite gives each new
        row the largest rowid so far plus one: the ids are the run after the largest
        rowid before the insert (checked).
        """
        recorder = app.recorder
        c.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {recorder.events_table_name}")
        before = int(c.fetchone()[0])
        c.executemany(recorder.insert_events_statement, [_row(s) for s in stored_events])
        c.execute(f"SELECT MAX(rowid) FROM {recorder.events_table_name}")
        last = int(c.fetchone()[0] or 0)
        if last - before != len(stored_events):
            raise AssertionError(f"rowids of one insert are not contiguous: {before}+1..{last}")
        return list(range(before + 1, last + 1))


def _retryable(error: BaseException) -> bool:
    text = str(error).lower()
    return any(word in text for word in _RETRYABLE) or "tracking for __migration__" in text


def _row(stored: Any) -> tuple[str, int, str, bytes]:
    oid = stored.originator_id
    return (
        oid.hex if isinstance(oid, UUID) else oid,
        stored.originator_version,
        stored.topic,
        stored.state,
    )
