"""eventsourcing's own recorder test cases, run against the recorders our storages build.

The ledger stores events with eventsourcing's recorders, configured from a ledger URL
(lock timeouts, pool sizes, schema, table names). These suites check that the
recorders, so configured, still keep every promise the library makes.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pytest
from eventsourcing.tests import persistence as upstream

import ledger


class _LedgerRecorders:
    """Builds recorders exactly as ``ledger.open(url)`` would."""

    url: str

    def open_ledger(self) -> ledger.Ledger:
        book = ledger.open(self.url)
        self.addCleanup(book.close)  # type: ignore[attr-defined]
        # Cleanups run last in, first out, so this runs before the ledger closes.
        # Upstream's concurrency test signals its reader threads to stop but never
        # joins them; closing a SQLite connection while a reader is still inside
        # ``execute`` has crashed the interpreter (a segfault in CI).
        before = set(threading.enumerate())
        self.addCleanup(_join_new_threads, before)  # type: ignore[attr-defined]
        return book


def _join_new_threads(before: set[threading.Thread]) -> None:
    for thread in threading.enumerate():
        if thread not in before and thread is not threading.current_thread():
            thread.join(timeout=30)


class _SQLiteFile(_LedgerRecorders):
    """A SQLite file in a directory removed only after every ledger on it is closed
    (cleanups run last in, first out: removing a database under open connections has
    crashed the interpreter)."""

    def setUp(self) -> None:
        tmp = TemporaryDirectory()
        self.addCleanup(tmp.cleanup)  # type: ignore[attr-defined]
        self.url = f"sqlite:///{Path(tmp.name) / 'ledger.db'}"
        super().setUp()  # type: ignore[misc]


class TestSQLiteApplicationRecorder(_SQLiteFile, upstream.ApplicationRecorderTestCase[Any]):
    def create_recorder(self) -> Any:
        return self.open_ledger()._store.app.recorder

    def test_concurrent_throughput(self) -> None:
        pytest.skip("a throughput benchmark, not a correctness check: see benchmarks/")

    def test_performance(self) -> None:
        pytest.skip("a throughput benchmark, not a correctness check: see benchmarks/")


class TestSQLiteTrackingRecorder(_SQLiteFile, upstream.TrackingRecorderTestCase):
    def create_recorder(self) -> Any:
        return self.open_ledger()._views.views.recorder


def _postgres_url() -> str:
    from conftest import postgres_or_skip

    return postgres_or_skip()


class _PostgresSchema(_LedgerRecorders):
    """A fresh schema per test, dropped after every ledger on it is closed."""

    def setUp(self) -> None:
        import psycopg

        base = _postgres_url().split("?", 1)[0]
        schema = f"r_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')

        def drop() -> None:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

        self.addCleanup(drop)  # type: ignore[attr-defined]
        self.url = f"{base}?schema={schema}"
        super().setUp()  # type: ignore[misc]


@pytest.mark.postgres
class TestPostgresApplicationRecorder(_PostgresSchema, upstream.ApplicationRecorderTestCase[Any]):
    EXPECT_CONTIGUOUS_NOTIFICATION_IDS = False  # sequences skip after rollbacks

    def create_recorder(self) -> Any:
        return self.open_ledger()._store.app.recorder

    def test_concurrent_throughput(self) -> None:
        pytest.skip("a throughput benchmark, not a correctness check: see benchmarks/")

    def test_performance(self) -> None:
        pytest.skip("a throughput benchmark, not a correctness check: see benchmarks/")


@pytest.mark.postgres
class TestPostgresTrackingRecorder(_PostgresSchema, upstream.TrackingRecorderTestCase):
    def create_recorder(self) -> Any:
        return self.open_ledger()._views.views.recorder
