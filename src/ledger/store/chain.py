"""The hash chain over the event log: tamper evidence written with the events.

Every event the ledger stores gets a row in ``ledger_chain`` in the same transaction::

    hash_n = sha256(hash_prev || notification_id || originator_id || originator_version
                    || topic || state)

where ``hash_prev`` is the hash of the chain row before it (:data:`GENESIS` for the
first). Fields are length-prefixed, so no two different rows encode alike. The chain
is not a view: it cannot be rebuilt from the log (that is its point), it is never
reset, and it lives outside ``_views.TABLES``.

Appending is serialised by the event insert that precedes it in the transaction
(SQLite's write lock; on PostgreSQL the EXCLUSIVE lock eventsourcing takes on the
events table), so the head read inside the transaction is the true head.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

import attrs

from ledger.errors import LogTamperedError
from ledger.views._tables import Dialect

__all__ = ["GENESIS", "Chain", "Link", "link"]

GENESIS = hashlib.sha256(b"ledger chain v1").digest()
"""The ``hash_prev`` of the first event: fixed, so a chain cannot start anywhere else."""

_HEADER = struct.Struct(">qqHI")
_PAGE = 5_000


def link(
    prev: bytes, notification_id: int, originator_id: Any, version: int, topic: str, state: bytes
) -> bytes:
    """The chain hash of one stored event following ``prev``."""
    oid = originator_id.bytes if isinstance(originator_id, UUID) else _id_bytes(originator_id)
    name = topic.encode()
    header = _HEADER.pack(notification_id, version, len(oid), len(name))
    return hashlib.sha256(b"".join((prev, header, oid, name, state))).digest()


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
    """The chain table beside a recorder's events table (same datastore)."""

    recorder: Any
    dialect: Dialect
    events_table: str
    """The qualified name of the events table (for consistent bounds in audits)."""
    events_id: str = "notification_id"
    """Its notification id column (``rowid`` on SQLite)."""

    @property
    def table(self) -> str:
        return self.dialect.qualify("ledger_chain")

    def create_table(self) -> None:
        with self.recorder.datastore.transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} ("
                f"notification_id {self.dialect.int_type} PRIMARY KEY, "
                "originator_id TEXT NOT NULL, "
                f"originator_version {self.dialect.int_type} NOT NULL, "
                "hash TEXT NOT NULL)"
            )

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
            prev = link(prev, nid, s.originator_id, s.originator_version, s.topic, s.state)
            oid = s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id
            rows.append((nid, str(oid), s.originator_version, prev.hex()))
        if rows:
            mark = self.dialect.placeholder
            c.executemany(
                f"INSERT INTO {self.table} (notification_id, originator_id, "
                f"originator_version, hash) VALUES ({mark}, {mark}, {mark}, {mark})",
                rows,
            )

    def _head(self, c: Any) -> tuple[int, bytes]:
        c.execute(
            f"SELECT notification_id, hash FROM {self.table} ORDER BY notification_id DESC LIMIT 1"
        )
        row = c.fetchone()
        return (0, GENESIS) if row is None else (int(row["notification_id"]), _unhex(row["hash"]))

    def bounds(self) -> tuple[int, int]:
        """The last notification id of the log and of the chain, read in one snapshot."""
        with self.recorder.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT MAX(notification_id) AS top FROM {self.table}")
            chained = c.fetchone()["top"]
            c.execute(f"SELECT MAX({self.events_id}) AS top FROM {self.events_table}")
            logged = c.fetchone()["top"]
        return int(logged or 0), int(chained or 0)

    def rows(self, after: int, stop: int, limit: int) -> list[Any]:
        """Raw event rows ``after < id <= stop`` (``id`` is the notification id), in order."""
        mark, column = self.dialect.placeholder, self.events_id
        with self.recorder.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT {column} AS id, originator_id, originator_version, topic, state "
                f"FROM {self.events_table} WHERE {column} > {mark} AND {column} <= {mark} "
                f"ORDER BY {column} LIMIT {mark}",
                (after, stop, limit),
            )
            return list(c.fetchall())

    def links(self, stop: int) -> Iterator[Link]:
        """Every chain row up to ``stop``, in notification order, a page at a time."""
        mark = self.dialect.placeholder
        after = 0
        while True:
            with self.recorder.datastore.transaction(commit=False) as c:
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
