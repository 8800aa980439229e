"""Start-up cost: ``ledger --help`` and ``import ledger`` beside ``python -c pass``
(issue 5); ``ledger export --help`` beside the start-up of the DuckDB process the
exports are compared with (issue 14: start-up is part of every whole-process row).

Each is a new process, repeated and interleaved (bare, help, import, bare, ...), and
the medians compared: what the ledger adds to the bare interpreter.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from typing import Any

import pytest
from _harness import LEDGER_CLI, SMOKE, Row, run_process

pytestmark = pytest.mark.benchmark(group="startup")

REPEATS = 3 if SMOKE else 15
COMMANDS = {
    "bare": [sys.executable, "-c", "pass"],
    "startup_help": [str(LEDGER_CLI), "--help"],
    "startup_import": [sys.executable, "-c", "import ledger"],
    "startup_export": [str(LEDGER_CLI), "export", "--help"],
    "duckdb": [sys.executable, "-c", "import duckdb"],
}


def _medians() -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(REPEATS):
        for name, command in COMMANDS.items():
            times[name].append(run_process(command, peak=False)[0])
    return {name: statistics.median(values) for name, values in times.items()}


def test_startup_vs_bare_interpreter(
    benchmark: Any, record_row: Callable[[object, Row], None]
) -> None:
    found: dict[str, float] = {}
    benchmark.pedantic(lambda: found.update(_medians()), rounds=1, iterations=1)
    bare = found["bare"]
    for key, what in (("startup_help", "`ledger --help`"), ("startup_import", "`import ledger`")):
        extra = found[key] - bare
        record_row(
            benchmark,
            Row(
                key=key,
                what=f"{what}, median of {REPEATS} processes",
                ledger=f"{found[key]:.3f} s (+{extra:.3f} s)",
                reference=f"python -c pass {bare:.3f} s",
                ratio=found[key] / bare,
                target="<= +0.3 s",
                met=extra <= 0.3,
                figures={"seconds": found[key], "bare_seconds": bare, "extra_seconds": extra},
            ),
        )
    extra = found["startup_export"] - bare
    record_row(
        benchmark,
        Row(
            key="startup_export",
            what=f"start-up: `ledger export --help`, median of {REPEATS} processes",
            ledger=f"{found['startup_export']:.3f} s (+{extra:.3f} s over python -c pass)",
            reference=f"`python -c 'import duckdb'` {found['duckdb']:.3f} s",
            ratio=found["startup_export"] / found["duckdb"],
            target="<= +0.3 s (lazy imports)",
            met=extra <= 0.3,
            figures={
                "seconds": found["startup_export"],
                "bare_seconds": bare,
                "duckdb_seconds": found["duckdb"],
                "extra_seconds": extra,
            },
            issue=14,
        ),
    )
