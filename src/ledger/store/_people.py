"""The people side of a unit of work: registering people, their identifiers, merges,
unmerges and forgetting, and the sealing keys all of them need (the base class of
:class:`ledger.store.recording.Batch`, which adds touchpoints, attributes, retractions,
settings and snoozes). Everything here runs inside the batch's one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from ledger.errors import ForgottenPersonError, UnknownPersonError
from ledger.facts.events import Erasures, Identities, Merges, People, Unmerges, new_id
from ledger.store import seal
from ledger.store._encoding import card_of, reason_key
from ledger.store._identity import Identity, Pair, candidates
from ledger.store._open import Store, Transaction

__all__ = ["PeopleWork"]


class PeopleWork:
    """People, identifiers, merges and erasures recorded in one transaction ``txn``."""

    def __init__(self, store: Store, txn: Transaction, *, allow_forgotten: bool) -> None:
        self.store = store
        self.txn = txn
        self.mapper = store.app.mapper
        self.allow_forgotten = allow_forgotten
        self._identity = Identity(store, txn)
        self._keys: dict[str, bytes] = {}  # person id (hex) -> their key
        self._new_people: list[list[str]] = []
        self._new_keys: list[tuple[bytes, bytes]] = []
        self.people_added = 0

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

    def forget(self, person: str, reason: str) -> None:
        """Forget person id ``person``: their key is destroyed and their identifiers
        kept only as tombstone digests, so that an import does not bring them back
        silently; an erasure fact, naming them by their opaque id only, is recorded."""
        raw = bytes.fromhex(person)
        self._store(Erasures._create(Erasures.Recorded, id=new_id(), person=person, reason=reason))
        self.txn.tables.forget(self.txn.cursor, raw)
        self._keys.pop(person, None)
        self._identity.named = {k: v for k, v in self._identity.named.items() if v != person}

    def key_of(self, person: str) -> bytes:
        """The sealing key of person id ``person``."""
        if person not in self._keys:
            found = self.store.keys_of(self.txn.cursor, [bytes.fromhex(person)])
            if not found:
                raise UnknownPersonError("person", person)
            self._keys[person] = found[bytes.fromhex(person)]
        return self._keys[person]

    def _keys_of(self, people: list[str]) -> list[bytes]:
        keys = self.store.keys_of(self.txn.cursor, [bytes.fromhex(p) for p in people])
        return [keys[bytes.fromhex(p)] for p in people if bytes.fromhex(p) in keys]

    def _flush_people(self) -> None:
        if not self._new_people:
            self._identity.flush()  # identifiers given to people registered before
            return
        self._store(People._create(People.Registered, id=new_id(), people=self._new_people))
        self._identity.flush()
        self.store.add_keys(self.txn.cursor, self._new_keys)
        self._new_people, self._new_keys = [], []

    def _store(self, aggregate: Any) -> list[int]:
        stored = [self.mapper.to_stored_event(event) for event in aggregate.collect_events()]
        return self.txn.insert(stored)
