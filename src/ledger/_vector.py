"""Whole-network decay as of T, vectorised: every pair touch as numpy columns.

The decay export needs every pair's decay at one T. Reading, decoding and wrapping one
state blob per pair in Python made it 11-20x slower than DuckDB summing the raw events.
Here the columns of ``pair_touches`` that decay depends on (``a, b, t, kind,
direction``) are loaded once per :class:`~ledger.api.Ledger` object into numpy arrays,
rows sorted by (pair, t, touchpoint id), the order the fold sees them in. A query at T
is then a few passes over arrays: the strength is the closed form of the fold,
``sum of w(kind) * 2 ** (-(T - t) / h)`` over the pair's touches at or before T, so any
model (the ledger's, or a ``half_life_days``/``weights`` override) costs the same. The
pure fold in ``projections/decay.py`` stays the definition: the tests check these rows
against it.

**Cache and invalidation.** The arrays are cached per ledger object (weakly) with the
views' tracked position they hold. At a later position the events in between are read
from the notification log:

* only new touchpoints (and people), each landing after its pair's last cached touch
  in time (the usual case: a log that grows forward): their pair touches, split exactly
  as the catch-up splits them, are appended and the derived arrays recomputed;
* a retraction (its rows were deleted from ``pair_touches``), a touch back-dated to or
  before its pair's last cached touch (it changes which later touches are two-way
  exchanges, and ties are ordered by touchpoint id, which is not kept), an event of an
  unknown kind, more than ``EXTEND_LIMIT`` events, or a position that went backwards (a
  rebuild): everything is reloaded, because extending would be wrong or no cheaper.

Point queries never touch this cache. Memory: about 50 bytes per pair touch (ints,
floats and each touch's time as fixed-width ISO text), and a few Python objects per
pair, none per touch.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from ledger._errors import StorageError
from ledger._pairs import split
from ledger._time import to_micros
from ledger._views import ViewStore
from ledger.domain import Person, Touchpoint
from ledger.kinds import CONVERSATION, GIVING, LIVE, Kind
from ledger.projections import MICROS_PER_DAY
from ledger.projections.decay import INTRODUCED, Decay

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ledger.api import Ledger

__all__ = ["EXTEND_LIMIT", "PAGE_ROWS", "decay_rows", "pair_columns"]

PAGE_ROWS = 50_000
"""Pair touches read per SELECT when loading (bounds the Python rows alive at once)."""
EXTEND_LIMIT = 20_000
"""At most this many new events are applied to cached columns; more means a reload."""

_KINDS = tuple(Kind)
_KIND_CODE = {kind.value: code for code, kind in enumerate(_KINDS)}
_INTRODUCED = len(_KINDS)  # the weight class of a pair introduced by a broker
_LIVE = [_KIND_CODE[kind.value] for kind in LIVE]
_EXCHANGE = [_KIND_CODE[kind.value] for kind in CONVERSATION | GIVING]
_EXACT = 2**53  # below this, int64 -> float64 is exact, so numpy divides like Python
_SEP = "|"  # ends each touch's ISO text, so one split() turns many into strings

Row = dict[str, str | int | float | None]
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


_CACHE: weakref.WeakKeyDictionary[Ledger, Columns] = weakref.WeakKeyDictionary()


# -- the query -------------------------------------------------------------------------
def decay_rows(book: Ledger, t: int, model: Decay) -> list[Row]:
    """The decay export's rows at ``t`` (µs) under ``model``, sorted by (a, b): what
    folding each pair's touches through ``model`` and calling ``at(state, t)`` gives."""
    columns = pair_columns(book)
    touches = columns.touches
    live, strength, count = _decay_at(columns, t, model)
    last = columns.starts[live] + count - 1  # a pair's touches at or before t come first
    exchange = columns.exchange[last]
    exchanged_at = np.array(_texts(touches.iso[np.maximum(exchange, 0)]), dtype=object)
    exchanged_at[exchange < 0] = None
    return [
        {
            "a": a,
            "b": b,
            "strength": s,
            "touches": n,
            "first_touch_at": first,
            "last_touch_at": latest,
            "last_exchange_at": exchanged,
            "days_since_last_touch": days,
        }
        for a, b, s, n, first, latest, exchanged, days in zip(
            touches.a[live].tolist(),
            touches.b[live].tolist(),
            strength.tolist(),
            count.tolist(),
            columns.first_at[live].tolist(),
            _texts(touches.iso[last]),
            exchanged_at.tolist(),
            _days(t, touches.t[last]),
            strict=True,
        )
    ]


