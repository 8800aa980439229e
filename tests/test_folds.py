"""The vectorised folds in projections/ against a plain one-row-at-a-time reference.

The reference below is written from the rules in the folds' docs (and
validation/FINDINGS.md §6), not from the folds' code: per pair, rows in order, one
dictionary of state. Hypothesis draws histories of several pairs and cuts them into
rounds at random points, so the state a round hands on is checked too.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger.projections import (
    CO,
    DIRECT,
    INTRODUCED,
    KIND_CODE,
    KINDS,
    Rows,
    Segments,
    State,
    decay,
    depth,
    reciprocity,
)

from ledger.facts.kinds import CONVERSATION, GIVING, LIVE, SIGNAL, Kind

GAP = 1800 * 1_000_000
DAY = 86_400 * 1_000_000


def g(seconds: float) -> float:
    return math.log2(1 + seconds / 60) / math.log2(1 + 1800 / 60)


def reference(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Outputs of one pair's rows, in order, from the rules."""
    out = []
    session: dict[Kind, tuple[int, int]] = {}
    totals: dict[tuple[Kind, int], int] = {}
    a_out = b_out = lives = one_ways = two_way_days = 0
    day_sides: dict[int, set[str]] = defaultdict(set)
    last_sender = 0
    for row in rows:
        kind, role, direction = row["kind"], row["role"], row["direction"]
        size, duration, day = row["size"], row["duration"], row["t"] // DAY
        shape, j = 1.0, 0
        if kind in CONVERSATION and role != INTRODUCED:
            last = session.get(kind)
            j = last[1] + 1 if last is not None and row["t"] - last[0] <= GAP else 1
            session[kind] = (row["t"], j)
            shape = math.log2(1 + j) - math.log2(j)
        elif kind in LIVE and role != INTRODUCED and duration >= 0:
            before = totals.get((kind, day), 0)
            totals[(kind, day)] = before + duration
            shape = g(before + duration) - g(before)
        group = (
            1 / (size - 1)
            if (kind in LIVE | CONVERSATION) and role != INTRODUCED and size > 2
            else 1
        )
        direct = role == DIRECT and direction != 0
        opens = 0
        if direct and ((kind in CONVERSATION and j == 1) or kind in LIVE or kind in GIVING):
            opens = direction
        reaching = direct and kind in CONVERSATION | GIVING
        live = kind in LIVE and role != INTRODUCED and size <= 10 and duration != 0
        a_out += reaching and direction > 0
        b_out += reaching and direction < 0
        lives += live
        one_ways += direct and kind in CONVERSATION | GIVING | SIGNAL | LIVE
        sides = day_sides[day]
        was = "L" in sides or {"A", "B"} <= sides
        if reaching:
            sides.add("A" if direction > 0 else "B")
        if live:
            sides.add("L")
        new_day = ("L" in sides or {"A", "B"} <= sides) and not was
        two_way_days += new_day
        exchange = live or (reaching and last_sender != 0 and direction == -last_sender)
        if reaching:
            last_sender = direction
        reached = 1 | (2 if one_ways else 0) | (4 if a_out and b_out else 0)
        reached |= (8 if lives else 0) | (16 if two_way_days >= 3 else 0)
        out.append(
            {
                "factor": group * shape,
                "opens": opens,
                "reached": reached,
                "new_day": new_day,
                "exchange": exchange,
            }
        )
    return out


KIND_CHOICES = [
    Kind.MESSAGE,
    Kind.EMAIL,
    Kind.MEETING,
    Kind.CALL,
    Kind.FAVOR,
    Kind.REACTION,
    Kind.INTRODUCTION,
    Kind.CONNECTION_REQUESTED,
]


