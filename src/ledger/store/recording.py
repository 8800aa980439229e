"""Writing facts: validated, atomic, idempotent, safe against concurrent writers.

A :class:`Batch` is one unit of work inside one transaction of
:meth:`ledger.store._open.Store.writing`, which holds the log's write lock from its
start: people, attribute changes, touchpoints, retractions, settings and snoozes
recorded through it are all stored, or, on any error (one raised by a lazy iterable of
touches included), none of them. Because the lock is held before the first look-up,
"which of these are stored already?" and "insert the rest" cannot be split by another
writer.

Identity, and what "the same fact" means:

* a person is found by the keyed digest of each identifier (their key first);
* a touchpoint with a ``source_ref`` has a fact id derived from its source, reference
  and content (kind, time, people, duration, flags; not the note): recording the same
  fact again is ignored and counted, and a corrected fact under the same reference is
  stored. One without a reference is a new fact each time;
* an attribute change is identified by its person, effective time and values.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs
import orjson

from ledger.errors import AlreadyRetractedError, UnknownPersonError, UnknownTouchpointError
from ledger.facts.events import (
    SETTINGS_ID,
    Attributes,
    Retractions,
    Settings,
    Snoozes,
    Touches,
    new_id,
)
from ledger.facts.values import Touch
from ledger.store import seal
from ledger.store._batches import batch_columns, participants
from ledger.store._encoding import (
    card_of,
    one_person_once,
    reason_key,
    touch_columns,
    touch_parts,
    unknown_person,
)
from ledger.store._open import Store, Transaction
from ledger.store._people import PeopleWork
from ledger.store._storage import batches
from ledger.store._tables import AT_SHIFT, ATTRIBUTE_FACT, TOUCH_FACT, touch_at

# card_of, touch_parts and reason_key are written in ._encoding and named here too,
# where their callers have always found them.
__all__ = [
    "CHUNK",
    "Batch",
    "RecordSummary",
    "card_of",
    "collector_paused",
    "reason_key",
    "touch_parts",
]

CHUNK = 50_000
"""Touchpoints checked and stored per batch event: a unit of work of any size holds at
most this many touches at once."""


@attrs.frozen
class RecordSummary:
    """What one unit of work stored (``added``) and found stored already (``ignored``)."""

    added: int
    ignored: int
    people_added: int
    touchpoint_ids: tuple[str, ...]
    attributes_added: int = 0
    attributes_ignored: int = 0


class Batch(PeopleWork):
    """One unit of work (see the module docs); use :meth:`Ledger.batch`. People,
    identifiers, merges and erasures: :class:`PeopleWork`."""

    def __init__(
        self,
        store: Store,
        txn: Transaction,
        *,
        create_people: bool,
        keep_ids: bool,
        allow_forgotten: bool = False,
    ) -> None:
        super().__init__(store, txn, allow_forgotten=allow_forgotten)
        self.create_people = create_people
        self.keep_ids = keep_ids
        self._changes: list[list[Any]] = []
        self._change_ids: set[bytes] = set()
        self.read = self.added = 0
        self.attributes_added = self.attributes_ignored = 0
        self.touch_ids: list[str] = []

    # -- attributes ------------------------------------------------------------------------
    def change(self, key: str, effective_t: int, changes: dict[str, Any]) -> bool:
        """Attributes of ``key`` take ``changes`` from ``effective_t`` (µs) on; False if
        exactly this change is stored already."""
        person = self.person_ids([key]).get(key)
        if person is None:
            raise UnknownPersonError("key", key)
        canonical = orjson.dumps(changes, option=orjson.OPT_SORT_KEYS)
        identity = self.store.fact_id(["attributes", person, str(effective_t), canonical.decode()])
        raw = bytes.fromhex(identity)
        if raw in self._change_ids or self.txn.tables.stored_facts(self.txn.cursor, [raw]):
            self.attributes_ignored += 1
            return False
        sealed = seal.seal(self.key_of(person), canonical, bytes.fromhex(person))
        self._changes.append([identity, person, effective_t, sealed])
        self._change_ids.add(raw)
        self.attributes_added += 1
        return True

    def _flush_changes(self) -> None:
        if not self._changes:
            return
        self._flush_people()
        [nid] = self._store(
            Attributes._create(Attributes.Changed, id=new_id(), changes=self._changes)
        )
        rows = [(bytes.fromhex(row[0]), touch_at(nid, i)) for i, row in enumerate(self._changes)]
        self.txn.tables.add_facts(self.txn.cursor, ATTRIBUTE_FACT, rows)
        self._changes, self._change_ids = [], set()

    # -- touchpoints -----------------------------------------------------------------------
    def record(self, touches: Iterable[Touch]) -> None:
        """Store ``touches`` (consumed once, chunk by chunk)."""
        for chunk in batches(touches, CHUNK):
            self._record_chunk(chunk)

    def _record_chunk(self, chunk: list[Touch]) -> None:
        people = self._people_of(chunk)
        ids = [self._touch_id(touch, people) for touch in chunk]
        first: dict[str, int] = {}
        for index, identity in enumerate(ids):
            first.setdefault(identity, index)  # the same fact twice: the first stands
        # Stored in the order they happened (the order inside one atomic batch means
        # nothing), so that the views extend each pair at its end instead of refolding.
        fresh = sorted(first.values(), key=lambda i: chunk[i].occurred_at)
        self._flush_people()
        # Mostly every touch of a chunk is new: try that first, and look up which are
        # stored only when the index says one is (a re-import pays the look-ups, a
        # first import does not).
        if not self._stored_as_new(chunk, ids, fresh, people):
            stored = self.txn.tables.stored_facts(
                self.txn.cursor, [bytes.fromhex(i) for i in first]
            )
            fresh = [i for i in fresh if bytes.fromhex(ids[i]) not in stored]
            if fresh:
                self._store_touches([chunk[i] for i in fresh], [ids[i] for i in fresh], people)
        self.read += len(chunk)
        self.added += len(fresh)
        if self.keep_ids:
            self.touch_ids.extend(ids)

    def _stored_as_new(
        self, chunk: list[Touch], ids: list[str], fresh: list[int], people: dict[str, str]
    ) -> bool:
        """Store the chunk's touches as if none were stored; False, with nothing
        stored, if one was."""
        c = self.txn.cursor
        c.execute("SAVEPOINT ledger_new")
        try:
            self._store_touches([chunk[i] for i in fresh], [ids[i] for i in fresh], people)
        except self.store.storage.duplicate_errors:
            c.execute("ROLLBACK TO SAVEPOINT ledger_new")
            c.execute("RELEASE SAVEPOINT ledger_new")
            return False
        c.execute("RELEASE SAVEPOINT ledger_new")
        return True

    def _people_of(self, chunk: list[Touch]) -> dict[str, str]:
        keys = {key for touch in chunk for key in touch.people}
        known = self.person_ids(keys)
        missing = keys - set(known)
        if missing and not self.create_people:
            raise unknown_person(chunk, missing)
        for key in sorted(missing):
            self.register(key, key, {})
        found = self.person_ids(keys)
        for touch in chunk:
            one_person_once(touch, found)
        return found

    def _touch_id(self, touch: Touch, people: dict[str, str]) -> str:
        if touch.source_ref is None:
            return os.urandom(16).hex()
        return self.store.fact_id(
            touch_parts(touch, touch.source_ref, [people[k] for k in touch.people])
        )

    def _store_touches(self, touches: list[Touch], ids: list[str], people: dict[str, str]) -> None:
        columns = touch_columns(touches, ids, people, self.key_of)
        [nid] = self._store(Touches._create(Touches.Recorded, id=new_id(), **columns))
        rows = [(bytes.fromhex(identity), touch_at(nid, i)) for i, identity in enumerate(ids)]
        self.txn.tables.add_facts(self.txn.cursor, TOUCH_FACT, rows)

    # -- retractions, settings, snoozes ----------------------------------------------------
    def retract(self, touch_ids: Sequence[str], reason: str) -> None:
        """Withdraw touchpoints recorded in error (each must be a stored touchpoint not
        retracted yet)."""
        raw = [bytes.fromhex(identity) for identity in touch_ids]
        stored = self.txn.tables.stored_facts(self.txn.cursor, raw)
        for identity, key in zip(touch_ids, raw, strict=True):
            found = stored.get(key)
            if found is None or found[1] != TOUCH_FACT:
                raise UnknownTouchpointError(identity)
            if found[2]:
                raise AlreadyRetractedError(identity)
        people = self._people_of_touches([stored[key][0] for key in raw])
        sealed = seal.seal(
            reason_key(self._keys_of(people), "retraction", touch_ids), reason.encode(), b"reason"
        )
        self._store(
            Retractions._create(
                Retractions.Recorded, id=new_id(), touch_ids=list(touch_ids), reason=sealed
            )
        )
        self.txn.tables.mark_retracted(self.txn.cursor, raw)

    def _people_of_touches(self, places: list[int]) -> list[str]:
        """Everyone who took part in the touchpoints stored at ``places``."""
        found: dict[str, None] = {}
        for at in places:
            columns = batch_columns(self.store, self.txn.cursor, at >> AT_SHIFT)
            if columns is not None:
                found.update(dict.fromkeys(participants(columns, at & ((1 << AT_SHIFT) - 1))))
        return list(found)

    def settings(self, changes: dict[str, Any], actor: str | None) -> None:
        """Store changed settings: the next version of the one settings aggregate. Its
        version is read inside this transaction (which holds the write lock), not
        through the repository, whose own connection would wait for ours."""
        version = self.txn.last_version(SETTINGS_ID)
        if version == 0:
            started = Settings._create(
                Settings.Started, id=SETTINGS_ID, changes=changes, actor=actor
            )
            self._store(started)
            return
        changed: Any = Settings.Changed  # eventsourcing's event: its fields are keywords
        event = changed(
            originator_id=SETTINGS_ID,
            originator_version=version + 1,
            timestamp=Settings.Changed.create_timestamp(),
            changes=changes,
            actor=actor,
        )
        self.txn.insert([self.mapper.to_stored_event(event)])

    def snooze(self, a: str, b: str, since: int, until: int, reason: str | None) -> None:
        x, y = sorted((a, b))
        sealed = None
        if reason is not None:
            key = reason_key(self._keys_of([x, y]), "snooze", [x, y])
            sealed = seal.seal(key, reason.encode(), b"reason")
        self._store(
            Snoozes._create(
                Snoozes.Set, id=new_id(), a=x, b=y, since=since, until=until, reason=sealed
            )
        )

    # -- the end -----------------------------------------------------------------------------
    def finish(self) -> RecordSummary:
        """Store what is still pending; the summary."""
        self._flush_people()
        self._flush_changes()
        return RecordSummary(
            added=self.added,
            ignored=self.read - self.added,
            people_added=self.people_added,
            touchpoint_ids=tuple(self.touch_ids),
            attributes_added=self.attributes_added,
            attributes_ignored=self.attributes_ignored,
        )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a batch is written.

    A batch allocates millions of small acyclic objects (touches, ids, rows) while the
    importer's own tables stay alive, so the collector keeps walking the same live
    objects: 7% of a 332k-touchpoint import (measured). Nothing here makes cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
