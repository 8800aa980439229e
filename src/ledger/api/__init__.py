"""The Python API: :class:`Ledger`, the only door for everything above the views."""

from __future__ import annotations

from ledger.api._batch import LedgerBatch
from ledger.api._dump import dump, load
from ledger.api._ledger import Ledger
from ledger.api._migrate import Migration, migrate

__all__ = ["Ledger", "LedgerBatch", "Migration", "dump", "load", "migrate"]
