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
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ledger import Ledger
from ledger.facts.kinds import CONVERSATION, GIVING
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
class _Flows:
    """Every flow (a help or an answer) as columns: who gave, who took, its value now."""

    giver: NDArray[Any]
    taker: NDArray[Any]
    value: NDArray[np.float64]
    help: NDArray[np.bool_]

    def tuples(self) -> list[tuple[str, str, float, bool]]:
        """``(giver, taker, value, help)`` per flow."""
        columns = (self.giver, self.taker, self.value, self.help)
        return list(zip(*(c.tolist() for c in columns), strict=True))


def _flows(book: Ledger, end: datetime, me: str | None = None) -> _Flows:
    """Every flow up to ``end``; with ``me``, only those between me and someone (read
    from my pairs alone, not the whole log). Columns, not an object per touch: the
    whole ledger's conversations are read at once."""
    kinds = sorted(kind.value for kind in GIVING | CONVERSATION)
    table = book.fact_table(end, kinds=kinds, person=me)
    value = book.decay_model.weigh_table(table, micros(end))
    direct = table["role"] == "direct"  # introduced by a third person, or co-present: nobody gave
    table = {name: values[direct] for name, values in table.items()}
    value = value[direct]
    talk = np.isin(table["kind"], [kind.value for kind in CONVERSATION])
    helped = table["giver"] != 0
    # An answer is a conversation touch whose pair's previous conversation touch came
    # from the other side (none before counts as 0, so a first touch with no direction
    # is an "answer" to nothing: as the loop this replaces did).
    said = np.flatnonzero(talk)
    direction = table["direction"][said]
    a, b = table["a"][said], table["b"][said]
    before = np.zeros(len(said), dtype=np.int64)
    if len(said) > 1:  # the rows come pair by pair, in time order
        same = (a[1:] == a[:-1]) & (b[1:] == b[:-1])
        before[1:] = np.where(same, direction[:-1], 0)
    answered = np.zeros(len(talk), dtype=bool)
    answered[said] = before == -direction
    flowing = helped | (answered & ~helped)
    sign = np.where(helped, table["giver"], table["direction"])[flowing]
    a, b = table["a"][flowing], table["b"][flowing]
    return _Flows(
        giver=np.where(sign > 0, a, b),
        taker=np.where(sign > 0, b, a),
        value=value[flowing],
        help=helped[flowing],
    )


def givers(
    book: Ledger, as_of: TimeLike = None, me: str | None = None, *, limit: int | None = None
) -> list[GiverRow]:
    """People by what they give (decayed), most first; with ``me``, only their flows with
    ``me``, and ``me`` left out."""
    end = moment(as_of)
    who = None if me is None else resolve_me(book, me)
    flows = _flows(book, end, who)
    people, index = np.unique(np.concatenate([flows.giver, flows.taker]), return_inverse=True)
    out, inn = index[: len(flows.giver)], index[len(flows.giver) :]
    n = len(people)
    given = np.bincount(out, weights=flows.value, minlength=n)
    received = np.bincount(inn, weights=flows.value, minlength=n)
    counts = [
        np.bincount(side[mask], minlength=n)
        for side in (out, inn)
        for mask in (flows.help, ~flows.help)
    ]
    rows = [
        GiverRow(person, g, r, g - r, int(h_out), int(a_out), int(h_in), int(a_in))
        for person, g, r, h_out, a_out, h_in, a_in in zip(
            people.tolist(),
            given.tolist(),
            received.tolist(),
            *(c.tolist() for c in counts),
            strict=True,
        )
        if person != who
    ]
    rows.sort(key=lambda r: (-r.given, -r.net, r.person))
    return rows if limit is None else rows[:limit]


def taking(book: Ledger, me: str | None = None, as_of: TimeLike = None) -> list[Balance]:
    """The relationships where ``me`` received more than it gave, most taken first."""
    who = resolve_me(book, me)
    by_other: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    flows = _flows(book, moment(as_of), who)
    for giver, taker, value in zip(
        flows.giver.tolist(), flows.taker.tolist(), flows.value.tolist(), strict=True
    ):
        if giver == who:
            by_other[taker][0] += value
        elif taker == who:
            by_other[giver][1] += value
    found = [
        Balance(other, mine, theirs, mine - theirs)
        for other, (mine, theirs) in by_other.items()
        if theirs > mine
    ]
    found.sort(key=lambda b: (b.net, b.other))
    return found
