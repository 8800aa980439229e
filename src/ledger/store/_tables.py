"""The store's own tables beside eventsourcing's: written in the events' transaction.

* ``chain``: the hash chain over every stored event (:mod:`ledger.store.chain`);
* ``facts``: every touchpoint and attribute change by its fact id, with where it is
  stored (``at`` = notification id × 2^20 + its row in the batch) and whether it was
  retracted: how a re-import is recognised and a retraction finds its touchpoint;
* ``identities``: each identifier's keyed digest and the person it names;
* ``keys``: each person's key (see :mod:`ledger.store.seal`); deleting one forgets them;
* ``store``: the ledger's format and secrets.

All but ``keys`` and ``store`` can be rebuilt from the events; ``ledger audit`` checks
them against the log. They are written only inside :meth:`Storage.writing`, which holds
the log's write lock, so "look up, then insert what is new" is safe across processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ledger.store._sql import Dialect

__all__ = ["AT_SHIFT", "ATTRIBUTE_FACT", "DDL", "TABLES", "TOUCH_FACT", "StoreTables", "touch_at"]

TABLES = ("chain", "facts", "identities", "keys", "store")
AT_SHIFT = 20
"""A batch holds at most 2^20 rows: ``at`` packs (notification id, row) in one integer."""

DDL = (
    "CREATE TABLE IF NOT EXISTS {chain} (notification_id INT PRIMARY KEY, "
    "originator_id TEXT NOT NULL, originator_version INT NOT NULL, hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {facts} (id BLOB NOT NULL, at INT NOT NULL, "
    "kind INT NOT NULL, retracted INT NOT NULL, PRIMARY KEY (id))",
    "CREATE INDEX IF NOT EXISTS ledger_facts_by_at ON {facts} (at)",
    "CREATE TABLE IF NOT EXISTS {identities} (digest BLOB NOT NULL, person BLOB NOT NULL, "
    "PRIMARY KEY (digest))",
    "CREATE INDEX IF NOT EXISTS ledger_identities_by_person ON {identities} (person)",
    "CREATE TABLE IF NOT EXISTS {keys} (person BLOB NOT NULL, key BLOB NOT NULL, "
    "PRIMARY KEY (person))",
    "CREATE TABLE IF NOT EXISTS {store} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

_IN_CHUNK = 500
FORGOTTEN = bytes(16)
"""The person an identifier of a forgotten person names: no one."""
TOUCH_FACT = 0
"""``facts.kind`` of a touchpoint."""
ATTRIBUTE_FACT = 1
"""``facts.kind`` of an attribute change."""


def touch_at(notification_id: int, row: int) -> int:
    """Where a fact is stored, as one integer (see :data:`AT_SHIFT`)."""
    return (notification_id << AT_SHIFT) | row


class StoreTables:
    """SQL over the store's tables, inside a transaction's cursor."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def sql(self, template: str) -> str:
        return self.dialect.sql(template, TABLES)

    def ddl(self) -> list[str]:
        return [self.dialect.ddl(statement, TABLES) for statement in DDL]

    def _select_in(
        self, c: Any, template: str, values: Sequence[Any], params: Sequence[Any] = ()
    ) -> list[Any]:
        """Rows of ``template`` (with ``{values}`` where the list goes) for ``values``."""
        found: list[Any] = []
        if self.dialect.postgres:
            for start in range(0, len(values), 10_000):
                chunk = list(values[start : start + 10_000])
                c.execute(self.sql(template.replace("IN ({values})", "= ANY(?)")), (*params, chunk))
                found.extend(c.fetchall())
            return found
        for start in range(0, len(values), _IN_CHUNK):
            part = values[start : start + _IN_CHUNK]
            marks = ", ".join("?" * len(part))
            c.execute(self.sql(template.replace("{values}", marks)), (*params, *part))
            found.extend(c.fetchall())
        return found

    # -- facts ---------------------------------------------------------------------------
    def stored_facts(self, c: Any, ids: Sequence[bytes]) -> dict[bytes, tuple[int, int, bool]]:
        """Which of ``ids`` are stored: id -> (at, kind, retracted)."""
        rows = self._select_in(
            c, "SELECT id, at, kind, retracted FROM {facts} WHERE id IN ({values})", ids
        )
        return {
            bytes(row["id"]): (int(row["at"]), int(row["kind"]), bool(row["retracted"]))
            for row in rows
        }

    def ids_at(self, c: Any, places: Sequence[int]) -> dict[int, str]:
        """The fact ids (32 hex digits) of the facts stored at ``places``."""
        rows = self._select_in(c, "SELECT id, at FROM {facts} WHERE at IN ({values})", places)
        return {int(row["at"]): bytes(row["id"]).hex() for row in rows}

    def add_facts(self, c: Any, kind: int, rows: Iterable[tuple[bytes, int]]) -> None:
        c.executemany(
            self.sql(f"INSERT INTO {{facts}} (id, at, kind, retracted) VALUES (?, ?, {kind}, 0)"),
            list(rows),
        )

    def mark_retracted(self, c: Any, ids: Sequence[bytes]) -> None:
        c.executemany(
            self.sql("UPDATE {facts} SET retracted = 1 WHERE id = ?"), [(i,) for i in ids]
        )

    # -- identities and keys ---------------------------------------------------------------
    def people_of(self, c: Any, digests: Sequence[bytes]) -> dict[bytes, bytes]:
        """digest -> person id (16 bytes) of the digests that name someone."""
        rows = self._select_in(
            c, "SELECT digest, person FROM {identities} WHERE digest IN ({values})", digests
        )
        return {bytes(row["digest"]): bytes(row["person"]) for row in rows}

    def add_identities(self, c: Any, rows: Iterable[tuple[bytes, bytes]]) -> None:
        c.executemany(
            self.sql("INSERT INTO {identities} (digest, person) VALUES (?, ?)"), list(rows)
        )

    def forget(self, c: Any, person: bytes) -> None:
        """Destroy ``person``'s key; their identifiers stay as tombstones (person 0)."""
        c.execute(self.sql("DELETE FROM {keys} WHERE person = ?"), (person,))
        c.execute(
            self.sql("UPDATE {identities} SET person = ? WHERE person = ?"), (FORGOTTEN, person)
        )

    def keys_of(self, c: Any, people: Sequence[bytes]) -> dict[bytes, bytes]:
        rows = self._select_in(
            c, "SELECT person, key FROM {keys} WHERE person IN ({values})", people
        )
        return {bytes(row["person"]): bytes(row["key"]) for row in rows}

    def all_keys(self, c: Any) -> dict[bytes, bytes]:
        c.execute(self.sql("SELECT person, key FROM {keys}"))
        return {bytes(row["person"]): bytes(row["key"]) for row in c.fetchall()}

    def add_keys(self, c: Any, rows: Iterable[tuple[bytes, bytes]]) -> None:
        c.executemany(self.sql("INSERT INTO {keys} (person, key) VALUES (?, ?)"), list(rows))

    # -- the ledger's format and secrets ---------------------------------------------------
    def settings(self, c: Any) -> dict[str, str]:
        c.execute(self.sql("SELECT key, value FROM {store}"))
        return {str(row["key"]): str(row["value"]) for row in c.fetchall()}

    def set_settings(self, c: Any, values: dict[str, str]) -> None:
        c.executemany(
            self.sql("INSERT INTO {store} (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"),
            list(values.items()),
        )
