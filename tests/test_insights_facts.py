"""The insights' own facts: the owner and snoozes, stored in the log and read back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

import ledger
from ledger.facts.legacy import Owner, Snooze
from ledger.insights import NoOwnerError, get_owner, remind, set_owner, snooze, snoozes
from ledger.insights._common import resolve_me
from ledger.store.application import LedgerApplication

GOLDEN = Path(__file__).parent / "golden" / "v1_insights.json"


def _stored(entry: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(entry["originator_id"]),
        originator_version=entry["originator_version"],
        topic=entry["topic"],
        state=entry["state"].encode(),
    )


def test_owner_is_a_stored_fact_that_survives_reopening(sqlite_url: str) -> None:
    with ledger.open(sqlite_url) as book:
        book.add_person("ann")
        book.add_person("bob")
        assert book.owner is None
        with pytest.raises(NoOwnerError, match="no owner is set"):
            resolve_me(book, None)
        assert book.set_owner("ann") == "ann"
        assert set_owner(book, "ann") == "ann"  # unchanged: nothing new stored
        book.set_owner("bob")
    with ledger.open(sqlite_url) as book:
        assert book.owner == get_owner(book) == "bob"
        assert resolve_me(book, "ann") == "ann"  # --me wins over the owner
        assert book.audit().ok  # settings are hash-chained like every other event
        assert book.verify() == []
        history = book.settings_history()  # by key, not by the person's internal id
        assert [change.changes for change in history] == [
            {"owner": "ann"},
            {"owner": "ann"},
            {"owner": "bob"},
        ]


def test_owner_must_be_a_registered_person(memory_book: ledger.Ledger) -> None:
    with pytest.raises(ledger.UnknownPersonError):
        memory_book.set_owner("nobody")
    assert memory_book.owner is None


def test_snoozes_in_force_by_date_and_cleared_by_a_later_fact(
    memory_book: ledger.Ledger,
) -> None:
    book = memory_book
    for key in ("ann", "bob"):
        book.add_person(key)
    snooze(book, "bob", "ann", "2024-02-01T00:00:00Z", since="2024-01-01T00:00:00Z")
    assert snoozes(book, "2023-12-31T00:00:00Z") == []
    (found,) = snoozes(book, "2024-01-15T00:00:00Z")
    assert (found.a, found.b, found.until) == ("ann", "bob", datetime(2024, 2, 1, tzinfo=UTC))
    assert snoozes(book, "2024-02-01T00:00:00Z") == []  # until is exclusive
    snooze(book, "ann", "bob", "2024-01-10T00:00:00Z", since="2024-01-10T00:00:00Z")
    assert snoozes(book, "2024-01-15T00:00:00Z") == []  # cleared from the 10th
    assert len(snoozes(book, "2024-01-05T00:00:00Z")) == 1  # but held before it
    with pytest.raises(ledger.InvalidInputError, match="until"):
        snooze(book, "ann", "bob", "2023-01-01T00:00:00Z", since="2024-01-01T00:00:00Z")
    with pytest.raises(ledger.InvalidInputError, match="two different people"):
        snooze(book, "ann", "ann", "2025-01-01T00:00:00Z")
    with pytest.raises(ledger.InvalidInputError):
        remind(book, "ann", within_days=-1)


def test_golden_insight_payloads_of_the_first_format_still_decode() -> None:
    app = LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    declared, changed, snoozed = (
        app.mapper.to_domain_event(_stored(entry)) for entry in json.loads(GOLDEN.read_text())
    )
    assert isinstance(declared, Owner.Declared) and declared.key == "ada"
    assert isinstance(changed, Owner.Changed) and changed.key == "charles"
    assert isinstance(snoozed, Snooze.Set)
    assert (snoozed.a, snoozed.b, snoozed.reason) == ("ada", "charles", "travelling")
    assert snoozed.until == datetime(2024, 4, 1, tzinfo=UTC)
