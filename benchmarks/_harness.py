"""Shared machinery of the benchmarks: data, paired timings, the results of each row.

Every row measures the ledger and its reference in the same run, rounds interleaved
(reference, ledger, reference, ledger ...), because these 2-core machines are shared
and noisy: the ratio of two figures taken side by side is what counts.

``LEDGER_BENCH_LINES`` limits every data file to its first N lines (``make
bench-smoke`` sets it); the figures are then meaningless, only the plumbing is checked.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

import ledger

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
SNAP = SHARED / "snap"
EMAIL = SNAP / "email-Eu-core-temporal.txt.gz"
MATHOVERFLOW = SNAP / "sx-mathoverflow.txt.gz"
BIN = Path(sys.executable).parent
LEDGER_CLI = BIN / "ledger"
TIME = shutil.which("time", path="/usr/bin:/bin")
"""GNU time, for the peak RSS of a command (``/usr/bin/time -f %M``); else no peak."""

SAMPLE_LINES = int(os.environ.get("LEDGER_BENCH_LINES") or 0)
"""0: the whole files (``make bench``); N: the first N lines only (``make bench-smoke``)."""
SMOKE = SAMPLE_LINES > 0


def sample(source: Path, directory: Path) -> Path:
    """``source`` itself, or (smoke runs) a gzip of its first ``SAMPLE_LINES`` lines."""
    if not SMOKE:
        return source
    target = directory / source.name
    if not target.exists():
        with gzip.open(source, "rt") as lines, gzip.open(target, "wt") as out:
            for number, line in enumerate(lines):
                if number >= SAMPLE_LINES:
                    break
                out.write(line)
    return target


def edges(path: Path) -> list[tuple[str, str, int]]:
    """``(src, dst, unix seconds)`` of every line that is a touchpoint (no self-loops)."""
    found = []
    with gzip.open(path, "rt") as lines:
        for line in lines:
            src, dst, stamp = line.split()
            if src != dst:
                found.append((src, dst, int(stamp)))
    return found


@attrs.frozen
class StoredRows:
    """Every row of every table of a SQLite ledger file, and the statements that made
    its tables and indexes: what an import wrote, to be written again raw."""

    schema: tuple[str, ...]
    tables: tuple[tuple[str, int, list[tuple[Any, ...]]], ...]
    """``(table, number of columns, rows in rowid order)`` of each table with rows."""

    @property
    def count(self) -> int:
        return sum(len(rows) for _, _, rows in self.tables)


def stored_rows(ledger_file: Path) -> StoredRows:
    """What a SQLite ledger file holds, table by table (see :class:`StoredRows`)."""
    with sqlite3.connect(ledger_file) as db:
        found = db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid"
        ).fetchall()
        tables = []
        for kind, name, sql in found:
            if kind != "table":
                continue
            cursor = db.execute(f'SELECT * FROM "{name}"')  # rowid order: as written
            rows = cursor.fetchall()
            if "WITHOUT ROWID" in sql.upper():
                # Keyed by hashes (touchpoint ids, person ids, digests): the import wrote
                # them in an order unrelated to their keys, not sorted as read back here.
                random.Random(14).shuffle(rows)
            if rows:
                tables.append((name, len(cursor.description), rows))
    return StoredRows(tuple(sql for _, _, sql in found), tuple(tables))


def raw_insert(path: Path, stored: StoredRows) -> None:
    """The floor of writing ``stored``: a fresh file with the same tables and indexes,
    every row by ``executemany`` in one transaction, in WAL mode with the page cache the
    ledger's own writes use (``ledger.store.sqlite``)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA cache_size = -131072")
    for statement in stored.schema:
        db.execute(statement)
    db.execute("BEGIN")
    for name, width, rows in stored.tables:
        marks = ", ".join("?" * width)
        db.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
    db.execute("COMMIT")
    db.close()


def fresh_paths(directory: Path, stem: str) -> Iterator[Path]:
    """New file names in ``directory``: ``stem-1.db``, ``stem-2.db`` ..."""
    number = 0
    while True:
        number += 1
        yield directory / f"{stem}-{number}.db"


def copy_ledger(source: Path, target: Path) -> Path:
    """A copy of a SQLite ledger file (and its -wal, -shm) that may be changed."""
    for suffix in ("", "-wal", "-shm"):
        origin = Path(f"{source}{suffix}")
        if origin.exists():
            shutil.copyfile(origin, f"{target}{suffix}")
    return target


def file_bytes(path: Path) -> int:
    """A SQLite ledger's bytes on disk: the file, its -wal and -shm."""
    return sum(
        Path(f"{path}{suffix}").stat().st_size
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    )


def touchpoints_of(path: Path) -> int:
    """How many touchpoints a SQLite ledger holds (every pair's touches, summed)."""
    with ledger.open(f"sqlite:///{path}") as book:
        return int(book.pair_table()["touches"].sum())


