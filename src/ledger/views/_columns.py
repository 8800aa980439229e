"""Every pair touch of the views as numpy columns, for whole-network queries at any T.

The columns of ``pair_touches`` that decay depends on (``a, b, t, kind, direction``),
rows sorted by (pair, t, touchpoint id): the order the fold sees them in. The table is
read with plain SELECTs through the view store, page by page (pairs in runs of about
``PAGE_ROWS`` touches), so only one page of Python rows is alive at a time; the arrays
then hold no Python object per touch. Pairs are numbered in Python's (a, b) order,
whatever the database's collation.

:mod:`ledger.views._vector` caches these per ledger object and answers queries from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from ledger.facts.kinds import CONVERSATION, GIVING, LIVE, Kind
from ledger.views._tables import ViewStore

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "INTRODUCED_CLASS",
    "KIND_CODE",
    "KINDS",
    "PAGE_ROWS",
    "Columns",
    "Pair",
    "Touches",
    "assemble",
    "derive",
    "iso_texts",
    "load",
    "texts",
]

PAGE_ROWS = 50_000
"""Pair touches read per SELECT when loading (bounds the Python rows alive at once)."""

KINDS = tuple(Kind)
KIND_CODE = {kind.value: code for code, kind in enumerate(KINDS)}
"""A touch's ``kind`` column: the index of its kind in :data:`KINDS`."""
INTRODUCED_CLASS = len(KINDS)
"""The weight class of a pair introduced by a broker (the others: their kind's code)."""
_LIVE = [KIND_CODE[kind.value] for kind in LIVE]
_EXCHANGE = [KIND_CODE[kind.value] for kind in CONVERSATION | GIVING]
_SEP = "|"  # ends each touch's ISO text, so one split() turns many into strings
_ZONE = np.frombuffer(b"+00:00" + _SEP.encode(), dtype=np.uint8)

Pair = tuple[str, str]


@attrs.frozen(eq=False)
class Touches:
    """Every pair touch, rows sorted by (pair, t, touchpoint id); pairs by (a, b)."""

    a: NDArray[np.object_]  # per pair: its keys (Python str)
    b: NDArray[np.object_]
    counts: NDArray[np.int64]  # per pair: its number of touches
    t: NDArray[np.int64]  # per touch: µs since the epoch
    kind: NDArray[np.int8]  # per touch: index in Kind
    direction: NDArray[np.int8]  # per touch: +1 a to b, -1 b to a, 0 introduced
    iso: NDArray[np.bytes_]  # per touch: t as ISO 8601 text and _SEP


@attrs.frozen(eq=False)
class Columns:
    """:class:`Touches` at a views position, with what every query at T derives from."""

    position: int  # -1: read while the views moved; never reused
    touches: Touches
    starts: NDArray[np.int64]  # per pair: its first row
    exchange: NDArray[np.int64]  # per touch: row of the pair's last two-way exchange, or -1
    time_t: NDArray[np.int64]  # per row in time order: t, pair, weight class
    time_pair: NDArray[np.int32]
    time_class: NDArray[np.int8]
    classes: NDArray[np.int8]  # the weight classes present
    first_at: NDArray[np.object_]  # per pair: its first touch's ISO text


def load(views: ViewStore, c: Any) -> Touches | None:
    """Read ``pair_touches`` (None: it changed between two of the statements)."""
    c.execute(
        views.sql("SELECT a, b, count(*) AS n FROM {pair_touches} GROUP BY a, b ORDER BY a, b")
    )
    pairs = [(row["a"], row["b"], int(row["n"])) for row in c.fetchall()]
    t, kind, direction = [], [], []
    for low, high, expected in _pages(pairs):
        c.execute(views.sql(_PAGE), (*low, *high))
        rows = c.fetchall()
        if len(rows) != expected:
            return None
        t.append(np.fromiter((row["t"] for row in rows), np.int64, len(rows)))
        kind.append(np.fromiter((KIND_CODE[row["kind"]] for row in rows), np.int8, len(rows)))
        direction.append(np.fromiter((row["direction"] for row in rows), np.int8, len(rows)))
    counts = np.array([n for _, _, n in pairs], dtype=np.int64)
    times = _concatenate(t, np.int64)
    return assemble(
        [(a, b) for a, b, _ in pairs],
        np.repeat(np.arange(len(pairs), dtype=np.int64), counts),
        times,
        _concatenate(kind, np.int8),
        _concatenate(direction, np.int8),
        iso_texts(times),
    )


_PAGE = (
    "SELECT t, kind, direction FROM {pair_touches} WHERE (a, b) >= (?, ?) AND (a, b) <= (?, ?) "
    "ORDER BY a, b, t, touchpoint_id"
)


