"""iCalendar files (``.ics``): the owner's meetings, one touchpoint per occurrence.

Each occurrence of an event inside the window ``[since, until)`` (recurring events are
expanded with ``recurring-ical-events``; default window: from the first event to now,
so future occurrences are not recorded as if they had happened) becomes ONE
touchpoint among the people who attended (see :mod:`._ics_people` for the rule): the
organizer initiates it when they attended, else the owner (``me``); everyone else who
attended is a counterpart, so co-attendees are in the one touch. Its kind is
``video_call`` when the event carries a conference link (Google Meet, Zoom, Teams,
Webex, a ``CONFERENCE`` property), otherwise ``meeting``; its duration is DTEND -
DTSTART (none for all-day events: a date says which day, not how long people were
together); its note the SUMMARY.

Skipped and counted: cancelled occurrences and events not confirmed
(``STATUS:TENTATIVE``), occurrences the owner did not accept, occurrences nobody else
attended; and, before expansion, what :mod:`._ics_events` sets aside.

People are keyed by their lower-cased e-mail address (``me`` may list several: all
are the owner, keyed by the first); an attendee's CN names a person first seen here.
Floating times are read in ``timezone``, else the calendar's ``X-WR-TIMEZONE``, else
UTC. Identity: ``source`` defaults to ``calendar`` (UIDs are global, so two exports
of one calendar are one source); an occurrence's ref is a digest of its UID, ``@``
its recurrence id (the original start), ``#n`` among identical ones.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import Any

import attrs
import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from ledger.api import Ledger
from ledger.errors import InvalidInputError, quote
from ledger.facts.kinds import Kind
from ledger.facts.time import parse_time
from ledger.facts.values import MAX_DURATION_SECONDS, Touch
from ledger.sources import _write
from ledger.sources._ics_events import Event, cancelled, events, sound
from ledger.sources._ics_people import attendance
from ledger.sources._ics_text import calendars, prepare
from ledger.sources._keys import address
from ledger.sources._refs import digest
from ledger.sources._rows import ImportFileError, Progress, read_text
from ledger.sources._summary import ImportSummary, Tally, summarize
from ledger.sources._times import zone

__all__ = ["CALENDAR_SOURCE", "MAX_OCCURRENCES", "import_ics"]

CALENDAR_SOURCE = "calendar"
MAX_OCCURRENCES = 100_000
"""The most occurrences one event may have in the window (``FREQ=SECONDLY`` ...)."""
# What recurring-ical-events and dateutil raise for a rule they cannot follow.
_EXPANSION_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)
_CONFERENCE = re.compile(
    r"meet\.google\.com|zoom\.us|teams\.microsoft\.com|teams\.live\.com|webex\.com|"
    r"whereby\.com|jitsi|gotomeeting|gotowebinar",
    re.IGNORECASE,
)


@attrs.define
class _Import:
    path: str | Path
    owners: tuple[str, ...]
    source: str
    tz: tzinfo
    tally: Tally
    cancels: dict[tuple[str, str], int]
    touches: list[Touch] = attrs.field(factory=list)
    names: dict[str, str] = attrs.field(factory=dict)
    refs: dict[str, int] = attrs.field(factory=dict)

    @property
    def owner(self) -> str:
        return self.owners[0]


def import_ics(
    book: Ledger,
    path: str | Path,
    *,
    me: str | Sequence[str],
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    source: str | None = None,
    timezone: str | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    allow_forgotten: bool = False,
) -> ImportSummary:
    """Import the owner's meetings from a calendar; all of them or, on an error, none."""
    owners = _owners(path, me)
    tally = Tally(skip_invalid)
    scanned = prepare(path, read_text(path), tally)
    found = calendars(path, scanned)
    listed = events(found, scanned)
    kept = sound(path, listed, scanned, tally)
    tz = zone(timezone) if timezone else _calendar_zone(found)
    state = _Import(path, owners, source or CALENDAR_SOURCE, tz, tally, cancelled(listed))
    start, end = _window(kept, since, until, tz)
    for event, occurrence in _occurrences(state, found, kept, start, end):
        tally.rows_read += 1
        _occurrence(state, event, occurrence)
    people = [_write.Person(key, name or None) for key, name in sorted(state.names.items())]
    written = _write.write(
        book,
        state.touches,
        people=people,
        owner=state.owner,
        progress=progress,
        allow_forgotten=allow_forgotten,
    )
    return summarize(state.source, tally, written, owner=state.owner)


