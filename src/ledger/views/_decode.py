"""What a round of stored events says, in the form the views are written from.

A batch of touchpoints is read straight from its stored bytes (decrypted and
decompressed as the mapper would, then parsed once by orjson into columns): no domain
event object, no walk of 50,000 values through the transcoder. Every other event goes
through the application's mapper, as eventsourcing would. Sealed personal data is
opened with the people's keys from the store.

An event that cannot be decoded (written by another program, edited in the database)
does not stop the views: it is skipped and reported by position (``undecodable``), and
``ledger audit`` names it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import attrs
import numpy as np
import orjson
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from numpy.typing import NDArray

from ledger.facts.events import (
    Attributes,
    Erasures,
    Identities,
    Merges,
    People,
    Retractions,
    Settings,
    Snoozes,
    Unmerges,
)
from ledger.facts.kinds import Kind
from ledger.facts.time import to_micros
from ledger.projections import KIND_CODE
from ledger.store import RawEvent, Store
from ledger.store._batches import TOUCHES_TOPIC, checked_batch
from ledger.store.seal import SealError, unseal

__all__ = ["Batch", "Card", "Round", "decode"]

_TOUCHES = TOUCHES_TOPIC
_KNOWN = {
    get_topic(People.Registered): "people",
    get_topic(Attributes.Changed): "attributes",
    get_topic(Retractions.Recorded): "retractions",
    get_topic(Settings.Started): "settings",
    get_topic(Settings.Changed): "settings",
    get_topic(Snoozes.Set): "snooze",
    get_topic(Erasures.Recorded): "erasure",
    get_topic(Identities.Added): "identities",
    get_topic(Merges.Recorded): "merge",
    get_topic(Unmerges.Recorded): "unmerge",
}
TOUCH_TOPICS = frozenset({_TOUCHES, get_topic(Retractions.Recorded)})
"""What a rebuild's second pass replays (the first replays everything else)."""


@attrs.frozen
class Card:
    """A person as registered: id (16 bytes), key, name, attributes for all time, and
    identifiers (``[kind, value]`` pairs, the key first)."""

    id: bytes
    key: str
    name: str
    attributes: dict[str, Any]
    identifiers: list[tuple[str, str]] = attrs.Factory(list)


@attrs.frozen(eq=False)
class Batch:
    """One stored batch of touchpoints, as columns."""

    nid: int
    people: list[bytes]
    ids: str
    t: NDArray[np.int64]
    kind: NDArray[np.int8]
    size: NDArray[np.int64]
    who: NDArray[np.int64]
    flags: NDArray[np.int64]
    duration: NDArray[np.int64]
    notes: list[list[Any]]
    sources: list[str]
    source: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.t)


@attrs.define
class Round:
    """The facts of one round of events, in log order within each list."""

    people: list[Card] = attrs.Factory(list)
    changes: list[tuple[bytes, int, int, dict[str, Any]]] = attrs.Factory(list)
    batches: list[Batch] = attrs.Factory(list)
    retractions: list[tuple[int, list[str], str]] = attrs.Factory(list)
    settings: list[dict[str, Any]] = attrs.Factory(list)
    snoozes: list[tuple[int, bytes, bytes, int, int, str | None]] = attrs.Factory(list)
    erasures: int = 0
    identified: list[tuple[bytes, list[tuple[str, str]]]] = attrs.Factory(list)
    merges: list[tuple[int, bytes, bytes, bytes, int]] = attrs.Factory(list)
    """``(notification id, merge id, into, other, when recorded)``."""
    unmerges: list[bytes] = attrs.Factory(list)
    undecodable: list[tuple[int, str]] = attrs.Factory(list)
    count: int = 0
    touches: int = 0


def decode(
    store: Store, c: Any, events: Sequence[RawEvent], into: Round, only: str | None = None
) -> None:
    """Add the facts of ``events`` to ``into``; ``c``: a cursor of the same database
    (the people's keys are read with it). ``only="touches"`` keeps the touchpoints and
    retractions, ``only="facts"`` everything else (a rebuild's two passes)."""
    mapper = store.app.mapper
    sealed: list[tuple[int, list[list[Any]], str]] = []
    for nid, originator, version, topic, state in events:
        into.count += 1
        if only is not None and (topic in TOUCH_TOPICS) != (only == "touches"):
            continue
        try:
            if topic == _TOUCHES:
                batch = _touches(mapper, nid, state)
                into.batches.append(batch)
                into.touches += len(batch)
                continue
            kind = _KNOWN.get(topic)
            event: Any = mapper.to_domain_event(
                StoredEvent(UUID(originator), version, topic, state)
            )
        except Exception as error:  # any failure to decode is reported, never fatal
            into.undecodable.append((nid, f"{topic}: {type(error).__name__}: {error}"))
            continue
        if kind == "people":
            sealed.append((nid, event.people, "cards"))
        elif kind == "identities":
            sealed.append((nid, event.people, "identities"))
        else:
            _add_fact(store, c, nid, topic, kind, event, into)
    for nid, people, what in sealed:
        if what == "cards":
            into.people.extend(_cards(store, c, nid, people, into))
        else:
            into.identified.extend(_identified(store, c, nid, people, into))


