"""``ledger audit`` and ``ledger replay --verify`` (issue 14): touchpoints checked per
second and peak RSS, each a whole process on a caught-up SQLite ledger of
email-Eu-core-temporal (332k touchpoints) and of sx-mathoverflow (390k).

The audit reads every stored event, checks versions and the hash chain, the index of
touchpoint ids, and compares the views with a replay; ``replay --verify`` only the
last. Targets: >= 200,000 touchpoints/s ("events/s" in the issue, written when a
touchpoint was an event: the ledger now stores batches) and a peak RSS under 300 MB
(the issue asks it at 10M events; here at the size measured, see the scaling table).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _harness import LEDGER_CLI, SMOKE, Row, copy_ledger, run_process, touchpoints_of

pytestmark = pytest.mark.benchmark(group="audit")

ROUNDS = 2
RATE = 200_000
RSS_MB = 300


@pytest.mark.parametrize("name", ["email", "mathoverflow"])
@pytest.mark.parametrize("command", ["audit", "verify"])
def test_audit_and_verify(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    name: str,
    command: str,
) -> None:
    source: Path = request.getfixturevalue(f"{name}_ledger")
    path = copy_ledger(source, tmp_path / "ledger.db")
    touchpoints = touchpoints_of(path)
    args = ["audit"] if command == "audit" else ["replay", "--verify"]
    runs: list[tuple[float, int]] = []
    benchmark.pedantic(
        lambda: runs.append(run_process([LEDGER_CLI, "--db", f"sqlite:///{path}", *args])[:2]),
        rounds=1 if SMOKE else ROUNDS,
        iterations=1,
    )
    seconds = statistics.median(s for s, _ in runs)
    peak = max(rss for _, rss in runs) / 2**20
    per_second = touchpoints / seconds
    title = "email-Eu-core" if name == "email" else "sx-mathoverflow"
    shown = "`ledger audit`" if command == "audit" else "`ledger replay --verify`"
    record_row(
        benchmark,
        Row(
            key=f"{command}_{name}",
            what=f"{shown}, whole process, {title} ({touchpoints:,} touchpoints)",
            ledger=f"{per_second:,.0f}/s ({seconds:.2f} s), peak RSS {peak:.0f} MB",
            reference="-",
            ratio=None,
            target=f">= {RATE:,}/s, RSS < {RSS_MB} MB",
            met=per_second >= RATE and peak < RSS_MB,
            figures={
                "touchpoints": touchpoints,
                "seconds": [s for s, _ in runs],
                "per_second": per_second,
                "peak_rss_mb": peak,
            },
            issue=14,
        ),
    )
