"""Writing facts: validated, atomic, idempotent, safe against concurrent writers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from ledger._bulk import can_write_directly, recorded_event, reference
from ledger._errors import LedgerError, UnknownPersonError
from ledger._storage import Storage
from ledger.domain import Person, Touchpoint, person_id, touchpoint_id
from ledger.results import RecordSummary
from ledger.values import Touch

__all__ = ["EARLIEST", "Recorder"]

EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
"""``effective_at`` of attributes given without a date: in force for all time."""

_ATTEMPTS = 20


class Recorder:
    """Turns inputs into aggregates and stores those not stored before."""

    def __init__(self, app: Any, storage: Storage) -> None:
        self.app = app
        self.storage = storage

    def known(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` are registered people (asked of the event store itself)."""
        ids = {person_id(key): key for key in keys}
        return {ids[found] for found in self.storage.existing_ids(self.app, list(ids))}

    def record(self, touches: Sequence[Touch], create_people: bool) -> RecordSummary:
        keys = sorted({key for touch in touches for key in touch.people})
        missing = set(keys) - self.known(keys)
        if missing and not create_people:
            raise _unknown(touches, missing)
        people = self._stored([_register(key, key) for key in sorted(missing)])
        refs = [reference(touch) for touch in touches]
        ids = [touchpoint_id(t.source, ref) for t, ref in zip(touches, refs, strict=True)]
        first: dict[UUID, int] = {}
        for index, identity in enumerate(ids):
            first.setdefault(identity, index)  # the same fact twice: the first stands
        # Stored in the order they happened (the order inside one atomic batch means
        # nothing), so that the views extend each pair at its end instead of refolding.
        by_time = sorted(first.values(), key=lambda i: touches[i].occurred_at)

        def events(fresh: set[UUID]) -> Iterator[Any]:
            for identity, stored in people.items():
                if identity in fresh:
                    yield from stored
            yield from self._touchpoint_events(
                (touches[i], refs[i], ids[i]) for i in by_time if ids[i] in fresh
            )

        saved = self._store_lazily([*people, *first], events)
        added = len(saved & first.keys())
        return RecordSummary(
            added=added,
            ignored=len(touches) - added,
            people_added=len(saved) - added,
            touchpoint_ids=tuple(i.hex for i in ids),
        )

    def _touchpoint_events(self, items: Iterable[tuple[Touch, str, UUID]]) -> Iterator[Any]:
        """Stored events made one at a time, as the insert consumes them: a batch of
        300k touchpoints never holds all its stored events at once."""
        if not can_write_directly(self.app.mapper):
            for touch, ref, _ in items:
                yield from self._stored([_touchpoint(touch, ref)]).popitem()[1]
            return
        now = datetime.now(UTC)
        for touch, ref, identity in items:
            yield recorded_event(touch, ref, identity, now)

    def _stored(self, aggregates: Sequence[Any]) -> dict[UUID, list[Any]]:
        return {
            a.id: [self.app.mapper.to_stored_event(e) for e in a.collect_events()]
            for a in aggregates
        }

    def register(self, key: str, name: str, changes: dict[str, Any]) -> bool:
        person = _register(key, name)
        if changes:
            person.change(EARLIEST, changes)
        return bool(self.save_new([person]))

    def save_new(self, aggregates: Sequence[Any]) -> set[UUID]:
        """Store the aggregates not stored yet, all in one transaction; return their ids.

        A concurrent writer may store some of the same ids between our check and our
        insert: the insert then fails on the primary key, and we check again.
        """
        return self.store_new(self._stored(aggregates))

    def store_new(self, pending: dict[UUID, list[Any]]) -> set[UUID]:
        """Store the stored events of the ids not stored yet (see :meth:`save_new`)."""
        return self._store_lazily(
            list(pending), lambda fresh: (s for i in pending if i in fresh for s in pending[i])
        )

    def _store_lazily(
        self, ids: Sequence[UUID], events: Callable[[set[UUID]], Iterable[Any]]
    ) -> set[UUID]:
        """Insert ``events(fresh)`` in one transaction, ``fresh`` being those of ``ids``
        not stored yet; again, with a fresh check, if another writer got in between."""
        if not ids:
            return set()
        for _ in range(_ATTEMPTS):
            fresh = set(ids) - self.storage.existing_ids(self.app, ids)
            if not fresh:
                return set()
            try:
                self.storage.insert_atomically(self.app, events(fresh))
            except IntegrityError:
                continue
            return fresh
        raise LedgerError("could not store the batch: it kept colliding with other writers")

    def save_changes(self, aggregate: Any) -> bool:
        """Store an existing aggregate's pending events atomically, hash-chained.

        False when another writer stored the same version first (nothing is written):
        the caller decides what that means. ``app.save`` would bypass the chain.
        """
        stored = [self.app.mapper.to_stored_event(e) for e in aggregate.collect_events()]
        if not stored:
            return True
        try:
            self.storage.insert_atomically(self.app, stored)
        except IntegrityError:
            return False
        return True


def _register(key: str, name: str) -> Person:
    return Person._create(Person.Registered, id=person_id(key), key=key, name=name)


def _touchpoint(touch: Touch, ref: str) -> Touchpoint:
    giver = touch.giver or ("initiator" if touch.kind == "favor" else None)
    return Touchpoint._create(
        Touchpoint.Recorded,
        id=touchpoint_id(touch.source, str(ref)),
        kind=touch.kind.value,
        initiator=touch.initiator,
        counterparts=list(touch.counterparts),
        occurred_at=touch.occurred_at,
        note=touch.note,
        source=touch.source,
        source_ref=str(ref),
        personalized=bool(touch.personalized),
        giver=giver,
        duration_seconds=touch.duration_seconds,
    )


def _unknown(touches: Sequence[Touch], missing: set[str]) -> UnknownPersonError:
    for touch in touches:
        if touch.initiator in missing:
            return UnknownPersonError("initiator", touch.initiator)
        for key in touch.counterparts:
            if key in missing:
                return UnknownPersonError("counterparts", key)
    raise AssertionError("unreachable: a missing key comes from some touch")
