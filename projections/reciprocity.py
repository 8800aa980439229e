"""Reciprocity: does the relationship give and take both ways?

Only real exchanges count. Per pair (``a < b``), a side *opens* with a row when it
reached out directly (``role == DIRECT``) with

* the first touch of a conversation session (see :mod:`.decay`): who opened each
  conversation, not who sent each message, so a verbose side is not a giving one;
* a call, video call or meeting it initiated;
* help: a favor, introduction, referral or recommendation.

Connection bookkeeping (request, accept), reactions, shares and endorsements are facts
of their own but open nothing; touches nobody initiated (proximity, co-attendance) and
introductions by a third person count for neither side. ``a_to_b`` and ``b_to_a``
count the openings each way; ``balance = (a_to_b - b_to_a) / (a_to_b + b_to_a)`` lies
in [-1, 1]. Help is also counted by kind and by who gave it.

Across people, :func:`coefficient` is the reciprocity of Garlaschelli & Loffredo (2004):
with a directed link a→b wherever a opened at least once towards b,
``rho = (r - abar) / (1 - abar)``, r the share of links whose reverse link exists and
``abar = L / (N (N - 1))`` the density; rho > 0 means more reciprocity than chance.
:func:`person_coefficient` applies the same correction to one person's links.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np
from ledger.projections import (
    CONVERSATION_CODES,
    DIRECT,
    GIVING_CODES,
    KIND_CODE,
    LIVE_CODES,
    Rows,
)
from numpy.typing import NDArray

from ledger.facts.kinds import Kind

__all__ = [
    "GIVEN",
    "ReciprocityCounts",
    "coefficient",
    "counts",
    "fold",
    "person_coefficient",
]

GIVEN: dict[Kind, str] = {
    Kind.FAVOR: "favors",
    Kind.INTRODUCTION: "introductions",
    Kind.REFERRAL: "referrals",
    Kind.RECOMMENDATION: "recommendations",
}
"""The kinds of help counted, by the name of their counts."""


def fold(rows: Rows, session: NDArray[np.int64]) -> dict[str, Any]:
    """Each row's ``opens``: +1 when a opened with it, -1 when b did, 0 otherwise.
    ``session``: each row's place in its conversation session (from :func:`.decay.fold`)."""
    direct = (rows.role == DIRECT) & (rows.direction != 0)
    opening = (np.isin(rows.kind, CONVERSATION_CODES) & (session == 1)) | np.isin(
        rows.kind, LIVE_CODES
    )
    opening |= np.isin(rows.kind, GIVING_CODES)
    return {"opens": np.where(direct & opening, rows.direction, 0).astype(np.int8)}


@attrs.frozen
class ReciprocityCounts:
    """Per pair: openings each way and help given each way by kind (arrays)."""

    a_to_b: NDArray[np.int64]
    b_to_a: NDArray[np.int64]
    given: dict[str, tuple[NDArray[np.int64], NDArray[np.int64]]]


def counts(
    pair: NDArray[np.int64],
    kind: NDArray[np.int8],
    role: NDArray[np.int8],
    giver: NDArray[np.int8],
    opens: NDArray[np.int8],
    keep: NDArray[np.bool_],
    pairs: int,
) -> ReciprocityCounts:
    """The counts of each of ``pairs`` pairs over their rows where ``keep`` holds
    (the rows at or before the time asked about)."""

    def count(condition: NDArray[np.bool_]) -> NDArray[np.int64]:
        return np.bincount(pair[keep & condition], minlength=pairs).astype(np.int64)

    helped = role == DIRECT
    given = {
        name: (
            count(helped & (kind == KIND_CODE[k]) & (giver > 0)),
            count(helped & (kind == KIND_CODE[k]) & (giver < 0)),
        )
        for k, name in GIVEN.items()
    }
    return ReciprocityCounts(count(opens > 0), count(opens < 0), given)


def coefficient(links: Iterable[tuple[str, str, int, int]]) -> float | None:
    """Garlaschelli-Loffredo rho over pairs ``(a, b, a_to_b, b_to_a)``; None below two
    people or without a link."""
    people: set[str] = set()
    directed = mutual = 0
    for a, b, forth, back in links:
        people.update((a, b))
        directed += (forth > 0) + (back > 0)
        mutual += 2 * (forth > 0 and back > 0)
    return _rho(mutual, directed, len(people), directed)


def person_coefficient(person: str, links: Iterable[tuple[str, str, int, int]]) -> float | None:
    """rho for one person's links, corrected by the whole network's density."""
    people: set[str] = set()
    directed = 0
    own: Counter[str] = Counter()
    for a, b, forth, back in links:
        people.update((a, b))
        directed += (forth > 0) + (back > 0)
        if person in (a, b):
            count = (forth > 0) + (back > 0)
            own["links"] += count
            own["mutual"] += count if count == 2 else 0
    return _rho(own["mutual"], own["links"], len(people), directed)


def _rho(mutual: int, links: int, people: int, all_links: int) -> float | None:
    if people < 2 or links == 0:
        return None
    density = all_links / (people * (people - 1))
    if density >= 1.0:
        return None
    return (mutual / links - density) / (1.0 - density)
