"""The hash chain over the event log: tamper evidence written with the events.

Every event the ledger stores gets a row in ``ledger_chain`` in the same transaction::

    hash_n = sha256(hash_prev || notification_id || originator_id || originator_version
                    || topic || state)

where ``hash_prev`` is the hash of the chain row before it (:data:`GENESIS` for the
first). Fields are length-prefixed, so no two different rows encode alike.

The formula is public, so whoever can write the database can append an event with a
recomputed row. A *keyed* chain closes that: with a chain key (every encrypted ledger
derives one from its master key; a plain ledger may be given one), each row is
``HMAC-SHA256(key, ...)`` of the same fields, and a row forged without the key is named
by the audit. Signed checkpoints (:mod:`ledger.store.checkpoint`) protect what lies
before them even without a chain key. The chain
is not a view: it cannot be rebuilt from the log (that is its point), it is never
reset, and it lives outside ``_views.TABLES``.

Appending is serialised by the write transaction it is part of (SQLite's write lock;
on PostgreSQL the advisory lock :meth:`PostgresStorage.writing` takes first), so the
head read inside the transaction is the true head.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

import attrs

from ledger.errors import LogTamperedError
from ledger.store._sql import Dialect

__all__ = ["GENESIS", "LOWEST", "Chain", "Link", "link"]

GENESIS = hashlib.sha256(b"ledger chain v1").digest()
"""The ``hash_prev`` of the first event: fixed, so a chain cannot start anywhere else."""

_HEADER = struct.Struct(">qqHI")
_PAGE = 5_000
LOWEST = -(2**63)
"""Below every notification id: reads start here, so a forged row with id 0 or less
(SQLite rowid -1, PostgreSQL id 0) is seen like any other."""


def link(
    prev: bytes,
    notification_id: int,
    originator_id: Any,
    version: int,
    topic: str,
    state: bytes,
    key: bytes | None = None,
) -> bytes:
    """The chain hash of one stored event following ``prev`` (keyed with ``key``)."""
    oid = originator_id.bytes if isinstance(originator_id, UUID) else _id_bytes(originator_id)
    name = topic.encode()
    header = _HEADER.pack(notification_id, version, len(oid), len(name))
    data = b"".join((prev, header, oid, name, state))
    if key is not None:
        return hmac.new(key, data, hashlib.sha256).digest()
    return hashlib.sha256(data).digest()


def _id_bytes(originator_id: Any) -> bytes:
    """A UUID given as 32 hex digits (bulk writes skip ``UUID`` objects) hashes as the
    ``UUID`` would; any other id as its text."""
    text = str(originator_id)
    if len(text) == 32:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    return text.encode()


@attrs.frozen
class Link:
    """One row of the chain as stored."""

    notification_id: int
    originator_id: str
    originator_version: int
    hash: str


@attrs.frozen
class Chain:
    """The chain table beside the events table (same datastore)."""

    dialect: Dialect
    events_table: str
    """The qualified name of the events table."""
    events_id: str = "notification_id"
    """Its notification id column (``rowid`` on SQLite)."""
    key: bytes | None = None
    """The chain key, for a keyed chain (None: a plain SHA-256 chain)."""

    @property
    def table(self) -> str:
        return self.dialect.qualify("ledger_chain")

    def append(self, c: Any, ids: Sequence[int], stored_events: Sequence[Any]) -> None:
        """Chain the events just inserted with ``ids`` (call in the inserting transaction)."""
        pairs = sorted(zip(ids, stored_events, strict=True), key=lambda pair: pair[0])
        head_id, prev = self._head(c)
        if pairs and pairs[0][0] <= head_id:
            # SQLite reuses the rowid of a deleted last row: the log lost its tail.
            raise LogTamperedError(
                f"notification id {pairs[0][0]} is already in the hash chain (head "
                f"{head_id}): events were deleted behind the ledger's back; run `ledger audit`"
            )
        rows: list[tuple[int, str, int, str]] = []
        for nid, s in pairs:
            prev = link(
                prev, nid, s.originator_id, s.originator_version, s.topic, s.state, self.key
            )
            oid = s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id
            rows.append((nid, str(oid), s.originator_version, prev.hex()))
        if rows:
            mark = self.dialect.placeholder
            c.executemany(
                f"INSERT INTO {self.table} (notification_id, originator_id, "
                f"originator_version, hash) VALUES ({mark}, {mark}, {mark}, {mark})",
                rows,
            )

    def head(self, c: Any) -> tuple[int, str]:
        """The last chained notification id and its hash (hex), as stored (unchecked)."""
        position, digest = self._head(c)
        return (0 if position == LOWEST else position, digest.hex())

    def _head(self, c: Any) -> tuple[int, bytes]:
        c.execute(
            f"SELECT notification_id, hash FROM {self.table} ORDER BY notification_id DESC LIMIT 1"
        )
        row = c.fetchone()
        return (
            (LOWEST, GENESIS) if row is None else (int(row["notification_id"]), _unhex(row["hash"]))
        )

    def bounds(self, c: Any) -> tuple[int, int, int]:
        """The log's and the chain's last notification ids, and how many rows both hold
        together, read with cursor ``c`` (of a snapshot)."""
        c.execute(f"SELECT MAX(notification_id) AS top, COUNT(*) AS n FROM {self.table}")
        chained = c.fetchone()
        c.execute(f"SELECT MAX({self.events_id}) AS top, COUNT(*) AS n FROM {self.events_table}")
        logged = c.fetchone()
        return (
            int(logged["top"] or 0),
            int(chained["top"] or 0),
            int(logged["n"]) + int(chained["n"]),
        )

    def rows(self, c: Any, after: int, stop: int, limit: int) -> list[Any]:
        """Raw event rows ``after < id <= stop`` (``id`` is the notification id), in order."""
        mark, column = self.dialect.placeholder, self.events_id
        c.execute(
            f"SELECT {column} AS id, originator_id, originator_version, topic, state "
            f"FROM {self.events_table} WHERE {column} > {mark} AND {column} <= {mark} "
            f"ORDER BY {column} LIMIT {mark}",
            (after, stop, limit),
        )
        return list(c.fetchall())

    def links(self, c: Any, stop: int) -> Iterator[Link]:
        """Every chain row up to ``stop``, in notification order, a page at a time."""
        mark = self.dialect.placeholder
        after = LOWEST
        while True:
            c.execute(
                "SELECT notification_id, originator_id, originator_version, hash "
                f"FROM {self.table} WHERE notification_id > {mark} "
                f"AND notification_id <= {mark} ORDER BY notification_id LIMIT {mark}",
                (after, stop, _PAGE),
            )
            rows = c.fetchall()
            for row in rows:
                yield Link(
                    int(row["notification_id"]),
                    str(row["originator_id"]),
                    _int(row["originator_version"]),
                    str(row["hash"]),
                )
            if len(rows) < _PAGE:
                return
            after = int(rows[-1]["notification_id"])


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # edited into a non-number (SQLite columns take any type): never matches


def _unhex(value: Any) -> bytes:
    try:
        return bytes.fromhex(str(value))
    except ValueError:
        # An edited head: refuse to build on it rather than chain from garbage.
        raise LogTamperedError(
            f"the hash chain's head {value!r} is not a hash: run `ledger audit`"
        ) from None
