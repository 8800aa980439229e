"""The small public API the command line needs: ``Ledger.path``, ``Ledger.encrypted``,
a read-only ledger that refuses to write, ``ledger.new_signing_key``, and
``allow_forgotten`` on the importers."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

import ledger
from ledger.errors import ForgottenPersonError
from ledger.sources import import_edges


def test_path_names_the_sqlite_file_only(tmp_path: Path) -> None:
    file = tmp_path / "book.db"
    with ledger.open(f"sqlite:///{file}") as book:
        assert book.path == file
        assert not book.encrypted
    with ledger.open("memory://path-test") as book:
        assert book.path is None


def test_encrypted_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'secret.db'}"
    with ledger.open(url, encrypt=True, passphrase="correct horse") as book:
        assert book.encrypted
    with ledger.open(url, passphrase="correct horse", create=False) as book:
        assert book.encrypted


def test_a_read_only_ledger_refuses_every_write(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ro.db'}"
    with ledger.open(url) as book:
        book.add_person("ada")
        book.add_person("bob")
        book.catch_up()  # what a worker does; a read-only ledger answers from its views
    with ledger.open(url, read_only=True) as book:
        before = book.log_position
        for write in (
            lambda: book.add_person("cy"),
            lambda: book.record("call", "ada", "bob", "2024-01-01T10:00:00Z"),
            lambda: book.set_owner("ada"),
            book.rebuild,
        ):
            with pytest.raises(ledger.StorageError, match="read-only"):
                write()
        assert book.log_position == before
        assert book.people() == ["ada", "bob"]


def test_new_signing_key_writes_a_private_key_for_its_owner_and_the_public_key(
    tmp_path: Path,
) -> None:
    private = tmp_path / "signing.pem"
    public = ledger.new_signing_key(private)
    assert public == tmp_path / "signing.pem.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in private.read_bytes() and b"PUBLIC KEY" in public.read_bytes()


def test_importers_bring_back_the_forgotten_only_when_allowed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'forget.db'}"
    log = tmp_path / "log.txt"
    log.write_text("1 2 1700000000\n2 3 1700000100\n")
    with ledger.open(url) as book:
        import_edges(book, log)
        book.forget("2", "request 17")
        before = book.log_position
        other = tmp_path / "later.txt"
        other.write_text("2 4 1700000200\n")
        with pytest.raises(ForgottenPersonError):
            import_edges(book, other)
        assert book.log_position == before  # nothing of the refused import was stored
        summary = import_edges(book, other, allow_forgotten=True)
        assert summary.added == 1
        assert "2" in book.people()
