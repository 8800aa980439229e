"""The store: the event log, its hash chain and the store's own tables, in one database.

The layer below the views. It knows how to open a ledger's database (SQLite, in memory,
PostgreSQL), write facts atomically and idempotently (:class:`Batch`), read the log raw
and audit it. It knows nothing of relationships.
"""

from __future__ import annotations

from ledger.store._open import Store, Transaction, open_storage, open_store
from ledger.store._read import RawEvent, pages, read_events, values_of
from ledger.store._sql import Dialect
from ledger.store._storage import DEFAULT_URL, FORMAT, Storage, default_url, redact
from ledger.store._tables import AT_SHIFT, TOUCH_FACT, touch_at
from ledger.store.recording import CHUNK, Batch, RecordSummary, collector_paused

__all__ = [
    "AT_SHIFT",
    "CHUNK",
    "DEFAULT_URL",
    "FORMAT",
    "TOUCH_FACT",
    "Batch",
    "Dialect",
    "RawEvent",
    "RecordSummary",
    "Storage",
    "Store",
    "Transaction",
    "collector_paused",
    "default_url",
    "open_storage",
    "open_store",
    "pages",
    "read_events",
    "redact",
    "touch_at",
    "values_of",
]
