"""Question 2: "Who is fading?" Reminders from each relationship's own rhythm.

**Rhythm.** A pair's active days are the calendar days (in the ledger's time zone,
``ledger settings``) on which the two were in contact: one of them reached out to the
other, or both took part in something (a meeting they attended, a proximity contact);
connection bookkeeping and being introduced by a third person are not contact. Its
rhythm is the median gap, in days, between consecutive active days, *robust to
bursts*: gaps of at most :data:`BURST_DAYS` days (a conversation spread over a few
days) are left out, so the rhythm is the usual quiet spell between bursts. Bursty
contact is the norm (Miritello et al. 2013), and a median of the gaps between bursts is
what "how often do we talk" means; one burst of five consecutive days a year ago must
not give a one-day rhythm. The gap still open at ``as_of`` is not one of them: it is
censored (Kivelä & Porter 2015). A pair needs at least :data:`MIN_GAPS` such gaps
(three bursts) to have a rhythm; a contact that has only ever been one continuous burst
has none, and is never suggested (it reaches the dormant list if it was deep and then
went quiet).

**Thresholds.** ``ideal = last touch + rhythm``; ``overdue = last touch +``
:data:`OVERDUE_FACTOR` ``× rhythm``. A pair whose last touch is within its rhythm is
never suggested (``--within DAYS`` lists those coming due in the next DAYS days as
``upcoming``). Between ideal and overdue it is ``due``, after it ``overdue``.

Each reminder also carries the pair's last two-way exchange and its strength just
after the last touch (by :meth:`ledger.DecayModel.weigh`), so that "strength then and
now" shows what the quiet has cost.

**Ranking.** ``score = (days since last touch / rhythm) × strength now``: how late,
times how much is still there to save (the ledger's strength, :meth:`ledger.Ledger.pair`);
fading ties that still matter come first, and ties already gone drop down the list.

**Dormant ties.** Once deep (depth ``two_way`` or more) and quiet for at least
:data:`DORMANT_YEARS` years: a separate reconnect list, deepest and longest first.
Reconnecting dormant ties pays (Levin, Walter & Murnighan 2011, whose dormant ties
were three or more years quiet); nothing is ever deleted.

**Snoozes.** :func:`snooze` stores a fact (:meth:`ledger.Ledger.snooze`) that silences a
pair in both lists from ``since`` until ``until``; the latest snooze recorded for a pair
with ``since`` at or before the date asked about decides, so a snooze until ``since``
clears an earlier one.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs

from ledger import DecayModel, Ledger, PairFact, PairView
from ledger.errors import InvalidInputError
from ledger.facts.kinds import Family, Kind
from ledger.insights._common import TimeLike, local_day, micros, moment, resolve_me
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
_DAY = timedelta(days=1)


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
    last_exchange_at: datetime | None = None
    """The last two-way exchange (a live touch, or an answer), if any."""
    strength_at_last_touch: float = 0.0
    """The strength just after the last touch: what the quiet since has cost."""


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


def _active(facts: Sequence[PairFact]) -> list[PairFact]:
    """The touches that were contact between the two (see the module docs)."""
    return [
        f for f in facts if f.role != "introduced" and Kind(f.kind).family is not Family.CONNECTION
    ]


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
    zone, model = ZoneInfo(book.timezone), book.decay_model
    views = {view.other(me): view for view in book.relationships(me, end)}
    silenced = {(s.a, s.b): s for s in snoozes(book, end)}
    mine = tuple(s for pair, s in silenced.items() if me in pair)
    fading: list[Reminder] = []
    dormant: list[Dormant] = []
    rhythmless = 0
    for other, facts in book.pair_facts(me, end).items():
        active = _active(facts)
        if not active or tuple(sorted((me, other))) in silenced or other not in views:
            continue
        view = views[other]
        quiet = (end - active[-1].at) / _DAY
        days = sorted({local_day(fact.at, zone) for fact in active})
        if view.depth.level >= DepthLevel.TWO_WAY and quiet >= dormant_years * 365.25:
            dormant.append(_dormant(other, view, active[-1].at, len(days), quiet))
            continue
        rhythm = rhythm_days(days)
        if rhythm is None:
            rhythmless += 1
            continue
        if quiet > rhythm or quiet + within_days > rhythm:
            reminder = _reminder(
                other, view, active[-1].at, len(days), rhythm, quiet, overdue_factor
            )
            fading.append(attrs.evolve(reminder, strength_at_last_touch=_then(model, facts)))
    fading.sort(key=lambda r: (-r.score, r.person))
    dormant.sort(key=lambda d: (-DepthLevel[d.depth.upper()], -d.active_days, d.person))
    return Reminders(me, end, tuple(fading), tuple(dormant), mine, rhythmless)


def _then(model: DecayModel, facts: Sequence[PairFact]) -> float:
    """The strength just after the last active touch (by the one decay function)."""
    last = _active(facts)[-1].at
    return float(model.weigh([f for f in facts if f.at <= last], micros(last)).sum())


def _reminder(
    other: str,
    view: PairView,
    last: datetime,
    days: int,
    rhythm: float,
    quiet: float,
    factor: float,
) -> Reminder:
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
        last_exchange_at=view.decay.last_exchange_at,
    )


def _dormant(other: str, view: PairView, last: datetime, days: int, quiet: float) -> Dormant:
    return Dormant(
        person=other,
        depth=view.depth.level_name,
        years_quiet=quiet / 365.25,
        last_touch_at=last,
        active_days=days,
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

    Stored as a fact (:meth:`ledger.Ledger.snooze`). ``until == since`` clears an
    earlier snooze.
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
    for fact in book.snoozes():  # in log order: later facts replace earlier ones
        if fact.since <= at:
            x, y = sorted((fact.a, fact.b))
            latest[(x, y)] = SnoozeView(x, y, fact.since, fact.until, fact.reason)
    return sorted((s for s in latest.values() if at < s.until), key=lambda s: (s.a, s.b))
