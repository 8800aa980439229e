"""The persisted views: tables beside the events, written with a tracking position.

Every write to the views happens in one transaction together with eventsourcing's
tracking row for the notification it has reached, so the views and their position can
never disagree. All of them are derived from the events and rebuilt by ``ledger
replay``. SQLite and PostgreSQL share the SQL (see :class:`ledger.store.Dialect`).

* ``view_people``: each person by number (``no``), their id, key and name, the digest
  their key is looked up by, and the number of the person they were merged into
  (``canonical``; null: themselves); ``view_identifiers``: every identifier on each
  card; ``view_merges``: merges and whether they were undone; ``view_attributes``:
  each attribute value from when;
* ``view_rows``: per pair, each touch in order (``t``, ``touch``) with the model-free
  facts of the folds (:mod:`ledger.projections`): the inputs (kind, flags, group size,
  duration) and outputs (factor, opens, reached levels, ...). A pair is one integer,
  ``a << 32 | b`` for the people numbered ``a < b``; a touch is one integer, where it
  is stored (``notification id << 20 | row``);
* ``view_pairs``: each pair's fold state after its last row (catch-up continues from it
  without reading rows back);
* ``view_segments``: the same rows again, column by column in compressed blocks (one per
  catch-up round), so that a question about every pair reads a few blobs instead of
  millions of rows; ``view_voided``: pairs whose rows in older segments were replaced;
* ``view_retracted``: retracted touches and why; ``view_sources``: the sources touches
  came from, by number; ``view_snoozes``: snoozes;
  ``view_settings``: the settings in force, folded from the log;
* ``view_meta``: the fingerprint of what the rows were computed with; ``view_lock``: one
  row that serialises catch-ups.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import Tracking

from ledger.errors import ViewsDamagedError
from ledger.store import Dialect, Store
from ledger.views._seal import ViewSeal

__all__ = ["DDL", "OLD_TABLES", "ROW_COLUMNS", "TABLES", "UPSTREAM", "Views"]

UPSTREAM = "Ledger"
"""The application name the views track (the notification log they follow)."""

TABLES = (
    "view_people",
    "view_attributes",
    "view_rows",
    "view_pairs",
    "view_segments",
    "view_voided",
    "view_retracted",
    "view_sources",
    "view_identifiers",
    "view_merges",
    "view_snoozes",
    "view_settings",
    "view_meta",
    "view_lock",
)
OLD_TABLES = (
    "people",
    "attributes",
    "touchpoints",
    "participants",
    "pair_touches",
    "pair_last",
    "meta",
    "lock",
)
"""The views of ledgers written before 0.2 (dropped: they are rebuilt as the above)."""

ROW_COLUMNS = ("pair", "t", "touch", "kind", "source", "flags", "size", "duration", "factor")

DDL = (
    "CREATE TABLE IF NOT EXISTS {view_people} (no INT PRIMARY KEY, id BLOB NOT NULL, "
    "key TEXT NOT NULL, digest BLOB NOT NULL, name TEXT NOT NULL, canonical INT)",
    "CREATE UNIQUE INDEX IF NOT EXISTS ledger_view_people_by_id ON {view_people} (id)",
    "CREATE INDEX IF NOT EXISTS ledger_view_people_by_digest ON {view_people} (digest)",
    "CREATE INDEX IF NOT EXISTS ledger_view_people_by_key ON {view_people} (key)",
    "CREATE TABLE IF NOT EXISTS {view_attributes} (person INT NOT NULL, field TEXT NOT NULL, "
    "effective_t INT NOT NULL, seq INT NOT NULL, value TEXT, "
    "PRIMARY KEY (person, field, effective_t, seq))",
    "CREATE TABLE IF NOT EXISTS {view_rows} (pair INT NOT NULL, t INT NOT NULL, "
    "touch INT NOT NULL, kind INT NOT NULL, source INT NOT NULL, flags INT NOT NULL, "
    "size INT NOT NULL, "
    "duration INT NOT NULL, factor REAL NOT NULL, PRIMARY KEY (pair, t, touch))",
    "CREATE TABLE IF NOT EXISTS {view_pairs} (pair INT PRIMARY KEY, "
    "b INT NOT NULL, last_t INT NOT NULL, last_touch INT NOT NULL, state TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ledger_view_pairs_by_b ON {view_pairs} (b)",
    "CREATE TABLE IF NOT EXISTS {view_segments} (no INT PRIMARY KEY, rows INT NOT NULL, "
    "data BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {view_voided} (pair INT PRIMARY KEY, before INT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {view_retracted} (touch INT PRIMARY KEY, reason TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {view_identifiers} (person INT NOT NULL, digest BLOB NOT NULL, "
    "kind TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (person, digest))",
    "CREATE INDEX IF NOT EXISTS ledger_view_identifiers_by_digest ON {view_identifiers} (digest)",
    "CREATE TABLE IF NOT EXISTS {view_merges} (no INT PRIMARY KEY, merge BLOB NOT NULL, "
    "into_id BLOB NOT NULL, other_id BLOB NOT NULL, at INT NOT NULL, undone INT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {view_sources} (no INT PRIMARY KEY, digest BLOB NOT NULL, "
    "name TEXT NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS ledger_view_sources_by_digest ON {view_sources} (digest)",
    "CREATE TABLE IF NOT EXISTS {view_snoozes} (no INT PRIMARY KEY, a INT NOT NULL, "
    "b INT NOT NULL, since INT NOT NULL, until INT NOT NULL, reason TEXT)",
    "CREATE TABLE IF NOT EXISTS {view_settings} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {view_meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {view_lock} (id INT PRIMARY KEY, n INT NOT NULL)",
)
_LOCK_ROW = "INSERT INTO {view_lock} (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING"


def ddl(dialect: Dialect) -> list[str]:
    """The views' statements in ``dialect``. They run only when the ledger's schema
    changed (a new version): the views are derived, so every view table, the old
    layout's too, is dropped and made anew, and rebuilt from the log at the next read
    (their tracked position goes with them: see :meth:`Views.reset`)."""
    names = [*OLD_TABLES, *(name for name in TABLES if name != "view_lock")]
    drops = [f"DROP TABLE IF EXISTS {dialect.qualify(f'ledger_{name}')}" for name in names]
    lock = dialect.sql(_LOCK_ROW, TABLES)
    return [*drops, *(dialect.ddl(statement, TABLES) for statement in DDL), lock]


class Views:
    """Reads and writes the views, tracked by eventsourcing's tracking recorder."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.dialect = store.dialect
        self.sealed = ViewSeal(store.keyring.views_key)
        self.recorder = store.storage.tracking_recorder(store.app)
        self.tracking_table = store.storage.tracking_table

    def sql(self, template: str) -> str:
        return self.dialect.sql(template, TABLES)

    @contextmanager
    def read(self) -> Iterator[Any]:
        """A read transaction that sees one state of the views throughout."""
        with self.store.named(views=True), self.store.snapshot() as c:
            yield c

    @contextmanager
    def locked(self, *, rebuilding: bool = False) -> Iterator[tuple[Any, int]]:
        """A write transaction holding the catch-up lock, and the tracked position.

        Taking the lock is a write, so SQLite grants its write lock up front (waiting
        out other writers) instead of failing on a read-to-write upgrade later.
        """
        # A rebuild starts from nothing: its errors are not the views' damage.
        with (
            self.store.named(views=not rebuilding),
            self.recorder.datastore.transaction(commit=True) as c,
        ):
            for statement in self.dialect.write_setup:
                c.execute(statement)
            c.execute(self.sql("UPDATE {view_lock} SET n = n + 1 WHERE id = 1"))
            yield c, self.position_in(c)

    def position_in(self, c: Any) -> int:
        return int(self.recorder._max_tracking_id(UPSTREAM, c) or 0)

    def position(self) -> int:
        with self.store.named(views=True):  # a tracking table dropped: damaged views
            return int(self.recorder.max_tracking_id(UPSTREAM) or 0)

    def repair(self) -> None:
        """Remake what a rebuild needs before it can start, if it was dropped behind the
        ledger's back: eventsourcing's tracking table, the catch-up lock's table and row
        (a rebuild must never be stopped by the views it replaces)."""
        try:
            self.position()
        except ViewsDamagedError:  # a recorder of its own: create_table keeps state
            self.store.storage.tracking_recorder(self.store.app).create_table()
        if self._has_lock_row():
            return  # as nearly always: nothing written, no lock taken
        lock = next(statement for statement in DDL if "{view_lock}" in statement)
        # Under the log's write lock: on SQLite a transaction that reads first and then
        # writes fails at once if another process wrote meanwhile.
        with self.store.writing() as txn:
            txn.cursor.execute(self.dialect.ddl(lock, TABLES))
            txn.cursor.execute(self.sql(_LOCK_ROW))

    def _has_lock_row(self) -> bool:
        try:
            with self.read() as c:
                c.execute(self.sql("SELECT n FROM {view_lock} WHERE id = 1"))
                return c.fetchone() is not None
        except ViewsDamagedError:  # no lock table
            return False

    def advance(self, c: Any, notification_id: int) -> None:
        self.recorder._insert_tracking(c, Tracking(UPSTREAM, notification_id))

    def reset(self, c: Any) -> None:
        """Every view dropped and created empty, the tracked position forgotten (for a
        rebuild: whatever happened to the tables, a rebuild starts from nothing).
        Rights other database roles had on them are granted again (docs/privacy.md)."""
        with self.store.storage.keeping_grants(c):
            for name in TABLES:
                if name != "view_lock":
                    c.execute(self.sql(f"DROP TABLE IF EXISTS {{{name}}}"))
            for statement in ddl(self.dialect):
                c.execute(statement)
        c.execute(
            f"DELETE FROM {self.tracking_table}"
            f" WHERE application_name = {self.dialect.placeholder}",
            (UPSTREAM,),
        )

    def meta(self, c: Any) -> dict[str, str]:
        c.execute(self.sql("SELECT key, value FROM {view_meta}"))
        return {row["key"]: row["value"] for row in c.fetchall()}

    def set_meta(self, c: Any, values: dict[str, str]) -> None:
        c.executemany(
            self.sql(
                "INSERT INTO {view_meta} (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            list(values.items()),
        )

    def executemany(self, c: Any, template: str, rows: list[Any]) -> None:
        if rows:
            c.executemany(self.sql(template), rows)
