"""Question 6: "Was that a cold invitation?"

Every connection request ``me`` sent or received up to ``as_of`` is classed:

* **cold** when the two had no touchpoint before it (nothing but connection
  bookkeeping; an introduction by a third person, or a meeting both attended, makes
  it warm), else **warm**;
* **personalized** when a note came with it (``personalized`` on the touchpoint: the
  LinkedIn importer sets it when the invitation carried a message);
* **accepted** when a ``connection_accepted`` between the two followed it (at or after
  the request, up to ``as_of``).

:func:`invitations` gives the counts and acceptance rate per (direction, cold or warm,
personalized or not), the cold share of sent and received requests, and the people
whose only contact with ``me`` was a bare request: every touch between them is
connection bookkeeping, and no request carried a note.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import attrs

from ledger import Ledger, PairFact
from ledger.facts.kinds import Family, Kind
from ledger.insights._common import TimeLike, moment, resolve_me

__all__ = ["InvitationGroup", "Invitations", "invitations"]


@attrs.frozen
class InvitationGroup:
    direction: str
    warmth: str
    personalized: bool
    requests: int
    accepted: int
    acceptance_rate: float | None


@attrs.frozen
class Invitations:
    me: str
    as_of: datetime
    sent: int
    received: int
    cold_share_sent: float | None
    cold_share_received: float | None
    personalized_share_sent: float | None
    groups: tuple[InvitationGroup, ...]
    bare_only: tuple[str, ...]


@attrs.frozen
class _Request:
    direction: str
    cold: bool
    personalized: bool
    accepted: bool


def _bookkeeping(fact: PairFact) -> bool:
    return Kind(fact.kind).family is Family.CONNECTION


def _requests(facts: Sequence[PairFact]) -> list[_Request]:
    found = []
    for index, fact in enumerate(facts):
        if fact.kind != Kind.CONNECTION_REQUESTED or fact.direction == 0:
            continue
        cold = all(_bookkeeping(before) for before in facts[:index])
        accepted = any(f.kind == Kind.CONNECTION_ACCEPTED for f in facts[index + 1 :])
        direction = "sent" if fact.direction > 0 else "received"
        found.append(_Request(direction, cold, fact.personalized, accepted))
    return found


def _bare(facts: Sequence[PairFact]) -> bool:
    requests = [f for f in facts if f.kind == Kind.CONNECTION_REQUESTED]
    only_bookkeeping = all(_bookkeeping(f) for f in facts)
    return bool(requests) and only_bookkeeping and not any(f.personalized for f in requests)


def invitations(book: Ledger, me: str | None = None, as_of: TimeLike = None) -> Invitations:
    """Cold and warm, personalized and bare connection requests of ``me``, and their
    acceptance rates (see the module docs)."""
    me = resolve_me(book, me)
    end = moment(as_of)
    requests: list[_Request] = []
    bare: list[str] = []
    for other, facts in sorted(book.pair_facts(me, end).items()):
        requests.extend(_requests(facts))
        if _bare(facts):
            bare.append(other)
    groups = _groups(requests)
    sent = [r for r in requests if r.direction == "sent"]
    received = [r for r in requests if r.direction == "received"]
    return Invitations(
        me=me,
        as_of=end,
        sent=len(sent),
        received=len(received),
        cold_share_sent=_share(sent, lambda r: r.cold),
        cold_share_received=_share(received, lambda r: r.cold),
        personalized_share_sent=_share(sent, lambda r: r.personalized),
        groups=groups,
        bare_only=tuple(bare),
    )


def _groups(requests: Sequence[_Request]) -> tuple[InvitationGroup, ...]:
    groups = []
    for direction in ("sent", "received"):
        for cold in (True, False):
            for personal in (False, True):
                chosen = [
                    r
                    for r in requests
                    if (r.direction, r.cold, r.personalized) == (direction, cold, personal)
                ]
                if chosen:
                    accepted = sum(r.accepted for r in chosen)
                    warmth = "cold" if cold else "warm"
                    rate = accepted / len(chosen)
                    groups.append(
                        InvitationGroup(direction, warmth, personal, len(chosen), accepted, rate)
                    )
    return tuple(groups)


def _share(items: Sequence[_Request], test: Callable[[_Request], bool]) -> float | None:
    return sum(bool(test(item)) for item in items) / len(items) if items else None
