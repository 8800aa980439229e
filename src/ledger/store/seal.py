"""Sealing personal data: per-person keys, AES-GCM, and the ledger's keyed digests.

Each person gets a random 256-bit key when first registered. Their card (key, name,
identifiers, attributes) and every later attribute change are sealed under it with
AES-GCM (``cryptography``), the person id as associated data, so a sealed card cannot
be moved to another person unnoticed. A touchpoint's note is sealed under a key derived
(HKDF-SHA256) from all of its participants' keys together. Destroying a person's key
therefore makes their card and every note they took part in unreadable, and nothing
else: crypto-shredding.

Two ledger secrets, made at ``init``, derive identities without revealing them:

* the *id key* keys a BLAKE2b digest of a fact's source, reference and content: its
  fact id, so recording the same fact twice is a no-op, and a corrected fact (other
  content under the same reference) is a new one;
* the *index key* keys the digest of each identifier (``key``/``email``/... and its
  value) by which a person is found, so the index names no one in plain text.

Sealed values are URL-safe base64 text (they travel inside JSON events).
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ledger.errors import LedgerError

__all__ = [
    "KEY_BYTES",
    "SealError",
    "digest",
    "fact_id",
    "new_key",
    "note_key",
    "seal",
    "unseal",
]

KEY_BYTES = 32
_NONCE = 12


class SealError(LedgerError, ValueError):
    """A sealed value does not open with the key given: a wrong key, or an edit."""


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return os.urandom(KEY_BYTES)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> str:
    """``plaintext`` encrypted and authenticated under ``key`` (AES-256-GCM)."""
    nonce = os.urandom(_NONCE)
    sealed = nonce + AESGCM(key).encrypt(nonce, plaintext, aad)
    return base64.urlsafe_b64encode(sealed).decode("ascii")


def unseal(key: bytes, sealed: str, aad: bytes) -> bytes:
    """What :func:`seal` sealed; :class:`SealError` if the key or the value is wrong."""
    try:
        raw = base64.urlsafe_b64decode(sealed)
        return AESGCM(key).decrypt(raw[:_NONCE], raw[_NONCE:], aad)
    except (InvalidTag, ValueError, TypeError):
        raise SealError("a sealed value does not open: wrong key, or edited") from None


def note_key(participant_keys: Sequence[bytes], touch_id: str) -> bytes:
    """The key of a touchpoint's note: all its participants' keys together, so that
    forgetting any one of them shreds the note."""
    material = b"".join(sorted(participant_keys))
    kdf = HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"note:" + touch_id.encode()
    )
    return kdf.derive(material)


def fact_id(id_key: bytes, parts: Sequence[str]) -> str:
    """The 32-hex-digit id of a fact whose source, reference and content are ``parts``.

    The parts are joined with NUL, which none of them can hold (keys, references and
    sources are clean text, the rest numbers and kind names), so no two different
    facts join alike; one keyed BLAKE2b call is the cost of an id in a bulk import.
    """
    return hashlib.blake2b("\x00".join(parts).encode(), key=id_key, digest_size=16).hexdigest()


def digest(index_key: bytes, kind: str, value: str) -> bytes:
    """The index digest (16 bytes) of one identifier of a person."""
    h = hashlib.blake2b(key=index_key, digest_size=16)
    h.update(kind.encode() + b"\x00" + value.encode())
    return h.digest()
