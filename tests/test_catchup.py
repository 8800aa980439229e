"""Catching up: the views follow the log in rounds, extend a pair from its stored state
or refold it, keep the rows of every pair in segments, and always equal a replay.

The views read a batch of touchpoints straight from its stored bytes; that fast path
gives what eventsourcing's mapper gives. Small rounds, pages and compactions (set so by
the tests) give what one big round gives, and the rows of every pair read at once (the
segments) equal the rows read pair by pair.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import numpy as np
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from ledger.projections import KIND_CODE, NO_TIME, State

import ledger
from ledger.facts.events import Touches
from ledger.facts.kinds import Kind
from ledger.store import read_events
from ledger.views import _catchup, _decode, _refold, _segments

T0 = datetime(2024, 1, 1, tzinfo=UTC)
_TOUCHES = get_topic(Touches.Recorded)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def _history(book: ledger.Ledger) -> str:
    for key in ("ann", "bob", "cat", "dan"):
        book.add_person(key, key.title(), org="Acme")
    book.update_person("bob", at(72), title="CTO", tags=["x", "y"])
    book.record("email", "ann", ["bob", "cat"], at(24), note='hi "_type_"')
    book.record("introduction", "dan", ["ann", "bob"], at(48))
    book.record("favor", "bob", "ann", at(30), giver="counterparts")
    call = book.record("call", "cat", "dan", at(120), duration_seconds=60)
    book.record("meeting", "ann", "dan", "2024-01-04T09:30:00.123456+02:00", personalized=True)
    book.record("meeting", "ann", ["bob", "cat", "dan"], at(1), symmetric=True)
    book.set_timezone("America/Chicago")
    book.retract(call, "wrong person")
    return call


def _mapper_batch(mapper: Any, nid: int, state: bytes) -> _decode.Batch:
    """A stored batch decoded the slow way: eventsourcing's mapper, then the columns."""
    event: Any = mapper.to_domain_event(StoredEvent(UUID(int=0), 1, _TOUCHES, state))
    return _decode.Batch(
        nid=nid,
        people=[bytes.fromhex(p) for p in event.people],
        ids=event.ids,
        t=np.array(event.t, dtype=np.int64),
        kind=np.array([KIND_CODE[Kind(event.kinds[k])] for k in event.kind], dtype=np.int8),
        size=np.array(event.size, dtype=np.int64),
        who=np.array(event.who, dtype=np.int64),
        flags=np.array(event.flags, dtype=np.int64),
        duration=np.array([-1 if d is None else d for d in event.duration], dtype=np.int64),
        notes=event.notes,
        sources=event.sources,
        source=np.array(event.source, dtype=np.int64),
    )


