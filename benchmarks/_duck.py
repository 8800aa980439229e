"""The DuckDB references of the exports: the same numbers, computed from the raw file.

Run as its own process, as the whole-process rows of issue 14 need (``ledger export
decay``, ``ledger network --all``, ``ledger remind --me``: each beside this script
reading the same gzip'd SNAP log and writing the same answer)::

    python benchmarks/_duck.py decay RAW.txt.gz --as-of-us T [-o OUT.csv]
    python benchmarks/_duck.py network RAW.txt.gz --as-of-us T [--points 6]
    python benchmarks/_duck.py fading RAW.txt.gz --as-of-us T --me KEY

and imported by ``test_queries.py`` for issue 5's in-memory reference (:func:`events`).
Only the standard library and duckdb are imported, as a fair start-up.

The rules are the ledger's for an edge log (every touchpoint a ``message`` between two
people, UTC days; ``projections/decay.py``, ``depth.py``, ``reciprocity.py``,
``ledger.insights.reminders``), written again in SQL:

* a pair is ``a < b`` in key order; a line ``s d t`` goes ``a -> b`` (+1) when
  ``s < d``; rows of a pair are ordered by time, then by line;
* conversation sessions: a new session when more than 30 minutes passed since the
  pair's previous touch; the j-th touch of a session counts ``log2(1 + j) - log2(j)``;
  strength as of T is ``sum(w * factor * 2 ** (-(T - t) / h))`` over touches ``t <= T``;
* an exchange is a touch the other way than the pair's previous one; a two-way day is
  a UTC day on which both wrote; depth ``sustained`` at 3 two-way days, else
  ``two_way`` when both ever wrote, else ``one_way``;
* an opening is the first touch of a session (reciprocity's ``a_to_b``/``b_to_a``);
* rhythm: the median of the gaps (in days) between active days longer than 3 days,
  with at least 2 such gaps; fading when quiet longer than the rhythm; dormant when
  two-way or deeper and quiet for 3 years.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import Any

import duckdb

MICROS = 1_000_000
DAY_SECONDS = 86_400
SESSION_GAP_SECONDS = 1_800
BURST_DAYS = 3
MIN_GAPS = 2
OVERDUE_FACTOR = 2.0
DORMANT_YEARS = 3.0
LEVELS = ("inch_deep", "one_way", "two_way", "live", "sustained")


def events(con: Any, path: str, until_seconds: int | None = None) -> None:
    """Table ``fx(a, b, dir, t, day, pdir, j, f)`` of every touch of the raw log (up to
    ``until_seconds``): its pair, direction, unix time, UTC day, the direction of the
    pair's previous touch, its place in its session and its model-free factor."""
    until = "" if until_seconds is None else f"AND t <= {int(until_seconds)}"
    con.execute(
        "CREATE TEMP TABLE raw AS SELECT row_number() OVER () AS n, s, d, t FROM read_csv("
        "?, delim = ' ', header = false, compression = 'gzip', "
        "columns = {'s': 'VARCHAR', 'd': 'VARCHAR', 't': 'BIGINT'})",
        [path],
    )
    con.execute(
        f"""
        CREATE TEMP TABLE fx AS
        WITH e AS (
            SELECT n, least(s, d) AS a, greatest(s, d) AS b,
                   CASE WHEN s < d THEN 1 ELSE -1 END AS dir, t
            FROM raw WHERE s <> d {until}
        ), x AS (
            SELECT *, lag(t) OVER w AS pt, lag(dir) OVER w AS pdir
            FROM e WINDOW w AS (PARTITION BY a, b ORDER BY t, n)
        ), y AS (
            SELECT *, sum(CASE WHEN pt IS NULL OR t - pt > {SESSION_GAP_SECONDS} THEN 1
                          ELSE 0 END)
                      OVER (PARTITION BY a, b ORDER BY t, n ROWS UNBOUNDED PRECEDING) AS sid
            FROM x
        ), z AS (
            SELECT *, row_number() OVER (PARTITION BY a, b, sid ORDER BY t, n) AS j FROM y
        )
        SELECT a, b, dir, t, CAST(floor(t / {DAY_SECONDS}) AS BIGINT) AS day, pdir, j,
               log2(1 + j) - log2(j) AS f
        FROM z
        """
    )
    con.execute("DROP TABLE raw")


