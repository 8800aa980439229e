"""Face-to-face proximity logs (SocioPatterns ``t i j``) as meetings with durations.

Each line says that ``i`` and ``j`` were close during the 20-second window ending at
``t`` (seconds; read as Unix time). One meeting per pair per continuous stretch: the
windows of a pair are merged while each starts no more than ``gap`` seconds after the
previous one ended (default: the next window, i.e. no pause). A meeting starts when its
first window starts and lasts until its last window ends; its initiator is the ``i`` of
its first line (the data is undirected, so this is only for display).

Rows: every line is read; one line of each meeting becomes its touchpoint (added or,
on re-import, ignored), the others are ``merged`` into it.

Identity: ``source`` defaults to the file name without extensions; a meeting's ref is
``A~B@START/GAP`` (A < B), stable across re-imports with the same gap. A different gap
draws different meetings, hence the gap in the ref.

People may get a department from the SocioPatterns metadata file (``i<TAB>DEPT``) as
their ``org``, set from the first meeting of the file on, and only when not already so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import attrs

from ledger.api import Ledger
from ledger.facts.kinds import Kind
from ledger.facts.time import parse_time
from ledger.facts.values import Touch
from ledger.sources._rows import ImportFileError, Progress, read_text, text_lines
from ledger.sources._summary import ImportSummary, Tally, write_touches
from ledger.sources.edges import default_source

__all__ = ["WINDOW_SECONDS", "import_meetings"]

WINDOW_SECONDS = 20
"""SocioPatterns sensors report contacts in 20-second windows."""

Window = tuple[int, str, str]  # window end t, i, j (as written)


def import_meetings(
    book: Ledger,
    path: str | Path,
    *,
    format: Literal["sociopatterns"] = "sociopatterns",
    gap: int = WINDOW_SECONDS,
    source: str | None = None,
    metadata: str | Path | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a proximity log as meetings; all of it or, on the first bad row, nothing."""
    if format != "sociopatterns":
        raise ImportFileError(path, 0, f"unknown meetings format {format!r}; use sociopatterns")
    if gap < WINDOW_SECONDS:
        raise ImportFileError(path, 0, f"gap must be at least {WINDOW_SECONDS} seconds")
    source = source or default_source(path)
    tally = Tally(skip_invalid)
    departments = _departments(metadata) if metadata is not None else {}
    windows = _windows(path, tally, progress)
    touches = _meetings(windows, gap, source)
    tally.merged = len(windows) - len(touches)
    summary = write_touches(book, touches, tally, source, progress)
    if departments and touches:
        since = min(touch.occurred_at for touch in touches)
        updated = _set_departments(book, departments, {k for t in touches for k in t.people}, since)
        summary = attrs.evolve(summary, attributes_updated=updated)
    return summary


def _windows(path: str | Path, tally: Tally, progress: Progress | None) -> list[Window]:
    lines = text_lines(read_text(path))
    windows: list[Window] = []
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        tally.rows_read += 1
        if progress is not None and number % 50_000 == 0:
            progress("read", number, len(lines))
        if len(fields) != 3:
            tally.invalid(path, number, f"expected 't i j', got {len(fields)} fields")
            continue
        stamp, i, j = fields
        if not stamp.isdigit():
            tally.invalid(path, number, f"bad time {stamp!r}: expected whole seconds")
            continue
        if i == j:
            tally.invalid(path, number, "self-contact: i = j")
            continue
        windows.append((int(stamp), i, j))
    return windows


def _meetings(windows: Sequence[Window], gap: int, source: str) -> list[Touch]:
    stretches: dict[tuple[str, str], list[list[Window]]] = {}
    for window in sorted(windows, key=lambda w: w[0]):  # stable: file order within a second
        _, i, j = window
        runs = stretches.setdefault((i, j) if i < j else (j, i), [])
        if runs and window[0] - runs[-1][-1][0] <= gap:
            runs[-1].append(window)
        else:
            runs.append([window])
    touches = []
    for (a, b), runs in stretches.items():
        for run in runs:
            first_end, initiator, other = run[0]
            start = first_end - WINDOW_SECONDS
            moment = datetime.fromtimestamp(start, UTC)
            ref = f"{a}~{b}@{start}/{gap}"
            duration = run[-1][0] - start
            touches.append(
                Touch(
                    Kind.MEETING,
                    initiator,
                    (other,),
                    moment,
                    None,
                    source,
                    ref,
                    duration_seconds=duration,
                )
            )
    touches.sort(key=lambda t: (t.occurred_at, t.source_ref or ""))
    return touches


def _departments(path: str | Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for number, line in enumerate(text_lines(read_text(path)), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2:
            raise ImportFileError(path, number, "expected 'PERSON DEPARTMENT'")
        found[fields[0]] = fields[1]
    return found


def _set_departments(
    book: Ledger, departments: dict[str, str], people: set[str], since: datetime
) -> int:
    updated = 0
    for key in sorted(people & departments.keys()):
        if book.person(key, as_of=since).get("org") != departments[key]:
            book.update_person(key, since=parse_time(since), org=departments[key])
            updated += 1
    return updated
