"""Question 2: "Who is fading?" Reminders from each relationship's own rhythm.

**Rhythm.** A pair's active days are the UTC calendar days on which one of the two
reached out to the other (any kind but connection bookkeeping; an introduction by a
third person is not contact between them). Its rhythm is the median gap, in days,
between consecutive active days, *robust to bursts*: gaps of at most
:data:`BURST_DAYS` days (a conversation spread over a few days) are left out, so the
rhythm is the usual quiet spell between bursts. Bursty contact is the norm (Miritello
et al. 2013), and a median of the gaps between bursts is what "how often do we talk"
means; one burst of five consecutive days a year ago must not give a one-day rhythm.
The gap still open at ``as_of`` is not one of them: it is censored (Kivelä & Porter
2015). A pair needs at least :data:`MIN_GAPS` such gaps (three bursts) to have a
rhythm; a contact that has only ever been one continuous burst has none, and is never
suggested (it reaches the dormant list if it was deep and then went quiet).

**Thresholds.** ``ideal = last touch + rhythm``; ``overdue = last touch +``
:data:`OVERDUE_FACTOR` ``× rhythm``. A pair whose last touch is within its rhythm is
never suggested (``--within DAYS`` lists those coming due in the next DAYS days as
``upcoming``). Between ideal and overdue it is ``due``, after it ``overdue``.

**Ranking.** ``score = (days since last touch / rhythm) × strength now``: how late,
times how much is still there to save (the decay model's strength); fading ties that
still matter come first, and ties already gone drop down the list.

**Dormant ties.** Once deep (depth ``two_way`` or more) and quiet for at least
:data:`DORMANT_YEARS` years: a separate reconnect list, deepest and longest first.
Reconnecting dormant ties pays (Levin, Walter & Murnighan 2011, whose dormant ties
were three or more years quiet); nothing is ever deleted.

**Snoozes.** :func:`snooze` stores a fact (``Snooze.Set``) that silences a pair in
both lists from ``since`` until ``until``; the latest snooze recorded for a pair with
``since`` at or before the date asked about decides, so a snooze until ``since``
clears an earlier one.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from ledger import PairView, Step
from ledger.api import Ledger
from ledger.errors import InvalidInputError
from ledger.facts.kinds import Family
from ledger.facts.time import from_micros
from ledger.insights._common import DAY, TimeLike, micros, moment, resolve_me
from ledger.projections.depth import DepthLevel

__all__ = [
    "BURST_DAYS",
    "DORMANT_YEARS",
    "MIN_GAPS",
    "OVERDUE_FACTOR",
    "Dormant",
    "Reminder",
    "Reminders",
    "SnoozeView",
    "remind",
    "rhythm_days",
    "snooze",
    "snoozes",
]

BURST_DAYS = 3
MIN_GAPS = 2
OVERDUE_FACTOR = 2.0
DORMANT_YEARS = 3.0


@attrs.frozen
class SnoozeView:
    a: str
    b: str
    since: datetime
    until: datetime
    reason: str | None


@attrs.frozen
class Reminder:
    """A relationship worth a touch: ``status`` is ``due``, ``overdue`` or ``upcoming``."""

    person: str
    status: str
    score: float
    rhythm_days: float
    days_since: float
    last_touch_at: datetime
    ideal_at: datetime
    overdue_at: datetime
    strength: float
    depth: str
    active_days: int


@attrs.frozen
class Dormant:
    """A once-deep tie quiet for years: worth reconnecting."""

    person: str
    depth: str
    years_quiet: float
    last_touch_at: datetime
    active_days: int
    strength: float


@attrs.frozen
class Reminders:
    me: str
    as_of: datetime
    fading: tuple[Reminder, ...]
    dormant: tuple[Dormant, ...]
    snoozed: tuple[SnoozeView, ...]
    without_rhythm: int
    """Relationships with too few active days to have a rhythm (never suggested)."""


def rhythm_days(days: Sequence[int]) -> float | None:
    """The rhythm (see the module docs) of sorted distinct active day numbers."""
    spaced = [b - a for a, b in itertools.pairwise(days) if b - a > BURST_DAYS]
    if len(spaced) < MIN_GAPS:
        return None
    return float(statistics.median(spaced))


def _active(steps: Sequence[Step]) -> list[Step]:
    return [s for s in steps if s.direction != 0 and s.kind.family is not Family.CONNECTION]


def remind(
    book: Ledger,
    me: str | None = None,
    as_of: TimeLike = None,
    *,
    within_days: float = 0.0,
    overdue_factor: float = OVERDUE_FACTOR,
    dormant_years: float = DORMANT_YEARS,
) -> Reminders:
    """Who ``me`` (default: the owner) should touch now, and the dormant ties to revive."""
    if not within_days >= 0 or not overdue_factor >= 1 or not dormant_years > 0:
        raise InvalidInputError(
            "within_days/overdue_factor/dormant_years",
            (within_days, overdue_factor, dormant_years),
            "need within_days >= 0, overdue_factor >= 1, dormant_years > 0",
        )
    me = resolve_me(book, me)
    end = moment(as_of)
    t = micros(end)
    views = {view.other(me): view for view in book.relationships(me, end)}
    silenced = {(s.a, s.b): s for s in snoozes(book, end)}
    mine = tuple(s for pair, s in silenced.items() if me in pair)
    fading: list[Reminder] = []
    dormant: list[Dormant] = []
    rhythmless = 0
    for other, steps in book.steps_of(me, t).items():
        active = _active(steps)
        if not active or tuple(sorted((me, other))) in silenced or other not in views:
            continue
        view = views[other]
        quiet = (t - active[-1].t) / DAY
        if view.depth.level >= DepthLevel.TWO_WAY and quiet >= dormant_years * 365.25:
            dormant.append(_dormant(other, view, active, quiet))
            continue
        days = sorted({step.t // DAY for step in active})
        rhythm = rhythm_days(days)
        if rhythm is None:
            rhythmless += 1
            continue
        reminder = _reminder(other, view, active, len(days), rhythm, quiet, overdue_factor)
        if quiet > rhythm or quiet + within_days > rhythm:
            fading.append(reminder)
    fading.sort(key=lambda r: (-r.score, r.person))
    dormant.sort(key=lambda d: (-DepthLevel[d.depth.upper()], -d.active_days, d.person))
    return Reminders(me, end, tuple(fading), tuple(dormant), mine, rhythmless)


def _reminder(
    other: str,
    view: PairView,
    active: Sequence[Step],
    days: int,
    rhythm: float,
    quiet: float,
    factor: float,
) -> Reminder:
    last = from_micros(active[-1].t)
    late = "due" if quiet <= factor * rhythm else "overdue"
    status = "upcoming" if quiet <= rhythm else late
    return Reminder(
        person=other,
        status=status,
        score=quiet / rhythm * view.strength if rhythm else 0.0,
        rhythm_days=rhythm,
        days_since=quiet,
        last_touch_at=last,
        ideal_at=last + timedelta(days=rhythm),
        overdue_at=last + timedelta(days=factor * rhythm),
        strength=view.strength,
        depth=view.depth.level_name,
        active_days=days,
    )


def _dormant(other: str, view: PairView, active: Sequence[Step], quiet: float) -> Dormant:
    return Dormant(
        person=other,
        depth=view.depth.level_name,
        years_quiet=quiet / 365.25,
        last_touch_at=from_micros(active[-1].t),
        active_days=len({step.t // DAY for step in active}),
        strength=view.strength,
    )


def snooze(
    book: Ledger,
    a: str,
    b: str,
    until: datetime | str,
    *,
    since: TimeLike = None,
    reason: str | None = None,
) -> SnoozeView:
    """Silence reminders about the pair (a, b) from ``since`` (default now) until ``until``.

    Stored as a fact (``Snooze.Set``). ``until == since`` clears an earlier snooze.
    """
    x, y = sorted((book.person(a).key, book.person(b).key))
    if x == y:
        raise InvalidInputError("b", b, "a snooze is about two different people")
    start, end = moment(since, "since"), moment(until, "until")
    if end < start:
        raise InvalidInputError("until", until, "must not be before since")
    text = reason.strip() if reason and reason.strip() else None
    book.snooze(x, y, start, end, text)
    return SnoozeView(x, y, start, end, text)


def snoozes(book: Ledger, as_of: TimeLike = None) -> list[SnoozeView]:
    """The snoozes in force at ``as_of`` (default now), by pair."""
    at = moment(as_of)
    latest: dict[tuple[str, str], SnoozeView] = {}
    for a, b, since, until, reason in book.snooze_facts():
        if since <= at:  # later facts replace earlier ones for the same pair
            latest[(a, b)] = SnoozeView(a, b, since, until, reason)
    return sorted((s for s in latest.values() if at < s.until), key=lambda s: (s.a, s.b))
