"""Importers: real histories (edge logs, CSV, LinkedIn exports, meetings, calendars,
mailboxes, WhatsApp and Telegram chats, address books) in.

Each importer reads and validates a file, then stores everything it found through one
write (``ledger.sources._write``), and returns an :class:`ImportSummary` in which
every row read is accounted for. See ``docs/importers.md``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ledger.sources._rows import ImportFileError, Progress
from ledger.sources._summary import ImportSummary

__all__ = [
    "CsvLayout",
    "ImportFileError",
    "ImportSummary",
    "Progress",
    "import_contacts",
    "import_edges",
    "import_ics",
    "import_linkedin",
    "import_mail",
    "import_meetings",
    "import_telegram",
    "import_whatsapp",
]

if TYPE_CHECKING:
    from ledger.sources.calendar import import_ics
    from ledger.sources.contacts import import_contacts
    from ledger.sources.edges import CsvLayout, import_edges
    from ledger.sources.linkedin import import_linkedin
    from ledger.sources.mail import import_mail
    from ledger.sources.meetings import import_meetings
    from ledger.sources.telegram import import_telegram
    from ledger.sources.whatsapp import import_whatsapp

# icalendar takes ~50 ms to import: each importer is loaded when first used, so that
# `ledger --help` and `import ledger.sources` stay fast.
_LAZY = {
    "CsvLayout": "ledger.sources.edges",
    "import_edges": "ledger.sources.edges",
    "import_ics": "ledger.sources.calendar",
    "import_linkedin": "ledger.sources.linkedin",
    "import_meetings": "ledger.sources.meetings",
    "import_mail": "ledger.sources.mail",
    "import_whatsapp": "ledger.sources.whatsapp",
    "import_telegram": "ledger.sources.telegram",
    "import_contacts": "ledger.sources.contacts",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
