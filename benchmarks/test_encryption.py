"""What encryption at rest costs (issue 13): the same 332k e-mail log imported into a new
plain ledger and a new encrypted one, then both replayed, rounds interleaved (plain,
encrypted, plain, encrypted ...) so that both meet the same machine load.

Encrypted means ``ledger.open(..., encrypt=True, key=...)``: eventsourcing's AESCipher
(AES-GCM) over every stored event, every person's key and the two secrets wrapped, the
views' personal columns sealed, the hash chain keyed (HMAC). A raw key, so that scrypt
(paid once per process that opens a ledger with a passphrase) is timed on its own.
Target: the encrypted import within 1.5x of the plain one.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _harness import SMOKE, Paired, Row, edges, paired, rate, timed

import ledger
from ledger.sources import import_edges

pytestmark = pytest.mark.benchmark(group="encryption")

ROUNDS = 3
REPLAY_ROUNDS = 4
KEY = "e7" * 32
PASSPHRASE = "correct horse battery staple"
TARGET = 1.5


def _paths(directory: Path, stem: str) -> Iterator[Path]:
    number = 0
    while True:
        number += 1
        yield directory / f"{stem}-{number}.db"


def _import(path: Path, log: Path, encrypted: bool) -> None:
    unlock: dict[str, Any] = {"encrypt": True, "key": KEY} if encrypted else {}
    with ledger.open(f"sqlite:///{path}", **unlock) as book:
        import_edges(book, log)


def test_encrypted_import_and_replay_vs_plain(
    benchmark: Any, record_row: Callable[[object, Row], None], email_log: Path, tmp_path: Path
) -> None:
    touchpoints = len(edges(email_log))
    plain, sealed = _paths(tmp_path, "plain"), _paths(tmp_path, "sealed")
    made: dict[str, Path] = {}

    def encrypted_import() -> None:
        made["sealed"] = next(sealed)
        _import(made["sealed"], email_log, encrypted=True)

    def plain_import() -> None:
        made["plain"] = next(plain)
        _import(made["plain"], email_log, encrypted=False)

    imported = paired(benchmark, encrypted_import, plain_import, rounds=ROUNDS)
    replayed, events = _replays(made)
    opening = _opening(made["sealed"])
    what = f"encrypted import ({touchpoints:,} touchpoints)"
    record_row(benchmark, _row("encrypted_import", what, imported, touchpoints, opening))
    what = f"encrypted full replay (the same, {events:,} events)"
    record_row(benchmark, _row("encrypted_replay", what, replayed, touchpoints, opening))


def _row(key: str, what: str, timing: Paired, count: int, opening: dict[str, float]) -> Row:
    """A row of the table: encrypted beside plain; only the import has a target."""
    ratio = timing.ledger / timing.reference
    targeted = key == "encrypted_import"
    return Row(
        key=key,
        what=what,
        ledger=rate(count, timing.ledger),
        reference=f"plain {rate(count, timing.reference)}",
        ratio=ratio,
        target=f"<= {TARGET}x plain" if targeted else "report",
        met=ratio <= TARGET if targeted else None,
        figures={
            "touchpoints": count,
            "encrypted_seconds": timing.ledger_rounds,
            "plain_seconds": timing.reference_rounds,
            **opening,
        },
        issue=13,
    )


def _replays(made: dict[str, Path]) -> tuple[Paired, int]:
    """Both ledgers' full replays, each going first in turn (pytest-benchmark times one
    thing per test: the import): encrypted and plain medians, and the events replayed."""
    rounds = 1 if SMOKE else REPLAY_ROUNDS
    times: dict[str, list[float]] = {"sealed": [], "plain": []}
    with (
        ledger.open(f"sqlite:///{made['sealed']}", key=KEY) as encrypted,
        ledger.open(f"sqlite:///{made['plain']}") as unencrypted,
    ):
        books = {"sealed": encrypted, "plain": unencrypted}
        for number in range(rounds):
            for name in ("plain", "sealed") if number % 2 == 0 else ("sealed", "plain"):
                times[name].append(timed(books[name].rebuild))
        events = encrypted.log_position
    sealed, plain = times["sealed"], times["plain"]
    timing = Paired(
        statistics.median(sealed), statistics.median(plain), tuple(sealed), tuple(plain)
    )
    return timing, events


def _opening(path: Path) -> dict[str, float]:
    """What opening an encrypted ledger costs: with its raw key, and with a passphrase
    (scrypt, N = 2^15: paid once per process)."""
    words = f"sqlite:///{path.with_suffix('.passphrase.db')}"
    ledger.open(words, encrypt=True, passphrase=PASSPHRASE).close()
    return {
        "open_with_key_seconds": timed(lambda: ledger.open(f"sqlite:///{path}", key=KEY).close()),
        "open_with_passphrase_seconds": timed(
            lambda: ledger.open(words, passphrase=PASSPHRASE).close()
        ),
    }
