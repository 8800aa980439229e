"""PostgreSQL storage, for teams and scale: eventsourcing's PostgreSQL persistence.

The URL is ``postgresql://USER:PASSWORD@HOST:PORT/DBNAME`` with an optional
``?schema=NAME`` (default ``public``). The events go to ``ledger_events`` (named after
the application, as eventsourcing does on PostgreSQL), the tracking position to
``ledger_tracking`` and the views to ``ledger_*`` tables in the same schema.

Large batches are inserted in bounded chunks inside one transaction: a single insert
of ~100k events was seen to hang inside psycopg's pipeline on PostgreSQL 15.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

import attrs
from eventsourcing.persistence import PersistenceError
from eventsourcing.postgres import PostgresTrackingRecorder

from ledger.errors import StorageError
from ledger.store._storage import batches, insert_under_savepoint, redact
from ledger.store.chain import Chain
from ledger.views._tables import TABLES, CreatedViewStore, Dialect, ViewStore

__all__ = ["PostgresStorage"]

INSERT_CHUNK = 2_000
_IDS_PER_SELECT = 5_000


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@attrs.frozen
class PostgresStorage:
    url: str
    host: str
    port: str
    user: str
    password: str
    dbname: str
    schema: str
    create_tables: bool = True

    @classmethod
    def from_url(cls, url: str) -> PostgresStorage:
        parts = urlsplit(url)
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname or not parts.hostname or not parts.username:
            raise StorageError(
                f"url: {redact(url)!r} needs a user, a host and a database "
                "(postgresql://USER:PASSWORD@HOST:PORT/DB)"
            )
        schema = parse_qs(parts.query).get("schema", ["public"])[0]
        storage = cls(
            url,
            parts.hostname,
            str(parts.port or 5432),
            unquote(parts.username),
            unquote(parts.password or ""),
            dbname,
            schema,
        )
        storage.create_tables_once()
        # The tables exist now: re-running eventsourcing's DDL (CREATE OR REPLACE
        # FUNCTION, ...) in every process that opens the ledger fails under concurrency
        # with "tuple concurrently updated".
        return attrs.evolve(storage, create_tables=False)

    def create_tables_once(self) -> None:
        """Fail fast if the server is unreachable; create a new ledger's tables, once.

        eventsourcing's pool retries a failed connection until its timeout and then
        reports only "couldn't get a connection after 10.00 sec"; one direct attempt
        gives the server's own reason (refused, bad password, no such database).
        PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against itself: processes
        opening a new ledger at once collide (duplicate key in pg_type). Under an
        advisory lock the first creates every table; the others then find them.
        """
        import psycopg  # noqa: PLC0415 - psycopg only when PostgreSQL is used

        lock_key = f"ledger:{self.schema}"
        try:
            with psycopg.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                password=self.password,
                dbname=self.dbname,
                connect_timeout=int(self.environment()["POSTGRES_CONNECT_TIMEOUT"]),
                autocommit=True,
            ) as conn:
                conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (lock_key,))
                if self._missing_tables(conn):
                    self._create_tables()
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (lock_key,))
        except (psycopg.Error, PersistenceError) as error:
            reason = " ".join(str(error).split())
            raise StorageError(f"url: cannot open {redact(self.url)!r}: {reason}") from None

    def _missing_tables(self, conn: Any) -> int:
        names = [self._dialect().qualify(f"ledger_{name}") for name in (*TABLES, "chain")]
        row = conn.execute(
            "SELECT count(*) FROM unnest(%s::text[]) AS name WHERE to_regclass(name) IS NULL",
            (names,),
        ).fetchone()
        return int(row[0])

    def _create_tables(self) -> None:
        from ledger.store.application import LedgerApplication  # noqa: PLC0415 - avoid a cycle

        app = LedgerApplication(env=self.environment())
        try:
            self.views(app).create_tables()
            self.chain(app).create_table()
        finally:
            app.close()

    def environment(self) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": self.port,
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_SCHEMA": self.schema,
            "POSTGRES_POOL_SIZE": "2",
            "POSTGRES_MAX_OVERFLOW": "4",
            "POSTGRES_LOCK_TIMEOUT": "30",
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "CREATE_TABLE": "true" if self.create_tables else "false",
        }

    def _dialect(self) -> Dialect:
        schema = _quote(self.schema)
        return Dialect(
            placeholder="%s",
            int_type="BIGINT",
            blob_type="BYTEA",
            table_options="",
            qualify=lambda name: f"{schema}.{_quote(name)}",
        )

    def views(self, app: Any) -> ViewStore:
        recorder = app.factory.tracking_recorder(PostgresTrackingRecorder)
        table = f"{_quote(self.schema)}.{_quote(recorder.tracking_table_name)}"
        store = ViewStore if self.create_tables else CreatedViewStore
        return store(recorder, self._dialect(), tracking_table=table)

    def chain(self, app: Any) -> Chain:
        table = f"{_quote(self.schema)}.{_quote(app.recorder.events_table_name)}"
        return Chain(app.recorder, self._dialect(), table)

    @contextmanager
    def writing(self, app: Any) -> Iterator[_PostgresWriter]:
        recorder = app.recorder
        table = f"{_quote(self.schema)}.{_quote(recorder.events_table_name)}"
        with (
            recorder.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            # eventsourcing's own EXCLUSIVE lock on the events table (its inserts take
            # it too), taken before the first existence check: no other writer can
            # insert between our check and our insert.
            for statement in recorder.lock_table_statements:
                curs.execute(statement)
            yield _PostgresWriter(recorder, curs, self.chain(app), table)


@attrs.frozen
class _PostgresWriter:
    recorder: Any
    cursor: Any
    chain: Chain
    table: str

    def existing(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), _IDS_PER_SELECT):
            self.cursor.execute(
                f"SELECT originator_id FROM {self.table} "
                "WHERE originator_version = 1 AND originator_id = ANY(%s::uuid[])",
                (list(ids[start : start + _IDS_PER_SELECT]),),
            )
            found.update(row["originator_id"].hex for row in self.cursor.fetchall())
        return found

    def insert_new(self, stored_events: Sequence[Any]) -> bool:
        import psycopg  # noqa: PLC0415 - only a PostgreSQL ledger needs it

        duplicate = psycopg.errors.UniqueViolation
        return insert_under_savepoint(self, self.cursor, stored_events, duplicate)

    def insert(self, stored_events: Sequence[Any]) -> None:
        # Four typed arrays, not eventsourcing's array of a composite type: psycopg
        # adapts a composite value per event in Python (60 us an event, measured).
        # The inserts notify eventsourcing's channel as its own do.
        self.cursor.execute(f"NOTIFY {_quote(self.recorder.channel_name)}")
        for chunk in batches(stored_events, INSERT_CHUNK):
            columns = list(zip(*(_row(s) for s in chunk), strict=True))
            self.cursor.execute(
                f"INSERT INTO {self.table} (originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[]) "
                "RETURNING originator_id, originator_version, notification_id",
                [list(column) for column in columns],
            )
            given = {
                (row["originator_id"].hex, row["originator_version"]): row["notification_id"]
                for row in self.cursor.fetchall()
            }
            # RETURNING promises no order: each event's id is looked up by its key.
            ids = [int(given[(oid, version)]) for oid, version, _, _ in map(_row, chunk)]
            self.chain.append(self.cursor, ids, chunk)


def _row(stored: Any) -> tuple[str, int, str, bytes]:
    oid = stored.originator_id
    return (
        oid.hex if isinstance(oid, UUID) else oid,
        stored.originator_version,
        stored.topic,
        stored.state,
    )
