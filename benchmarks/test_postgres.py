"""The same import and replay on PostgreSQL (a local server, a fresh schema): reported,
beside the SQLite figures of the same run, and the import beside a psycopg
``executemany`` of the same stored rows in one transaction; no target. The ledger
inserts large batches in bounded chunks there (``ledger.store.postgres.INSERT_CHUNK``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _harness import LEDGER_CLI, Row, edges, rate, run_process, stored_rows, timed

pytestmark = pytest.mark.benchmark(group="postgres")

# eventsourcing's PostgreSQL events table (eventsourcing.postgres), in a table of our own.
_RAW_DDL = (
    "CREATE TABLE raw_events (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
    "topic text, state bytea, notification_id bigserial, "
    "PRIMARY KEY (originator_id, originator_version))",
    "CREATE UNIQUE INDEX raw_events_notification_id ON raw_events (notification_id ASC)",
)


def _raw_executemany(url: str, rows: list[tuple[Any, ...]]) -> None:
    """The floor: psycopg's executemany (pipelined) of every row in one transaction."""
    import psycopg

    dsn, _, query = url.partition("?schema=")
    with psycopg.connect(dsn) as conn:
        conn.execute(f'SET search_path TO "{query}"')
        for statement in _RAW_DDL:
            conn.execute(statement)
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO raw_events (originator_id, originator_version, topic, state) "
                "VALUES (%s, %s, %s, %s)",
                rows,
            )


def test_postgres_import_and_replay(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    results: dict[str, Row],
    postgres_url: str,
    email_log: Path,
    email_ledger: Path,
) -> None:
    touchpoints = len(edges(email_log))
    rows = stored_rows(email_ledger)
    found: dict[str, float] = {"raw": timed(lambda: _raw_executemany(postgres_url, rows))}

    def import_and_replay() -> None:
        command = [LEDGER_CLI, "--db", postgres_url, "import", "edges", email_log]
        found["import"] = run_process(command)[0]
        found["replay"], _, out = run_process([LEDGER_CLI, "--db", postgres_url, "replay"])
        found["events"] = int(out.split()[1])  # "replayed N events"

    benchmark.pedantic(import_and_replay, rounds=1, iterations=1)
    events = int(found["events"])
    for key, count, seconds, noun in (
        ("import", touchpoints, found["import"], "touchpoints"),
        ("replay", events, found["replay"], "events"),
    ):
        sqlite = results.get(key)
        ours = count / seconds
        theirs = None if sqlite is None else sqlite.figures["ledger_per_second"]
        raw = f"; psycopg executemany {rate(len(rows), found['raw'])}" if key == "import" else ""
        record_row(
            benchmark,
            Row(
                key=f"pg_{key}",
                what=f"PostgreSQL: whole `ledger {key}` ({count:,} {noun})",
                ledger=rate(count, seconds),
                reference=("SQLite: -" if theirs is None else f"SQLite {theirs:,.0f}/s") + raw,
                ratio=None if theirs is None else ours / theirs,
                target="report",
                met=None,
                figures={"seconds": seconds, "per_second": ours, "raw_seconds": found["raw"]},
            ),
        )
