"""Stored payloads of every event class and version still decode, and re-encode the same.

``golden/v1*.json``: the first format (ledger 0.1, :mod:`ledger.facts.legacy`), one plain
event per fact. ``golden/v2.json``: the facts as the engine stores them now
(:mod:`ledger.facts.events`), the transcoded state as text before compression, written
once by the code of issue 10; their sealed parts open with the people's keys in
``golden/v2_keys.json`` (test keys, of no other ledger).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

import numpy as np
import orjson
import pytest
from eventsourcing.persistence import StoredEvent
from ledger.projections import KIND_CODE

from ledger.facts import legacy
from ledger.facts.events import (
    SETTINGS_ID,
    Attributes,
    People,
    Retractions,
    Settings,
    Snoozes,
    Touches,
)
from ledger.facts.kinds import Kind
from ledger.store import seal
from ledger.store.application import LedgerApplication
from ledger.store.compressor import ZstdCompressor
from ledger.views._decode import _touches as fast_touches

GOLDEN = Path(__file__).parent / "golden"
V2 = json.loads((GOLDEN / "v2.json").read_text())
KEYS = {
    person: bytes.fromhex(key)
    for person, key in orjson.loads((GOLDEN / "v2_keys.json").read_text()).items()
}
ADA, CHARLES, MARY = (
    "01f843c27133443bb202bcb446357d39",
    "82b6d5bdea1f46d382b448e37e2ef521",
    "b60761c103254a3ca31ca060eaadd86b",
)


def _stored(entry: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(entry["originator_id"]),
        originator_version=entry["originator_version"],
        topic=entry["topic"],
        state=entry["state"].encode(),
    )


@pytest.fixture(scope="module")
def app() -> LedgerApplication:
    """The ledger's transcoder, without compression: the golden states are plain."""
    return LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


@pytest.fixture(scope="module")
def zstd_app() -> LedgerApplication:
    """The ledger's mapper as a format-2 ledger configures it: Zstandard compression."""
    return LedgerApplication(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.popo",
            "COMPRESSOR_TOPIC": "ledger.store.compressor:ZstdCompressor",
        }
    )


def _payloads() -> list[dict[str, Any]]:
    return [
        entry
        for path in sorted(GOLDEN.glob("v*.json"))
        if "keys" not in path.name
        for entry in json.loads(path.read_text())
    ]


def _id(entry: dict[str, Any]) -> str:
    return f"{entry['topic']}-v{entry['class_version']}"


@pytest.mark.parametrize("entry", _payloads(), ids=_id)
def test_every_golden_payload_decodes_and_reencodes_identically(
    app: LedgerApplication, entry: dict[str, Any]
) -> None:
    event = app.mapper.to_domain_event(_stored(entry))
    assert event.originator_version == entry["originator_version"]
    if getattr(type(event), "class_version", 1) == entry["class_version"]:
        assert app.mapper.to_stored_event(event).state == entry["state"].encode()


# -- v1: the first format, decoded by the legacy classes ------------------------------------------
def test_golden_v1_values(app: LedgerApplication) -> None:
    events = [
        app.mapper.to_domain_event(_stored(e)) for e in json.loads((GOLDEN / "v1.json").read_text())
    ]
    registered, changed, recorded, retracted = events
    assert isinstance(registered, legacy.Person.Registered)
    assert (registered.key, registered.name) == ("ada", "Ada Lovelace")
    assert isinstance(changed, legacy.Person.AttributesChanged)
    assert changed.effective_at == datetime(2023, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    assert changed.changes == {
        "org": "Analytical Engines",
        "tags": ["maths", "poetry"],
        "title": None,
    }
    assert isinstance(recorded, legacy.Touchpoint.Recorded)
    assert recorded.occurred_at == datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=UTC)
    assert (recorded.kind, recorded.initiator, recorded.counterparts) == (
        "favor",
        "ada",
        ["charles"],
    )
    assert (recorded.giver, recorded.source_ref) == ("counterparts", "9f2c#1")
    assert isinstance(retracted, legacy.Touchpoint.Retracted)
    assert retracted.reason == "entered twice"


def test_golden_v1_insights_values(app: LedgerApplication) -> None:
    declared, changed, snoozed = (
        app.mapper.to_domain_event(_stored(e))
        for e in json.loads((GOLDEN / "v1_insights.json").read_text())
    )
    assert isinstance(declared, legacy.Owner.Declared)
    assert isinstance(changed, legacy.Owner.Changed)
    assert isinstance(snoozed, legacy.Snooze.Set)


class _RecordedV2(legacy.Touchpoint.Recorded):
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


# -- v2: the facts as stored now -------------------------------------------------------------------
def _v2(app: LedgerApplication) -> list[Any]:
    return [app.mapper.to_domain_event(_stored(e)) for e in V2]


def _open(person: str, sealed: str) -> bytes:
    return seal.unseal(KEYS[person], sealed, bytes.fromhex(person))


