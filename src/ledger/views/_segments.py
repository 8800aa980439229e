"""The rows of every pair, column by column, in compressed blocks: for questions about
every pair at once.

Reading ten million rows through SQL costs seconds; reading them as a few blobs of
numpy columns costs a fraction of one. Each catch-up round appends one segment holding
the rows it wrote (sorted by pair, time, touch). When a round refolds a pair (a
back-dated touch, a retraction), the pair's rows in older segments are *voided*: the
new segment holds all of the pair's rows again. When there are many segments, or many
voided pairs, they are compacted into one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import zstandard
from numpy.typing import NDArray

from ledger.views._rows import Columns

__all__ = ["COLUMNS", "COMPACT_AFTER", "decode", "encode", "live_rows"]

COLUMNS: tuple[tuple[str, Any], ...] = (
    ("pair", np.int64),
    ("t", np.int64),
    ("touch", np.int64),
    ("kind", np.int8),
    ("source", np.int32),
    ("flags", np.int32),
    ("size", np.int32),
    ("duration", np.int64),
    ("factor", np.float64),
)
COMPACT_AFTER = 24
"""Segments kept before they are compacted into one."""
_LEVEL = 3


def encode(columns: Columns) -> tuple[int, bytes]:
    """A segment of ``columns`` (equal lengths): its row count and its bytes."""
    n = len(columns["t"])
    parts = [np.ascontiguousarray(columns[name], dtype=dtype).tobytes() for name, dtype in COLUMNS]
    header = orjson.dumps({"rows": n, "columns": [name for name, _ in COLUMNS]})
    body = len(header).to_bytes(4, "big") + header + b"".join(parts)
    return n, zstandard.ZstdCompressor(level=_LEVEL).compress(body)


def decode(data: bytes) -> Columns:
    """The columns of a segment's bytes (ValueError when they are not a segment's: the
    views were damaged, and the views' reads say so)."""
    try:
        body = zstandard.ZstdDecompressor().decompress(bytes(data))
    except zstandard.ZstdError as error:
        raise ValueError(f"a segment does not decompress: {error}") from None
    size = int.from_bytes(body[:4], "big")
    header = orjson.loads(body[4 : 4 + size])
    n, offset = int(header["rows"]), 4 + size
    found: Columns = {}
    for name, dtype in COLUMNS:
        width = np.dtype(dtype).itemsize * n
        found[name] = np.frombuffer(body, dtype=dtype, count=n, offset=offset)
        offset += width
    return found


def live_rows(segments: list[tuple[int, Columns]], voided: dict[int, int]) -> Columns:
    """Every row that stands: each segment's rows but those of pairs voided after it,
    concatenated and sorted by (pair, t, touch)."""
    kept: list[Columns] = []
    void_pairs = np.array(sorted(voided), dtype=np.int64)
    void_before = np.array([voided[p] for p in sorted(voided)], dtype=np.int64)
    for number, columns in segments:
        if void_pairs.size and len(columns["pair"]):
            where = np.searchsorted(void_pairs, columns["pair"])
            where = np.minimum(where, len(void_pairs) - 1)
            hit = void_pairs[where] == columns["pair"]
            stale = hit & (number < void_before[where])
            if stale.any():
                keep = ~stale
                kept.append({name: values[keep] for name, values in columns.items()})
                continue
        kept.append(columns)
    if not kept:
        return {name: np.zeros(0, dtype=dtype) for name, dtype in COLUMNS}
    merged = {name: np.concatenate([c[name] for c in kept]) for name, _ in COLUMNS}
    if len(kept) > 1:
        order = np.lexsort((merged["touch"], merged["t"], merged["pair"]))
        merged = {name: values[order] for name, values in merged.items()}
    return merged


def segment_starts(pair: NDArray[np.int64]) -> NDArray[np.int64]:
    """The index of each pair's first row in rows sorted by pair."""
    if not len(pair):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], pair[1:] != pair[:-1])))
