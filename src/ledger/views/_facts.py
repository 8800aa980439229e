"""What a round of stored events says, in the compact form the views are written from.

Our own events at their current ``class_version`` (no cipher, no compressor) are read
straight from the stored JSON into view rows and pair touches: no domain event object,
no ``UUID``, no ``datetime`` kept. Anything else (another topic, an older version that
needs upcasting, an unexpected encoded value) is decoded by the application's mapper,
as eventsourcing would, and then turned into the same rows (``tests/test_catchup.py``
checks both paths give the same views).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from ledger.facts.events import Person, Touchpoint
from ledger.facts.kinds import Kind
from ledger.facts.time import to_micros
from ledger.projections import PairTouch
from ledger.store._read import RawEvent
from ledger.views._pairs import split

__all__ = ["BEGINNING_OF_TIME", "Facts", "Pair"]

BEGINNING_OF_TIME = -(2**62)
"""``effective_t`` of attributes given at registration: in force as of any time."""

Pair = tuple[str, str]

_TYPE_MARK = b'"_type_"'
_KINDS = {kind.value: kind for kind in Kind}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_fromisoformat = datetime.fromisoformat
_loads = orjson.loads


class _Slow(Exception):
    """The stored state is not in the shape the fast path reads: use the mapper."""


class Facts:
    """The view rows and pair touches of one round of events."""

    def __init__(self, mapper: Any) -> None:
        self.mapper = mapper
        self.count = 0
        self.people: list[tuple[str, str]] = []
        self.attributes: list[tuple[Any, ...]] = []
        self.touchpoints: list[tuple[Any, ...]] = []
        self.participants: list[tuple[str, str]] = []
        self.retractions: list[tuple[str, str]] = []
        self.new: defaultdict[Pair, list[PairTouch]] = defaultdict(list)
        fast = mapper.cipher is None and mapper.compressor is None
        # topic -> (reader, how many encoded values its state holds: the datetimes)
        self._fast: dict[str, tuple[Callable[[int, str, dict[str, Any]], None], int]] = (
            {
                get_topic(Touchpoint.Recorded): (self._fast_recorded, 2),
                get_topic(Touchpoint.Retracted): (self._fast_retracted, 1),
                get_topic(Person.Registered): (self._fast_registered, 1),
                get_topic(Person.AttributesChanged): (self._fast_changed, 2),
            }
            if fast
            else {}
        )

    def add_rows(self, rows: Sequence[RawEvent]) -> None:
        fast, loads, mark = self._fast, _loads, _TYPE_MARK
        for row in rows:
            seq, originator_id, _, topic, blob = row
            found = fast.get(topic)
            if found is not None:
                state = loads(blob)
                if "class_version" not in state and blob.count(mark) == found[1]:
                    try:
                        found[0](seq, originator_id, state)
                        self.count += 1
                        continue
                    except (_Slow, KeyError, TypeError, ValueError):
                        pass  # nothing was added: the fast readers append last
            self.add_event(seq, self._decode(row))

    def _decode(self, row: RawEvent) -> Any:
        _, originator_id, version, topic, blob = row
        stored = StoredEvent(UUID(originator_id), version, topic, blob)
        return self.mapper.to_domain_event(stored)

    def add_event(self, seq: int, event: Any) -> None:
        """Add one decoded domain event (the mapper's path)."""
        self.count += 1
        if isinstance(event, Touchpoint.Recorded):
            self._recorded(
                seq,
                event.originator_id.hex,
                (event.kind, event.initiator, event.counterparts, to_micros(event.occurred_at)),
                (event.note, event.source, event.source_ref),
                (event.personalized, event.giver, event.duration_seconds),
            )
        elif isinstance(event, Touchpoint.Retracted):
            self.retractions.append((event.reason, event.originator_id.hex))
        elif isinstance(event, Person.Registered):
            self._registered(seq, event.key, event.name)
        elif isinstance(event, Person.AttributesChanged):
            self._changed(seq, event.key, to_micros(event.effective_at), event.changes)

    # -- the fast path: fields straight from the stored JSON ---------------------------
    def _fast_recorded(self, seq: int, originator_id: str, s: dict[str, Any]) -> None:
        self._recorded(
            seq,
            originator_id,
            (s["kind"], s["initiator"], s["counterparts"], _micros(s["occurred_at"])),
            (s["note"], s["source"], s["source_ref"]),
            (s["personalized"], s["giver"], s["duration_seconds"]),
        )

    def _fast_retracted(self, seq: int, originator_id: str, s: dict[str, Any]) -> None:
        self.retractions.append((s["reason"], originator_id))

    def _fast_registered(self, seq: int, originator_id: str, s: dict[str, Any]) -> None:
        self._registered(seq, s["key"], s["name"])

    def _fast_changed(self, seq: int, originator_id: str, s: dict[str, Any]) -> None:
        changes = s["changes"]
        if type(changes) is not dict:
            raise _Slow
        self._changed(seq, s["key"], _micros(s["effective_at"]), changes)

    # -- rows, shared by both paths -----------------------------------------------------
    def _recorded(
        self,
        seq: int,
        tid: str,
        what: tuple[str, str, Sequence[str], int],
        text: tuple[str | None, str, str],
        extra: tuple[bool, str | None, int | None],
    ) -> None:
        kind_text, initiator, counterparts, t = what
        personalized, giver, duration = extra
        touches = split(tid, t, _KINDS[kind_text], initiator, counterparts, personalized, giver)
        row = (tid, t, kind_text, initiator, _json(counterparts), *text)
        # Everything above may raise (and send the event to the mapper); nothing below.
        self.touchpoints.append((*row, int(personalized), giver, duration, seq))
        self.participants.extend((key, tid) for key in {initiator, *counterparts})
        new = self.new
        for a, b, touch in touches:
            new[(a, b)].append(touch)

    def _registered(self, seq: int, key: str, name: str) -> None:
        self.people.append((key, name))
        self.attributes.append((key, "name", BEGINNING_OF_TIME, seq, _json(name)))

    def _changed(self, seq: int, key: str, at: int, changes: dict[str, Any]) -> None:
        self.attributes.extend(
            (key, field, at, seq, _json(value)) for field, value in sorted(changes.items())
        )


def _micros(value: Any) -> int:
    """Microseconds since the epoch of a stored ``datetime_iso`` value."""
    if type(value) is not dict or value.get("_type_") != "datetime_iso":
        raise _Slow
    delta = _fromisoformat(value["_data_"]) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()
