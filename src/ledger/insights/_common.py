"""What every insight shares: its errors, "me", times, and reading its own facts."""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.api import Ledger
from ledger.errors import LedgerError
from ledger.facts.time import parse_time, to_micros

__all__ = [
    "DAY",
    "NoOwnerError",
    "NoPathError",
    "TimeLike",
    "get_owner",
    "micros",
    "moment",
    "resolve_me",
    "set_owner",
]

TimeLike = datetime | str | None
DAY = 86_400_000_000
"""Microseconds in a day."""

_ATTEMPTS = 20
_PAGE = 1_000


class NoOwnerError(LedgerError, LookupError):
    """A question about "me" was asked, but no owner is set and no person was given."""

    def __init__(self) -> None:
        super().__init__(
            "me: no owner is set for this ledger; give a person (--me KEY) or set one "
            "('ledger owner set KEY', Ledger.set_owner)"
        )


class NoPathError(LedgerError, LookupError):
    """No chain of relationships leads from one person to another."""

    def __init__(self, source: str, target: str, reason: str) -> None:
        self.source, self.target = source, target
        super().__init__(f"target: no path from {source!r} to {target!r} ({reason})")


def moment(value: TimeLike, field: str = "as_of") -> datetime:
    return datetime.now(UTC) if value is None else parse_time(value, field)


def micros(value: datetime) -> int:
    return to_micros(value)


def get_owner(book: Ledger) -> str | None:
    """The key of the ledger's owner, or None when none was ever set."""
    return book.owner


def set_owner(book: Ledger, key: str) -> str:
    """Make the registered person ``key`` the ledger's owner (a stored, chained fact)."""
    return book.set_owner(key)


def resolve_me(book: Ledger, me: str | None) -> str:
    """``me`` if given (it must be a registered person), else the stored owner."""
    key = me if me is not None else get_owner(book)
    if key is None:
        raise NoOwnerError
    return book.person(key).key
