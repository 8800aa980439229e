"""Reading a ledger written by ledger 0.1 (format 1): one plain event per fact.

Only for moving it to the current format (:func:`ledger.migrate`): its events are
decoded by eventsourcing's mapper with the classes of :mod:`ledger.facts.legacy`, in
log order, a page at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ledger.errors import StorageError
from ledger.facts import legacy  # noqa: F401 - registers the old topics
from ledger.store._open import open_storage
from ledger.store._storage import redact
from ledger.store.application import LedgerApplication

__all__ = ["legacy_events"]

_PAGE = 1_000


def legacy_events(url: str) -> Iterator[Any]:
    """Every event of the format-1 ledger at ``url``, decoded, in log order."""
    storage = open_storage(url)
    settings, has_events = storage.peek()
    if settings is not None:
        raise StorageError(f"url: '{redact(url)}' is in the current format already")
    if not has_events:
        raise StorageError(f"url: '{redact(url)}' holds no events to migrate")
    app = LedgerApplication(env=storage.environment({"compressor": "none"}))
    try:
        start: int | None = None
        while True:
            page = app.recorder.select_notifications(
                start=start, limit=_PAGE, inclusive_of_start=start is None
            )
            for notification in page:
                yield app.mapper.to_domain_event(notification)
            if len(page) < _PAGE:
                return
            start = page[-1].id
    finally:
        app.close()
