"""Inputs: what a caller hands the ledger, validated on construction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from ledger.errors import EmptyKeyError, InvalidInputError, SelfTouchpointError
from ledger.facts.kinds import Kind, parse_kind
from ledger.facts.time import parse_time

__all__ = ["ATTRIBUTES", "Touch", "check_key", "clean_attributes"]

ATTRIBUTES = ("name", "org", "title", "location", "tags")
"""The attributes a person has; each changes over time."""

_GIVERS = ("initiator", "counterparts")


def check_key(value: object, field: str) -> str:
    """A person key: non-empty text, surrounding spaces removed."""
    if not isinstance(value, str):
        raise InvalidInputError(field, value, "a person key must be text")
    key = value.strip()
    if not key:
        raise EmptyKeyError(field, value)
    return key


def _initiator(value: object) -> str:
    return check_key(value, "initiator")


def _source(value: object) -> str:
    return check_key(value, "source")


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

    ``source`` and ``source_ref`` name where the fact comes from; recording the same
    (source, source_ref) again is a no-op. Without a ``source_ref`` every recording is
    a new fact. ``giver`` applies to favors: ``"initiator"`` (default: the initiator
    helped) or ``"counterparts"`` (the initiator asked and was helped).
    """

    kind: Kind = attrs.field(converter=parse_kind)
    initiator: str = attrs.field(converter=_initiator)
    counterparts: tuple[str, ...] = attrs.field(converter=_counterparts)
    occurred_at: datetime = attrs.field(converter=parse_time)
    note: str | None = None
    source: str = attrs.field(default="manual", converter=_source)
    source_ref: str | None = None
    personalized: bool = False
    giver: str | None = None
    duration_seconds: int | None = None

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
        if self.duration_seconds is not None and (
            not isinstance(self.duration_seconds, int) or self.duration_seconds < 0
        ):
            raise InvalidInputError(
                "duration_seconds",
                self.duration_seconds,
                "must be a whole number of seconds, not negative",
            )
        if self.source_ref is not None and not str(self.source_ref).strip():
            raise EmptyKeyError("source_ref", self.source_ref)

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
            tags = [value] if isinstance(value, str) else list(value)
            cleaned[field] = sorted({str(tag).strip() for tag in tags if str(tag).strip()})
        elif isinstance(value, str):
            cleaned[field] = value.strip() or None
        else:
            raise InvalidInputError(field, value, "expected text")
    return cleaned
