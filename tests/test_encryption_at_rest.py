"""Encryption at rest (issue 13): without the key, nothing personal is readable from the
database, on SQLite (the file, its -wal and -shm) and on PostgreSQL (every table as
text): not names, keys, addresses, URLs, notes, attributes, reasons, nor the views. The
same search finds all of it in a plain ledger, so it can fail. A wrong or missing key
is one clear error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import ledger
from ledger.cli.main import main
from ledger.errors import KeyRequiredError, WrongKeyError
from test_forget_proved import (
    HEX_KEY,
    KEY,
    NEEDLES,
    NOTE,
    OTHERS,
    _files,
    _record,
    _tables_as_text,
)

EVERYONE = (*NEEDLES, *(name for name, _ in OTHERS.values()), "ana@example.org", "Lima Labs")


def _found(haystack: bytes, hexed: bool = False) -> set[str]:
    text = haystack.lower()
    found = {n for n in EVERYONE if n.lower().encode() in text}
    return found | ({n for n in EVERYONE if n.encode().hex().encode() in text} if hexed else set())


def _fill(url: str, **unlock: object) -> None:
    with ledger.open(url, **unlock) as book:  # type: ignore[arg-type]
        _record(book, knows_zed=True)
        book.snooze("ana", "bob", "2024-05-01T00:00:00Z", "2024-07-01T00:00:00Z", "Bob is away")
        book.catch_up()


def test_an_encrypted_sqlite_file_holds_nothing_personal(tmp_path: Path) -> None:
    plain, sealed = tmp_path / "plain" / "l.db", tmp_path / "sealed" / "l.db"
    plain.parent.mkdir(), sealed.parent.mkdir()
    _fill(f"sqlite:///{plain}")
    # A plain ledger's views hold all of it in plain text, but for the notes: those are
    # sealed under their participants' keys on every ledger.
    assert _found(_files(plain)) == set(EVERYONE) - {NOTE}
    with ledger.open(f"sqlite:///{sealed}", encrypt=True, key=HEX_KEY) as book:
        _record(book, knows_zed=True)
        book.catch_up()
        assert _found(_files(sealed)) == set()  # open, the -wal too
        assert book.person(KEY).name == "Zedekiah Marchbanks"  # with the key: all of it
    assert _found(_files(sealed)) == set()


@pytest.mark.postgres
def test_an_encrypted_postgres_schema_holds_nothing_personal(postgres_url: str) -> None:
    _fill(postgres_url, encrypt=True, key=HEX_KEY)
    assert _found(_tables_as_text(postgres_url), hexed=True) == set()
    with ledger.open(postgres_url, key=HEX_KEY, create=False) as book:
        assert book.person(KEY).name == "Zedekiah Marchbanks"


@pytest.mark.parametrize(
    "storage", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_wrong_or_missing_key_is_one_clear_error(
    storage: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'l.db'}"
        if storage == "sqlite"
        else str(request.getfixturevalue("postgres_url"))
    )
    _fill(url, encrypt=True, key=HEX_KEY)
    with pytest.raises(KeyRequiredError, match="this ledger is encrypted"):
        ledger.open(url, create=False)
    with pytest.raises(WrongKeyError, match="does not open this ledger"):
        ledger.open(url, key="a5" * 32, create=False)
    with pytest.raises(WrongKeyError, match="opened with a key, not a passphrase"):
        ledger.open(url, passphrase="guess", create=False)
    env = {"LEDGER_TZ": "UTC", "LEDGER_PASSPHRASE": None, "LEDGER_KEY": "a5" * 32}
    shown = CliRunner(env=env).invoke(main, ["--db", url, "person", "list"])
    assert shown.exit_code == 1 and shown.stdout == ""
    assert shown.stderr == "error: the passphrase or key does not open this ledger\n"
