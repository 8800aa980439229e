"""Question 6: "Was that a cold invitation?"

Every connection request ``me`` sent or received up to ``as_of`` is classed:

* **cold** when the two had no touchpoint before it (nothing but connection
  bookkeeping; an introduction by a third person makes it warm), else **warm**;
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

from ledger import Step
from ledger.api import Ledger
from ledger.facts.kinds import Family, Kind
from ledger.insights._common import TimeLike, micros, moment, resolve_me

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


def _requests(steps: Sequence[Step]) -> list[_Request]:
    found = []
    for index, step in enumerate(steps):
        if step.kind is not Kind.CONNECTION_REQUESTED or step.direction == 0:
            continue
        before = steps[:index]
        cold = not any(s.kind.family is not Family.CONNECTION for s in before)
        accepted = any(s.kind is Kind.CONNECTION_ACCEPTED for s in steps[index + 1 :])
        direction = "sent" if step.direction > 0 else "received"
        found.append(_Request(direction, cold, step.personalized, accepted))
    return found


def _bare(steps: Sequence[Step]) -> bool:
    requests = [s for s in steps if s.kind is Kind.CONNECTION_REQUESTED]
    only_bookkeeping = all(s.kind.family is Family.CONNECTION for s in steps)
    return bool(requests) and only_bookkeeping and not any(s.personalized for s in requests)


def invitations(book: Ledger, me: str | None = None, as_of: TimeLike = None) -> Invitations:
    """Cold and warm, personalized and bare connection requests of ``me``, and their
    acceptance rates (see the module docs)."""
    me = resolve_me(book, me)
    end = moment(as_of)
    requests: list[_Request] = []
    bare: list[str] = []
    for other, steps in sorted(book.steps_of(me, micros(end)).items()):
        requests.extend(_requests(steps))
        if _bare(steps):
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