def _decay_at(
    columns: Columns, t: int, model: Decay
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.int64]]:
    """The pairs in touch by ``t``, and their strengths and numbers of touches."""
    k = int(np.searchsorted(columns.time_t, t, side="right"))  # the touches at or before t
    pairs = columns.time_pair[:k]
    decayed = np.exp2((columns.time_t[:k] - t) / (model.half_life_days * MICROS_PER_DAY))
    weights = _weight_table(model)
    present = weights[columns.classes]
    if present.size and (present == present[0]).all():  # e.g. a log of e-mails only
        summed = np.bincount(pairs, weights=decayed, minlength=len(columns.starts))
        strength = summed.astype(np.float64, copy=False) * present[0]
    else:
        weighted = weights[columns.time_class[:k]] * decayed
        summed = np.bincount(pairs, weights=weighted, minlength=len(columns.starts))
        strength = summed.astype(np.float64, copy=False)
    count = np.bincount(pairs, minlength=len(columns.starts))
    live = np.flatnonzero(count)
    return live, strength[live], count[live].astype(np.int64)


def _weight_table(model: Decay) -> NDArray[np.float64]:
    """The model's weight of each weight class (each kind, then the introduced pair)."""
    return np.array(
        [model.weights[kind.value] for kind in _KINDS] + [model.weights[INTRODUCED]],
        dtype=np.float64,
    )


def _texts(iso: NDArray[np.bytes_]) -> list[str]:
    """The ISO texts as Python strings (one decode and one split for all of them)."""
    text = iso.tobytes().decode("ascii")
    if "\x00" in text:  # narrower texts padded to the widest (fractional seconds)
        text = text.replace("\x00", "")
    return text.split(_SEP)[:-1]


def _days(t: int, last: NDArray[np.int64]) -> list[float]:
    """``(t - last) / MICROS_PER_DAY`` per pair, exactly as Python's int division gives."""
    elapsed = t - last
    if elapsed.size and int(elapsed.max()) >= _EXACT:
        return [micros / MICROS_PER_DAY for micros in elapsed.tolist()]
    return (elapsed / MICROS_PER_DAY).tolist()  # type: ignore[no-any-return]


# -- the cache -------------------------------------------------------------------------
def pair_columns(book: Ledger) -> Columns:
    """The ledger's pair touches as columns, caught up: cached, extended or reloaded."""
    book.catch_up()
    position = book.position
    cached = _CACHE.get(book)
    if cached is not None and cached.position == position:
        return cached
    columns = None
    if cached is not None and 0 <= cached.position < position:
        columns = _extended(book, cached, position)
    if columns is None:
        columns = _reloaded(book)
    _CACHE[book] = columns
    return columns


def _reloaded(book: Ledger, attempts: int = 3) -> Columns:
    """Every pair touch, read page by page. A load is kept only if the views did not
    move meanwhile (its pages are separate statements); the last attempt holds the
    catch-up lock, so that writers wait and the views cannot move."""
    views = book._views
    for _ in range(attempts - 1):
        before = book.position
        with views.read() as c:
            touches = _load(views, c)
        if touches is not None and book.position == before:
            return _derive(before, touches)
    with views.locked() as (c, position):
        touches = _load(views, c)
    if touches is None:
        raise StorageError("the views changed while locked; is another program writing them?")
    return _derive(position, touches)