def _owners(path: str | Path, me: str | Sequence[str]) -> tuple[str, ...]:
    given = [me] if isinstance(me, str) else list(me)
    owners: list[str] = []
    for value in given:
        try:
            found = address(value, "me")
        except InvalidInputError:
            found = None
        if found is None:
            raise ImportFileError(path, 0, f"--me must be an e-mail address, got {quote(value)}")
        if found not in owners:
            owners.append(found)
    if not owners:
        raise ImportFileError(path, 0, "--me: give your e-mail address(es) in the calendar")
    return tuple(owners)


def _calendar_zone(found: Sequence[Any]) -> tzinfo:
    """The first calendar's X-WR-TIMEZONE (Google, Apple), else UTC."""
    for calendar in found:
        named = str(calendar.get("X-WR-TIMEZONE", "")).strip()
        if named:
            try:
                return zone(named)
            except InvalidInputError:
                return UTC
    return UTC


def _moment(value: Any, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tz)
    raise InvalidInputError("DTSTART", value, "not a time")


def _bound(value: datetime | str, tz: tzinfo, field: str) -> datetime:
    if isinstance(value, str) and len(value.strip()) == 10:
        value = f"{value.strip()}T00:00:00"
    if isinstance(value, str) and value.isascii():
        with contextlib.suppress(ValueError):  # parse_time names what is wrong
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return parse_time(value, field)


def _window(
    kept: Sequence[Event], since: datetime | str | None, until: datetime | str | None, tz: tzinfo
) -> tuple[datetime, datetime]:
    end = _bound(until, tz, "until") if until is not None else datetime.now(UTC)
    if since is not None:
        return _bound(since, tz, "since"), end
    starts = [_moment(event.component.get("DTSTART").dt, tz) for event in kept]
    return (min(starts) if starts else end), end


def _occurrences(
    state: _Import, found: Sequence[Any], kept: Sequence[Event], start: datetime, end: datetime
) -> Iterator[tuple[Event, Any]]:
    """Each occurrence in the window with the VEVENT it comes from."""
    zones = [[c for c in cal.subcomponents if c.name == "VTIMEZONE"] for cal in found]
    for series in _series(kept):
        try:
            listed = _expand(zones[series[0].calendar], series, start, end, state.tz)
        except (
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            AttributeError,
            OverflowError,
        ) as error:
            reason = f"cannot expand the event's recurrence: {quote(str(error))}"
            for _ in series:
                state.tally.rows_read += 1
                state.tally.invalid(state.path, series[0].line, reason)
            continue
        if not listed:  # counted, never silently dropped: a future or out-of-window event
            for _ in series:
                state.tally.rows_read += 1
                state.tally.ignorable(_OUTSIDE)
            continue
        overrides = {event.rid: event for event in series if event.rid}
        for occurrence in listed:
            rid = occurrence.get("RECURRENCE-ID")
            origin = overrides.get(rid.dt.isoformat() if rid is not None else "", series[0])
            yield origin, occurrence


_OUTSIDE = "no occurrence in the import window (a future event, or outside --since/--until)"


def _series(kept: Sequence[Event]) -> list[list[Event]]:
    """Events grouped as recurring-ical-events needs them: a master and its overrides."""
    groups: dict[tuple[int, str], list[Event]] = {}
    for index, event in enumerate(kept):
        groups.setdefault((event.calendar, event.uid or f"#{index}"), []).append(event)
    return [sorted(group, key=lambda e: (bool(e.rid), e.line)) for group in groups.values()]


