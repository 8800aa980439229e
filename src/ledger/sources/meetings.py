"""Face-to-face proximity logs (SocioPatterns ``t i j``) as meetings with durations.

Each line says that ``i`` and ``j`` were close during the 20-second window ending at
``t``. The five-column form ``t i j Ci Cj`` also gives each person's class or
department, and ``metadata`` (``PERSON GROUP`` lines) may give them too: they become
the person's ``org`` from the log's first window on. Relative logs (times counted
from the start of the recording) need ``start``; see :mod:`._proximity`.

One meeting per pair per continuous stretch: the windows of a pair are merged while
each starts no more than ``gap`` seconds after the previous one ended (default: the
next window, i.e. no pause). A meeting starts when its first window starts and lasts
until its last window ends. Nobody initiates a proximity contact: every meeting is
``symmetric`` (its ``initiator`` is only the first of the two keys).

Identity. ``source`` defaults to ``sociopatterns``, not the file name, so that two
cuts of one log (overlapping pieces, a re-cut of the same days) are one source. A
window is *already recorded* when a stored meeting of this source between the same
two people covers it; such windows are ``ignored`` and never start or lengthen a new
meeting. So a re-import writes nothing, and of two overlapping pieces the second adds
only the windows the first lacks: a meeting cut by the first piece's end is completed
by a second touchpoint starting where the first one stops, and no time is counted
twice. A new meeting's ref is ``A~B@START/GAP`` (A < B).

Rows: every line is read; one window of each new meeting becomes its touchpoint
(``added``), the other windows are ``merged`` into it, covered windows are
``ignored``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Literal

from ledger.api import Ledger
from ledger.facts.kinds import Kind
from ledger.facts.time import parse_time
from ledger.facts.values import Touch
from ledger.sources import _write
from ledger.sources._proximity import Log, Window, read_groups, read_log
from ledger.sources._rows import ImportFileError, Progress
from ledger.sources._summary import ImportSummary, Tally, summarize

__all__ = ["SOCIOPATTERNS_SOURCE", "WINDOW_SECONDS", "import_meetings"]

WINDOW_SECONDS = 20
"""SocioPatterns sensors report contacts in 20-second windows."""
SOCIOPATTERNS_SOURCE = "sociopatterns"
_WINDOW = timedelta(seconds=WINDOW_SECONDS)
_LOOK_BACK = timedelta(days=1)  # a stored meeting covering the log's start began at most this early
Pair = tuple[str, str]
Spans = dict[Pair, list[tuple[datetime, datetime]]]  # per pair, stored meetings' (start, end)


def import_meetings(
    book: Ledger,
    path: str | Path,
    *,
    format: Literal["sociopatterns"] = "sociopatterns",
    gap: int = WINDOW_SECONDS,
    source: str | None = None,
    metadata: str | Path | None = None,
    start: datetime | str | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    allow_forgotten: bool = False,
) -> ImportSummary:
    """Import a proximity log as meetings; all of it or, on the first bad row, nothing.

    ``start`` anchors a relative log: a datetime, ISO 8601 text, or ``YYYY-MM-DD``
    (that day's midnight, UTC).
    """
    if format != "sociopatterns":
        raise ImportFileError(path, 0, f"unknown meetings format {format!r}; use sociopatterns")
    if gap < WINDOW_SECONDS:
        raise ImportFileError(path, 0, f"gap must be at least {WINDOW_SECONDS} seconds")
    source = source or SOCIOPATTERNS_SOURCE
    tally = Tally(skip_invalid)
    log = read_log(path, _anchor(start), tally, progress)
    groups = _groups(log, metadata, tally)
    covered = _covered(log.windows, _stored(book, source, log.windows))
    tally.ignored = len(covered)
    touches = _meetings(log.windows, covered, gap, source)
    tally.merged = len(log.windows) - len(covered) - len(touches)
    changes = _changes(log, groups)
    written = _write.write(
        book, touches, changes=changes, progress=progress, allow_forgotten=allow_forgotten
    )
    return summarize(source, tally, written)


def _anchor(start: datetime | str | None) -> datetime | None:
    if isinstance(start, str) and len(start.strip()) == 10:
        start = f"{start.strip()}T00:00:00+00:00"
    return None if start is None else parse_time(start, "start")


def _groups(log: Log, metadata: str | Path | None, tally: Tally) -> dict[str, str]:
    """Each person's group: the log's class, else the metadata file's.

    Where the two disagree (HS2013: student 28 is 2BIO1 on every contact line and
    2BIO2 in the metadata), the log's is kept, since every line of it was recorded
    with that class, and the metadata's is counted as left out.
    """
    found = {person: group for person, (group, _) in log.groups.items()}
    if metadata is None:
        return found
    for person, (group, _) in read_groups(metadata).items():
        if found.setdefault(person, group) != group:
            tally.left_out["metadata group that contradicts the log's class (log kept)"] += 1
    return found


def _changes(log: Log, groups: dict[str, str]) -> list[_write.Change]:
    if not log.windows or not groups:
        return []
    since = min(window.end for window in log.windows) - _WINDOW
    people = {person for w in log.windows for person in (w.i, w.j)}
    return [_write.Change(p, since, {"org": groups[p]}) for p in sorted(people & groups.keys())]


def _pair(window: Window) -> Pair:
    return (window.i, window.j) if window.i < window.j else (window.j, window.i)


def _stored(
    book: Ledger, source: str, windows: Sequence[Window]
) -> dict[Pair, list[tuple[datetime, datetime]]]:
    """Per pair, the spans of the meetings of ``source`` stored around the log's time."""
    if not windows:
        return {}
    people = {person for w in windows for person in (w.i, w.j)} & set(book.people())
    since = min(w.end for w in windows) - _WINDOW - _LOOK_BACK
    until = max(w.end for w in windows)
    spans: dict[Pair, set[tuple[datetime, datetime]]] = defaultdict(set)
    for person in sorted(people):
        for seen in book.timeline(person, since=since, until=until):
            if seen.source != source or seen.kind != Kind.MEETING or seen.retracted:
                continue
            a, b = sorted((seen.initiator, *seen.counterparts))[:2]
            end = seen.occurred_at + timedelta(seconds=seen.duration_seconds or 0)
            spans[(a, b)].add((seen.occurred_at, end))
    return {pair: sorted(found) for pair, found in spans.items()}


def _covered(windows: Sequence[Window], stored: Spans) -> set[int]:
    """The lines of the windows a stored meeting covers (already recorded)."""
    reach: dict[Pair, tuple[list[datetime], list[datetime]]] = {}
    for pair, spans in stored.items():  # spans sorted by start
        ends = list(accumulate((end for _, end in spans), max))  # furthest end so far
        reach[pair] = ([start for start, _ in spans], ends)
    covered = set()
    nothing: tuple[list[datetime], list[datetime]] = ([], [])
    for window in windows:
        starts, ends = reach.get(_pair(window), nothing)
        index = bisect_right(starts, window.end - _WINDOW) - 1
        if index >= 0 and ends[index] >= window.end:
            covered.add(window.line)
    return covered


def _meetings(windows: Sequence[Window], covered: set[int], gap: int, source: str) -> list[Touch]:
    """One meeting per run of uncovered windows; a covered window ends a run, so that
    a new meeting never spans time a stored one holds, whatever the gap."""
    runs: dict[Pair, list[list[Window]]] = {}
    pause = timedelta(seconds=gap)
    for window in sorted(windows, key=lambda w: w.end):  # stable: file order within a second
        pair_runs = runs.setdefault(_pair(window), [])
        if window.line in covered:
            pair_runs.append([])
        elif pair_runs and pair_runs[-1] and window.end - pair_runs[-1][-1].end <= pause:
            pair_runs[-1].append(window)
        else:
            pair_runs.append([window])
    touches = [
        _meeting(pair, run, gap, source)
        for pair, pair_runs in runs.items()
        for run in pair_runs
        if run
    ]
    touches.sort(key=lambda t: (t.occurred_at, t.source_ref or ""))
    return touches


def _meeting(pair: Pair, run: Sequence[Window], gap: int, source: str) -> Touch:
    began = run[0].end - _WINDOW
    ref = f"{pair[0]}~{pair[1]}@{int(began.timestamp())}/{gap}"
    duration = int((run[-1].end - began).total_seconds())
    return Touch(
        Kind.MEETING,
        pair[0],
        (pair[1],),
        began,
        None,
        source,
        ref,
        duration_seconds=duration,
        symmetric=True,
    )
