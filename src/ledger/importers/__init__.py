"""Importers: real histories (edge logs, CSV, LinkedIn exports, meetings, calendars) in.

Each importer reads and validates a whole file first, then records every touchpoint in
one atomic, idempotent batch, and returns an :class:`ImportSummary` in which every row
read is accounted for. See ``docs/importers.md``.
"""

from __future__ import annotations

from ledger.importers._rows import ImportFileError, Progress
from ledger.importers._summary import ImportSummary
from ledger.importers.calendar import import_ics
from ledger.importers.edges import CsvLayout, import_edges
from ledger.importers.linkedin import import_linkedin
from ledger.importers.meetings import import_meetings

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
