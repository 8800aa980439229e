"""The one way an importer writes: people, attribute changes, touchpoints and the owner.

Every importer hands :func:`write` everything an import stores and gets back what was
stored. Nothing else in ``ledger.sources`` writes to a ledger, so that making imports
atomic is a change to this module alone.

Everything goes into ONE unit of work (``book.batch()``): all of it is stored, or, on
any error (one raised by the lazy iterable of touches being read from the file
included), none of it. In order:

1. people not yet known are registered with their names, identifiers and all-time
   attributes; people known already are given the identifiers new to their cards (read
   before the unit of work: a re-import gives none);
2. every touchpoint, idempotent by source, reference and content; ``touches`` may be
   lazy, and is consumed once;
3. attribute changes, each only if its values are not already in force at its date
   (compared after the clean-text rule, as the ledger stores them), so a re-import
   writes nothing; the comparisons are all read before the unit of work begins;
4. the owner, if the ledger has none yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ledger.api import Ledger
from ledger.errors import UnknownPersonError
from ledger.facts.text import clean_name
from ledger.facts.values import Touch, clean_attributes
from ledger.sources._rows import Progress

__all__ = ["Change", "Person", "Written", "write"]


@attrs.frozen
class Person:
    """Someone to register; when the key (or one of the identifiers) names someone
    already, only the identifiers new to their card are given to them.

    ``identifiers``: ``(kind, value)`` pairs, normalised (:mod:`ledger.facts.identifiers`):
    how other sources name them (an address book's e-mails and phones, a mail address).
    """

    key: str
    name: str | None = None
    attributes: Mapping[str, Any] = attrs.field(factory=dict)
    identifiers: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class Change:
    """Attributes that take new values from ``since`` on."""

    key: str
    since: datetime
    attributes: Mapping[str, str]


@attrs.frozen
class Written:
    """What :func:`write` stored."""

    added: int
    ignored: int
    people_added: int
    attributes_added: int
    attributes_ignored: int
    owner_set: bool


def write(
    book: Ledger,
    touches: Iterable[Touch],
    *,
    people: Sequence[Person] = (),
    changes: Sequence[Change] = (),
    owner: str | None = None,
    progress: Progress | None = None,
    allow_forgotten: bool = False,
) -> Written:
    """Store an import: ``people``, ``touches``, ``changes``, then ``owner`` (who is
    registered with the people when neither they nor the touches name them).
    ``allow_forgotten`` records people who were forgotten again (otherwise
    :class:`ledger.errors.ForgottenPersonError`, and nothing is stored)."""
    # Reading catches the views up: only done when there is something to compare.
    known = set(book.people()) if people or changes or owner is not None else set()
    fresh = _fresh_changes(book, changes, known, people)
    extra, named = _new_identifiers(book, people)
    if owner is not None and all(p.key != owner for p in people):
        people = [*people, Person(owner)]
    total = len(touches) if isinstance(touches, Sequence) else None
    # Read before the unit of work: reading catches the views up, a write of its own.
    owner_set = owner is not None and book.owner is None
    with book.batch(create_people=True, keep_ids=False, allow_forgotten=allow_forgotten) as unit:
        _register(unit, people, known | named, extra)
        if progress is not None and total is not None:
            progress("write", 0, total)
        unit.record_many(touches)
        if progress is not None and total is not None:
            progress("write", total, total)
        for change in fresh:
            unit.update_person(change.key, since=change.since, **change.attributes)
        if owner is not None and owner_set:
            unit.set_owner(owner)
    summary = unit.summary
    assert summary is not None
    return Written(
        added=summary.added,
        ignored=summary.ignored,
        people_added=summary.people_added,
        attributes_added=summary.attributes_added,
        attributes_ignored=len(changes) - len(fresh) + summary.attributes_ignored,
        owner_set=owner_set,
    )


def _register(
    unit: Any, people: Sequence[Person], known: set[str], extra: dict[str, list[tuple[str, str]]]
) -> None:
    """Register the people not known yet (with their identifiers), and give those known
    by key or by an identifier the identifiers not on their cards yet."""
    for person in people:
        if person.key in known:
            continue
        pairs = list(person.identifiers)
        if not unit.add_person(person.key, person.name, identifiers=pairs, **person.attributes):
            extra.setdefault(person.key, []).extend(_other_pairs(person))
        known.add(person.key)
    for key, pairs in extra.items():
        if pairs:
            unit.identify(key, list(dict.fromkeys(pairs)))


def _other_pairs(person: Person) -> list[tuple[str, str]]:
    """The person's identifiers, less the one their key is (found by it anyway): only
    people with others are looked up before the unit of work."""
    return [p for p in person.identifiers if p[1] != person.key]


def _new_identifiers(
    book: Ledger, people: Sequence[Person]
) -> tuple[dict[str, list[tuple[str, str]]], set[str]]:
    """The identifiers not on their cards yet of the people already known (by key or by
    an identifier), and the keys found so; only people with identifiers are looked up."""
    found: dict[str, list[tuple[str, str]]] = {}
    named: set[str] = set()
    for person in people:
        pairs = _other_pairs(person)
        if not pairs:
            continue
        try:
            listed = set(book.person(person.key).identifiers)
        except UnknownPersonError:
            continue
        named.add(person.key)
        new = [p for p in pairs if p not in listed]
        if new:
            found[person.key] = new
    return found, named


def _fresh_changes(
    book: Ledger, changes: Sequence[Change], known: set[str], people: Sequence[Person]
) -> list[Change]:
    """The changes whose values are not in force at their dates, each trimmed to the
    attributes that change. Changes earlier in ``changes`` (by date) count as in force
    for later ones, and so do the all-time attributes of the people registered here."""
    pending: dict[str, dict[str, Any]] = {
        p.key: clean_attributes(dict(p.attributes)) for p in people if p.key not in known
    }
    fresh: list[Change] = []
    for change in sorted(changes, key=lambda c: (c.since, c.key)):
        wanted = clean_attributes(dict(change.attributes))
        current = {**_in_force(book, change, known), **pending.get(change.key, {})}
        new = {field: value for field, value in wanted.items() if current.get(field) != value}
        if new:
            pending.setdefault(change.key, {}).update(new)
            fresh.append(Change(change.key, change.since, new))
    return fresh


def _in_force(book: Ledger, change: Change, known: set[str]) -> dict[str, Any]:
    if change.key not in known:
        return {}
    try:
        view = book.person(change.key, as_of=change.since)
    except UnknownPersonError:
        return {}
    return {**view.attributes, "name": clean_name(view.name)}
