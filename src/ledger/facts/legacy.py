"""The first format of the facts (ledgers written before 0.2): one aggregate per person
and per touchpoint, personal data in plain text.

These classes are kept so that every ledger written then still decodes and folds; new
facts are written as :mod:`ledger.facts.events`. What follows is their original
description.

The facts: people and touchpoints as event-sourced aggregates.

These are eventsourcing's own aggregate and event classes (not attrs classes): the
library's ``Mapper`` rebuilds events with ``vars()``, which slotted attrs classes do
not support, and its own classes give us ``class_version`` and upcasting for free.
attrs is used for everything that is not stored: inputs, rows and query results.

Identity is derived, never random, wherever the outside world gives one:

* a person's aggregate id is ``uuid5(PEOPLE, key)``: registering a key twice, even
  from two processes at once, collides on the stored event's primary key;
* a touchpoint's id is ``uuid5(TOUCHPOINTS, source + NUL + source_ref)``: recording
  the same fact from the same source again is a no-op.

Versioning: every event class states its ``class_version``. When a class changes,
bump it and add a static ``upcast_vN_vN+1(state)``; golden payloads of every version
live in ``tests/golden/`` and are only ever added to.

Owner and snoozes are facts of the ledger too (whose ledger it is; reminders silenced
for a pair), stored in the same log and hash-chained like every other event.

Topics: these classes were first stored from ``ledger.domain`` and
``ledger.insights._facts``; those topics stay registered, so every ledger written
then still decodes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic, register_topic

__all__ = [
    "OWNER_ID",
    "PEOPLE",
    "TOUCHPOINTS",
    "Owner",
    "Person",
    "Snooze",
    "Touchpoint",
    "new_owner",
    "new_snooze",
    "person_hex",
    "person_id",
    "touchpoint_hex",
    "touchpoint_id",
    "topic_of",
]

PEOPLE = uuid5(NAMESPACE_URL, "https://ledger.invalid/people")
TOUCHPOINTS = uuid5(NAMESPACE_URL, "https://ledger.invalid/touchpoints")


def person_id(key: str) -> UUID:
    """The aggregate id of the person with ``key``."""
    return uuid5(PEOPLE, key)


def touchpoint_id(source: str, source_ref: str) -> UUID:
    """The aggregate id of the touchpoint a source calls ``source_ref``."""
    return uuid5(TOUCHPOINTS, f"{source}\x00{source_ref}")


def person_hex(key: str) -> str:
    """``person_id(key).hex``, without building a ``UUID`` (see :func:`_uuid5_hex`)."""
    return _uuid5_hex(_PEOPLE_BYTES, key)


def touchpoint_hex(source: str, source_ref: str) -> str:
    """``touchpoint_id(source, source_ref).hex``, without building a ``UUID``."""
    return _uuid5_hex(_TOUCHPOINTS_BYTES, f"{source}\x00{source_ref}")


_PEOPLE_BYTES = PEOPLE.bytes
_TOUCHPOINTS_BYTES = TOUCHPOINTS.bytes


def _uuid5_hex(namespace: bytes, name: str) -> str:
    """RFC 4122 name-based (SHA-1) id as 32 hex digits: what ``uuid5(...).hex`` gives.

    A bulk import makes one id per touchpoint; ``uuid5`` spends 2.7 us building ``UUID``
    objects that are only ever turned back into hex (measured), this 0.6 us.
    """
    digest = bytearray(hashlib.sha1(namespace + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    return digest.hex()


class Person(Aggregate):
    """Someone in the ledger, with attributes that change over time."""

    class Registered(Aggregate.Created):
        class_version = 1
        key: str
        name: str

    class AttributesChanged(Aggregate.Event):
        """Attributes took these values from ``effective_at`` on.

        ``changes`` maps an attribute (``name``, ``org``, ``title``, ``location``,
        ``tags``) to its new value; ``None`` clears it.
        """

        class_version = 1
        key: str
        effective_at: datetime
        changes: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            aggregate.history.append((self.effective_at, dict(self.changes)))

    def __init__(self, key: str, name: str) -> None:
        self.key = key
        self.name = name
        self.history: list[tuple[datetime, dict[str, Any]]] = []

    def change(self, effective_at: datetime, changes: dict[str, Any]) -> None:
        self.trigger_event(
            self.AttributesChanged, key=self.key, effective_at=effective_at, changes=changes
        )


class Touchpoint(Aggregate):
    """One contact between people: immutable once recorded, retractable, never edited."""

    class Recorded(Aggregate.Created):
        class_version = 1
        kind: str
        initiator: str
        counterparts: list[str]
        occurred_at: datetime
        note: str | None
        source: str
        source_ref: str
        personalized: bool
        giver: str | None
        duration_seconds: int | None

    class Retracted(Aggregate.Event):
        """The touchpoint was recorded in error; views forget it, the log keeps it."""

        class_version = 1
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.retracted_reason = self.reason

    def __init__(
        self,
        kind: str,
        initiator: str,
        counterparts: list[str],
        occurred_at: datetime,
        note: str | None,
        source: str,
        source_ref: str,
        personalized: bool,
        giver: str | None,
        duration_seconds: int | None,
    ) -> None:
        self.kind = kind
        self.initiator = initiator
        self.counterparts = counterparts
        self.occurred_at = occurred_at
        self.note = note
        self.source = source
        self.source_ref = source_ref
        self.personalized = personalized
        self.giver = giver
        self.duration_seconds = duration_seconds
        self.retracted_reason: str | None = None

    def retract(self, reason: str) -> None:
        self.trigger_event(self.Retracted, reason=reason)


OWNER_ID = uuid5(NAMESPACE_URL, "https://ledger.invalid/owner")
"""The one owner aggregate of a ledger: a fixed id, so two declarations collide."""


class Owner(Aggregate):
    """Whose ledger this is: the "me" of the insights."""

    class Declared(Aggregate.Created):
        class_version = 1
        key: str

    class Changed(Aggregate.Event):
        class_version = 1
        key: str

        def apply(self, aggregate: Any) -> None:
            aggregate.key = self.key

    def __init__(self, key: str) -> None:
        self.key = key

    def change(self, key: str) -> None:
        self.trigger_event(self.Changed, key=key)


class Snooze(Aggregate):
    """Silence the reminders for one pair from ``since`` until ``until``."""

    class Set(Aggregate.Created):
        class_version = 1
        a: str
        b: str
        since: datetime
        until: datetime
        reason: str | None

    def __init__(
        self, a: str, b: str, since: datetime, until: datetime, reason: str | None
    ) -> None:
        self.a, self.b = a, b
        self.since, self.until = since, until
        self.reason = reason


def new_snooze(a: str, b: str, since: datetime, until: datetime, reason: str | None) -> Snooze:
    """A new snooze aggregate (random id: every snooze is a new fact)."""
    x, y = sorted((a, b))
    return Snooze._create(Snooze.Set, id=uuid4(), a=x, b=y, since=since, until=until, reason=reason)


def new_owner(key: str) -> Owner:
    return Owner._create(Owner.Declared, id=OWNER_ID, key=key)


def topic_of(cls: type[Any]) -> str:
    return get_topic(cls)


def _register_old_topics() -> None:
    """Events stored before the package was laid out in layers keep decoding."""
    old = {
        "ledger.domain": (Person, Touchpoint),
        "ledger.insights._facts": (Owner, Snooze),
        # the layered layout's first days, before the current format's classes
        "ledger.facts.events": (Person, Touchpoint, Owner, Snooze),
    }
    for module, classes in old.items():
        for cls in classes:
            for member in (cls, *(v for v in vars(cls).values() if isinstance(v, type))):
                name = member.__qualname__
                register_topic(f"{module}:{name}", member)


_register_old_topics()
