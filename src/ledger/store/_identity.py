"""Who an identifier names, within one unit of work.

Each identifier of an indexed kind (key, e-mail, phone, profile URL, handle) names at
most one person: the first to claim it. A later person whose card lists it keeps it on
their card but not in the index (that is how a likely duplicate is spotted, and only a
merge, a fact, makes them one: the ledger never merges silently). A touch's participant,
written as a key, is found by its key, else by the e-mail address, phone number, profile
URL or ``platform:handle`` the key is, if it is one; a person registered under such a key
claims that identifier too, normalised, so that ``Jane@X.org`` and ``jane@x.org`` (or
``+1 212 555 0100`` and ``+12125550100``, ``telegram:User1`` and ``telegram:user1``),
whichever comes first, are one person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ledger.errors import InvalidInputError
from ledger.facts.identifiers import (
    INDEXED,
    email,
    handle,
    looks_like_email,
    phone,
    profile_url,
)
from ledger.store._tables import FORGOTTEN

__all__ = ["Identity", "Pair", "candidates"]

Pair = tuple[str, str]
"""An identifier: its kind and its normalised value."""

_HANDLE = re.compile(r"[A-Za-z][A-Za-z0-9_.+-]*:[^\s:/]\S*")
"""A key that is a ``platform:handle`` (``telegram:user123``): no space, no ``://``."""


def candidates(key: str) -> list[Pair]:
    """The identifiers a participant's key may be, in the order they are tried."""
    found: list[Pair] = [("key", key)]
    try:
        if looks_like_email(key):
            found.append(("email", email(key)))
        elif key.startswith("+"):
            found.append(("phone", phone(key)))
        elif "://" in key or key.startswith(("linkedin.com/", "www.")):
            found.append(("url", profile_url(key)))
        elif _HANDLE.fullmatch(key):
            found.append(("handle", handle(key)))
    except InvalidInputError:
        pass  # not an identifier of that kind after all: the key alone
    return found


class Identity:
    """The identity index as one unit of work sees it (its own claims included)."""

    def __init__(self, store: Any, txn: Any) -> None:
        self.store, self.txn = store, txn
        self.named: dict[Pair, str] = {}  # identifier -> person id (hex)
        self.forgotten: set[Pair] = set()
        self.claims: list[tuple[bytes, bytes]] = []

    def lookup(self, pairs: Iterable[Pair]) -> dict[Pair, str]:
        """The person each of ``pairs`` names (those that name someone)."""
        pairs = list(pairs)
        wanted = [
            p for p in dict.fromkeys(pairs) if p not in self.named and p not in self.forgotten
        ]
        if wanted:
            by_digest = {self.store.digest(kind, value): (kind, value) for kind, value in wanted}
            for digest, person in self.txn.tables.people_of(
                self.txn.cursor, list(by_digest)
            ).items():
                if person == FORGOTTEN:
                    self.forgotten.add(by_digest[digest])
                else:
                    self.named[by_digest[digest]] = person.hex()
        return {p: self.named[p] for p in pairs if p in self.named}

    def resolve(self, keys: Iterable[str]) -> dict[str, str]:
        """The person id of each of ``keys`` that names someone (by any identifier)."""
        keys = list(dict.fromkeys(keys))
        tried = {key: candidates(key) for key in keys}
        found = self.lookup(p for pairs in tried.values() for p in pairs)
        resolved = {}
        for key, pairs in tried.items():
            person = next((found[p] for p in pairs if p in found), None)
            if person is not None:
                resolved[key] = person
        return resolved

    def is_forgotten(self, key: str) -> bool:
        return any(p in self.forgotten for p in candidates(key))

    def claim(self, person: str, pairs: Sequence[Pair]) -> list[Pair]:
        """Index the free ones of ``pairs`` (indexed kinds) as naming ``person``; the
        identifiers claimed."""
        indexed = [p for p in dict.fromkeys(pairs) if p[0] in INDEXED]
        taken = self.lookup(indexed)
        claimed = [p for p in indexed if p not in taken]
        for kind, value in claimed:
            self.named[(kind, value)] = person
            self.claims.append((self.store.digest(kind, value), bytes.fromhex(person)))
        return claimed

    def flush(self) -> None:
        """Write the claims: tombstones of forgotten identifiers named again replaced."""
        if not self.claims:
            return
        tables, c = self.txn.tables, self.txn.cursor
        digests = [digest for digest, _ in self.claims]
        revived = set(tables.people_of(c, digests))
        if revived:
            c.executemany(
                tables.sql("DELETE FROM {identities} WHERE digest = ?"), [(d,) for d in revived]
            )
        tables.add_identities(c, self.claims)
        self.claims = []
