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
from ledger.facts.events import Person, Touchpoint

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
    for start in range(0, len(touches), job["batch"]):
        time.sleep(job.get("pause", 0))
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

with ledger.open(job["url"]) as book:
    wait_for_go()
    result = write(book) if job["mode"] == "write" else read(book)
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


def _stored_events(book: ledger.Ledger) -> Counter[tuple[str, str]]:
    """(event class, originator id) of every event in the store, counted."""
    app = book.application
    found: Counter[tuple[str, str]] = Counter()
    start = 0
    while page := app.recorder.select_notifications(start, 1_000, inclusive_of_start=False):
        for notification in page:
            event = app.mapper.to_domain_event(notification)
            found[(type(event).__qualname__, event.originator_id.hex)] += 1
        start = page[-1].id
    return found


def _source_refs(book: ledger.Ledger) -> Counter[str]:
    """Each touchpoint's source_ref, counted once per touchpoint, over every timeline."""
    seen = {tp.touchpoint_id: tp.source_ref for p in book.people() for tp in book.timeline(p)}
    return Counter(seen.values())


def _assert_views_match_a_rebuild(url: str, caught_up: ledger.Ledger) -> None:
    with ledger.open(url) as fresh:
        fresh.rebuild()
        for as_of in AS_OF:
            assert fresh.pairs(as_of) == caught_up.pairs(as_of), as_of
        touches_in_views = sum(view.decay.touches for view in caught_up.pairs(AS_OF[-1]))
        recorded = Counter(kind for kind, _ in _stored_events(fresh))
        assert touches_in_views == recorded[Touchpoint.Recorded.__qualname__]


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
        refs = _source_refs(book)
        assert refs == Counter(spec[4] for spec in first + second)
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
        events = _stored_events(book)
        assert set(events.values()) == {1}, "an aggregate was stored twice"
        kinds = Counter(kind for kind, _ in events)
        assert kinds == {
            Touchpoint.Recorded.__qualname__: len(same),
            Person.Registered.__qualname__: len(PEOPLE),
        }
        assert _source_refs(book) == Counter(spec[4] for spec in same)
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
