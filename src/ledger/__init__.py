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

from ledger.api import Ledger
from ledger.errors import (
    AlreadyRetractedError,
    EmptyKeyError,
    InvalidInputError,
    InvalidTimeError,
    LedgerError,
    LogTamperedError,
    SelfTouchpointError,
    StorageError,
    UnknownKindError,
    UnknownPersonError,
    UnknownProjectionError,
    UnknownTouchpointError,
    ViewMismatchError,
)
from ledger.facts.kinds import Family, Kind
from ledger.facts.values import Touch
from ledger.projections.decay import DecayValue
from ledger.projections.depth import DepthLevel, DepthValue
from ledger.projections.reciprocity import ReciprocityValue
from ledger.store._storage import DEFAULT_URL, default_url
from ledger.store.audit import AuditProblem, AuditReport
from ledger.views._history import Introduction, Step
from ledger.views.results import (
    Contribution,
    Explanation,
    NetworkSummary,
    PairView,
    PersonView,
    RecordSummary,
    TouchpointView,
)

__all__ = [
    "DEFAULT_URL",
    "AlreadyRetractedError",
    "AuditProblem",
    "AuditReport",
    "Contribution",
    "DecayValue",
    "DepthLevel",
    "DepthValue",
    "EmptyKeyError",
    "Explanation",
    "Family",
    "InvalidInputError",
    "InvalidTimeError",
    "Introduction",
    "Kind",
    "Ledger",
    "LedgerError",
    "LogTamperedError",
    "NetworkSummary",
    "PairView",
    "PersonView",
    "ReciprocityValue",
    "RecordSummary",
    "SelfTouchpointError",
    "Step",
    "StorageError",
    "Touch",
    "TouchpointView",
    "UnknownKindError",
    "UnknownPersonError",
    "UnknownProjectionError",
    "UnknownTouchpointError",
    "ViewMismatchError",
    "default_url",
    "open",
]


def open(url: str | None = None, **options: object) -> Ledger:
    """Open (creating if needed) the ledger at ``url``; default ``$LEDGER_DB`` or
    ``sqlite:///ledger.db``. Use it as a context manager."""
    return Ledger(url, **options)  # type: ignore[arg-type]
