"""Queries as of an arbitrary T.

* The decay of every pair (the decay export, without writing a file) beside DuckDB
  computing the same sums from the same touchpoints in memory, at four T across the
  history. The ledger object's first export (which loads the columns it keeps) is
  timed apart. The touchpoints are read from the raw log into DuckDB with each one's
  model-free factor (its place in its conversation session, ``_duck.events``), as the
  ledger's views keep it: both sides then weigh and sum as of T.
* One pair's strength, depth and reciprocity beside eventsourcing's
  ``repository.get(id, version=...)`` with a snapshot every 1,000 events, for a pair with
  10,000 touchpoints. No pair of the real logs has that many (email-Eu-core's busiest
  has 4,992, sx-mathoverflow's 325), so a synthetic pair with 10,000 touchpoints is
  recorded into a copy of the 332k ledger.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from _duck import events
from _harness import SMOKE, Paired, Row, millis, pair_query_ms, paired, timed
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

import ledger
from ledger import Touch
from ledger.facts.time import from_micros
from ledger.outputs.export import export_table

ROUNDS = 3
DECAY_ROUNDS = 7  # milliseconds each on a noisy shared machine: more rounds, steadier medians
QUANTILES = (0.25, 0.5, 0.75, 1.0)
SYNTHETIC = 10_000
SNAPSHOT_EVERY = 1_000
POINT_QUERIES = 200 if SMOKE else 2_000
SYNTHETIC_QUERIES = 50 if SMOKE else 300
"""Fewer for the 10,000-touch pair: each query reads the pair's rows (~20 ms each)."""
ES_READS = 20 if SMOKE else 100


# -- decay of every pair vs DuckDB -------------------------------------------------------
@pytest.fixture(scope="module")
def duck(email_ledger: Path, email_log: Path) -> Iterator[tuple[Any, float, float]]:
    """An in-memory DuckDB table ``ev(a, b, t, w)`` of the same touchpoints (``t`` in
    seconds, ``w`` a message's weight times the touch's factor); its time range."""
    duckdb = pytest.importorskip("duckdb")
    with ledger.open(f"sqlite:///{email_ledger}") as book:
        weight = book.decay_model.weights["message"]
    con = duckdb.connect()
    events(con, str(email_log))
    con.execute(
        f"CREATE TABLE ev AS SELECT a, b, CAST(t AS DOUBLE) AS t, {weight} * f AS w FROM fx"
    )
    con.execute("DROP TABLE fx")
    low, high = con.execute("SELECT min(t), max(t) FROM ev").fetchone()
    yield con, float(low), float(high)
    con.close()


def _duck_sums(con: Any, t: float, half_life_days: float) -> list[tuple[str, str, float]]:
    decay = math.log(2) / (half_life_days * 86_400)
    rows: list[tuple[str, str, float]] = con.execute(
        "SELECT a, b, sum(w * exp(-? * (? - t))) FROM ev WHERE t <= ? GROUP BY a, b",
        [decay, t, t],
    ).fetchall()
    return rows


@pytest.mark.benchmark(group="decay-as-of")
@pytest.mark.parametrize("quantile", QUANTILES)
def test_decay_export_vs_duckdb(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    email_ledger: Path,
    duck: tuple[Any, float, float],
    quantile: float,
) -> None:
    con, low, high = duck
    t = low + (high - low) * quantile
    as_of = datetime.fromtimestamp(t, UTC)
    out: dict[str, Any] = {}
    with ledger.open(f"sqlite:///{email_ledger}") as book:
        half_life = book.decay_model.half_life_days
        # A ledger object's first export looks each pair up; its second loads the
        # pair-touch columns it then keeps: both timed apart, shown beside the warm figure.
        cold = timed(lambda: export_table(book, "decay", as_of))
        load = timed(lambda: export_table(book, "decay", as_of))
        timing = paired(
            benchmark,
            lambda: out.update(ours=export_table(book, "decay", as_of)),
            lambda: out.update(theirs=_duck_sums(con, t, half_life)),
            rounds=DECAY_ROUNDS,
        )
    # The export's table holds Python lists per column (DuckDB's side: a list of
    # Python tuples); dicts per row are built here, after the timing.
    out["ours"] = out["ours"].rows
    _same_sums(out["ours"], out["theirs"])
    ratio = timing.ledger / timing.reference
    index = QUANTILES.index(quantile) + 1
    record_row(
        benchmark,
        Row(
            key=f"decay_t{index}",
            what=f"decay of every pair as of T{index} ({quantile:.0%} of history, "
            f"{len(out['ours']):,} pairs)",
            ledger=f"{millis(timing.ledger)} (first call {millis(cold)}, second "
            f"{millis(load)} loads columns)",
            reference=f"DuckDB {millis(timing.reference)}",
            ratio=ratio,
            target="<= 1.0 (not slower)",
            met=ratio <= 1.0,
            figures={
                "as_of": as_of.isoformat(),
                "pairs": len(out["ours"]),
                "first_call_seconds": cold,
                "column_load_call_seconds": load,
                "ledger_seconds": timing.ledger_rounds,
                "duckdb_seconds": timing.reference_rounds,
            },
        ),
    )


def _same_sums(ours: list[dict[str, Any]], theirs: list[tuple[str, str, float]]) -> None:
    """Both sides computed the same thing: same pairs, same strengths."""
    expected = {(a, b): s for a, b, s in theirs}
    assert len(ours) == len(expected)
    for row in ours:
        assert math.isclose(
            row["strength"], expected[(row["a"], row["b"])], rel_tol=1e-9, abs_tol=1e-12
        )


