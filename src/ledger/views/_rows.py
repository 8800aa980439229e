"""A pair's rows as stored: the folds' inputs and outputs packed in a few integers.

``flags`` packs, from bit 0: ``direction`` (2 bits: 1 = a to b, 2 = b to a), ``role``
(2), ``giver`` (2, like direction), ``personalized`` (1); then the folds' outputs:
``opens`` (2, like direction), ``exchange`` (1), ``new_day`` (1), ``reached`` (5: bit L
set when depth level L's rule is met); ``noted`` (1: the touch has a note) and
``retracted`` (1: the touch was withdrawn; its row is kept for the timeline, folded as
if absent, and left out of every value).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from ledger.errors import InvalidInputError
from ledger.facts.time import MICROS_PER_DAY
from ledger.facts.zones import ZONE_ACCEPTED, portable_zone
from ledger.projections import Rows

__all__ = [
    "RETRACTED_BIT",
    "Columns",
    "check_zone",
    "days",
    "pack",
    "to_fold",
    "unpack",
]

Columns = dict[str, NDArray[Any]]

_DIRECTION, _ROLE, _GIVER, _PERSONALIZED = 0, 2, 4, 6
_OPENS, _EXCHANGE, _NEW_DAY, _REACHED, _NOTED, _RETRACTED = 7, 9, 10, 11, 16, 17
RETRACTED_BIT = _RETRACTED


def _signed_bits(values: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.where(values > 0, 1, np.where(values < 0, 2, 0)).astype(np.int64)


def _signed(bits: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.where(bits == 1, 1, np.where(bits == 2, -1, 0)).astype(np.int64)


def pack(columns: Columns) -> NDArray[np.int64]:
    """The ``flags`` of rows with the input and output columns."""
    flags = _signed_bits(columns["direction"]) << _DIRECTION
    flags |= columns["role"].astype(np.int64) << _ROLE
    flags |= _signed_bits(columns["giver"]) << _GIVER
    flags |= columns["personalized"].astype(np.int64) << _PERSONALIZED
    flags |= _signed_bits(columns["opens"]) << _OPENS
    flags |= columns["exchange"].astype(np.int64) << _EXCHANGE
    flags |= columns["new_day"].astype(np.int64) << _NEW_DAY
    flags |= columns["reached"].astype(np.int64) << _REACHED
    flags |= columns["noted"].astype(np.int64) << _NOTED
    flags |= columns["retracted"].astype(np.int64) << _RETRACTED
    return flags


def unpack(flags: NDArray[np.int64]) -> Columns:
    """The columns packed in ``flags``."""
    flags = flags.astype(np.int64)
    return {
        "direction": _signed((flags >> _DIRECTION) & 3),
        "role": (flags >> _ROLE) & 3,
        "giver": _signed((flags >> _GIVER) & 3),
        "personalized": (flags >> _PERSONALIZED) & 1,
        "opens": _signed((flags >> _OPENS) & 3),
        "exchange": ((flags >> _EXCHANGE) & 1).astype(bool),
        "new_day": ((flags >> _NEW_DAY) & 1).astype(bool),
        "reached": (flags >> _REACHED) & 31,
        "noted": (flags >> _NOTED) & 1,
        "retracted": (flags >> _RETRACTED) & 1,
    }


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = _EPOCH.date().toordinal()
_RULES_ONLY = 2_114_380_800_000_000  # 2037-01-01, µs


def days(t: NDArray[np.int64], zone: str) -> NDArray[np.int64]:
    """The calendar day (days since 1970-01-01) of each time ``t`` (µs) in ``zone``."""
    if zone in ("UTC", "Etc/UTC", "") or not len(t):
        return np.floor_divide(t, MICROS_PER_DAY)
    import pyarrow as pa  # noqa: PLC0415 - only ledgers with a zone other than UTC
    import pyarrow.compute as pc  # noqa: PLC0415

    rules = ZoneInfo(zone)  # validates the name the way the settings do
    stamps = pa.array(t, type=pa.timestamp("us", tz=zone))
    local = pc.local_timestamp(stamps).cast(pa.int64()).to_numpy(zero_copy_only=False)
    found: NDArray[np.int64] = np.floor_divide(local.astype(np.int64), MICROS_PER_DAY)
    # Arrow reads a zone's transitions as listed (up to 2037), not the rule that carries
    # them on: past them it would end daylight saving time for good. Python's zoneinfo
    # applies the rule.
    late = np.flatnonzero(t >= _RULES_ONLY)
    for index in late.tolist():
        moment = _EPOCH + timedelta(microseconds=int(t[index]))
        found[index] = moment.astimezone(rules).date().toordinal() - _EPOCH_DAY
    return found


def check_zone(zone: object) -> str:
    """``zone`` if it is a portable IANA name (:func:`ledger.facts.zones.portable_zone`)
    the folds can count days in (Arrow's time zone database knows it too), else an
    error: a zone only ``zoneinfo`` knows would be stored, then fail every fold."""
    name = portable_zone(zone, "timezone").key
    try:
        days(np.array([0, 10**15], dtype=np.int64), name)
    except Exception:  # Arrow's errors, whatever their class
        raise InvalidInputError("timezone", zone, f"not a time zone; {ZONE_ACCEPTED}") from None
    return name


def to_fold(columns: Columns, pair_index: NDArray[np.int64], zone: str) -> Rows:
    """The folds' :class:`Rows` of rows with the input columns (sorted as the folds
    need), numbering pairs by ``pair_index``."""
    return Rows(
        pair=pair_index,
        t=columns["t"],
        touch=columns["touch"],
        kind=columns["kind"].astype(np.int8),
        direction=columns["direction"].astype(np.int8),
        role=columns["role"].astype(np.int8),
        giver=columns["giver"].astype(np.int8),
        size=columns["size"].astype(np.int32),
        duration=columns["duration"],
        day=days(columns["t"], zone),
    )
