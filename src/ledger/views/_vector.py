"""Whole-network decay as of T, vectorised: every pair touch as numpy columns.

The decay export needs every pair's decay at one T. Reading, decoding and wrapping one
state blob per pair in Python made it 11-20x slower than DuckDB summing the raw events.
Here the columns of ``pair_touches`` that decay depends on are loaded once per
:class:`~ledger.api.Ledger` object into numpy arrays (:mod:`ledger.views._columns`). A query at T
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

Point queries never touch this cache. Memory: about 60 bytes per pair touch (integers,
and each touch's time as fixed-width ISO text, 26 bytes), and a few Python objects per
pair, none per touch: some 20 MB for the 332k touches of email-Eu-core.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from ledger.errors import StorageError
from ledger.facts.events import Person, Touchpoint
from ledger.facts.kinds import Kind
from ledger.facts.time import to_micros
from ledger.projections import MICROS_PER_DAY
from ledger.projections.decay import INTRODUCED, Decay
from ledger.views import _columns
from ledger.views._columns import KIND_CODE, KINDS, Columns, Touches
from ledger.views._pairs import split

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ledger.api import Ledger

__all__ = ["EXTEND_LIMIT", "decay_columns", "pair_columns"]

EXTEND_LIMIT = 20_000
"""At most this many new events are applied to cached columns; more means a reload."""
_EXACT = 2**53  # below this, int64 -> float64 is exact, so numpy divides like Python

_CACHE: weakref.WeakKeyDictionary[Ledger, Columns] = weakref.WeakKeyDictionary()


# -- the query -------------------------------------------------------------------------
def decay_columns(book: Ledger, t: int, model: Decay) -> dict[str, list[Any]]:
    """The decay export's columns at ``t`` (µs) under ``model``, pairs sorted by (a, b):
    what folding each pair's touches through ``model`` and calling ``at(state, t)``
    gives. Plain Python values (``tolist``), never numpy scalars."""
    columns = pair_columns(book)
    touches = columns.touches
    live, strength, count = _decay_at(columns, t, model)
    last = columns.starts[live] + count - 1  # a pair's touches at or before t come first
    exchange = columns.exchange[last]
    exchanged_at = np.array(_columns.texts(touches.iso[np.maximum(exchange, 0)]), dtype=object)
    exchanged_at[exchange < 0] = None
    return {
        "a": touches.a[live].tolist(),
        "b": touches.b[live].tolist(),
        "strength": strength.tolist(),
        "touches": count.tolist(),
        "first_touch_at": columns.first_at[live].tolist(),
        "last_touch_at": _columns.texts(touches.iso[last]),
        "last_exchange_at": exchanged_at.tolist(),
        "days_since_last_touch": _days(t, touches.t[last]),
    }


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
        [model.weights[kind.value] for kind in KINDS] + [model.weights[INTRODUCED]],
        dtype=np.float64,
    )


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
            touches = _columns.load(views, c)
        if touches is not None and book.position == before:
            return _columns.derive(before, touches)
    with views.locked() as (c, position):
        touches = _columns.load(views, c)
    if touches is None:
        raise StorageError("the views changed while locked; is another program writing them?")
    return _columns.derive(position, touches)


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
    return None if touches is None else _columns.derive(position, touches)


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
                (a, b, touch.t, touch.touchpoint_id, KIND_CODE[kind.value], touch.direction)
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
    return _columns.assemble(
        keys,
        np.concatenate((np.repeat(np.arange(len(old.a), dtype=np.int64), old.counts), codes)),
        np.concatenate((old.t, times)),
        np.concatenate((old.kind, np.array([touch[4] for touch in new], dtype=np.int8))),
        np.concatenate((old.direction, np.array([touch[5] for touch in new], dtype=np.int8))),
        np.concatenate((old.iso, _columns.iso_texts(times))),
    )