def _decay(con: Any, t: int, half_life_days: float, weight: float, out: str) -> int:
    at = t / MICROS
    h = half_life_days * DAY_SECONDS
    iso = "'%Y-%m-%dT%H:%M:%S+00:00'"
    as_of = _iso(t)
    model = f"half_life_days={half_life_days:g} timezone=UTC"
    query = f"""
        SELECT a, b, sum({weight} * f * pow(2.0, (t - {at}) / {h})) AS strength,
               count(*) AS touches,
               strftime(to_timestamp(min(t)), {iso}) AS first_touch_at,
               strftime(to_timestamp(max(t)), {iso}) AS last_touch_at,
               strftime(to_timestamp(max(CASE WHEN pdir = -dir THEN t END)), {iso})
                   AS last_exchange_at,
               ({at} - max(t)) / {DAY_SECONDS} AS days_since_last_touch,
               '{as_of}' AS as_of, '{model}' AS model
        FROM fx GROUP BY a, b ORDER BY a, b
    """
    con.execute(f"COPY ({query}) TO '{out}' (HEADER, DELIMITER ',')")
    return int(con.execute("SELECT count(*) FROM (SELECT DISTINCT a, b FROM fx)").fetchone()[0])


def _iso(t: int) -> str:
    moment = datetime.datetime.fromtimestamp(0, datetime.UTC) + datetime.timedelta(microseconds=t)
    return moment.isoformat()


def _pairs(con: Any) -> None:
    """Table ``pairs``: per pair, its first touch each way, two-way days, openings."""
    con.execute(
        """
        CREATE TEMP TABLE pairs AS
        WITH days AS (
            SELECT a, b, day, count(DISTINCT dir) = 2 AS both_ways FROM fx GROUP BY a, b, day
        ), two AS (
            SELECT a, b, count(*) FILTER (WHERE both_ways) AS two_way_days
            FROM days GROUP BY a, b
        )
        SELECT fx.a, fx.b, min(t) AS first_t,
               min(t) FILTER (WHERE dir = 1) AS forth_t,
               min(t) FILTER (WHERE dir = -1) AS back_t,
               count(*) FILTER (WHERE j = 1 AND dir = 1) AS a_to_b,
               count(*) FILTER (WHERE j = 1 AND dir = -1) AS b_to_a,
               any_value(two.two_way_days) AS two_way_days
        FROM fx JOIN two ON fx.a = two.a AND fx.b = two.b
        GROUP BY fx.a, fx.b
        """
    )


