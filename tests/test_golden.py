"""Stored payloads of every event class and version still decode (and re-encode the same)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from ledger.facts.events import Person, Touchpoint
from ledger.store.application import LedgerApplication

GOLDEN = Path(__file__).parent / "golden"


def _stored(entry: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(entry["originator_id"]),
        originator_version=entry["originator_version"],
        topic=entry["topic"],
        state=entry["state"].encode(),
    )


@pytest.fixture(scope="module")
def app() -> LedgerApplication:
    return LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def _payloads() -> list[dict[str, Any]]:
    return [
        entry for path in sorted(GOLDEN.glob("v*.json")) for entry in json.loads(path.read_text())
    ]


@pytest.mark.parametrize("entry", _payloads(), ids=lambda e: f"{e['topic']}-v{e['class_version']}")
def test_every_golden_payload_decodes_and_reencodes_identically(
    app: LedgerApplication, entry: dict[str, Any]
) -> None:
    event = app.mapper.to_domain_event(_stored(entry))
    assert event.originator_version == entry["originator_version"]
    if getattr(type(event), "class_version", 1) == entry["class_version"]:
        assert app.mapper.to_stored_event(event).state == entry["state"].encode()


def test_golden_v1_values(app: LedgerApplication) -> None:
    events = [
        app.mapper.to_domain_event(_stored(e)) for e in json.loads((GOLDEN / "v1.json").read_text())
    ]
    registered, changed, recorded, retracted = events
    assert isinstance(registered, Person.Registered)
    assert (registered.key, registered.name) == ("ada", "Ada Lovelace")
    assert isinstance(changed, Person.AttributesChanged)
    assert changed.effective_at == datetime(2023, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    assert changed.changes == {
        "org": "Analytical Engines",
        "tags": ["maths", "poetry"],
        "title": None,
    }
    assert isinstance(recorded, Touchpoint.Recorded)
    assert recorded.occurred_at == datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=UTC)
    assert (recorded.kind, recorded.initiator, recorded.counterparts) == (
        "favor",
        "ada",
        ["charles"],
    )
    assert (recorded.giver, recorded.source_ref) == ("counterparts", "9f2c#1")
    assert isinstance(retracted, Touchpoint.Retracted)
    assert retracted.reason == "entered twice"


class _RecordedV2(Touchpoint.Recorded):
    """How Recorded would evolve: v2 adds ``channel``; v1 payloads are upcast."""

    class_version: ClassVar[int] = 2  # type: ignore[misc]
    channel: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["channel"] = "unknown"


def test_v1_payload_upcasts_to_a_newer_class_version(app: LedgerApplication) -> None:
    """The upcasting path eventsourcing runs when a class's version moves on."""
    entry = json.loads((GOLDEN / "v1.json").read_text())[2]
    stored = _stored({**entry, "topic": f"{__name__}:_RecordedV2"})
    event = app.mapper.to_domain_event(stored)
    assert isinstance(event, _RecordedV2)
    assert event.channel == "unknown"
    assert event.source_ref == "9f2c#1"
    assert b'"class_version":2' in app.mapper.to_stored_event(event).state


@pytest.mark.parametrize("entry", _payloads(), ids=lambda e: f"{e['topic']}-v{e['class_version']}")
def test_fast_replay_decoder_builds_what_the_mapper_builds(
    app: LedgerApplication, entry: dict[str, Any]
) -> None:
    from ledger.store._decode import decode_event

    stored = _stored(entry)
    fast, slow = decode_event(app.mapper, stored), app.mapper.to_domain_event(stored)
    assert type(fast) is type(slow)
    assert fast.__dict__ == slow.__dict__
