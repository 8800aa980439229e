"""Question 5: "Who adds the most value?" What people give against what they ask.

Giving, per touch (each decayed like strength: ``weight × 2^(−age/half-life)``, with
the ledger's decay weights and half-life, so recent help counts most):

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

import attrs

from ledger.api import Ledger
from ledger.facts.kinds import CONVERSATION, GIVING
from ledger.insights._common import TimeLike, micros, moment, resolve_me
from ledger.projections.decay import Decay

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


def _flows(book: Ledger, t: int) -> list[_Flow]:
    model: Decay = book.decay_model
    kinds = sorted(GIVING | CONVERSATION)
    flows: list[_Flow] = []
    last_sender: dict[tuple[str, str], int] = {}
    for a, b, step in book.all_steps(t, kinds):
        value = model.weights[step.kind] * model.factor(t - step.t)
        if step.giver != 0:
            flows.append(_flow(a, b, step.giver, value, True))
        elif step.kind in CONVERSATION and step.direction != 0:
            before = last_sender.get((a, b), 0)
            if before == -step.direction:
                flows.append(_flow(a, b, step.direction, value, False))
        if step.kind in CONVERSATION and step.direction != 0:
            last_sender[(a, b)] = step.direction
    return flows


def _flow(a: str, b: str, sign: int, value: float, is_help: bool) -> _Flow:
    return _Flow(a, b, value, is_help) if sign > 0 else _Flow(b, a, value, is_help)


def givers(
    book: Ledger, as_of: TimeLike = None, me: str | None = None, *, limit: int | None = None
) -> list[GiverRow]:
    """People by what they give (decayed), most first; with ``me``, only their flows with
    ``me``, and ``me`` left out."""
    t = micros(moment(as_of))
    who = None if me is None else resolve_me(book, me)
    given: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0, 0, 0, 0])
    for flow in _flows(book, t):
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
    t = micros(moment(as_of))
    by_other: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for flow in _flows(book, t):
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
