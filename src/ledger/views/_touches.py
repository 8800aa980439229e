"""Touchpoints as people read them (timelines, ``ledger show``): who, what, when.

Most of a touchpoint is in its pair rows already (kind, time, who reached out,
duration, source). Who else took part in a group touch, and a note, are only in the
stored batch: those batches are read and decoded, a few kept per ledger object.
A note opens with the keys of all its participants (:func:`ledger.store.seal.note_key`).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from ledger.facts.events import Touches
from ledger.facts.time import from_micros
from ledger.projections import CO, KINDS
from ledger.store import read_events
from ledger.store.seal import SealError, note_key, unseal
from ledger.views import _queries
from ledger.views._decode import Batch, Round, decode
from ledger.views._rows import Columns, unpack
from ledger.views._schema import Views
from ledger.views._writes import numbers_of
from ledger.views.results import TouchpointView

__all__ = ["BatchCache", "touchpoints"]

_KEEP = 8


class BatchCache:
    """The last few decoded batches (a ledger object's own)."""

    def __init__(self) -> None:
        self._batches: OrderedDict[int, Batch] = OrderedDict()

    def get(self, views: Views, c: Any, nid: int) -> Batch | None:
        if nid in self._batches:
            self._batches.move_to_end(nid)
            return self._batches[nid]
        found = Round()
        decode(views.store, c, read_events(views.store.storage, c, nid - 1, nid, 1), found)
        if not found.batches:
            return None
        self._batches[nid] = found.batches[0]
        while len(self._batches) > _KEEP:
            self._batches.popitem(last=False)
        return found.batches[0]


def touchpoints(views: Views, c: Any, rows: Columns, cache: BatchCache) -> list[TouchpointView]:
    """One view per distinct touch of ``rows`` (pair rows), in time order."""
    if not len(rows["t"]):
        return []
    _, first = np.unique(rows["touch"], return_index=True)
    order = np.lexsort((rows["touch"][first], rows["t"][first]))
    picked = first[order]
    touches = rows["touch"][picked].tolist()
    flags = unpack(rows["flags"][picked])
    ids = views.store.tables.ids_at(c, touches)
    reasons = _queries.retracted(views, c, touches)
    sources = _queries.source_names(views, c)
    pairs = rows["pair"][picked].tolist()
    people = _queries.people(views, c, [n for p in pairs for n in (p >> 32, p & 0xFFFFFFFF)])
    found = []
    for i, touch in enumerate(touches):
        fields = _from_row(rows, int(picked[i]), flags, i, people)
        # Who took part beyond the pair, a note, or who came first in a touch nobody
        # initiated (the pair's row cannot say): from the stored batch.
        if int(rows["size"][picked[i]]) > 2 or flags["noted"][i] or fields["symmetric"]:
            fields.update(_from_batch(views, c, cache, touch))
        found.append(
            TouchpointView(
                touchpoint_id=ids.get(touch, ""),
                occurred_at=from_micros(int(rows["t"][picked[i]])),
                source=sources.get(int(rows["source"][picked[i]]), ""),
                duration_seconds=_duration(int(rows["duration"][picked[i]])),
                retracted_reason=reasons.get(touch),
                **fields,
            )
        )
    return found


def _duration(value: int) -> int | None:
    return None if value < 0 else value


def _from_row(
    rows: Columns, index: int, flags: Columns, i: int, people: dict[int, Any]
) -> dict[str, Any]:
    pair = int(rows["pair"][index])
    a, b = people[pair >> 32][2], people[pair & 0xFFFFFFFF][2]
    direction = int(flags["direction"][i])
    initiator, other = (b, a) if direction < 0 else (a, b)
    giver = int(flags["giver"][i])
    return {
        "kind": KINDS[int(rows["kind"][index])].value,
        "initiator": initiator,
        "counterparts": (other,),
        "note": None,
        "personalized": bool(flags["personalized"][i]),
        "giver": None if giver == 0 else ("initiator" if giver == direction else "counterparts"),
        "symmetric": int(flags["role"][i]) == CO and direction == 0,
    }


def _from_batch(views: Views, c: Any, cache: BatchCache, touch: int) -> dict[str, Any]:
    """Who took part, and the note, from the touch's stored batch."""
    batch = cache.get(views, c, touch >> 20)
    if batch is None:
        return {}
    row = touch & 0xFFFFF
    start = int(batch.size[:row].sum())
    members = [batch.people[i] for i in batch.who[start : start + int(batch.size[row])].tolist()]
    numbers = numbers_of(views, c, members)
    people = _queries.people(views, c, list(numbers.values()))
    keys = [people[numbers[m]][2] for m in members if m in numbers]  # not the forgotten
    fields: dict[str, Any] = {"symmetric": bool(int(batch.flags[row]) & Touches.SYMMETRIC)}
    if len(keys) >= 2:
        fields["initiator"], fields["counterparts"] = keys[0], tuple(keys[1:])
        if members[0] not in numbers:
            # Its initiator was forgotten: what remains is what the others shared, which
            # nobody initiated (as the pair rows count it, ledger.views._split).
            fields["symmetric"] = True
    note = next((sealed for index, sealed in batch.notes if index == row), None)
    if note is not None:
        fields["note"] = _note(views, c, members, batch.ids[32 * row : 32 * row + 32], note)
    return fields


def _note(views: Views, c: Any, members: list[bytes], touch_id: str, sealed: str) -> str | None:
    if not views.store.may_read_keys(c):
        return None  # a read-only role, refused the keys: notes stay sealed to it
    keys = views.store.keys_of(c, members)
    if len(keys) != len(set(members)):
        return None  # someone who took part was forgotten: the note went with them
    try:
        key = note_key([keys[m] for m in members], touch_id)
        return unseal(key, sealed, bytes.fromhex(touch_id)).decode()
    except (SealError, ValueError):
        return None
