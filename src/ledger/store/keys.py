"""Encryption at rest: the master key, what is derived from it, and how it is checked.

An encrypted ledger (``ledger init --encrypt``) has a 256-bit *master key*, either
derived from a passphrase with scrypt (memory-hard; its salt and cost are stored) or
given as a key (32 bytes, hex or base64, from a file or ``$LEDGER_KEY``). Nothing of
the master key is stored: only a check value (an HMAC of a fixed text) that tells a
wrong key from a right one before anything is read. From it HKDF derives

* the *events key*: eventsourcing's own ``AESCipher`` (AES-GCM) encrypts every stored
  event with it, so no event's bytes are readable without it;
* the *wrap key*: every person's key and the ledger's two secrets are stored wrapped
  (AES-GCM) under it;
* the *views key*: the personal columns of the views (keys, names, attributes, source
  names, reasons) are sealed under it; the views otherwise hold only numbers.

A ledger without encryption stores the same per-person keys and secrets unwrapped: it
can still forget a person (their key is destroyed), but anyone who can read its file
can read it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping

import attrs
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ledger.errors import KeyRequiredError, WrongKeyError
from ledger.store.seal import KEY_BYTES, SealError, seal, unseal

__all__ = ["SCRYPT_N", "Keyring", "Secret", "encryption_settings", "parse_key", "unlock"]

SCRYPT_N = 2**15
"""scrypt's cost (32 MiB of memory, about 0.1 s here); stored with each ledger."""
_CHECK = b"ledger key check v1"


@attrs.frozen(repr=False)
class Secret:
    """What unlocks an encrypted ledger: a passphrase or a raw key (never printed)."""

    passphrase: str | None = None
    key: bytes | None = None

    def __repr__(self) -> str:
        return "Secret(***)"


def parse_key(text: str) -> bytes:
    """A 32-byte key written as 64 hex digits or base64."""
    text = text.strip()
    try:
        raw = (
            bytes.fromhex(text)
            if len(text) == 2 * KEY_BYTES
            else base64.b64decode(text, validate=True)
        )
    except ValueError:
        raw = b""
    if len(raw) != KEY_BYTES:
        raise WrongKeyError("key: expected 32 bytes as 64 hex digits or base64") from None
    return raw


@attrs.frozen(repr=False)
class Keyring:
    """A ledger's key material, unlocked (or none, for a ledger without encryption)."""

    master: bytes | None

    @property
    def encrypted(self) -> bool:
        return self.master is not None

    def derived(self, purpose: str) -> bytes:
        assert self.master is not None
        kdf = HKDF(
            algorithm=hashes.SHA256(),
            length=KEY_BYTES,
            salt=None,
            info=f"ledger {purpose}".encode(),
        )
        return kdf.derive(self.master)

    @property
    def events_key(self) -> bytes:
        return self.derived("events")

    @property
    def views_key(self) -> bytes | None:
        return self.derived("views") if self.master is not None else None

    def wrap(self, key: bytes, aad: bytes) -> bytes:
        """``key`` as stored: wrapped under the wrap key (as it is, without encryption)."""
        if self.master is None:
            return key
        return seal(self.derived("wrap"), key, aad).encode("ascii")

    def unwrap(self, stored: bytes, aad: bytes) -> bytes:
        if self.master is None:
            return stored
        try:
            return unseal(self.derived("wrap"), stored.decode("ascii"), aad)
        except (SealError, UnicodeDecodeError):
            raise WrongKeyError("a stored key does not open with this ledger's key") from None

    def __repr__(self) -> str:
        return f"Keyring(encrypted={self.encrypted})"


def encryption_settings(secret: Secret, cost: int = SCRYPT_N) -> tuple[dict[str, str], Keyring]:
    """The stored settings of a new encrypted ledger, and its unlocked key ring."""
    if secret.key is not None:
        kdf = {"kdf": "key"}
        master = secret.key
    elif secret.passphrase:
        salt = os.urandom(16)
        kdf = {"kdf": "scrypt", "kdf_n": str(cost), "kdf_salt": salt.hex()}
        master = _scrypt(secret.passphrase, salt, cost)
    else:
        raise WrongKeyError("encrypt: give a passphrase or a key")
    return {"cipher": "aes-gcm", **kdf, "key_check": _check(master)}, Keyring(master)


def unlock(settings: Mapping[str, str], secret: Secret | None) -> Keyring:
    """The key ring of a ledger with stored ``settings``, opened with ``secret``."""
    if settings.get("cipher", "none") == "none":
        return Keyring(None)
    if secret is None or (secret.key is None and not secret.passphrase):
        raise KeyRequiredError(
            "this ledger is encrypted: give its passphrase ($LEDGER_PASSPHRASE, or typed when "
            "asked) or its key ($LEDGER_KEY, --key-file)"
        )
    if settings.get("kdf") == "scrypt":
        if secret.passphrase is None:
            raise WrongKeyError("this ledger is opened with a passphrase, not a key")
        master = _scrypt(
            secret.passphrase, bytes.fromhex(settings["kdf_salt"]), int(settings["kdf_n"])
        )
    else:
        if secret.key is None:
            raise WrongKeyError("this ledger is opened with a key, not a passphrase")
        master = secret.key
    if not hmac.compare_digest(_check(master), settings.get("key_check", "")):
        raise WrongKeyError("the passphrase or key does not open this ledger")
    return Keyring(master)


def _scrypt(passphrase: str, salt: bytes, cost: int) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=cost, r=8, p=1).derive(passphrase.encode())


def _check(master: bytes) -> str:
    return hmac.new(master, _CHECK, hashlib.sha256).hexdigest()
