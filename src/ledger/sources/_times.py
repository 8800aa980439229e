"""Times and numbers as files write them: Unix seconds, ISO 8601, strftime patterns,
LinkedIn's four grammars.

Numbers are ASCII numbers. ``int``, ``float`` and ``strptime`` also read other
scripts' digits (Arabic-Indic ``٢٣٠`` is 230 to them) and ``str.isdigit`` accepts
superscripts, so every field is checked against an ASCII pattern of bounded length
first: a superscript, an Arabic-Indic digit or a three-million-digit number is a bad
value with a one-line reason, never a silent reading or an unexpected error.

A time without a zone is read in the zone the user names (default UTC): files rarely
say, and the importer must not guess silently, so the choice is a visible option.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from ledger.errors import InvalidTimeError, quote
from ledger.facts.time import EPOCH, check_moment
from ledger.facts.zones import portable_zone

__all__ = [
    "BadValue",
    "ascii_text",
    "linkedin_time",
    "parse_stamp",
    "seconds_after",
    "unix_time",
    "whole_seconds",
    "zone",
]

_SECONDS = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,9})?", re.ASCII)
_WHOLE = re.compile(r"[0-9]{1,12}", re.ASCII)
_LONGEST = 64  # no time field of any format is longer

_LINKEDIN_FORMATS = (
    "%Y-%m-%d %H:%M:%S UTC",  # messages.csv DATE
    "%Y/%m/%d %H:%M:%S UTC",  # Endorsement_Received_Info.csv
    "%m/%d/%y, %I:%M %p",  # Invitations, Recommendations, 2018 Connections/Messages
    "%d %b %Y",  # Connections.csv "Connected On" since ~2020
    "%d-%b-%y",  # Connections re-saved by Excel
    "%Y-%m-%d",  # Connections re-saved as ISO dates
    "%m/%d/%Y",  # US spreadsheet dates
)


class BadValue(ValueError):
    """A field that is not what its format says; ``reason`` quotes it (one line)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def zone(name: str) -> tzinfo:
    """The time zone called ``name`` (``UTC``, ``Europe/Berlin``, ...): a portable IANA
    name, as everywhere in the ledger (:mod:`ledger.facts.zones`)."""
    if name.strip().upper() in ("UTC", "Z"):
        return UTC
    return portable_zone(name.strip(), "timezone")


def ascii_text(text: str, what: str) -> str:
    """``text`` if it is ASCII and short enough to be a time or number, else BadValue."""
    if len(text) > _LONGEST:
        raise BadValue(f"{what} {quote(text)} is {len(text):,} characters long")
    if not text.isascii():
        raise BadValue(f"{what} {quote(text)} has non-ASCII characters (digits must be 0-9)")
    return text


def whole_seconds(text: str, what: str = "time") -> int:
    """A whole number of seconds written in ASCII digits (at most 12 of them)."""
    if not _WHOLE.fullmatch(text):
        ascii_text(text, what)
        raise BadValue(f"{what} {quote(text)}: expected whole seconds (ASCII digits)")
    return int(text)


def unix_time(text: str, what: str = "timestamp") -> datetime:
    """Unix seconds (``1082040961``, ``1082040961.5``) as an aware UTC datetime."""
    if not _SECONDS.fullmatch(text):
        ascii_text(text, what)
        raise BadValue(f"bad {what} {quote(text)}: expected Unix seconds (ASCII digits)")
    whole, _, fraction = text.partition(".")
    moment = seconds_after(EPOCH, int(whole), what)
    if not fraction:
        return moment
    return moment + timedelta(microseconds=round(float(f"0.{fraction}") * 1_000_000))


def seconds_after(base: datetime, seconds: int, what: str = "time") -> datetime:
    """``base`` plus ``seconds``, inside the ledger's years, else BadValue."""
    try:
        moment = base + timedelta(seconds=seconds)
    except OverflowError:
        raise BadValue(f"{what} {seconds} lies past the year 2999") from None
    return _checked(moment, str(seconds), what)


def parse_stamp(text: str, time_format: str, tz: tzinfo) -> datetime:
    """``text`` as ``unix`` seconds, ``iso`` 8601 or a strftime pattern."""
    if time_format == "unix":
        return unix_time(text)
    ascii_text(text, "time")
    try:
        if time_format == "iso":
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            parsed = datetime.strptime(text, time_format)
    except ValueError:
        raise BadValue(f"bad timestamp {quote(text)}: expected {time_format}") from None
    return _checked(parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz), text)


def linkedin_time(text: str, tz: tzinfo, what: str) -> datetime:
    """A LinkedIn export time in any of the grammars seen in real exports.

    Times marked ``UTC`` are UTC; the others are the exporting account's local time,
    which the export does not state, so ``tz`` supplies it.
    """
    text = " ".join(ascii_text(text, what).split())
    for pattern in _LINKEDIN_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return _checked(parsed.replace(tzinfo=UTC if pattern.endswith("UTC") else tz), text, what)
    raise BadValue(f"{what} is unreadable ({quote(text)})")


def _checked(moment: datetime, text: str, what: str = "time") -> datetime:
    try:
        return check_moment(moment, what)
    except InvalidTimeError as error:
        raise BadValue(f"{what} {quote(text)} {error.reason}") from None
