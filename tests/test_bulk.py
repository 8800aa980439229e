"""Touchpoints written directly are byte for byte what the aggregate path stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import ledger
from ledger.facts.events import touchpoint_id
from ledger.facts.kinds import Kind
from ledger.store._bulk import RecordedEvents, recorded_event
from ledger.store.application import LedgerApplication
from ledger.store.recording import _touchpoint

APP = LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
KEYS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1).filter(
    lambda key: key.strip() == key and bool(key)
)


@st.composite
def touches(draw: st.DrawFn) -> ledger.Touch:
    kind = draw(st.sampled_from(list(Kind)))
    initiator = draw(KEYS)
    size = 2 if kind is Kind.INTRODUCTION else draw(st.integers(1, 3))
    counterparts = draw(
        st.lists(KEYS.filter(lambda k: k != initiator), min_size=size, max_size=size, unique=True)
    )
    offset = draw(st.integers(-14 * 60, 14 * 60))
    moment = datetime(1990, 1, 1, tzinfo=timezone(timedelta(minutes=offset))) + timedelta(
        microseconds=draw(st.integers(0, 10**15))
    )
    return ledger.Touch(
        kind,
        initiator,
        counterparts,
        moment,
        note=draw(st.none() | st.text()),
        source=draw(KEYS),
        source_ref=draw(st.none() | KEYS),
        personalized=draw(st.booleans()),
        giver=draw(st.sampled_from([None, "initiator", "counterparts"]))
        if kind is Kind.FAVOR
        else None,
        duration_seconds=draw(st.none() | st.integers(0, 10**6)),
    )


@settings(max_examples=300)
@given(touch=touches())
def test_direct_stored_event_equals_the_mappers(touch: ledger.Touch) -> None:
    if touch.source_ref is None:  # a random reference: fix it so both paths agree
        touch = ledger.Touch(
            touch.kind,
            touch.initiator,
            touch.counterparts,
            touch.occurred_at,
            note=touch.note,
            source=touch.source,
            source_ref="fixed",
            personalized=touch.personalized,
            giver=touch.giver,
            duration_seconds=touch.duration_seconds,
        )
    timestamp = datetime(2026, 11, 25, 3, 0, 0, 123456, tzinfo=UTC)
    aggregate = _touchpoint(touch, "fixed")
    [event] = aggregate.collect_events()
    object.__setattr__(event, "timestamp", timestamp)
    expected = APP.mapper.to_stored_event(event)
    identity = touchpoint_id(touch.source, "fixed")
    stored = recorded_event(touch, "fixed", identity, timestamp)
    assert identity == aggregate.id
    assert stored == expected
    assert APP.mapper.to_domain_event(stored).__dict__ == event.__dict__


def test_bulk_recorded_history_reads_back_through_eventsourcing(memory_book: ledger.Ledger) -> None:
    touch = ledger.Touch(
        "email",
        "ann",
        ["bob", "cat"],
        "2024-01-01T00:00:00Z",
        source="s",
        source_ref="1",
        note="hi",
    )
    [identity] = memory_book.record_many([touch], create_people=True).touchpoint_ids
    from uuid import UUID

    aggregate = memory_book.application.repository.get(UUID(identity))
    assert (aggregate.kind, aggregate.initiator, aggregate.counterparts) == (
        "email",
        "ann",
        ["bob", "cat"],
    )
    assert aggregate.note == "hi" and aggregate.version == 1


@settings(max_examples=100)
@given(batch=st.lists(touches(), min_size=1, max_size=8), repeat=st.lists(st.booleans()))
def test_one_batch_encoder_matches_the_mapper_across_touches(
    batch: list[ledger.Touch], repeat: list[bool]
) -> None:
    """One encoder for a whole batch: its kept encodings (the recording time, the last
    occurred_at, reused when a touch shares the previous one's datetime) never leak."""
    timestamp = datetime(2026, 11, 25, 3, 0, 0, 123456, tzinfo=UTC)
    encode = RecordedEvents(timestamp)
    previous: datetime | None = None
    for index, drawn in enumerate(batch):
        same = previous is not None and index < len(repeat) and repeat[index]
        touch = attrs.evolve(drawn, occurred_at=previous) if same else drawn
        previous = touch.occurred_at
        ref = f"ref{index}"
        aggregate = _touchpoint(touch, ref)
        [event] = aggregate.collect_events()
        object.__setattr__(event, "timestamp", timestamp)
        expected = APP.mapper.to_stored_event(event)
        row = encode(touch, ref, aggregate.id.hex)
        assert (row.originator_id, row.originator_version, row.topic, row.state) == (
            expected.originator_id.hex,
            expected.originator_version,
            expected.topic,
            expected.state,
        )
