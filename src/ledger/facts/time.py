"""Times: timezone-aware datetimes in, integer microseconds since the epoch inside.

The views store ``occurred_at`` as integer microseconds (UTC) so that ordering and
arithmetic are exact and identical in SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ledger.errors import InvalidTimeError

__all__ = ["from_micros", "parse_time", "to_micros"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROS_PER_SECOND = 1_000_000


def parse_time(value: object, field: str = "occurred_at") -> datetime:
    """Return an aware datetime from a datetime, ISO 8601 text or ``@UNIXSECONDS``.

    Naive datetimes and zone-less text are errors: a touchpoint's time must be
    unambiguous, and guessing a zone silently shifts history by hours.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise InvalidTimeError(field, value, "naive datetime; give a time zone")
        return value
    if isinstance(value, date):
        raise InvalidTimeError(field, value, "a date is not a time; give a datetime with a zone")
    if isinstance(value, str):
        return _parse_text(value.strip(), field)
    raise InvalidTimeError(field, value, "expected a timezone-aware datetime or ISO 8601 text")


def _parse_text(text: str, field: str) -> datetime:
    if text.startswith("@"):
        try:
            seconds = float(text[1:])
        except ValueError:
            raise InvalidTimeError(field, text, "expected @UNIXSECONDS") from None
        return _EPOCH + timedelta(seconds=seconds)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidTimeError(
            field, text, "unparseable time; use ISO 8601 with a zone or @UNIXSECONDS"
        ) from None
    if parsed.tzinfo is None:
        raise InvalidTimeError(field, text, "no time zone; add one such as +00:00 or Z")
    return parsed


def to_micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch, exactly."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * MICROS_PER_SECOND + delta.microseconds


def from_micros(micros: int) -> datetime:
    """The UTC datetime ``micros`` microseconds after the epoch."""
    return _EPOCH + timedelta(microseconds=micros)
