"""What an import did, and the bookkeeping that makes every row accounted for.

The identity ``rows_read == added + ignored + merged + skipped`` holds for every
import: each data row either became a new touchpoint, was already recorded (ignored),
was folded into another row's touchpoint (``merged``: proximity windows of one
meeting), or was skipped for a reason that is counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ledger.sources._rows import ImportFileError
from ledger.sources._write import Written

__all__ = ["ImportSummary", "Tally", "summarize"]


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
    """Whose export it was, where the source says (LinkedIn, ``--me``)."""
    left_out_by_reason: Mapping[str, int] = attrs.field(factory=dict)
    """What the file says that was not recorded, by reason: people named by a row who
    are not in its touchpoint (a calendar's tentative or declining attendees, rooms),
    a metadata value the log contradicts. Not rows: outside the identity above."""

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
            **(
                {"left_out_by_reason": dict(sorted(self.left_out_by_reason.items()))}
                if self.left_out_by_reason
                else {}
            ),
        }


@attrs.define
class Tally:
    """Counts rows while a file is parsed; decides whether a bad row aborts."""

    skip_invalid: bool
    rows_read: int = 0
    merged: int = 0
    ignored: int = 0
    """Rows found already recorded before writing (proximity windows a stored meeting
    covers); the write's own ``ignored`` is added to it."""
    skipped: Counter[str] = attrs.field(factory=Counter)
    left_out: Counter[str] = attrs.field(factory=Counter)

    def invalid(self, path: str | Path, line: int, reason: str) -> None:
        """A bad row: abort the import, or with ``skip_invalid`` count and go on."""
        if not self.skip_invalid:
            raise ImportFileError(path, line, reason)
        self.skipped[_general(reason)] += 1

    def ignorable(self, reason: str) -> None:
        """A row that is not a touchpoint by nature (a deleted member, a draft)."""
        self.skipped[reason] += 1


def _general(reason: str) -> str:
    """The reason without the values it quotes, so that skipped rows group by what is
    wrong (``bad timestamp: expected ...``), not by every distinct bad value."""
    return _QUOTED.sub("", reason)


# A value as ledger.errors.quote shows it ('...' with \' escapes, maybe cut with …),
# with the space and parentheses around it.
_QUOTED = re.compile(r" ?\(?'(?:[^'\\]|\\.)*'…?\)?")


def summarize(
    source: str, tally: Tally, written: Written, owner: str | None = None
) -> ImportSummary:
    """The import's summary from its tally and what the write stored; it must add up."""
    summary = ImportSummary(
        source=source,
        rows_read=tally.rows_read,
        added=written.added,
        ignored=tally.ignored + written.ignored,
        people_added=written.people_added,
        skipped_by_reason=dict(tally.skipped),
        merged=tally.merged,
        attributes_updated=written.attributes_added,
        owner=owner,
        left_out_by_reason=dict(tally.left_out),
    )
    assert summary.balanced, f"import bookkeeping is off: {summary}"
    return summary
