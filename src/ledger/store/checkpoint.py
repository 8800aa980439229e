"""Signed checkpoints: tamper evidence that needs nothing stored in the database.

``ledger checkpoint`` signs, with an Ed25519 key kept outside the database (as
Certificate Transparency signs its tree heads), the state of the log at one moment:
its last position, its chain head, and a short hash of every event up to there. Kept
somewhere the database's writers cannot reach (a file elsewhere, a printout, a
colleague's mailbox), it lets ``ledger audit --checkpoint FILE`` name every event that
was changed, removed or inserted before the checkpoint, however consistently the
chain was recomputed since, and count the events that came after it. Only the public
key is needed to check one; only the private key can make one.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.errors import InvalidInputError, WrongKeyError
from ledger.store._open import Store
from ledger.store._read import read_events
from ledger.store.chain import LOWEST

__all__ = [
    "CHECKPOINT_VERSION",
    "Checkpoint",
    "CheckpointFinding",
    "compare",
    "make_checkpoint",
    "new_signing_key",
    "read_checkpoint",
]

CHECKPOINT_VERSION = 1
_PAGE = 200


@attrs.frozen
class Checkpoint:
    """A signed state of the log."""

    position: int
    head: str
    events: int
    made_at: str
    hashes: dict[int, str]
    """Each event's notification id and the first 16 bytes (hex) of its hash."""


@attrs.frozen
class CheckpointFinding:
    """What differs between the log and a checkpoint."""

    changed: tuple[int, ...]
    removed: tuple[int, ...]
    inserted: tuple[int, ...]
    after: int
    """Events stored after the checkpoint's position."""

    @property
    def ok(self) -> bool:
        return not (self.changed or self.removed or self.inserted)


def event_hash(nid: int, oid: str, version: int, topic: str, state: bytes) -> str:
    """The short hash of one stored event, as a checkpoint keeps it."""
    h = hashlib.sha256(f"{nid}\x00{oid}\x00{version}\x00{topic}\x00".encode())
    h.update(state)
    return h.hexdigest()[:32]


def new_signing_key(path: Path) -> Path:
    """Write a new Ed25519 private key to ``path`` (owner-only) and its public key
    beside it (``.pub``); the public key's path."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.touch(mode=0o600, exist_ok=False)
    path.write_bytes(private)
    public = path.with_suffix(path.suffix + ".pub")
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return public


def make_checkpoint(store: Store, private_key_pem: bytes) -> bytes:
    """A signed checkpoint of ``store``'s log now (JSON bytes)."""
    key = _private(private_key_pem)
    hashes: dict[int, str] = {}
    with store.snapshot() as c:
        after = LOWEST
        while page := read_events(store.storage, c, after, 2**63 - 1, _PAGE):
            for nid, oid, version, topic, state in page:
                hashes[nid] = event_hash(nid, oid, version, topic, state)
            after = page[-1][0]
        c.execute(f"SELECT hash FROM {store.chain.table} ORDER BY notification_id DESC LIMIT 1")
        row = c.fetchone()
    body = {
        "ledger_checkpoint": CHECKPOINT_VERSION,
        "position": max(hashes, default=0),
        "head": "" if row is None else str(row["hash"]),
        "events": len(hashes),
        "made_at": datetime.now(UTC).isoformat(),
        "hashes": [[nid, h] for nid, h in sorted(hashes.items())],
    }
    signed = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    signature = base64.b64encode(key.sign(signed)).decode()
    return orjson.dumps({"checkpoint": body, "signature": signature}, option=orjson.OPT_INDENT_2)


def read_checkpoint(data: bytes, public_key_pem: bytes) -> Checkpoint:
    """A checkpoint file's content, its signature checked with the public key."""
    try:
        document = orjson.loads(data)
        body, signature = document["checkpoint"], base64.b64decode(document["signature"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InvalidInputError(
            "checkpoint", data[:80].decode("utf-8", "replace"), "not a ledger checkpoint"
        ) from None
    try:
        _public(public_key_pem).verify(signature, orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
    except InvalidSignature:
        raise WrongKeyError(
            "checkpoint: its signature does not match: it was edited, or the key is another's"
        ) from None
    return Checkpoint(
        position=int(body["position"]),
        head=str(body["head"]),
        events=int(body["events"]),
        made_at=str(body["made_at"]),
        hashes={int(nid): str(h) for nid, h in body["hashes"]},
    )


def compare(checkpoint: Checkpoint, stored: dict[int, str], after: int) -> CheckpointFinding:
    """The log's events up to the checkpoint's position (``stored``: id to short hash)
    against the checkpoint's."""
    changed = sorted(
        n for n, h in stored.items() if n in checkpoint.hashes and checkpoint.hashes[n] != h
    )
    removed = sorted(set(checkpoint.hashes) - set(stored))
    inserted = sorted(set(stored) - set(checkpoint.hashes))
    return CheckpointFinding(tuple(changed), tuple(removed), tuple(inserted), after)


def _private(pem: bytes) -> Ed25519PrivateKey:
    try:
        key: Any = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise WrongKeyError("checkpoint: not an Ed25519 private key (PEM)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise WrongKeyError("checkpoint: not an Ed25519 private key (PEM)")
    return key


def _public(pem: bytes) -> Ed25519PublicKey:
    try:
        key: Any = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise WrongKeyError("checkpoint: not an Ed25519 public key (PEM)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise WrongKeyError("checkpoint: not an Ed25519 public key (PEM)")
    return key