# -- one pair with 10,000 touchpoints vs eventsourcing snapshots -------------------------
class PairHistory(Aggregate):
    """The reference: one pair as an aggregate, its fold done by its events."""

    def __init__(self) -> None:
        self.touches = 0
        self.sent = [0, 0]
        self.strength = 0.0
        self.last_t = 0.0

    @event("Touched")
    def touch(self, t: float, direction: int, weight: float) -> None:
        halvings = (t - self.last_t) / (90 * 86_400) if self.touches else 0.0
        self.strength = self.strength * 2**-halvings + weight
        self.sent[direction] += 1
        self.touches += 1
        self.last_t = t


class SnapshottingApp(Application[Any]):
    is_snapshotting_enabled = True
    snapshotting_intervals = {PairHistory: SNAPSHOT_EVERY}  # noqa: RUF012 - eventsourcing's API


def _synthetic(start: datetime) -> list[Touch]:
    """10,000 touches of one pair, both ways, an hour apart, a call every 50th."""
    return [
        Touch(
            "call" if n % 50 == 0 else "message",
            "synthetic-a" if n % 2 else "synthetic-b",
            "synthetic-b" if n % 2 else "synthetic-a",
            start + timedelta(hours=n),
            source="bench-synthetic",
            source_ref=str(n),
        )
        for n in range(SYNTHETIC)
    ]


def _reference_app(path: Path, touches: list[Touch]) -> tuple[SnapshottingApp, Any]:
    app = SnapshottingApp(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    )
    pair = PairHistory()
    for number, touch in enumerate(touches, 1):
        pair.touch(touch.occurred_at.timestamp(), number % 2, 1.0)
        if number % SNAPSHOT_EVERY == 0:
            app.save(pair)  # snapshots are taken at versions that are multiples of 1,000
    app.save(pair)
    return app, pair.id


def _moments_and_versions(touches: list[Touch]) -> tuple[list[datetime], list[int]]:
    """Random times across the pair's history (and a month after), random versions."""
    chooser = random.Random(5)
    low, high = touches[0].occurred_at, touches[-1].occurred_at + timedelta(days=30)
    moments = [low + (high - low) * chooser.random() for _ in range(SYNTHETIC_QUERIES)]
    return moments, [chooser.randint(1, SYNTHETIC + 1) for _ in range(ES_READS)]


@pytest.mark.benchmark(group="point-query")
def test_point_query_vs_eventsourcing_snapshots(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    ledger_copy: Callable[[], Path],
    tmp_path: Path,
) -> None:
    path = ledger_copy()
    with ledger.open(f"sqlite:///{path}") as book:
        first = book.pair_table()["first_touch_at"].min().astype("datetime64[us]")
    touches = _synthetic(from_micros(int(first.astype("int64"))))
    app, pair_id = _reference_app(tmp_path / "snapshots.db", touches)
    moments, versions = _moments_and_versions(touches)
    with ledger.open(f"sqlite:///{path}") as book:
        book.record_many(touches, create_people=True)
        book.catch_up()

        def ours() -> None:
            for moment in moments:
                view = book.pair("synthetic-a", "synthetic-b", as_of=moment)
                assert view is not None and view.depth is not None and view.reciprocity is not None

        def theirs() -> None:
            for version in versions:
                app.repository.get(pair_id, version=version)

        timing = paired(benchmark, ours, theirs, rounds=ROUNDS)
    app.close()
    record_row(benchmark, _point_row(timing, len(moments), len(versions)))


def _point_row(timing: Paired, queries: int, reads: int) -> Row:
    per_query, per_read = timing.ledger / queries, timing.reference / reads
    return Row(
        key="point_query",
        what=f"one pair as of T, strength + depth + reciprocity ({SYNTHETIC:,} touches)",
        ledger=millis(per_query),
        reference=f"repository.get(version) + snapshots/{SNAPSHOT_EVERY:,}: {millis(per_read)}",
        ratio=per_query / per_read,
        target="<= 1 ms",
        met=per_query <= 0.001,
        figures={"queries": queries, "reads": reads, "ledger_seconds": timing.ledger_rounds},
    )


# -- one real pair as of T (issue 14: flat as the ledger grows) ---------------------------
@pytest.mark.benchmark(group="point-query")
def test_real_pair_as_of(
    benchmark: Any, record_row: Callable[[object, Row], None], email_ledger: Path
) -> None:
    found: list[tuple[float, str, str]] = []
    benchmark.pedantic(
        lambda: found.append(pair_query_ms(email_ledger, POINT_QUERIES)), rounds=1, iterations=1
    )
    ms, a, b = found[0]
    with ledger.open(f"sqlite:///{email_ledger}") as book:
        touches = int(book.pair_table()["touches"].max())
    record_row(
        benchmark,
        Row(
            key="pair_as_of",
            what=f"one pair as of T, `Ledger.pair`, busiest pair of email-Eu-core "
            f"({a}-{b}, {touches:,} touches), median of {POINT_QUERIES:,} random T",
            ledger=f"{ms:.2f} ms",
            reference="-",
            ratio=None,
            target="<= 5 ms (at 10M: see the scaling table)",
            met=ms <= 5,
            figures={"ms": ms, "a": a, "b": b, "touches": touches, "queries": POINT_QUERIES},
            issue=14,
        ),
    )
