"""Every insight on small constructed histories whose answers are known by construction."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import ledger
from ledger.insights import (
    NoPathError,
    diversity,
    givers,
    how_met,
    introductions_made,
    invitations,
    network_health,
    remind,
    snooze,
    suggest_intros,
    taking,
    warmest_path,
    who,
)
from ledger.insights.network_health import HealthPoint, trend
from ledger.insights.pictures import depth_series, plot_depth, plot_graph
from ledger.insights.reminders import rhythm_days

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


def people(book: ledger.Ledger, *keys: str) -> None:
    for key in keys:
        book.add_person(key)


# -- 1. network health ---------------------------------------------------------------------
def test_network_health_counts_depth_shares_and_reciprocity(memory_book: ledger.Ledger) -> None:
    book = memory_book
    people(book, "me", "ann", "bob", "cat", "dan")
    book.record("message", "me", "ann", days_ago(10))
    book.record("message", "ann", "me", days_ago(9))  # two_way
    book.record("connection_accepted", "bob", "me", days_ago(8))  # inch_deep
    book.record("message", "me", "cat", days_ago(7))  # one_way
    book.record("meeting", "me", "dan", days_ago(6))  # live
    health = network_health(book, "me", NOW, points=3)
    assert (health.size, health.talked_to) == (4, 2)
    assert health.depth_distribution == {
        "inch_deep": 1,
        "one_way": 1,
        "two_way": 1,
        "live": 1,
        "sustained": 0,
    }
    assert (health.inch_deep_share, health.one_way_share, health.talked_to_share) == (
        0.25,
        0.25,
        0.5,
    )
    # directed links (who opened something): me<->ann (2, reciprocated), me->cat, me->dan;
    # bob's accepted connection opens nothing
    assert health.reciprocated_share == pytest.approx(2 / 4)
    assert [p.size for p in health.history] == [1, 4, 4]  # days 10 and 5 ago, and now
    assert health.history[0].as_of == days_ago(10)
    before = network_health(book, "me", days_ago(8.5))
    assert (before.size, before.talked_to) == (1, 1)
    whole = network_health(book, None, NOW, points=1)
    assert whole.me is None and whole.size == 4 and whole.reciprocity_coefficient is not None


def test_trend_bigger_but_shallower() -> None:
    def point(size: int, talked: int) -> HealthPoint:
        return HealthPoint(NOW, size, talked, 0.0, 0.0, talked / size, 0.0)

    assert trend([point(10, 5), point(20, 6)]) == "bigger but shallower"
    assert trend([point(10, 5), point(20, 12)]) == "bigger and deeper"
    assert trend([point(10, 5), point(8, 4)]) == "smaller"
    assert trend([point(10, 5)]) == "steady"


# -- 2. reminders ---------------------------------------------------------------------------
def test_rhythm_is_the_median_gap_between_bursts() -> None:
    assert rhythm_days([0, 7, 14, 21]) == 7.0
    assert rhythm_days([0, 1, 2, 90, 91, 180, 181, 182]) == 88.5  # bursts left out
    assert rhythm_days([0, 1, 2, 3, 4]) is None  # one continuous burst: no rhythm
    assert rhythm_days([0, 30]) is None  # one gap is not a rhythm


def weekly(book: ledger.Ledger, other: str, last: float, times: int = 8) -> None:
    for k in range(times):
        sender, receiver = ("me", other) if k % 2 else (other, "me")
        book.record("message", sender, receiver, days_ago(last + 7 * k))


def test_remind_due_overdue_upcoming_and_never_within_rhythm(memory_book: ledger.Ledger) -> None:
    book = memory_book
    people(book, "me", "late", "due", "fresh", "once")
    weekly(book, "late", last=30)  # rhythm 7, quiet 30 > 2 x 7: overdue
    weekly(book, "due", last=10)  # quiet 10: past 7, within 14: due
    weekly(book, "fresh", last=3)  # quiet 3 < 7: never suggested
    book.record("message", "me", "once", days_ago(100))  # no rhythm
    found = remind(book, "me", NOW)
    assert [(r.person, r.status) for r in found.fading] == [("late", "overdue"), ("due", "due")]
    late = found.fading[0]
    assert late.rhythm_days == 7.0 and late.days_since == 30.0
    assert late.ideal_at == days_ago(23) and late.overdue_at == days_ago(16)
    assert late.score == pytest.approx(30 / 7 * book.pair("me", "late", NOW).strength)  # type: ignore[union-attr]
    assert found.without_rhythm == 1
    ahead = remind(book, "me", NOW, within_days=5)
    assert ("fresh", "upcoming") in [(r.person, r.status) for r in ahead.fading]
    for earlier in (days_ago(2), days_ago(20), days_ago(40)):  # any date: never within rhythm
        assert all(r.days_since > r.rhythm_days for r in remind(book, "me", earlier).fading)


def test_co_presence_is_contact_and_retracted_touches_are_not(memory_book: ledger.Ledger) -> None:
    book = memory_book
    people(book, "me", "cat", "host")
    for k in range(4):  # the host's monthly meeting: me and cat both attend, neither initiates
        book.record("meeting", "host", ["me", "cat"], days_ago(40 + 30 * k))
    wrong = book.record("message", "cat", "me", days_ago(1))
    book.retract(wrong, "it was someone else")
    found = remind(book, "me", NOW)
    cat = next(r for r in found.fading if r.person == "cat")
    assert (cat.rhythm_days, cat.days_since, cat.active_days) == (30.0, 40.0, 4)
    assert cat.status == "due"  # 40 days quiet: past 30, within 2 x 30
    expected = sum(4 * 0.5 * 2 ** (-(40 + 30 * k) / 90) for k in range(4))  # 1/(n-1) each
    assert cat.strength == pytest.approx(expected, rel=1e-12)


def test_active_days_are_counted_in_the_ledgers_time_zone(sqlite_url: str) -> None:
    book = ledger.open(sqlite_url)  # memory:// cannot change settings yet (engine issue)
    people(book, "me", "ann")
    evenings = [days_ago(60 + 10 * k).replace(hour=23, minute=30) for k in range(4)]
    for k, evening in enumerate(evenings):  # 23:30 UTC, and an answer at 00:30 UTC
        book.record("message", "me", "ann", evening)
        book.record("message", "ann", "me", evening + timedelta(hours=1), note=f"re {k}")
    assert remind(book, "me", NOW).fading[0].active_days == 8  # UTC: two days each time
    book.set_timezone("Europe/Paris")  # 00:30 and 01:30 the next day in Paris
    assert remind(book, "me", NOW).fading[0].active_days == 4
    book.close()


def test_snoozed_pair_is_silent_until_its_date(memory_book: ledger.Ledger) -> None:
    book = memory_book
    people(book, "me", "late")
    weekly(book, "late", last=30)
    snooze(book, "me", "late", NOW + timedelta(days=10), since=days_ago(1), reason="travel")
    silenced = remind(book, "me", NOW)
    assert silenced.fading == () and [s.b for s in silenced.snoozed] == ["me"]
    assert [r.person for r in remind(book, "me", days_ago(2)).fading] == ["late"]  # not yet
    later = remind(book, "me", NOW + timedelta(days=10))
    assert [r.person for r in later.fading] == ["late"]  # the snooze is over


def test_dormant_ties_get_their_own_reconnect_list(memory_book: ledger.Ledger) -> None:
    book = memory_book
    people(book, "me", "old_friend", "old_lurker")
    weekly(book, "old_friend", last=4 * 365)  # two_way, quiet four years
    for k in range(6):
        book.record("message", "me", "old_lurker", days_ago(4 * 365 + 7 * k))  # one_way only
    found = remind(book, "me", NOW)
    assert [d.person for d in found.dormant] == ["old_friend"]
    assert found.dormant[0].years_quiet == pytest.approx(4 * 365 / 365.25)
    assert "old_friend" not in [r.person for r in found.fading]
    assert [r.person for r in found.fading] == ["old_lurker"]  # not deep: a plain reminder
    assert remind(book, "me", NOW, dormant_years=5).dormant == ()


# -- 3. introductions to suggest, and paths -------------------------------------------------
def test_suggest_intros_shared_org_and_common_contacts(memory_book: ledger.Ledger) -> None:
    book = memory_book
    book.add_person("me")
    book.add_person("ann", org="Acme", tags=["ml"])
    book.add_person("cat", org="Acme", tags=["ml", "design"])
    book.add_person("bob", org="Acme")
    book.add_person("dan", org="Initech")
    book.add_person("hub")
    for other in ("ann", "cat", "bob", "dan"):
        book.record("message", "me", other, days_ago(5))
        book.record("message", other, "me", days_ago(4))
    book.record("message", "ann", "bob", days_ago(3))  # already tied: never suggested
    for other in ("cat", "dan"):
        book.record("message", "hub", other, days_ago(2))  # hub: their common contact
    found = {(s.x, s.y): s for s in suggest_intros(book, "me", NOW)}
    assert ("ann", "bob") not in found
    assert found[("ann", "cat")].shared == ("org:Acme", "tag:ml")
    assert found[("ann", "cat")].score == 1.5
    hub_degree = 2
    assert found[("cat", "dan")].adamic_adar == pytest.approx(1 / math.log(hub_degree))
    assert found[("cat", "dan")].shared == ()
    assert found[("bob", "cat")].score == 1.0
    assert ("ann", "dan") not in found  # nothing shared, no common contact but me
    assert list(found)[:2] == [("ann", "cat"), ("cat", "dan")]  # 1.5, then 1/log 2 = 1.44


def test_warmest_path_prefers_strong_ties_over_fewer_hops(memory_book: ledger.Ledger) -> None:
    book = memory_book
    people(book, "me", "ann", "bob", "zed", "far")
    for a, b, kind in (
        ("me", "ann", "meeting"),
        ("ann", "bob", "meeting"),
        ("bob", "zed", "meeting"),
    ):
        book.record(kind, a, b, days_ago(2))
        book.record("message", b, a, days_ago(1))
    book.record("message", "me", "zed", days_ago(200))  # direct, but weak and one-way...
    book.record("message", "zed", "me", days_ago(199))  # ...then two-way, long ago
    hops = warmest_path(book, "zed", "me", NOW)
    assert [(h.source, h.target) for h in hops] == [("me", "ann"), ("ann", "bob"), ("bob", "zed")]
    assert all(h.depth == "live" for h in hops)
    direct = warmest_path(book, "zed", "me", days_ago(100))  # before the meetings
    assert [(h.source, h.target) for h in direct] == [("me", "zed")]
    with pytest.raises(NoPathError, match="no path from 'me' to 'far'"):
        warmest_path(book, "far", "me", NOW)


# -- 4. introductions made ------------------------------------------------------------------
def test_introductions_turned_into_relationships_and_provenance(
    memory_book: ledger.Ledger,
) -> None:
    book = memory_book
    people(book, "mary", "ann", "bob", "cat", "dan", "me")
    book.record("introduction", "mary", ["ann", "bob"], days_ago(30))
    book.record("message", "ann", "bob", days_ago(20))  # turned into a relationship
    book.record("introduction", "mary", ["cat", "dan"], days_ago(30))  # nothing followed
    book.record("introduction", "ann", ["me", "cat"], days_ago(10))
    book.record("meeting", "cat", "me", days_ago(5))
    records = {r.broker: r for r in introductions_made(book, NOW)}
    assert (records["mary"].introductions, records["mary"].turned_into_relationship) == (2, 1)
    assert records["mary"].rate == 0.5 and records["ann"].rate == 1.0
    early = {r.broker: r for r in introductions_made(book, days_ago(15))}
    assert early["mary"].turned_into_relationship == 1 and "ann" not in early
    assert introductions_made(book, days_ago(21), broker="mary")[0].turned_into_relationship == 0
    met = how_met(book, "cat", "me", NOW)
    assert met.introduced_by == ("ann",) and met.first_kind == "introduction"
    assert how_met(book, "ann", "mary", NOW).introduced_by == ()


# -- 5. givers ------------------------------------------------------------------------------
def test_givers_rank_help_and_answers_and_the_mirror(memory_book: ledger.Ledger) -> None:
    book = memory_book
    people(book, "me", "ann", "bob")
    book.record("favor", "ann", "me", NOW)  # ann helps me: 3
    book.record("referral", "ann", "me", NOW)  # and refers me: 3
    book.record("favor", "me", "bob", NOW, giver="counterparts")  # I ask bob; bob helps: 3
    book.record("message", "me", "bob", NOW - timedelta(hours=2))
    book.record("message", "bob", "me", NOW - timedelta(hours=1))  # bob answers: 1
    rows = {r.person: r for r in givers(book, NOW)}
    assert rows["ann"].given == pytest.approx(6.0) and rows["ann"].help_given == 2
    assert rows["bob"].given == pytest.approx(4.0, rel=1e-3) and rows["bob"].answers_given == 1
    assert rows["me"].received == pytest.approx(10.0, rel=1e-3)
    assert [r.person for r in givers(book, NOW)][:2] == ["ann", "bob"]
    mine = givers(book, NOW, "me")
    assert "me" not in [r.person for r in mine]
    # a quick answer inside a conversation counts what it adds to it: the second message
    # of a session adds log2(1 + 2) - log2(1 + 1) of a message
    book.add_person("cy")
    book.record("message", "me", "cy", NOW - timedelta(minutes=10))
    book.record("message", "cy", "me", NOW - timedelta(minutes=5))
    cy = {r.person: r for r in givers(book, NOW)}["cy"]
    five_minutes = 5 / (24 * 60)
    answer = 1.0 * (math.log2(3) - 1) * 2 ** (-five_minutes / 90)
    assert (cy.answers_given, cy.given) == (1, pytest.approx(answer, rel=1e-12))
    mirror = taking(book, "me", NOW)
    assert [b.other for b in mirror] == ["ann", "bob", "cy"] and mirror[0].given_to_me == 6.0
    half = book.decay_model.half_life_days
    later = {r.person: r for r in givers(book, NOW + timedelta(days=half))}
    assert later["ann"].given == pytest.approx(3.0)  # decayed by half


# -- 6. invitations -------------------------------------------------------------------------
def test_cold_warm_personalized_and_bare_requests(memory_book: ledger.Ledger) -> None:
    book = memory_book
    people(book, "me", "x", "y", "ann", "z")
    book.record("connection_requested", "me", "x", days_ago(10))  # cold, bare
    book.record("connection_accepted", "x", "me", days_ago(9))
    book.record("connection_requested", "me", "y", days_ago(10), personalized=True)  # cold
    book.record("message", "ann", "me", days_ago(20))
    book.record("connection_requested", "me", "ann", days_ago(8))  # warm
    book.record("connection_accepted", "ann", "me", days_ago(7))
    book.record("connection_requested", "z", "me", days_ago(6))  # received, cold, bare
    found = invitations(book, "me", NOW)
    assert (found.sent, found.received) == (3, 1)
    assert found.cold_share_sent == pytest.approx(2 / 3) and found.cold_share_received == 1.0
    assert found.personalized_share_sent == pytest.approx(1 / 3)
    groups = {(g.direction, g.warmth, g.personalized): g for g in found.groups}
    assert groups[("sent", "cold", False)].acceptance_rate == 1.0
    assert groups[("sent", "cold", True)].acceptance_rate == 0.0
    assert groups[("sent", "warm", False)].accepted == 1
    assert groups[("received", "cold", False)].accepted == 0
    assert found.bare_only == ("x", "z")
    assert invitations(book, "me", days_ago(9.5)).groups[0].accepted == 0  # not yet accepted


# -- 7. who ---------------------------------------------------------------------------------
def test_who_lives_in_and_knows_as_of_a_date(memory_book: ledger.Ledger) -> None:
    book = memory_book
    book.add_person("me")
    book.add_person("bob", location="Chicago, IL")
    book.update_person("bob", since="2024-03-01T00:00:00Z", location="Boston")
    book.add_person("ann", tags=["ML", "design"])
    book.add_person("cat", title="ML engineer", location="chicago")
    book.add_person("dan", tags=["ml"])
    book.record("meeting", "me", "ann", days_ago(5))
    book.record("message", "me", "cat", days_ago(5))
    before = who(book, "me", "2024-01-01T00:00:00Z", lives_in="Chicago")
    assert [r.person for r in before] == ["bob", "cat"]  # no contacts yet: by key
    assert [r.person for r in who(book, "me", NOW, lives_in="chicago")] == ["cat"]
    experts = who(book, "me", NOW, knows="ml")
    assert [r.person for r in experts] == ["ann", "cat", "dan"]  # by strength, dan unknown
    assert experts[0].depth == "live" and experts[2].depth is None
    assert [r.person for r in who(book, "me", NOW, lives_in="chicago", knows="ml")] == ["cat"]
    with pytest.raises(ledger.InvalidInputError, match="place or a topic"):
        who(book, "me", NOW)


# -- 8. diversity ---------------------------------------------------------------------------
def test_diversity_blau_inside_share_and_ei(memory_book: ledger.Ledger) -> None:
    book = memory_book
    book.add_person("me", org="Acme")
    book.add_person("ann", org="Acme")
    book.add_person("cat", org="Acme")
    book.add_person("bob", org="Initech")
    book.add_person("dan")
    for other, kind in (
        ("ann", "meeting"),
        ("cat", "message"),
        ("bob", "meeting"),
        ("dan", "call"),
    ):
        book.record(kind, "me", other, NOW)
    found = diversity(book, "me", NOW, by="org", points=2)
    assert found.own == ("Acme",) and found.unknown == 1
    assert found.blau == pytest.approx(1 - (2 / 3) ** 2 - (1 / 3) ** 2)
    assert found.inside_share == pytest.approx((4 + 1) / (4 + 1 + 4))
    assert found.ei_index == pytest.approx((1 - 2) / 3)
    assert found.blau_by_strength == pytest.approx(1 - (5 / 9) ** 2 - (4 / 9) ** 2)
    whole = diversity(book, as_of=NOW, everyone=True, points=1)
    assert whole.me is None and whole.inside_share == pytest.approx(5 / 9)
    assert whole.blau == pytest.approx(1 - (3 / 4) ** 2 - (1 / 4) ** 2)  # me, ann, cat; bob
    with pytest.raises(ledger.InvalidInputError, match="by"):
        diversity(book, "me", by="shoe size")


# -- 9. pictures ----------------------------------------------------------------------------
def test_depth_series_and_pictures(memory_book: ledger.Ledger, tmp_path: Path) -> None:
    book = memory_book
    book.add_person("me", org="Acme")
    book.add_person("ann", org="Acme")
    people(book, "bob", "cat")
    book.record("connection_accepted", "bob", "me", days_ago(20))
    book.record("message", "me", "ann", days_ago(10))
    book.record("message", "ann", "me", days_ago(9))
    book.record("message", "ann", "cat", days_ago(9))
    series = depth_series(book, "me", points=3, until=NOW)
    assert [p.counts["inch_deep"] for p in series] == [1, 1, 1]
    assert series[-1].counts["two_way"] == 1 and series[-1].inch_deep_share == 0.5
    plot_depth(book, tmp_path / "depth.png", "me", points=3, until=NOW)
    summary = plot_graph(book, tmp_path / "graph.png", "me", NOW, top=5)
    assert (summary.people, summary.ties) == (3, 2) and summary.orgs["Acme"] == 1
    for name in ("depth.png", "graph.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
