"""Question 5: "Who adds the most value?" What people give against what they ask.

Giving, per touch, each valued as what it adds to the strength of its relationship
now (``weight × factor × 2^(−age/half-life)``, under the ledger's decay model: the
same function the strength is computed by, :meth:`ledger.DecayModel.weigh`), so recent
help counts most and a reply inside a busy conversation counts what it adds to it:

* help: a favor, introduction, referral or recommendation counts for whoever gave it
  (``giver``; for an introduction, the broker gives to each of the two introduced);
* answers: a message, e-mail or comment that replies to the other side's last one
  counts for whoever answered.

What a person *asks* is the mirror: the help and answers they received. ``net =
given − received``. :func:`givers` ranks everyone (or, with ``me``, only what each
person gave to and took from ``me``) by what they give; :func:`taking` is the mirror
for ``me``: the relationships where ``me`` received more than it gave, most taken
first.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import attrs

from ledger import Ledger
from ledger.facts.kinds import CONVERSATION, GIVING, Kind
from ledger.insights._common import TimeLike, micros, moment, resolve_me

__all__ = ["Balance", "GiverRow", "givers", "taking"]


@attrs.frozen
class GiverRow:
    person: str
    given: float
    received: float
    net: float
    help_given: int
    answers_given: int
    help_received: int
    answers_received: int


@attrs.frozen
class Balance:
    """What ``me`` and ``other`` gave each other (decayed)."""

    other: str
    given_by_me: float
    given_to_me: float
    net: float


@attrs.frozen
class _Flow:
    giver: str
    taker: str
    value: float
    help: bool


def _flows(book: Ledger, end: datetime, me: str | None = None) -> list[_Flow]:
    """Every flow up to ``end``; with ``me``, only those between me and someone (read
    from my pairs alone, not the whole log)."""
    kinds = GIVING | CONVERSATION
    if me is None:
        found = book.all_pair_facts(end, kinds=sorted(kinds))
    else:
        found = [
            (me, other, fact)
            for other, facts in book.pair_facts(me, end).items()
            for fact in facts
            if Kind(fact.kind) in kinds
        ]
    values = book.decay_model.weigh([fact for _, _, fact in found], micros(end)).tolist()
    flows: list[_Flow] = []
    last_sender: dict[tuple[str, str], int] = {}
    for (a, b, fact), value in zip(found, values, strict=True):
        if fact.role != "direct":  # introduced by a third person, or co-present: nobody gave
            continue
        talk = Kind(fact.kind) in CONVERSATION
        if fact.giver != 0:
            flows.append(_flow(a, b, fact.giver, value, True))
        elif talk and last_sender.get((a, b), 0) == -fact.direction:
            flows.append(_flow(a, b, fact.direction, value, False))
        if talk:
            last_sender[(a, b)] = fact.direction
    return flows


def _flow(a: str, b: str, sign: int, value: float, is_help: bool) -> _Flow:
    return _Flow(a, b, value, is_help) if sign > 0 else _Flow(b, a, value, is_help)


def givers(
    book: Ledger, as_of: TimeLike = None, me: str | None = None, *, limit: int | None = None
) -> list[GiverRow]:
    """People by what they give (decayed), most first; with ``me``, only their flows with
    ``me``, and ``me`` left out."""
    end = moment(as_of)
    who = None if me is None else resolve_me(book, me)
    given: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0, 0, 0, 0])
    for flow in _flows(book, end, who):
        if who is not None and who not in (flow.giver, flow.taker):
            continue
        out, inn = given[flow.giver], given[flow.taker]
        out[0] += flow.value
        inn[1] += flow.value
        out[2 if flow.help else 3] += 1
        inn[4 if flow.help else 5] += 1
    rows = [
        GiverRow(person, v[0], v[1], v[0] - v[1], int(v[2]), int(v[3]), int(v[4]), int(v[5]))
        for person, v in given.items()
        if person != who
    ]
    rows.sort(key=lambda r: (-r.given, -r.net, r.person))
    return rows if limit is None else rows[:limit]


def taking(book: Ledger, me: str | None = None, as_of: TimeLike = None) -> list[Balance]:
    """The relationships where ``me`` received more than it gave, most taken first."""
    who = resolve_me(book, me)
    by_other: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for flow in _flows(book, moment(as_of), who):
        if flow.giver == who:
            by_other[flow.taker][0] += flow.value
        elif flow.taker == who:
            by_other[flow.giver][1] += flow.value
    found = [
        Balance(other, mine, theirs, mine - theirs)
        for other, (mine, theirs) in by_other.items()
        if theirs > mine
    ]
    found.sort(key=lambda b: (b.net, b.other))
    return found
