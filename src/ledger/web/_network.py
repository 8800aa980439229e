"""*The network*: connected against talked-to over time ("an inch deep"), the depth
distribution, diversity, the connectors, the givers and the cold invitations, as
charts where a picture reads faster than a table. Every number is an insight's
(``ledger.insights``); this module only lays them out."""

from __future__ import annotations

from ledger import Ledger
from ledger.insights import (
    NoOwnerError,
    diversity,
    givers,
    introductions_made,
    invitations,
    network_health,
)
from ledger.web._ask import Ask
from ledger.web._charts import bars, lines
from ledger.web._page import Context

__all__ = ["DIVERSITY_BY", "network"]

POINTS = 8
TOP = 10
DIVERSITY_BY = ("org", "location", "title", "tags")


def network(book: Ledger, ask: Ask, scope: str, by: str) -> Context:
    """The whole picture for me (``scope="me"``) or the whole ledger (``"all"``)."""
    me = ask.me if scope == "me" else None
    if scope == "me" and me is None:
        raise NoOwnerError
    health = network_health(book, me, ask.as_of, points=POINTS)
    history = health.history
    growth = lines(
        "connected and talked to, over time",
        [
            ("connected", [(p.as_of, float(p.size)) for p in history]),
            ("talked to", [(p.as_of, float(p.talked_to)) for p in history]),
        ],
        ask.clock,
    )
    depth = bars(
        "relationships by depth",
        [(level, float(n)) for level, n in health.depth_distribution.items()],
        shown=[f"{n:,}" for n in health.depth_distribution.values()],
    )
    spread = diversity(book, me, ask.as_of, by=by, points=1, everyone=me is None)
    groups = bars(
        f"share of strength by {by}",
        [(g.group, g.strength_share) for g in spread.groups[:TOP]],
        shown=[f"{g.strength_share:.0%} ({g.contacts})" for g in spread.groups[:TOP]],
    )
    brokers = introductions_made(book, ask.as_of)[:TOP]
    giving = givers(book, ask.as_of, me=me, limit=TOP)
    given = bars(
        "who gives the most (decayed)",
        [(row.person, row.given) for row in giving],
        shown=[f"{row.given:.2f} given, {row.received:.2f} received" for row in giving],
    )
    return {
        "scope": scope,
        "by": by,
        "health": health,
        "growth": growth,
        "depth": depth,
        "spread": spread,
        "groups": groups,
        "brokers": brokers,
        "giving": giving,
        "given": given,
        "invitations": None if me is None else invitations(book, me, ask.as_of),
    }
