"""Import + first answer together, as a user feels it (issue 14): the whole
``ledger import edges`` process, then the whole ``ledger pair A B`` process that asks
the first question (its views catch up on the whole import first), on SQLite, for the
edge logs email-Eu-core-temporal (332k touchpoints) and sx-mathoverflow (390k
touchpoints once its self-loops are skipped). A fresh file each round. Target: both
together >= 100,000 touchpoints/s.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _harness import LEDGER_CLI, SMOKE, Row, edges, fresh_paths, run_process

pytestmark = pytest.mark.benchmark(group="first-answer")

ROUNDS = 3
TARGET = 100_000


def busiest(log: Path) -> tuple[str, str, int]:
    """The pair with the most touchpoints in a raw log, and the log's last unix time."""
    found = edges(log)
    count = Counter(tuple(sorted((a, b))) for a, b, _ in found)
    (a, b), _ = count.most_common(1)[0]
    return a, b, max(t for _, _, t in found)


def import_then_ask(path: Path, log: Path, skip_invalid: bool) -> dict[str, float]:
    """Seconds and peak RSS of the import process and of the first question's."""
    a, b, end = busiest(log)
    url = f"sqlite:///{path}"
    command = [LEDGER_CLI, "--db", url, "import", "edges", log]
    imported, import_rss, _ = run_process([*command, "--skip-invalid"] if skip_invalid else command)
    asked, ask_rss, out = run_process([LEDGER_CLI, "--db", url, "pair", a, b, "--as-of", f"@{end}"])
    assert "in touch: yes" in out or "strength" in out, out
    return {
        "import_seconds": imported,
        "answer_seconds": asked,
        "import_rss_mb": import_rss / 2**20,
        "answer_rss_mb": ask_rss / 2**20,
    }


@pytest.mark.parametrize("name", ["email", "mathoverflow"])
def test_import_and_first_answer(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    name: str,
) -> None:
    log: Path = request.getfixturevalue(f"{name}_log")
    touchpoints = len(edges(log))
    paths = fresh_paths(tmp_path, name)
    runs: list[dict[str, float]] = []
    benchmark.pedantic(
        lambda: runs.append(import_then_ask(next(paths), log, skip_invalid=name != "email")),
        rounds=1 if SMOKE else ROUNDS,
        iterations=1,
    )
    both = statistics.median(r["import_seconds"] + r["answer_seconds"] for r in runs)
    imported = statistics.median(r["import_seconds"] for r in runs)
    answered = statistics.median(r["answer_seconds"] for r in runs)
    per_second = touchpoints / both
    title = "email-Eu-core" if name == "email" else "sx-mathoverflow"
    record_row(
        benchmark,
        Row(
            key=f"first_answer_{name}",
            what=f"import + first answer, whole processes, {title} ({touchpoints:,} touchpoints)",
            ledger=f"{per_second:,.0f}/s ({both:.2f} s)",
            reference=f"import alone {imported:.2f} s + `ledger pair` {answered:.2f} s",
            ratio=None,
            target=f">= {TARGET:,}/s",
            met=per_second >= TARGET,
            figures={
                "touchpoints": touchpoints,
                "runs": runs,
                "seconds": both,
                "per_second": per_second,
                "peak_rss_mb": max(max(r["import_rss_mb"], r["answer_rss_mb"]) for r in runs),
            },
            issue=14,
        ),
    )
