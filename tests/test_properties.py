"""Every public answer against one independent reference, over random histories.

Hypothesis draws histories of dozens of people and every kind of touchpoint: messages,
e-mails and comments (to one or several), calls and meetings with and without
durations, group meetings of 3-12 people, touches nobody initiated (``symmetric``),
introductions, favors either way, reactions, connection requests. Their times are given
in random zones and forms (aware datetimes, ISO text, ``@UNIXSECONDS``), to the
microsecond. They are recorded in random order and batches by two ledger objects on one
ledger, with retractions, identical re-recordings, catch-ups and settings changes
(half-life, weights, time zone) at random points.

The reference below is written in this file from the raw touchpoints and the rules in
the docs of ``projections/`` and ``ledger/views/_split.py``: its own split into pairs,
conversation sessions, day totals of time together, group factor, decay sum, depth
levels, two-way days, openings. It uses nothing of the ledger but its constants' values
(written out again here). Every pair's values, from ``pair``, ``relationships``,
``pairs``, ``network``, ``explain``, ``pair_facts`` and ``touchpoint``, under the model
in force and under an override, must equal it; then ``rebuild`` changes nothing and
``verify`` finds nothing.
"""

from __future__ import annotations

import itertools
import math
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ledger
from ledger import DepthLevel, Kind

# -- the rules, written out again (projections/ and views/_split.py docs) ----------------------
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY = 86_400_000_000
SESSION_GAP = 1800 * 1_000_000
LIVE_LIMIT = 10
SUSTAINED = 3
LIVE = {Kind.CALL, Kind.VIDEO_CALL, Kind.MEETING}
CONVERSATION = {Kind.MESSAGE, Kind.EMAIL, Kind.COMMENT}
GIVING = {Kind.FAVOR, Kind.INTRODUCTION, Kind.REFERRAL, Kind.RECOMMENDATION}
SIGNAL = {Kind.REACTION, Kind.SHARE, Kind.ENDORSEMENT}
GIVEN = {
    Kind.FAVOR: "favors",
    Kind.INTRODUCTION: "introductions",
    Kind.REFERRAL: "referrals",
    Kind.RECOMMENDATION: "recommendations",
}
WEIGHTS = {
    "message": 1.0,
    "email": 1.0,
    "call": 3.0,
    "video_call": 3.0,
    "meeting": 4.0,
    "comment": 0.5,
    "share": 0.3,
    "reaction": 0.1,
    "introduction": 2.0,
    "favor": 3.0,
    "referral": 3.0,
    "recommendation": 2.0,
    "endorsement": 0.3,
    "connection_requested": 0.2,
    "connection_accepted": 0.2,
    "connection_declined": 0.0,
    "connection_removed": 0.0,
    "introduced": 0.5,
}
DIRECT, CO, INTRODUCED = "direct", "co", "introduced"


def g(seconds: float) -> float:
    """What a day's total time together counts: 1 for half an hour."""
    return math.log2(1 + seconds / 60) / math.log2(1 + 1800 / 60)


def f(j: float) -> float:
    """What the first j touches of a conversation session count together."""
    return math.log2(1 + j)


# -- histories ------------------------------------------------------------------------------
@attrs.frozen
class Fact:
    """A touchpoint as the test knows it: who (the initiator first), what, when (µs UTC)."""

    kind: Kind
    people: tuple[str, ...]
    t: int
    given_at: Any
    duration: int | None = None
    giver: str | None = None
    symmetric: bool = False
    personalized: bool = False
    note: str | None = None
    ref: str | None = None

    def touch(self) -> ledger.Touch:
        return ledger.Touch(
            self.kind,
            self.people[0],
            list(self.people[1:]),
            self.given_at,
            note=self.note,
            source="prop",
            source_ref=self.ref,
            personalized=self.personalized,
            giver=self.giver,
            duration_seconds=self.duration,
            symmetric=self.symmetric,
        )


T0 = 1_700_000_000_000_000  # 2023-11-14, µs
ERAS = [T0, T0, T0, -3_800_000_000_000_000, 3_203_000_000_000_000]
"""Where a history happens: mostly now, sometimes in 1849 or in the summer of 2071 (past
the transitions a zone's file lists: daylight saving time by its rule)."""
ZONES = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Australia/Lord_Howe",
]
MINUTES = [0, 1, 10, 29, 30, 31, 59, 90, 600, 719, 1380, 1439]


