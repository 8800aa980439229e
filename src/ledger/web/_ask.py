"""What every page is asked with: the date (as of), the display time zone and "me".

All three travel in the query string (``as_of``, ``tz``, ``me``), so that every link
and form keeps them from page to page, and a page can be bookmarked. A plain date is
the end of that day in the display zone; the display zone is the ledger's ``timezone``
setting unless another is picked; "me" is the ledger's owner unless another person is.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ledger import InvalidInputError, Ledger
from ledger.facts.time import parse_time
from ledger.facts.zones import portable_zone

__all__ = ["Ask", "Clock", "ask_of", "parse_local"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")


@attrs.frozen
class Clock:
    """Times shown in one zone."""

    zone: ZoneInfo

    def time(self, at: datetime | None) -> str:
        return "" if at is None else at.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def date(self, at: datetime | None) -> str:
        return "" if at is None else at.astimezone(self.zone).strftime("%Y-%m-%d")

    def local_input(self, at: datetime) -> str:
        """``at`` as a ``datetime-local`` input shows it."""
        return at.astimezone(self.zone).strftime("%Y-%m-%dT%H:%M")


@attrs.frozen
class Ask:
    """One page's question: as of when, shown in which zone, for whom."""

    as_of: datetime
    as_of_text: str
    zone_name: str
    zone_given: str
    me: str | None
    me_given: str
    ledger_zone: str

    @property
    def clock(self) -> Clock:
        return Clock(ZoneInfo(self.zone_name))

    @property
    def now(self) -> bool:
        return not self.as_of_text

    def params(self, **extra: Any) -> dict[str, str]:
        """The query parameters that keep this question, with ``extra`` ones."""
        kept = {"as_of": self.as_of_text, "tz": self.zone_given, "me": self.me_given}
        kept.update({k: "" if v is None else str(v) for k, v in extra.items()})
        return {k: v for k, v in kept.items() if v}

    def link(self, path: str, **extra: Any) -> str:
        """``path`` with this question's parameters (and ``extra``) in its query."""
        query = urlencode(self.params(**extra))
        return f"{path}?{query}" if query else path


def ask_of(book: Ledger, query: dict[str, str]) -> Ask:
    """The question a page's query string asks (errors name the parameter)."""
    ledger_zone = book.timezone
    zone_given = query.get("tz", "").strip()
    zone_name = zone_given or ledger_zone
    if zone_given:  # the rule of --tz: portable IANA names only
        zone = portable_zone(zone_given, "tz")
    else:
        try:  # the ledger's own, as recorded (an older ledger may hold any name)
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise InvalidInputError(
                "tz", zone_name, "the ledger's time zone is unknown here: pick one"
            ) from None
    text = query.get("as_of", "").strip()
    moment = datetime.now(UTC) if not text else _as_of(text, zone)
    me_given = query.get("me", "").strip()
    me = book.person(me_given).key if me_given else book.owner
    return Ask(moment, text, zone_name, zone_given, me, me_given, ledger_zone)


def _as_of(text: str, zone: ZoneInfo) -> datetime:
    if _DATE.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise InvalidInputError("as_of", text, "no such date") from None
        end = datetime.combine(day, time(0), tzinfo=zone) + timedelta(days=1)
        return (end - timedelta(microseconds=1)).astimezone(UTC)
    return parse_local(text, zone, "as_of")


def parse_local(text: str, zone: ZoneInfo, field: str) -> datetime:
    """A time typed in a form: ``YYYY-MM-DDTHH:MM`` (a ``datetime-local`` input) in the
    display zone, or anything the ledger reads (ISO 8601 with a zone, ``@UNIX``)."""
    text = text.strip()
    if _LOCAL.fullmatch(text):
        try:
            return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            raise InvalidInputError(field, text, "no such time") from None
    return parse_time(text, field)
