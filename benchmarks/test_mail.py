"""Importing a 10-year mailbox of 100,000 messages (issue 16: under a minute).

The mbox is synthetic, built from a real one's shape (``_mbox.py``): 300 MB, headers
as mail clients store them, bodies of 0.5-4 KB, Zipf-distributed correspondents. The
whole ``import_mail`` is timed: reading, header parsing, identities, the one write.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
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


def test_import_a_ten_year_mailbox(benchmark: Any, mailbox: Path, tmp_path: Path) -> None:
    def run() -> ImportSummary:
        with ledger.open(f"sqlite:///{tmp_path / uuid.uuid4().hex}.db") as book:
            return import_mail(book, mailbox, me=OWNER)

    summary = benchmark.pedantic(run, rounds=1, iterations=1)
    assert summary.rows_read == MESSAGES and summary.balanced
    seconds = benchmark.stats.stats.max
    print(f"\n{MESSAGES:,} messages in {seconds:.1f} s ({MESSAGES / seconds:,.0f}/s)")
    if MESSAGES == 100_000:
        assert seconds < TARGET_SECONDS
