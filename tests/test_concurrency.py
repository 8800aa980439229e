"""Several OS processes on one ledger at once: nothing lost, nothing doubled, views agree.

Each worker is a separate Python process (``subprocess``) running ``_WORKER`` below.
Workers open their ledger, say they are ready, and wait for a common "go" file, so
their writes and catch-ups really overlap. The writers' touches interleave in time
(one writes the even hours, the other the odd ones), so catching up keeps landing
touches in a pair's past and refolding it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ledger

BASE = "2023-01-01T00:00:00+00:00"
AS_OF = ["2023-01-03T00:00:00+00:00", "2023-02-01T00:00:00+00:00", "2024-01-01T00:00:00+00:00"]
PEOPLE = [f"p{n:02d}" for n in range(8)]
KINDS = ["message", "email", "call", "meeting", "favor", "video_call", "message", "email"]
TIMEOUT_SECONDS = 60

_WORKER = r"""
import json, pathlib, sys, time
import ledger

job = json.loads(sys.argv[1])
folder = pathlib.Path(job["folder"])

def wait_for_go():
    (folder / f"ready-{job['name']}").touch()
    deadline = time.monotonic() + 30
    while not (folder / "go").exists():
        if time.monotonic() > deadline:
            sys.exit("no go signal")
        time.sleep(0.005)

def write(book):
    added = ignored = people_added = 0
    touches = [
        ledger.Touch(kind, initiator, counterpart, when, source="concurrency", source_ref=ref)
        for kind, initiator, counterpart, when, ref in job["touches"]
    ]
    for number, start in enumerate(range(0, len(touches), job["batch"])):
        time.sleep(job.get("pause", 0))
        if job.get("in_step"):  # each batch after the checker's round of that number
            deadline = time.monotonic() + 60
            while not (folder / f"checked-{number}").exists() and time.monotonic() < deadline:
                time.sleep(0.005)
        summary = book.record_many(touches[start : start + job["batch"]], create_people=True)
        added += summary.added
        ignored += summary.ignored
        people_added += summary.people_added
    return {"added": added, "ignored": ignored, "people_added": people_added}

def read(book):
    rounds = 0
    while not (folder / "stop").exists():
        book.pairs()
        rounds += 1
    book.catch_up()
    pairs = {a: [repr(v) for v in book.pairs(a)] for a in job["as_of"]}
    return {"rounds": rounds, "pairs": pairs}

def check(book):
    # Audit, verify and ask about the past while others write: never a false problem.
    rounds, problems, seen = 0, [], set()
    past = {a: [repr(v) for v in book.pairs(a)] for a in job["as_of"]}
    while not (folder / "stop").exists() or rounds < 2:
        seen.add(book.log_position)
        report = book.audit()
        if not report.ok:
            problems.append([p.kind + ": " + p.message for p in report.problems])
        differences = book.verify()
        if differences:
            problems.append(differences)
        now = {a: [repr(v) for v in book.pairs(a)] for a in job["as_of"]}
        if now != past:
            problems.append(["pairs(as_of) of the past changed while others wrote"])
        (folder / f"checked-{rounds}").touch()
        rounds += 1
    return {"rounds": rounds, "problems": problems, "positions": len(seen)}

with ledger.open(job["url"]) as book:
    wait_for_go()
    result = {"write": write, "read": read, "check": check}[job["mode"]](book)
