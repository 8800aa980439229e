"""How a unit of work writes its facts down: a person's card, what a touchpoint's fact
id is derived from, the columns of one ``Touches.Recorded`` event, and the checks on
the people a chunk of touches names. Pure functions of their arguments: the
transaction logic is :mod:`ledger.store.recording`'s."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from ledger.errors import InvalidInputError, SelfTouchpointError, UnknownPersonError
from ledger.facts.events import Touches
from ledger.facts.time import to_micros
from ledger.facts.values import Touch
from ledger.store import seal

__all__ = [
    "card_of",
    "flags_of",
    "one_person_once",
    "reason_key",
    "touch_columns",
    "touch_parts",
    "unknown_person",
]


def card_of(
    key: str, name: str, attributes: dict[str, Any], identifiers: Sequence[tuple[str, str]] = ()
) -> bytes:
    """A person's card as sealed: their key, name, identifiers and first attributes."""
    pairs = [list(p) for p in identifiers] or [["key", key]]
    return orjson.dumps({"key": key, "name": name, "identifiers": pairs, "attributes": attributes})


def touch_parts(touch: Touch, ref: str, people: Sequence[str]) -> list[str]:
    """What a touchpoint's fact id is derived from (``people``: its person ids)."""
    return [
        "touch",
        touch.source,
        ref,
        touch.kind.value,
        str(to_micros(touch.occurred_at)),
        *people,
        "" if touch.duration_seconds is None else str(touch.duration_seconds),
        str(flags_of(touch)),
    ]


def reason_key(keys: list[bytes], what: str, about: Sequence[str]) -> bytes:
    """The key a free-text reason is sealed under: the keys of everyone it concerns, so
    that it goes when any of them is forgotten (as a note does)."""
    return seal.note_key(keys, f"{what}:{','.join(about)}")


def flags_of(touch: Touch) -> int:
    """A touchpoint's flags as stored (personalised, who gave, symmetric)."""
    flags = Touches.PERSONALIZED if touch.personalized else 0
    if touch.giver == "counterparts":
        flags |= Touches.COUNTERPARTS_GAVE
    if touch.symmetric:
        flags |= Touches.SYMMETRIC
    return flags


def touch_columns(
    touches: list[Touch],
    ids: list[str],
    people: dict[str, str],
    key_of: Callable[[str], bytes],
) -> dict[str, Any]:
    """The columns of one ``Touches.Recorded`` event holding ``touches`` (fact ids
    ``ids``; ``people``: key -> person id); each note is sealed under the keys
    (``key_of``) of everyone it concerns."""
    index: dict[str, int] = {}
    sources: dict[str, int] = {}
    kinds: dict[str, int] = {}
    who: list[int] = []
    notes: list[list[Any]] = []
    for row, touch in enumerate(touches):
        members = [people[key] for key in touch.people]
        who.extend(index.setdefault(person, len(index)) for person in members)
        if touch.note is not None:
            key = seal.note_key([key_of(p) for p in members], ids[row])
            notes.append([row, seal.seal(key, touch.note.encode(), bytes.fromhex(ids[row]))])
    columns = {
        "people": list(index),
        "kinds": [],
        "sources": [],
        "ids": "".join(ids),
        "t": [to_micros(touch.occurred_at) for touch in touches],
        "kind": [kinds.setdefault(touch.kind.value, len(kinds)) for touch in touches],
        "source": [sources.setdefault(touch.source, len(sources)) for touch in touches],
        "size": [len(touch.counterparts) + 1 for touch in touches],
        "who": who,
        "flags": [flags_of(touch) for touch in touches],
        "duration": [touch.duration_seconds for touch in touches],
        "notes": notes,
    }
    columns["kinds"], columns["sources"] = list(kinds), list(sources)
    return columns


def one_person_once(touch: Touch, people: dict[str, str]) -> None:
    """Refuse a touchpoint two of whose keys name one person (``ann`` and her e-mail
    address): it would be a touch of someone with themselves."""
    seen: dict[str, str] = {}
    for key in touch.people:
        other = seen.setdefault(people[key], key)
        if other != key:
            raise SelfTouchpointError(
                "counterparts", key, f"the same person as {other!r}: name each person once"
            )


def unknown_person(touches: Sequence[Touch], missing: set[str]) -> UnknownPersonError:
    """The error for the first of ``missing`` that ``touches`` name, in their order."""
    for touch in touches:
        if touch.initiator in missing:
            return UnknownPersonError("initiator", touch.initiator)
        for key in touch.counterparts:
            if key in missing:
                return UnknownPersonError("counterparts", key)
    raise InvalidInputError("touches", sorted(missing), "unreachable: a missing key has a touch")