@st.composite
def histories(draw: Any) -> list[dict[str, Any]]:
    pairs = draw(st.integers(1, 4))
    rows = []
    for touch, _ in enumerate(range(draw(st.integers(1, 40)))):
        kind = draw(st.sampled_from(KIND_CHOICES))
        role = (
            INTRODUCED
            if kind is Kind.INTRODUCTION and draw(st.booleans())
            else draw(st.sampled_from([DIRECT, DIRECT, CO]))
        )
        direction = 0 if role != DIRECT else draw(st.sampled_from([1, -1]))
        rows.append(
            {
                "pair": draw(st.integers(0, pairs - 1)),
                # minutes apart, over a few days: sessions and days both break
                "t": draw(st.integers(0, 5 * 24 * 60)) * 60_000_000,
                "touch": touch,
                "kind": kind,
                "direction": direction,
                "role": role,
                "giver": direction if kind in GIVING and role == DIRECT else 0,
                "size": draw(st.sampled_from([2, 2, 3, 12])),
                "duration": draw(st.sampled_from([-1, 0, 20, 600, 3600])) if kind in LIVE else -1,
            }
        )
    rows.sort(key=lambda r: (r["pair"], r["t"], r["touch"]))
    return rows


def columns(rows: list[dict[str, Any]]) -> Rows:
    def col(name: str, dtype: Any) -> Any:
        return np.array([r[name] for r in rows], dtype=dtype)

    return Rows(
        pair=col("pair", np.int64),
        t=col("t", np.int64),
        touch=col("touch", np.int64),
        kind=np.array([KIND_CODE[r["kind"]] for r in rows], dtype=np.int8),
        direction=col("direction", np.int8),
        role=col("role", np.int8),
        giver=col("giver", np.int8),
        size=col("size", np.int32),
        duration=col("duration", np.int64),
        day=np.array([r["t"] // DAY for r in rows], dtype=np.int64),
    )


def run(rows: list[dict[str, Any]], cut: int, pairs: int) -> list[dict[str, Any]]:
    """The folds over ``rows`` in two rounds (each pair's first ``cut`` rows, then the
    rest), with the state handed from one to the other."""
    state = State.empty(pairs)
    seen: dict[int, int] = defaultdict(int)
    first, second = [], []
    for row in rows:
        (first if seen[row["pair"]] < cut else second).append(row)
        seen[row["pair"]] += 1
    outputs: dict[int, dict[str, Any]] = {}
    for part in (first, second):
        if not part:
            continue
        cols = columns(part)
        seg = Segments.of(cols.pair)
        dec, dec_up = decay.fold(cols, seg, state)
        rec = reciprocity.fold(cols, dec["session"])
        dep, dep_up = depth.fold(cols, seg, state)
        decay.apply(state, dec_up)
        depth.apply(state, dep_up)
        for i, row in enumerate(part):
            outputs[row["touch"]] = {
                "factor": float(dec["factor"][i]),
                "opens": int(rec["opens"][i]),
                "reached": int(dep["reached"][i]),
                "new_day": bool(dep["new_day"][i]),
                "exchange": bool(dep["exchange"][i]),
            }
    return [outputs[row["touch"]] for row in rows]


@settings(max_examples=300)
@given(histories(), st.integers(0, 40))
def test_folds_equal_the_rules_row_by_row_across_rounds(
    rows: list[dict[str, Any]], cut: int
) -> None:
    got = run(rows, cut, pairs=4)
    expected: list[dict[str, Any]] = []
    by_pair: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_pair[row["pair"]].append(row)
    want = {p: iter(reference(rs)) for p, rs in by_pair.items()}
    expected = [next(want[row["pair"]]) for row in rows]
    for g_row, e_row, row in zip(got, expected, rows, strict=True):
        assert math.isclose(g_row["factor"], e_row["factor"], rel_tol=1e-12, abs_tol=1e-12), row
        assert {k: v for k, v in g_row.items() if k != "factor"} == {
            k: v for k, v in e_row.items() if k != "factor"
        }, row


def test_a_long_evening_weighs_less_than_a_year_of_regular_contact() -> None:
    """160 messages in one evening against one short exchange a week for a year."""
    evening = [
        {
            "kind": Kind.MESSAGE,
            "role": DIRECT,
            "direction": 1 if i % 2 else -1,
            "size": 2,
            "duration": -1,
            "t": i * 60_000_000,
        }
        for i in range(160)
    ]
    weekly = [
        {
            "kind": Kind.MESSAGE,
            "role": DIRECT,
            "direction": 1 if i % 2 else -1,
            "size": 2,
            "duration": -1,
            "t": (i // 2) * 7 * DAY + (i % 2) * 60_000_000,
        }
        for i in range(104)
    ]
    assert sum(r["factor"] for r in reference(evening)) < 7.4
    assert sum(r["factor"] for r in reference(weekly)) > 50
    _ = KINDS
