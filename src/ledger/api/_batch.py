"""A unit of work: everything recorded inside one ``with book.batch():`` is stored in
one transaction, or, on any error, none of it."""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ledger.errors import InvalidInputError, UnknownPersonError
from ledger.facts.identifiers import normalise
from ledger.facts.text import clean_name
from ledger.facts.time import parse_time, to_micros
from ledger.facts.values import Touch, check_key, clean_attributes
from ledger.store import Batch, RecordSummary

__all__ = ["LedgerBatch", "TimeLike", "actor_or_user"]


def actor_or_user(actor: str | None) -> str | None:
    """Who a settings change is recorded as made by: ``actor`` if named, else the
    operating-system user (None only if the system cannot say). One rule for every
    path that changes a setting, the Ledger's and a unit of work's (an import's
    ``--me``) alike."""
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (a bare container)
        return None


def _normalised(
    identifiers: Sequence[tuple[str, str]], region: str | None
) -> list[tuple[str, str]]:
    pairs = []
    for item in identifiers:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise InvalidInputError("identifiers", item, "give (kind, value) pairs")
        kind, value = item
        pairs.append((str(kind), normalise(str(kind), value, region=region)))
    return pairs


TimeLike = datetime | str | None
EARLIEST_T = -(2**62)
"""``effective_t`` of attributes given without a date: in force for all time."""


class LedgerBatch:
    """What ``Ledger.batch()`` yields; ``summary`` holds what was stored once the
    ``with`` block is left without an error."""

    def __init__(self, batch: Batch, now: datetime) -> None:
        self._batch = batch
        self._now = now
        self.summary: RecordSummary | None = None

    def add_person(
        self,
        key: str,
        name: str | None = None,
        *,
        identifiers: Sequence[tuple[str, str]] = (),
        region: str | None = None,
        **attributes: Any,
    ) -> bool:
        """Register a person; attributes given here hold for all time; ``identifiers``
        (``(kind, value)``: email, phone, url, handle, name; phones read in ``region``)
        are how other sources name them. False (and nothing stored) if the key names
        someone already."""
        key = check_key(key, "key")
        shown = clean_name(name, "name") if name is not None else ""
        pairs = _normalised(identifiers, region)
        return self._batch.register(key, shown or key, clean_attributes(attributes), pairs)

    def identify(
        self, key: str, identifiers: Sequence[tuple[str, str]], *, region: str | None = None
    ) -> int:
        """Give the person ``key`` more identifiers; how many were new to the index."""
        return self._batch.identify(check_key(key, "key"), _normalised(identifiers, region))

    def merge(self, into: str, other: str, reason: str) -> str:
        """Record that ``other`` is ``into`` (see :meth:`Ledger.merge`), in this unit of
        work: many merges in one transaction. Both are found by key or identifier; two
        who are one already make a merge that changes nothing. The merge's id."""
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInputError("reason", reason, "say why (it is kept with the fact)")
        x, y = check_key(into, "into"), check_key(other, "other")
        found = self._batch.person_ids([x, y])
        for field, key in (("into", x), ("other", y)):
            if key not in found:
                raise UnknownPersonError(field, key)
        if found[x] == found[y]:
            raise InvalidInputError("other", other, "is the same person as into")
        return self._batch.merge(found[x], found[y], reason.strip())

    def update_person(self, key: str, since: TimeLike = None, **attributes: Any) -> bool:
        """Attributes take new values from ``since`` on (default: now); ``None`` clears
        one. False if exactly this change is stored already."""
        key = check_key(key, "key")
        changes = clean_attributes(attributes)
        if not changes:
            raise InvalidInputError("attributes", attributes, "nothing to update")
        effective = self._now if since is None else parse_time(since, "since")
        return self._batch.change(key, to_micros(effective), changes)

    def person_exists(self, key: str) -> bool:
        return bool(self._batch.person_ids([check_key(key, "key")]))

    def record(
        self,
        kind: str | Touch,
        initiator: str | None = None,
        counterparts: str | Sequence[str] = (),
        occurred_at: datetime | str | None = None,
        **details: Any,
    ) -> str:
        """Record one touchpoint (a :class:`ledger.Touch`, or its fields); its id."""
        touch = (
            kind
            if isinstance(kind, Touch)
            else Touch(kind, initiator, counterparts, occurred_at, **details)
        )
        before = len(self._batch.touch_ids)
        self._batch.keep_ids = True
        self._batch.record([touch])
        return self._batch.touch_ids[before]

    def record_many(self, touches: Iterable[Touch]) -> None:
        """Record touchpoints (any iterable, consumed once, in chunks)."""
        self._batch.record(touches)

    def set_owner(self, key: str, *, actor: str | None = None) -> None:
        """Make the registered person ``key`` the ledger's owner (a setting, in the log;
        ``actor``: who changed it, default the operating-system user)."""
        key = check_key(key, "key")
        found = self._batch.person_ids([key])
        if not found:
            raise UnknownPersonError("key", key)
        self._batch.settings({"owner": found[key]}, actor_or_user(actor))

    def snooze(self, a: str, b: str, since: TimeLike, until: TimeLike, reason: str | None) -> None:
        """Silence reminders about the pair (a, b) from ``since`` until ``until``
        (``until == since`` clears an earlier snooze)."""
        start, end = to_micros(parse_time(since, "since")), to_micros(parse_time(until, "until"))
        if end < start:
            raise InvalidInputError("until", until, "a snooze cannot end before it starts")
        if reason is not None and not isinstance(reason, str):
            raise InvalidInputError("reason", reason, "expected text or None")
        found = self._batch.person_ids([check_key(a, "a"), check_key(b, "b")])
        for field, key in (("a", a), ("b", b)):
            if key not in found:
                raise UnknownPersonError(field, key)
        if found[a] == found[b]:
            raise InvalidInputError("b", b, "a pair is two different people")
        self._batch.snooze(found[a], found[b], start, end, reason)

    def retract(self, touchpoint_id: str, reason: str) -> None:
        """Withdraw a touchpoint recorded in error. The log keeps both facts."""
        self._batch.retract([touchpoint_id], reason)
