"""Whole-process exports beside a DuckDB process computing the same from the raw file
(issue 14): ``ledger export decay`` (every pair's row, CSV to a file), ``ledger network
--all`` (whole-ledger network health at 6 dates, JSON) and ``ledger remind --me``
("who is fading", JSON), each against ``benchmarks/_duck.py`` reading the gzip'd SNAP
log and writing the same answer, rounds interleaved. Start-up is included on both
sides (a Python interpreter each; DuckDB's import, the ledger's imports). The answers
are checked equal once (floats to 1e-9) before timing. Target: <= 1.0x DuckDB.

The ledger is the session's caught-up email-Eu-core ledger (a copy): its first answer
is timed elsewhere (``test_first_answer.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _duck import same
from _harness import QUESTIONS, Row, answer, commands, edges, paired, run_process

import ledger

pytestmark = pytest.mark.benchmark(group="exports")

ROUNDS = 3


def setting(log: Path, path: Path) -> dict[str, Any]:
    """What both sides are asked: as of the log's last touch, "me" its busiest person,
    the ledger's half-life and a message's weight."""
    found = edges(log)
    people = Counter(p for a, b, _ in found for p in (a, b))
    with ledger.open(f"sqlite:///{path}") as book:
        model = book.decay_model
    return {
        "end": max(t for _, _, t in found),
        "me": people.most_common(1)[0][0],
        "half_life": model.half_life_days,
        "weight": model.weights["message"],
    }


def differences(question: str, url: str, log: Path, asked: dict[str, Any], out: Path) -> list[str]:
    """Where the two sides' answers differ (empty: they agree)."""
    ours, theirs = commands(question, url, log, asked, out)
    mine = answer(question, run_process(ours)[2], out, "ledger")
    duck = answer(question, run_process(theirs)[2], out, "duck")
    return same(mine, duck, question)


@pytest.mark.parametrize("question", QUESTIONS)
def test_export_vs_duckdb_process(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    ledger_copy: Callable[[], Path],
    email_log: Path,
    tmp_path: Path,
    question: str,
) -> None:
    path = ledger_copy()
    url = f"sqlite:///{path}"
    asked = setting(email_log, path)
    out = tmp_path / question
    wrong = differences(question, url, email_log, asked, out)
    assert not wrong, wrong[:10]
    ours, theirs = commands(question, url, email_log, asked, out)
    timing = paired(
        benchmark, lambda: run_process(ours), lambda: run_process(theirs), rounds=ROUNDS
    )
    ratio = timing.ledger / timing.reference
    shown = {
        "decay": "`ledger export decay` (every pair, CSV file)",
        "network": "`ledger network --all` (6 dates, JSON)",
        "fading": f"`ledger remind --me {asked['me']}` (JSON)",
    }[question]
    record_row(
        benchmark,
        Row(
            key=f"export_{question}",
            what=f"{shown}, whole process, email-Eu-core",
            ledger=f"{timing.ledger:.3f} s",
            reference=f"DuckDB process on the raw file {timing.reference:.3f} s",
            ratio=ratio,
            target="<= 1.0x DuckDB",
            met=ratio <= 1.0,
            figures={
                "ledger_seconds": timing.ledger_rounds,
                "duckdb_seconds": timing.reference_rounds,
                "as_of_unix": asked["end"],
                "me": asked["me"],
                "same_answer": True,
            },
            issue=14,
        ),
    )
