"""Opening a ledger's store: the storage a URL names, its application, tables and secrets.

The URL is the only configuration. Unlike eventsourcing's default, the process
environment is not merged into the application's settings, so a stray
``POSTGRES_PASSWORD`` in a shell cannot point a ledger at another database.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import PersistenceError

from ledger.errors import StorageError, quote
from ledger.store import seal
from ledger.store._faults import named
from ledger.store._sql import Dialect
from ledger.store._storage import FORMAT, Storage, default_url, redact
from ledger.store._tables import StoreTables
from ledger.store.application import LedgerApplication
from ledger.store.chain import Chain
from ledger.store.keys import Keyring, Secret, encryption_settings, unlock

__all__ = ["Store", "Transaction", "open_storage", "open_store"]


def open_storage(url: str | None = None) -> Storage:
    """The storage a URL names: ``sqlite:///path``, ``memory://``, ``postgresql://...``;
    a bare path is a SQLite file."""
    url = (url or default_url()).strip()
    scheme, sep, _ = url.partition("://")
    scheme = scheme.lower() if sep else ""
    if scheme in ("", "sqlite", "memory"):
        from ledger.store.sqlite import SQLiteStorage  # noqa: PLC0415 - keep startup light

        return SQLiteStorage.from_url(url)
    if scheme in ("postgresql", "postgres"):
        from ledger.store.postgres import PostgresStorage  # noqa: PLC0415 - psycopg when used

        return PostgresStorage.from_url(url)
    raise StorageError(
        f"url: unsupported ledger URL '{redact(url)}' (use sqlite:///PATH, memory:// "
        "or postgresql://USER:PASSWORD@HOST:PORT/DB)"
    )


class Transaction:
    """One write transaction of the store (see :meth:`Store.writing`)."""

    def __init__(self, store: Store, cursor: Any) -> None:
        self.store = store
        self.cursor = cursor
        self.tables = store.tables

    def last_position(self) -> int:
        """The notification id of the log's last event (0: empty), in this transaction."""
        column = self.store.storage.events_id
        self.cursor.execute(f"SELECT MAX({column}) AS top FROM {self.store.storage.events_table}")
        return int(self.cursor.fetchone()["top"] or 0)

    def replace_secrets(self, id_key: bytes, index_key: bytes) -> None:
        """Give an empty ledger another ledger's secrets (loading its dump), so that
        the facts and identities it loads keep their ids."""
        keyring, tables = self.store.keyring, self.tables
        for name, raw in (("id_key", id_key), ("index_key", index_key)):
            stored = (
                keyring.wrap(raw, name.encode()).decode("ascii") if keyring.encrypted else raw.hex()
            )
            self.cursor.execute(tables.sql("DELETE FROM {store} WHERE key = ?"), (name,))
            tables.set_settings(self.cursor, {name: stored})
        self.store.id_key, self.store.index_key = id_key, index_key

    def last_version(self, originator_id: UUID) -> int:
        """The last stored version of an aggregate (0: none), read in this transaction."""
        oid: Any = originator_id if self.store.dialect.postgres else originator_id.hex
        self.cursor.execute(
            f"SELECT MAX(originator_version) AS v FROM {self.store.storage.events_table} "
            f"WHERE originator_id = {self.store.dialect.placeholder}",
            (oid,),
        )
        row = self.cursor.fetchone()
        return int(row["v"] or 0)

    def insert(self, stored_events: Sequence[Any]) -> list[int]:
        """Insert stored events and chain them; their notification ids, in order."""
        if not stored_events:
            return []
        ids = self.store.storage.insert_events(self.store.app, self.cursor, stored_events)
        self.store.chain.append(self.cursor, ids, stored_events)
        return ids


class Store:
    """A ledger's events and the store's own tables, in one database."""

    def __init__(
        self, storage: Storage, app: LedgerApplication, settings: dict[str, str], keyring: Keyring
    ) -> None:
        self.storage = storage
        self.app = app
        self.url = redact(storage.url)
        self.dialect: Dialect = storage.dialect
        self.tables = StoreTables(self.dialect)
        self.format = settings["format"]
        self.keyring = keyring
        chain_key = keyring.derived("chain") if keyring.encrypted else None
        self.chain = Chain(self.dialect, storage.events_table, storage.events_id, chain_key)
        try:
            self.id_key = _secret(settings["id_key"], keyring, b"id_key")
            self.index_key = _secret(settings["index_key"], keyring, b"index_key")
        except (KeyError, ValueError):
            raise _store_damaged(self.url, "id_key or index_key", "unreadable") from None
        self._keys_readable: bool | None = None

    @property
    def encrypted(self) -> bool:
        return self.keyring.encrypted

    def keys_of(self, c: Any, people: Sequence[bytes]) -> dict[bytes, bytes]:
        """The (unwrapped) keys of those of ``people`` who have one (not forgotten)."""
        stored = self.tables.keys_of(c, people)
        return {person: self.keyring.unwrap(key, person) for person, key in stored.items()}

    def may_read_keys(self, c: Any) -> bool:
        """Whether this database role may read the people's keys: a read-only role on
        PostgreSQL may not (docs/privacy.md), and then sees no note and cannot compare
        the views with a replay. Asked once, in transaction ``c``."""
        if self._keys_readable is None:
            self._keys_readable = self.storage.may_read(c, "ledger_keys")
        return self._keys_readable

    def add_keys(self, c: Any, rows: Sequence[tuple[bytes, bytes]]) -> None:
        self.tables.add_keys(c, [(person, self.keyring.wrap(key, person)) for person, key in rows])

    @property
    def where(self) -> str:
        """The database, for messages: a file, or host:port/db (never a password)."""
        return str(
            getattr(self.storage, "where", None) or getattr(self.storage, "db_name", self.url)
        )

    def named(self, *, views: bool = False) -> AbstractContextManager[None]:
        """A block whose expected faults become one clear line (``ledger.store._faults``);
        with ``views``, a view that cannot be read is named as damaged."""
        return named(self.where, postgres=self.dialect.postgres, views=views)

    @contextmanager
    def writing(self) -> Iterator[Transaction]:
        """A write transaction holding the log's write lock from its first statement:
        all of it commits, or (on any error) none of it."""
        with self.named(), self.storage.writing(self.app) as c:
            yield Transaction(self, c)

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """A read transaction seeing one state of the database throughout."""
        with self.named(), self.storage.snapshot(self.app) as c:
            yield c

    def scrub(self) -> None:
        with self.named():
            self.storage.scrub()

    def fact_id(self, parts: Sequence[str]) -> str:
        return seal.fact_id(self.id_key, parts)

    def digest(self, kind: str, value: str) -> bytes:
        return seal.digest(self.index_key, kind, value)

    def close(self) -> None:
        self.app.close()


