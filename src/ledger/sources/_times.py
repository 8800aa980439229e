"""Times as files write them: Unix seconds, ISO 8601, strftime patterns, LinkedIn's four.

A time without a zone is read in the zone the user names (default UTC): files rarely
say, and the importer must not guess silently, so the choice is a visible option.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledger.errors import InvalidInputError

__all__ = ["linkedin_time", "parse_stamp", "zone"]

_LINKEDIN_FORMATS = (
    "%Y-%m-%d %H:%M:%S UTC",  # messages.csv DATE
    "%Y/%m/%d %H:%M:%S UTC",  # Endorsement_Received_Info.csv
    "%m/%d/%y, %I:%M %p",  # Invitations, Recommendations, 2018 Connections/Messages
    "%d %b %Y",  # Connections.csv "Connected On" since ~2020
    "%d-%b-%y",  # Connections re-saved by Excel
    "%Y-%m-%d",  # Connections re-saved as ISO dates
    "%m/%d/%Y",  # US spreadsheet dates
)


def zone(name: str) -> tzinfo:
    """The time zone called ``name`` (``UTC``, ``Europe/Berlin``, ...)."""
    if name.strip().upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError("timezone", name, "unknown time zone") from None


def parse_stamp(text: str, time_format: str, tz: tzinfo) -> datetime | None:
    """``text`` as ``unix`` seconds, ``iso`` 8601 or a strftime pattern; None if not."""
    try:
        if time_format == "unix":
            return datetime.fromtimestamp(float(text), UTC)
        if time_format == "iso":
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            parsed = datetime.strptime(text, time_format)
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def linkedin_time(text: str, tz: tzinfo) -> datetime | None:
    """A LinkedIn export time in any of the grammars seen in real exports; None if not.

    Times marked ``UTC`` are UTC; the others are the exporting account's local time,
    which the export does not state, so ``tz`` supplies it.
    """
    text = " ".join(text.split())
    for pattern in _LINKEDIN_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return parsed.replace(tzinfo=UTC if pattern.endswith("UTC") else tz)
    return None
