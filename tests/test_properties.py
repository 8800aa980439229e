"""Property tests: incremental views == full replay == a plain fold over the facts.

Random histories (every kind, introductions, favors both ways, retractions) arrive
in random order, in random batches, with catch-ups at random points. Afterwards:
the persisted views equal a from-scratch rebuild (``verify``), and for random times
T every pair's strength, reciprocity and depth equal what a direct computation over
the touchpoints that happened by T (and were not retracted) gives.
"""

from __future__ import annotations

import itertools
import math
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger.projections import discover

import ledger
from ledger.facts.kinds import Kind
from ledger.facts.time import to_micros
from ledger.views._pairs import split

PEOPLE = ["ann", "bob", "cat", "dan"]
START = datetime(2020, 1, 1, tzinfo=UTC)
SPAN_DAYS = 900


@st.composite
def touches(draw: st.DrawFn) -> ledger.Touch:
    kind = draw(st.sampled_from(list(Kind)))
    initiator = draw(st.sampled_from(PEOPLE))
    others = [p for p in PEOPLE if p != initiator]
    if kind is Kind.INTRODUCTION:
        counterparts = draw(st.permutations(others))[:2]
    else:
        counterparts = draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
    # Whole hours on a small grid make equal times (ties) common.
    moment = START + timedelta(hours=draw(st.integers(0, SPAN_DAYS * 24)) // 240 * 240)
    giver = (
        draw(st.sampled_from([None, "initiator", "counterparts"])) if kind is Kind.FAVOR else None
    )
    return ledger.Touch(
        kind,
        initiator,
        counterparts,
        moment,
        giver=giver,
        personalized=draw(st.booleans()),
        source="prop",
        source_ref=uuid.uuid4().hex,
    )


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[ledger.Touch], set[int], list[int], list[int]]:
    facts = draw(st.lists(touches(), min_size=1, max_size=40))
    retracted = set(draw(st.lists(st.integers(0, len(facts) - 1), max_size=6)))
    order = draw(st.permutations(range(len(facts))))
    cuts = sorted(set(draw(st.lists(st.integers(1, len(facts)), max_size=5))))
    return facts, retracted, list(order), cuts


def _record(
    book: ledger.Ledger,
    facts: list[ledger.Touch],
    retracted: set[int],
    order: list[int],
    cuts: list[int],
) -> dict[int, str]:
    ids: dict[int, str] = {}
    bounds = [0, *cuts, len(order)]
    for low, high in itertools.pairwise(bounds):
        batch = [facts[i] for i in order[low:high]]
        if not batch:
            continue
        summary = book.record_many(batch)
        ids.update(zip(order[low:high], summary.touchpoint_ids, strict=True))
        for index in order[low:high]:
            if index in retracted:
                book.retract(ids[index], "recorded in error")
        book.catch_up()  # a catch-up at every cut, so views grow incrementally
    return ids


def _expected(
    facts: list[ledger.Touch], retracted: set[int], t: int
) -> dict[tuple[str, str], dict[str, float]]:
    model = discover()["decay"]
    pairs: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for index, fact in enumerate(facts):
        if index in retracted or to_micros(fact.occurred_at) > t:
            continue
        for a, b, touch in split(
            "x",
            to_micros(fact.occurred_at),
            fact.kind,
            fact.initiator,
            fact.counterparts,
            fact.personalized,
            fact.giver,
        ):
            pair = pairs[(a, b)]
            pair["strength"] += model.weight(touch) * 2 ** (-(t - touch.t) / (90 * 86_400e6))
            pair["a_to_b"] += touch.direction > 0
            pair["b_to_a"] += touch.direction < 0
            pair["touches"] += 1
    return pairs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    history=histories(), probes=st.lists(st.integers(-5, SPAN_DAYS + 30), min_size=1, max_size=4)
)
def test_incremental_equals_replay_equals_fold(history, probes) -> None:  # type: ignore[no-untyped-def]
    facts, retracted, order, cuts = history
    with ledger.open(f"memory://{uuid.uuid4().hex}") as book:
        for person in PEOPLE:
            book.add_person(person)
        _record(book, facts, retracted, order, cuts)
        book.catch_up()
        assert book.verify() == []
        for day in probes:
            as_of = START + timedelta(days=day)
            expected = _expected(facts, retracted, to_micros(as_of))
            views = {(v.a, v.b): v for v in book.pairs(as_of)}
            assert views.keys() == expected.keys()
            for pair, want in expected.items():
                got = views[pair]
                assert math.isclose(got.strength, want["strength"], rel_tol=1e-9, abs_tol=1e-12)
                assert (got.reciprocity.a_to_b, got.reciprocity.b_to_a) == (
                    want["a_to_b"],
                    want["b_to_a"],
                )
                assert got.decay.touches == want["touches"]
                point = book.pair(*pair, as_of=as_of)
                assert point == got
        rebuilt = {(v.a, v.b): v for v in book.pairs(START + timedelta(days=SPAN_DAYS))}
        book.rebuild()
        assert {(v.a, v.b): v for v in book.pairs(START + timedelta(days=SPAN_DAYS))} == rebuilt


@settings(max_examples=40, deadline=None)
@given(history=histories())
def test_depth_never_falls_as_time_passes(history) -> None:  # type: ignore[no-untyped-def]
    facts, retracted, order, cuts = history
    with ledger.open(f"memory://{uuid.uuid4().hex}") as book:
        for person in PEOPLE:
            book.add_person(person)
        _record(book, facts, retracted, order, cuts)
        previous: dict[tuple[str, str], int] = {}
        for day in range(0, SPAN_DAYS + 1, 60):
            for view in book.pairs(START + timedelta(days=day)):
                level = int(view.level)
                assert level >= previous.get((view.a, view.b), 0)
                previous[(view.a, view.b)] = level
