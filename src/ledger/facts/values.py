"""Inputs: what a caller hands the ledger, validated on construction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from ledger.errors import InvalidInputError, SelfTouchpointError
from ledger.facts.kinds import Kind, parse_kind
from ledger.facts.text import clean_key, clean_name, clean_text
from ledger.facts.time import parse_time

__all__ = [
    "ATTRIBUTES",
    "MAX_DURATION_SECONDS",
    "MAX_NOTE",
    "Touch",
    "check_key",
    "clean_attributes",
]

ATTRIBUTES = ("name", "org", "title", "location", "tags")
"""The attributes a person has; each changes over time."""

MAX_DURATION_SECONDS = 366 * 86_400
"""The longest touchpoint: a year (a duration is a whole number of seconds)."""
MAX_NOTE = 100_000
"""The longest note, in characters."""

_GIVERS = ("initiator", "counterparts")


def check_key(value: object, field: str) -> str:
    """A person key: clean text (see :mod:`ledger.facts.text`), not empty."""
    return clean_key(value, field)


def _initiator(value: object) -> str:
    return check_key(value, "initiator")


def _source(value: object) -> str:
    return check_key(value, "source")


def _source_ref(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return clean_key(value, "source_ref")


def _note(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputError("note", value, "a note must be text")
    if len(value) > MAX_NOTE:
        raise InvalidInputError("note", value, f"longer than {MAX_NOTE} characters")
    if "\x00" in value:
        raise InvalidInputError("note", value, "contains a NUL character")
    return value or None


def _duration(value: object) -> int | None:
    if value is None:
        return None
    if type(value) is not int or not 0 <= value <= MAX_DURATION_SECONDS:
        raise InvalidInputError(
            "duration_seconds",
            value,
            f"must be a whole number of seconds from 0 to {MAX_DURATION_SECONDS} (a year)",
        )
    return value


def _flag(value: object, field: str) -> bool:
    if type(value) is not bool:
        raise InvalidInputError(field, value, "must be True or False")
    return value


def _personalized(value: object) -> bool:
    return _flag(value, "personalized")


def _symmetric(value: object) -> bool:
    return _flag(value, "symmetric")


def _counterparts(value: object) -> tuple[str, ...]:
    if type(value) is tuple and len(value) == 1:  # the bulk of every import: one recipient
        return (check_key(value[0], "counterparts"),)
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Iterable):
        raise InvalidInputError("counterparts", value, "expected one person key or a list")
    keys = tuple(check_key(item, "counterparts") for item in items)
    if not keys:
        raise InvalidInputError("counterparts", value, "at least one counterpart is required")
    if len(set(keys)) != len(keys):
        raise InvalidInputError("counterparts", value, "a person is named twice")
    return keys


@attrs.frozen
class Touch:
    """One touchpoint to record.

    ``source`` and ``source_ref`` name where the fact comes from: recording the same
    fact (same source, reference and content) again is a no-op, while a corrected fact
    under the same reference is a new one. Without a ``source_ref`` every recording is
    a new fact. ``giver`` applies to favors: ``"initiator"`` (default: the initiator
    helped) or ``"counterparts"`` (the initiator asked and was helped).

    ``symmetric`` marks a touchpoint nobody initiated: everyone took part alike (two
    people near each other by a proximity sensor, the attendees of a meeting). It
    counts for neither side's initiative, and ``initiator`` is then only the first
    participant.
    """

    kind: Kind = attrs.field(converter=parse_kind)
    initiator: str = attrs.field(converter=_initiator)
    counterparts: tuple[str, ...] = attrs.field(converter=_counterparts)
    occurred_at: datetime = attrs.field(converter=parse_time)
    note: str | None = attrs.field(default=None, converter=_note)
    source: str = attrs.field(default="manual", converter=_source)
    source_ref: str | None = attrs.field(default=None, converter=_source_ref)
    personalized: bool = attrs.field(default=False, converter=_personalized)
    giver: str | None = None
    duration_seconds: int | None = attrs.field(default=None, converter=_duration)
    symmetric: bool = attrs.field(default=False, converter=_symmetric)

    def __attrs_post_init__(self) -> None:
        if self.initiator in self.counterparts:
            raise SelfTouchpointError(
                "counterparts", self.initiator, "a touchpoint needs two different people"
            )
        if self.kind is Kind.INTRODUCTION and len(self.counterparts) != 2:
            raise InvalidInputError(
                "counterparts", self.counterparts, "an introduction introduces exactly two people"
            )
        if self.giver is not None and (self.kind is not Kind.FAVOR or self.giver not in _GIVERS):
            raise InvalidInputError(
                "giver", self.giver, "only favors take a giver: 'initiator' or 'counterparts'"
            )
        if self.symmetric and self.kind is Kind.INTRODUCTION:
            raise InvalidInputError("symmetric", True, "an introduction is made by someone")

    @property
    def people(self) -> tuple[str, ...]:
        return (self.initiator, *self.counterparts)


def clean_attributes(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate attribute changes: known names, text values, tags as a sorted list."""
    cleaned: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in ATTRIBUTES:
            raise InvalidInputError(
                field, value, f"unknown attribute; known: {', '.join(ATTRIBUTES)}"
            )
        if value is None:
            cleaned[field] = None
        elif field == "tags":
            cleaned[field] = _tags(value)
        elif isinstance(value, str):
            cleaned[field] = clean_name(value, field) or None
        else:
            raise InvalidInputError(field, value, "expected text")
    return cleaned


def _tags(value: object) -> list[str]:
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        raise InvalidInputError("tags", value, "expected text or a list of texts")
    tags = {clean_text(tag, "tags", keep_joiners=True) for tag in items}
    return sorted(tag for tag in tags if tag)