def open_store(
    url: str | None,
    view_ddl: Callable[[Dialect], Sequence[str]],
    *,
    create: bool = True,
    secret: Secret | None = None,
    encrypt: bool = False,
) -> Store:
    """Open (creating with ``create``) the ledger at ``url``; ``view_ddl`` gives the
    statements that create the views' tables in the storage's dialect, run once with
    the store's own. An encrypted ledger opens with ``secret``; a new one is encrypted
    with it when ``encrypt``."""
    storage = open_storage(url)
    shown = redact(storage.url)
    if not storage.exists and not create:
        raise StorageError(f"url: no ledger at '{shown}' (run `ledger init` to create one)")
    if not storage.exists:
        storage.create_file()
    stored, has_events = storage.peek()
    if stored is None and not has_events and not create:  # e.g. a PostgreSQL schema
        raise StorageError(f"url: no ledger at '{shown}' (run `ledger init` to create one)")
    if stored is None and has_events:
        raise StorageError(
            f"url: '{shown}' was written by ledger 0.1 (one plain event per fact); move it "
            "to the current format with `ledger migrate OLD NEW`"
        )
    if stored is not None:
        _check_stored(stored, shown)
        settings, keyring = stored, unlock(stored, secret)
    else:
        settings, keyring = _new_settings(encrypt, secret)
    try:
        app = LedgerApplication(env=_environment(storage, settings, keyring))
    except (PersistenceError, OSError) as error:
        raise StorageError(f"url: cannot open ledger '{shown}': {error}") from None
    try:
        tables = StoreTables(storage.dialect)
        statements = [*tables.ddl(), *view_ddl(storage.dialect)]
        fingerprint = hashlib.sha256("\n".join(statements).encode()).hexdigest()
        if stored is None or stored.get("ddl") != fingerprint:
            storage.create_tables(app, statements, fingerprint)
            settled = _settle(storage, app, tables, settings)
            if settled.get("key_check") != settings.get("key_check"):
                # Another process created this ledger first, with other keys: use its.
                app.close()
                keyring = unlock(settled, secret)
                app = LedgerApplication(env=_environment(storage, settled, keyring))
            settings = settled
        return Store(storage, app, settings, keyring)
    except BaseException:
        app.close()
        raise


_STORED = {"format": (FORMAT,), "compressor": ("zstd",)}
"""What a ledger's own settings may hold (every ledger of this format is compressed)."""


def _check_stored(stored: dict[str, str], shown: str) -> None:
    for key, allowed in _STORED.items():
        if stored.get(key) not in allowed:
            raise _store_damaged(shown, key, quote(stored.get(key, "(missing)")))


def _store_damaged(shown: str, key: str, value: str) -> StorageError:
    """The store's own settings are not views: they hold the ledger's keys and how its
    events are stored, nothing in the log says them again, and no replay remakes them."""
    return StorageError(
        f"url: the ledger at '{shown}' has damaged settings of its own (ledger_store: {key} "
        f"is {value}); they cannot be rebuilt from the log: restore it from a backup"
    )


def _new_settings(encrypt: bool, secret: Secret | None) -> tuple[dict[str, str], Keyring]:
    """A new ledger's format and secrets (wrapped under its key when it is encrypted)."""
    settings = {"format": FORMAT, "compressor": "zstd", "cipher": "none"}
    keyring = Keyring(None)
    if encrypt:
        found, keyring = encryption_settings(secret or Secret())
        settings.update(found)
    for name in ("id_key", "index_key"):
        raw = seal.new_key()
        settings[name] = (
            keyring.wrap(raw, name.encode()).decode("ascii") if keyring.encrypted else raw.hex()
        )
    return settings, keyring


def _secret(stored: str, keyring: Keyring, name: bytes) -> bytes:
    if keyring.encrypted:
        return keyring.unwrap(stored.encode("ascii"), name)
    return bytes.fromhex(stored)


def _environment(storage: Storage, settings: dict[str, str], keyring: Keyring) -> dict[str, str]:
    env = storage.environment(settings)
    if keyring.encrypted:  # eventsourcing's own cipher encrypts every stored event
        env["CIPHER_TOPIC"] = "eventsourcing.cryptography:AESCipher"
        env["CIPHER_KEY"] = base64.b64encode(keyring.events_key).decode("ascii")
    return env


def _settle(
    storage: Storage, app: Any, tables: StoreTables, proposed: dict[str, str]
) -> dict[str, str]:
    """Store ``proposed`` unless another process stored its own first; what is stored."""
    with storage.writing(app) as c:
        tables.set_settings(c, proposed)  # first writer wins: ON CONFLICT DO NOTHING
        return tables.settings(c)