print(json.dumps(result))
"""

Touchspec = tuple[str, str, str, str, str]


def _touches(count: int, parity: int, ref_prefix: str) -> list[Touchspec]:
    """``count`` touches at every other hour from BASE (even or odd hours by parity)."""
    specs = []
    for n in range(count):
        hour = 2 * n + parity
        initiator = PEOPLE[(n + parity) % len(PEOPLE)]
        counterpart = PEOPLE[(n * 3 + 1 + parity) % len(PEOPLE)]
        if counterpart == initiator:
            counterpart = PEOPLE[(PEOPLE.index(initiator) + 1) % len(PEOPLE)]
        day, hour_of_day = divmod(hour, 24)
        when = f"2023-01-{1 + day:02d}T{hour_of_day:02d}:00:00+00:00"
        specs.append((KINDS[n % len(KINDS)], initiator, counterpart, when, f"{ref_prefix}-{n}"))
    return specs


class Workers:
    """Starts worker processes, releases them together, collects their JSON results."""

    def __init__(self, folder: Path, url: str) -> None:
        self.folder, self.url = folder, url
        self.script = folder / "worker.py"
        self.script.write_text(_WORKER)
        self.running: dict[str, subprocess.Popen[str]] = {}

    def start(self, name: str, **job: Any) -> None:
        job = {"folder": str(self.folder), "url": self.url, "name": name, **job}
        self.running[name] = subprocess.Popen(
            [sys.executable, str(self.script), json.dumps(job)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def go(self) -> None:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while not all((self.folder / f"ready-{name}").exists() for name in self.running):
            failed = [n for n, p in self.running.items() if p.poll() not in (None, 0)]
            assert not failed, self.result(failed[0])
            assert time.monotonic() < deadline, "workers never became ready"
            time.sleep(0.005)
        (self.folder / "go").touch()

    def stop_readers(self) -> None:
        (self.folder / "stop").touch()

    def result(self, name: str) -> Any:
        out, err = self.running[name].communicate(timeout=TIMEOUT_SECONDS)
        assert self.running[name].returncode == 0, f"worker {name} failed:\n{err}"
        return json.loads(out)

    def kill_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A ledger URL several processes can open: a SQLite file or a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def workers(tmp_path: Path, shared_url: str) -> Iterator[Workers]:
    folder = tmp_path / f"workers-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    pool = Workers(folder, shared_url)
    try:
        yield pool
    finally:
        pool.kill_all()


def _stored_touches(book: ledger.Ledger) -> int:
    """Touchpoints in the log (the audit counts them, every event decoded)."""
    report = book.audit()
    assert report.ok, report.problems
    return report.facts


def _touches_by_day(book: ledger.Ledger) -> Counter[str]:
    """Each touchpoint's time and kind, counted once per touchpoint, over every timeline."""
    seen = {
        tp.touchpoint_id: f"{tp.kind} {tp.occurred_at:%Y-%m-%dT%H}"
        for p in book.people()
        for tp in book.timeline(p)
    }
    return Counter(seen.values())


def _expected_by_day(specs: list[Touchspec]) -> Counter[str]:
    return Counter(f"{kind} {when[:13]}" for kind, _, _, when, _ in specs)


def _assert_views_match_a_rebuild(url: str, caught_up: ledger.Ledger) -> None:
    with ledger.open(url) as fresh:
        fresh.rebuild()
        for as_of in AS_OF:
            assert fresh.pairs(as_of) == caught_up.pairs(as_of), as_of
        touches_in_views = sum(view.decay.touches for view in caught_up.pairs(AS_OF[-1]))
        assert touches_in_views == _stored_touches(fresh)
        assert fresh.verify() == []


def test_disjoint_writers_lose_nothing(workers: Workers, shared_url: str) -> None:
    first, second = _touches(60, 0, "first"), _touches(60, 1, "second")
    with ledger.open(shared_url) as book:  # this process catches up while they write
        workers.start("first", mode="write", touches=first, batch=4)
        workers.start("second", mode="write", touches=second, batch=3)
        workers.go()
        while any(p.poll() is None for p in workers.running.values()):
            book.pairs()
        results = [workers.result("first"), workers.result("second")]
        assert [r["added"] for r in results] == [60, 60]
        assert sum(r["people_added"] for r in results) == len(PEOPLE)
        assert _touches_by_day(book) == _expected_by_day(first + second)
        assert sorted(book.people()) == PEOPLE
        _assert_views_match_a_rebuild(shared_url, book)


def test_the_same_facts_from_two_writers_are_stored_once(workers: Workers, shared_url: str) -> None:
    same = _touches(80, 0, "same")
    workers.start("first", mode="write", touches=same, batch=5)
    workers.start("second", mode="write", touches=same, batch=7)
    workers.go()
    results = [workers.result("first"), workers.result("second")]
    assert sum(r["added"] for r in results) == len(same)
    assert sum(r["ignored"] for r in results) == len(same)
    assert sum(r["people_added"] for r in results) == len(PEOPLE)
    with ledger.open(shared_url) as book:
        assert _stored_touches(book) == len(same)
        assert sorted(book.people()) == PEOPLE
        assert _touches_by_day(book) == _expected_by_day(same)
        _assert_views_match_a_rebuild(shared_url, book)


