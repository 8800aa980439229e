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

from ledger.errors import (
    AlreadyRetractedError,
    ForgottenPersonError,
    InvalidInputError,
    SelfTouchpointError,
    UnknownPersonError,
    UnknownTouchpointError,
)
from ledger.facts.events import (
    SETTINGS_ID,
    Attributes,
    Erasures,
    Identities,
    Merges,
    People,
    Retractions,
    Settings,
    Snoozes,
    Touches,
    Unmerges,
    new_id,
)
from ledger.facts.kinds import Kind
from ledger.facts.time import to_micros
from ledger.facts.values import Touch
from ledger.store import seal
from ledger.store._batches import batch_columns, participants
from ledger.store._identity import Identity, Pair, candidates
from ledger.store._open import Store, Transaction
from ledger.store._storage import batches
from ledger.store._tables import AT_SHIFT, ATTRIBUTE_FACT, TOUCH_FACT, touch_at

__all__ = ["CHUNK", "Batch", "RecordSummary", "card_of", "touch_parts"]

CHUNK = 50_000
"""Touchpoints checked and stored per batch event: a unit of work of any size holds at
most this many touches at once."""

_KIND_NAMES = tuple(kind.value for kind in Kind)
_KIND_INDEX = {kind: index for index, kind in enumerate(Kind)}


@attrs.frozen
class RecordSummary:
    """What one unit of work stored (``added``) and found stored already (``ignored``)."""

    added: int
    ignored: int
    people_added: int
    touchpoint_ids: tuple[str, ...]
    attributes_added: int = 0
    attributes_ignored: int = 0


def card_of(
    key: str, name: str, attributes: dict[str, Any], identifiers: Sequence[tuple[str, str]] = ()
) -> bytes:
    """A person's card as sealed: their key, name, identifiers and first attributes."""
    pairs = [list(p) for p in identifiers] or [["key", key]]
    return orjson.dumps({"key": key, "name": name, "identifiers": pairs, "attributes": attributes})


def touch_parts(touch: Touch, ref: str, people: Sequence[str]) -> list[str]:
    """What a touchpoint's fact id is derived from (``people``: its person ids)."""
    return [
        "touch",
        touch.source,
        ref,
        touch.kind.value,
        str(to_micros(touch.occurred_at)),
        *people,
        "" if touch.duration_seconds is None else str(touch.duration_seconds),
        str(_flags(touch)),
    ]


def reason_key(keys: list[bytes], what: str, about: Sequence[str]) -> bytes:
    """The key a free-text reason is sealed under: the keys of everyone it concerns, so
    that it goes when any of them is forgotten (as a note does)."""
    return seal.note_key(keys, f"{what}:{','.join(about)}")


def _flags(touch: Touch) -> int:
    flags = Touches.PERSONALIZED if touch.personalized else 0
    if touch.giver == "counterparts":
        flags |= Touches.COUNTERPARTS_GAVE
    if touch.symmetric:
        flags |= Touches.SYMMETRIC
    return flags


