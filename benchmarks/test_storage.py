"""Storage per touchpoint (issue 14): the bytes on disk of a SQLite ledger after its
import and first catch-up, over its touchpoints, split into the log (stored events,
hash chain, touchpoint-id index, keys, identities) and the views (every
``ledger_view_*`` table and index), from SQLite's ``dbstat``. Target: <= 200 bytes per
touchpoint for events + views. Measured on email-Eu-core-temporal and sx-mathoverflow
(their session ledgers, as a user's import and first question leave them).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _harness import Row, bytes_by_part, copy_ledger, file_bytes, touchpoints_of

pytestmark = pytest.mark.benchmark(group="storage")

TARGET = 200


@pytest.mark.parametrize("name", ["email", "mathoverflow"])
def test_bytes_per_touchpoint(
    benchmark: Any,
    record_row: Callable[[object, Row], None],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    name: str,
) -> None:
    source: Path = request.getfixturevalue(f"{name}_ledger")
    path = copy_ledger(source, tmp_path / "ledger.db")
    touchpoints = touchpoints_of(path)
    found: dict[str, int] = {}
    benchmark.pedantic(lambda: found.update(bytes_by_part(path)), rounds=1, iterations=1)
    total = file_bytes(path)
    per = total / touchpoints
    title = "email-Eu-core" if name == "email" else "sx-mathoverflow"
    record_row(
        benchmark,
        Row(
            key=f"storage_{name}",
            what=f"storage, events + views, {title} ({touchpoints:,} touchpoints)",
            ledger=f"{per:.0f} B/touchpoint ({total / 2**20:.1f} MB)",
            reference=(
                f"log {found['events'] / touchpoints:.0f} B + views "
                f"{found['views'] / touchpoints:.0f} B + free pages "
                f"{found['free'] / touchpoints:.0f} B"
            ),
            ratio=None,
            target=f"<= {TARGET} B/touchpoint",
            met=per <= TARGET,
            figures={"touchpoints": touchpoints, "file_bytes": total, **found},
            issue=14,
        ),
    )
