"""The VEVENTs of a calendar file: which are events, which are sound, which version counts.

Set aside before expansion, each counted as one row:

* iTIP messages that are not events (a VCALENDAR with ``METHOD:REPLY``, ``COUNTER``,
  ``REFRESH``, ``DECLINECOUNTER`` or ``CANCEL``; a CANCEL also cancels the event it
  names, when its SEQUENCE is not older than the event's);
* earlier and repeated versions of one event (same UID and RECURRENCE-ID): the one
  with the highest SEQUENCE, then the latest DTSTAMP, then the last in the file counts;
* events with a fatal defect (no DTSTART, an unreadable or non-ASCII time, an unknown
  TZID, DTEND before DTSTART): an error naming the event's line, or with
  ``skip_invalid`` skipped and counted; the rest of the file is read either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs

from ledger.errors import quote
from ledger.sources._ics_text import Scanned
from ledger.sources._summary import Tally

__all__ = ["Event", "cancelled", "events", "sound"]

_REPLIES = ("REPLY", "COUNTER", "REFRESH", "DECLINECOUNTER", "CANCEL")
_TIMES = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "RRULE", "RDATE", "EXDATE")
_EARLIEST = datetime.min.isoformat()


@attrs.frozen
class Event:
    """One VEVENT with the line it begins on and the calendar it belongs to."""

    component: Any
    line: int
    calendar: int  # index of its VCALENDAR in the file
    method: str
    lines: dict[str, int] = attrs.field(factory=dict)  # time property -> its line

    def line_of(self, prop: str) -> int:
        return self.lines.get(prop.upper(), self.line)

    @property
    def uid(self) -> str:
        return str(self.component.get("UID", "")).strip()

    @property
    def rid(self) -> str:
        value = self.component.get("RECURRENCE-ID")
        return "" if value is None else _iso(value.dt)

    @property
    def sequence(self) -> int:
        text = str(self.component.get("SEQUENCE", "0")).strip()
        return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0


def events(calendars: Sequence[Any], scanned: Scanned) -> list[Event]:
    """Every VEVENT directly inside a VCALENDAR, in file order, with its line."""
    found = []
    for index, calendar in enumerate(calendars):
        method = str(calendar.get("METHOD", "")).strip().upper()
        for component in calendar.subcomponents:
            if component.name == "VEVENT":
                found.append(Event(component, 0, index, method))
    if len(scanned.begins) != len(found):  # the scan and icalendar disagree: no lines
        return found
    return [
        attrs.evolve(event, line=line, lines=scanned.lines.get(index, {}))
        for index, (event, line) in enumerate(zip(found, scanned.begins, strict=True))
    ]


def sound(path: str | Path, found: Sequence[Event], scanned: Scanned, tally: Tally) -> list[Event]:
    """The events to expand: no iTIP replies, no defects, one version of each. Each
    event set aside is a row read and skipped."""
    kept: dict[tuple[str, str], Event] = {}
    for index, event in enumerate(found):
        if event.method in _REPLIES:
            tally.rows_read += 1
            tally.ignorable(f"iTIP METHOD:{event.method} message, not an event")
            continue
        defect = scanned.defects.get(index) or _defect(event)
        if defect is not None:
            tally.rows_read += 1
            tally.invalid(path, defect[0], defect[1])
            continue
        identity = (event.uid, event.rid) if event.uid else (f"#{index}", "")
        other = kept.get(identity)
        if other is not None:
            tally.rows_read += 1
            tally.ignorable("an earlier or repeated version of an event (same UID)")
            if _version(other) > _version(event):
                continue
        kept[identity] = event
    return sorted(kept.values(), key=lambda e: e.line)


def cancelled(found: Sequence[Event]) -> dict[tuple[str, str], int]:
    """``(uid, recurrence id or "") -> SEQUENCE`` of every METHOD:CANCEL in the file."""
    cancels: dict[tuple[str, str], int] = {}
    for event in found:
        if event.method != "CANCEL":
            continue
        uids = event.component.get("UID")
        for uid in uids if isinstance(uids, list) else [uids]:
            identity = (str(uid).strip(), event.rid)
            cancels[identity] = max(cancels.get(identity, 0), event.sequence)
    return cancels


def _version(event: Event) -> tuple[int, str]:
    stamp = event.component.get("DTSTAMP")
    return event.sequence, _iso(stamp.dt) if stamp is not None else _EARLIEST


def _defect(event: Event) -> tuple[int, str] | None:
    component = event.component
    for prop, message in getattr(component, "errors", ()):
        if str(prop).upper() in _TIMES:
            return event.line_of(str(prop)), f"unreadable {prop} ({quote(message)})"
    if "DTSTART" not in component:
        return event.line, "event without DTSTART"
    for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        value = component.get(prop)
        moment = getattr(value, "dt", None)
        if value is None:
            continue
        if not isinstance(moment, date):
            return event.line_of(prop), f"unreadable {prop} ({quote(str(moment))})"
        zone_id = value.params.get("TZID")
        if isinstance(moment, datetime) and moment.tzinfo is None and zone_id:
            reason = f"{prop} names an unknown time zone (TZID={quote(zone_id)})"
            return event.line_of(prop), reason
    return _order(event)


def _order(event: Event) -> tuple[int, str] | None:
    start = event.component.get("DTSTART").dt
    end = getattr(event.component.get("DTEND"), "dt", None)
    if end is None or isinstance(start, datetime) != isinstance(end, datetime):
        return None
    try:
        backwards = end < start
    except TypeError:  # one floating, one with a zone: no order to check
        return None
    return (event.line_of("DTEND"), "DTEND is before DTSTART") if backwards else None


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
