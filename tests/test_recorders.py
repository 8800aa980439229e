"""eventsourcing's own recorder test cases, run against the recorders our storages build.

The ledger stores events with eventsourcing's recorders, configured from a ledger URL
(lock timeouts, pool sizes, schema, table names). These suites check that the
recorders, so configured, still keep every promise the library makes.
"""

from __future__ import annotations

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
        return book


class TestSQLiteApplicationRecorder(_LedgerRecorders, upstream.ApplicationRecorderTestCase[Any]):
    def setUp(self) -> None:
        self._tmp = TemporaryDirectory()
        self.url = f"sqlite:///{Path(self._tmp.name) / 'ledger.db'}"
        super().setUp()

    def tearDown(self) -> None:
        super().tearDown()
        self._tmp.cleanup()

    def create_recorder(self) -> Any:
        return self.open_ledger().application.recorder

    def test_concurrent_throughput(self) -> None:
        pytest.skip("a throughput benchmark, not a correctness check: see benchmarks/")

    def test_performance(self) -> None:
        pytest.skip("a throughput benchmark, not a correctness check: see benchmarks/")


class TestSQLiteTrackingRecorder(_LedgerRecorders, upstream.TrackingRecorderTestCase):
    def setUp(self) -> None:
        self._tmp = TemporaryDirectory()
        self.url = f"sqlite:///{Path(self._tmp.name) / 'ledger.db'}"

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def create_recorder(self) -> Any:
        return self.open_ledger()._views.recorder


def _postgres_url() -> str:
    from conftest import postgres_or_skip

    return postgres_or_skip()


class _PostgresSchema(_LedgerRecorders):
    """A fresh schema per test, dropped afterwards."""

    def setUp(self) -> None:
        import psycopg

        self._base = _postgres_url().split("?", 1)[0]
        self._schema = f"r_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self._base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{self._schema}"')
        self.url = f"{self._base}?schema={self._schema}"
        super().setUp()  # type: ignore[misc]

    def tearDown(self) -> None:
        import psycopg

        super().tearDown()  # type: ignore[misc]
        with psycopg.connect(self._base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{self._schema}" CASCADE')


@pytest.mark.postgres
class TestPostgresApplicationRecorder(_PostgresSchema, upstream.ApplicationRecorderTestCase[Any]):
    EXPECT_CONTIGUOUS_NOTIFICATION_IDS = False  # sequences skip after rollbacks

    def create_recorder(self) -> Any:
        return self.open_ledger().application.recorder

    def test_concurrent_throughput(self) -> None:
        pytest.skip("a throughput benchmark, not a correctness check: see benchmarks/")

    def test_performance(self) -> None:
        pytest.skip("a throughput benchmark, not a correctness check: see benchmarks/")


@pytest.mark.postgres
class TestPostgresTrackingRecorder(_PostgresSchema, upstream.TrackingRecorderTestCase):
    def create_recorder(self) -> Any:
        return self.open_ledger()._views.recorder
