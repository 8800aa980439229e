"""The personal columns of the views, sealed on an encrypted ledger.

On an encrypted ledger the views hold people's keys and names, attribute values, the
names of sources and the reasons given for retractions and snoozes sealed under the
views key (AES-GCM; see :mod:`ledger.store.keys`), and everything else as numbers: a
copy of the database file shows who is in it to no one without the key. They are found
by keyed digests, never by their text. On a ledger without encryption they are stored
as they are (and can still be erased: ``ledger forget``).
"""

from __future__ import annotations

from ledger.store.seal import seal, unseal

__all__ = ["ViewSeal"]

_AAD = b"ledger view"


class ViewSeal:
    """Seals and opens view values with one key (or passes them through, without)."""

    def __init__(self, key: bytes | None) -> None:
        self.key = key

    def text(self, value: str) -> str:
        return value if self.key is None else seal(self.key, value.encode(), _AAD)

    def open(self, stored: str) -> str:
        return stored if self.key is None else unseal(self.key, stored, _AAD).decode()

    def maybe(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def open_maybe(self, stored: str | None) -> str | None:
        return None if stored is None else self.open(stored)
