"""A stored batch of touchpoints read back from its bytes, for those who need its
columns without a domain event: the views (fast replays) and the recorder (finding who
took part in a touchpoint it retracts)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from ledger.facts.events import Touches
from ledger.store._read import read_events

__all__ = ["TOUCHES_TOPIC", "batch_columns", "checked_batch", "columns_of", "participants"]

TOUCHES_TOPIC = get_topic(Touches.Recorded)


def columns_of(mapper: Any, state: bytes) -> dict[str, Any]:
    """The checked columns of a stored ``Touches.Recorded`` state."""
    return checked_batch(mapper, state)[0]


def checked_batch(mapper: Any, state: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """The columns of a stored ``Touches.Recorded`` state (decrypted and decompressed
    as eventsourcing's mapper would; parsed once by orjson, without a walk of every
    value through the transcoder) and its integer columns as checked arrays; or
    ``ValueError`` naming what in it cannot be folded."""
    data = state
    if mapper.cipher is not None:
        data = mapper.cipher.decrypt(data)
    if mapper.compressor is not None:
        data = mapper.compressor.decompress(data)
    s: dict[str, Any] = orjson.loads(data)
    if "class_version" in s:  # an upcast is due: let the mapper do it
        s = vars(mapper.to_domain_event(StoredEvent(UUID(int=0), 1, TOUCHES_TOPIC, state)))
    return s, Touches.check(s)


def batch_columns(store: Any, c: Any, nid: int) -> dict[str, Any] | None:
    """The columns of the batch stored at notification ``nid`` (None: not a batch)."""
    page = read_events(store.storage, c, nid - 1, nid, 1)
    if not page or page[0][3] != TOUCHES_TOPIC:
        return None
    return columns_of(store.app.mapper, page[0][4])


def participants(columns: dict[str, Any], row: int) -> list[str]:
    """The person ids (hex) who took part in row ``row`` of a batch, initiator first."""
    start = sum(columns["size"][:row])
    return [columns["people"][i] for i in columns["who"][start : start + columns["size"][row]]]