def pair_query_ms(path: Path, count: int, seed: int = 14) -> tuple[float, str, str]:
    """Median milliseconds of ``book.pair(a, b, as_of=T)`` for the ledger's busiest pair
    at ``count`` random T across its history, on an open ledger (one query warms it)."""
    with ledger.open(f"sqlite:///{path}") as book:
        table = book.pair_table()
        busiest = int(table["touches"].argmax())
        a, b = str(table["a"][busiest]), str(table["b"][busiest])
        low = table["first_touch_at"][busiest].astype("datetime64[us]").astype(datetime)
        high = table["last_touch_at"][busiest].astype("datetime64[us]").astype(datetime)
        chooser = random.Random(seed)
        moments = [
            (low + (high - low) * chooser.random()).replace(tzinfo=UTC) for _ in range(count)
        ]
        book.pair(a, b, as_of=moments[0])
        times = []
        for moment in moments:
            times.append(timed(lambda moment=moment: book.pair(a, b, as_of=moment)))
    times.sort()
    return times[len(times) // 2] * 1000, a, b


VIEW_PREFIX = "ledger_view_"


def bytes_by_part(path: Path) -> dict[str, int]:
    """Bytes of a SQLite ledger's pages (after a checkpoint), split into ``events`` (the
    log: stored events, the hash chain, the facts index, keys, identities, tracking) and
    ``views`` (every ``ledger_view_*`` table and index), from SQLite's ``dbstat``."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        indexes = dict(db.execute("SELECT name, tbl_name FROM sqlite_master").fetchall())
        parts = {"events": 0, "views": 0, "free": 0}
        for name, size in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            table = indexes.get(name, name)
            parts["views" if table.startswith(VIEW_PREFIX) else "events"] += size
        (pages,) = db.execute("PRAGMA page_count").fetchone()
        (page,) = db.execute("PRAGMA page_size").fetchone()
        parts["free"] = pages * page - parts["events"] - parts["views"]
    return parts


# -- bigger logs, shaped like the real ones --------------------------------------------
ID_SHIFT = 10_000
"""Ids of copy k of a log are shifted by k x ID_SHIFT (the real logs' ids are below it)."""


def shifted(source: Path, target: Path, copy: int, start: int, limit: int | None = None) -> int:
    """Write ``source`` (a SNAP log) to ``target`` with ids + ``copy`` x ID_SHIFT and
    times moved so that its earliest line falls at ``start``, self-loops dropped, at
    most ``limit`` lines (in the file's order); return the last unix time written.
    Synthetic, but shaped like the real log."""
    with gzip.open(source, "rt") as lines:
        first_in = min(int(line.split()[2]) for line in lines)
    high = start
    written = 0
    with gzip.open(source, "rt") as lines, gzip.open(target, "wt", compresslevel=1) as out:
        for line in lines:
            src, dst, stamp = line.split()
            if src == dst:
                continue
            if limit is not None and written >= limit:
                break
            t = start + int(stamp) - first_in
            high = max(high, t)
            out.write(f"{int(src) + copy * ID_SHIFT} {int(dst) + copy * ID_SHIFT} {t}\n")
            written += 1
    return high


@attrs.frozen
class ScaledLog:
    """A log made of shifted copies of a real one (:func:`scaled_log`)."""

    path: Path
    touchpoints: int
    copies: int
    """Copies written; the last may be cut short."""
    last_full: int
    """The last copy written whole (0 when even the first is cut short)."""
    end: int
    """The last unix time written."""


def scaled_log(
    source: Path, target: Path, touchpoints: int, *, start: int = 1_300_000_000
) -> ScaledLog:
    """A log of ``touchpoints`` lines in one gzip stream: copies of ``source`` (self-loops
    dropped) one after another in time, copy k with ids + k x ID_SHIFT and starting the
    day after copy k - 1 ends, the last copy cut short."""
    lines = [(int(a), int(b), int(t)) for a, b, t in edges(source)]
    low = min(t for _, _, t in lines)
    written = copy = 0
    high = start
    with gzip.open(target, "wt", compresslevel=1) as out:
        while written < touchpoints:
            part = lines[: touchpoints - written]
            shift = copy * ID_SHIFT
            out.writelines(f"{a + shift} {b + shift} {start + t - low}\n" for a, b, t in part)
            high = max(start + t - low for _, _, t in part)
            written += len(part)
            start = high + 86_400
            copy += 1
    full = copy - 1 if len(part) == len(lines) else max(copy - 2, 0)
    return ScaledLog(target, written, copy, full, high)


# -- the exports beside DuckDB (test_exports, test_scaling) ---------------------------
DUCK = Path(__file__).resolve().parent / "_duck.py"
QUESTIONS = ("decay", "network", "fading")


def commands(
    question: str, url: str, log: Path, asked: dict[str, Any], out: Path
) -> tuple[list[Any], list[Any]]:
    """The ledger's command and DuckDB's for ``question``, both writing to ``out``
    (the decay export) or to standard output (JSON)."""
    at = ["--as-of", f"@{asked['end']}"]
    duck = [sys.executable, DUCK, question, log, "--as-of-us", asked["end"] * 1_000_000]
    duck += ["--half-life", asked["half_life"], "--weight", asked["weight"]]
    if question == "decay":
        ours = [LEDGER_CLI, "--db", url, "export", "decay", *at, "-o", f"{out}.ledger.csv"]
        return ours, [*duck, "-o", f"{out}.duck.csv"]
    if question == "network":
        return [LEDGER_CLI, "--db", url, "network", "--all", *at, "--format", "json"], duck
    ours = [LEDGER_CLI, "--db", url, "remind", "--me", asked["me"], *at, "--format", "json"]
    return ours, [*duck, "--me", asked["me"]]


def answer(question: str, stdout: str, out: Path, side: str) -> Any:
    """The answer a side wrote, parsed: CSV rows as dicts, or JSON."""
    if question == "decay":
        return list(csv.DictReader(io.StringIO(Path(f"{out}.{side}.csv").read_text())))
    return json.loads(stdout)


# -- timing ----------------------------------------------------------------------------
def load() -> str:
    """The machine's load averages (1, 5, 15 min), as ``uptime`` prints them."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


@attrs.frozen
class Paired:
    """Median seconds of the ledger and of its reference over the same rounds."""

    ledger: float
    reference: float
    ledger_rounds: tuple[float, ...]
    reference_rounds: tuple[float, ...]


def paired(
    benchmark: Any,
    target: Callable[[], Any],
    reference: Callable[[], Any],
    *,
    rounds: int,
    prepare: Callable[[], Any] | None = None,
) -> Paired:
    """Time ``target`` under pytest-benchmark and ``reference`` in its (untimed) setup.

    So each ledger round follows a reference round, and both meet the same machine
    load. The medians are taken here too, so that a run with ``--benchmark-disable``
    (one round, no statistics) still yields figures.
    """
    ours: list[float] = []
    theirs: list[float] = []

    def setup() -> None:
        if prepare is not None:
            prepare()
        theirs.append(timed(reference))

    def run() -> None:
        ours.append(timed(target))

    benchmark.pedantic(run, setup=setup, rounds=1 if SMOKE else rounds, iterations=1)
    return Paired(statistics.median(ours), statistics.median(theirs), tuple(ours), tuple(theirs))


def single(benchmark: Any, target: Callable[[], Any], *, rounds: int = 1) -> float:
    """Median seconds of ``target`` under pytest-benchmark (no reference of its own)."""
    times: list[float] = []
    benchmark.pedantic(
        lambda: times.append(timed(target)), rounds=1 if SMOKE else rounds, iterations=1
    )
    return statistics.median(times)


def run_process(
    args: Sequence[str | Path], *, peak: bool = True, **options: Any
) -> tuple[float, int, str]:
    """Run a command to completion: (wall seconds, peak RSS in bytes, stdout).

    The peak comes from GNU time, whose child it is. Linux carries a process's RSS
    high-water mark across fork + exec, so a child forked straight from this (large)
    pytest process would report at least pytest's own RSS; through ``/usr/bin/time``
    the measured process is forked from a small one (``peak=False``: no wrapper, for
    start-up timings; the peak is then 0). Output goes to files, so that no
    pipe fills up while we wait.
    """
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        measure = bool(TIME) and peak
        wrapper = [str(TIME), "-f", "%M", "-o", str(peak_file)] if measure else []
        with open(Path(scratch) / "out", "w+b") as out, open(Path(scratch) / "err", "w+b") as err:
            start = time.perf_counter()
            code = subprocess.call([*wrapper, *map(str, args)], stdout=out, stderr=err, **options)
            elapsed = time.perf_counter() - start
            out.seek(0)
            err.seek(0)
            if code != 0:
                raise RuntimeError(f"{args} failed ({code}): {err.read().decode()[-2000:]}")
            peak_kb = int(peak_file.read_text().split()[-1]) if measure else 0
            return elapsed, peak_kb * 1024, out.read().decode()


# -- results ---------------------------------------------------------------------------
@attrs.frozen
class Row:
    """One line of the issue's table."""

    key: str
    what: str
    ledger: str
    reference: str
    ratio: float | None
    target: str
    met: bool | None
    figures: dict[str, Any] = attrs.field(factory=dict)
    issue: int = 5
    """The issue whose table the row belongs to."""

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s ({seconds:.2f} s)"


def millis(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"
