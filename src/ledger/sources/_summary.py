"""What an import did, and the bookkeeping that makes every row accounted for.

The identity ``rows_read == added + ignored + merged + skipped`` holds for every
import: each data row either became a new touchpoint, was already recorded (ignored),
was folded into another row's touchpoint (``merged``: proximity windows of one
meeting), or was skipped for a reason that is counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ledger.api import Ledger
from ledger.facts.values import Touch
from ledger.sources._rows import ImportFileError, Progress

__all__ = ["ImportSummary", "Tally", "write_touches"]


@attrs.frozen
class ImportSummary:
    """The outcome of one import (see the module docstring for the identity)."""

    source: str
    rows_read: int
    added: int
    ignored: int
    people_added: int
    skipped_by_reason: Mapping[str, int] = attrs.field(factory=dict)
    merged: int = 0
    attributes_updated: int = 0
    owner: str | None = None
    """Whose export it was, where the source says (LinkedIn): the ledger's owner."""

    @property
    def skipped(self) -> int:
        return sum(self.skipped_by_reason.values())

    @property
    def balanced(self) -> bool:
        """Whether every row read is accounted for."""
        return self.rows_read == self.added + self.ignored + self.merged + self.skipped

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "added": self.added,
            "ignored": self.ignored,
            "merged": self.merged,
            "skipped": self.skipped,
            "skipped_by_reason": dict(sorted(self.skipped_by_reason.items())),
            "people_added": self.people_added,
            "attributes_updated": self.attributes_updated,
            **({"owner": self.owner} if self.owner is not None else {}),
        }


@attrs.define
class Tally:
    """Counts rows while a file is parsed; decides whether a bad row aborts."""

    skip_invalid: bool
    rows_read: int = 0
    merged: int = 0
    skipped: Counter[str] = attrs.field(factory=Counter)

    def invalid(self, path: str | Path, line: int, reason: str) -> None:
        """A bad row: abort the import, or with ``skip_invalid`` count and go on."""
        if not self.skip_invalid:
            raise ImportFileError(path, line, reason)
        self.skipped[reason] += 1

    def ignorable(self, reason: str) -> None:
        """A row that is not a touchpoint by nature (a deleted member, a draft)."""
        self.skipped[reason] += 1


def write_touches(
    book: Ledger,
    touches: Iterable[Touch],
    tally: Tally,
    source: str,
    progress: Progress | None = None,
    attributes_updated: int = 0,
) -> ImportSummary:
    """Record every touch in ONE atomic, idempotent batch and summarize the import.

    ``touches`` may be lazy (a file read as it is written): the tally is complete once
    the batch is, and a bad row raised while reading rolls the whole batch back.
    """
    total = len(touches) if isinstance(touches, Sequence) else None
    if progress is not None and total is not None:
        progress("write", 0, total)
    recorded = book.record_many(touches, create_people=True, keep_ids=False)
    if progress is not None and total is not None:
        progress("write", total, total)
    summary = ImportSummary(
        source=source,
        rows_read=tally.rows_read,
        added=recorded.added,
        ignored=recorded.ignored,
        people_added=recorded.people_added,
        skipped_by_reason=dict(tally.skipped),
        merged=tally.merged,
        attributes_updated=attributes_updated,
    )
    assert summary.balanced, f"import bookkeeping is off: {summary}"
    return summary