def moment(t: int) -> datetime:
    return EPOCH + timedelta(microseconds=t)


@st.composite
def given_time(draw: st.DrawFn, t: int) -> Any:
    """The instant ``t`` as a caller might give it: in some zone, as text, as a number."""
    form = draw(st.sampled_from(["utc", "offset", "zone", "iso", "z", "unix"]))
    if form == "utc":
        return moment(t)
    if form == "offset":
        minutes = draw(st.integers(-14 * 60, 14 * 60))
        return moment(t).astimezone(timezone(timedelta(minutes=minutes)))
    if form == "zone":
        return moment(t).astimezone(ZoneInfo(draw(st.sampled_from(ZONES))))
    if form == "iso":
        return moment(t).astimezone(ZoneInfo(draw(st.sampled_from(ZONES)))).isoformat()
    if form == "z":
        return moment(t).replace(tzinfo=None).isoformat() + "Z"
    whole, part = divmod(abs(t), 1_000_000)
    return f"@{'-' if t < 0 else ''}{whole}.{part:06d}"


@st.composite
def facts(draw: st.DrawFn, people: list[str], era: int = T0) -> Fact:
    active = max(3, len(people) // 4)  # most touches among a few people: pairs recur
    who = st.integers(0, active - 1) | st.integers(0, len(people) - 1)
    kind = draw(
        st.sampled_from(
            [*Kind, Kind.MESSAGE, Kind.EMAIL, Kind.MEETING, Kind.CALL, Kind.FAVOR, Kind.MESSAGE]
        )
    )
    symmetric = kind is not Kind.INTRODUCTION and draw(st.integers(0, 9)) == 0
    if kind is Kind.INTRODUCTION:
        size = 3
    elif kind in LIVE:
        size = draw(st.sampled_from([2, 2, 2, 3, 4, 10, 11, 12]))
    else:
        size = draw(st.sampled_from([2, 2, 2, 2, 3, 5]))
    chosen = draw(st.lists(who, min_size=size, max_size=size, unique=True))
    day = draw(st.sampled_from([0, 0, 1, 2, 7]) | st.integers(0, 12) | st.integers(0, 200))
    micro = draw(st.sampled_from([0, 0, 0, 1, 999_999]) | st.integers(0, 999_999))
    t = era + day * DAY + draw(st.sampled_from(MINUTES)) * 60_000_000 + micro
    duration = None
    if kind in LIVE:
        duration = draw(st.sampled_from([None, 0, 20, 600, 1800, 3600]) | st.integers(0, 20_000))
    return Fact(
        kind=kind,
        people=tuple(people[i] for i in chosen),
        t=t,
        given_at=draw(given_time(t)),
        duration=duration,
        giver=draw(st.sampled_from([None, "initiator", "counterparts"]))
        if kind is Kind.FAVOR
        else None,
        symmetric=symmetric,
        personalized=draw(st.booleans()),
        note=draw(st.sampled_from([None, None, "lunch", "ça va? \u200d"])),
        ref=draw(st.sampled_from([None, uuid.uuid4().hex])),
    )


OFFSETS = [0, 1, 60, 29 * 60, 1800, 1801, 45 * 60, 3600, 3 * 3600, 23 * 3600, 86_400, 2 * 86_400]


@st.composite
def follow_ups(draw: st.DrawFn, base: Fact) -> Fact:
    """A touch soon after ``base`` between the same people: a reply, the next message of
    a conversation, another meeting that day, the same thing a day later."""
    kind = draw(st.sampled_from([base.kind, base.kind, Kind.MESSAGE, Kind.EMAIL, Kind.MEETING]))
    people = base.people
    if kind is Kind.INTRODUCTION or base.kind is Kind.INTRODUCTION:
        kind = base.kind
    elif draw(st.booleans()):  # the other side answers
        other = draw(st.integers(1, len(people) - 1))
        people = (people[other], *people[1:other], people[0], *people[other + 1 :])
    seconds = draw(st.sampled_from(OFFSETS))
    t = base.t + seconds * 1_000_000 + draw(st.sampled_from([0, 0, 0, 1]))
    duration = None
    if kind in LIVE:
        duration = draw(st.sampled_from([None, 0, 20, 600, 1800, 3600]))
    return attrs.evolve(
        base,
        kind=kind,
        people=people,
        t=t,
        given_at=draw(given_time(t)),
        duration=duration,
        giver=base.giver if kind is Kind.FAVOR else None,
        symmetric=base.symmetric and kind is not Kind.INTRODUCTION,
        ref=draw(st.sampled_from([None, uuid.uuid4().hex])),
    )


@attrs.frozen
class History:
    people: list[str]
    """In the order they were registered (the ledger numbers them so)."""
    facts: list[Fact]
    steps: list[tuple[Any, ...]]


@st.composite
def histories(draw: st.DrawFn, max_facts: int = 60) -> History:
    count = draw(st.integers(12, 36))
    people = draw(st.permutations([f"p{n:02d}" for n in range(count)]))
    size = draw(st.integers(1, max_facts) | st.integers(max_facts // 2, max_facts))
    era = draw(st.sampled_from(ERAS))
    found: list[Fact] = []
    for _ in range(size):
        if found and draw(st.integers(0, 2)) == 0:
            found.append(draw(follow_ups(found[draw(st.integers(0, len(found) - 1))])))
        else:
            found.append(draw(facts(people, era)))
    order = draw(st.permutations(range(len(found))))
    cuts = sorted(
        set(
            draw(st.lists(st.integers(1, len(found)), min_size=draw(st.integers(0, 8)), max_size=8))
        )
    )
    steps: list[tuple[Any, ...]] = []
    recorded: list[int] = []
    for low, high in itertools.pairwise([0, *cuts, len(found)]):
        batch = list(order[low:high])
        if not batch:
            continue
        steps.append(("record", draw(st.integers(0, 1)), batch))
        recorded.extend(batch)
        again = [i for i in recorded if found[i].ref is not None]
        if again and draw(st.integers(0, 3)) == 0:  # the same facts again: ignored
            steps.append(
                (
                    "record",
                    draw(st.integers(0, 1)),
                    draw(st.lists(st.sampled_from(again), max_size=3)),
                )
            )
        for retracted in draw(st.lists(st.sampled_from(recorded), max_size=2)):
            steps.append(("retract", draw(st.integers(0, 1)), retracted))
        if draw(st.booleans()):
            steps.append(("catch_up", draw(st.integers(0, 1))))
        setting = draw(st.sampled_from([None, None, None, "half_life", "weights", "zone"]))
        if setting == "half_life":
            steps.append(
                ("set_decay", draw(st.integers(0, 1)), draw(st.sampled_from([7, 30.5, 365])), None)
            )
        elif setting == "weights":
            kinds = draw(st.lists(st.sampled_from(sorted(WEIGHTS)), min_size=1, max_size=3))
            values = {k: draw(st.sampled_from([0.0, 0.25, 2.0, 7.0])) for k in kinds}
            steps.append(("set_decay", draw(st.integers(0, 1)), None, values))
        elif setting == "zone":
            steps.append(("zone", draw(st.integers(0, 1)), draw(st.sampled_from(ZONES))))
        if draw(st.integers(0, 4)) == 0:
            steps.append(("check", draw(st.integers(0, 1))))
    return History(people, found, steps)


# -- the reference --------------------------------------------------------------------------
@attrs.frozen
class Row:
    """One touch of one pair (x before y in the ledger's numbering)."""

    order: tuple[int, int, int]
    t: int
    fact: int
    kind: Kind
    direction: int
    """+1: x reached out to y; -1: y to x; 0: nobody did (co-participants, introduced)."""
    role: str
    giver: int
    size: int
    duration: int | None


def split(fact: Fact, number: dict[str, int]) -> Iterator[tuple[str, str, int, str, int]]:
    """``(x, y, direction, role, giver)`` of each pair ``fact`` touches, x numbered first."""

    def ordered(p: str, q: str, direction: int) -> tuple[str, str, int]:
        return (p, q, direction) if number[p] < number[q] else (q, p, -direction)

    if fact.symmetric:
        for p, q in itertools.combinations(fact.people, 2):
            yield (*ordered(p, q, 0), CO, 0)
        return
    initiator, others = fact.people[0], fact.people[1:]
    for other in others:
        x, y, direction = ordered(initiator, other, 1)
        giver = 0
        if fact.kind in GIVING:
            helped_by_initiator = not (fact.kind is Kind.FAVOR and fact.giver == "counterparts")
            giver = direction if helped_by_initiator else -direction
        yield x, y, direction, DIRECT, giver
    if fact.kind is Kind.INTRODUCTION:
        yield (*ordered(others[0], others[1], 0), INTRODUCED, 0)
    elif fact.kind in LIVE:
        for p, q in itertools.combinations(others, 2):
            yield (*ordered(p, q, 0), CO, 0)


@attrs.define
class Expected:
    """One pair's values as of T, by the rules."""

    a: str
    b: str
    strength: float = 0.0
    touches: int = 0
    first_t: int = 0
    last_t: int = 0
    last_exchange_t: int | None = None
    reached: dict[DepthLevel, tuple[int, int]] = attrs.Factory(dict)
    """level -> (t, fact index) of the row that first met its rule."""
    live_touches: int = 0
    two_way_days: int = 0
    a_to_b: int = 0
    b_to_a: int = 0
    given: Counter[str] = attrs.Factory(Counter)
    terms: list[dict[str, Any]] = attrs.Factory(list)

    @property
    def level(self) -> DepthLevel:
        return max(self.reached)


def local_day(t: int, zone: str) -> int:
    return moment(t).astimezone(ZoneInfo(zone)).date().toordinal()


def fold(  # noqa: PLR0915 - the rules, one after the other, as the docs list them
    a: str, b: str, rows: list[Row], T: int, zone: str, half_life: float, weights: dict[str, float]
) -> Expected:
    """The values of pair (a, b) at T from its rows (standing, in the ledger's order)."""
    out = Expected(a, b)
    session: dict[Kind, tuple[int, int]] = {}
    totals: dict[tuple[Kind, int], int] = defaultdict(int)
    a_out = b_out = lives = one_ways = 0
    sides: dict[int, set[str]] = defaultdict(set)
    last_sender = 0
    for row in rows:
        if row.t > T:
            break
        day = local_day(row.t, zone)
        shape, j = 1.0, 0
        if row.kind in CONVERSATION and row.role != INTRODUCED:
            last = session.get(row.kind)
            j = last[1] + 1 if last is not None and row.t - last[0] <= SESSION_GAP else 1
            session[row.kind] = (row.t, j)
            shape = f(j) - f(j - 1)
        elif row.kind in LIVE and row.role != INTRODUCED and row.duration is not None:
            before = totals[(row.kind, day)]
            totals[(row.kind, day)] = before + row.duration
            shape = g(before + row.duration) - g(before)
        grouped = row.kind in LIVE | CONVERSATION and row.role != INTRODUCED and row.size > 2
        group = 1 / (row.size - 1) if grouped else 1.0
        weight = weights["introduced" if row.role == INTRODUCED else row.kind.value]
        decay = 2 ** (-(T - row.t) / (half_life * DAY))
        out.strength += weight * group * shape * decay
        out.terms.append(
            {
                "fact": row.fact,
                "t": row.t,
                "kind": row.kind.value,
                "weight": weight,
                "group": group,
                "shape": shape,
                "decay": decay,
                "session": j,
                "initiator": row.direction,
            }
        )
        direct = row.role == DIRECT
        opens = direct and (
            (row.kind in CONVERSATION and j == 1) or row.kind in LIVE or row.kind in GIVING
        )
        out.a_to_b += opens and row.direction > 0
        out.b_to_a += opens and row.direction < 0
        if direct and row.kind in GIVEN:
            out.given[f"{GIVEN[row.kind]}_{'a_to_b' if row.giver > 0 else 'b_to_a'}"] += 1
        reaching = direct and row.kind in CONVERSATION | GIVING
        live = (
            row.kind in LIVE
            and row.role != INTRODUCED
            and row.size <= LIVE_LIMIT
            and row.duration != 0
        )
        a_out += reaching and row.direction > 0
        b_out += reaching and row.direction < 0
        lives += live
        one_ways += direct and row.kind in CONVERSATION | GIVING | SIGNAL | LIVE
        was = "live" in sides[day] or {"a", "b"} <= sides[day]
        if reaching:
            sides[day].add("a" if row.direction > 0 else "b")
        if live:
            sides[day].add("live")
        out.two_way_days += ("live" in sides[day] or {"a", "b"} <= sides[day]) and not was
        exchange = live or (reaching and last_sender != 0 and row.direction == -last_sender)
        if reaching:
            last_sender = row.direction
        if exchange:
            out.last_exchange_t = row.t
        out.live_touches += live
        met = {
            DepthLevel.INCH_DEEP: True,
            DepthLevel.ONE_WAY: one_ways > 0,
            DepthLevel.TWO_WAY: a_out > 0 and b_out > 0,
            DepthLevel.LIVE: lives > 0,
            DepthLevel.SUSTAINED: out.two_way_days >= SUSTAINED,
        }
        for level, yes in met.items():
            if yes and level not in out.reached:
                out.reached[level] = (row.t, row.fact)
        if not out.touches:
            out.first_t = row.t
        out.touches += 1
        out.last_t = row.t
    return out


class Reference:
    """What the test recorded, and what the rules say of it."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.number = {key: n for n, key in enumerate(history.people)}
        self.order: dict[int, tuple[int, int, int]] = {}
        self.ids: dict[int, str] = {}
        self.retracted: set[int] = set()
        self.zone = "UTC"
        self.half_life = 90.0
        self.weights = dict(WEIGHTS)

    def recorded(self, batch: int, indexes: list[int], ids: tuple[str, ...]) -> None:
        """A batch stored its new touches in time order (ties as given): their order."""
        for position, (index, identity) in enumerate(zip(indexes, ids, strict=True)):
            if index in self.ids:
                assert self.ids[index] == identity, "an identical fact got another id"
                continue
            self.ids[index] = identity
            self.order[index] = (self.history.facts[index].t, batch, position)

    def rows(self) -> dict[tuple[str, str], list[Row]]:
        found: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for index, order in self.order.items():
            if index in self.retracted:
                continue
            fact = self.history.facts[index]
            for x, y, direction, role, giver in split(fact, self.number):
                found[(x, y)].append(
                    Row(
                        order,
                        fact.t,
                        index,
                        fact.kind,
                        direction,
                        role,
                        giver,
                        len(fact.people),
                        fact.duration,
                    )
                )
        for rows in found.values():
            rows.sort(key=lambda row: row.order)
        return found

    def values(
        self, T: int, half_life: float | None = None, weights: dict[str, float] | None = None
    ) -> dict[tuple[str, str], Expected]:
        model = {**self.weights, **(weights or {})}
        found = {}
        for (a, b), rows in self.rows().items():
            if rows[0].t <= T:
                found[(a, b)] = fold(a, b, rows, T, self.zone, half_life or self.half_life, model)
        return found


# -- checking the ledger against it ---------------------------------------------------------
def close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)


def check_view(view: ledger.PairView, want: Expected, ref: Reference) -> None:
    where = (want.a, want.b)
    assert (view.a, view.b) == where
    assert close(view.strength, want.strength), (where, view.strength, want.strength)
    assert view.decay.touches == want.touches, where
    assert view.decay.first_touch_at == moment(want.first_t), where
    assert view.decay.last_touch_at == moment(want.last_t), where
    exchanged = None if want.last_exchange_t is None else moment(want.last_exchange_t)
    assert view.decay.last_exchange_at == exchanged, where
    assert view.level is want.level, (where, view.level, want.level)
    assert {r.level: (r.at, r.touchpoint_id) for r in view.depth.reached} == {
        level: (moment(t), ref.ids[fact]) for level, (t, fact) in want.reached.items()
    }, where
    assert (view.depth.live_touches, view.depth.two_way_days) == (
        want.live_touches,
        want.two_way_days,
    ), where
    r = view.reciprocity
    assert (r.a_to_b, r.b_to_a) == (want.a_to_b, want.b_to_a), where
    for name in GIVEN.values():
        for side in ("a_to_b", "b_to_a"):
            assert getattr(r, f"{name}_{side}") == want.given[f"{name}_{side}"], (where, name)


def check_explanation(
    book: ledger.Ledger, want: Expected, ref: Reference, as_of: datetime, **model: Any
) -> None:
    explanation = book.explain(want.b, want.a, as_of=as_of, **model)
    assert (explanation.a, explanation.b) == (want.a, want.b)
    assert close(explanation.strength, want.strength)
    assert close(math.fsum(c.contribution for c in explanation.contributions), want.strength)
    assert len(explanation.contributions) == len(want.terms)
    for got, term in zip(explanation.contributions, want.terms, strict=True):
        assert got.touchpoint_id == ref.ids[term["fact"]]
        assert (got.occurred_at, got.kind) == (moment(term["t"]), term["kind"])
        initiator = {1: want.a, -1: want.b, 0: None}[term["initiator"]]
        assert got.initiator == initiator
        for name in ("weight", "group", "shape", "decay"):
            assert close(getattr(got, name), term[name]), (name, got, term)
        assert close(got.contribution, got.weight * got.group * got.shape * got.decay)
        if term["session"]:
            assert f"touch {term['session']} of a conversation session" in got.why
    # Only the levels reached, each with the touchpoint that reached it.
    reasons = {reason.split(":", 1)[0]: reason for reason in explanation.depth_reasons}
    assert set(reasons) == {level.label for level in want.reached}
    for level, (_, fact) in want.reached.items():
        assert ref.ids[fact] in reasons[level.label]


def coefficient(values: dict[tuple[str, str], Expected]) -> float | None:
    """Garlaschelli-Loffredo reciprocity over the directed links a->b (a opened once)."""
    people = {p for pair in values for p in pair}
    links = {(w.a, w.b) for w in values.values() if w.a_to_b} | {
        (w.b, w.a) for w in values.values() if w.b_to_a
    }
    if len(people) < 2 or not links:
        return None
    density = len(links) / (len(people) * (len(people) - 1))
    if density >= 1:
        return None
    mutual = sum((q, p) in links for p, q in links)
    return (mutual / len(links) - density) / (1 - density)


def check_everything(book: ledger.Ledger, ref: Reference, T: int, deep: bool) -> None:
    as_of = moment(T)
    want = ref.values(T)
    views = book.pairs(as_of)
    assert {(v.a, v.b) for v in views} == set(want)
    assert views == sorted(views, key=lambda v: (-v.strength, v.a, v.b))
    by_pair = {(v.a, v.b): v for v in views}
    for pair, expected in want.items():
        check_view(by_pair[pair], expected, ref)
    summary = book.network(as_of)
    assert summary.pairs == len(want)
    assert summary.people == len({p for pair in want for p in pair})
    levels = Counter(w.level.label for w in want.values())
    assert summary.depth_distribution == {lv.label: levels.get(lv.label, 0) for lv in DepthLevel}
    assert close(summary.total_strength, math.fsum(w.strength for w in want.values()))
    rho = coefficient(want)
    assert (summary.reciprocity_coefficient is None) == (rho is None)
    if rho is not None:
        assert close(summary.reciprocity_coefficient or 0.0, rho)
    if not deep:
        return
    for pair in want:
        point = book.pair(*reversed(pair), as_of=as_of)
        assert point == by_pair[pair]
    for person in sorted({p for pair in want for p in pair})[:4]:
        mine = book.relationships(person, as_of=as_of)
        assert {(v.a, v.b) for v in mine} == {pair for pair in want if person in pair}
        assert all(v == by_pair[(v.a, v.b)] for v in mine)
        facts = book.pair_facts(person, as_of=as_of)
        model = book.decay_model
        for view in mine:
            other = view.other(person)
            assert len(facts[other]) == view.decay.touches
            assert close(float(model.weigh(facts[other], T).sum()), view.strength)
    for expected in list(want.values())[:6]:
        check_explanation(book, expected, ref, as_of)
    # Under another model, asked for: the same rows, other weights and half-life.
    override = {"message": 0.0, "meeting": 10.0, "introduced": 2.5}
    other = ref.values(T, half_life=11.5, weights=override)
    asked = {(v.a, v.b): v for v in book.pairs(as_of, half_life_days=11.5, weights=override)}
    assert asked.keys() == other.keys()
    for pair, expected in other.items():
        assert close(asked[pair].strength, expected.strength), pair
    for expected in list(other.values())[:3]:
        check_explanation(book, expected, ref, as_of, half_life_days=11.5, weights=override)
        view = book.pair(expected.a, expected.b, as_of=as_of, half_life_days=11.5, weights=override)
        assert view is not None and close(view.strength, expected.strength)


def check_touchpoints(book: ledger.Ledger, ref: Reference) -> None:
    for index, identity in list(ref.ids.items())[:12]:
        fact = ref.history.facts[index]
        view = book.touchpoint(identity)
        assert (view.kind, view.occurred_at) == (fact.kind.value, moment(fact.t))
        assert (view.initiator, view.counterparts) == (fact.people[0], fact.people[1:])
        assert (view.duration_seconds, view.symmetric) == (fact.duration, fact.symmetric)
        assert view.note == fact.note
        assert view.retracted is (index in ref.retracted)


def play(books: list[ledger.Ledger], history: History) -> Reference:
    ref = Reference(history)
    with books[0].batch() as unit:
        for key in history.people:
            unit.add_person(key, key.upper())
    batch = 0
    for step in history.steps:
        book = books[step[1]]
        if step[0] == "record":
            indexes = step[2]
            summary = book.record_many([history.facts[i].touch() for i in indexes])
            batch += 1
            ref.recorded(batch, indexes, summary.touchpoint_ids)
        elif step[0] == "retract":
            if step[2] not in ref.retracted:
                book.retract(ref.ids[step[2]], "recorded in error")
                ref.retracted.add(step[2])
        elif step[0] == "catch_up":
            book.catch_up()
        elif step[0] == "set_decay":
            book.set_decay(step[2], step[3])
            ref.half_life = step[2] or ref.half_life
            ref.weights.update(step[3] or {})
        elif step[0] == "zone":
            book.set_timezone(step[2])
            ref.zone = step[2]
        elif step[0] == "check":
            last = max(fact.t for fact in history.facts)
            check_everything(book, ref, last + DAY, deep=False)
    return ref


def run(url: str, history: History) -> None:
    with ledger.open(url) as first, ledger.open(url) as second:
        books = [first, second]
        ref = play(books, history)
        times = sorted(fact.t for fact in history.facts)
        probes = [times[0] - 1, times[len(times) // 2], times[-1] + 40 * DAY]
        for T in probes:
            check_everything(first, ref, T, deep=True)
            check_everything(second, ref, T, deep=False)
        check_touchpoints(second, ref)
        before = [first.pairs(moment(T)) for T in probes]
        assert first.verify() == [] and second.verify() == []
        second.rebuild()
        assert [first.pairs(moment(T)) for T in probes] == before
        assert [second.pairs(moment(T)) for T in probes] == before
        assert first.verify() == []


FAST = settings(
    max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@FAST
@given(history=histories())
def test_every_answer_equals_the_reference_in_memory(history: History) -> None:
    run(f"memory://{uuid.uuid4().hex}", history)


@settings(max_examples=8, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(history=histories(max_facts=40))
def test_two_ledger_objects_on_one_sqlite_file_equal_the_reference(
    tmp_path_factory: pytest.TempPathFactory, history: History
) -> None:
    run(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'ledger.db'}", history)


@pytest.mark.postgres
@settings(max_examples=4, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(history=histories(max_facts=30))
def test_every_answer_equals_the_reference_on_postgres(history: History) -> None:
    import psycopg

    from conftest import postgres_or_skip

    base = postgres_or_skip().split("?", 1)[0]
    schema = f"p_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        run(f"{base}?schema={schema}", history)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@settings(max_examples=30)
@given(history=histories(max_facts=30))
def test_depth_never_falls_as_time_passes(history: History) -> None:
    with ledger.open(f"memory://{uuid.uuid4().hex}") as book:
        play([book, book], history)
        previous: dict[tuple[str, str], int] = {}
        start = min(fact.t for fact in history.facts)
        for days in range(0, 220, 11):
            for view in book.pairs(moment(start + days * DAY)):
                level = int(view.level)
                assert level >= previous.get((view.a, view.b), 0)
                previous[(view.a, view.b)] = level
