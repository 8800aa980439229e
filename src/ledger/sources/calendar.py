"""iCalendar files (``.ics``): events with attendees as meetings or video calls.

Each occurrence of an event inside the window ``[since, until)`` (recurring events are
expanded with ``recurring-ical-events``; default window: from the first event to now,
so future occurrences are not recorded as if they had happened) becomes one touchpoint
from the owner (``me``, an e-mail address) to every other attendee who did not decline.
Its kind is ``video_call`` when the event carries a conference link (Google Meet, Zoom,
Teams, Webex, a ``CONFERENCE`` property), otherwise ``meeting``; its duration is
DTEND - DTSTART, its note the SUMMARY.

Skipped and counted: cancelled occurrences, occurrences the owner declined, events with
nobody besides the owner (rooms, resources and group calendars are not people).

People are keyed by their lower-cased e-mail address; the attendee's CN becomes the
name of a person first seen here. Identity: ``source`` defaults to the file name; an
occurrence's ref is ``UID/START`` (+ ``#n`` among identical ones), so re-importing the
same or an updated export adds only new occurrences.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import Any

import attrs
import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from ledger.api import Ledger
from ledger.facts.kinds import Kind
from ledger.facts.values import Touch
from ledger.sources._rows import ImportFileError, Progress, read_text
from ledger.sources._summary import ImportSummary, Tally, write_touches
from ledger.sources._times import zone
from ledger.sources.edges import default_source

__all__ = ["import_ics"]

_CONFERENCE = re.compile(
    r"meet\.google\.com|zoom\.us|teams\.microsoft\.com|teams\.live\.com|webex\.com|"
    r"whereby\.com|jitsi|gotomeeting|gotowebinar",
    re.IGNORECASE,
)
_NOT_PEOPLE = ("group.calendar.google.com", "resource.calendar.google.com")


@attrs.frozen
class _Occurrence:
    touch: Touch | None
    skip: str | None = None
    names: tuple[tuple[str, str], ...] = ()


def import_ics(
    book: Ledger,
    path: str | Path,
    *,
    me: str,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    source: str | None = None,
    timezone: str = "UTC",
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import the calendar's meetings of ``me``; all of them or, on an error, none."""
    owner = _address(me)
    if "@" not in owner:
        raise ImportFileError(path, 0, f"--me must be an e-mail address, got {me!r}")
    text = read_text(path)
    calendar = _parse(path, text)
    _check_times(path, text, calendar)
    tz = zone(timezone)
    start, end = _window(calendar, since, until, tz)
    source = source or default_source(path)
    tally = Tally(skip_invalid)
    touches: list[Touch] = []
    names: dict[str, str] = {}
    refs: Counter[str] = Counter()
    for event in _occurrences(path, text, calendar, start, end):
        tally.rows_read += 1
        found = _occurrence(event, owner, source, tz, refs)
        if found.skip is not None:
            tally.ignorable(found.skip)
        elif found.touch is not None:
            touches.append(found.touch)
            names.update(found.names)
    # named people first (add_person is a no-op for people already known)
    named = sum(book.add_person(key, name) for key, name in sorted(names.items()))
    summary = write_touches(book, touches, tally, source, progress)
    return attrs.evolve(summary, people_added=summary.people_added + named)


def _parse(path: str | Path, text: str) -> Any:
    try:
        return icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError) as error:
        raise ImportFileError(
            path, _line_of(text, str(error)), f"unreadable iCalendar: {error}"
        ) from None


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if needle and needle.strip("'\" ") in line:
            return number
    return 1


def _window(
    calendar: Any, since: datetime | str | None, until: datetime | str | None, tz: tzinfo
) -> tuple[datetime, datetime]:
    end = _moment(until, tz) if until is not None else datetime.now(UTC)
    if since is not None:
        return _moment(since, tz), end
    starts = [_moment(e.decoded("DTSTART"), tz) for e in calendar.walk("VEVENT") if "DTSTART" in e]
    return (min(starts) if starts else end), end


def _check_times(path: str | Path, text: str, calendar: Any) -> None:
    """Every event's DTSTART/DTEND must be readable: a damaged one names its line."""
    for event in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            if name not in event:
                continue
            try:
                _moment(event.decoded(name), UTC)  # icalendar hands back bad values as text
            except (ValueError, TypeError) as error:
                line = _line_of(text, f"{name}:{event.get(name)}")
                raise ImportFileError(path, line, f"unreadable {name}: {error}") from None


def _moment(value: Any, tz: tzinfo) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tz)
    raise ValueError(f"not a time: {value!r}")


def _occurrences(
    path: str | Path, text: str, calendar: Any, start: datetime, end: datetime
) -> Iterator[Any]:
    try:
        yield from recurring_ical_events.of(calendar).between(start, end)
    except (ValueError, TypeError, KeyError) as error:
        raise ImportFileError(
            path, _line_of(text, str(error)), f"cannot expand events: {error}"
        ) from None


def _occurrence(event: Any, owner: str, source: str, tz: tzinfo, refs: Counter[str]) -> _Occurrence:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return _Occurrence(None, "cancelled event")
    attendees = [a for a in _as_list(event.get("ATTENDEE")) if _is_person(a)]
    if any(
        _address(a) == owner and str(a.params.get("PARTSTAT", "")).upper() == "DECLINED"
        for a in attendees
    ):
        return _Occurrence(None, "declined by the owner")
    others = {
        _address(a): str(a.params.get("CN", "")).strip()
        for a in attendees
        if _address(a) != owner and str(a.params.get("PARTSTAT", "")).upper() != "DECLINED"
    }
    if not others:
        return _Occurrence(None, "no attendee besides the owner")
    began = _moment(event.decoded("DTSTART"), tz)
    ended = _moment(event.decoded("DTEND"), tz) if "DTEND" in event else began
    base = f"{event.get('UID', '')}/{began.astimezone(UTC).isoformat()}"
    refs[base] += 1
    touch = Touch(
        Kind.VIDEO_CALL if _has_conference(event) else Kind.MEETING,
        owner,
        tuple(sorted(others)),
        began,
        str(event.get("SUMMARY", "")).strip() or None,
        source,
        f"{base}#{refs[base]}",
        duration_seconds=max(0, int((ended - began).total_seconds())),
    )
    return _Occurrence(touch, names=tuple((k, n) for k, n in others.items() if n and n != k))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _address(value: Any) -> str:
    text = str(value).strip()
    return text[7:].lower() if text.lower().startswith("mailto:") else text.lower()


def _is_person(attendee: Any) -> bool:
    kind = str(getattr(attendee, "params", {}).get("CUTYPE", "INDIVIDUAL")).upper()
    address = _address(attendee)
    return kind == "INDIVIDUAL" and "@" in address and not address.endswith(_NOT_PEOPLE)


def _has_conference(event: Any) -> bool:
    if any(key in event for key in ("CONFERENCE", "X-GOOGLE-CONFERENCE")):
        return True
    text = " ".join(str(event.get(key, "")) for key in ("LOCATION", "URL", "DESCRIPTION"))
    return bool(_CONFERENCE.search(text))
