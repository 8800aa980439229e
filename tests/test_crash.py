"""Crash trials: ``kill -9`` at random moments, then run it again.

Three things are killed, on SQLite and on PostgreSQL, each in a ledger of its own:

* an import (``ledger import edges``): afterwards the log holds all of it or none of it,
  and the same import run again adds exactly what is missing;
* a catch-up (the first read after a large import, ``ledger pair``): the views are
  where they were or caught up, never between, and the next read catches up;
* a loop of ``ledger log`` (one process running the command again and again, so that
  the kill lands inside a write or a catch-up far more often than between processes
  starting): the touches in the log are the first k of the loop, in order, k at most
  one more than the loop had reported done; logging the rest gives each touch once.

After every trial the counts are exact, nothing is duplicated, and the audit and
verification (``ledger audit``, ``ledger replay --verify``) are clean. The moment of
each kill is uniform over the length of an uncut run (measured first).

``LEDGER_CRASH_TRIALS`` (default 3) sets the trials per kind and storage,
``LEDGER_CRASH_SEED`` the moments, ``LEDGER_CRASH_REPORT=FILE`` appends each test's
outcome counts to FILE (JSON lines; docs/reliability.md records a run of 20+).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

import ledger
from conftest import postgres_or_skip
from fault_support import ENV, START, clean, edges, log_state, popen
from ledger.cli.main import main
from ledger.sources import import_edges

pytestmark = pytest.mark.slow

TRIALS = int(os.environ.get("LEDGER_CRASH_TRIALS", "3"))
SEED = os.environ.get("LEDGER_CRASH_SEED", "19")
LINES = 6_000
"""Touches of the import that is killed, and of the one a catch-up is killed in."""
LOGS = 8
"""``ledger log`` commands in the loop that is killed."""
BASE = 50
_LOOP = r"""
import sys
from ledger.cli.main import main

url, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(first, last):
    at = f"@{START + i * 60}"
    main(["--db", url, "log", "message", "--from", "ann", "--to", "bob", "--at", at],
         standalone_mode=False)
    print(f"done {i}", flush=True)
""".replace("START", str(START))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def storage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextmanager
def fresh(storage: str, folder: Path) -> Iterator[str]:
    """A new, empty ledger URL on ``storage`` (a PostgreSQL schema dropped afterwards)."""
    if storage == "sqlite":
        yield f"sqlite:///{folder / f'trial-{uuid.uuid4().hex[:8]}.db'}"
        return
    import psycopg

    dsn = postgres_or_skip().split("?", 1)[0]
    schema = f"t_crash_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{dsn}?schema={schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def base(url: str, folder: Path) -> None:
    """50 touches between 100 people, and ann and bob; the views caught up."""
    with ledger.open(url) as book:
        import_edges(book, edges(folder / "base.txt", BASE))
        book.add_person("ann")
        book.add_person("bob")
        book.catch_up()


def kill_at(process: subprocess.Popen[str], seconds: float, url: str) -> str:
    """SIGKILL ``process`` ``seconds`` from now: "ended" if it had ended by then, else
    "writing" or "not writing" (whether a write lock was held just before the kill)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)
    if process.poll() is not None:
        return "ended"
    writing = _locked(url)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    return "writing" if writing else "not writing"


def _locked(url: str) -> bool:
    """Whether someone holds the log's write lock or the views' catch-up lock (tried
    without waiting, and given back at once)."""
    if url.startswith("sqlite"):  # one write lock for the log and the views
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0)) as db:
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            db.rollback()
            return False
    import psycopg

    dsn, _, query = url.partition("?")
    schema = query.removeprefix("schema=")
    with psycopg.connect(dsn) as conn:  # one transaction: both locks go with its end
        free = conn.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext(%s))", (f"ledger-write:{schema}",)
        ).fetchone()
        try:
            conn.execute(f'SELECT 1 FROM "{schema}".ledger_view_lock FOR UPDATE NOWAIT')
        except psycopg.errors.LockNotAvailable:
            return True
        return not (free and free[0])


def uncut(run: Callable[[], subprocess.Popen[str]]) -> float:
    """How long an uncut run lasts (the range the kills are drawn from)."""
    started = time.monotonic()
    process = run()
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    return time.monotonic() - started


def report(kind: str, storage: str, outcomes: Counter[str], started: float) -> None:
    path = os.environ.get("LEDGER_CRASH_REPORT")
    if path:
        line = {"kind": kind, "storage": storage, "trials": TRIALS, "seed": SEED}
        line |= {"outcomes": dict(outcomes), "seconds": round(time.monotonic() - started, 1)}
        with open(path, "a") as out:
            out.write(json.dumps(line) + "\n")


