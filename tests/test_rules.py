"""One focused test per rule of strength, reciprocity and depth, with the answer worked
out by hand from the rule (projections/ and views/_split.py docs): each fails when its
rule is broken (checked by breaking the engine on purpose; see the report of issue 10).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ledger
from ledger import DepthLevel
from ledger.facts.time import EARLIEST, LATEST, to_micros
from ledger.insights import network_health
from ledger.views._rows import days as local_days

T0 = datetime(2024, 1, 10, 10, tzinfo=UTC)  # winter: Paris is UTC+1
MINUTE = timedelta(minutes=1)
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
}


def g(seconds: float) -> float:
    return math.log2(1 + seconds / 60) / math.log2(31)


def at(minutes: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, days=days)


@pytest.fixture
def book() -> Iterator[ledger.Ledger]:
    """ann, bob, cat, dan, eve and ten more (numbered in that order)."""
    with ledger.open("memory://") as opened:
        with opened.batch() as unit:
            for key in ["ann", "bob", "cat", "dan", "eve", *(f"x{n}" for n in range(10))]:
                unit.add_person(key)
        yield opened


def view(book: ledger.Ledger, a: str, b: str, when: datetime | None = None) -> ledger.PairView:
    found = book.pair(a, b, as_of=when or at(days=400))
    assert found is not None, (a, b)
    return found


def now_strength(book: ledger.Ledger, a: str, b: str, when: datetime) -> float:
    """The strength at ``when`` under a half-life so long that nothing decays."""
    found = book.pair(a, b, as_of=when, half_life_days=1e6)
    assert found is not None
    return found.strength


def close(x: float, y: float) -> bool:
    """Equal but for the decay a half-life of a million days allows over a few days."""
    return math.isclose(x, y, rel_tol=1e-5, abs_tol=1e-9)


# -- strength: the weights and the half-life ---------------------------------------------------
@pytest.mark.parametrize("kind", sorted(WEIGHTS))
def test_one_touch_weighs_its_kinds_weight(book: ledger.Ledger, kind: str) -> None:
    book.record(kind, "ann", ["bob", "cat"] if kind == "introduction" else "bob", at())
    assert close(view(book, "ann", "bob", at()).strength, WEIGHTS[kind])


def test_strength_halves_every_half_life(book: ledger.Ledger) -> None:
    book.record("meeting", "ann", "bob", at())
    for halves in (0, 1, 2.5):
        assert close(view(book, "ann", "bob", at(days=90 * halves)).strength, 4 * 0.5**halves)
    assert close(book.pair("ann", "bob", as_of=at(days=10), half_life_days=10).strength, 2)  # type: ignore[union-attr]


def test_two_people_introduced_weigh_the_introduced_weight(book: ledger.Ledger) -> None:
    book.record("introduction", "cat", ["ann", "bob"], at())
    assert close(view(book, "ann", "bob", at()).strength, 0.5)
    assert close(view(book, "ann", "cat", at()).strength, 2.0)  # help from the broker
    assert close(view(book, "bob", "cat", at()).strength, 2.0)


# -- strength: conversations, not messages ------------------------------------------------------
def test_a_session_of_three_messages_counts_two(book: ledger.Ledger) -> None:
    for minutes in (0, 10, 20):
        book.record("message", "ann", "bob", at(minutes))
    assert close(now_strength(book, "ann", "bob", at(20)), math.log2(4))
    contributions = book.explain("ann", "bob", as_of=at(20)).contributions
    shapes = [c.shape for c in contributions]
    expected = [1, math.log2(3 / 2), math.log2(4 / 3)]
    assert all(close(x, y) for x, y in zip(shapes, expected, strict=True))


def test_whoever_writes_it_is_one_session(book: ledger.Ledger) -> None:
    book.record("message", "ann", "bob", at(0))
    book.record("message", "bob", "ann", at(5))
    assert close(now_strength(book, "ann", "bob", at(5)), math.log2(3))


def test_a_gap_of_thirty_minutes_keeps_the_session_a_longer_one_ends_it(
    book: ledger.Ledger,
) -> None:
    book.record("message", "ann", "bob", at(0))
    book.record("message", "ann", "bob", at(30))  # exactly 30 minutes: same session
    book.record("message", "ann", "cat", at(0))
    book.record("message", "ann", "cat", at(30) + timedelta(microseconds=1))  # a new one
    assert close(now_strength(book, "ann", "bob", at(31)), math.log2(3))
    assert close(now_strength(book, "ann", "cat", at(31)), 2.0)


def test_a_gap_of_forty_five_minutes_starts_a_new_session(book: ledger.Ledger) -> None:
    book.record("message", "ann", "bob", at(0))
    book.record("message", "ann", "bob", at(45))
    assert close(now_strength(book, "ann", "bob", at(45)), 2.0)


def test_sessions_are_per_kind(book: ledger.Ledger) -> None:
    book.record("message", "ann", "bob", at(0))
    book.record("email", "ann", "bob", at(1))
    book.record("comment", "ann", "bob", at(2))
    assert close(now_strength(book, "ann", "bob", at(2)), 1 + 1 + 0.5)


# -- strength: time together --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("seconds", "counts"), [(1800, 1.0), (3600, g(3600)), (20, g(20)), (None, 1.0), (0, 0.0)]
)
def test_a_meeting_counts_its_time_together(
    book: ledger.Ledger, seconds: int | None, counts: float
) -> None:
    book.record("meeting", "ann", "bob", at(), duration_seconds=seconds)
    assert close(now_strength(book, "ann", "bob", at()), 4 * counts)


def test_time_together_adds_up_per_day_with_diminishing_returns(book: ledger.Ledger) -> None:
    for minutes in (0, 60):  # two half hours on one day count what an hour counts
        book.record("meeting", "ann", "bob", at(minutes), duration_seconds=1800)
    for days in (0, 1):  # on two days: twice a half hour
        book.record("meeting", "ann", "cat", at(days=days), duration_seconds=1800)
    assert close(now_strength(book, "ann", "bob", at(days=2)), 4 * g(3600))
    assert close(now_strength(book, "ann", "cat", at(days=2)), 4 * 2)
    second = book.explain("ann", "bob", as_of=at(days=2)).contributions[1]
    assert close(second.shape, g(3600) - 1)


def test_time_together_is_per_kind(book: ledger.Ledger) -> None:
    book.record("call", "ann", "bob", at(0), duration_seconds=1800)
    book.record("meeting", "ann", "bob", at(60), duration_seconds=1800)
    assert close(now_strength(book, "ann", "bob", at(90)), 3 + 4)


def test_days_of_time_together_are_the_ledgers_days(book: ledger.Ledger) -> None:
    late = datetime(2024, 1, 10, 23, 30, tzinfo=UTC)  # Paris: 00:30 on the 11th
    early = datetime(2024, 1, 11, 0, 30, tzinfo=UTC)  # Paris: 01:30 on the 11th
    book.record("meeting", "ann", "bob", late, duration_seconds=1800)
    book.record("meeting", "ann", "bob", early, duration_seconds=1800)
    assert close(now_strength(book, "ann", "bob", early), 8)  # two UTC days
    book.set_timezone("Europe/Paris")
    assert close(now_strength(book, "ann", "bob", early), 4 * g(3600))  # one Paris day


def test_days_keep_daylight_saving_time_after_2037(book: ledger.Ledger) -> None:
    book.set_timezone("Europe/Paris")
    first = datetime(2071, 7, 1, 22, 30, tzinfo=UTC)  # 00:30 on July 2nd, summer time
    second = datetime(2071, 7, 2, 21, 0, tzinfo=UTC)  # 23:00 on July 2nd, summer time
    book.record("meeting", "ann", "bob", first, duration_seconds=1800)
    book.record("meeting", "ann", "bob", second, duration_seconds=1800)
    assert close(now_strength(book, "ann", "bob", second), 4 * g(3600))  # one day


@settings(max_examples=200)
@given(
    st.lists(st.integers(to_micros(EARLIEST), to_micros(LATEST)), min_size=1, max_size=50),
    st.sampled_from(
        ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]
    ),
)
def test_a_days_number_is_its_date_in_the_zone_over_the_whole_range(
    times: list[int], zone: str
) -> None:
    found = local_days(np.array(times, dtype=np.int64), zone).tolist()
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    rules = ZoneInfo(zone)
    expected = [
        (epoch + timedelta(microseconds=t)).astimezone(rules).date().toordinal()
        - epoch.date().toordinal()
        for t in times
    ]
    assert found == expected


# -- strength: groups -----------------------------------------------------------------------------
def test_a_message_to_three_weighs_a_third_for_each(book: ledger.Ledger) -> None:
    book.record("message", "ann", ["bob", "cat", "dan"], at())
    for other in ("bob", "cat", "dan"):
        assert close(now_strength(book, "ann", other, at()), 1 / 3)
    assert book.pair("bob", "cat", as_of=at()) is None  # recipients are not in touch


def test_a_meeting_of_five_weighs_a_quarter_for_every_pair(book: ledger.Ledger) -> None:
    book.record("meeting", "ann", ["bob", "cat", "dan", "eve"], at(), duration_seconds=1800)
    for a, b in (("ann", "bob"), ("bob", "cat"), ("dan", "eve")):
        assert close(now_strength(book, a, b, at()), 4 / 4)
    explained = book.explain("cat", "dan", as_of=at()).contributions[0]
    assert (explained.group, explained.initiator) == (0.25, None)


def test_help_and_signals_in_a_group_are_not_divided(book: ledger.Ledger) -> None:
    book.record("favor", "ann", ["bob", "cat"], at())
    book.record("reaction", "ann", ["dan", "eve"], at())
    assert close(now_strength(book, "ann", "bob", at()), 3.0)
    assert close(now_strength(book, "ann", "dan", at()), 0.1)


# -- reciprocity ---------------------------------------------------------------------------------
def openings(book: ledger.Ledger, a: str, b: str) -> tuple[int, int]:
    r = view(book, a, b).reciprocity
    return r.a_to_b, r.b_to_a


def test_who_opens_a_conversation_not_who_sends_each_message(book: ledger.Ledger) -> None:
    for minutes in (0, 2, 4):
        book.record("message", "ann", "bob", at(minutes))
    book.record("message", "bob", "ann", at(6))  # an answer inside ann's conversation
    assert openings(book, "ann", "bob") == (1, 0)
    book.record("message", "bob", "ann", at(60))  # a new conversation, opened by bob
    assert openings(book, "ann", "bob") == (1, 1)


def test_a_call_opens_for_its_initiator_a_joint_meeting_for_no_one(book: ledger.Ledger) -> None:
    book.record("call", "bob", "ann", at())
    book.record("meeting", "ann", "bob", at(60), symmetric=True)
    book.record("meeting", "cat", ["ann", "bob"], at(120))  # ann and bob: co-attendees
    assert openings(book, "ann", "bob") == (0, 1)


def test_help_opens_and_counts_for_whoever_gave_it(book: ledger.Ledger) -> None:
    book.record("favor", "ann", "bob", at(0))  # ann helped bob
    book.record("favor", "ann", "bob", at(1), giver="counterparts")  # ann asked, bob helped
    book.record("referral", "bob", "ann", at(2))
    book.record("recommendation", "ann", "bob", at(3))
    r = view(book, "ann", "bob").reciprocity
    assert (r.favors_a_to_b, r.favors_b_to_a) == (1, 1)
    assert (r.referrals_a_to_b, r.referrals_b_to_a) == (0, 1)
    assert (r.recommendations_a_to_b, r.recommendations_b_to_a) == (1, 0)
    assert (r.given_a_to_b, r.given_b_to_a) == (2, 2)
    assert (r.a_to_b, r.b_to_a) == (3, 1)  # openings: who reached out with each


def test_gestures_and_bookkeeping_open_nothing(book: ledger.Ledger) -> None:
    for kind in ("reaction", "share", "endorsement", "connection_requested"):
        book.record(kind, "ann", "bob", at())
    assert openings(book, "ann", "bob") == (0, 0)


def test_an_introduction_is_the_brokers_help_and_nobodys_opening_between_the_two(
    book: ledger.Ledger,
) -> None:
    book.record("introduction", "cat", ["ann", "bob"], at())
    assert openings(book, "ann", "bob") == (0, 0)
    broker = view(book, "ann", "cat").reciprocity  # ann < cat: the broker is b
    assert (broker.introductions_b_to_a, broker.b_to_a) == (1, 1)


# -- depth ---------------------------------------------------------------------------------------
def level(book: ledger.Ledger, a: str, b: str, when: datetime | None = None) -> DepthLevel:
    return view(book, a, b, when).level


def test_connected_or_introduced_is_inch_deep(book: ledger.Ledger) -> None:
    book.record("connection_requested", "ann", "bob", at())
    book.record("connection_accepted", "bob", "ann", at(1))
    book.record("introduction", "dan", ["cat", "eve"], at())
    assert level(book, "ann", "bob") is DepthLevel.INCH_DEEP
    assert level(book, "cat", "eve") is DepthLevel.INCH_DEEP
    assert level(book, "cat", "dan") is DepthLevel.ONE_WAY  # the broker's help


@pytest.mark.parametrize("kind", ["message", "comment", "favor", "reaction", "share", "call"])
def test_one_side_reaching_out_is_one_way(book: ledger.Ledger, kind: str) -> None:
    book.record(kind, "ann", "bob", at(), duration_seconds=0 if kind == "call" else None)
    assert level(book, "ann", "bob") is DepthLevel.ONE_WAY


def test_a_gesture_back_does_not_make_it_two_way(book: ledger.Ledger) -> None:
    book.record("message", "ann", "bob", at())
    book.record("reaction", "bob", "ann", at(1))
    book.record("connection_accepted", "bob", "ann", at(2))
    book.record("call", "bob", "ann", at(3), duration_seconds=0)  # a missed call
    assert level(book, "ann", "bob") is DepthLevel.ONE_WAY


def test_invitations_and_acceptances_alone_are_no_reciprocity() -> None:
    """Issue 12's bookkeeping rule: 20 invite-accept pairs and no conversation make no
    pair two-way and give no network reciprocity (None: no link, or at most 0, never
    the 1.0 of everyone "answering"); one real exchange then does count."""
    with ledger.open("memory://") as book:
        invites = [
            touch
            for n in range(20)
            for touch in (
                ledger.Touch("connection_requested", "me", f"p{n}", at(days=n)),
                ledger.Touch("connection_accepted", f"p{n}", "me", at(minutes=30, days=n)),
            )
        ]
        book.record_many(invites, create_people=True)
        book.set_owner("me")
        later = at(days=40)
        rho = book.network(later).reciprocity_coefficient
        assert rho is None or rho <= 0
        whole, mine = network_health(book, as_of=later), network_health(book, "me", as_of=later)
        for found in (whole.reciprocity_coefficient, mine.reciprocity_coefficient):
            assert found is None or found <= 0
        assert mine.talked_to == 0 and mine.reciprocated_share in (None, 0.0)
        views = book.pairs(later)
        assert len(views) == 20
        for v in views:
            assert v.depth.level < DepthLevel.TWO_WAY, (v.a, v.b, v.depth.level_name)
            assert (v.reciprocity.a_to_b, v.reciprocity.b_to_a) == (0, 0)
        book.record("message", "me", "p0", at(days=41))  # a real exchange, for contrast
        book.record("message", "p0", "me", at(days=42))
        assert level(book, "me", "p0", at(days=43)) is DepthLevel.TWO_WAY
        assert book.network(at(days=43)).reciprocity_coefficient == 1.0  # its one link is mutual


@pytest.mark.parametrize(("there", "back"), [("message", "email"), ("favor", "referral")])
def test_both_sides_reaching_out_is_two_way(book: ledger.Ledger, there: str, back: str) -> None:
    book.record(there, "ann", "bob", at(0))
    book.record(back, "bob", "ann", at(days=5))
    assert level(book, "ann", "bob", at(days=1)) is DepthLevel.ONE_WAY
    assert level(book, "ann", "bob") is DepthLevel.TWO_WAY


def test_a_call_or_a_meeting_of_up_to_ten_is_live(book: ledger.Ledger) -> None:
    book.record("call", "ann", "bob", at())
    ten = ["bob", "cat", "dan", "eve", *(f"x{n}" for n in range(5))]
    book.record("meeting", "ann", ten, at(days=1), duration_seconds=3600)
    eleven = [*ten[1:], "x5", "x6"]
    book.record("meeting", "ann", eleven, at(days=2), duration_seconds=3600)
    assert level(book, "ann", "bob") is DepthLevel.LIVE
    assert level(book, "x0", "x4") is DepthLevel.LIVE  # co-attendees of the ten
    assert level(book, "x5", "x6") is DepthLevel.INCH_DEEP  # met only among eleven
    assert view(book, "cat", "x5").depth.live_touches == 0


def test_zero_length_is_not_live_unknown_length_is(book: ledger.Ledger) -> None:
    book.record("video_call", "ann", "bob", at(), duration_seconds=0)
    book.record("video_call", "ann", "cat", at())
    assert level(book, "ann", "bob") is DepthLevel.ONE_WAY
    assert level(book, "ann", "cat") is DepthLevel.LIVE


def test_a_proximity_contact_is_live_but_nobodys_initiative(book: ledger.Ledger) -> None:
    book.record("meeting", "ann", "bob", at(), duration_seconds=20, symmetric=True)
    found = view(book, "ann", "bob")
    assert found.level is DepthLevel.LIVE
    assert DepthLevel.ONE_WAY not in {r.level for r in found.depth.reached}
    assert (found.reciprocity.a_to_b, found.reciprocity.b_to_a) == (0, 0)


def test_sustained_is_two_way_contact_on_three_distinct_days(book: ledger.Ledger) -> None:
    for days in (0, 10):  # two days on which both wrote
        book.record("message", "ann", "bob", at(0, days))
        book.record("message", "bob", "ann", at(60, days))
    book.record("message", "ann", "bob", at(0, 20))  # one side only: not two-way
    book.record("message", "ann", "bob", at(0, 21))
    book.record("email", "ann", "bob", at(0, 21.01))  # still ann alone
    assert level(book, "ann", "bob") is DepthLevel.TWO_WAY
    assert view(book, "ann", "bob").depth.two_way_days == 2
    book.record("message", "bob", "ann", at(30, 30))
    book.record("favor", "ann", "bob", at(40, 30))  # help counts as reaching out
    sustained = view(book, "ann", "bob")
    assert sustained.level is DepthLevel.SUSTAINED
    assert sustained.depth.two_way_days == 3
    assert sustained.depth.reached_at(DepthLevel.SUSTAINED) == at(40, 30)
    assert sustained.depth.reached_at(DepthLevel.LIVE) is None  # not a ladder


def test_days_with_a_live_touch_are_two_way_days(book: ledger.Ledger) -> None:
    for days in (0, 1, 2):
        book.record("call", "ann", "bob", at(0, days), duration_seconds=600)
        book.record("call", "ann", "bob", at(60, days), duration_seconds=600)  # same day
    assert view(book, "ann", "bob").depth.two_way_days == 3
    assert level(book, "ann", "bob") is DepthLevel.SUSTAINED
    assert view(book, "ann", "bob", at(0, 1)).depth.two_way_days == 2


def test_two_way_days_are_the_ledgers_days(book: ledger.Ledger) -> None:
    # Three exchanges each spanning UTC midnight, each within one day at UTC-10.
    for days in (0, 5, 10):
        book.record("message", "ann", "bob", at(13 * 60 + 30, days))  # 23:30 UTC
        book.record("message", "bob", "ann", at(14 * 60 + 30, days))  # 00:30 UTC
    assert view(book, "ann", "bob").depth.two_way_days == 0
    book.set_timezone("Pacific/Honolulu")
    assert view(book, "ann", "bob").depth.two_way_days == 3
    assert level(book, "ann", "bob") is DepthLevel.SUSTAINED


def test_depth_names_only_the_levels_reached_each_with_its_touchpoint(
    book: ledger.Ledger,
) -> None:
    call = book.record("call", "ann", "bob", at())  # one touch: in touch, one way, live
    explained = book.explain("ann", "bob", as_of=at(days=1))
    found = view(book, "ann", "bob")
    assert [(r.level, r.touchpoint_id) for r in found.depth.reached] == [
        (DepthLevel.INCH_DEEP, call),
        (DepthLevel.ONE_WAY, call),
        (DepthLevel.LIVE, call),
    ]
    assert [reason.split(":")[0] for reason in explained.depth_reasons] == [
        "live",
        "one_way",
        "inch_deep",
    ]
    assert all(call in reason for reason in explained.depth_reasons)
    book.record("email", "ann", "bob", at(days=2))  # a call is not a conversation or help
    answer = book.record("email", "bob", "ann", at(days=3))
    book.record("call", "bob", "ann", at(days=4))
    again = view(book, "ann", "bob")
    assert [(r.level, r.touchpoint_id, r.at) for r in again.depth.reached] == [
        (DepthLevel.INCH_DEEP, call, at()),
        (DepthLevel.ONE_WAY, call, at()),
        (DepthLevel.TWO_WAY, answer, at(days=3)),
        (DepthLevel.LIVE, call, at()),
    ]
    assert again.level is DepthLevel.LIVE


def test_only_a_retraction_lowers_depth(book: ledger.Ledger) -> None:
    call = book.record("call", "ann", "bob", at())
    book.record("message", "ann", "bob", at(days=1))
    assert [level(book, "ann", "bob", at(days=d)) for d in (0, 100)] == [DepthLevel.LIVE] * 2
    book.retract(call, "it was dan")
    assert level(book, "ann", "bob") is DepthLevel.ONE_WAY
    assert view(book, "ann", "bob").depth.reached_at(DepthLevel.INCH_DEEP) == at(days=1)


# -- the last exchange ----------------------------------------------------------------------------
def test_the_last_exchange_is_the_last_answer_or_live_touch(book: ledger.Ledger) -> None:
    book.record("message", "ann", "bob", at(days=0))
    assert view(book, "ann", "bob").decay.last_exchange_at is None  # nobody answered yet
    book.record("message", "bob", "ann", at(days=1))  # an answer: an exchange
    book.record("message", "bob", "ann", at(days=2))  # the same side again: not one
    book.record("reaction", "ann", "bob", at(days=3))  # a gesture: not one
    found = view(book, "ann", "bob")
    assert found.decay.last_exchange_at == at(days=1)
    assert found.decay.last_touch_at == at(days=3)
    book.record("meeting", "ann", ["bob", "cat"], at(days=4), symmetric=True)
    assert view(book, "ann", "bob").decay.last_exchange_at == at(days=4)


# -- how a touchpoint touches pairs ----------------------------------------------------------------
def test_meeting_attendees_met_each_other_but_no_one_initiated(book: ledger.Ledger) -> None:
    book.record("meeting", "ann", ["bob", "cat"], at(), duration_seconds=1800)
    co = view(book, "bob", "cat")
    assert co.level is DepthLevel.LIVE and co.decay.touches == 1
    assert DepthLevel.ONE_WAY not in {r.level for r in co.depth.reached}
    assert (co.reciprocity.a_to_b, co.reciprocity.b_to_a) == (0, 0)
    assert view(book, "ann", "bob").reciprocity.a_to_b == 1


def test_a_symmetric_touch_touches_every_pair_alike(book: ledger.Ledger) -> None:
    book.record("favor", "ann", ["bob", "cat"], at(), symmetric=True)
    book.record("favor", "dan", "eve", at(), symmetric=True)
    for a, b in (("ann", "bob"), ("ann", "cat"), ("bob", "cat"), ("dan", "eve")):
        found = view(book, a, b)
        assert found.level is DepthLevel.INCH_DEEP
        assert found.reciprocity.given_a_to_b + found.reciprocity.given_b_to_a == 0
        assert close(found.strength, 3.0 * 2 ** (-400 / 90))


# -- a fold continues from where the last catch-up left it ----------------------------------------
def record_each_then_read(book: ledger.Ledger, touches: list[tuple[Any, ...]]) -> None:
    for kind, initiator, other, when, seconds in touches:
        book.record(kind, initiator, other, when, duration_seconds=seconds)
        book.catch_up()  # each touch in a round of its own: the state is handed on


def test_a_day_total_a_session_and_a_two_way_day_continue_across_catch_ups(
    book: ledger.Ledger,
) -> None:
    record_each_then_read(
        book,
        [
            ("meeting", "ann", "bob", at(0), 1800),
            ("meeting", "bob", "ann", at(60), 1800),  # the same day: an hour in all
            ("message", "ann", "cat", at(0), None),
            ("message", "cat", "ann", at(10), None),  # the same session: ann opened it
            ("message", "ann", "cat", at(20), None),
        ],
    )
    assert close(now_strength(book, "ann", "bob", at(60)), 4 * g(3600))
    assert close(now_strength(book, "ann", "cat", at(20)), math.log2(4))
    cat = view(book, "ann", "cat")
    assert (cat.reciprocity.a_to_b, cat.reciprocity.b_to_a) == (1, 0)
    assert cat.depth.two_way_days == 1  # one day, both sides: counted once
    assert cat.decay.last_exchange_at == at(20)  # ann answered cat's answer
    record_each_then_read(book, [("message", "cat", "ann", at(30), None)])
    assert view(book, "ann", "cat").decay.last_exchange_at == at(30)
    assert view(book, "ann", "cat").depth.two_way_days == 1
