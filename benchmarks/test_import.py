"""Bulk import of the 332k e-mail log: the whole ``ledger import edges`` command, beside
a raw ``sqlite3.executemany`` of the same stored rows, and beside eventsourcing used the
ordinary way (one ``app.save`` per touchpoint; batches of 1,000 aggregates).

The stored rows are every row a fresh import leaves in the file: its batch events
(``stored_events``), their hash-chain links, the index of touchpoint ids
(``ledger_facts``), the people's keys and identities, the tracking row. The floor writes
them again, raw, into the same tables and indexes of a fresh file (issue 5's import
row; issue 14's "import alone >= 70% of the raw insert floor of the same rows").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from _harness import (
    LEDGER_CLI,
    SMOKE,
    Row,
    edges,
    fresh_paths,
    paired,
    rate,
    raw_insert,
    run_process,
    single,
    stored_rows,
)
from eventsourcing.application import Application

# The first format of the facts, one aggregate per touchpoint (kept readable by the
# ledger): what eventsourcing's ordinary way stores.
from ledger.facts.legacy import Touchpoint, touchpoint_id

pytestmark = pytest.mark.benchmark(group="import")

ROUNDS = 3
ES_PER_EVENT = 1_000 if SMOKE else 20_000
"""Touchpoints saved one ``app.save`` each: at ~2.7k/s the whole log would take 2 min."""
ES_BATCHED = 5_000 if SMOKE else 100_000
ES_BATCH = 1_000


def test_import_vs_raw_executemany(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    email_log: Path,
    tmp_path: Path,
) -> None:
    touchpoints = len(edges(email_log))
    ours, theirs = fresh_paths(tmp_path, "ledger"), fresh_paths(tmp_path, "raw")
    peaks: list[int] = []

    made: list[Path] = []

    def command() -> None:
        made.append(next(ours))
        url = f"sqlite:///{made[-1]}"
        _, rss, _ = run_process([LEDGER_CLI, "--db", url, "import", "edges", email_log])
        peaks.append(rss)

    # The rows a fresh import stores, read from a file the ledger wrote in this run.
    command()
    stored = stored_rows(made[0])
    tables = {name: len(rows) for name, _, rows in stored.tables}
    timing = paired(benchmark, command, lambda: raw_insert(next(theirs), stored), rounds=ROUNDS)
    ratio = timing.reference / timing.ledger
    per_second = touchpoints / timing.ledger
    raw = f"raw executemany of the same {stored.count:,} rows {timing.reference:.2f} s"
    figures = {
        "touchpoints": touchpoints,
        "stored_rows": stored.count,
        "rows_by_table": tables,
        "ledger_seconds": timing.ledger_rounds,
        "raw_seconds": timing.reference_rounds,
        "ledger_per_second": per_second,
        "peak_rss_mb": max(peaks) / 2**20,
    }
    record_row(
        benchmark,
        Row(
            key="import",
            what=f"bulk import, whole `ledger import edges` ({touchpoints:,} touchpoints)",
            ledger=rate(touchpoints, timing.ledger),
            reference=raw,
            ratio=ratio,
            target=">= 0.5 of raw and >= 100,000/s",
            met=ratio >= 0.5 and per_second >= 100_000,
            figures=figures,
        ),
    )
    record_row(
        benchmark,
        Row(
            key="import_floor",
            what=f"import alone, whole `ledger import edges`, email-Eu-core "
            f"({touchpoints:,} touchpoints)",
            ledger=rate(touchpoints, timing.ledger),
            reference=raw,
            ratio=ratio,
            target=">= 0.7 of the raw floor",
            met=ratio >= 0.7,
            figures=figures,
            issue=14,
        ),
    )


# -- eventsourcing the ordinary way ----------------------------------------------------
def _application(path: Path) -> Application[Any]:
    return Application(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
        }
    )


def _aggregates(sample: list[tuple[str, str, int]]) -> list[Touchpoint]:
    """The ledger's own Touchpoint aggregates, created as eventsourcing documents it."""
    made = []
    for number, (src, dst, stamp) in enumerate(sample):
        ref = f"{src}>{dst}@{stamp}#{number}"
        made.append(
            Touchpoint._create(
                Touchpoint.Recorded,
                id=touchpoint_id("bench", ref),
                kind="message",
                initiator=src,
                counterparts=[dst],
                occurred_at=datetime.fromtimestamp(stamp, UTC),
                note=None,
                source="bench",
                source_ref=ref,
                personalized=False,
                giver=None,
                duration_seconds=None,
            )
        )
    return made


def _es_rate(
    benchmark: Any, email_log: Path, tmp_path: Path, count: int, batch: int
) -> tuple[float, int]:
    """Touchpoints/s of creating and saving aggregates ``batch`` to an ``app.save``."""
    sample = edges(email_log)[:count]
    app = _application(tmp_path / f"es-{batch}.db")

    def save_all() -> None:
        made = _aggregates(sample)  # creating them is part of the ordinary way
        for start in range(0, len(made), batch):
            app.save(*made[start : start + batch])

    seconds = single(benchmark, save_all)
    app.close()
    return len(sample) / seconds, len(sample)


@pytest.mark.parametrize(
    ("key", "count", "batch", "times"),
    [("es_per_event", ES_PER_EVENT, 1, 20.0), ("es_batched", ES_BATCHED, ES_BATCH, 2.5)],
)
def test_eventsourcing_ordinary_way(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    results: dict[str, Row],
    email_log: Path,
    tmp_path: Path,
    key: str,
    count: int,
    batch: int,
    times: float,
) -> None:
    theirs, sampled = _es_rate(benchmark, email_log, tmp_path, count, batch)
    ours = results["import"].figures["ledger_per_second"] if "import" in results else None
    ratio = None if ours is None else ours / theirs
    how = "one app.save per touchpoint" if batch == 1 else f"app.save of {batch:,} aggregates"
    record_row(
        benchmark,
        Row(
            key=key,
            what=f"import vs eventsourcing, {how}",
            ledger="(import row)" if ours is None else f"{ours:,.0f}/s",
            reference=f"{theirs:,.0f}/s on {sampled:,} touchpoints",
            ratio=ratio,
            target=f">= {times:g}x",
            met=None if ratio is None else ratio >= times,
            figures={"eventsourcing_per_second": theirs, "sample": sampled},
        ),
    )
