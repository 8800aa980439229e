"""Importing a 10-year mailbox of 100,000 messages (issue 16: under a minute).

The mbox is synthetic, built from a real one's shape (``_mbox.py``): 300 MB, headers
as mail clients store them, bodies of 0.5-4 KB, Zipf-distributed correspondents. The
whole ``import_mail`` is timed: reading, header parsing, identities, the one write.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _harness import Row, timed
from _mbox import OWNER, write_mbox

import ledger
from ledger.sources import ImportSummary
from ledger.sources.mail import import_mail

pytestmark = pytest.mark.benchmark(group="mail")

MESSAGES = 5_000 if os.environ.get("LEDGER_BENCH_LINES") else 100_000
TARGET_SECONDS = 60.0


@pytest.fixture(scope="module")
def mailbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mbox(tmp_path_factory.mktemp("mail") / "ten-years.mbox", MESSAGES)


def test_import_a_ten_year_mailbox(
    benchmark: Any, record_row: Callable[[object, Row], None], mailbox: Path, tmp_path: Path
) -> None:
    def run() -> ImportSummary:
        with ledger.open(f"sqlite:///{tmp_path / uuid.uuid4().hex}.db") as book:
            return import_mail(book, mailbox, me=OWNER)

    found: list[ImportSummary] = []
    # Timed here, not read from benchmark.stats (empty under --benchmark-disable).
    seconds = timed(lambda: benchmark.pedantic(lambda: found.append(run()), rounds=1))
    summary = found[0]
    assert summary.rows_read == MESSAGES and summary.balanced
    print(f"\n{MESSAGES:,} messages in {seconds:.1f} s ({MESSAGES / seconds:,.0f}/s)")
    record_row(
        benchmark,
        Row(
            key="mail",
            what=f"`import_mail` of a synthetic 10-year mbox ({MESSAGES:,} messages, "
            f"{summary.added:,} touchpoints)",
            ledger=f"{seconds:.1f} s ({MESSAGES / seconds:,.0f} messages/s)",
            reference="-",
            ratio=None,
            target=f"< {TARGET_SECONDS:.0f} s",
            met=seconds < TARGET_SECONDS,
            figures={"messages": MESSAGES, "seconds": seconds, "touchpoints": summary.added},
            issue=16,
        ),
    )
    if MESSAGES == 100_000:
        assert seconds < TARGET_SECONDS
