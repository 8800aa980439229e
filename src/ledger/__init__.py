"""ledger: an event-sourced relationship ledger.

Open a ledger by URL, record touchpoints as immutable facts, and ask how deep, how
reciprocal and how strong any relationship was at any time::

    import ledger

    with ledger.open("memory://") as book:
        book.add_person("ada", "Ada Lovelace", org="Analytical Engines")
        book.add_person("charles", "Charles Babbage")
        book.record("meeting", "ada", "charles", "1833-06-05T19:00:00+00:00")
        print(book.pair("ada", "charles", as_of="1833-07-01T00:00:00+00:00"))
"""

from __future__ import annotations

from ledger.api import Ledger, LedgerBatch, Migration, dump, load, migrate
from ledger.errors import (
    AlreadyRetractedError,
    EmptyKeyError,
    InvalidInputError,
    InvalidTimeError,
    KeyRequiredError,
    LedgerError,
    LogTamperedError,
    SelfTouchpointError,
    StorageError,
    UnknownKindError,
    UnknownPersonError,
    UnknownProjectionError,
    UnknownTouchpointError,
    ViewMismatchError,
    ViewsDamagedError,
    WrongKeyError,
)
from ledger.facts.kinds import Family, Kind
from ledger.facts.values import Touch
from ledger.projections.decay import DecayModel
from ledger.projections.depth import DepthLevel
from ledger.store import DEFAULT_URL, RecordSummary, default_url, redact
from ledger.store.audit import AuditProblem, AuditReport
from ledger.store.checkpoint import new_signing_key
from ledger.views.results import (
    Contribution,
    DecayValue,
    DepthValue,
    Explanation,
    Introduction,
    NetworkSummary,
    PairFact,
    PairView,
    PersonView,
    Reached,
    ReciprocityValue,
    SettingsChange,
    SnoozeFact,
    TouchpointView,
)

__all__ = [
    "DEFAULT_URL",
    "AlreadyRetractedError",
    "AuditProblem",
    "AuditReport",
    "Contribution",
    "DecayModel",
    "DecayValue",
    "DepthLevel",
    "DepthValue",
    "EmptyKeyError",
    "Explanation",
    "Family",
    "Introduction",
    "InvalidInputError",
    "InvalidTimeError",
    "KeyRequiredError",
    "Kind",
    "Ledger",
    "LedgerBatch",
    "LedgerError",
    "LogTamperedError",
    "Migration",
    "NetworkSummary",
    "PairFact",
    "PairView",
    "PersonView",
    "Reached",
    "ReciprocityValue",
    "RecordSummary",
    "SelfTouchpointError",
    "SettingsChange",
    "SnoozeFact",
    "StorageError",
    "Touch",
    "TouchpointView",
    "UnknownKindError",
    "UnknownPersonError",
    "UnknownProjectionError",
    "UnknownTouchpointError",
    "ViewMismatchError",
    "ViewsDamagedError",
    "WrongKeyError",
    "default_url",
    "dump",
    "load",
    "migrate",
    "new_signing_key",
    "open",
    "redact",
]


def open(
    url: str | None = None,
    *,
    create: bool = True,
    passphrase: str | None = None,
    key: bytes | str | None = None,
    encrypt: bool = False,
    read_only: bool = False,
) -> Ledger:
    """Open (creating if needed, unless ``create=False``) the ledger at ``url``; default
    ``$LEDGER_DB`` or ``sqlite:///ledger.db``. Use it as a context manager. An encrypted
    ledger needs its ``passphrase`` or ``key``; ``encrypt=True`` creates one;
    ``read_only=True`` never writes (a worker keeps the views: :meth:`Ledger.follow`)."""
    return Ledger(
        url, create=create, passphrase=passphrase, key=key, encrypt=encrypt, read_only=read_only
    )
