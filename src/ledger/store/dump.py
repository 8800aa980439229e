"""``ledger dump`` and ``ledger load``: every fact out, and back into an empty ledger.

A dump is JSON Lines, one object per line, in this order:

1. ``{"ledger_dump": 1, "format": "2", "created": ISO, "events": N}``: the header;
2. ``{"secrets": {"id_key": HEX, "index_key": HEX}}``: the ledger's two secrets (fact
   ids and identity digests are derived with them, so that a loaded ledger recognises
   re-imports);
3. one ``{"event": {"id", "originator_id", "originator_version", "topic", "state"}}``
   per stored event, in log order; ``state`` is base64 of the stored bytes below
   eventsourcing's cipher (compressed, personal parts still sealed per person);
4. one ``{"key": {"person": HEX, "key": B64}}`` per person not forgotten, and one
   ``{"identity": {"digest": HEX, "person": HEX}}`` per identifier (tombstones too);
5. ``{"end": {"events": N, "keys": K, "sha256": HEX}}``: a digest of every line before.

Written with a passphrase, the same bytes are zstd-compressed and sealed with AES-GCM
in chunks under a key derived from it (scrypt): see :data:`ENCRYPTED_MAGIC`. Loading
inserts the events verbatim into an empty ledger (re-encrypted if the new ledger is
encrypted), writes a new hash chain over them, and rebuilds the views: the loaded
ledger answers every question as the original did, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any
from uuid import UUID

import orjson
import zstandard
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from ledger.errors import InvalidInputError, StorageError
from ledger.facts.events import Attributes, Retractions
from ledger.store._batches import TOUCHES_TOPIC, columns_of
from ledger.store._open import Store
from ledger.store._read import pages, read_events
from ledger.store._tables import ATTRIBUTE_FACT, TOUCH_FACT, touch_at
from ledger.store.chain import LOWEST
from ledger.store.seal import KEY_BYTES, SealError, seal, unseal

__all__ = ["DUMP_VERSION", "ENCRYPTED_MAGIC", "dump_lines", "load_lines", "read_dump", "write_dump"]

DUMP_VERSION = 1
ENCRYPTED_MAGIC = b"ledger-dump-encrypted 1\n"
"""An encrypted dump starts with this line, then one JSON line (scrypt's salt and cost),
then chunks: 4 bytes of length and an AES-GCM sealed, zstd-compressed part."""
_ATTRIBUTES = get_topic(Attributes.Changed)
_RETRACTIONS = get_topic(Retractions.Recorded)
_CHUNK = 1 << 20
_PAGE = 200


def dump_lines(store: Store) -> Iterator[bytes]:
    """The dump of ``store``, line by line (each ends with a newline), from one snapshot."""
    digest = hashlib.sha256()

    def line(value: Any) -> bytes:
        data = orjson.dumps(value) + b"\n"
        digest.update(data)
        return data

    mapper = store.app.mapper
    with store.snapshot() as c:
        total, _, _ = store.chain.bounds(c)
        yield line(
            {
                "ledger_dump": DUMP_VERSION,
                "format": store.format,
                "created": datetime.now(UTC).isoformat(),
                "events": total,
            }
        )
        yield line({"secrets": {"id_key": store.id_key.hex(), "index_key": store.index_key.hex()}})
        count, after = 0, LOWEST
        while page := read_events(store.storage, c, after, 2**63 - 1, _PAGE):
            for nid, oid, version, topic, state in page:
                plain = mapper.cipher.decrypt(state) if mapper.cipher is not None else state
                event = {
                    "id": nid,
                    "originator_id": oid,
                    "originator_version": version,
                    "topic": topic,
                }
                yield line({"event": {**event, "state": base64.b64encode(plain).decode()}})
                count += 1
            after = page[-1][0]
        keys = store.keys_of(c, _people(store, c))
        for person, key in sorted(keys.items()):
            yield line({"key": {"person": person.hex(), "key": base64.b64encode(key).decode()}})
        c.execute(store.tables.sql("SELECT digest, person FROM {identities} ORDER BY digest"))
        for rows in pages(c):
            for row in rows:
                yield line(
                    {
                        "identity": {
                            "digest": bytes(row["digest"]).hex(),
                            "person": bytes(row["person"]).hex(),
                        }
                    }
                )
    yield (
        orjson.dumps({"end": {"events": count, "keys": len(keys), "sha256": digest.hexdigest()}})
        + b"\n"
    )


def _people(store: Store, c: Any) -> list[bytes]:
    c.execute(store.tables.sql("SELECT person FROM {keys}"))
    return [bytes(row["person"]) for row in c.fetchall()]


def load_lines(store: Store, lines: Iterator[bytes]) -> int:
    """Load a dump's lines into ``store`` (which must be empty); the events loaded."""
    digest = hashlib.sha256()
    header = _line(next(lines, b""), digest, "the header")
    if header.get("ledger_dump") != DUMP_VERSION:
        raise InvalidInputError(
            "dump", str(header)[:80], f"not a ledger dump (version {DUMP_VERSION})"
        )
    secrets = _line(next(lines, b""), digest, "the secrets")["secrets"]
    mapper = store.app.mapper
    count = 0
    with store.writing() as txn:
        if txn.last_position():
            raise StorageError(f"url: '{store.url}' is not empty: load into a new ledger")
        txn.replace_secrets(bytes.fromhex(secrets["id_key"]), bytes.fromhex(secrets["index_key"]))
        batch: list[StoredEvent] = []
        for raw in lines:
            item = orjson.loads(raw)
            if "end" in item:
                _check_end(item["end"], digest, count)
                _insert(store, txn, batch)
                return count
            digest.update(raw if raw.endswith(b"\n") else raw + b"\n")
            if "event" in item:
                batch.append(_stored(mapper, item["event"]))
                count += 1
                if len(batch) >= _PAGE:
                    _insert(store, txn, batch)
                    batch = []
            elif "key" in item:
                _insert(store, txn, batch)
                batch = []
                person = bytes.fromhex(item["key"]["person"])
                store.add_keys(txn.cursor, [(person, base64.b64decode(item["key"]["key"]))])
            elif "identity" in item:
                found = item["identity"]
                store.tables.add_identities(
                    txn.cursor, [(bytes.fromhex(found["digest"]), bytes.fromhex(found["person"]))]
                )
        raise InvalidInputError("dump", "", "cut short: it has no end line (a partial copy?)")


def _insert(store: Store, txn: Any, events: list[StoredEvent]) -> None:
    """Insert loaded events and index their facts under their new notification ids (the
    index that tells a re-import, and a retraction, where each fact is)."""
    ids = txn.insert(events)
    mapper = store.app.mapper
    for nid, stored in zip(ids, events, strict=True):
        if stored.topic == TOUCHES_TOPIC:
            columns = columns_of(mapper, stored.state)
            rows = [
                (bytes.fromhex(columns["ids"][32 * i : 32 * i + 32]), touch_at(nid, i))
                for i in range(len(columns["t"]))
            ]
            store.tables.add_facts(txn.cursor, TOUCH_FACT, rows)
        elif stored.topic in (_ATTRIBUTES, _RETRACTIONS):
            event: Any = mapper.to_domain_event(stored)
            if stored.topic == _ATTRIBUTES:
                rows = [
                    (bytes.fromhex(row[0]), touch_at(nid, i)) for i, row in enumerate(event.changes)
                ]
                store.tables.add_facts(txn.cursor, ATTRIBUTE_FACT, rows)
            else:
                store.tables.mark_retracted(txn.cursor, [bytes.fromhex(t) for t in event.touch_ids])


def _stored(mapper: Any, event: dict[str, Any]) -> StoredEvent:
    state = base64.b64decode(event["state"])
    if mapper.cipher is not None:
        state = mapper.cipher.encrypt(state)
    return StoredEvent(
        UUID(event["originator_id"]), int(event["originator_version"]), str(event["topic"]), state
    )


def _line(raw: bytes, digest: Any, what: str) -> dict[str, Any]:
    if not raw:
        raise InvalidInputError("dump", "", f"empty: {what} is missing")
    digest.update(raw if raw.endswith(b"\n") else raw + b"\n")
    try:
        found = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidInputError(
            "dump", raw[:80].decode("utf-8", "replace"), f"{what} is not JSON"
        ) from None
    if not isinstance(found, dict):
        raise InvalidInputError(
            "dump", raw[:80].decode("utf-8", "replace"), f"{what} is not an object"
        )
    return found


def _check_end(end: dict[str, Any], digest: Any, count: int) -> None:
    if end.get("events") != count or end.get("sha256") != digest.hexdigest():
        raise InvalidInputError(
            "dump",
            str(end)[:80],
            "its end line does not match what came before: it was changed or cut",
        )


# -- the file ------------------------------------------------------------------------------
def write_dump(lines: Iterator[bytes], out: IO[bytes], passphrase: str | None = None) -> None:
    """Write ``lines`` to ``out``, sealed under ``passphrase`` when one is given."""
    if passphrase is None:
        for data in lines:
            out.write(data)
        return
    salt, cost = os.urandom(16), 2**15
    key = _dump_key(passphrase, salt, cost)
    out.write(ENCRYPTED_MAGIC + orjson.dumps({"salt": salt.hex(), "n": cost}) + b"\n")
    compressor = zstandard.ZstdCompressor(level=3)
    buffer = bytearray()
    for data in lines:
        buffer += data
        if len(buffer) >= _CHUNK:
            _chunk(out, key, compressor.compress(bytes(buffer)))
            buffer.clear()
    _chunk(out, key, compressor.compress(bytes(buffer)))


def _chunk(out: IO[bytes], key: bytes, data: bytes) -> None:
    sealed = base64.urlsafe_b64decode(seal(key, data, b"ledger dump"))
    out.write(len(sealed).to_bytes(4, "big") + sealed)


def read_dump(stream: IO[bytes], passphrase: str | None = None) -> Iterator[bytes]:
    """The lines of a dump file (opened with ``passphrase`` if it is encrypted)."""
    first = stream.readline()
    if first != ENCRYPTED_MAGIC:
        yield first
        yield from stream
        return
    if passphrase is None:
        raise InvalidInputError("dump", "encrypted", "this dump is encrypted: give its passphrase")
    settings = orjson.loads(stream.readline())
    key = _dump_key(passphrase, bytes.fromhex(settings["salt"]), int(settings["n"]))
    decompressor = zstandard.ZstdDecompressor()
    rest = b""
    while size := stream.read(4):
        sealed = stream.read(int.from_bytes(size, "big"))
        try:
            data = decompressor.decompress(
                unseal(key, base64.urlsafe_b64encode(sealed).decode(), b"ledger dump")
            )
        except (SealError, zstandard.ZstdError):
            raise InvalidInputError(
                "dump", "encrypted", "the passphrase does not open this dump (or it was changed)"
            ) from None
        parts = (rest + data).split(b"\n")
        rest = parts.pop()
        for part in parts:
            yield part + b"\n"
    if rest:
        yield rest


def _dump_key(passphrase: str, salt: bytes, cost: int) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=cost, r=8, p=1).derive(passphrase.encode())
