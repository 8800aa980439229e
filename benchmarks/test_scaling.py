"""The scaling table of issue 14: the same steps at 0.5M, 1M and 2M touchpoints (and 5M,
10M when asked: ``LEDGER_BENCH_SCALES=5000000,10000000``), each a whole ``ledger``
process on a fresh SQLite file, one round per size (two for the exports):

import (``ledger import edges``); first answer (``ledger pair A B``, which catches the
views up on the whole import first); the file's size then; ``ledger export decay``,
``ledger network --all`` and ``ledger remind --me`` beside a DuckDB process computing
the same from the raw file (``_duck.py``); one pair as of T in-process (median of 200
random T; the same pair at every size); ``ledger audit``; ``ledger replay --verify``;
the peak RSS over all these processes.

The ledgers are synthetic but shaped like real data: copies of email-Eu-core-temporal
one after another in time, copy k's ids shifted by k x 10,000 (``_harness.scaled_log``):
a bigger organisation made of departments like the real one that never write to each
other, 986 more people and ~16k more pairs per 332k touchpoints. "Me" (the fading
question) is the busiest person of the last whole copy; the pair asked is the busiest
pair of the first copy.
"""

from __future__ import annotations

import os
import statistics
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _duck import same
from _harness import (
    EMAIL,
    ID_SHIFT,
    LEDGER_CLI,
    QUESTIONS,
    SMOKE,
    Row,
    answer,
    bytes_by_part,
    commands,
    edges,
    file_bytes,
    pair_query_ms,
    run_process,
    sample,
    scaled_log,
)

from ledger.facts.time import from_micros

pytestmark = pytest.mark.benchmark(group="scaling")

DEFAULT_SCALES = "500000,1000000,2000000"
SCALES = [
    int(n)
    for n in ("20000" if SMOKE else os.environ.get("LEDGER_BENCH_SCALES") or DEFAULT_SCALES).split(
        ","
    )
]
PAIR_QUERIES = 20 if SMOKE else 200


def _asked(source: Path, last_full: int, end: int) -> dict[str, Any]:
    found = edges(source)
    pairs = Counter(tuple(sorted((a, b), key=int)) for a, b, _ in found)
    people = Counter(p for a, b, _ in found for p in (a, b))
    me = int(people.most_common(1)[0][0]) + last_full * ID_SHIFT
    a, b = pairs.most_common(1)[0][0]
    return {"end": end, "me": str(me), "pair": (a, b), "half_life": 90.0, "weight": 1.0}


@pytest.mark.parametrize("touchpoints", SCALES, ids=[f"{n:,}" for n in SCALES])
def test_scaling(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    data_dir: Path,
    tmp_path: Path,
    touchpoints: int,
) -> None:
    if not EMAIL.exists():
        pytest.skip(f"real data absent: {EMAIL} (see ../shared/data/README.md)")
    source = sample(EMAIL, data_dir)
    log = scaled_log(source, tmp_path / f"log-{touchpoints}.txt.gz", touchpoints)
    asked = _asked(source, log.last_full, log.end)
    path = tmp_path / "ledger.db"
    url = f"sqlite:///{path}"
    steps: dict[str, tuple[float, int]] = {}

    def run(step: str, *args: Any) -> str:
        seconds, rss, out = run_process([LEDGER_CLI, "--db", url, *args])
        steps[step] = (seconds, rss)
        return out

    def measure() -> None:
        run("import", "import", "edges", log.path)
        a, b = asked["pair"]
        run("first_answer", "pair", a, b, "--as-of", f"@{log.end}")

    benchmark.pedantic(measure, rounds=1, iterations=1)
    size, parts = file_bytes(path), bytes_by_part(path)
    exports = _exports(
        url, log.path, asked, tmp_path, rounds=1 if SMOKE or touchpoints > 2_000_000 else 2
    )
    for question in QUESTIONS:
        steps[f"export {question}"] = (
            exports[f"{question}_seconds"],
            exports.pop(f"{question}_rss"),
        )
    pair_ms, _, _ = pair_query_ms(path, PAIR_QUERIES)
    run("audit", "audit")
    run("verify", "replay", "--verify")
    peak_step, (_, peak) = max(steps.items(), key=lambda item: item[1][1])
    figures = {
        "touchpoints": log.touchpoints,
        "copies": log.copies,
        "end": from_micros(log.end * 1_000_000).isoformat(),
        **{f"{step}_seconds": seconds for step, (seconds, _) in steps.items() if " " not in step},
        **{f"{step.replace(' ', '_')}_rss_mb": rss / 2**20 for step, (_, rss) in steps.items()},
        **exports,
        "pair_ms": pair_ms,
        "peak_rss_mb": peak / 2**20,
        "peak_rss_step": peak_step,
        "file_bytes": size,
        "bytes": parts,
    }
    first = steps["import"][0] + steps["first_answer"][0]
    record_row(
        benchmark,
        Row(
            key=f"scale_{touchpoints}",
            what=f"scaling, {log.touchpoints:,} touchpoints",
            ledger=f"import + first answer {log.touchpoints / first:,.0f}/s",
            reference="DuckDB processes on the raw file (exports)",
            ratio=None,
            target="linear or better growth",
            met=None,
            figures=figures,
            issue=14,
        ),
    )


def _exports(
    url: str, log: Path, asked: dict[str, Any], folder: Path, rounds: int
) -> dict[str, Any]:
    """Seconds of each export and of its DuckDB process (medians of ``rounds``,
    interleaved), and whether their answers (of the first round) agree."""
    found: dict[str, Any] = {}
    for question in QUESTIONS:
        out = folder / question
        ours, theirs = commands(question, url, log, asked, out)
        mine: list[float] = []
        duck: list[float] = []
        for number in range(rounds):
            seconds, rss, duck_out = run_process(theirs)
            duck.append(seconds)
            seconds, rss, our_out = run_process(ours)
            mine.append(seconds)
            if number == 0:
                wrong = same(
                    answer(question, our_out, out, "ledger"),
                    answer(question, duck_out, out, "duck"),
                    question,
                )
                found[f"{question}_differences"] = wrong[:5]
                found[f"{question}_same_answer"] = not wrong
            found[f"{question}_rss"] = max(rss, found.get(f"{question}_rss", 0))
        found[f"{question}_seconds"] = statistics.median(mine)
        found[f"{question}_duckdb_seconds"] = statistics.median(duck)
    return found
