"""The same import and replay on PostgreSQL (a local server, a fresh schema): reported,
beside the SQLite figures of the same run; no target. The ledger inserts large
batches in bounded chunks there (``ledger.postgres.INSERT_CHUNK``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _harness import LEDGER_CLI, Row, edges, rate, run_process

pytestmark = pytest.mark.benchmark(group="postgres")


def test_postgres_import_and_replay(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    results: dict[str, Row],
    postgres_url: str,
    email_log: Path,
) -> None:
    touchpoints = len(edges(email_log))
    found: dict[str, float] = {}

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
        record_row(
            benchmark,
            Row(
                key=f"pg_{key}",
                what=f"PostgreSQL: whole `ledger {key}` ({count:,} {noun})",
                ledger=rate(count, seconds),
                reference="SQLite: -" if theirs is None else f"SQLite {theirs:,.0f}/s",
                ratio=None if theirs is None else ours / theirs,
                target="report",
                met=None,
                figures={"seconds": seconds, "per_second": ours},
            ),
        )
