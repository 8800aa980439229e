"""Checking the persisted views against a replay of the log, in bounded memory.

The log, up to the views' position, is replayed into scratch views in a temporary
SQLite file (the same code that maintains the real ones, fed from one snapshot of the
real store), then both are compared table by table, streamed in key order, so that
memory stays flat whatever the size of the ledger. The segments are compared by an
order-free digest of the rows that stand in them.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np

from ledger.store import pages, values_of
from ledger.store.sqlite import DIALECT
from ledger.views import _catchup, _segments, _writes
from ledger.views._schema import TABLES, Views, ddl

__all__ = ["differences"]

_SEALED = {
    "view_people": ("key", "name"),
    "view_attributes": ("value",),
    "view_retracted": ("reason",),
    "view_sources": ("name",),
    "view_snoozes": ("reason",),
}
"""Columns sealed on an encrypted ledger: compared by what they hold, not their bytes."""
_COMPARED = {
    "view_people": "no",
    "view_attributes": "person, field, effective_t, seq",
    "view_rows": "pair, t, touch",
    "view_pairs": "pair",
    "view_retracted": "touch",
    "view_sources": "no",
    "view_snoozes": "no",
    "view_settings": "key",
}
_LIST = 20


class _Scratch(Views):
    """Views in a private SQLite file, sharing the real store for everything else."""

    def __init__(self, real: Views, db: sqlite3.Connection) -> None:
        self.store = real.store
        self.dialect = DIALECT
        self.sealed = real.sealed
        self.db = db

    def cursor(self) -> Any:
        return _RowCursor(self.db.cursor())


class _RowCursor:
    """A sqlite3 cursor that, like eventsourcing's, yields rows by name."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.cursor = cursor
        cursor.row_factory = sqlite3.Row

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cursor, name)


def differences(ledger_views: Any, progress: Any = None) -> list[str]:
    """What differs between ``ledger_views`` (a :class:`LedgerViews`) and a replay."""
    real: Views = ledger_views.views
    zone = ledger_views.zone
    with tempfile.TemporaryDirectory(prefix="ledger-verify-") as folder:
        path = Path(folder) / "views.db"
        with closing(sqlite3.connect(path, isolation_level=None)) as db:
            scratch = _Scratch(real, db)
            with real.read() as c:
                position = real.position_in(c)
                _replay(scratch, c, position, zone, progress)
                return _compare(real, c, scratch)


def _replay(scratch: _Scratch, real_c: Any, position: int, zone: str, progress: Any) -> None:
    c = scratch.cursor()
    for statement in ddl(DIALECT):
        c.execute(statement)
    c.execute("BEGIN")
    # As a rebuild does: who is whom first (people, identities, merges, settings ...),
    # then every touch, so that a touch recorded before a merge is attributed as it says;
    # in rounds bounded as a catch-up's are (by touches, not by a page of batch events).
    for only in ("facts", "touches"):
        start = -(2**63)
        counted = _catchup._Counter(progress if only == "touches" else None)
        while start < position:
            found, end = _catchup._read(scratch, real_c, start, counted, only, stop=position)
            if end is None:
                break
            _writes.apply(scratch, c, found, zone, store_c=real_c)
            start = end
        if only == "facts":
            _writes.settle_merges(scratch, c)
    c.execute("COMMIT")


def _compare(real: Views, c: Any, scratch: _Scratch) -> list[str]:
    found: list[str] = []
    sc = scratch.cursor()
    for table, key in _COMPARED.items():
        found.extend(_compare_table(real, c, sc, table, key))
    if _digest(real, c) != _digest(scratch, sc):
        found.append("view_segments: the rows that stand in the segments differ from a replay")
    return found[:1000]


def _compare_table(real: Views, c: Any, sc: Any, table: str, key: str) -> list[str]:
    mismatches: list[str] = []
    mine = _rows(real, c, table, key)
    theirs = _rows_sqlite(real, sc, table, key)
    for index, (left, right) in enumerate(_zip_longest(mine, theirs)):
        if left != right:
            mismatches.append(f"{table}: row {index}: stored {left!r}, replay gives {right!r}")
            if len(mismatches) >= _LIST:
                break
    return mismatches


def _rows(views: Views, c: Any, table: str, key: str) -> Iterator[tuple[Any, ...]]:
    c.execute(views.sql(f"SELECT * FROM {{{table}}} ORDER BY {key}"))
    yield from _opened(views, c, table)


def _rows_sqlite(views: Views, c: Any, table: str, key: str) -> Iterator[tuple[Any, ...]]:
    c.execute(DIALECT.sql(f"SELECT * FROM {{{table}}} ORDER BY {key}", TABLES))
    yield from _opened(views, c, table)


def _opened(views: Views, c: Any, table: str) -> Iterator[tuple[Any, ...]]:
    """Rows as tuples, sealed columns opened (their bytes differ at every sealing)."""
    sealed = _SEALED.get(table, ()) if views.sealed.key is not None else ()
    names = [d[0] for d in getattr(c, "sqlite_cursor", c).description]
    for batch in pages(c):
        for row in batch:
            values = list(_normal(values_of(row)))
            for i, name in enumerate(names):
                if name in sealed and values[i] is not None:
                    values[i] = views.sealed.open(values[i])
            yield tuple(values)


def _normal(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(bytes(v) if isinstance(v, memoryview | bytearray) else v for v in row)


def _zip_longest(a: Iterator[Any], b: Iterator[Any]) -> Iterator[tuple[Any, Any]]:
    done = object()
    while True:
        x, y = next(a, done), next(b, done)
        if x is done and y is done:
            return
        yield (None if x is done else x, None if y is done else y)


def _digest(views: Views, c: Any) -> int:
    """An order-free digest of the rows that stand in the segments."""
    c.execute(views.sql("SELECT pair, before FROM {view_voided}"))
    voided = {int(r["pair"]): int(r["before"]) for r in c.fetchall()}
    c.execute(views.sql("SELECT no FROM {view_segments} ORDER BY no"))
    numbers = [int(r["no"]) for r in c.fetchall()]
    total = 0
    for number in numbers:
        c.execute(views.sql("SELECT data FROM {view_segments} WHERE no = ?"), (number,))
        rows = _segments.live_rows([(number, _segments.decode(c.fetchone()["data"]))], voided)
        mixed = np.zeros(len(rows["t"]), dtype=np.uint64)
        for name, _ in _segments.COLUMNS:
            values = (
                rows[name].astype(np.float64).view(np.uint64)
                if name == "factor"
                else rows[name].astype(np.int64).view(np.uint64)
            )
            mixed = (mixed ^ values) * np.uint64(0x9E3779B97F4A7C15)
        total = (total + int(mixed.sum(dtype=np.uint64))) & 0xFFFFFFFFFFFFFFFF
    return total
