"""The same import and replay on PostgreSQL (a local server, a fresh schema): reported,
beside the SQLite figures of the same run, and the import beside a psycopg
``executemany`` of the same stored rows in one transaction; no target. The ledger
inserts large batches in bounded chunks there (``ledger.store.postgres.INSERT_CHUNK``).

The stored rows are every row of every table the import left in its schema (batch
events, chain links, the touchpoint-id index, keys, identities, tracking), written
again into tables made ``LIKE`` them (same columns, indexes and constraints) in a
second fresh schema.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _harness import LEDGER_CLI, Row, edges, rate, run_process, timed

pytestmark = pytest.mark.benchmark(group="postgres")

Tables = list[tuple[str, int, list[tuple[Any, ...]]]]


def _split(url: str) -> tuple[str, str]:
    dsn, _, schema = url.partition("?schema=")
    return dsn, schema


def _stored(url: str) -> Tables:
    """``(table, columns, rows)`` of every table with rows in the ledger's schema."""
    import psycopg

    dsn, schema = _split(url)
    found = []
    with psycopg.connect(dsn) as conn:
        names = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_type = 'BASE TABLE' ORDER BY table_name",
            (schema,),
        ).fetchall()
        for (name,) in names:
            cursor = conn.execute(f'SELECT * FROM "{schema}"."{name}"')
            rows = cursor.fetchall()
            if rows:
                found.append((name, len(cursor.description or ()), rows))
    return found


def _raw_executemany(url: str, tables: Tables) -> None:
    """The floor: in a second fresh schema, tables ``LIKE`` the ledger's (indexes and
    constraints included), then psycopg's executemany (pipelined) of every row, in one
    transaction."""
    import psycopg

    dsn, source = _split(url)
    target = f"raw_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn) as conn:
        conn.execute(f'CREATE SCHEMA "{target}"')
        try:
            for name, width, rows in tables:
                conn.execute(
                    f'CREATE TABLE "{target}"."{name}" (LIKE "{source}"."{name}" INCLUDING ALL)'
                )
                marks = ", ".join(["%s"] * width)
                with conn.cursor() as cursor:
                    cursor.executemany(
                        f'INSERT INTO "{target}"."{name}" OVERRIDING SYSTEM VALUE VALUES ({marks})',
                        rows,
                    )
            conn.commit()
        finally:
            conn.rollback()
            conn.execute(f'DROP SCHEMA "{target}" CASCADE')
            conn.commit()


def test_postgres_import_and_replay(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    results: dict[str, Row],
    postgres_url: str,
    email_log: Path,
) -> None:
    touchpoints = len(edges(email_log))
    found: dict[str, float] = {}
    stored: Tables = []

    def import_and_replay() -> None:
        command = [LEDGER_CLI, "--db", postgres_url, "import", "edges", email_log]
        found["import"] = run_process(command)[0]
        stored.extend(_stored(postgres_url))
        found["raw"] = timed(lambda: _raw_executemany(postgres_url, stored))
        found["replay"], _, out = run_process([LEDGER_CLI, "--db", postgres_url, "replay"])
        found["events"] = int(out.split()[1])  # "replayed N events"

    benchmark.pedantic(import_and_replay, rounds=1, iterations=1)
    events = int(found["events"])
    count = sum(len(rows) for _, _, rows in stored)
    for key, seconds in (("import", found["import"]), ("replay", found["replay"])):
        sqlite = results.get(key)
        ours = touchpoints / seconds
        theirs = None if sqlite is None else sqlite.figures["ledger_per_second"]
        raw = (
            f"; psycopg executemany of the same {count:,} rows {found['raw']:.2f} s"
            if key == "import"
            else ""
        )
        noun = "touchpoints" if key == "import" else f"touchpoints in {events} events"
        record_row(
            benchmark,
            Row(
                key=f"pg_{key}",
                what=f"PostgreSQL: whole `ledger {key}` ({touchpoints:,} {noun})",
                ledger=rate(touchpoints, seconds),
                reference=("SQLite: -" if theirs is None else f"SQLite {theirs:,.0f}/s") + raw,
                ratio=None if theirs is None else ours / theirs,
                target="report",
                met=None,
                figures={
                    "seconds": seconds,
                    "per_second": ours,
                    "raw_seconds": found["raw"],
                    "raw_rows": count,
                    "events": events,
                },
            ),
        )
