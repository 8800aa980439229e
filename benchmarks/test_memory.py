"""Peak memory (RSS) of importing and replaying sx-mathoverflow, each its own process.

``--skip-invalid`` skips its 116,109 self-loops. The peak of each process is read with
GNU time (see ``_harness.run_process``). The import of the smaller e-mail log is
measured too (the import row records its peak), to see whether state grows with events
or with pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _harness import LEDGER_CLI, Row, run_process

import ledger

pytestmark = pytest.mark.benchmark(group="memory")

LIMIT_MB = 400


def test_peak_rss_import_and_replay_mathoverflow(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    results: dict[str, Row],
    mathoverflow_log: Path,
    tmp_path: Path,
) -> None:
    path = tmp_path / "mathoverflow.db"
    url = f"sqlite:///{path}"
    found: dict[str, tuple[float, int]] = {}

    def import_and_replay() -> None:
        command = [LEDGER_CLI, "--db", url, "import", "edges", mathoverflow_log, "--skip-invalid"]
        found["import"] = run_process(command)[:2]
        found["replay"] = run_process([LEDGER_CLI, "--db", url, "replay"])[:2]

    benchmark.pedantic(import_and_replay, rounds=1, iterations=1)
    record_row(benchmark, _rss_row(path, found, results.get("import")))


def _rss_row(path: Path, found: dict[str, tuple[float, int]], email: Row | None) -> Row:
    with ledger.open(f"sqlite:///{path}") as book:
        events = book.log_position
        pairs = len(book.pair_table()["a"])
    mb = {step: rss / 2**20 for step, (_, rss) in found.items()}
    peak = max(mb.values())
    email_peak = (
        "" if email is None else f"email-Eu-core import {email.figures['peak_rss_mb']:.0f} MB"
    )
    return Row(
        key="rss",
        what=f"peak RSS, import + replay sx-mathoverflow ({events:,} events, {pairs:,} pairs)",
        ledger=f"{peak:.0f} MB (import {mb['import']:.0f}, replay {mb['replay']:.0f})",
        reference=email_peak or "-",
        ratio=None,
        target=f"<= {LIMIT_MB} MB",
        met=peak <= LIMIT_MB,
        figures={
            "events": events,
            "pairs": pairs,
            "import_seconds": found["import"][0],
            "replay_seconds": found["replay"][0],
            "import_rss_mb": mb["import"],
            "replay_rss_mb": mb["replay"],
        },
    )