def test_fast_batch_decoding_equals_the_mapper(
    book: ledger.Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    _history(book)
    book.catch_up()  # the views as the fast path wrote them
    monkeypatch.setattr(_decode, "_touches", _mapper_batch)
    assert book.verify() == []  # a replay through the mapper, compared table by table


def test_raw_events_are_the_notifications(book: ledger.Ledger) -> None:
    _history(book)
    store = book._store
    notes = store.app.recorder.select_notifications(start=2, limit=100, inclusive_of_start=False)
    with store.snapshot() as c:
        raw = read_events(store.storage, c, 2, 2**62, 100)
        assert read_events(store.storage, c, 2, 4, 100) == raw[:2]
    assert raw == [
        (n.id, n.originator_id.hex, n.originator_version, n.topic, bytes(n.state)) for n in notes
    ]


def test_catch_up_reports_what_it_applied(book: ledger.Ledger) -> None:
    book.add_person("ann")
    book.add_person("bob")
    book.catch_up()
    before = book.position
    for hours in range(5):
        book.record("message", "ann", "bob", at(hours))
    assert book.pending == 5 and book.position == before
    seen: list[int] = []
    assert book.catch_up(progress=seen.append) == 5
    assert seen and seen == sorted(seen) and seen[-1] == 5
    assert book.pending == 0 and book.position == book.log_position
    assert book.catch_up() == 0
    replayed: list[int] = []
    assert book.rebuild(progress=replayed.append) == book.audit().events == 7
    assert replayed[-1] == 7


def _pairs(book: ledger.Ledger) -> list[ledger.PairView]:
    return book.pairs(at(24 * 30))


def test_small_rounds_and_pages_equal_one_round(
    book: ledger.Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    _history(book)
    book.record_many(
        ledger.Touch("message", "ann" if n % 2 else "bob", "cat", at(n * 0.3)) for n in range(40)
    )
    book.rebuild()
    whole = _pairs(book)
    monkeypatch.setattr(_catchup, "PAGE", 1)
    monkeypatch.setattr(_catchup, "ROUND_EVENTS", 2)
    monkeypatch.setattr(_catchup, "ROUND_TOUCHES", 3)
    book.rebuild()
    assert _pairs(book) == whole
    assert book.verify() == []


def test_a_round_is_bounded_by_its_touches_not_by_a_page_of_batch_events(
    book: ledger.Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of events may hold many batches (an import stores up to 50,000 touches per
    event): a round stops near ROUND_TOUCHES touches, whatever the page size."""
    for batch in range(4):
        book.record_many(
            (
                ledger.Touch(
                    "message", "ann", "bob", at(batch * 100 + n), source_ref=f"{batch}.{n}"
                )
                for n in range(30)
            ),
            create_people=True,
        )
    book.rebuild()
    whole = _pairs(book)
    rounds: list[int] = []
    apply = _catchup._writes.apply

    def counted(views: Any, c: Any, found: Any, *args: Any, **kwargs: Any) -> bool:
        rounds.append(found.touches)
        return bool(apply(views, c, found, *args, **kwargs))

    monkeypatch.setattr(_catchup._writes, "apply", counted)
    monkeypatch.setattr(_catchup, "ROUND_TOUCHES", 50)
    book.rebuild()
    touched = [n for n in rounds if n]
    assert sum(touched) == 120 and len(touched) >= 2
    assert max(touched) <= 50 + 30  # the round's bound, overshot by one batch at most
    assert _pairs(book) == whole
    assert book.verify() == []


def test_back_dated_touches_and_retractions_refold_their_pairs_only(book: ledger.Ledger) -> None:
    for key in ("ann", "bob", "cat"):
        book.add_person(key)
    book.record("message", "ann", "bob", at(10))
    book.record("message", "ann", "cat", at(10))
    book.catch_up()
    views = book._views.views

    def voided() -> set[int]:
        with views.read() as c:
            c.execute(views.sql("SELECT pair FROM {view_voided}"))
            return {int(r["pair"]) for r in c.fetchall()}

    book.record("message", "ann", "bob", at(20))  # after the pair's last row: extended
    book.catch_up()
    assert voided() == set()
    book.record("message", "bob", "ann", at(5))  # in the pair's past: refolded
    book.catch_up()
    assert voided() == {1 << 32 | 2}
    view = book.pair("ann", "bob", as_of=at(30))
    assert view is not None and view.decay.touches == 3 and view.level is ledger.DepthLevel.TWO_WAY
    [first] = [t for t in book.timeline("ann", "cat")]
    book.retract(first.touchpoint_id, "no")
    book.catch_up()
    assert voided() == {1 << 32 | 2, 1 << 32 | 3}
    assert book.pair("ann", "cat", as_of=at(30)) is None
    assert book.verify() == []


def test_compacted_segments_keep_every_row_and_equal_the_pairs_one_by_one(
    book: ledger.Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_segments, "COMPACT_AFTER", 3)
    people = [f"p{n}" for n in range(6)]
    for key in people:
        book.add_person(key)
    for n in range(30):  # back-dated every other time: refolds, voided pairs, compactions
        when = at(100 - n if n % 2 else n)
        book.record(
            ["message", "call", "favor"][n % 3], people[n % 6], people[(n * 5 + 1) % 6], when
        )
        if n % 4 == 0:
            retract = book.timeline(people[n % 6])[0]
            if not retract.retracted:
                book.retract(retract.touchpoint_id, "compaction test")
        book.catch_up()
    views = book._views.views
    with views.read() as c:
        c.execute(views.sql("SELECT COUNT(*) AS n FROM {view_segments}"))
        assert int(c.fetchone()["n"]) <= 4
    every = book.pairs(at(200))
    for view in every:
        assert book.pair(view.a, view.b, as_of=at(200)) == view
    standing = {t.touchpoint_id for p in people for t in book.timeline(p) if not t.retracted}
    assert sum(v.decay.touches for v in every) == len(standing)
    assert book.verify() == []


def test_a_catch_up_that_another_object_overtook_reads_again(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ledger.open(sqlite_url) as first, ledger.open(sqlite_url) as second:
        for key in ("ann", "bob"):
            first.add_person(key)
        first.catch_up()
        first.record("message", "ann", "bob", at(1))
        first.record("message", "bob", "ann", at(0))
        real = _catchup._read
        calls: list[int] = []

        def overtaken(*args: Any) -> Any:
            found = real(*args)
            if not calls:
                calls.append(1)
                second.catch_up()  # moves the position between this read and the lock
            return found

        monkeypatch.setattr(_catchup, "_read", overtaken)
        first.catch_up()
        monkeypatch.undo()
        assert calls == [1]
        assert first.pair("ann", "bob", as_of=at(5)) == second.pair("ann", "bob", as_of=at(5))
        view = first.pair("ann", "bob", as_of=at(2))
        assert view is not None and view.decay.touches == 2
        assert first.verify() == []


def test_states_round_trip_with_no_time_as_null() -> None:
    empty = State.empty(1).to_lists()[0]
    assert _refold.decode_state(_refold.encode_state(empty)) == empty
    assert "null" in _refold.encode_state(empty) and str(NO_TIME) not in _refold.encode_state(empty)


def test_another_objects_rebuild_refreshes_the_rows_every_pair_is_read_from(
    sqlite_url: str,
) -> None:
    """The rows of every pair are cached per ledger object by the views' position; a
    rebuild elsewhere ends at the same position, with other rows."""
    with ledger.open(sqlite_url) as first, ledger.open(sqlite_url) as second:
        for key in ("ann", "bob", "cat"):
            first.add_person(key)
        first.record("message", "ann", "bob", at(1))
        first.record("message", "ann", "cat", at(1))
        first.catch_up()
        views = first._views.views
        with views.locked() as (c, _):  # the views damaged behind the ledger's back
            c.execute(views.sql("DELETE FROM {view_segments}"))
        assert second.pairs(at(2)) == []  # what second reads, and caches
        first.rebuild()
        assert len(first.pairs(at(2))) == 2
        assert second.pairs(at(2)) == first.pairs(at(2))
        assert second.network(at(2)).pairs == 2