def test_two_readers_catch_up_while_a_third_process_writes(
    workers: Workers, shared_url: str
) -> None:
    touches = _touches(50, 0, "early") + _touches(50, 1, "late")
    # Pauses between batches keep the writer going long enough for the readers to
    # overlap it (a fast writer could finish within a reader's first round).
    workers.start("writer", mode="write", touches=touches, batch=2, pause=0.01)
    for name in ("reader-1", "reader-2"):
        workers.start(name, mode="read", as_of=AS_OF)
    workers.go()
    assert workers.result("writer")["added"] == len(touches)
    workers.stop_readers()
    readers = [workers.result("reader-1"), workers.result("reader-2")]
    assert all(reader["rounds"] > 1 for reader in readers), "readers never overlapped the writer"
    with ledger.open(shared_url) as fresh:
        fresh.rebuild()
        expected = {as_of: [repr(view) for view in fresh.pairs(as_of)] for as_of in AS_OF}
        assert sum(view.decay.touches for view in fresh.pairs(AS_OF[-1])) == len(touches)
    for reader in readers:
        assert reader["pairs"] == expected


def test_audit_verify_and_the_past_see_one_snapshot_while_others_write(
    workers: Workers, shared_url: str
) -> None:
    """``audit``, ``verify`` and ``pairs(as_of)`` of the past, in one process, while two
    others write and a third catches up: no false problem, ever."""
    with ledger.open(shared_url) as book:
        book.record_many([ledger.Touch("message", "p00", "p01", BASE)], create_people=True)
        # The views made once before the others start: this test is about snapshots
        # under writers, not about four processes making a new ledger's views at once
        # (on PostgreSQL those first rebuilds drop tables under each other's readers).
        book.catch_up()
    late = [  # all after AS_OF[0]: the past does not move
        (kind, a, b, when.replace("2023-01-0", "2023-01-2"), ref)
        for kind, a, b, when, ref in _touches(40, 1, "late")
    ]
    # The writers go in step with the checker (batch n after its round n), so that every
    # round sees another state of the log, however slow the machine.
    workers.start("first", mode="write", touches=late[:20], batch=5, in_step=True)
    workers.start("second", mode="write", touches=late[20:], batch=5, in_step=True)
    workers.start("reader", mode="read", as_of=AS_OF)
    workers.start("checker", mode="check", as_of=AS_OF[:1])
    workers.go()
    assert workers.result("first")["added"] == 20
    assert workers.result("second")["added"] == 20
    workers.stop_readers()
    workers.result("reader")
    checked = workers.result("checker")
    assert checked["problems"] == []
    assert checked["positions"] >= 3, "the checker never overlapped the writers"


class _Rounds:
    """How many rounds the reader has done, for the writer to wait on."""

    def __init__(self) -> None:
        import threading

        self.count = 0
        self.changed = threading.Condition()

    def done(self, count: int) -> None:
        with self.changed:
            self.count = count
            self.changed.notify_all()

    def wait(self, count: int) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count >= count, timeout=TIMEOUT_SECONDS)


def test_threads_reading_while_another_writes_see_no_false_problem(sqlite_url: str) -> None:
    """The same inside one process: ledger objects in threads, one writing."""
    import threading

    with ledger.open(sqlite_url) as book:
        book.record_many([ledger.Touch("call", "p00", "p01", BASE)], create_people=True)
        book.catch_up()
        past = book.pairs(AS_OF[0])
    problems: list[Any] = []
    seen: set[int] = set()
    done = threading.Event()
    rounds = _Rounds()

    def write() -> None:
        with ledger.open(sqlite_url) as writer:
            for n, spec in enumerate(_touches(60, 1, "thread")):
                if n % 15 == 0:  # in step with the reader: each of its rounds sees news
                    rounds.wait(n // 15)
                kind, a, b, when, ref = spec
                when = when.replace("2023-01-0", "2023-02-0")
                writer.record_many(
                    [ledger.Touch(kind, a, b, when, source="t", source_ref=ref)],
                    create_people=True,
                )
                if n % 7 == 0:
                    writer.set_decay(weights={"message": 1 + n / 100})
        done.set()

    def check() -> None:
        with ledger.open(sqlite_url) as reader:
            count = 0
            while not done.is_set() or count < 2:
                seen.add(reader.log_position)
                report = reader.audit()
                if not report.ok:
                    problems.append(report.problems)
                if reader.verify():
                    problems.append(reader.verify())
                if reader.pairs(AS_OF[0], weights={"message": 1.0}) != past:
                    problems.append("the past moved")
                count += 1
                rounds.done(count)

    threads = [threading.Thread(target=write), threading.Thread(target=check)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT_SECONDS)
    assert problems == []
    assert len(seen) >= 3, "the reader never overlapped the writer"
