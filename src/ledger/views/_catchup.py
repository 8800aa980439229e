"""Following the notification log: new events in, views and tracking position out.

Each round reads the events after the tracked position (in one snapshot, decoding them
outside any lock), then, holding the catch-up lock, writes everything they change in one
transaction together with the new position; if another process moved the position
meanwhile, the round is read again from there. A pair whose new rows all come after its
latest one is extended from its stored fold state without reading anything back; a
touch that lands in a pair's past, or a retraction, refolds that pair. Catching up on N
events costs O(N), plus, for back-dated touches and retractions only, the history of
the pairs they touch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.store import read_events
from ledger.views import _writes
from ledger.views._decode import Round, decode
from ledger.views._schema import Views

__all__ = ["ROUND_TOUCHES", "Progress", "catch_up", "rebuild"]

PAGE = 200
"""Events read per SELECT (a batch event may hold 50,000 touches)."""
ROUND_EVENTS = 20_000
ROUND_TOUCHES = 250_000
"""A round ends after this many touches (or events): it bounds the memory."""
_NO_STOP = 2**63 - 1

Progress = Callable[[int], None]
"""Called after each page read with how many events have been read so far."""


def catch_up(views: Views, zone: str, progress: Progress | None = None) -> tuple[int, bool]:
    """Bring the views up to the end of the log; return how many events were applied,
    and whether one of them asks for a rebuild (someone was forgotten)."""
    applied, rebuild_due = 0, False
    counted = _Counter(progress)
    while True:
        start = views.position()
        with views.read() as c:
            found, last = _read(views, c, start, counted)
        if last is None:
            return applied, rebuild_due
        with views.locked() as (c, position):
            if position != start:
                continue  # another process caught up meanwhile: read again from there
            # The zone the stored rows were folded in, read under the lock: another
            # process may have changed it (and refolded) since the caller looked.
            rebuild_due |= _writes.apply(views, c, found, views.meta(c).get("zone", zone))
            views.advance(c, last)
        applied += found.count


def rebuild(views: Views, zone: str, meta: dict[str, str], progress: Progress | None = None) -> int:
    """Empty the views and replay the whole log into them in one transaction, with the
    tracking position; return how many events were applied. Other readers keep the old
    views until the new ones are complete."""
    applied, last = 0, None
    counted = _Counter(progress)
    views.repair()
    with views.locked(rebuilding=True) as (c, _):
        views.reset(c)
        views.set_meta(c, meta)
        # Who is whom first (people, identities, merges, settings...), then every touch,
        # so that a touch recorded before a merge is attributed as the merge says.
        for only in ("facts", "touches"):
            start = -(2**63)
            while True:
                found, end = _read(
                    views, c, start, counted if only == "touches" else _Counter(None), only
                )
                if end is None:
                    break
                _writes.apply(views, c, found, zone)
                applied += found.count if only == "touches" else 0
                start, last = end, end
            if only == "facts":
                _writes.settle_merges(views, c)
        if last is not None:
            views.advance(c, last)
    return applied + catch_up(views, zone)[0]  # anything recorded meanwhile


class _Counter:
    """Counts the events read and reports the running total to a :data:`Progress`."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress, self.read = progress, 0

    def add(self, count: int) -> None:
        if self.progress is not None and count:
            self.read += count
            self.progress(self.read)


def _read(
    views: Views,
    c: Any,
    start: int,
    counted: _Counter,
    only: str | None = None,
    stop: int = _NO_STOP,
) -> tuple[Round, int | None]:
    """One round of events after ``start`` (up to ``stop``), read with cursor ``c``: the
    facts and the last notification id read (None when there was nothing)."""
    # A batch event may hold 50,000 touches, so a page of PAGE events could hold millions:
    # a page holds no more events than the touches left in the round allow (at the most
    # one event of this round held; growing from one event while none held any), and
    # decoding stops once the round is full (the rest of the page is the next round's),
    # so that the round, not the page, bounds the memory.
    found, last, limit, most = Round(), None, 1, 0
    while found.count < ROUND_EVENTS and found.touches < ROUND_TOUCHES:
        page = read_events(views.store.storage, c, start, stop, limit)
        for number, event in enumerate(page):
            before = found.touches
            decode(views.store, c, [event], found, only)
            most = max(most, found.touches - before)
            last = start = event[0]
            if found.touches >= ROUND_TOUCHES:
                counted.add(number + 1)
                return found, last
        counted.add(len(page))
        if len(page) < limit:
            break
        left = ROUND_TOUCHES - found.touches
        limit = min(PAGE, 2 * limit) if not most else max(1, min(PAGE, left // most))
    return found, last