def _pages(pairs: list[tuple[str, str, int]]) -> list[tuple[Pair, Pair, int]]:
    """Runs of consecutive pairs of about ``PAGE_ROWS`` touches: (first, last, touches)."""
    pages = []
    first, total = 0, 0
    for index, (_, _, n) in enumerate(pairs):
        total += n
        if total >= PAGE_ROWS or index == len(pairs) - 1:
            low, high = pairs[first], pairs[index]
            pages.append(((low[0], low[1]), (high[0], high[1]), total))
            first, total = index + 1, 0
    return pages


def _concatenate(parts: list[NDArray[Any]], dtype: type[Any]) -> NDArray[Any]:
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


def texts(iso: NDArray[np.bytes_]) -> list[str]:
    """The ISO texts as Python strings (one decode and one split for all of them)."""
    text = iso.tobytes().decode("ascii")
    if "\x00" in text:  # narrower texts padded to the widest (fractional seconds)
        text = text.replace("\x00", "")
    return text.split(_SEP)[:-1]


def assemble(
    keys: list[Pair],
    codes: NDArray[np.int64],
    t: NDArray[np.int64],
    kind: NDArray[np.int8],
    direction: NDArray[np.int8],
    iso: NDArray[np.bytes_],
) -> Touches:
    """:class:`Touches` from rows whose pairs (``keys[code]``) may be in any order, each
    pair's rows already in the fold's order: pairs renumbered in Python's (a, b) order
    (the database's collation may differ), rows grouped by pair, keeping that order."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys), dtype=np.int64)
    codes = rank[codes]
    rows = np.argsort(codes, kind="stable")
    return Touches(
        a=np.array([keys[i][0] for i in order], dtype=object),
        b=np.array([keys[i][1] for i in order], dtype=object),
        counts=np.bincount(codes, minlength=len(keys)).astype(np.int64),
        t=t[rows],
        kind=kind[rows],
        direction=direction[rows],
        iso=iso[rows],
    )


def derive(position: int, touches: Touches) -> Columns:
    """What every query at T needs, computed once per set of touches."""
    counts = touches.counts
    starts = np.cumsum(counts) - counts
    pair = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    weight_class = np.where(touches.direction == 0, INTRODUCED_CLASS, touches.kind).astype(np.int8)
    by_time = np.argsort(touches.t, kind="stable")
    return Columns(
        position=position,
        touches=touches,
        starts=starts,
        exchange=_exchanges(touches, starts[pair]),
        time_t=touches.t[by_time],
        time_pair=pair[by_time],
        time_class=weight_class[by_time],
        classes=np.unique(weight_class),
        first_at=np.array(texts(touches.iso[starts]), dtype=object),
    )


def _exchanges(touches: Touches, first: NDArray[np.int64]) -> NDArray[np.int64]:
    """Per touch, the row of its pair's last two-way exchange at or before it (-1: none
    yet): a live touch, or a conversation or help answering the other side's last one.
    ``first`` is each row's pair's first row. The fold's ``_exchange_at``, vectorised."""
    kind, direction = touches.kind, touches.direction
    rows = np.arange(len(kind), dtype=np.int64)
    talks = np.isin(kind, _EXCHANGE) & (direction != 0)  # these set the last sender
    senders = np.maximum.accumulate(np.where(talks, rows, -1))
    before = np.empty_like(senders)  # the last sender strictly before each row ...
    before[:1] = -1
    before[1:] = senders[:-1]
    before = np.where(before >= first, before, -1)  # ... in the same pair
    last_sender = np.where(before >= 0, direction[before], 0)
    answers = talks & (direction == -last_sender)  # direction != 0, so last_sender != 0
    live = np.isin(kind, _LIVE) & (direction != 0)
    latest = np.maximum.accumulate(np.where(live | answers, rows, -1))
    return np.where(latest >= first, latest, -1)


def iso_texts(t: NDArray[np.int64]) -> NDArray[np.bytes_]:
    """Each time as ``from_micros(t).isoformat()`` writes it, then ``_SEP``: fixed-width
    bytes, NUL-padded when some times have fractional seconds and others not."""
    fractional = t % 1_000_000 != 0
    width = 26 if fractional.any() else 19  # with or without ".ffffff"
    text = np.datetime_as_string(t.astype("datetime64[us]"), unit="us" if width == 26 else "s")
    out = np.zeros((len(t), width + len(_ZONE)), dtype=np.uint8)
    out[:, :width] = text.astype(f"S{width}").view(np.uint8).reshape(-1, width)
    out[:, width:] = _ZONE
    if width == 26:  # isoformat() leaves out a zero fraction: zone over it, then padding
        whole = ~fractional
        out[whole, 19 : 19 + len(_ZONE)] = _ZONE
        out[whole, 19 + len(_ZONE) :] = 0
    return out.view(f"S{width + len(_ZONE)}").ravel()