def test_golden_v2_people_and_attributes_open_with_their_keys(app: LedgerApplication) -> None:
    events = _v2(app)
    registered = [e for e in events if isinstance(e, People.Registered)]
    cards = {p: orjson.loads(_open(p, sealed)) for e in registered for p, sealed in e.people}
    assert cards == {
        ADA: {
            "key": "ada",
            "name": "Ada Lovelace",
            "identifiers": [["key", "ada"]],
            "attributes": {"org": "Analytical Engines", "tags": ["maths", "poetry"]},
        },
        CHARLES: {
            "key": "charles",
            "name": "Charles Babbage",
            "identifiers": [["key", "charles"]],
            "attributes": {},
        },
        MARY: {
            "key": "mary",
            "name": "Mary Somerville",
            "identifiers": [["key", "mary"]],
            "attributes": {},
        },
    }
    [changed] = [e for e in events if isinstance(e, Attributes.Changed)]
    [[fact, person, effective, sealed]] = changed.changes
    assert (person, effective) == (ADA, 1_672_527_600_000_000)  # 2023-01-01T00:00+01:00
    assert len(fact) == 32
    assert orjson.loads(_open(person, sealed)) == {
        "org": "Difference Engines",
        "tags": ["engines"],
        "title": None,
    }
    with pytest.raises(seal.SealError):  # a card does not open under another's key
        seal.unseal(KEYS[CHARLES], registered[0].people[0][1], bytes.fromhex(ADA))
    with pytest.raises(seal.SealError):  # nor moved to another person
        seal.unseal(KEYS[ADA], registered[0].people[0][1], bytes.fromhex(CHARLES))


def test_golden_v2_touches(app: LedgerApplication) -> None:
    batch, single = [e for e in _v2(app) if isinstance(e, Touches.Recorded)]
    assert batch.people == [ADA, CHARLES, MARY]
    assert [batch.kinds[k] for k in batch.kind] == ["favor", "message", "meeting"]
    assert [batch.sources[s] for s in batch.source] == [
        "linkedin:messages.csv",
        "manual",
        "calendar:work.ics",
    ]
    assert batch.t == [-4_309_804_800_000_000, 1_700_000_000_000_001, 1_709_251_199_123_456]
    assert (batch.size, batch.who) == ([2, 2, 3], [0, 1, 2, 0, 0, 1, 2])
    assert batch.flags == [
        Touches.COUNTERPARTS_GAVE,
        Touches.SYMMETRIC,
        Touches.PERSONALIZED,
    ]
    assert batch.duration == [None, None, 3600]
    [[row, sealed]] = batch.notes
    assert row == 2
    touch_id = batch.ids[32 * row : 32 * row + 32]
    key = seal.note_key([KEYS[p] for p in (ADA, CHARLES, MARY)], touch_id)
    assert seal.unseal(key, sealed, bytes.fromhex(touch_id)) == b"Read the draft of the notes"
    with pytest.raises(seal.SealError):  # forgetting anyone who took part shreds the note
        seal.unseal(seal.note_key([KEYS[ADA], KEYS[CHARLES]], touch_id), sealed, b"")
    assert (single.kinds, single.who, single.duration) == (["email"], [0, 1], [None])


def test_golden_v2_retractions_settings_snoozes(app: LedgerApplication) -> None:
    events = _v2(app)
    [retracted] = [e for e in events if isinstance(e, Retractions.Recorded)]
    single = [e for e in events if isinstance(e, Touches.Recorded)][1]
    assert (retracted.touch_ids, retracted.reason) == ([single.ids], "entered twice")
    settings = [e for e in events if isinstance(e, Settings.Started | Settings.Changed)]
    assert {e.originator_id for e in settings} == {SETTINGS_ID}
    assert [(e.originator_version, e.changes, e.actor) for e in settings] == [
        (1, {"half_life_days": 30.5}, "ada"),
        (2, {"weights": {"meeting": 5.0, "introduced": 0.25}}, "ada"),
        (3, {"timezone": "Europe/London"}, "charles"),
        (4, {"owner": ADA}, None),
    ]
    [snoozed] = [e for e in events if isinstance(e, Snoozes.Set)]
    assert (snoozed.a, snoozed.b, snoozed.reason) == (ADA, CHARLES, "travelling")
    assert (snoozed.since, snoozed.until) == (1_709_251_200_000_000, 1_711_929_600_000_000)


def test_golden_v2_decodes_compressed_as_a_ledger_stores_it(zstd_app: LedgerApplication) -> None:
    compressor = ZstdCompressor()
    for entry in V2:
        stored = _stored(entry)
        packed = StoredEvent(
            stored.originator_id,
            stored.originator_version,
            stored.topic,
            compressor.compress(stored.state),
        )
        event = zstd_app.mapper.to_domain_event(packed)
        again = zstd_app.mapper.to_stored_event(event)
        assert compressor.decompress(again.state) == stored.state


@pytest.mark.parametrize(
    "entry", [e for e in V2 if e["topic"].endswith("Touches.Recorded")], ids=_id
)
def test_the_views_fast_decoder_reads_what_the_mapper_reads(
    zstd_app: LedgerApplication, entry: dict[str, Any]
) -> None:
    """The views read a batch straight from its stored bytes (no domain event): the same
    columns as eventsourcing's mapper gives."""
    stored = _stored(entry)
    event = zstd_app.mapper.to_domain_event(
        StoredEvent(stored.originator_id, 1, stored.topic, ZstdCompressor().compress(stored.state))
    )
    batch = fast_touches(zstd_app.mapper, 7, ZstdCompressor().compress(stored.state))
    assert batch.nid == 7
    assert [p.hex() for p in batch.people] == event.people
    assert batch.ids == event.ids and batch.sources == event.sources
    assert batch.t.tolist() == event.t
    assert batch.kind.tolist() == [_code(event.kinds[k]) for k in event.kind]
    for name in ("size", "who", "flags", "source"):
        assert getattr(batch, name).tolist() == getattr(event, name), name
    assert batch.duration.tolist() == [-1 if d is None else d for d in event.duration]
    assert batch.notes == event.notes
    assert batch.t.dtype == np.int64


def _code(kind: str) -> int:
    return KIND_CODE[Kind(kind)]
