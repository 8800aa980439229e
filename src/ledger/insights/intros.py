"""Questions 3 and 4: who should meet whom, the warmest path to someone, and whether
the introductions made paid off.

**Suggested introductions** (:func:`suggest_intros`). Candidates are the people
``me`` knows well at ``as_of`` (depth ``two_way`` or deeper, by default), taken in
pairs that have no tie of their own (no touch between them, not even an
introduction). Each pair is scored::

    score = 1 × same org + 1 × same location + 0.5 × shared tags
            + Adamic–Adar(x, y) over the network without me

where Adamic–Adar is the sum over common neighbours z (other than me, who is a
neighbour of every candidate) of ``1 / log(degree(z))``, degrees counted in the
whole ledger's network at ``as_of``. Only pairs with a shared attribute or a common
neighbour are suggested. Ties in the score go to the pair ``me`` knows better (the
weaker of the two strengths, higher first).

**Warmest path** (:func:`warmest_path`). The chain of relationships from ``me`` to
``target`` that minimises ``Σ 1/strength`` over its hops (Dijkstra), through
relationships of depth ``min_depth`` or deeper: the distance of a tie is its inverse
strength (Opsahl, Agneessens & Skvoretz 2010), so a path of strong ties beats a
shorter path through a weak one.

**Introductions made** (:func:`introductions_made`). Per broker: introductions of two
people up to ``as_of``, and how many "turned into a relationship": at least one touch
after the introduction in which one of the two introduced reached out to the other
(co-presence, such as both attending a meeting, is not reaching out).
:func:`how_met` answers "how did I meet X?": the introductions of the pair, else the
first touchpoint between them.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from itertools import combinations
from typing import Any, NamedTuple

import attrs

from ledger import Ledger, PairFact
from ledger.insights._common import NoPathError, TimeLike, moment, resolve_me
from ledger.projections.depth import DepthLevel

__all__ = [
    "BrokerRecord",
    "Hop",
    "HowMet",
    "IntroSuggestion",
    "how_met",
    "introductions_made",
    "suggest_intros",
    "warmest_path",
]

_CANDIDATES = 300
"""At most this many of my strongest well-known relationships are paired up."""


@attrs.frozen
class IntroSuggestion:
    x: str
    y: str
    score: float
    shared: tuple[str, ...]
    adamic_adar: float
    common_neighbours: int
    strength_x: float
    strength_y: float


@attrs.frozen
class Hop:
    source: str
    target: str
    strength: float
    depth: str


@attrs.frozen
class BrokerRecord:
    broker: str
    introductions: int
    turned_into_relationship: int
    rate: float
    pairs: tuple[tuple[str, str, bool], ...]


@attrs.frozen
class HowMet:
    person: str
    other: str
    introduced_by: tuple[str, ...]
    first_touch_at: datetime | None
    first_kind: str | None
    first_source: str | None


class _Tie(NamedTuple):
    """What the graph needs of a relationship (a row of :meth:`Ledger.pair_table`)."""

    a: str
    b: str
    strength: float
    level: DepthLevel

    def other(self, me: str) -> str:
        return self.b if self.a == me else self.a


Graph = dict[str, dict[str, _Tie]]


def _graph(book: Ledger, at: datetime, min_level: int) -> Graph:
    """Everyone's relationships of depth ``min_level`` or more, both ways, read as
    columns (one table, not an object per pair)."""
    table = book.pair_table(at)
    keep = table["level"] >= min_level
    graph: Graph = defaultdict(dict)
    columns = (table[name][keep].tolist() for name in ("a", "b", "strength", "level"))
    for a, b, strength, level in zip(*columns, strict=True):
        tie = _Tie(a, b, strength, DepthLevel(level))
        graph[a][b] = tie
        graph[b][a] = tie
    return graph


def suggest_intros(
    book: Ledger,
    me: str | None = None,
    as_of: TimeLike = None,
    *,
    min_depth: DepthLevel = DepthLevel.TWO_WAY,
    limit: int = 20,
) -> list[IntroSuggestion]:
    """Pairs among the people ``me`` knows well who should meet (see the module docs)."""
    me = resolve_me(book, me)
    end = moment(as_of)
    everyone = _graph(book, end, DepthLevel.INCH_DEEP)
    mine = sorted(
        (v for v in everyone.get(me, {}).values() if v.level >= min_depth),
        key=lambda v: -v.strength,
    )[:_CANDIDATES]
    strength = {v.other(me): v.strength for v in mine}
    people = book.attributes_at(end)
    found = []
    for x, y in combinations(sorted(strength), 2):
        if y in everyone.get(x, {}):
            continue
        shared = _shared(people.get(x, {}), people.get(y, {}))
        common = (set(everyone.get(x, {})) & set(everyone.get(y, {}))) - {me}
        # fsum: the same score whatever order the set of common neighbours comes in
        aa = math.fsum(1 / math.log(len(everyone[z])) for z in common if len(everyone[z]) > 1)
        if not shared and not common:
            continue
        score = sum(0.5 if item.startswith("tag:") else 1.0 for item in shared) + aa
        found.append(
            IntroSuggestion(x, y, score, shared, aa, len(common), strength[x], strength[y])
        )
    found.sort(key=lambda s: (-s.score, -min(s.strength_x, s.strength_y), s.x, s.y))
    return found[:limit]


def _shared(x: dict[str, Any], y: dict[str, Any]) -> tuple[str, ...]:
    shared = [
        f"{field}:{x[field]}"
        for field in ("org", "location")
        if x.get(field) and str(x[field]).casefold() == str(y.get(field, "")).casefold()
    ]
    tags_x = {str(tag).casefold() for tag in x.get("tags") or ()}
    tags_y = {str(tag).casefold() for tag in y.get("tags") or ()}
    shared.extend(f"tag:{tag}" for tag in sorted(tags_x & tags_y))
    return tuple(shared)


def warmest_path(
    book: Ledger,
    target: str,
    me: str | None = None,
    as_of: TimeLike = None,
    *,
    min_depth: DepthLevel = DepthLevel.TWO_WAY,
) -> list[Hop]:
    """The chain from ``me`` to ``target`` minimising Σ 1/strength (module docs)."""
    me = resolve_me(book, me)
    target = book.person(target).key
    if target == me:
        raise NoPathError(me, target, "it is the same person")
    graph = _graph(book, moment(as_of), int(min_depth))
    previous = _dijkstra(graph, me, target)
    if target not in previous:
        raise NoPathError(
            me, target, f"not reachable through ties of depth {min_depth.label}+ with strength left"
        )
    hops, node = [], target
    while node != me:
        before = previous[node]
        view = graph[before][node]
        hops.append(Hop(before, node, view.strength, view.level.label))
        node = before
    return hops[::-1]


def _dijkstra(graph: Graph, source: str, target: str) -> dict[str, str]:
    distance = {source: 0.0}
    previous: dict[str, str] = {}
    queue = [(0.0, source)]
    done: set[str] = set()
    while queue:
        cost, node = heapq.heappop(queue)
        if node in done:
            continue
        done.add(node)
        if node == target:
            break
        for other, view in sorted(graph.get(node, {}).items()):
            if view.strength <= 0:
                continue
            candidate = cost + 1.0 / view.strength
            if candidate < distance.get(other, math.inf):
                distance[other], previous[other] = candidate, node
                heapq.heappush(queue, (candidate, other))
    return previous


def introductions_made(
    book: Ledger, as_of: TimeLike = None, broker: str | None = None
) -> list[BrokerRecord]:
    """Per broker (or just ``broker``): introductions made up to ``as_of`` and how many
    turned into a relationship; most introductions first."""
    end = moment(as_of)
    wanted = None if broker is None else book.person(broker).key
    made: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    facts: dict[str, dict[str, list[PairFact]]] = {}  # each introduced person's, once
    for intro in book.introductions(end):
        if wanted is not None and intro.broker != wanted:
            continue
        x, y = intro.introduced
        if x not in facts:
            facts[x] = book.pair_facts(x, end)
        turned = any(f.at > intro.at and f.direction != 0 for f in facts[x].get(y, ()))
        made[intro.broker].append((x, y, turned))
    records = [
        BrokerRecord(who, len(pairs), sum(p[2] for p in pairs), _rate(pairs), tuple(pairs))
        for who, pairs in made.items()
    ]
    records.sort(key=lambda r: (-r.introductions, -r.rate, r.broker))
    return records


def _rate(pairs: Sequence[tuple[str, str, bool]]) -> float:
    return sum(p[2] for p in pairs) / len(pairs) if pairs else 0.0


def how_met(book: Ledger, person: str, me: str | None = None, as_of: TimeLike = None) -> HowMet:
    """How ``me`` met ``person``: who introduced them, and their first touchpoint."""
    me = resolve_me(book, me)
    person = book.person(person).key
    end = moment(as_of)
    brokers = tuple(i.broker for i in book.introductions(end) if set(i.introduced) == {me, person})
    first = next((tp for tp in book.timeline(me, person, until=end) if not tp.retracted), None)
    return HowMet(
        person=person,
        other=me,
        introduced_by=brokers,
        first_touch_at=None if first is None else first.occurred_at,
        first_kind=None if first is None else first.kind,
        first_source=None if first is None else first.source,
    )
