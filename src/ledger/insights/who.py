"""Question 7: "I'm going to Chicago: who's there?" and "Who knows about X?"

:func:`who` finds the people whose attributes *as of* ``as_of`` match (attributes
change over time: someone who moved away last year is not there any more):

* ``lives_in``: the place is part of their ``location`` (case-insensitive);
* ``knows``: the topic is part of one of their ``tags``, their ``title`` or their
  ``org`` (case-insensitive).

Both given: both must match. Ranked by the strength of their relationship with ``me``
at ``as_of``, then its depth; people ``me`` has no relationship with come last.
"""

from __future__ import annotations

from typing import Any

import attrs

from ledger import Ledger
from ledger.errors import InvalidInputError
from ledger.insights._common import TimeLike, moment, resolve_me

__all__ = ["WhoRow", "who"]


@attrs.frozen
class WhoRow:
    person: str
    name: str
    location: str | None
    org: str | None
    title: str | None
    tags: tuple[str, ...]
    strength: float
    depth: str | None


def _matches(values: dict[str, Any], lives_in: str | None, knows: str | None) -> bool:
    if lives_in is not None and lives_in not in str(values.get("location", "")).casefold():
        return False
    if knows is None:
        return True
    fields = [str(tag) for tag in values.get("tags") or ()]
    fields += [str(values.get("title", "")), str(values.get("org", ""))]
    return any(knows in field.casefold() for field in fields)


def who(
    book: Ledger,
    me: str | None = None,
    as_of: TimeLike = None,
    *,
    lives_in: str | None = None,
    knows: str | None = None,
    limit: int | None = None,
) -> list[WhoRow]:
    """People living in ``lives_in`` and/or knowing about ``knows`` at ``as_of``,
    closest to ``me`` first."""
    place = (lives_in or "").strip().casefold() or None
    topic = (knows or "").strip().casefold() or None
    if place is None and topic is None:
        raise InvalidInputError("lives_in/knows", (lives_in, knows), "give a place or a topic")
    me = resolve_me(book, me)
    end = moment(as_of)
    views = {view.other(me): view for view in book.relationships(me, end)}
    rows = []
    for key, values in book.attributes_at(end).items():
        if key == me or not _matches(values, place, topic):
            continue
        view = views.get(key)
        rows.append(
            WhoRow(
                person=key,
                name=str(values.get("name", key)),
                location=values.get("location"),
                org=values.get("org"),
                title=values.get("title"),
                tags=tuple(str(tag) for tag in values.get("tags") or ()),
                strength=0.0 if view is None else view.strength,
                depth=None if view is None else view.depth.level_name,
            )
        )
    rows.sort(key=lambda r: (r.depth is None, -r.strength, r.person))
    return rows if limit is None else rows[:limit]