def test_kill_9_during_an_import_then_the_rerun_is_exact(storage: str, tmp_path: Path) -> None:
    rng, started, outcomes = random.Random(f"{SEED}-import-{storage}"), time.monotonic(), Counter()
    big = edges(tmp_path / "big.txt", LINES, first=BASE)
    with fresh(storage, tmp_path) as url:
        base(url, tmp_path)
        length = uncut(lambda: popen(url, "import", "edges", str(big)))
    for _ in range(TRIALS):
        with fresh(storage, tmp_path) as url:
            base(url, tmp_path)
            before = log_state(url)
            moment = rng.uniform(0, length)
            state = kill_at(popen(url, "import", "edges", str(big)), moment, url)
            committed = log_state(url) != before
            outcomes[_import_outcome(state, committed)] += 1
            again = rerun(url, "import", "edges", str(big), "--output", "json")
            assert orjson.loads(again)["added"] == (0 if committed else LINES)  # all or none
            clean(url, BASE + LINES)
    report("import", storage, outcomes, started)


def rerun(url: str, *args: str) -> str:
    """Run a command again, after the kill (in this process: the same code, no start-up);
    what it printed."""
    result = CliRunner(env={"LEDGER_TZ": "UTC"}).invoke(main, ["--db", url, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _import_outcome(state: str, committed: bool) -> str:
    if state == "ended":
        return "ended before the kill"
    if committed:
        return "killed after its commit"
    return f"killed {'while writing' if state == 'writing' else 'before writing'}, rolled back"


def test_kill_9_during_a_catch_up_then_the_next_read_is_right(storage: str, tmp_path: Path) -> None:
    rng, started, outcomes = (
        random.Random(f"{SEED}-catch-up-{storage}"),
        time.monotonic(),
        Counter(),
    )
    big = edges(tmp_path / "big.txt", LINES, first=BASE)
    with fresh(storage, tmp_path) as url:
        _imported_not_caught_up(url, tmp_path, big)
        length = uncut(lambda: popen(url, "pair", "1", "1007"))
    for _ in range(TRIALS):
        with fresh(storage, tmp_path) as url:
            before, log = _imported_not_caught_up(url, tmp_path, big)
            state = kill_at(popen(url, "pair", "1", "1007"), rng.uniform(0, length), url)
            with ledger.open(url, read_only=True) as book:
                after = book.position
            assert after in (before, log)  # one round, one transaction: never between
            outcomes[_catch_up_outcome(state, after == log)] += 1
            rerun(url, "pair", "1", "1007")
            clean(url, BASE + LINES)
    report("catch-up", storage, outcomes, started)


def _imported_not_caught_up(url: str, folder: Path, big: Path) -> tuple[int, int]:
    """The base, then ``big`` imported: the views' position and the log's."""
    base(url, folder)
    with ledger.open(url) as book:
        import_edges(book, big)
        return book.position, book.log_position


def _catch_up_outcome(state: str, caught_up: bool) -> str:
    if state == "ended":
        return "ended before the kill"
    if caught_up:
        return "killed after the views committed"
    return f"killed {'while writing' if state == 'writing' else 'before writing'} the views"


def test_kill_9_during_a_loop_of_ledger_log_then_each_touch_is_there_once(
    storage: str, tmp_path: Path
) -> None:
    rng, started, outcomes = random.Random(f"{SEED}-log-{storage}"), time.monotonic(), Counter()
    with fresh(storage, tmp_path) as url:
        base(url, tmp_path)
        length = uncut(lambda: _loop(url, 0, LOGS))
    for _ in range(TRIALS):
        with fresh(storage, tmp_path) as url:
            base(url, tmp_path)
            loop = _loop(url, 0, LOGS)
            state = kill_at(loop, rng.uniform(0, length), url)
            done = sum(1 for line in loop.communicate()[0].splitlines() if line.startswith("done"))
            logged = _logged(url)
            assert logged == list(range(len(logged)))  # the first k, in order, once each
            assert done <= len(logged) <= done + 1  # at most the one it was killed in
            outcomes[_log_outcome(state, len(logged) - done)] += 1
            rest = _loop(url, len(logged), LOGS)
            assert rest.wait(timeout=300) == 0
            assert _logged(url) == list(range(LOGS))
            clean(url, BASE + LOGS)
    report("log loop", storage, outcomes, started)


def _loop(url: str, first: int, last: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _LOOP, url, str(first), str(last)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )


def _logged(url: str) -> list[int]:
    """Which of the loop's touches are in the ledger, by their time (i: START + 60 i)."""
    with ledger.open(url) as book:
        found = book.timeline("ann", "bob")
    return sorted(int((t.occurred_at.timestamp() - START) // 60) for t in found)


def _log_outcome(state: str, unreported: int) -> str:
    if state == "ended":
        return "ended before the kill"
    if unreported:
        return "killed after a commit it had not reported"
    return f"killed {'while writing' if state == 'writing' else 'not writing'}, as reported"
