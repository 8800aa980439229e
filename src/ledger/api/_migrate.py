"""Moving a ledger written by ledger 0.1 to the current format, fact by fact.

Every person, attribute change, touchpoint (with its source and reference, so later
re-imports still recognise it), retraction, the owner and every snooze are recorded
into an empty ledger in one unit of work: the new ledger gets all of them or nothing.
Touchpoints get new ids (the new format derives them from their content); the summary
maps old ids to new ones.
"""

from __future__ import annotations

from typing import Any

import attrs

from ledger.api._ledger import Ledger
from ledger.errors import StorageError
from ledger.facts import legacy
from ledger.facts.values import Touch
from ledger.store.legacy import legacy_events

__all__ = ["Migration", "migrate"]


@attrs.frozen
class Migration:
    """What :func:`migrate` moved."""

    people: int
    touchpoints: int
    retractions: int
    attribute_changes: int
    snoozes: int
    owner: str | None
    new_ids: dict[str, str]


def migrate(source: str, target: str) -> Migration:
    """Move the format-1 ledger at ``source`` into the new, empty ledger ``target``."""
    counts = {"people": 0, "touchpoints": 0, "retractions": 0, "attribute_changes": 0, "snoozes": 0}
    new_ids: dict[str, str] = {}
    owner: str | None = None
    with Ledger(target) as book:
        if book.log_position:
            raise StorageError(f"url: '{book.url}' is not empty: migrate into a new ledger")
        with book.batch(keep_ids=True) as unit:
            people = _People(unit, counts)
            for event in legacy_events(source):
                if not people.take(event):
                    people.flush()
                    owner = _one(unit, event, counts, new_ids, owner)
            people.flush()
            if owner is not None:
                unit.set_owner(owner)
    return Migration(owner=owner, new_ids=new_ids, **counts)


class _People:
    """A registration and the attributes given with it (stored by 0.1 as a change in
    force from year 1 right after it), recorded together as one registration."""

    def __init__(self, unit: Any, counts: dict[str, int]) -> None:
        self.unit, self.counts = unit, counts
        self.pending: tuple[str, str, dict[str, Any]] | None = None

    def take(self, event: Any) -> bool:
        if isinstance(event, legacy.Person.Registered):
            self.flush()
            self.pending = (event.key, event.name, {})
            return True
        if (
            self.pending is not None
            and isinstance(event, legacy.Person.AttributesChanged)
            and event.key == self.pending[0]
            and event.effective_at.year == 1
        ):
            self.pending[2].update(event.changes)
            return True
        return False

    def flush(self) -> None:
        if self.pending is not None:
            key, name, attributes = self.pending
            self.unit.add_person(key, name, **attributes)
            self.counts["people"] += 1
            self.pending = None


def _one(
    unit: Any, event: Any, counts: dict[str, int], new_ids: dict[str, str], owner: str | None
) -> str | None:
    if isinstance(event, legacy.Person.AttributesChanged):
        unit.update_person(event.key, event.effective_at, **event.changes)
        counts["attribute_changes"] += 1
    elif isinstance(event, legacy.Touchpoint.Recorded):
        new_ids[event.originator_id.hex] = unit.record(_touch(event))
        counts["touchpoints"] += 1
    elif isinstance(event, legacy.Touchpoint.Retracted):
        unit.retract(new_ids[event.originator_id.hex], event.reason)
        counts["retractions"] += 1
    elif isinstance(event, legacy.Owner.Declared | legacy.Owner.Changed):
        return str(event.key)
    elif isinstance(event, legacy.Snooze.Set):
        unit.snooze(event.a, event.b, event.since, event.until, event.reason)
        counts["snoozes"] += 1
    return owner


def _touch(event: Any) -> Touch:
    return Touch(
        event.kind,
        event.initiator,
        tuple(event.counterparts),
        event.occurred_at,
        note=event.note,
        source=event.source,
        source_ref=event.source_ref,
        personalized=bool(event.personalized),
        giver=event.giver if event.giver == "counterparts" else None,
        duration_seconds=event.duration_seconds,
    )