class Batch:
    """One unit of work (see the module docs); use :meth:`Ledger.batch`."""

    def __init__(
        self,
        store: Store,
        txn: Transaction,
        *,
        create_people: bool,
        keep_ids: bool,
        allow_forgotten: bool = False,
    ) -> None:
        self.store = store
        self.txn = txn
        self.mapper = store.app.mapper
        self.create_people = create_people
        self.keep_ids = keep_ids
        self.allow_forgotten = allow_forgotten
        self._identity = Identity(store, txn)
        self._keys: dict[str, bytes] = {}  # person id (hex) -> their key
        self._new_people: list[list[str]] = []
        self._new_keys: list[tuple[bytes, bytes]] = []
        self._changes: list[list[Any]] = []
        self._change_ids: set[bytes] = set()
        self.read = self.added = self.people_added = 0
        self.attributes_added = self.attributes_ignored = 0
        self.touch_ids: list[str] = []

    # -- people --------------------------------------------------------------------------
    def person_ids(self, keys: Iterable[str]) -> dict[str, str]:
        """The person ids of those of ``keys`` who are registered (or are in this batch):
        found by their key, or by the e-mail address, phone or URL the key is."""
        return self._identity.resolve(keys)

    def register(
        self,
        key: str,
        name: str,
        attributes: dict[str, Any],
        identifiers: Sequence[Pair] = (),
    ) -> bool:
        """Register ``key`` with its other ``identifiers`` (normalised ``(kind, value)``
        pairs) and the one the key itself is, if any; False, and nothing stored, if the
        key names someone already. Each identifier another person claimed first stays
        theirs (and on this card)."""
        if self.person_ids([key]):
            return False
        if self._identity.is_forgotten(key) and not self.allow_forgotten:
            raise ForgottenPersonError("key", key)
        person = new_id().hex
        person_key = seal.new_key()
        # The identifier the key is (an address, phone, URL or handle), normalised: the
        # same address written in another case later is this person, not a new one.
        own = candidates(key)
        pairs = [*own, *(p for p in identifiers if p not in own)]
        card = card_of(key, name, attributes, pairs)
        self._new_people.append([person, seal.seal(person_key, card, bytes.fromhex(person))])
        self._identity.claim(person, pairs)
        self._new_keys.append((bytes.fromhex(person), person_key))
        self._keys[person] = person_key
        self.people_added += 1
        return True

    def identify(self, key: str, identifiers: Sequence[Pair]) -> int:
        """Give the registered person ``key`` more identifiers; how many were new to the
        index (the others already name someone, them or another)."""
        person = self.person_ids([key]).get(key)
        if person is None:
            raise UnknownPersonError("key", key)
        claimed = self._identity.claim(person, list(identifiers))
        sealed = seal.seal(
            self.key_of(person), orjson.dumps([list(p) for p in identifiers]), bytes.fromhex(person)
        )
        self._flush_people()
        self._store(Identities._create(Identities.Added, id=new_id(), people=[[person, sealed]]))
        return len(claimed)

    def merge(self, into: str, other: str, reason: str) -> str:
        """Record that person ``other`` is ``into`` (ids); the merge's id."""
        keys = self._keys_of([into, other])
        sealed = seal.seal(reason_key(keys, "merge", [into, other]), reason.encode(), b"reason")
        merge = new_id()
        self._store(
            Merges._create(Merges.Recorded, id=merge, into=into, other=other, reason=sealed)
        )
        return merge.hex

    def unmerge(self, merge: str, reason: str, people: Sequence[str] = ()) -> None:
        """Undo the merge with id ``merge`` of the two person ids ``people``; the reason
        is sealed under their keys, as the merge's is (it goes when they are forgotten)."""
        sealed = reason
        if people:
            key = reason_key(self._keys_of(list(people)), "unmerge", [merge, *people])
            sealed = seal.seal(key, reason.encode(), b"reason")
        self._store(Unmerges._create(Unmerges.Recorded, id=new_id(), merge=merge, reason=sealed))

    def _flush_people(self) -> None:
        if not self._new_people:
            self._identity.flush()  # identifiers given to people registered before
            return
        self._store(People._create(People.Registered, id=new_id(), people=self._new_people))
        self._identity.flush()
        self.store.add_keys(self.txn.cursor, self._new_keys)
        self._new_people, self._new_keys = [], []

    def key_of(self, person: str) -> bytes:
        """The sealing key of person id ``person``."""
        if person not in self._keys:
            found = self.store.keys_of(self.txn.cursor, [bytes.fromhex(person)])
            if not found:
                raise UnknownPersonError("person", person)
            self._keys[person] = found[bytes.fromhex(person)]
        return self._keys[person]

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
            raise _unknown(chunk, missing)
        for key in sorted(missing):
            self.register(key, key, {})
        found = self.person_ids(keys)
        for touch in chunk:
            _one_person_once(touch, found)
        return found

    def _touch_id(self, touch: Touch, people: dict[str, str]) -> str:
        if touch.source_ref is None:
            return os.urandom(16).hex()
        return self.store.fact_id(
            touch_parts(touch, touch.source_ref, [people[k] for k in touch.people])
        )

    def _store_touches(self, touches: list[Touch], ids: list[str], people: dict[str, str]) -> None:
        index: dict[str, int] = {}
        sources: dict[str, int] = {}
        kinds: dict[str, int] = {}
        who: list[int] = []
        notes: list[list[Any]] = []
        for row, touch in enumerate(touches):
            members = [people[key] for key in touch.people]
            who.extend(index.setdefault(person, len(index)) for person in members)
            if touch.note is not None:
                key = seal.note_key([self.key_of(p) for p in members], ids[row])
                notes.append([row, seal.seal(key, touch.note.encode(), bytes.fromhex(ids[row]))])
        columns = {
            "people": list(index),
            "kinds": [],
            "sources": [],
            "ids": "".join(ids),
            "t": [to_micros(touch.occurred_at) for touch in touches],
            "kind": [kinds.setdefault(touch.kind.value, len(kinds)) for touch in touches],
            "source": [sources.setdefault(touch.source, len(sources)) for touch in touches],
            "size": [len(touch.counterparts) + 1 for touch in touches],
            "who": who,
            "flags": [_flags(touch) for touch in touches],
            "duration": [touch.duration_seconds for touch in touches],
            "notes": notes,
        }
        columns["kinds"], columns["sources"] = list(kinds), list(sources)
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

    def _keys_of(self, people: list[str]) -> list[bytes]:
        keys = self.store.keys_of(self.txn.cursor, [bytes.fromhex(p) for p in people])
        return [keys[bytes.fromhex(p)] for p in people if bytes.fromhex(p) in keys]

    def forget(self, person: str, reason: str) -> None:
        """Forget person id ``person``: their key is destroyed and their identifiers
        kept only as tombstone digests, so that an import does not bring them back
        silently; an erasure fact, naming them by their opaque id only, is recorded."""
        raw = bytes.fromhex(person)
        self._store(Erasures._create(Erasures.Recorded, id=new_id(), person=person, reason=reason))
        self.txn.tables.forget(self.txn.cursor, raw)
        self._keys.pop(person, None)
        self._identity.named = {k: v for k, v in self._identity.named.items() if v != person}

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

    def _store(self, aggregate: Any) -> list[int]:
        stored = [self.mapper.to_stored_event(event) for event in aggregate.collect_events()]
        return self.txn.insert(stored)


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


def _one_person_once(touch: Touch, people: dict[str, str]) -> None:
    """Refuse a touchpoint two of whose keys name one person (``ann`` and her e-mail
    address): it would be a touch of someone with themselves."""
    seen: dict[str, str] = {}
    for key in touch.people:
        other = seen.setdefault(people[key], key)
        if other != key:
            raise SelfTouchpointError(
                "counterparts", key, f"the same person as {other!r}: name each person once"
            )


def _unknown(touches: Sequence[Touch], missing: set[str]) -> UnknownPersonError:
    for touch in touches:
        if touch.initiator in missing:
            return UnknownPersonError("initiator", touch.initiator)
        for key in touch.counterparts:
            if key in missing:
                return UnknownPersonError("counterparts", key)
    raise InvalidInputError("touches", sorted(missing), "unreachable: a missing key has a touch")