def _load(views: ViewStore, c: Any) -> Touches | None:
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
        kind.append(np.fromiter((_KIND_CODE[row["kind"]] for row in rows), np.int8, len(rows)))
        direction.append(np.fromiter((row["direction"] for row in rows), np.int8, len(rows)))
    counts = np.array([n for _, _, n in pairs], dtype=np.int64)
    times = _concatenate(t, np.int64)
    return _assemble(
        [(a, b) for a, b, _ in pairs],
        np.repeat(np.arange(len(pairs), dtype=np.int64), counts),
        times,
        _concatenate(kind, np.int8),
        _concatenate(direction, np.int8),
        _iso(times),
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


def _extended(book: Ledger, cached: Columns, position: int) -> Columns | None:
    """``cached`` brought to ``position`` from the events in between, or None when
    only a reload is right (see the module's docstring)."""
    if position - cached.position > EXTEND_LIMIT:
        return None
    new = _new_pair_touches(book, cached.position, position)
    if new is None:
        return None
    if not new:
        return attrs.evolve(cached, position=position)
    touches = _appended(cached, new)
    return None if touches is None else _derive(position, touches)


NewTouch = tuple[str, str, int, str, int, int]  # a, b, t, touchpoint id, kind, direction


def _new_pair_touches(book: Ledger, start: int, stop: int) -> list[NewTouch] | None:
    """The pair touches of the touchpoints recorded after notification ``start`` up to
    ``stop``, split as the catch-up splits them; None if anything else happened to a
    touchpoint (a retraction)."""
    app = book.application
    found: list[NewTouch] = []
    for notification in app.recorder.select_notifications(
        start=start, limit=stop - start, stop=stop, inclusive_of_start=False
    ):
        event = app.mapper.to_domain_event(notification)
        if isinstance(event, Touchpoint.Recorded):
            t = to_micros(event.occurred_at)
            kind = Kind(event.kind)
            found.extend(
                (a, b, touch.t, touch.touchpoint_id, _KIND_CODE[kind.value], touch.direction)
                for a, b, touch in split(
                    event.originator_id.hex,
                    t,
                    kind,
                    event.initiator,
                    event.counterparts,
                    event.personalized,
                    event.giver,
                )
            )
        elif not isinstance(event, Person.Registered | Person.AttributesChanged):
            return None
    return found


def _appended(cached: Columns, new: list[NewTouch]) -> Touches | None:
    """The cached touches and ``new`` ones; None if one is not after its pair's last."""
    old = cached.touches
    new.sort()  # by pair, then (t, touchpoint id): the order the fold sees
    keys = list(zip(old.a.tolist(), old.b.tolist(), strict=True))
    code_of = {key: code for code, key in enumerate(keys)}
    last_t = old.t[cached.starts + old.counts - 1].tolist()
    codes = []
    for a, b, t, *_ in new:
        code = code_of.setdefault((a, b), len(keys))
        if code == len(keys):
            keys.append((a, b))
        elif code < len(last_t) and t <= last_t[code]:
            return None  # back-dated, or tied with the last touch (ties go by touchpoint id)
        codes.append(code)
    times = np.array([touch[2] for touch in new], dtype=np.int64)
    return _assemble(
        keys,
        np.concatenate((np.repeat(np.arange(len(old.a), dtype=np.int64), old.counts), codes)),
        np.concatenate((old.t, times)),
        np.concatenate((old.kind, np.array([touch[4] for touch in new], dtype=np.int8))),
        np.concatenate((old.direction, np.array([touch[5] for touch in new], dtype=np.int8))),
        np.concatenate((old.iso, _iso(times))),
    )


# -- arrays ----------------------------------------------------------------------------
def _assemble(
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


def _derive(position: int, touches: Touches) -> Columns:
    """What every query at T needs, computed once per set of touches."""
    counts = touches.counts
    starts = np.cumsum(counts) - counts
    pair = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    weight_class = np.where(touches.direction == 0, _INTRODUCED, touches.kind).astype(np.int8)
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
        first_at=np.array(_texts(touches.iso[starts]), dtype=object),
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


def _iso(t: NDArray[np.int64]) -> NDArray[np.bytes_]:
    """Each time as ``from_micros(t).isoformat()`` writes it, then ``_SEP``."""
    moments = t.astype("datetime64[us]")
    text = np.datetime_as_string(moments, unit="s")
    fractional = t % 1_000_000 != 0
    if fractional.any():
        text = np.where(fractional, np.datetime_as_string(moments, unit="us"), text)
    text = np.strings.add(text, "+00:00" + _SEP)
    width = int(np.strings.str_len(text).max()) if text.size else 1
    return text.astype(f"S{width}")  # exactly as wide as the texts: no padding to strip
