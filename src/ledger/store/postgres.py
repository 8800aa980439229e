"""PostgreSQL storage, for teams and scale: eventsourcing's PostgreSQL persistence.

The URL is ``postgresql://USER:PASSWORD@HOST:PORT/DBNAME`` with an optional
``?schema=NAME`` (default ``public``); ``?host=/var/run/postgresql`` (or an empty host:
``postgresql://USER@/DB?host=/run/postgresql``) connects through a Unix socket. As
libpq does, a URL without a user connects as ``$PGUSER``, else as the operating-system
user, and one without a password uses ``$PGPASSWORD`` (or ``~/.pgpass``). The
events go to ``ledger_events`` (named after the application, as eventsourcing does on
PostgreSQL), the tracking positions to ``ledger_tracking``, the store's and the views'
tables to ``ledger_*`` tables in the same schema.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

import attrs
from eventsourcing.persistence import PersistenceError
from eventsourcing.postgres import PostgresTrackingRecorder

from ledger.errors import StorageError
from ledger.store._grants import grant_again, table_grants
from ledger.store._sql import Dialect
from ledger.store._storage import batches, redact

__all__ = ["PostgresStorage"]

_VIEW_TABLES = (
    "people",
    "attributes",
    "rows",
    "pairs",
    "segments",
    "retracted",
    "sources",
    "snoozes",
)
INSERT_CHUNK = 2_000
"""Stored events per INSERT: one insert of ~100k events hung inside psycopg's pipeline."""
CONNECT_TIMEOUT_SECONDS = 10
IDLE_IN_TRANSACTION_SECONDS = 600
"""How long a transaction may wait between two statements before the server ends it."""


