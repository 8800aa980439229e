"""Times as people type and read them: the display zone, and what ``--since``,
``--until``, ``--as-of`` and ``snooze --until`` accept.

The display zone is ``--tz``, else ``$LEDGER_TZ``, else the ledger's ``timezone``
setting (when one was recorded), else the machine's local zone. Every time a table
or a message prints is shown in it; days, weeks and months typed on the command line
are counted in it.

What a time option accepts (:func:`parse_when` reads the text, :meth:`When.resolve`
turns it into an instant once the zone is known):

* an instant: ISO 8601 with a zone (``2024-03-01T09:30:00+01:00``, ``...Z``),
  ``@UNIXSECONDS``, ``now``; ISO 8601 without a zone is in the display zone;
* a day or a period: ``2024-03-01``, ``2024-03`` (a month), ``today``, ``yesterday``,
  ``tomorrow``, ``this week`` (weeks start on Monday), ``last week``, ``next week``,
  ``this month``, ``last month``, ``next month``, ``this year``, ``last year``: its
  start or its end, as the option says (``--since``: the start; ``--until`` and
  ``--as-of``: the end; ``snooze --until``: the start);
* a distance from now: ``-30d`` (30 days ago), ``+2w`` (two weeks ahead), ``3m``
  (months), ``1y``, ``12h``; also spelled ``30 days ago`` or ``in 2 weeks``. Without a
  sign it counts back, except for ``snooze --until``, which looks ahead. Days, weeks,
  months and years are calendar ones in the display zone (the same wall-clock time).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ledger.errors import InvalidTimeError, quote
from ledger.facts.time import check_moment, parse_time
from ledger.facts.zones import portable_zone

__all__ = [
    "ACCEPTED",
    "When",
    "local_zone",
    "parse_when",
    "recorded_zone",
    "shown_time",
    "zone_name",
    "zone_named",
]

ACCEPTED = (
    "a date (2024-03-01), a month (2024-03), ISO 8601 (2024-03-01T09:30, with or without "
    "a zone), @UNIXSECONDS, now, today, yesterday, this week, last month, or a distance "
    "such as -30d, 2w, 3m, 1y, 12h"
)
"""What a time option accepts, for help texts and errors."""

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_UNITS = {
    "h": "hours",
    "hour": "hours",
    "hours": "hours",
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "m": "months",
    "mo": "months",
    "month": "months",
    "months": "months",
    "y": "years",
    "year": "years",
    "years": "years",
}
_DISTANCE = re.compile(
    r"(?P<in>in\s+)?(?P<sign>[+-])?\s*(?P<n>\d{1,5})\s*(?P<unit>[a-z]+)(?P<ago>\s+ago)?",
    re.ASCII,
)
_PERIOD = re.compile(r"(this|last|next)[\s_-]+(week|month|year)", re.ASCII)
_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1}


@attrs.frozen
class When:
    """A time as typed, read but not yet placed in a zone."""

    text: str
    instant: datetime | None = None
    naive: datetime | None = None
    period: tuple[date, date] | None = None
    """The first and the last day of a day, week, month or year."""
    relative: tuple[int, str] | None = None
    """A day, week, month or year counted from the current one (-1: the last one)."""
    distance: tuple[int, str] | None = None
    """A signed count of hours, days, weeks, months or years from now."""

    def resolve(self, zone: tzinfo, now: datetime, edge: str) -> datetime:
        """The instant meant, in ``zone`` at ``now``; ``edge`` ("start" or "end") says
        which end of a day or period is meant."""
        if self.instant is not None:
            return self.instant
        if self.naive is not None:
            return _checked(self.naive.replace(tzinfo=zone), self.text)
        period = self.period
        if self.relative is not None:
            period = _calendar(now.astimezone(zone).date(), *self.relative)
        if period is not None:
            first, last = period
            if edge == "start":
                return _checked(_midnight(first, zone), self.text)
            return _checked(_midnight(last + timedelta(days=1), zone) - _MICRO, self.text)
        assert self.distance is not None
        count, unit = self.distance
        return _checked(_moved(now, zone, count, unit), self.text)


_MICRO = timedelta(microseconds=1)


def parse_when(text: str, *, ahead: bool = False) -> When:  # noqa: PLR0911 - one per form
    """Read a time option's text (see the module docs); ``ahead``: a distance without a
    sign looks ahead. Raises :class:`ledger.InvalidTimeError` with what is accepted."""
    raw = str(text).strip()
    lowered = " ".join(raw.lower().split())
    if lowered == "now":
        return When(raw, distance=(0, "hours"))
    if lowered in _DAYS:
        return When(raw, relative=(_DAYS[lowered], "day"))
    if _PERIOD.fullmatch(lowered):
        return When(raw, relative=_period_code(lowered))
    if found := _DATE.fullmatch(lowered):
        day = _date(raw, *map(int, found.groups()))
        return When(raw, period=(day, day))
    if found := _MONTH.fullmatch(lowered):
        first = _date(raw, int(found[1]), int(found[2]), 1)
        return When(raw, period=(first, _month_end(first)))
    if found := _DISTANCE.fullmatch(lowered):
        return _distance(raw, found, ahead)
    return _exact(raw)


def _period_code(lowered: str) -> tuple[int, str]:
    which, unit = _PERIOD.fullmatch(lowered).groups()  # type: ignore[union-attr]
    return {"this": 0, "last": -1, "next": 1}[which], unit


def _distance(raw: str, found: re.Match[str], ahead: bool) -> When:
    unit = _UNITS.get(found["unit"])
    if unit is None:
        raise InvalidTimeError(
            "time", raw, f"unknown unit {quote(found['unit'])}; use h, d, w, m or y"
        )
    back = found["sign"] == "-" or found["ago"] is not None
    forward = found["sign"] == "+" or found["in"] is not None
    if back and forward:
        raise InvalidTimeError("time", raw, "a distance is either ahead or ago, not both")
    sign = -1 if back else 1 if forward else (1 if ahead else -1)
    return When(raw, distance=(sign * int(found["n"]), unit))


def _exact(raw: str) -> When:
    try:
        return When(raw, instant=parse_time(raw, "time"))
    except InvalidTimeError as error:
        if "no time zone" not in error.reason:
            raise InvalidTimeError("time", raw, f"not a time; use {ACCEPTED}") from None
    return When(raw, naive=datetime.fromisoformat(raw))


def _calendar(today: date, offset: int, unit: str) -> tuple[date, date]:
    """The day, week (Monday first), month or year ``offset`` of them from ``today``."""
    if unit == "day":
        day = today + timedelta(days=offset)
        return day, day
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        first = _add_months(today.replace(day=1), offset)
        return first, _month_end(first)
    first = date(today.year + offset, 1, 1)
    return first, date(first.year, 12, 31)


def _moved(now: datetime, zone: tzinfo, count: int, unit: str) -> datetime:
    if unit == "hours":
        return now + timedelta(hours=count)
    local = now.astimezone(zone)
    if unit in ("days", "weeks"):
        day = local.date() + timedelta(days=count * (7 if unit == "weeks" else 1))
    else:
        day = _add_months(local.date(), count * (12 if unit == "years" else 1))
    return datetime.combine(day, local.time(), tzinfo=zone)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first = date(year, month + 1, 1)
    return first.replace(day=min(day.day, _month_end(first).day))


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _date(raw: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidTimeError("time", raw, "no such date") from None


def _checked(moment: datetime, raw: str) -> datetime:
    try:
        return check_moment(moment, "time")
    except InvalidTimeError:
        raise InvalidTimeError("time", raw, "must lie between the years 1000 and 2999") from None


# -- zones -----------------------------------------------------------------------------
def zone_named(name: str) -> ZoneInfo:
    """The portable IANA zone ``name`` (``--tz``, ``$LEDGER_TZ``); otherwise
    :class:`ledger.InvalidTimeError` naming it and what is accepted."""
    return portable_zone(name.strip(), "tz")


def recorded_zone(name: str) -> ZoneInfo:
    """The zone of the ledger's recorded ``timezone`` setting. It was checked when it
    was recorded; one recorded before only portable names were taken (``localtime``)
    is still shown in, not refused by every command."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return zone_named(name)  # raises, naming it


def local_zone() -> tzinfo:
    """The machine's zone: ``$TZ`` or ``/etc/localtime`` by IANA name when they name
    one, else the fixed offset the system reports now."""
    for name in (os.environ.get("TZ", "").lstrip(":"), _localtime_name()):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    found = datetime.now().astimezone().tzinfo
    return found if found is not None else UTC


def _localtime_name() -> str:
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        return ""
    _, marker, name = target.partition("zoneinfo/")
    return name if marker else ""


_UTC_NAMES = ("UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu", "Etc/UCT")


def zone_name(zone: tzinfo) -> str:
    """How a caption names ``zone``: its IANA name, else its abbreviation now."""
    key = getattr(zone, "key", None)
    if key in _UTC_NAMES:
        return "UTC"
    if key:
        return str(key)
    return datetime.now(zone).tzname() or "UTC"


def shown_time(moment: datetime, zone: tzinfo, *, seconds: bool = False) -> str:
    """``moment`` in ``zone`` as a person reads it: ``2024-03-01 09:30``."""
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
