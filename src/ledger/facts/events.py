"""The facts, as eventsourcing aggregates: what the ledger stores, and nothing else.

Every fact is a stored event of one of these aggregates. They are eventsourcing's own
classes (its ``Mapper`` rebuilds events with ``vars()``, which slotted attrs classes do
not support; its classes bring ``class_version`` and upcasting). attrs is used for
everything that is not stored.

**Batches.** A ledger holds millions of touchpoints, and a stored event per touchpoint
costs some 500 bytes of row, topic and index in the database. So touchpoints are stored
as *batches*: one :class:`Touches` aggregate per chunk of an import (or per
``ledger log``), whose one event holds the chunk column by column. People and their
attribute changes are batched the same way. Each touchpoint inside a batch keeps its
own identity (:attr:`Touches.Recorded.ids`), by which it is deduplicated and retracted.

**Personal data is sealed.** Everything that says who someone is (their key, name,
identifiers, attributes) is stored only inside :class:`People` and :class:`Attributes`
events, encrypted under that person's own key (AES-GCM, see :mod:`ledger.store.seal`);
touchpoints name people by their opaque person id. A touchpoint's note is sealed under
the keys of all its participants together. Destroying one person's key
(``ledger forget``) makes all of it unreadable, while the events, and the hash chain
over them, stay exactly as they were.

**Versions.** Every event class states ``class_version``; golden payloads of every
version live in ``tests/golden/`` and are only ever added to. The first format of the
facts (one aggregate per touchpoint, personal data in plain text) is kept readable in
:mod:`ledger.facts.legacy`.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate

from ledger.facts._stored import checked_columns

__all__ = [
    "SETTINGS_ID",
    "Attributes",
    "Erasures",
    "Identities",
    "Merges",
    "People",
    "Retractions",
    "Settings",
    "Snoozes",
    "Touches",
    "Unmerges",
    "new_id",
]

SETTINGS_ID = uuid5(NAMESPACE_URL, "https://ledger.invalid/settings")
"""The one settings aggregate of a ledger: a fixed id, so two first settings collide."""


def new_id() -> UUID:
    """A new aggregate id (batches are new facts each time: never derived)."""
    return uuid4()


class People(Aggregate):
    """People registered together."""

    class Registered(Aggregate.Created):
        """``people``: ``[person id (32 hex digits), sealed card]`` for each person; the
        card holds ``key``, ``name``, ``identifiers`` (``[kind, value]`` pairs) and
        the ``attributes`` given at registration (in force for all time)."""

        class_version = 1
        people: list[list[str]]

    def __init__(self, people: list[list[str]]) -> None:
        self.people = people


class Attributes(Aggregate):
    """Attribute changes recorded together."""

    class Changed(Aggregate.Created):
        """``changes``: ``[fact id, person id, effective time (µs), sealed changes]``
        each; the sealed changes map attribute names to their new values (``None``
        clears one). The fact id makes recording the same change twice a no-op."""

        class_version = 1
        changes: list[list[Any]]

    def __init__(self, changes: list[list[Any]]) -> None:
        self.changes = changes


class Touches(Aggregate):
    """Touchpoints recorded together, stored column by column.

    Row ``i`` is one touchpoint: ``ids[32 i : 32 i + 32]`` its id, ``t[i]`` when it
    happened (µs since the epoch, UTC), ``kinds[kind[i]]`` its kind,
    ``sources[source[i]]`` its source, ``size[i]`` how many people took part, whose
    indexes into ``people`` follow each other in ``who`` (the initiator first),
    ``flags[i]`` a bit set (:data:`PERSONALIZED`, :data:`COUNTERPARTS_GAVE`,
    :data:`SYMMETRIC`), ``duration[i]`` seconds or ``None``; ``notes`` holds
    ``[i, sealed note]`` for the rows that have one.
    """

    PERSONALIZED = 1
    COUNTERPARTS_GAVE = 2
    SYMMETRIC = 4

    class Recorded(Aggregate.Created):
        class_version = 1
        people: list[str]
        kinds: list[str]
        sources: list[str]
        ids: str
        t: list[int]
        kind: list[int]
        source: list[int]
        size: list[int]
        who: list[int]
        flags: list[int]
        duration: list[int | None]
        notes: list[list[Any]]

    def __init__(self, **columns: Any) -> None:
        self.__dict__.update(columns)

    @staticmethod
    def check(columns: dict[str, Any]) -> dict[str, Any]:
        """The integer columns of a stored batch, or ``ValueError`` naming what cannot
        be folded (an edited or foreign event is reported, never folded into nonsense):
        :func:`ledger.facts._stored.checked_columns`."""
        return checked_columns(columns)


class Identities(Aggregate):
    """Identifiers given to people already registered (a second e-mail, a phone)."""

    class Added(Aggregate.Created):
        """``people``: ``[person id, sealed identifiers]`` each; the sealed part is a
        JSON list of ``[kind, value]`` pairs, normalised (:mod:`ledger.facts.identifiers`)."""

        class_version = 1
        people: list[list[str]]

    def __init__(self, people: list[list[str]]) -> None:
        self.people = people


class Merges(Aggregate):
    """Two people recorded as one human: ``other`` is ``into`` from now on, for every
    time asked about (their histories are one). A fact, so undoable: :class:`Unmerges`."""

    class Recorded(Aggregate.Created):
        class_version = 1
        into: str
        other: str
        reason: str

    def __init__(self, into: str, other: str, reason: str) -> None:
        self.into, self.other, self.reason = into, other, reason


class Unmerges(Aggregate):
    """A merge undone: the two are two people again, as if it had never been."""

    class Recorded(Aggregate.Created):
        class_version = 1
        merge: str
        reason: str

    def __init__(self, merge: str, reason: str) -> None:
        self.merge, self.reason = merge, reason


class Erasures(Aggregate):
    """A person forgotten: their key was destroyed with this fact, so nothing they were
    is readable any more; the fact itself names them only by their opaque id."""

    class Recorded(Aggregate.Created):
        class_version = 1
        person: str
        reason: str

    def __init__(self, person: str, reason: str) -> None:
        self.person, self.reason = person, reason


class Retractions(Aggregate):
    """Touchpoints withdrawn together, with why (the log keeps them). The reason is
    sealed under the keys of the touchpoints' participants, like a note."""

    class Recorded(Aggregate.Created):
        class_version = 1
        touch_ids: list[str]
        reason: str

    def __init__(self, touch_ids: list[str], reason: str) -> None:
        self.touch_ids = touch_ids
        self.reason = reason


