"""Decoding stored events fast, for replays: decoding, not folding, bounds a replay.

For our own event classes at their current ``class_version``, with no cipher or
compressor, the state is parsed with orjson once and the two or three datetimes in it
are converted directly, instead of walking every value through the transcoder. The
result is the same domain event the application's mapper builds (tests compare them on
every golden payload). Anything else (another topic, an older version that needs
upcasting, an unexpected encoded value) goes through the mapper.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from eventsourcing.utils import get_topic

from ledger.facts.events import Person, Touchpoint

__all__ = ["decode_event"]

_CLASSES: dict[str, type[Any]] = {
    get_topic(cls): cls
    for cls in (
        Touchpoint.Recorded,
        Touchpoint.Retracted,
        Person.Registered,
        Person.AttributesChanged,
    )
}
_TIMES = ("timestamp", "occurred_at", "effective_at")
_TYPE_MARK = b'"_type_"'


def decode_event(mapper: Any, notification: Any) -> Any:
    """The domain event a stored event (or notification) holds."""
    cls = _CLASSES.get(notification.topic)
    if cls is None or mapper.cipher is not None or mapper.compressor is not None:
        return mapper.to_domain_event(notification)
    state = orjson.loads(notification.state)
    if "class_version" in state:
        return mapper.to_domain_event(notification)  # an upcast is due
    converted = 0
    for name in _TIMES:
        value = state.get(name)
        if type(value) is dict and value.get("_type_") == "datetime_iso":
            state[name] = datetime.fromisoformat(value["_data_"])
            converted += 1
    if notification.state.count(_TYPE_MARK) != converted:
        return mapper.to_domain_event(notification)  # some other encoded value
    state["originator_id"] = notification.originator_id
    state["originator_version"] = notification.originator_version
    event = object.__new__(cls)
    object.__setattr__(event, "__dict__", state)
    return event
