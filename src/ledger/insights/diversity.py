"""Question 8: "Is my network an echo chamber?"

For ``me``'s relationships at ``as_of`` (or every relationship in the ledger, with
``me=None``), grouped by one attribute (``org``, ``location``, ``title`` or ``tags``)
as each person had it then:

* **Blau index** ``1 − Σ p_k²`` over the groups of the contacts (p_k: the share of
  contacts in group k; for tags, of tag mentions; for the whole ledger, of the people
  in a relationship): 0 when everyone is alike, towards 1 when every contact is
  different. ``blau_by_strength`` weighs each contact by the strength of the
  relationship (for the whole ledger: by each person's total strength) instead.
* **inside share**: the share of strength in relationships inside one's own group
  (for ``me``: with contacts who share ``me``'s value; for the whole ledger: pairs
  whose two people share a value).
* **E-I index** (Krackhardt) ``(E − I) / (E + I)`` over relationships: −1 all
  inside, +1 all outside.

Contacts with no value for the attribute are counted (``unknown``) but left out of all
three; when ``me`` has no value, the inside share and E-I index are None. The same
measures at ``points`` dates up to ``as_of`` show the trend.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import attrs

from ledger import Ledger
from ledger.errors import InvalidInputError
from ledger.insights._common import TimeLike, moment, resolve_me

__all__ = ["FIELDS", "Diversity", "DiversityPoint", "GroupShare", "blau", "diversity"]

FIELDS = ("org", "location", "title", "tags")


@attrs.frozen
class GroupShare:
    group: str
    contacts: int
    strength_share: float


@attrs.frozen
class DiversityPoint:
    as_of: datetime
    relationships: int
    blau: float | None
    inside_share: float | None


@attrs.frozen
class Diversity:
    me: str | None
    by: str
    as_of: datetime
    own: tuple[str, ...]
    relationships: int
    unknown: int
    blau: float | None
    blau_by_strength: float | None
    inside_share: float | None
    ei_index: float | None
    groups: tuple[GroupShare, ...]
    history: tuple[DiversityPoint, ...]


def blau(weights: dict[str, float]) -> float | None:
    """``1 − Σ p_k²`` of the groups' weights; None when there is nothing."""
    total = sum(weights.values())
    if total <= 0:
        return None
    return 1.0 - sum((w / total) ** 2 for w in weights.values())


def _values(attributes: dict[str, Any], by: str) -> frozenset[str]:
    value = attributes.get(by)
    if value is None:
        return frozenset()
    items = value if isinstance(value, list | tuple) else [value]
    return frozenset(str(item).strip() for item in items if str(item).strip())


@attrs.frozen
class _Measure:
    blau: float | None
    blau_by_strength: float | None
    inside_share: float | None
    ei_index: float | None
    unknown: int
    groups: tuple[GroupShare, ...]
    own: tuple[str, ...]


class _Tie(NamedTuple):
    """What a measure reads of a relationship (a row of :meth:`Ledger.pair_table`)."""

    a: str
    b: str
    strength: float
    first_touch_at: datetime

    def other(self, me: str | None) -> str:
        return self.b if self.a == me else self.a


def _measure(views: Sequence[_Tie], people: dict[str, Any], me: str | None, by: str) -> _Measure:
    ends: dict[str, tuple[frozenset[str], float]] = {}
    inside = outside = 0.0
    links_in = links_out = unknown = 0
    own = _values(people.get(me, {}), by) if me is not None else frozenset()
    for view in views:
        x = _values(people.get(view.a, {}), by)
        y = _values(people.get(view.b, {}), by)
        if me is not None:
            x, y = own, (y if view.a == me else x)
        if not y or (me is None and not x):
            unknown += 1
            continue
        sides = [(view.other(me), y)] if me is not None else [(view.a, x), (view.b, y)]
        for person, groups in sides:  # each person counted once, with all their strength
            ends[person] = (groups, ends.get(person, (groups, 0.0))[1] + view.strength)
        if not x:
            continue  # me has no value: no inside or outside
        same = bool(x & y)
        inside += view.strength if same else 0.0
        outside += 0.0 if same else view.strength
        links_in, links_out = links_in + same, links_out + (not same)
    counts: Counter[str] = Counter()
    strengths: dict[str, float] = defaultdict(float)
    for groups, strength in ends.values():
        for group in groups:
            counts[group] += 1
            strengths[group] += strength
    return _Measure(
        blau=blau(dict(counts)),
        blau_by_strength=blau(strengths),
        inside_share=inside / (inside + outside) if inside + outside > 0 else None,
        ei_index=(links_out - links_in) / (links_in + links_out) if links_in + links_out else None,
        unknown=unknown,
        groups=_groups(counts, strengths),
        own=tuple(sorted(own)),
    )


def _groups(counts: Counter[str], strengths: dict[str, float]) -> tuple[GroupShare, ...]:
    total = sum(strengths.values())
    return tuple(
        GroupShare(g, n, strengths[g] / total if total else 0.0) for g, n in counts.most_common()
    )


def diversity(
    book: Ledger,
    me: str | None = None,
    as_of: TimeLike = None,
    *,
    by: str = "org",
    points: int = 6,
    everyone: bool = False,
) -> Diversity:
    """Diversity of ``me``'s relationships (every relationship, with ``everyone``) by
    the attribute ``by`` (see the module docs)."""
    if by not in FIELDS:
        raise InvalidInputError("by", by, f"must be one of {', '.join(FIELDS)}")
    if not isinstance(points, int) or points < 1:
        raise InvalidInputError("points", points, "must be a whole number >= 1")
    who = None if everyone else resolve_me(book, me)
    end = moment(as_of)
    views = _views(book, who, end)
    now = _measure(views, book.attributes_at(end), who, by)
    return Diversity(
        me=who,
        by=by,
        as_of=end,
        own=now.own,
        relationships=len(views),
        unknown=now.unknown,
        blau=now.blau,
        blau_by_strength=now.blau_by_strength,
        inside_share=now.inside_share,
        ei_index=now.ei_index,
        groups=now.groups,
        history=tuple(_history(book, who, views, end, points, by)),
    )


def _views(book: Ledger, who: str | None, at: datetime) -> list[_Tie]:
    """The relationships at ``at``: ``who``'s, or all of them read as columns (one
    table, not an object per pair)."""
    if who is not None:
        return [
            _Tie(v.a, v.b, v.strength, v.decay.first_touch_at) for v in book.relationships(who, at)
        ]
    table = book.pair_table(at)
    firsts = table["first_touch_at"].astype("datetime64[us]").tolist()
    columns = (table["a"].tolist(), table["b"].tolist(), table["strength"].tolist(), firsts)
    return [
        _Tie(a, b, strength, first.replace(tzinfo=UTC))
        for a, b, strength, first in zip(*columns, strict=True)
    ]


def _history(
    book: Ledger,
    who: str | None,
    views: Sequence[_Tie],
    end: datetime,
    points: int,
    by: str,
) -> list[DiversityPoint]:
    if not views or points == 1:
        instants = [end]
    else:
        start = min(view.first_touch_at for view in views)
        step = (end - start) / (points - 1)
        instants = [start + step * k for k in range(points - 1)] + [end]
    found = []
    for at in instants:
        at_views = _views(book, who, at)
        measure = _measure(at_views, book.attributes_at(at), who, by)
        found.append(DiversityPoint(at, len(at_views), measure.blau, measure.inside_share))
    return found