class Settings(Aggregate):
    """The ledger's settings: the decay model, the time zone, the owner.

    ``changes`` maps a setting to its new value: ``half_life_days`` (float),
    ``weights`` (kind to float, merged into the weights in force), ``timezone`` (an
    IANA name), ``owner`` (a person id, or ``None``). ``actor`` says who changed it.
    """

    class Started(Aggregate.Created):
        class_version = 1
        changes: dict[str, Any]
        actor: str | None

    class Changed(Aggregate.Event):
        class_version = 1
        changes: dict[str, Any]
        actor: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.history.append(self.changes)

    def __init__(self, changes: dict[str, Any], actor: str | None) -> None:
        self.history = [changes]

    def change(self, changes: dict[str, Any], actor: str | None) -> None:
        self.trigger_event(self.Changed, changes=changes, actor=actor)


class Snoozes(Aggregate):
    """Reminders about a pair silenced from ``since`` until ``until`` (µs); the pair's
    people by their ids, ``a < b``; the reason sealed under both their keys."""

    class Set(Aggregate.Created):
        class_version = 1
        a: str
        b: str
        since: int
        until: int
        reason: str | None

    def __init__(self, a: str, b: str, since: int, until: int, reason: str | None) -> None:
        self.a, self.b, self.since, self.until, self.reason = a, b, since, until, reason
