"""Full replay of the 332k ledger (rebuild all three projections from the stored events)
beside a raw SELECT + zstd + orjson decode of the same rows; the first catch-up of a
freshly imported ledger beside the same floor; and the query after one more touchpoint
in a new process (incremental catch-up) beside a full replay.

The ledger stores a bulk import as a few batch events (14 for this log: 7 of people, 7
of up to 50,000 touchpoints each, column by column, zstd-compressed), so "events/s"
of issues 5 and 14 (written when a touchpoint was an event) are counted here as
touchpoints folded per second; the events are reported beside them.
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
import zstandard
from _harness import Row, copy_ledger, millis, paired, rate, run_process, single, timed

import ledger

pytestmark = pytest.mark.benchmark(group="replay")

ROUNDS = 3
PAGE = 1_000
_SELECT_EVENTS = (
    "SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
)


def raw_decode(path: Path) -> tuple[int, int]:
    """The floor of a replay: read every stored event in pages, decompress it (the
    ledger's compressor is zstd) and decode its JSON; ``(events, touchpoints)``."""
    events = touchpoints = 0
    unzip = zstandard.ZstdDecompressor()
    with sqlite3.connect(path) as db:
        cursor = db.execute(_SELECT_EVENTS)
        while page := cursor.fetchmany(PAGE):
            for row in page:
                state = orjson.loads(unzip.decompress(row[3]))
                touchpoints += len(state.get("t", ())) if row[2].endswith("Touches.Recorded") else 0
            events += len(page)
    return events, touchpoints


def test_replay_vs_raw_decode(
    benchmark: Any, record_row: Callable[[object, Row], None], email_ledger: Path
) -> None:
    applied: list[int] = []
    with ledger.open(f"sqlite:///{email_ledger}") as book:
        timing = paired(
            benchmark,
            lambda: applied.append(book.rebuild()),
            lambda: raw_decode(email_ledger),
            rounds=ROUNDS,
        )
    events, touchpoints = applied[-1], raw_decode(email_ledger)[1]
    ratio = timing.reference / timing.ledger
    per_second = touchpoints / timing.ledger
    floor = f"SELECT + zstd + orjson {rate(touchpoints, timing.reference)}"
    figures = {
        "events": events,
        "touchpoints": touchpoints,
        "ledger_seconds": timing.ledger_rounds,
        "floor_seconds": timing.reference_rounds,
        "ledger_per_second": per_second,
    }
    record_row(
        benchmark,
        Row(
            key="replay",
            what=f"full replay, 3 projections ({touchpoints:,} touchpoints in {events} events)",
            ledger=rate(touchpoints, timing.ledger),
            reference=floor,
            ratio=ratio,
            target=">= 0.5 of floor and >= 200,000/s",
            met=ratio >= 0.5 and per_second >= 200_000,
            figures=figures,
        ),
    )
    record_row(
        benchmark,
        Row(
            key="replay_rate",
            what=f"replay (`Ledger.rebuild`), email-Eu-core, touchpoints/s ({events} events)",
            ledger=rate(touchpoints, timing.ledger),
            reference=floor,
            ratio=ratio,
            target=">= 200,000/s",
            met=per_second >= 200_000,
            figures=figures,
            issue=14,
        ),
    )


def test_first_catch_up_vs_raw_decode(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    email_imported: Path,
    tmp_path: Path,
) -> None:
    """The views' first catch-up after an import (what the first question waits for),
    in-process on a fresh copy of the imported file each round."""
    copies: list[Path] = []
    applied: list[int] = []

    def fresh() -> None:
        copies.append(copy_ledger(email_imported, tmp_path / f"imported-{len(copies)}.db"))

    def catch_up() -> None:
        with ledger.open(f"sqlite:///{copies[-1]}") as book:
            applied.append(book.catch_up())

    timing = paired(
        benchmark, catch_up, lambda: raw_decode(email_imported), rounds=ROUNDS, prepare=fresh
    )
    events, touchpoints = raw_decode(email_imported)
    per_second = touchpoints / timing.ledger
    record_row(
        benchmark,
        Row(
            key="catch_up_rate",
            what=f"first catch-up after the import, email-Eu-core ({applied[-1]} events)",
            ledger=rate(touchpoints, timing.ledger),
            reference=f"SELECT + zstd + orjson {rate(touchpoints, timing.reference)}",
            ratio=timing.reference / timing.ledger,
            target=">= 200,000/s",
            met=per_second >= 200_000,
            figures={
                "events": events,
                "touchpoints": touchpoints,
                "ledger_seconds": timing.ledger_rounds,
                "floor_seconds": timing.reference_rounds,
                "ledger_per_second": per_second,
            },
            issue=14,
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


def busiest_pair_and_end(path: Path) -> tuple[str, str, int]:
    """The pair with the most touches, and the last touch of the ledger (µs)."""
    with ledger.open(f"sqlite:///{path}") as book:
        table = book.pair_table()
    busiest = int(table["touches"].argmax())
    end = table["last_touch_at"].max().astype("datetime64[us]").astype("int64")
    return str(table["a"][busiest]), str(table["b"][busiest]), int(end)


def test_catch_up_one_more_vs_replay(
    benchmark: Any, record_row: Callable[[object, Row], None], ledger_copy: Callable[[], Path]
) -> None:
    from ledger.facts.time import from_micros

    path = ledger_copy()
    a, b, end = busiest_pair_and_end(path)
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
