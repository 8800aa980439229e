"""The insights' own facts: who the ledger belongs to, and which reminders are snoozed.

Both are eventsourcing aggregates stored in the ledger's one event log (hash-chained
like every other event), so they survive restarts, replicate with the log and are
audited with it. The view catch-up ignores them (it only folds people and
touchpoints); they are read back from the notification log filtered by topic.

* :class:`Owner`: one aggregate with a fixed id; ``Owner.Declared`` names the first
  owner, ``Owner.Changed`` any later one. The latest event wins.
* :class:`Snooze`: one aggregate per snooze (``Snooze.Set``): the pair ``(a, b)``
  with ``a < b``, from ``since`` until ``until``, and why. For a pair, the latest
  snooze recorded whose ``since`` is at or before the date asked about decides;
  ``until == since`` clears an earlier one.

Versioning as in :mod:`ledger.domain`: every class states ``class_version``; golden
payloads live in ``tests/golden/v1_insights.json``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid4, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

__all__ = ["OWNER_ID", "Owner", "Snooze", "new_owner", "new_snooze", "topic_of"]

OWNER_ID = uuid5(NAMESPACE_URL, "https://ledger.invalid/owner")
"""The one owner aggregate of a ledger: a fixed id, so two declarations collide."""


class Owner(Aggregate):
    """Whose ledger this is: the "me" of the insights."""

    class Declared(Aggregate.Created):
        class_version = 1
        key: str

    class Changed(Aggregate.Event):
        class_version = 1
        key: str

        def apply(self, aggregate: Any) -> None:
            aggregate.key = self.key

    def __init__(self, key: str) -> None:
        self.key = key

    def change(self, key: str) -> None:
        self.trigger_event(self.Changed, key=key)


class Snooze(Aggregate):
    """Silence the reminders for one pair from ``since`` until ``until``."""

    class Set(Aggregate.Created):
        class_version = 1
        a: str
        b: str
        since: datetime
        until: datetime
        reason: str | None

    def __init__(
        self, a: str, b: str, since: datetime, until: datetime, reason: str | None
    ) -> None:
        self.a, self.b = a, b
        self.since, self.until = since, until
        self.reason = reason


def new_snooze(a: str, b: str, since: datetime, until: datetime, reason: str | None) -> Snooze:
    """A new snooze aggregate (random id: every snooze is a new fact)."""
    x, y = sorted((a, b))
    return Snooze._create(Snooze.Set, id=uuid4(), a=x, b=y, since=since, until=until, reason=reason)


def new_owner(key: str) -> Owner:
    return Owner._create(Owner.Declared, id=OWNER_ID, key=key)


def topic_of(cls: type[Any]) -> str:
    return get_topic(cls)