def _network(con: Any, t: int, points: int) -> dict[str, Any]:
    _pairs(con)
    end = datetime.datetime.fromtimestamp(0, datetime.UTC) + datetime.timedelta(microseconds=t)
    levels = dict(
        con.execute(
            "SELECT CASE WHEN two_way_days >= 3 THEN 4 WHEN forth_t IS NOT NULL AND "
            "back_t IS NOT NULL THEN 2 ELSE 1 END AS level, count(*) FROM pairs GROUP BY level"
        ).fetchall()
    )
    people, directed, mutual = con.execute(
        "SELECT (SELECT count(*) FROM (SELECT a FROM pairs UNION SELECT b FROM pairs)), "
        "count(*) FILTER (WHERE a_to_b > 0) + count(*) FILTER (WHERE b_to_a > 0), "
        "2 * count(*) FILTER (WHERE a_to_b > 0 AND b_to_a > 0) FROM pairs"
    ).fetchone()
    (first,) = con.execute("SELECT min(first_t) FROM pairs").fetchone()
    start = datetime.datetime.fromtimestamp(first, datetime.UTC)
    moments = [end]
    if points > 1:
        step = (end - start) / (points - 1)
        moments = [end if k == points - 1 else start + step * k for k in range(points)]
    history = []
    for moment in moments:
        at = (moment - datetime.datetime.fromtimestamp(0, datetime.UTC)) // datetime.timedelta(
            microseconds=1
        )
        size, talked = con.execute(
            "SELECT count(*) FILTER (WHERE first_t * 1000000 <= $at), count(*) FILTER (WHERE "
            "forth_t * 1000000 <= $at AND back_t * 1000000 <= $at) FROM pairs",
            {"at": at},
        ).fetchone()
        history.append(
            {
                "as_of": moment.isoformat(),
                "size": size,
                "talked_to": talked,
                "inch_deep_share": 0.0,
                "one_way_share": (size - talked) / size if size else 0.0,
                "talked_to_share": talked / size if size else 0.0,
            }
        )
    now = history[-1]
    density = directed / (people * (people - 1)) if people > 1 else 1.0
    rho = (mutual / directed - density) / (1.0 - density) if directed and density < 1 else None
    found = {
        "me": "(whole ledger)",
        "as_of": end.isoformat(),
        **{k: now[k] for k in ("size", "talked_to", "talked_to_share")},
        **{k: now[k] for k in ("inch_deep_share", "one_way_share")},
        "reciprocated_share": mutual / directed if directed else None,
        "reciprocity_coefficient": rho,
        "trend": _trend(history),
    }
    found.update({f"depth_{name}": int(levels.get(i, 0)) for i, name in enumerate(LEVELS)})
    found["history"] = history
    return found


def _trend(history: list[dict[str, Any]]) -> str:
    if len(history) < 2:
        return "steady"
    first, last = history[-2], history[-1]
    if last["size"] > first["size"]:
        if last["talked_to_share"] < first["talked_to_share"]:
            return "bigger but shallower"
        if last["talked_to_share"] > first["talked_to_share"]:
            return "bigger and deeper"
        return "bigger, as deep"
    return "smaller" if last["size"] < first["size"] else "steady"


