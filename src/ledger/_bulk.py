"""Stored events for many touchpoints at once, without building aggregates.

Creating an eventsourcing aggregate per touchpoint, then mapping its event, caps a
batch near 20k touchpoints a second. A new touchpoint is always exactly one
``Touchpoint.Recorded`` event at version 1, so its stored form can be written
directly: the same topic, the same keys in the same order, the same transcodings.
``tests/test_bulk.py`` checks, over random touchpoints, that these bytes equal what
the mapper makes of the aggregate's event.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from ledger.domain import Touchpoint
from ledger.kinds import Kind
from ledger.transcoder import dumps
from ledger.values import Touch

__all__ = ["can_write_directly", "recorded_event", "reference"]

_EVENT_TOPIC = get_topic(Touchpoint.Recorded)
_AGGREGATE_TOPIC = get_topic(Touchpoint)


def can_write_directly(mapper: Any) -> bool:
    """Direct writing is for plain orjson/JSON storage: no cipher, no compressor."""
    return mapper.cipher is None and mapper.compressor is None


def reference(touch: Touch) -> str:
    """The touch's source reference; a fresh random one when it has none."""
    return str(touch.source_ref) if touch.source_ref is not None else uuid.uuid4().hex


def recorded_event(touch: Touch, ref: str, identity: UUID, timestamp: datetime) -> StoredEvent:
    """The stored ``Touchpoint.Recorded`` event of ``touch``, whose reference is ``ref``
    and aggregate id ``identity`` (``touchpoint_id(touch.source, ref)``)."""
    giver = touch.giver or ("initiator" if touch.kind is Kind.FAVOR else None)
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": timestamp.isoformat()},
        "originator_topic": _AGGREGATE_TOPIC,
        "kind": touch.kind.value,
        "initiator": touch.initiator,
        "counterparts": list(touch.counterparts),
        "occurred_at": {"_type_": "datetime_iso", "_data_": touch.occurred_at.isoformat()},
        "note": touch.note,
        "source": touch.source,
        "source_ref": ref,
        "personalized": bool(touch.personalized),
        "giver": giver,
        "duration_seconds": touch.duration_seconds,
    }
    return StoredEvent(
        originator_id=identity,
        originator_version=1,
        topic=_EVENT_TOPIC,
        state=dumps(state),
    )
