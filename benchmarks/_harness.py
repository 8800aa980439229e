"""Shared machinery of the benchmarks: data, paired timings, the results of each row.

Every row of issue 5 measures the ledger and its reference in the same run, rounds
interleaved (reference, ledger, reference, ledger ...), because these 2-core machines
are shared and noisy: the ratio of two figures taken side by side is what counts.

``LEDGER_BENCH_LINES`` limits every data file to its first N lines (``make
bench-smoke`` sets it); the figures are then meaningless, only the plumbing is checked.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

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


def stored_rows(ledger_file: Path) -> list[tuple[Any, ...]]:
    """The stored events of a SQLite ledger, as rows of its ``stored_events`` table."""
    with sqlite3.connect(ledger_file) as db:
        return db.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid"
        ).fetchall()


# -- timing ----------------------------------------------------------------------------
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

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s ({seconds:.2f} s)"


def millis(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"
