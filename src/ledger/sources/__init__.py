"""Importers: real histories (edge logs, CSV, LinkedIn exports, meetings, calendars) in.

Each importer reads and validates a whole file first, then records every touchpoint in
one atomic, idempotent batch, and returns an :class:`ImportSummary` in which every row
read is accounted for. See ``docs/importers.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.sources._rows import ImportFileError, Progress
from ledger.sources._summary import ImportSummary
from ledger.sources.edges import CsvLayout, import_edges
from ledger.sources.linkedin import import_linkedin
from ledger.sources.meetings import import_meetings

__all__ = [
    "CsvLayout",
    "ImportFileError",
    "ImportSummary",
    "Progress",
    "import_edges",
    "import_ics",
    "import_linkedin",
    "import_meetings",
]

if TYPE_CHECKING:
    from ledger.sources.calendar import import_ics


def __getattr__(name: str) -> Any:
    # icalendar takes ~50 ms to import: load the calendar importer only when used, so
    # `ledger --help` and `import ledger.sources` stay fast.
    if name == "import_ics":
        from ledger.sources.calendar import import_ics  # noqa: PLC0415

        return import_ics
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