def _default_user() -> str:
    """Who libpq connects as when the URL names no one: ``$PGUSER``, else the
    operating-system user ("" if neither is known)."""
    if os.environ.get("PGUSER"):
        return os.environ["PGUSER"]
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name, no passwd entry (a bare container)
        return ""


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

    @classmethod
    def from_url(cls, url: str) -> PostgresStorage:
        shown = redact(url)
        try:
            parts = urlsplit(url)
            port = str(parts.port or 5432)
        except ValueError as error:
            raise StorageError(f"url: '{shown}' is not a PostgreSQL URL: {error}") from None
        query = parse_qs(parts.query)
        host = unquote(parts.hostname or "") or query.get("host", [""])[0]
        dbname = unquote(parts.path.lstrip("/"))
        user = unquote(parts.username or "") or query.get("user", [""])[0] or _default_user()
        if not dbname or not host:
            raise StorageError(
                f"url: '{shown}' needs a host (or ?host=/socket/dir) and a database "
                "(postgresql://USER:PASSWORD@HOST:PORT/DB)"
            )
        if not user:
            raise StorageError(
                f"url: '{shown}' names no user, and neither $PGUSER nor the system gives "
                "one (postgresql://USER@HOST/DB)"
            )
        password = unquote(parts.password or "") or os.environ.get("PGPASSWORD", "")
        schema = query.get("schema", ["public"])[0]
        return cls(url, host, port, user, password, dbname, schema)

    @property
    def dialect(self) -> Dialect:
        schema = _quote(self.schema)
        return Dialect(
            placeholder="%s",
            int_type="BIGINT",
            blob_type="BYTEA",
            table_options="",
            qualify=lambda name: f"{schema}.{_quote(name)}",
            postgres=True,
        )

    @property
    def events_table(self) -> str:
        return f"{_quote(self.schema)}.{_quote('ledger_events')}"

    events_id = "notification_id"

    @property
    def tracking_table(self) -> str:
        return f"{_quote(self.schema)}.{_quote('ledger_tracking')}"

    exists = True

    @property
    def duplicate_errors(self) -> tuple[type[Exception], ...]:
        import psycopg  # noqa: PLC0415

        return (psycopg.errors.UniqueViolation,)

    def create_file(self) -> None:
        """Nothing to make: the database is the server's."""

    @property
    def where(self) -> str:
        """The server, for messages: ``host:port/db`` (never the password)."""
        return f"{self.host}:{self.port}/{self.dbname}"

    def _connect(self) -> Any:
        import psycopg  # noqa: PLC0415 - psycopg only when PostgreSQL is used

        try:
            return psycopg.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                password=self.password,
                dbname=self.dbname,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                autocommit=True,
            )
        except psycopg.Error as error:
            raise StorageError(
                f"url: cannot connect to PostgreSQL at {self.where} as {self.user}: "
                f"{self._refusal(error)}"
            ) from None

    def _refusal(self, error: Exception) -> str:
        """Why a connection failed, said shortly with what to check (libpq's own text,
        on one line, when it is none of the usual reasons)."""
        reason = " ".join(str(error).split())
        text = reason.lower()
        if "password authentication failed" in text or "no password supplied" in text:
            return f"the server refused the password of role '{self.user}' (check the URL)"
        if "connection refused" in text:
            return "the connection was refused (is the server running, and on that port?)"
        if "timeout expired" in text:
            return f"no answer in {CONNECT_TIMEOUT_SECONDS} s (is the host right and reachable?)"
        return reason

    def peek(self) -> tuple[dict[str, str] | None, bool]:
        """The stored ``ledger_store`` settings (None if none yet) and whether the log
        holds any event, read directly (one connection attempt gives the server's own
        reason when it fails, where eventsourcing's pool only times out)."""
        import psycopg  # noqa: PLC0415

        store = self.dialect.qualify("ledger_store")
        with self._connect() as conn:
            try:
                found = conn.execute(
                    "SELECT to_regclass(%s) IS NOT NULL, to_regclass(%s) IS NOT NULL",
                    (store, self.events_table),
                ).fetchone()
                settings = None
                if found[0]:
                    rows = conn.execute(f"SELECT key, value FROM {store}").fetchall()
                    settings = {str(k): str(v) for k, v in rows} or None
                events = bool(found[1]) and bool(
                    conn.execute(f"SELECT 1 FROM {self.events_table} LIMIT 1").fetchone()
                )
            except psycopg.Error as error:
                reason = " ".join(str(error).split())
                raise StorageError(
                    f"url: cannot read the ledger at {self.where}: {reason}"
                ) from None
        return settings, events

    def environment(self, settings: dict[str, str]) -> dict[str, str]:
        env = {
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
            # eventsourcing's default (5 s) ends a transaction idle between two
            # statements: an import whose input pauses (a slow stretch of mail to parse
            # before the next chunk) lost its connection. Ten minutes still frees the
            # writers' lock from a transaction a stopped process left open.
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": str(IDLE_IN_TRANSACTION_SECONDS),
            "POSTGRES_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT_SECONDS),
            "CREATE_TABLE": "false",
        }
        if settings.get("compressor") == "zstd":
            env["COMPRESSOR_TOPIC"] = "ledger.store.compressor:ZstdCompressor"
        return env

    def scrub(self) -> None:
        """``VACUUM FULL`` of the tables a forgotten person's rows were deleted from, so
        that no dead tuple keeps them (the server's WAL archive and backups are the
        operator's: see docs/privacy.md)."""
        tables = ["ledger_keys", "ledger_identities", *(f"ledger_view_{n}" for n in _VIEW_TABLES)]
        with self._connect() as conn:
            for table in tables:
                conn.execute(f"VACUUM FULL {self.dialect.qualify(table)}")

    def may_read(self, c: Any, table: str) -> bool:
        """Whether this role may SELECT from ``table`` (one of the ledger's: a reader
        made by scripts/postgres-roles.sql may not read ``ledger_keys``)."""
        c.execute("SELECT has_table_privilege(%s, 'SELECT') AS ok", (self.dialect.qualify(table),))
        return bool(c.fetchone()["ok"])

    def may_own(self, c: Any, table: str) -> bool:
        """Whether this role owns ``table`` (or is a member of its owner's role): what
        DROP TABLE asks, and a rebuild of the views drops them."""
        c.execute(
            "SELECT pg_has_role(current_user, c.relowner, 'USAGE') AS ok FROM pg_class c "
            "WHERE c.oid = to_regclass(%s)",
            (self.dialect.qualify(table),),
        )
        row = c.fetchone()
        return row is None or bool(row["ok"])  # no table yet: whoever makes it owns it

    @contextmanager
    def keeping_grants(self, c: Any) -> Iterator[None]:
        """Grant again, after the block, what other roles were granted on the schema's
        tables before it (the block drops and makes tables anew: see
        :mod:`ledger.store._grants`). ``c``: a cursor whose rows are dicts."""
        grants = table_grants(c, self.schema)
        yield
        grant_again(c, self.schema, grants)

    @contextmanager
    def waiter(self, app: Any) -> Iterator[Callable[[float], None]]:
        """A function that waits, at most ``seconds``, for the next NOTIFY of the
        events' channel (eventsourcing's inserts and ours send one)."""
        channel = _quote(app.recorder.channel_name)
        with self._connect() as conn:
            conn.execute(f"LISTEN {channel}")

            def wait(seconds: float) -> None:
                for _ in conn.notifies(timeout=seconds, stop_after=1):
                    return

            yield wait

    def tracking_recorder(self, app: Any) -> Any:
        return app.factory.tracking_recorder(PostgresTrackingRecorder)

    def create_tables(self, app: Any, statements: Sequence[str], fingerprint: str) -> None:
        """Create every table under an advisory lock, unless the schema they make
        (``fingerprint``) is there already: PostgreSQL's CREATE TABLE IF NOT EXISTS is
        not safe against itself (duplicate key in pg_type), and re-running
        eventsourcing's DDL in every process fails with "tuple concurrently updated"."""
        import psycopg  # noqa: PLC0415
        from psycopg.rows import dict_row  # noqa: PLC0415

        lock_key = f"ledger:{self.schema}"
        with self._connect() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (lock_key,))
            try:
                if self.schema != "public":  # a team's ledger in its own schema
                    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(self.schema)}")
                app.recorder.create_table()
                self.tracking_recorder(app).create_table()
                store = self.dialect.qualify("ledger_store")
                with conn.transaction():
                    conn.execute(
                        f"CREATE TABLE IF NOT EXISTS {store}"
                        " (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
                    )
                    row = conn.execute(f"SELECT value FROM {store} WHERE key = 'ddl'").fetchone()
                    if row is None or row[0] != fingerprint:
                        # A new schema drops and makes the views anew: keep their grants.
                        with self.keeping_grants(conn.cursor(row_factory=dict_row)):
                            for statement in statements:
                                conn.execute(statement)
                        conn.execute(f"DELETE FROM {store} WHERE key = 'ddl'")
                        conn.execute(
                            f"INSERT INTO {store} (key, value) VALUES ('ddl', %s)", (fingerprint,)
                        )
            except (psycopg.Error, PersistenceError) as error:
                reason = " ".join(str(error).split())
                raise StorageError(
                    f"url: cannot create the ledger at {self.where}: {reason}"
                ) from None
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (lock_key,))

    @contextmanager
    def writing(self, app: Any) -> Iterator[Any]:
        recorder = app.recorder
        with (
            recorder.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            # One lock for every ledger writer, taken before the first look-up: no other
            # writer can insert between, and notification ids commit in their order (a
            # reader following the log never skips one). An advisory lock, not
            # eventsourcing's LOCK TABLE ... EXCLUSIVE, so that a writer role needs no
            # UPDATE right on the events (docs/privacy.md).
            curs.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"ledger-write:{self.schema}",)
            )
            yield curs

    @contextmanager
    def snapshot(self, app: Any) -> Iterator[Any]:
        with app.recorder.datastore.transaction(commit=False) as c:
            c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield c

    def insert_events(self, app: Any, c: Any, stored_events: Sequence[Any]) -> list[int]:
        """Four typed arrays, not eventsourcing's array of a composite type (psycopg
        adapts a composite value per event in Python); the inserts notify eventsourcing's
        channel as its own do. RETURNING promises no order: ids are matched by key."""
        recorder = app.recorder
        c.execute(f"NOTIFY {_quote(recorder.channel_name)}")
        ids: list[int] = []
        for chunk in batches(stored_events, INSERT_CHUNK):
            rows = [_row(s) for s in chunk]
            c.execute(
                f"INSERT INTO {self.events_table} (originator_id, originator_version, topic, "
                "state) SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[]) "
                "RETURNING originator_id, originator_version, notification_id",
                [list(column) for column in zip(*rows, strict=True)],
            )
            given = {
                (row["originator_id"].hex, row["originator_version"]): row["notification_id"]
                for row in c.fetchall()
            }
            ids.extend(int(given[(oid, version)]) for oid, version, _, _ in rows)
        return ids


def _row(stored: Any) -> tuple[str, int, str, bytes]:
    oid = stored.originator_id
    return (
        oid.hex if isinstance(oid, UUID) else oid,
        stored.originator_version,
        stored.topic,
        stored.state,
    )
