"""``ledger.migrate``: a ledger written by ledger 0.1 (format 1) moves to the current
format fact by fact, and the current store refuses to open the old one directly.

The old ledger is built here from the v1 golden payloads (stored events exactly as 0.1
wrote them, tests/golden/v1.json) plus a registration of the one person they name
without registering, written through eventsourcing with no ledger code in between.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

import ledger
from ledger.facts import legacy
from ledger.store.application import LedgerApplication

GOLDEN = Path(__file__).parent / "golden" / "v1.json"


def _old_ledger(path: Path) -> None:
    app = LedgerApplication(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
            "CREATE_TABLE": "true",
        }
    )
    charles = legacy.Person._create(
        legacy.Person.Registered, id=legacy.person_id("charles"), key="charles", name="Charles"
    )
    stored = [app.mapper.to_stored_event(e) for e in charles.collect_events()]
    for item in json.loads(GOLDEN.read_text()):
        stored.append(
            StoredEvent(
                UUID(item["originator_id"]),
                item["originator_version"],
                item["topic"],
                item["state"].encode(),
            )
        )
    app.recorder.insert_events(stored)
    app.close()


def test_an_old_ledger_is_refused_with_the_way_out(tmp_path: Path) -> None:
    _old_ledger(tmp_path / "old.db")
    with pytest.raises(ledger.StorageError, match="ledger migrate"):
        ledger.open(f"sqlite:///{tmp_path / 'old.db'}")


def test_migrate_moves_every_fact_and_the_new_ledger_audits_clean(tmp_path: Path) -> None:
    _old_ledger(tmp_path / "old.db")
    moved = ledger.migrate(f"sqlite:///{tmp_path / 'old.db'}", f"sqlite:///{tmp_path / 'new.db'}")
    assert (moved.people, moved.touchpoints, moved.retractions, moved.attribute_changes) == (
        2,
        1,
        1,
        1,
    )
    old_id = "7acbab10e7ee58dabaafa71cc152c1ae"
    with ledger.open(f"sqlite:///{tmp_path / 'new.db'}", create=False) as book:
        assert book.people() == ["ada", "charles"]
        ada = book.person("ada", as_of="2023-06-01T00:00:00Z")
        assert ada.name == "Ada Lovelace"
        assert ada.attributes == {"org": "Analytical Engines", "tags": ["maths", "poetry"]}
        assert book.person("ada", as_of="2022-06-01T00:00:00Z").attributes == {}
        [touch] = book.timeline("ada", "charles")
        assert touch.touchpoint_id == moved.new_ids[old_id]
        assert (touch.kind, touch.initiator, touch.counterparts) == ("favor", "ada", ("charles",))
        assert touch.giver == "counterparts" and touch.note == "Read the draft of the notes"
        assert touch.occurred_at == datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=UTC)
        assert touch.retracted_reason is not None
        assert book.pair("ada", "charles") is None  # its one touch is retracted
        assert book.audit().ok


def test_migrate_refuses_a_ledger_that_is_not_empty(tmp_path: Path) -> None:
    _old_ledger(tmp_path / "old.db")
    with ledger.open(f"sqlite:///{tmp_path / 'new.db'}") as book:
        book.add_person("someone")
    with pytest.raises(ledger.StorageError, match="not empty"):
        ledger.migrate(f"sqlite:///{tmp_path / 'old.db'}", f"sqlite:///{tmp_path / 'new.db'}")
