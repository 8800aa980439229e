"""What the fault and crash tests share: the ``ledger`` command as a separate process,
the one line an expected fault must be, edge files, and what "unchanged" means."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import orjson

import ledger

LEDGER = str(Path(sys.executable).with_name("ledger"))
ENV = {"LEDGER_TZ": "UTC", "PATH": "/usr/bin:/bin"}
"""A clean environment: no $LEDGER_DB, passphrase or debug flag of the person running."""
START = 1_500_000_000
EVERYTHING = "2100-01-01T00:00:00Z"
"""A time after every touch the tests record."""


def cli(
    url: str,
    *args: str,
    preexec_fn: Callable[[], None] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``ledger --db URL ARGS`` in a process of its own (what a person runs)."""
    return subprocess.run(
        [LEDGER, "--db", url, *args],
        capture_output=True,
        text=True,
        env=ENV,
        preexec_fn=preexec_fn,  # setrlimit or prctl only, before exec
        timeout=timeout,
        check=False,
    )


def popen(url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [LEDGER, "--db", url, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )


def error_line(returncode: int, stderr: str, url: str = "") -> str:
    """The one line an expected fault is: exit status 1, ``error: ...`` on one line,
    never "unexpected" (that is for bugs), no traceback, no password."""
    lines = stderr.strip().splitlines()
    assert returncode == 1, (returncode, stderr)
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith("error: "), line
    assert "unexpected" not in line.lower() and "Traceback" not in stderr, line
    password = urlsplit(url).password if url.startswith("postgres") else None
    if password:
        assert f":{password}@" not in line, line
    return line


def failed(result: subprocess.CompletedProcess[str], url: str = "") -> str:
    return error_line(result.returncode, result.stderr, url)


def edges(path: Path, count: int, first: int = 0) -> Path:
    """A SNAP edge log of ``count`` touches, every one distinct (no line repeats
    another), so an import adds exactly ``count``."""
    lines = (
        f"{n % 997} {1000 + (n * 7) % 1009} {START + n * 60}\n" for n in range(first, first + count)
    )
    path.write_text("".join(lines))
    return path


def imported(result: subprocess.CompletedProcess[str]) -> int:
    """How many touches an ``import ... --output json`` added."""
    assert result.returncode == 0, result.stderr
    return int(orjson.loads(result.stdout)["added"])


def log_state(url: str) -> tuple[int, tuple[int, str]]:
    """What must not change when a write fails: the log's length and its chain head."""
    with ledger.open(url, create=False) as book:
        return book.log_position, book.chain_head


def touches(url: str) -> int:
    """Every touch of the ledger, counted from the views (each one is a pair row)."""
    with ledger.open(url, create=False) as book:
        table = book.pair_table(EVERYTHING)
    return int(table["touches"].sum())


def clean(url: str, expected_touches: int | None = None) -> None:
    """The ledger is whole: its audit (``ledger audit``) and verification (``ledger
    replay --verify``) find nothing, and (when given) the views count exactly
    ``expected_touches``. Through the API, in this process: the same code as the
    commands, without starting one each time."""
    with ledger.open(url, create=False) as book:
        report = book.audit()
        assert report.ok, report.problems
        assert book.verify() == []
        if expected_touches is not None:
            assert int(book.pair_table(EVERYTHING)["touches"].sum()) == expected_touches


def clean_cli(url: str) -> None:
    """As :func:`clean`, with the commands a person runs."""
    audit = cli(url, "audit")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    verify = cli(url, "replay", "--verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
