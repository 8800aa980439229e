"""A batch is written chunk by chunk inside one transaction: still all or nothing,
still idempotent, whatever falls on which side of a chunk boundary."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid5

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ledger
from ledger.facts.events import PEOPLE, TOUCHPOINTS, person_hex, touchpoint_hex
from ledger.sources.edges import import_edges
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


def test_a_stream_that_fails_midway_writes_nothing(book: ledger.Ledger) -> None:
    def failing() -> Iterator[ledger.Touch]:
        yield from touches(10)  # three chunks already inserted when it fails
        raise ledger.InvalidInputError("row", 11, "broken")

    with pytest.raises(ledger.InvalidInputError):
        book.record_many(failing(), create_people=True)
    assert book.people() == []
    assert book.application.recorder.max_notification_id() in (None, 0)


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


def test_unknown_people_in_a_later_chunk_abort_the_whole_batch(book: ledger.Ledger) -> None:
    for key in ("p0", "p1", "p2", "p3", "q0", "q1", "q2"):
        book.add_person(key)
    with pytest.raises(ledger.UnknownPersonError):
        book.record_many(touches(8))  # q3 first appears in the fourth touch
    assert book.timeline("p0") == []


def test_an_edge_log_bad_after_many_chunks_writes_nothing(
    tmp_path: Path, book: ledger.Ledger
) -> None:
    lines = [f"{n} {n + 1} {1_700_000_000 + n}" for n in range(20)]
    path = tmp_path / "log.txt.gz"
    path.write_bytes(gzip.compress(("\n".join([*lines, "1 2 nope", *lines]) + "\n").encode()))
    with pytest.raises(ledger.InvalidInputError, match=r"log\.txt\.gz:21: bad timestamp"):
        import_edges(book, path)
    assert book.people() == []
    summary = import_edges(book, path, skip_invalid=True)
    # The second copy of each line is a second touchpoint (#2), not a duplicate.
    assert (summary.rows_read, summary.added, summary.ignored) == (41, 40, 0)
    again = import_edges(book, path, skip_invalid=True)
    assert (again.added, again.ignored) == (0, 40)


@given(st.text(max_size=30), st.text(max_size=30))
def test_hex_ids_are_uuid5(source: str, ref: str) -> None:
    assert touchpoint_hex(source, ref) == uuid5(TOUCHPOINTS, f"{source}\x00{ref}").hex
    assert person_hex(ref) == uuid5(PEOPLE, ref).hex
