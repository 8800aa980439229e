"""What a stored batch of touchpoints must hold to be folded.

The recorder only ever stores batches built from checked :class:`~ledger.facts.values.Touch`
values, but a batch read back may have been written by another program or edited in
the database with the hash chain rewritten. Every reader of a stored batch (the views,
the audit, a dump) goes through :func:`checked_columns`, so a batch the views would
skip, or fold into nonsense, is one the audit names: there is no value a read can
trip over that the audit passes. Checked column by column with numpy, since a batch
holds up to 50,000 rows and is checked at every replay.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ledger.facts.kinds import Kind
from ledger.facts.time import EARLIEST, LATEST, to_micros
from ledger.facts.values import MAX_DURATION_SECONDS

__all__ = ["FLAG_BITS", "NO_DURATION", "StoredColumns", "checked_columns"]

FLAG_BITS = 0b111
"""Every flag a stored row may carry (personalised, counterparts gave, symmetric)."""
NO_DURATION = -1
"""A row without a duration, in the checked ``duration`` column."""

StoredColumns = dict[str, NDArray[np.int64]]
_EARLIEST_US, _LATEST_US = to_micros(EARLIEST), to_micros(LATEST)
_KINDS = frozenset(Kind)
_HEX = re.compile("[0-9a-f]*", re.ASCII)


def checked_columns(columns: dict[str, Any]) -> StoredColumns:
    """The integer columns of a stored batch (``t``, ``kind``, ``source``, ``size``,
    ``who``, ``flags``, ``duration`` with :data:`NO_DURATION` for none), or
    ``ValueError`` naming the first column, row and value that could not be folded."""
    n = _length(columns)
    arrays = {
        name: _integers(columns, name, n if name != "who" else None)
        for name in ("t", "kind", "source", "size", "who", "flags")
    }
    arrays["duration"] = _integers(
        {"duration": [NO_DURATION if d is None else d for d in _list(columns, "duration")]},
        "duration",
        n,
    )
    _within(arrays, "t", _EARLIEST_US, _LATEST_US, "a time between the years 1000 and 2999")
    _within(arrays, "kind", 0, len(columns["kinds"]) - 1, "an index into the batch's kinds")
    _within(arrays, "source", 0, len(columns["sources"]) - 1, "an index into its sources")
    _within(arrays, "flags", 0, FLAG_BITS, f"a set of the flags 0 to {FLAG_BITS}")
    _within(arrays, "duration", NO_DURATION, MAX_DURATION_SECONDS, "seconds up to a year")
    _within(arrays, "size", 2, len(columns["people"]), "at least two of the batch's people")
    _check_people(columns, arrays)
    _check_names(columns, n)
    return arrays


def _length(columns: dict[str, Any]) -> int:
    n = len(_list(columns, "t"))
    for name in ("kind", "source", "size", "flags", "duration"):
        if len(_list(columns, name)) != n:
            raise ValueError(f"column {name!r} has {len(columns[name])} rows, not {n}")
    ids = columns.get("ids")
    if not isinstance(ids, str) or len(ids) != 32 * n or not _is_hex(ids):
        raise ValueError(f"the ids are not {n} touchpoint ids of 32 hex digits")
    return n


def _list(columns: dict[str, Any], name: str) -> list[Any]:
    value = columns.get(name)
    if not isinstance(value, list):
        raise ValueError(f"column {name!r} is not a list: {value!r:.60}")
    return value


def _integers(columns: dict[str, Any], name: str, n: int | None) -> NDArray[np.int64]:
    values = _list(columns, name)
    found = np.asarray(values) if values else np.zeros(0, dtype=np.int64)
    if found.dtype.kind not in "iu" or found.ndim != 1:
        bad = next((v for v in values if type(v) is not int), values[0] if values else None)
        raise ValueError(f"column {name!r} holds {bad!r:.60}: expected whole numbers")
    if found.dtype != np.int64:  # unsigned or narrower: only if it fits
        if found.size and int(found.max()) > np.iinfo(np.int64).max:
            raise ValueError(f"column {name!r} holds {int(found.max())}: too large")
        found = found.astype(np.int64)
    if n is not None and len(found) != n:
        raise ValueError(f"column {name!r} has {len(found)} rows, not {n}")
    return found


def _within(arrays: StoredColumns, name: str, low: int, high: int, what: str) -> None:
    values = arrays[name]
    bad = np.flatnonzero((values < low) | (values > high))
    if bad.size:
        row = int(bad[0])
        raise ValueError(f"{name}[{row}] = {int(values[row])}: not {what}")


def _check_people(columns: dict[str, Any], arrays: StoredColumns) -> None:
    people, who, size = _list(columns, "people"), arrays["who"], arrays["size"]
    if any(not isinstance(p, str) or len(p) != 32 or not _is_hex(p) for p in people):
        raise ValueError("the batch's people are not person ids of 32 hex digits")
    if int(size.sum()) != len(who):
        raise ValueError(f"the rows name {int(size.sum())} participants, 'who' holds {len(who)}")
    _within(arrays, "who", 0, len(people) - 1, "an index into the batch's people")
    row_of = np.repeat(np.arange(len(size), dtype=np.int64), size)
    if len(np.unique(row_of * max(len(people), 1) + who)) != len(who):
        raise ValueError("a touchpoint names one of its participants twice")


def _check_names(columns: dict[str, Any], n: int) -> None:
    kinds, sources = _list(columns, "kinds"), _list(columns, "sources")
    unknown = [k for k in kinds if not isinstance(k, str) or k not in _KINDS]
    if unknown:
        raise ValueError(f"kind {unknown[0]!r:.60} is not a kind of touchpoint")
    if any(not isinstance(s, str) for s in sources):
        raise ValueError("a source is not text")
    for note in _list(columns, "notes"):
        if (
            not isinstance(note, list)
            or len(note) != 2
            or type(note[0]) is not int
            or not 0 <= note[0] < n
            or not isinstance(note[1], str)
        ):
            raise ValueError(f"note {note!r:.60} is not [row, sealed text] of a row")


def _is_hex(text: str) -> bool:
    return _HEX.fullmatch(text) is not None
