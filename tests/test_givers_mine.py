"""givers(me=...) and taking() read my pairs only: the same answers as filtering every
flow of the ledger (what they did before), on the demo network; and the flows, computed
as columns, equal a loop over the ledger's facts written here from the rules in
``ledger.insights.givers``'s docs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import ledger
from ledger.cli.demo import OWNER, populate
from ledger.facts.time import to_micros
from ledger.insights import givers, taking
from ledger.insights.givers import _flows


def test_my_flows_are_the_whole_ledger_s_flows_with_me() -> None:
    with ledger.open("memory://givers-mine") as book:
        populate(book)
        for at in (datetime(2023, 12, 31, tzinfo=UTC), datetime(2024, 12, 31, tzinfo=UTC)):
            everyone = [f for f in _flows(book, at).tuples() if OWNER in f[:2]]
            mine = _flows(book, at, OWNER).tuples()
            key = lambda f: (f[0], f[1], round(f[2], 12), f[3])  # noqa: E731
            assert everyone and sorted(map(key, mine)) == sorted(map(key, everyone))
            assert givers(book, at, me=OWNER)
            assert all(b.given_to_me > b.given_by_me for b in taking(book, OWNER, at))


def _reference_flows(book: ledger.Ledger, at: datetime) -> list[tuple[str, str, float, bool]]:
    """The rules, one fact at a time: help counts for its giver; a conversation touch
    answering the other side's previous one in the pair counts for who answered."""
    kinds = {"favor", "introduction", "referral", "recommendation", "message", "email", "comment"}
    talk = {"message", "email", "comment"}
    found = [(a, b, f) for a, b, f in book.all_pair_facts(at) if f.kind in kinds]
    values = book.decay_model.weigh([f for _, _, f in found], to_micros(at)).tolist()
    flows, last = [], {}
    for (a, b, fact), value in zip(found, values, strict=True):
        if fact.role != "direct":
            continue
        sign = fact.giver or (fact.direction if fact.kind in talk else 0)
        answers = fact.kind in talk and last.get((a, b), 0) == -fact.direction
        if fact.giver or answers:
            flows.append(
                (a, b, value, bool(fact.giver)) if sign > 0 else (b, a, value, bool(fact.giver))
            )
        if fact.kind in talk:
            last[(a, b)] = fact.direction
    return flows


def test_the_flows_as_columns_equal_the_rules_fact_by_fact() -> None:
    with ledger.open("memory://givers-columns") as book:
        populate(book)
        for at in (datetime(2023, 6, 30, tzinfo=UTC), datetime(2024, 12, 31, tzinfo=UTC)):
            key = lambda f: (f[0], f[1], round(f[2], 12), f[3])  # noqa: E731
            want = sorted(map(key, _reference_flows(book, at)))
            assert want and sorted(map(key, _flows(book, at).tuples())) == want


def _rows(table: dict[str, Any]) -> list[tuple[Any, ...]]:
    columns = [table[n].tolist() for n in ("a", "b", "kind", "role", "direction", "giver")]
    times = [t.replace(tzinfo=UTC) for t in table["at"].tolist()]
    return sorted(zip(*columns[:2], times, *columns[2:], strict=True))


def test_the_fact_table_holds_the_facts_of_the_ledger_and_of_one_person() -> None:
    with ledger.open("memory://fact-table") as book:
        populate(book)
        at = datetime(2024, 6, 30, tzinfo=UTC)
        everyone = [
            (a, b, f.at, f.kind, f.role, f.direction, f.giver)
            for a, b, f in book.all_pair_facts(at)
        ]
        assert everyone and _rows(book.fact_table(at)) == sorted(everyone)
        mine = [
            (OWNER, other, f.at, f.kind, f.role, f.direction, f.giver)
            for other, facts in book.pair_facts(OWNER, at).items()
            for f in facts
        ]
        assert mine and _rows(book.fact_table(at, person=OWNER)) == sorted(mine)
        assert len(book.fact_table(at, kinds=["meeting"])["a"]) == sum(
            f[3] == "meeting" for f in everyone
        )
