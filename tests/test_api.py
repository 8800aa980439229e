"""The Python API on constructed histories whose answers are known by construction."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

import pytest

import ledger
from ledger import DepthLevel
from ledger.facts.time import to_micros

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def events(book: ledger.Ledger) -> int:
    return book.log_position


@pytest.fixture
def trio(book: ledger.Ledger) -> ledger.Ledger:
    for key in ("ann", "bob", "cat"):
        book.add_person(key, key.title())
    return book


# -- bad input: a specific error naming field and value, and nothing written ---------------
@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        (
            ("message", "ann", "zed", day(0)),
            ledger.UnknownPersonError,
            "counterparts: unknown person 'zed'",
        ),
        (
            ("message", "zed", "ann", day(0)),
            ledger.UnknownPersonError,
            "initiator: unknown person 'zed'",
        ),
        (("message", "ann", "ann", day(0)), ledger.SelfTouchpointError, "counterparts"),
        (
            ("message", "ann", "bob", datetime(2024, 1, 1)),
            ledger.InvalidTimeError,
            "occurred_at: naive",
        ),
        (("message", "ann", "bob", "last tuesday"), ledger.InvalidTimeError, "'last tuesday'"),
        (("message", "ann", "bob", "2024-01-01T10:00"), ledger.InvalidTimeError, "no time zone"),
        (("poke", "ann", "bob", day(0)), ledger.UnknownKindError, "kind: unknown kind"),
        (("message", "  ", "bob", day(0)), ledger.EmptyKeyError, "initiator: must not be empty"),
        (("message", "ann", [], day(0)), ledger.InvalidInputError, "counterparts"),
        (("introduction", "ann", ["bob"], day(0)), ledger.InvalidInputError, "exactly two"),
    ],
)
def test_bad_input_names_field_and_value_and_writes_nothing(
    trio: ledger.Ledger, args: tuple[object, ...], error: type[Exception], words: str
) -> None:
    before = events(trio)
    with pytest.raises(error) as raised:
        trio.record(*args)  # type: ignore[arg-type]
    assert words in str(raised.value)
    assert isinstance(raised.value, ledger.LedgerError)
    assert events(trio) == before


def test_a_batch_is_all_or_nothing(trio: ledger.Ledger) -> None:
    before = events(trio)
    good = ledger.Touch("message", "ann", "bob", day(0))
    bad = ledger.Touch("message", "bob", "nobody", day(1))
    with pytest.raises(ledger.UnknownPersonError):
        trio.record_many([good, good, bad])
    assert events(trio) == before
    assert trio.pair("ann", "bob") is None


def test_builtin_exception_types_still_catch_ledger_errors(trio: ledger.Ledger) -> None:
    with pytest.raises(ValueError):
        trio.record("message", "ann", "bob", "not a time")
    with pytest.raises(LookupError):
        trio.record("message", "ann", "nobody", day(0))


# -- identity and idempotency ----------------------------------------------------------------
def test_same_source_reference_is_recorded_once(trio: ledger.Ledger) -> None:
    touch = ledger.Touch("email", "ann", "bob", day(0), source="mail", source_ref="msg-1")
    first = trio.record_many([touch])
    again = trio.record_many([touch, touch])
    assert (first.added, first.ignored) == (1, 0)
    assert (again.added, again.ignored) == (0, 2)
    assert first.touchpoint_ids[0] == again.touchpoint_ids[0]
    assert len(trio.timeline("ann")) == 1


def test_identical_facts_without_reference_are_separate_touchpoints(trio: ledger.Ledger) -> None:
    trio.record("message", "ann", "bob", day(0))
    trio.record("message", "ann", "bob", day(0))
    view = trio.pair("ann", "bob", as_of=day(0))
    assert view is not None and view.decay.touches == 2


def test_create_people_registers_unknown_keys_once(book: ledger.Ledger) -> None:
    summary = book.record_many([ledger.Touch("call", "x", "y", day(0))], create_people=True)
    assert (summary.added, summary.people_added) == (1, 2)
    assert book.people() == ["x", "y"]
    assert book.add_person("x") is False


# -- retraction ------------------------------------------------------------------------------
def test_retraction_withdraws_the_touchpoint_but_keeps_the_fact(trio: ledger.Ledger) -> None:
    call = trio.record("call", "ann", "bob", day(1))
    trio.record("message", "ann", "bob", day(2))
    assert trio.pair("ann", "bob", as_of=day(3)).level is DepthLevel.LIVE  # type: ignore[union-attr]
    trio.retract(call, "it was someone else")
    view = trio.pair("ann", "bob", as_of=day(3))
    assert view is not None and view.level is DepthLevel.ONE_WAY and view.decay.touches == 1
    [retracted, kept] = trio.timeline("ann", "bob")
    assert retracted.retracted_reason == "it was someone else" and not kept.retracted
    with pytest.raises(ledger.AlreadyRetractedError):
        trio.retract(call, "again")
    with pytest.raises(ledger.UnknownTouchpointError):
        trio.retract(uuid.uuid4().hex, "never recorded")
    with pytest.raises(ledger.InvalidInputError):
        trio.retract(kept.touchpoint_id, "  ")


# -- people change over time -----------------------------------------------------------------
def test_attributes_as_of_any_date(trio: ledger.Ledger) -> None:
    trio.update_person("ann", since=day(10), org="Acme", tags=["python", "data"])
    trio.update_person("ann", since=day(20), org="Initech", location="Chicago")
    trio.update_person("ann", since=day(30), location=None)
    assert trio.person("ann", as_of=day(5)).attributes == {}
    assert trio.person("ann", as_of=day(15)).attributes == {
        "org": "Acme",
        "tags": ["data", "python"],
    }
    assert trio.person("ann", as_of=day(25)).get("location") == "Chicago"
    assert "location" not in trio.person("ann", as_of=day(31)).attributes
    assert trio.person("ann").name == "Ann"
    with pytest.raises(ledger.UnknownPersonError):
        trio.person("zed")


# -- decay --------------------------------------------------------------------------------------
def test_a_message_halves_every_half_life(trio: ledger.Ledger) -> None:
    trio.record("message", "ann", "bob", day(0))
    for halves in (0, 1, 2, 4):
        view = trio.pair("ann", "bob", as_of=day(90 * halves))
        assert view is not None
        assert math.isclose(view.strength, 0.5**halves)


def test_explanation_lists_every_touchpoint_and_sums_to_the_strength(trio: ledger.Ledger) -> None:
    trio.record("message", "ann", "bob", day(0), note="hello")
    trio.record("meeting", "bob", "ann", day(40))
    trio.record("introduction", "cat", ["ann", "bob"], day(50))
    trio.record("message", "ann", "bob", day(400))  # after as_of: not counted
    explanation = trio.explain("bob", "ann", as_of=day(100))
    view = trio.pair("ann", "bob", as_of=day(100))
    assert view is not None
    assert [c.kind for c in explanation.contributions] == ["message", "meeting", "introduction"]
    assert math.isclose(explanation.strength, view.strength, rel_tol=1e-12)
    assert math.isclose(sum(c.contribution for c in explanation.contributions), view.strength)
    first = explanation.contributions[0]
    assert (first.weight, first.factor, first.initiator) == (1.0, 1.0, "ann")
    assert math.isclose(first.decay, 2 ** (-100 / 90))
    assert math.isclose(first.contribution, 2 ** (-100 / 90))
    assert explanation.contributions[1].weight == 4.0
    assert explanation.contributions[2].initiator is None  # introduced, not an exchange
    assert explanation.contributions[2].weight == 0.5
    assert explanation.depth.level is DepthLevel.LIVE
    assert explanation.depth == view.depth
    assert any(reason.startswith("live:") for reason in explanation.depth_reasons)


def test_decay_model_is_remembered_and_overridable(url: str) -> None:
    if url.startswith("memory://"):
        pytest.skip("a memory ledger ends when it is closed: nothing to reopen")
    with ledger.open(url) as book:
        book.set_decay(30)
        book.add_person("ann")
        book.add_person("bob")
        book.record("message", "ann", "bob", day(0))
    with ledger.open(url) as book:
        assert book.decay_model.half_life_days == 30
        assert math.isclose(book.pair("ann", "bob", as_of=day(30)).strength, 0.5)  # type: ignore[union-attr]
        wider = book.explain("ann", "bob", as_of=day(30), half_life_days=60, weights={"message": 2})
        assert math.isclose(wider.strength, 2 * 2**-0.5)
        book.set_decay(10, weights={"message": 3})
    with ledger.open(url) as book:
        assert math.isclose(book.pair("ann", "bob", as_of=day(10)).strength, 1.5)  # type: ignore[union-attr]
        assert book.verify() == []


def test_time_since_last_touch_and_last_exchange(trio: ledger.Ledger) -> None:
    trio.record("message", "ann", "bob", day(0))
    trio.record("message", "bob", "ann", day(2))  # a reply: an exchange
    trio.record("reaction", "bob", "ann", day(5))  # not an exchange
    view = trio.pair("ann", "bob", as_of=day(10))
    assert view is not None
    assert view.decay.days_since_last_touch == 5
    assert view.decay.days_since_last_exchange == 8


# -- depth rules ---------------------------------------------------------------------------------
def test_connected_but_never_talked_is_inch_deep(trio: ledger.Ledger) -> None:
    trio.record("connection_requested", "ann", "bob", day(0))
    trio.record("connection_accepted", "bob", "ann", day(1))
    assert trio.pair("ann", "bob", as_of=day(2)).level is DepthLevel.INCH_DEEP  # type: ignore[union-attr]


def test_one_way_traffic_never_becomes_two_way(trio: ledger.Ledger) -> None:
    trio.record_many(ledger.Touch("message", "ann", "bob", day(i)) for i in range(50))
    trio.record_many(ledger.Touch("reaction", "bob", "ann", day(i)) for i in range(50))
    assert trio.pair("ann", "bob", as_of=day(60)).level is DepthLevel.ONE_WAY  # type: ignore[union-attr]


def test_one_video_call_outranks_any_number_of_reactions(trio: ledger.Ledger) -> None:
    trio.record_many(ledger.Touch("reaction", "ann", "bob", day(i)) for i in range(100))
    trio.record("video_call", "cat", "bob", day(0))
    reactions = trio.pair("ann", "bob", as_of=day(200))
    call = trio.pair("bob", "cat", as_of=day(200))
    assert reactions is not None and call is not None
    assert call.level > reactions.level
    assert call.level is DepthLevel.LIVE


def test_two_way_then_sustained_on_three_days_of_exchange(trio: ledger.Ledger) -> None:
    for month in range(3):  # one day of exchange a month, both ways that day
        trio.record("email", "ann", "bob", day(31 * month))
        trio.record("email", "bob", "ann", day(31 * month + 0.5))
    trio.record("email", "ann", "bob", day(100))  # one side only: not a two-way day
    assert trio.pair("ann", "bob", as_of=day(0)).level is DepthLevel.ONE_WAY  # type: ignore[union-attr]
    assert trio.pair("ann", "bob", as_of=day(1)).level is DepthLevel.TWO_WAY  # type: ignore[union-attr]
    assert trio.pair("ann", "bob", as_of=day(40)).level is DepthLevel.TWO_WAY  # type: ignore[union-attr]
    sustained = trio.pair("ann", "bob", as_of=day(70))
    assert sustained is not None and sustained.level is DepthLevel.SUSTAINED
    assert sustained.depth.two_way_days == 3
    assert sustained.depth.reached_at(DepthLevel.LIVE) is None  # not a ladder
    assert sustained.depth.reached_at(DepthLevel.SUSTAINED) == day(62.5)


def test_introduction_is_one_fact_about_three_people(trio: ledger.Ledger) -> None:
    trio.record("introduction", "cat", ["ann", "bob"], day(0))
    introduced = trio.pair("ann", "bob", as_of=day(0))
    broker = trio.pair("cat", "ann", as_of=day(0))
    assert introduced is not None and broker is not None
    assert introduced.level is DepthLevel.INCH_DEEP
    assert (introduced.reciprocity.a_to_b, introduced.reciprocity.b_to_a) == (0, 0)
    assert introduced.strength == 0.5
    # ann < cat: the broker (b) gave ann (a) an introduction.
    assert broker.reciprocity.introductions_b_to_a == 1
    assert broker.level is DepthLevel.ONE_WAY


# -- reciprocity ---------------------------------------------------------------------------------
def test_favors_count_for_the_giver(trio: ledger.Ledger) -> None:
    trio.record("favor", "ann", "bob", day(0))  # ann helped bob
    trio.record("favor", "ann", "bob", day(1), giver="counterparts")  # ann asked, bob helped
    trio.record("referral", "bob", "ann", day(2))
    view = trio.pair("ann", "bob", as_of=day(3))
    assert view is not None
    r = view.reciprocity
    assert (r.favors_a_to_b, r.favors_b_to_a, r.referrals_b_to_a) == (1, 1, 1)
    assert (r.a_to_b, r.b_to_a) == (2, 1)
    assert math.isclose(view.balance, 1 / 3)


def test_network_reciprocity_coefficient_known_graph(trio: ledger.Ledger) -> None:
    # Links ann->bob, bob->ann, ann->cat: r = 2/3, density = 3/6, rho = 1/3. (A reply
    # within half an hour is the same conversation: it would open nothing.)
    trio.record("message", "ann", "bob", day(0))
    trio.record("message", "bob", "ann", day(0.1))
    trio.record("message", "ann", "cat", day(0))
    summary = trio.network(as_of=day(1))
    assert summary.reciprocity_coefficient is not None
    assert math.isclose(summary.reciprocity_coefficient, 1 / 3)
    assert (summary.people, summary.pairs) == (3, 2)
    assert summary.depth_distribution["two_way"] == 1
    assert summary.one_way_share == 0.5


def test_relationships_are_ranked_by_strength(trio: ledger.Ledger) -> None:
    trio.record("meeting", "ann", "bob", day(0))
    trio.record("message", "ann", "cat", day(0))
    ranked = trio.relationships("ann", as_of=day(1))
    assert [view.other("ann") for view in ranked] == ["bob", "cat"]


def test_point_query_is_an_index_lookup(sqlite_url: str) -> None:
    """A point query for one pair never scans: it is one search of the primary key."""
    import sqlite3

    with ledger.open(sqlite_url) as book:
        book.add_person("ann")
        book.add_person("bob")
        book.record("message", "ann", "bob", day(0))
        book.catch_up()
    path = sqlite_url.removeprefix("sqlite:///")
    plan = (
        sqlite3.connect(path)
        .execute(
            "EXPLAIN QUERY PLAN SELECT * FROM ledger_view_rows WHERE pair = ? AND t <= ? "
            "ORDER BY t, touch",
            (1 << 32 | 2, 0),
        )
        .fetchall()
    )
    detail = " ".join(str(row[-1]) for row in plan)
    assert "SEARCH" in detail and "PRIMARY KEY" in detail and "SCAN" not in detail


# -- what the insights read: model-free facts, retracted ones left out ---------------------------
def test_pair_facts_leave_retracted_touches_out(trio: ledger.Ledger) -> None:
    favor = trio.record("favor", "ann", "bob", day(0))
    trio.record("message", "bob", "ann", day(1))
    trio.record("message", "ann", "cat", day(1))
    trio.retract(favor, "it was cat who helped")
    facts = trio.pair_facts("ann", as_of=day(10))
    assert {other: [f.kind for f in found] for other, found in facts.items()} == {
        "bob": ["message"],
        "cat": ["message"],
    }
    everyone = trio.all_pair_facts(as_of=day(10))
    assert sorted(f.kind for _, _, f in everyone) == ["message", "message"]
    model = trio.decay_model
    for view in trio.relationships("ann", as_of=day(10)):
        weighed = model.weigh(facts[view.other("ann")], to_micros(day(10)))
        assert math.isclose(float(weighed.sum()), view.strength)


def test_a_symmetric_touch_keeps_its_first_participant(trio: ledger.Ledger) -> None:
    both = trio.record("message", "cat", "ann", day(0), symmetric=True)
    group = trio.record("meeting", "cat", ["bob", "ann"], day(0), symmetric=True)
    for identity, people in ((both, ("cat", ("ann",))), (group, ("cat", ("bob", "ann")))):
        view = trio.touchpoint(identity)
        assert view.symmetric and (view.initiator, view.counterparts) == people


def test_an_explanation_names_its_pair_even_before_they_were_in_touch(trio: ledger.Ledger) -> None:
    trio.record("message", "bob", "cat", day(10))
    for a, b, as_of in (("cat", "bob", day(5)), ("ann", "bob", day(20))):
        explained = trio.explain(a, b, as_of=as_of)
        assert (explained.a, explained.b) == tuple(sorted((a, b)))  # numbered ann, bob, cat
        assert (explained.strength, explained.contributions, explained.depth_reasons) == (
            0.0,
            (),
            (),
        )
    with pytest.raises(ledger.InvalidInputError, match="two different people"):
        trio.explain("ann", "ann")


def test_a_touchpoint_naming_one_person_by_two_identifiers_is_refused() -> None:
    """``ann`` and her e-mail address are one person: a meeting of ann, ann@x.com and
    bob would be a touch of ann with herself. Refused, naming both; nothing stored."""
    with ledger.open("memory://") as book:
        book.add_person("ann", identifiers=[("email", "ann@x.com")])
        book.add_person("bob")
        with pytest.raises(ledger.InvalidInputError, match="the same person as 'ann'"):
            book.record("meeting", "ann", ["ann@x.com", "bob"], "2024-01-01T10:00:00Z")
        assert book.timeline("ann") == []
        assert book.audit().ok