def _fading(con: Any, t: int, me: str, half_life_days: float, weight: float) -> dict[str, Any]:
    at, h = t / MICROS, half_life_days * DAY_SECONDS
    rows = con.execute(
        f"""
        WITH mine AS (SELECT * FROM fx WHERE a = $me OR b = $me),
        days AS (
            SELECT a, b, day, count(DISTINCT dir) = 2 AS both_ways FROM mine GROUP BY a, b, day
        ), gaps AS (
            SELECT a, b, both_ways, day - lag(day) OVER (PARTITION BY a, b ORDER BY day) AS gap
            FROM days
        ), rhythm AS (
            SELECT a, b, count(*) AS active_days,
                   count(*) FILTER (WHERE both_ways) AS two_way_days,
                   count(*) FILTER (WHERE gap > {BURST_DAYS}) AS spaced,
                   median(gap) FILTER (WHERE gap > {BURST_DAYS}) AS rhythm
            FROM gaps GROUP BY a, b
        ), per AS (
            SELECT a, b, max(t) AS last, count(DISTINCT dir) = 2 AS both,
                   sum({weight} * f * pow(2.0, (t - {at}) / {h})) AS strength
            FROM mine GROUP BY a, b
        ), last AS (
            SELECT mine.a, mine.b,
                   sum({weight} * f * pow(2.0, (t - per.last) / {h})) AS strength_then
            FROM mine JOIN per ON mine.a = per.a AND mine.b = per.b GROUP BY mine.a, mine.b
        )
        SELECT CASE WHEN per.a = $me THEN per.b ELSE per.a END AS person, rhythm.rhythm,
               rhythm.spaced, ({at} - per.last) / {DAY_SECONDS} AS quiet, per.last,
               per.strength, last.strength_then, rhythm.active_days,
               CASE WHEN rhythm.two_way_days >= 3 THEN 'sustained'
                    WHEN per.both THEN 'two_way' ELSE 'one_way' END AS depth
        FROM per JOIN rhythm ON per.a = rhythm.a AND per.b = rhythm.b
                 JOIN last ON per.a = last.a AND per.b = last.b
        """,
        {"me": me},
    ).fetchall()
    fading, dormant, rhythmless = [], 0, 0
    for person, rhythm, spaced, quiet, last, strength, then, days, depth in rows:
        if depth != "one_way" and quiet >= DORMANT_YEARS * 365.25:
            dormant += 1
            continue
        if spaced < MIN_GAPS:
            rhythmless += 1
            continue
        if quiet > rhythm:
            moment = datetime.datetime.fromtimestamp(last, datetime.UTC)
            fading.append(
                {
                    "person": person,
                    "status": "due" if quiet <= OVERDUE_FACTOR * rhythm else "overdue",
                    "score": quiet / rhythm * strength,
                    "rhythm_days": float(rhythm),
                    "days_since": quiet,
                    "last_touch_at": moment.isoformat(),
                    "ideal_at": (moment + datetime.timedelta(days=rhythm)).isoformat(),
                    "overdue_at": (
                        moment + datetime.timedelta(days=OVERDUE_FACTOR * rhythm)
                    ).isoformat(),
                    "strength": strength,
                    "depth": depth,
                    "active_days": days,
                    # computed as the ledger does (its table shows it), not in its JSON
                    "strength_at_last_touch": then,
                }
            )
    fading.sort(key=lambda r: (-r["score"], r["person"]))
    for reminder in fading:
        del reminder["strength_at_last_touch"]
    return {
        "me": me,
        "as_of": _iso(t),
        "fading": len(fading),
        "dormant": dormant,
        "snoozed": 0,
        "without_rhythm": rhythmless,
        "reminders": fading,
    }


def same(ours: Any, theirs: Any, where: str = "") -> list[str]:
    """Where two answers (parsed JSON, or CSV rows as dicts of text) differ, floats
    compared to 1e-9 relative (sums in another order); empty when they agree."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        if set(ours) != set(theirs):
            return [f"{where}: keys {sorted(set(ours) ^ set(theirs))}"]
        return [d for k in ours for d in same(ours[k], theirs[k], f"{where}.{k}")]
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return [f"{where}: {len(ours)} vs {len(theirs)} items"]
        pairs = enumerate(zip(ours, theirs, strict=True))
        return [d for i, (x, y) in pairs for d in same(x, y, f"{where}[{i}]")]
    return [] if _close(ours, theirs) else [f"{where}: {ours!r} vs {theirs!r}"]


def _close(ours: Any, theirs: Any) -> bool:
    if ours == theirs:
        return True
    try:
        x, y = float(ours), float(theirs)
    except (TypeError, ValueError):
        return False
    return abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1e-12)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("question", choices=("decay", "network", "fading"))
    parser.add_argument("raw")
    parser.add_argument("--as-of-us", type=int, required=True)
    parser.add_argument("--half-life", type=float, default=90.0)
    parser.add_argument("--weight", type=float, default=1.0, help="a message's weight")
    parser.add_argument("--points", type=int, default=6)
    parser.add_argument("--me")
    parser.add_argument("-o", "--output", default="/dev/stdout")
    args = parser.parse_args(argv)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    events(con, args.raw, args.as_of_us // MICROS)
    if args.question == "decay":
        _decay(con, args.as_of_us, args.half_life, args.weight, args.output)
        return 0
    if args.question == "network":
        found = _network(con, args.as_of_us, args.points)
    else:
        found = _fading(con, args.as_of_us, args.me, args.half_life, args.weight)
    with open(args.output, "w") as out:
        json.dump(found, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