def _expand(
    zones: Sequence[Any], series: Sequence[Event], start: datetime, end: datetime, tz: tzinfo
) -> list[Any]:
    """The series' occurrences that start in ``[start, end)``, in a calendar of their
    own with the VTIMEZONEs of theirs: an error names this series, not the file."""
    alone = icalendar.Calendar()
    for component in zones:
        alone.add_component(component)
    for event in series:
        alone.add_component(event.component)
    listed = []
    for occurrence in recurring_ical_events.of(alone).after(start):
        if _moment(occurrence.get("DTSTART").dt, tz) >= end:
            break
        listed.append(occurrence)
        if len(listed) > MAX_OCCURRENCES:
            raise ValueError(f"more than {MAX_OCCURRENCES:,} occurrences in the window")
    return listed


def _occurrence(state: _Import, event: Event, occurrence: Any) -> None:
    tally = state.tally
    status = str(occurrence.get("STATUS", "")).strip().upper()
    if status == "CANCELLED" or _cancelled(state, event, occurrence):
        tally.ignorable("cancelled event")
        return
    if status == "TENTATIVE":
        tally.ignorable("event not confirmed (STATUS:TENTATIVE)")
        return
    try:
        found = _touch(state, event, occurrence)
    except InvalidInputError as error:
        tally.invalid(state.path, event.line, str(error))
        return
    if isinstance(found, str):
        tally.ignorable(found)
    else:
        state.touches.append(found)


def _cancelled(state: _Import, event: Event, occurrence: Any) -> bool:
    rid = occurrence.get("RECURRENCE-ID")
    for identity in ((event.uid, ""), (event.uid, rid.dt.isoformat() if rid else "")):
        if identity in state.cancels and state.cancels[identity] >= event.sequence:
            return True
    return False


def _touch(state: _Import, event: Event, occurrence: Any) -> Touch | str:
    """The occurrence's touchpoint, or why it is skipped."""
    seen = attendance(occurrence, frozenset(state.owners))
    if seen.owner_reply:
        return f"not accepted by the owner ({seen.owner_reply})"
    others = {key: name for key, name in seen.attended.items() if key not in state.owners}
    if not others:
        return "no other attendee accepted" if seen.people_left_out else "nobody besides the owner"
    organizer = seen.organizer if seen.organizer in others else state.owner
    people = sorted({state.owner, *others} - {organizer})
    state.tally.left_out.update(seen.left_out)
    state.names.update((k, n) for k, n in others.items() if n and k not in state.names)
    began = occurrence.get("DTSTART").dt
    summary = str(occurrence.get("SUMMARY", "")).strip()
    return Touch(
        Kind.VIDEO_CALL if _has_conference(occurrence) else Kind.MEETING,
        organizer,
        tuple(people),
        _moment(began, state.tz),
        summary or None,
        state.source,
        _ref(state, event, occurrence),
        duration_seconds=_duration(occurrence, state.tz),
    )


def _duration(occurrence: Any, tz: tzinfo) -> int | None:
    began = occurrence.get("DTSTART").dt
    ended = getattr(occurrence.get("DTEND"), "dt", None)
    if not isinstance(began, datetime) or not isinstance(ended, datetime):
        return None  # all-day: which day, not how long
    seconds = int((_moment(ended, tz) - _moment(began, tz)).total_seconds())
    if seconds > MAX_DURATION_SECONDS:
        raise InvalidInputError("DTEND", ended.isoformat(), "the event lasts more than a year")
    return max(0, seconds)


def _ref(state: _Import, event: Event, occurrence: Any) -> str:
    rid = occurrence.get("RECURRENCE-ID") or occurrence.get("DTSTART")
    when = _compact(rid.dt)
    if event.uid:
        base = f"{digest(event.uid)}@{when}"
    else:
        summary, organizer = occurrence.get("SUMMARY", ""), occurrence.get("ORGANIZER", "")
        base = f"{digest('', when, summary, organizer)}@{when}"
    state.refs[base] = state.refs.get(base, 0) + 1
    return f"{base}#{state.refs[base]}"


def _compact(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return f"{value:%Y%m%dT%H%M%S}"
        return f"{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return f"{value:%Y%m%d}"


def _has_conference(event: Any) -> bool:
    if any(key in event for key in ("CONFERENCE", "X-GOOGLE-CONFERENCE")):
        return True
    text = " ".join(str(event.get(key, "")) for key in ("LOCATION", "URL", "DESCRIPTION"))
    return bool(_CONFERENCE.search(text))
