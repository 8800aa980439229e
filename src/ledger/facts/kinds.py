"""Touchpoint kinds and the families the projections reason about."""

from __future__ import annotations

import enum

from ledger.errors import UnknownKindError

__all__ = ["CONVERSATION", "GIVING", "LIVE", "SIGNAL", "Family", "Kind", "parse_kind"]


class Kind(enum.StrEnum):
    """Every kind of touchpoint the ledger records."""

    MESSAGE = "message"
    EMAIL = "email"
    CALL = "call"
    VIDEO_CALL = "video_call"
    MEETING = "meeting"
    COMMENT = "comment"
    SHARE = "share"
    REACTION = "reaction"
    INTRODUCTION = "introduction"
    FAVOR = "favor"
    REFERRAL = "referral"
    RECOMMENDATION = "recommendation"
    ENDORSEMENT = "endorsement"
    CONNECTION_REQUESTED = "connection_requested"
    CONNECTION_ACCEPTED = "connection_accepted"
    CONNECTION_DECLINED = "connection_declined"
    CONNECTION_REMOVED = "connection_removed"

    @property
    def family(self) -> Family:
        return _FAMILY[self]


class Family(enum.StrEnum):
    """What a kind of touchpoint says about a relationship.

    * ``live``: both people took part at the same time (call, video call, meeting).
    * ``conversation``: something written to the other person (message, e-mail, comment).
    * ``giving``: help from one to the other (favor, introduction, referral, recommendation).
    * ``signal``: a light public gesture (reaction, share, endorsement).
    * ``connection``: the state of a network connection (requested, accepted, ...).
    """

    LIVE = "live"
    CONVERSATION = "conversation"
    GIVING = "giving"
    SIGNAL = "signal"
    CONNECTION = "connection"


_FAMILY: dict[Kind, Family] = {
    Kind.CALL: Family.LIVE,
    Kind.VIDEO_CALL: Family.LIVE,
    Kind.MEETING: Family.LIVE,
    Kind.MESSAGE: Family.CONVERSATION,
    Kind.EMAIL: Family.CONVERSATION,
    Kind.COMMENT: Family.CONVERSATION,
    Kind.FAVOR: Family.GIVING,
    Kind.INTRODUCTION: Family.GIVING,
    Kind.REFERRAL: Family.GIVING,
    Kind.RECOMMENDATION: Family.GIVING,
    Kind.REACTION: Family.SIGNAL,
    Kind.SHARE: Family.SIGNAL,
    Kind.ENDORSEMENT: Family.SIGNAL,
    Kind.CONNECTION_REQUESTED: Family.CONNECTION,
    Kind.CONNECTION_ACCEPTED: Family.CONNECTION,
    Kind.CONNECTION_DECLINED: Family.CONNECTION,
    Kind.CONNECTION_REMOVED: Family.CONNECTION,
}

LIVE = frozenset(k for k, f in _FAMILY.items() if f is Family.LIVE)
CONVERSATION = frozenset(k for k, f in _FAMILY.items() if f is Family.CONVERSATION)
GIVING = frozenset(k for k, f in _FAMILY.items() if f is Family.GIVING)
SIGNAL = frozenset(k for k, f in _FAMILY.items() if f is Family.SIGNAL)


_BY_NAME: dict[object, Kind] = {kind.value: kind for kind in Kind}


def parse_kind(value: object, field: str = "kind") -> Kind:
    """Return the :class:`Kind` named by ``value`` or raise :class:`UnknownKindError`."""
    found = _BY_NAME.get(value) if isinstance(value, str) else None
    if found is not None:
        return found  # the common case: a kind's own name (and every Kind is a str)
    try:
        return Kind(str(value).strip().lower())
    except ValueError:
        known = ", ".join(k.value for k in Kind)
        raise UnknownKindError(field, value, f"unknown kind; known kinds: {known}") from None