def _add_fact(
    store: Store, c: Any, nid: int, topic: str, kind: str | None, event: Any, into: Round
) -> None:
    """Add one decoded fact other than a touchpoint batch or people's cards to ``into``."""
    if kind == "attributes":
        into.changes.extend(_changes_of(store, c, nid, event.changes, into))
    elif kind == "retractions":
        into.retractions.append((nid, list(event.touch_ids), str(event.reason)))
    elif kind == "settings":
        into.settings.append(dict(event.changes))
    elif kind == "erasure":
        into.erasures += 1
    elif kind == "merge":
        merge_id, at = event.originator_id.bytes, to_micros(event.timestamp)
        into.merges.append(
            (nid, merge_id, bytes.fromhex(event.into), bytes.fromhex(event.other), at)
        )
    elif kind == "unmerge":
        into.unmerges.append(bytes.fromhex(event.merge))
    elif kind == "snooze":
        a, b = bytes.fromhex(event.a), bytes.fromhex(event.b)
        into.snoozes.append((nid, a, b, int(event.since), int(event.until), event.reason))
    else:
        into.undecodable.append((nid, f"{topic}: not a fact of this ledger"))


def _touches(mapper: Any, nid: int, state: bytes) -> Batch:
    s, checked = checked_batch(mapper, state)
    codes = np.array([KIND_CODE[Kind(name)] for name in s["kinds"]], dtype=np.int8)
    return Batch(
        nid=nid,
        people=[bytes.fromhex(p) for p in s["people"]],
        ids=s["ids"],
        t=checked["t"],
        kind=codes[checked["kind"]] if len(checked["kind"]) else np.zeros(0, np.int8),
        size=checked["size"],
        who=checked["who"],
        flags=checked["flags"],
        duration=checked["duration"],
        notes=s["notes"],
        sources=s["sources"],
        source=checked["source"],
    )


def _keys(store: Store, c: Any, people: list[bytes]) -> dict[bytes, bytes]:
    return store.keys_of(c, people)


def _cards(store: Store, c: Any, nid: int, people: list[list[Any]], into: Round) -> list[Card]:
    ids = [bytes.fromhex(person) for person, _ in people]
    keys = _keys(store, c, ids)
    cards = []
    for person, (_, sealed) in zip(ids, people, strict=True):
        key = keys.get(person)
        if key is None:
            continue  # forgotten: their key was destroyed, and with it who they were
        try:
            card = orjson.loads(unseal(key, sealed, person))
        except (SealError, orjson.JSONDecodeError):
            into.undecodable.append((nid, f"person {person.hex()}: the sealed card does not open"))
            continue
        pairs = [(str(k), str(v)) for k, v in card.get("identifiers", [["key", card["key"]]])]
        cards.append(
            Card(person, card["key"], card["name"], dict(card.get("attributes", {})), pairs)
        )
    return cards


def _identified(
    store: Store, c: Any, nid: int, people: list[list[Any]], into: Round
) -> list[tuple[bytes, list[tuple[str, str]]]]:
    ids = [bytes.fromhex(person) for person, _ in people]
    keys = _keys(store, c, ids)
    found = []
    for person, (_, sealed) in zip(ids, people, strict=True):
        key = keys.get(person)
        if key is None:
            continue
        try:
            pairs = orjson.loads(unseal(key, sealed, person))
        except (SealError, orjson.JSONDecodeError):
            into.undecodable.append((nid, f"person {person.hex()}: sealed identifiers do not open"))
            continue
        found.append((person, [(str(k), str(v)) for k, v in pairs]))
    return found


def _changes_of(
    store: Store, c: Any, nid: int, changes: list[list[Any]], into: Round
) -> list[tuple[bytes, int, int, dict[str, Any]]]:
    ids = list({bytes.fromhex(person) for _, person, _, _ in changes})
    keys = _keys(store, c, ids)
    found = []
    for index, (_, person, effective, sealed) in enumerate(changes):
        raw = bytes.fromhex(person)
        key = keys.get(raw)
        if key is None:
            continue
        try:
            values = orjson.loads(unseal(key, sealed, raw))
        except (SealError, orjson.JSONDecodeError):
            into.undecodable.append((nid, f"person {person}: a sealed change does not open"))
            continue
        found.append((raw, int(effective), (nid << 20) | index, values))
    return found
