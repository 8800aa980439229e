"""Likely duplicates: two people in the ledger who are one human, with the evidence.

Read through the public API only (:meth:`Ledger.cards`, :meth:`Ledger.all_pair_facts`).

**Evidence for** (each pair's score is in [0, 1]):

* an identifier on both cards (an e-mail address, phone, profile URL or handle: the
  index gives it to the first who claimed it, the other's card still lists it): certain,
  score 1;
* names alike: ``nameparser`` splits them (``Doe, Jane`` is ``Jane Doe``; titles and
  suffixes dropped; a name that is an address is read from its local part,
  ``jane.doe@x.org`` as ``jane doe``), ``rapidfuzz`` compares them; an initial agrees
  with a first name (``J. Doe`` and ``Jane Doe``);
* the same organisation;
* shared counterparts (the Jaccard overlap of the people each was in touch with);
* co-occurrence: both took part in the same group touchpoints (a message to both, a
  meeting both were invited to: 3 to 25 people) without ever being in touch with each
  other (one address of a human copied beside another).

**Disqualifiers** (the pair is not suggested, whatever else): the two were in touch
with each other (one wrote to the other, a third introduced them, or a touch of the two
alone: two people; attending one meeting is co-occurrence, not that); a *generic mailbox*
(``info@``, ``support@``, ``sales@`` ...) or an identifier on cards whose names are
unrelated (a shared family or office address), which says nothing about who is whom;
two different first names with the same surname (``Clint Dean`` and ``Craig Dean``).

Pairs are proposed within blocks (people sharing an identifier, or a surname), so the
cost grows with the people, not their square. :func:`apply` merges the pairs at or
above a score, as facts, in one unit of work.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations

import attrs

from ledger import PersonView
from ledger.api import Ledger
from ledger.insights._common import TimeLike

__all__ = ["DEFAULT_MIN_SCORE", "Duplicate", "apply", "duplicates", "name_parts"]

DEFAULT_MIN_SCORE = 0.7
"""The score from which a pair is suggested by default (see docs/identity.md for the
precision and recall measured at it)."""
GENERIC = frozenset(
    {
        "info", "contact", "contacts", "hello", "hi", "office", "admin", "administrator",
        "support", "help", "helpdesk", "sales", "team", "service", "services", "billing",
        "accounts", "accounting", "hr", "jobs", "careers", "press", "media", "marketing",
        "enquiries", "inquiries", "mail", "email", "webmaster", "postmaster", "noreply",
        "no-reply", "donotreply", "newsletter", "news", "family", "home", "reception",
        "orders", "bookings", "feedback", "legal", "privacy", "security", "abuse", "all",
    }
)  # fmt: skip
_BLOCK_LIMIT = 300
"""A surname shared by more people than this is compared within first initials."""
_SPLIT = re.compile(r"[._\-+]+")
_OVERLAP = 0.25
"""A counterpart overlap (Jaccard) from which shared counterparts count in full."""
_TOGETHER = 3
"""Group touchpoints in common from which co-occurrence counts in full."""
_GROUP = 25
"""A touchpoint of more people than this says nothing about any two of them."""


@attrs.frozen
class Duplicate:
    """Two people likely one human: ``score`` in [0, 1], ``evidence`` for it, ``certain``
    when an identifier is on both cards."""

    a: str
    b: str
    score: float
    evidence: tuple[str, ...]
    certain: bool = False


@attrs.frozen
class _Name:
    first: str
    last: str
    whole: str


def name_parts(text: str) -> tuple[str, str]:
    """``(first, last)`` of a display name, lower-case, accents folded: ``Doe, Jane``,
    ``Dr. Jane Doe`` and ``jane.doe@x.org`` are all ``("jane", "doe")``."""
    parsed = _name(text)
    return parsed.first, parsed.last


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def _name(text: str) -> _Name:
    from nameparser import HumanName  # noqa: PLC0415 - slow to import

    text = text.strip()
    if "@" in text:  # an address as a name: its local part
        local = text.split("@", 1)[0]
        words = [w for w in _SPLIT.split(local) if w]
        text = " ".join(words)
    parsed = HumanName(text)
    first = _fold(parsed.first or "").strip(".")
    last = _fold(parsed.last or "").strip(".")
    if not last and first:
        first, last = "", first
    whole = " ".join(p for p in (first, _fold(parsed.middle or ""), last) if p)
    return _Name(first, last, whole)


def duplicates(
    book: Ledger,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    as_of: TimeLike = None,
    limit: int | None = None,
) -> list[Duplicate]:
    """Likely duplicates scoring at least ``min_score``, best first."""
    cards = book.cards(as_of)
    contacts = _contacts(book, as_of)
    names = {card.key: _name(card.name or card.key) for card in cards}
    by_key = {card.key: card for card in cards}
    found: list[Duplicate] = []
    for a, b, shared in _candidates(cards, names):
        scored = _score(by_key[a], by_key[b], names, contacts, shared)
        if scored is not None and scored.score >= min_score:
            found.append(scored)
    found.sort(key=lambda d: (-d.score, d.a, d.b))
    return found[:limit] if limit is not None else found


@attrs.frozen
class _Contacts:
    """Who was with whom, from the touches up to the time asked about."""

    neighbours: dict[str, set[str]]
    """Everyone each person shares a touch with (the counterparts)."""
    direct: set[tuple[str, str]]
    """Pairs ``a < b`` in touch with each other: one reached out to the other, a third
    introduced them, or a touch of the two alone."""
    groups: dict[str, set[str]]
    """The group touchpoints (3 to ``_GROUP`` people) each person took part in."""


def _contacts(book: Ledger, as_of: TimeLike) -> _Contacts:
    neighbours: dict[str, set[str]] = defaultdict(set)
    members: dict[str, set[str]] = defaultdict(set)
    direct: set[tuple[str, str]] = set()
    beside: dict[tuple[str, str], set[str]] = defaultdict(set)  # co-participants only
    for a, b, fact in book.all_pair_facts(as_of):
        pair = (a, b) if a < b else (b, a)
        neighbours[a].add(b)
        neighbours[b].add(a)
        if fact.touchpoint_id:
            members[fact.touchpoint_id].update(pair)
        if fact.role == "co" and fact.touchpoint_id:
            beside[pair].add(fact.touchpoint_id)
        else:
            direct.add(pair)
    for pair, touches in beside.items():
        if any(len(members[touch]) == 2 for touch in touches):
            direct.add(pair)  # something the two of them alone took part in
    groups: dict[str, set[str]] = defaultdict(set)
    for touch, people in members.items():
        if 2 < len(people) <= _GROUP:
            for person in people:
                groups[person].add(touch)
    return _Contacts(dict(neighbours), direct, dict(groups))


def _candidates(
    cards: Sequence[PersonView], names: dict[str, _Name]
) -> Iterable[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """Pairs worth scoring (``a < b``), with the identifiers on both cards."""
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    for card in cards:
        for kind, value in card.identifiers:
            if kind != "key":
                holders[(kind, value)].append(card.key)
    shared: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for identifier, keys in holders.items():
        for a, b in combinations(sorted(set(keys)), 2):
            shared[(a, b)].append(identifier)
    blocks: dict[str, list[str]] = defaultdict(list)
    for key, parsed in names.items():
        if parsed.last and len(parsed.last) > 1:
            blocks[parsed.last].append(key)
    pairs: set[tuple[str, str]] = set(shared)
    for keys in blocks.values():
        groups = [keys]
        if len(keys) > _BLOCK_LIMIT:
            by_initial: dict[str, list[str]] = defaultdict(list)
            for key in keys:
                by_initial[names[key].first[:1]].append(key)
            groups = list(by_initial.values())
        for group in groups:
            pairs.update(combinations(sorted(group), 2))
    for a, b in sorted(pairs):
        yield a, b, tuple(shared.get((a, b), ()))


def _name_score(x: _Name, y: _Name) -> tuple[float, str | None]:  # noqa: PLR0911
    """How alike two names are (0 when nothing says so), and why they cannot be one
    human (two different first names)."""
    from rapidfuzz import fuzz  # noqa: PLC0415

    if not x.last or not y.last:
        return 0.0, None
    last = fuzz.ratio(x.last, y.last) / 100  # a surname spelt two ways
    if last < 0.9:
        return 0.0, None
    if not x.first or not y.first:
        return 0.5 * last, None  # a surname alone
    if x.first == y.first:
        return last, None
    if len(x.first) == 1 or len(y.first) == 1:  # an initial: a first or a middle one
        return (0.7 if x.first[0] == y.first[0] else 0.55) * last, None
    short, long = sorted((x.first, y.first), key=len)
    if len(short) >= 3 and (long.startswith(short) or long.endswith(short)):
        return 0.9 * last, None  # Rob and Robert, Bert and Albert
    return 0.0, "different first names"


def _score(
    a: PersonView,
    b: PersonView,
    names: dict[str, _Name],
    contacts: _Contacts,
    shared: tuple[tuple[str, str], ...],
) -> Duplicate | None:
    if (a.key, b.key) in contacts.direct:
        return None  # they were in touch with each other: two people
    name, against = _name_score(names[a.key], names[b.key])
    evidence: list[str] = []
    telling = [i for i in shared if not _generic(i)]
    if shared and not telling:
        return None  # only a generic mailbox in common
    if telling and name < 0.5 and _named(a) and _named(b):
        return None  # one address on the cards of people with unrelated names
    if telling:
        evidence.extend(f"same {kind} {value}" for kind, value in telling)
        if name:
            evidence.append(f"names alike ({name:.2f})")
        return Duplicate(a.key, b.key, 1.0, tuple(evidence), certain=True)
    if against is not None or name <= 0:
        return None
    evidence.append(f"names alike ({name:.2f}: {names[a.key].whole} / {names[b.key].whole})")
    score = 0.6 * name
    org_a, org_b = a.get("org"), b.get("org")
    if org_a and org_b and _fold(str(org_a)) == _fold(str(org_b)):
        score += 0.05
        evidence.append(f"same organisation {org_a}")
    score += _together(a.key, b.key, contacts, evidence)
    return Duplicate(a.key, b.key, round(min(score, 0.99), 4), tuple(evidence))


def _together(a: str, b: str, contacts: _Contacts, evidence: list[str]) -> float:
    """What the touches add to a pair never in touch with each other: counterparts in
    common, and group touchpoints both took part in."""
    score = 0.0
    mine = contacts.neighbours.get(a, set()) - {b}
    theirs = contacts.neighbours.get(b, set()) - {a}
    if mine and theirs:
        overlap = len(mine & theirs) / len(mine | theirs)
        if overlap > 0:
            score += 0.4 * min(1.0, overlap / _OVERLAP)
            evidence.append(f"{len(mine & theirs)} counterparts in common ({overlap:.0%})")
    both = contacts.groups.get(a, set()) & contacts.groups.get(b, set())
    if both:
        score += 0.25 * min(1.0, len(both) / _TOGETHER)
        evidence.append(
            f"{len(both)} group touchpoints together (same thread or meeting),"
            " never in touch with each other"
        )
    return score


def _generic(identifier: tuple[str, str]) -> bool:
    kind, value = identifier
    if kind != "email":
        return False
    local = value.split("@", 1)[0]
    return local in GENERIC or _SPLIT.split(local)[0] in GENERIC


def _named(card: PersonView) -> bool:
    """Whether the card has a name of its own (not just its key or an address)."""
    return bool(card.name) and card.name != card.key and "@" not in card.name


def apply(book: Ledger, found: Sequence[Duplicate], *, reason: str | None = None) -> int:
    """Merge every pair of ``found`` (the second into the first), as facts, in one unit
    of work; how many merges were recorded (a pair already one through an earlier merge
    of the list is left out)."""
    groups: dict[str, str] = {}

    def root(key: str) -> str:
        while key in groups:
            key = groups[key]
        return key

    merged = 0
    with book.batch() as unit:
        for pair in found:
            into, other = root(pair.a), root(pair.b)
            if into == other:
                continue
            why = (
                reason
                or f"ledger person duplicates: score {pair.score:.2f} ({'; '.join(pair.evidence)})"
            )
            unit.merge(into, other, why)
            groups[other] = into
            merged += 1
    return merged
