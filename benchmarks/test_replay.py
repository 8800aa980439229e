"""Full replay of the 332k ledger (rebuild all three projections from the stored events)
beside a raw SELECT + orjson decode of the same rows; and the query after one more
touchpoint in a new process (incremental catch-up) beside a full replay.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from _harness import Row, millis, paired, rate, run_process, single, timed

import ledger

pytestmark = pytest.mark.benchmark(group="replay")

ROUNDS = 3
PAGE = 1_000
_SELECT_EVENTS = (
    "SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
)


def _raw_decode(path: Path) -> int:
    """The floor of a replay: read every stored event in pages and decode its JSON."""
    count = 0
    with sqlite3.connect(path) as db:
        cursor = db.execute(_SELECT_EVENTS)
        while page := cursor.fetchmany(PAGE):
            for row in page:
                orjson.loads(row[3])
            count += len(page)
    return count


def test_replay_vs_raw_decode(
    benchmark: Any, record_row: Callable[[object, Row], None], email_ledger: Path
) -> None:
    applied: list[int] = []
    with ledger.open(f"sqlite:///{email_ledger}") as book:
        timing = paired(
            benchmark,
            lambda: applied.append(book.rebuild()),
            lambda: _raw_decode(email_ledger),
            rounds=ROUNDS,
        )
    events = applied[-1]
    ratio = timing.reference / timing.ledger
    per_second = events / timing.ledger
    record_row(
        benchmark,
        Row(
            key="replay",
            what=f"full replay, 3 projections ({events:,} events)",
            ledger=rate(events, timing.ledger),
            reference=f"SELECT + orjson {rate(events, timing.reference)}",
            ratio=ratio,
            target=">= 0.5 of floor and >= 200,000/s",
            met=ratio >= 0.5 and per_second >= 200_000,
            figures={
                "events": events,
                "ledger_seconds": timing.ledger_rounds,
                "floor_seconds": timing.reference_rounds,
                "ledger_per_second": per_second,
            },
        ),
    )


# A new process: open the ledger, record one touchpoint after the last one, then query
# the pair (the query catches the views up on that one event first).
_ONE_MORE = """
import json, sys, time
from datetime import UTC, datetime, timedelta
start = time.perf_counter()
import ledger
imported = time.perf_counter()
path, a, b, when = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
book = ledger.open(f"sqlite:///{path}")
opened = time.perf_counter()
book.record("message", a, b, datetime.fromisoformat(when))
recorded = time.perf_counter()
view = book.pair(a, b, as_of=when)
assert view is not None
done = time.perf_counter()
print(json.dumps({"import": imported - start, "open": opened - imported,
                  "record": recorded - opened, "query": done - recorded,
                  "strength": view.strength}))
"""


def _busiest_pair_and_end(path: Path) -> tuple[str, str, int]:
    with sqlite3.connect(path) as db:
        a, b = db.execute(
            "SELECT a, b FROM ledger_pair_touches GROUP BY a, b ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        (end,) = db.execute("SELECT max(t) FROM ledger_pair_touches").fetchone()
    return a, b, int(end)


def test_catch_up_one_more_vs_replay(
    benchmark: Any, record_row: Callable[[object, Row], None], ledger_copy: Callable[[], Path]
) -> None:
    from ledger.facts.time import from_micros

    path = ledger_copy()
    a, b, end = _busiest_pair_and_end(path)
    with ledger.open(f"sqlite:///{path}") as book:
        replay = timed(book.rebuild)
    runs: list[dict[str, float]] = []

    def one_more() -> None:
        when = from_micros(end + (len(runs) + 1) * 1_000_000).isoformat()
        _, _, out = run_process([sys.executable, "-c", _ONE_MORE, path, a, b, when])
        runs.append(json.loads(out))

    wall = single(benchmark, one_more, rounds=ROUNDS)
    query = sorted(run["open"] + run["query"] for run in runs)[len(runs) // 2]
    ratio = query / replay
    record_row(
        benchmark,
        Row(
            key="catch_up",
            what="open + query after one more touchpoint (catch-up, new process)",
            ledger=f"{millis(query)} (process {wall:.2f} s)",
            reference=f"full replay {replay:.2f} s",
            ratio=ratio,
            target="<= 0.05 of replay",
            met=ratio <= 0.05,
            figures={"runs": runs, "replay_seconds": replay, "process_seconds": wall},
        ),
    )
