"""The eventsourcing application that owns the event log."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.utils import Environment

__all__ = ["LedgerApplication"]


class LedgerApplication(Application[UUID]):
    """Stores people and touchpoints; its notification log feeds the views.

    Configuration comes only from the ledger URL: unlike eventsourcing's default, the
    process environment is not merged in, so a stray ``POSTGRES_PASSWORD`` or
    ``LEDGER_SQLITE_DBNAME`` in a shell can never point a ledger at another database.
    """

    name = "Ledger"
    env: ClassVar[dict[str, str]] = {"TRANSCODER_TOPIC": "ledger.store.transcoder:OrjsonTranscoder"}

    def construct_env(self, name: str, env: Any = None) -> Environment:
        settings = dict(type(self).env)
        settings.update(env or {})
        return Environment(name, settings)
