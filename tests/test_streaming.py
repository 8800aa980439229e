"""A batch is written chunk by chunk inside one transaction: still all or nothing, still
idempotent, whatever falls on which side of a chunk boundary, and a lazy iterable that
raises midway leaves nothing behind.

(The old edge-log import test moved with the importers; the uuid5 ids of ledger 0.1 are
the legacy format's, decoded by tests/test_golden.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import ledger
from ledger.store import recording as _recording

START = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_recording, "CHUNK", 3)


def touches(count: int, *, ref_from: int = 0) -> Iterator[ledger.Touch]:
    for n in range(count):
        yield ledger.Touch(
            "message",
            f"p{n % 4}",
            [f"q{n % 5}"],
            START + timedelta(hours=n),
            source="s",
            source_ref=str(ref_from + n),
        )


@pytest.mark.parametrize(
    "error",
    [
        ledger.InvalidInputError("row", 11, "broken"),
        KeyboardInterrupt(),
        RuntimeError("the file went away"),
    ],
)
def test_a_stream_that_fails_midway_writes_nothing(
    book: ledger.Ledger, error: BaseException
) -> None:
    book.add_person("p0")
    before = book.log_position

    def failing() -> Iterator[ledger.Touch]:
        yield from touches(10)  # three chunks already inserted when it fails
        raise error

    with pytest.raises(type(error)):
        book.record_many(failing(), create_people=True)
    assert book.people() == ["p0"]
    assert book.log_position == before
    assert book.audit().ok
    summary = book.record_many(touches(10), create_people=True)  # and nothing half-known
    assert (summary.added, summary.people_added) == (10, 8)


def test_an_error_inside_a_unit_of_work_undoes_all_of_it(book: ledger.Ledger) -> None:
    before = book.log_position
    with pytest.raises(ledger.UnknownPersonError), book.batch() as unit:
        unit.add_person("p0")
        unit.add_person("q0")
        unit.record(ledger.Touch("message", "p0", "q0", START))
        unit.update_person("p0", org="Acme")
        unit.set_owner("p0")
        unit.retract(unit.record(ledger.Touch("call", "q0", "p0", START)), "oops")
        unit.record_many(touches(7))  # p1 is nobody
    assert book.log_position == before
    assert book.people() == [] and book.settings_history() == [] and book.owner is None


def test_duplicates_across_chunks_and_overlapping_batches(book: ledger.Ledger) -> None:
    repeated = [*touches(5), *touches(5)]  # the same facts again, in other chunks
    first = book.record_many(repeated, create_people=True)
    assert (first.added, first.ignored, first.people_added) == (5, 5, 9)
    assert first.touchpoint_ids[:5] == first.touchpoint_ids[5:]
    # An overlapping newer batch, lazily: only what is new is added.
    later = book.record_many(touches(12), create_people=True, keep_ids=False)
    assert (later.added, later.ignored, later.people_added, later.touchpoint_ids) == (
        7,
        5,
        0,
        (),
    )
    assert book.verify() == []
    assert book.audit().ok
    assert book.audit().facts == 12


def test_unknown_people_in_a_later_chunk_abort_the_whole_batch(book: ledger.Ledger) -> None:
    for key in ("p0", "p1", "p2", "p3", "q0", "q1", "q2"):
        book.add_person(key)
    before = book.log_position
    with pytest.raises(ledger.UnknownPersonError, match="counterparts: unknown person 'q3'"):
        book.record_many(touches(8))  # q3 first appears in the fourth touch
    assert book.timeline("p0") == []
    assert book.log_position == before
