"""What every insight shares: its errors, "me", and times."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ledger import Ledger
from ledger.errors import LedgerError, quote
from ledger.facts.time import parse_time, to_micros

__all__ = [
    "NoOwnerError",
    "NoPathError",
    "TimeLike",
    "get_owner",
    "local_day",
    "micros",
    "moment",
    "resolve_me",
    "set_owner",
]

TimeLike = datetime | str | None


class NoOwnerError(LedgerError, LookupError):
    """A question about "me" was asked, but no owner is set and no person was given."""

    def __init__(self) -> None:
        super().__init__(
            "me: no owner is set for this ledger; give a person (--me KEY) or set one "
            "('ledger owner KEY', Ledger.set_owner)"
        )


class NoPathError(LedgerError, LookupError):
    """No chain of relationships leads from one person to another."""

    def __init__(self, source: str, target: str, reason: str) -> None:
        self.source, self.target = source, target
        super().__init__(f"target: no path from {quote(source)} to {quote(target)} ({reason})")


def moment(value: TimeLike, field: str = "as_of") -> datetime:
    return datetime.now(UTC) if value is None else parse_time(value, field)


def micros(value: datetime) -> int:
    """A time as the microseconds :meth:`ledger.DecayModel.weigh` takes."""
    return to_micros(value)


def local_day(at: datetime, zone: ZoneInfo) -> int:
    """The calendar day of ``at`` in ``zone`` (the ledger's time zone), as a day number."""
    return at.astimezone(zone).date().toordinal()


def get_owner(book: Ledger) -> str | None:
    """The key of the ledger's owner, or None when none was ever set."""
    return book.owner


def set_owner(book: Ledger, key: str) -> str:
    """Make the registered person ``key`` the ledger's owner (a setting in the log)."""
    return book.set_owner(key)


def resolve_me(book: Ledger, me: str | None) -> str:
    """``me`` if given (it must be a registered person), else the stored owner."""
    key = me if me is not None else get_owner(book)
    if key is None:
        raise NoOwnerError
    return book.person(key).key
