"""The views' fast reading of stored events gives exactly what eventsourcing's mapper
gives: the same rows, the same states, on every storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import ledger
from ledger.store._read import RawEvents
from ledger.views import _facts

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _history(book: ledger.Ledger) -> None:
    for key in ("ann", "bob", "cat", "dan"):
        book.add_person(key, key.title(), org="Acme")
    book.update_person("bob", T0 + timedelta(days=3), title="CTO", tags=["x", "y"])
    book.record("email", "ann", ["bob", "cat"], T0 + timedelta(days=1), note='hi "_type_"')
    book.record("introduction", "dan", ["ann", "bob"], T0 + timedelta(days=2))
    book.record("favor", "bob", "ann", T0 + timedelta(hours=30), giver="counterparts")
    call = book.record("call", "cat", "dan", T0 + timedelta(days=5), duration_seconds=60)
    book.record("meeting", "ann", "dan", "2024-01-04T09:30:00.123456+02:00", personalized=True)
    book.retract(call, "wrong person")


def test_fast_path_equals_the_mapper(book: ledger.Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    _history(book)
    book.catch_up()  # persisted by the fast path
    fast = _facts.Facts.__init__

    def mapper_only(self: _facts.Facts, mapper: object) -> None:
        fast(self, mapper)
        self._fast = {}

    monkeypatch.setattr(_facts.Facts, "__init__", mapper_only)
    assert book.verify() == []  # rebuilt through the mapper, compared table by table


def test_raw_events_are_the_notifications(book: ledger.Ledger) -> None:
    _history(book)
    recorder = book.application.recorder
    raw = RawEvents(recorder).page(2, None, 100)
    notes = recorder.select_notifications(start=2, limit=100, inclusive_of_start=False)
    assert raw == [
        (n.id, n.originator_id.hex, n.originator_version, n.topic, bytes(n.state)) for n in notes
    ]
    assert RawEvents(recorder).page(2, 4, 100) == raw[:2]
