"""Times: timezone-aware datetimes in, integer microseconds since the epoch inside.

The views store ``occurred_at`` as integer microseconds (UTC) so that ordering and
arithmetic are exact and identical in SQLite and PostgreSQL.

Every time the ledger accepts lies between :data:`EARLIEST` and :data:`LATEST`
(years 1000 to 2999, UTC), checked after its zone is applied: no touchpoint happened
outside them, and a stored time near the ends of what ``datetime`` can hold (year 9999
plus a zone, say) would overflow the first sum a query does with it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from ledger.errors import InvalidTimeError

__all__ = [
    "EARLIEST",
    "LATEST",
    "MICROS_PER_DAY",
    "MICROS_PER_SECOND",
    "check_moment",
    "from_micros",
    "parse_time",
    "to_micros",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
"""The earliest time the ledger accepts."""
LATEST = datetime(2999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
"""The latest time the ledger accepts."""
MICROS_PER_SECOND = 1_000_000
MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND

_UNIX = re.compile(r"@[+-]?[0-9]{1,12}(\.[0-9]{1,9})?", re.ASCII)
_ISO_CHARACTERS = re.compile(r"[0-9T:+\-.,Zz ]+", re.ASCII)
_RANGE = "between the years 1000 and 2999"


def parse_time(value: object, field: str = "occurred_at") -> datetime:
    """An aware datetime from a datetime, ISO 8601 text or ``@UNIXSECONDS``.

    Naive datetimes and zone-less text are errors: a touchpoint's time must be
    unambiguous, and guessing a zone silently shifts history by hours. Digits must be
    ASCII digits (``int`` and ``float`` would read other scripts' digits as numbers).
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise InvalidTimeError(field, value, "naive datetime; give a time zone")
        return check_moment(value, field)
    if isinstance(value, date):
        raise InvalidTimeError(field, value, "a date is not a time; give a datetime with a zone")
    if isinstance(value, str):
        return _parse_text(value.strip(), field)
    raise InvalidTimeError(field, value, "expected a timezone-aware datetime or ISO 8601 text")


def check_moment(moment: datetime, field: str) -> datetime:
    """``moment`` if it lies between :data:`EARLIEST` and :data:`LATEST`, else an error."""
    try:
        inside = EARLIEST <= moment <= LATEST
    except OverflowError:  # the zone pushes it past what datetime can hold
        inside = False
    if not inside:
        raise InvalidTimeError(field, moment.isoformat(), f"must lie {_RANGE} (UTC)")
    return moment


def _parse_text(text: str, field: str) -> datetime:
    if text.startswith("@"):
        return _parse_unix(text, field)
    if not _ISO_CHARACTERS.fullmatch(text):
        raise InvalidTimeError(
            field, text, "unparseable time; use ISO 8601 with a zone or @UNIXSECONDS"
        )
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidTimeError(
            field, text, "unparseable time; use ISO 8601 with a zone or @UNIXSECONDS"
        ) from None
    if parsed.tzinfo is None:
        raise InvalidTimeError(field, text, "no time zone; add one such as +00:00 or Z")
    return check_moment(parsed, field)


def _parse_unix(text: str, field: str) -> datetime:
    if not _UNIX.fullmatch(text):
        raise InvalidTimeError(
            field, text, f"expected @UNIXSECONDS: ASCII digits, a moment {_RANGE}"
        )
    # Read exactly, in integers: a float holds a date near 2999 to ~4 µs only.
    number = text[1:]
    sign = -1 if number.startswith("-") else 1
    whole, _, fraction = number.lstrip("+-").partition(".")
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    micros = sign * (int(whole) * MICROS_PER_SECOND + (nanos + 500) // 1000)
    try:
        moment = EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        raise InvalidTimeError(field, text, f"must lie {_RANGE} (UTC)") from None
    return check_moment(moment, field)


def to_micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch, exactly."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * MICROS_PER_SECOND + delta.microseconds


def from_micros(micros: int) -> datetime:
    """The UTC datetime ``micros`` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=micros)
