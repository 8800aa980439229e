"""givers(me=...) and taking() read my pairs only: the same answers as filtering every
flow of the ledger (what they did before), on the demo network."""

from __future__ import annotations

from datetime import UTC, datetime

import ledger
from ledger.cli.demo import OWNER, populate
from ledger.insights import givers, taking
from ledger.insights.givers import _flows


def test_my_flows_are_the_whole_ledger_s_flows_with_me() -> None:
    with ledger.open("memory://givers-mine") as book:
        populate(book)
        for at in (datetime(2023, 12, 31, tzinfo=UTC), datetime(2024, 12, 31, tzinfo=UTC)):
            everyone = [f for f in _flows(book, at) if OWNER in (f.giver, f.taker)]
            mine = _flows(book, at, OWNER)
            key = lambda f: (f.giver, f.taker, round(f.value, 12), f.help)  # noqa: E731
            assert everyone and sorted(map(key, mine)) == sorted(map(key, everyone))
            assert givers(book, at, me=OWNER)
            assert all(b.given_to_me > b.given_by_me for b in taking(book, OWNER, at))
