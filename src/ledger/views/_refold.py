"""Folding the pairs a round touches, and writing their rows, states and segment.

A pair whose new rows all come after its last stored one is *extended*: its stored fold
state is the starting point and nothing is read back. Any other pair touched (a
back-dated touch, a retraction) is *refolded*: its stored rows are read, merged with the
new ones (retracted touches left out), deleted, and folded again from the start.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray

from ledger.projections import NO_TIME, Segments, State, decay, depth, reciprocity
from ledger.store import values_of
from ledger.views import _segments
from ledger.views._rows import Columns, pack, to_fold, unpack
from ledger.views._schema import Views

__all__ = ["INPUTS", "decode_state", "empty_columns", "encode_state", "fold", "write"]

INPUTS = (
    "pair",
    "t",
    "touch",
    "kind",
    "source",
    "direction",
    "role",
    "giver",
    "size",
    "duration",
    "personalized",
    "noted",
    "retracted",
)
_IN = 500


def empty_columns() -> Columns:
    return {name: np.zeros(0, dtype=np.int64) for name in INPUTS}


def _outputs_of_retracted(columns: Columns) -> Columns:
    """What a retracted row stores: its inputs, the retracted mark, no outputs."""
    n = len(columns["t"])
    zeros = np.zeros(n, dtype=np.int64)
    return {
        **columns,
        "retracted": np.ones(n, dtype=np.int64),
        "factor": np.zeros(n, dtype=np.float64),
        "opens": zeros,
        "exchange": zeros,
        "new_day": zeros,
        "reached": zeros,
    }


def encode_state(state: list[int]) -> str:
    """A pair's fold state as stored: a JSON array, "no time yet" as null."""
    return orjson.dumps([None if v <= NO_TIME // 2 else v for v in state]).decode()


def decode_state(text: str) -> list[int]:
    return [NO_TIME if v is None else int(v) for v in orjson.loads(text)]


def fold(columns: Columns, states: State, zone: str) -> Columns:
    """Run every fold over ``columns`` (sorted by pair, t, touch) from ``states`` (one
    per distinct pair, in order); the columns with the folds' outputs added. ``states``
    is left as the pairs end."""
    pairs, index = np.unique(columns["pair"], return_inverse=True)
    del pairs
    rows = to_fold(columns, index.astype(np.int64), zone)
    seg = Segments.of(rows.pair)
    decayed, decay_updates = decay.fold(rows, seg, states)
    opened = reciprocity.fold(rows, decayed["session"])
    deep, depth_updates = depth.fold(rows, seg, states)
    decay.apply(states, decay_updates)
    depth.apply(states, depth_updates)
    return {**columns, **decayed, **opened, **deep}


def write(
    views: Views, c: Any, columns: Columns, excluded: set[int], touched: set[int], zone: str
) -> None:
    """Fold and store the pairs of ``columns`` (new rows) and ``touched`` (pairs to
    refold, e.g. after a retraction; ``excluded`` touches are left out)."""
    if not len(columns["t"]) and not touched:
        return
    columns = {**columns, "retracted": np.zeros(len(columns["t"]), dtype=np.int64)}
    order = np.lexsort((columns["touch"], columns["t"], columns["pair"]))
    columns = {name: values[order] for name, values in columns.items()}
    new_pairs = np.unique(columns["pair"])
    stored = _stored_pairs(views, c, sorted(set(new_pairs.tolist()) | touched))
    extend, refold = _classify(columns, stored, touched)
    history = _history(views, c, sorted(refold))
    merged = _merge(columns, history)
    gone = merged["retracted"].astype(bool)
    if excluded:
        gone |= np.isin(merged["touch"], np.array(sorted(excluded), dtype=np.int64))
    live = {name: values[~gone] for name, values in merged.items()}
    states = _states(live["pair"], stored, extend)
    folded = fold(live, states, zone) if len(live["t"]) else live
    withdrawn = _outputs_of_retracted({name: values[gone] for name, values in merged.items()})
    _store_rows(views, c, folded)
    _store_rows(views, c, withdrawn)
    _store_pairs(views, c, folded, states, refold)
    _store_segment(views, c, folded, refold)


def _stored_pairs(views: Views, c: Any, pairs: list[int]) -> dict[int, tuple[int, int, str]]:
    found: dict[int, tuple[int, int, str]] = {}
    for start in range(0, len(pairs), _IN):
        chunk = pairs[start : start + _IN]
        marks = ", ".join("?" * len(chunk))
        c.execute(
            views.sql(
                "SELECT pair, last_t, last_touch, state FROM {view_pairs} "
                f"WHERE pair IN ({marks})"
            ),
            chunk,
        )
        for row in c.fetchall():
            found[int(row["pair"])] = (int(row["last_t"]), int(row["last_touch"]), row["state"])
    return found


def _classify(
    columns: Columns, stored: dict[int, tuple[int, int, str]], touched: set[int]
) -> tuple[set[int], set[int]]:
    """The pairs extended from their state, and the pairs refolded from scratch."""
    pair = columns["pair"]
    starts = _segments.segment_starts(pair)
    extend, refold = set(), set(touched)
    for index in starts.tolist():
        p = int(pair[index])
        if p in refold:
            continue
        before = stored.get(p)
        if before is None or (int(columns["t"][index]), int(columns["touch"][index])) > before[:2]:
            extend.add(p)
        else:
            refold.add(p)
    present = set(pair.tolist())
    return extend, {p for p in refold if p in stored or p in present}


def _history(views: Views, c: Any, pairs: list[int]) -> Columns:
    """The stored rows of ``pairs`` as input columns (then deleted)."""
    parts: list[Columns] = []
    for start in range(0, len(pairs), _IN):
        chunk = pairs[start : start + _IN]
        marks = ", ".join("?" * len(chunk))
        where = f"pair IN ({marks})"
        c.execute(
            views.sql(
                "SELECT pair, t, touch, kind, source, flags, size, duration "
                f"FROM {{view_rows}} WHERE {where}"
            ),
            chunk,
        )
        rows = c.fetchall()
        c.execute(views.sql(f"DELETE FROM {{view_rows}} WHERE {where}"), chunk)
        if rows:
            parts.append(_input_columns(rows))
    if not parts:
        return empty_columns()
    return {name: np.concatenate([p[name] for p in parts]) for name in INPUTS}


def _input_columns(rows: list[Any]) -> Columns:
    pair, t, touch, kind, source, flags, size, duration = (
        np.array(column, dtype=np.int64)
        for column in zip(*(values_of(r) for r in rows), strict=True)
    )
    unpacked = unpack(flags)
    return {
        "pair": pair,
        "t": t,
        "touch": touch,
        "kind": kind,
        "source": source,
        "noted": unpacked["noted"],
        "direction": unpacked["direction"],
        "role": unpacked["role"],
        "giver": unpacked["giver"],
        "size": size,
        "duration": duration,
        "personalized": unpacked["personalized"],
        "retracted": unpacked["retracted"],
    }


def _merge(columns: Columns, history: Columns) -> Columns:
    if not len(history["t"]):
        return columns
    merged = {name: np.concatenate((columns[name], history[name])) for name in INPUTS}
    order = np.lexsort((merged["touch"], merged["t"], merged["pair"]))
    return {name: values[order] for name, values in merged.items()}


def _states(
    pair: NDArray[np.int64], stored: dict[int, tuple[int, int, str]], extend: set[int]
) -> State:
    distinct = np.unique(pair).tolist()
    lists = []
    empty = State.empty(1).to_lists()[0] if distinct else []
    for p in distinct:
        lists.append(decode_state(stored[p][2]) if p in extend and p in stored else list(empty))
    return State.from_lists(lists) if lists else State.empty(0)


def _store_rows(views: Views, c: Any, folded: Columns) -> None:
    if not len(folded["t"]):
        return
    folded["flags"] = pack(folded)
    rows = list(
        zip(
            folded["pair"].tolist(),
            folded["t"].tolist(),
            folded["touch"].tolist(),
            folded["kind"].tolist(),
            folded["source"].tolist(),
            folded["flags"].tolist(),
            folded["size"].tolist(),
            folded["duration"].tolist(),
            folded["factor"].tolist(),
            strict=True,
        )
    )
    c.executemany(
        views.sql(
            "INSERT INTO {view_rows} (pair, t, touch, kind, source, flags, size, duration, "
            "factor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ),
        rows,
    )


def _store_pairs(views: Views, c: Any, folded: Columns, states: State, refold: set[int]) -> None:
    pair = folded["pair"]
    distinct = np.unique(pair)
    if len(distinct):
        ends = np.append(_segments.segment_starts(pair)[1:] - 1, len(pair) - 1)
        lists = states.to_lists()
        rows = [
            (
                int(p),
                int(p) & 0xFFFFFFFF,
                int(folded["t"][e]),
                int(folded["touch"][e]),
                encode_state(s),
            )
            for p, e, s in zip(distinct.tolist(), ends.tolist(), lists, strict=True)
        ]
        c.executemany(
            views.sql(
                "INSERT INTO {view_pairs} (pair, b, last_t, last_touch, state)"
                " VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (pair) DO UPDATE SET last_t = excluded.last_t, "
                "last_touch = excluded.last_touch, state = excluded.state"
            ),
            rows,
        )
    # A pair left with retracted rows only keeps its row (its timeline shows them), in
    # the state of a pair with nothing yet.
    empty = encode_state(State.empty(1).to_lists()[0])
    gone = sorted(refold - set(distinct.tolist()))
    views.executemany(
        c,
        "INSERT INTO {view_pairs} (pair, b, last_t, last_touch, state) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (pair) DO UPDATE SET last_t = excluded.last_t, "
        "last_touch = excluded.last_touch, state = excluded.state",
        [(p, p & 0xFFFFFFFF, NO_TIME, -1, empty) for p in gone],
    )


def _store_segment(views: Views, c: Any, folded: Columns, refold: set[int]) -> None:
    c.execute(views.sql("SELECT COALESCE(MAX(no), 0) AS top, COUNT(*) AS n FROM {view_segments}"))
    row = c.fetchone()
    number = int(row["top"]) + 1
    if len(folded["t"]):
        count, data = _segments.encode(folded)
        c.execute(
            views.sql("INSERT INTO {view_segments} (no, rows, data) VALUES (?, ?, ?)"),
            (number, count, data),
        )
    views.executemany(
        c,
        "INSERT INTO {view_voided} (pair, before) VALUES (?, ?) "
        "ON CONFLICT (pair) DO UPDATE SET before = excluded.before",
        [(p, number) for p in sorted(refold)],
    )
    if int(row["n"]) + 1 > _segments.COMPACT_AFTER:
        compact(views, c)


def compact(views: Views, c: Any) -> None:
    """Every segment rewritten as one, voided rows dropped."""
    segments, voided = load_segments(views, c)
    rows = _segments.live_rows(segments, voided)
    c.execute(views.sql("DELETE FROM {view_segments}"))
    c.execute(views.sql("DELETE FROM {view_voided}"))
    if len(rows["t"]):
        count, data = _segments.encode(rows)
        number = max(n for n, _ in segments) + 1
        c.execute(
            views.sql("INSERT INTO {view_segments} (no, rows, data) VALUES (?, ?, ?)"),
            (number, count, data),
        )


def load_segments(views: Views, c: Any) -> tuple[list[tuple[int, Columns]], dict[int, int]]:
    """Every segment's columns, and the voided pairs (pair -> first segment that counts)."""
    c.execute(views.sql("SELECT no, data FROM {view_segments} ORDER BY no"))
    segments = [(int(row["no"]), _segments.decode(row["data"])) for row in c.fetchall()]
    c.execute(views.sql("SELECT pair, before FROM {view_voided}"))
    voided = {int(row["pair"]): int(row["before"]) for row in c.fetchall()}
    return segments, voided
