"""Storage URLs: what each form opens, what it refuses, and that nothing else redirects it."""

from __future__ import annotations

import getpass
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import ledger
from conftest import postgres_or_skip
from ledger.store.postgres import PostgresStorage

WHEN = "2024-03-01T10:00:00+00:00"
LATER = "2024-06-01T00:00:00+00:00"


def _fill(book: ledger.Ledger) -> str:
    """Two people, one meeting, one retracted message; returns the retracted id."""
    book.add_person("ada", "Ada Lovelace", org="Analytical Engines", tags=["math"])
    book.add_person("charles", "Charles Babbage")
    book.record("meeting", "ada", "charles", WHEN, note="first demo")
    wrong = book.record("message", "charles", "ada", "2024-03-02T10:00:00+00:00")
    book.retract(wrong, "recorded twice by mistake")
    return wrong


def _assert_filled(book: ledger.Ledger, retracted: str) -> None:
    assert book.people() == ["ada", "charles"]
    assert book.person("ada").get("org") == "Analytical Engines"
    assert book.person("ada").get("tags") == ["math"]
    view = book.pair("ada", "charles", as_of=LATER)
    assert view is not None
    assert view.level is ledger.DepthLevel.LIVE
    assert (view.reciprocity.a_to_b, view.reciprocity.b_to_a) == (1, 0)
    assert book.touchpoint(retracted).retracted
    assert len(book.timeline("ada", "charles")) == 2


def _assert_one_line_naming(error: pytest.ExceptionInfo[ledger.StorageError], url: str) -> None:
    message = str(error.value)
    assert "\n" not in message
    assert url in message
    assert isinstance(error.value, ledger.LedgerError)


# -- SQLite URLs -------------------------------------------------------------------------


def test_sqlite_relative_url_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with ledger.open("sqlite:///relative.db") as book:
        book.add_person("ada")
    assert (tmp_path / "relative.db").is_file()


def test_sqlite_absolute_url_has_four_slashes(tmp_path: Path) -> None:
    path = tmp_path / "abs" / "path.db"
    path.parent.mkdir()
    url = f"sqlite:///{path}"
    assert url.startswith("sqlite:////")
    with ledger.open(url) as book:
        book.add_person("ada")
        assert book.url == url
    assert path.is_file()


@pytest.mark.parametrize("relative", [True, False])
def test_a_bare_path_is_a_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    target = "bare.db" if relative else str(tmp_path / "bare.db")
    with ledger.open(target) as book:
        book.add_person("ada")
    with ledger.open(str(tmp_path / "bare.db")) as again:
        assert again.people() == ["ada"]


def test_reopening_a_sqlite_file_keeps_everything(sqlite_url: str) -> None:
    with ledger.open(sqlite_url) as book:
        retracted = _fill(book)
        _assert_filled(book, retracted)
        position = book.position
    assert position > 0
    with ledger.open(sqlite_url) as again:  # neither rebuilt nor caught up again
        assert again.catch_up() == 0
        assert again.position == position
        _assert_filled(again, retracted)


# -- memory URLs -------------------------------------------------------------------------


def test_two_memory_ledgers_are_isolated() -> None:
    with ledger.open("memory://") as first, ledger.open("memory://") as second:
        first.add_person("ada")
        assert second.people() == []
    name = uuid.uuid4().hex
    with ledger.open(f"memory://{name}-a") as first, ledger.open(f"memory://{name}-b") as second:
        first.add_person("ada")
        assert second.people() == []


def test_memory_ledgers_of_the_same_name_share_their_data() -> None:
    url = f"memory://{uuid.uuid4().hex}"
    with ledger.open(url) as first, ledger.open(url) as second:
        retracted = _fill(first)
        _assert_filled(second, retracted)


# -- the default URL ---------------------------------------------------------------------


def test_ledger_db_environment_variable_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'from-env.db'}"
    monkeypatch.setenv("LEDGER_DB", url)
    assert ledger.default_url() == url
    with ledger.open() as book:
        assert book.url == url
        book.add_person("ada")
    assert (tmp_path / "from-env.db").is_file()


def test_without_ledger_db_the_default_is_ledger_db_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEDGER_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert ledger.default_url() == ledger.DEFAULT_URL == "sqlite:///ledger.db"
    with ledger.open() as book:
        book.add_person("ada")
    assert (tmp_path / "ledger.db").is_file()


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["ftp://example.org/ledger", "mysql://u:p@localhost/db"])
def test_an_unknown_scheme_is_a_storage_error(url: str) -> None:
    with pytest.raises(ledger.StorageError) as error:
        ledger.open(url)
    _assert_one_line_naming(error, ledger.redact(url))
    assert ":p@" not in str(error.value)


def test_a_missing_directory_is_a_storage_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'ledger.db'}"
    with pytest.raises(ledger.StorageError, match="does not exist") as error:
        ledger.open(url)
    _assert_one_line_naming(error, url)
    assert not (tmp_path / "no").exists()


@pytest.fixture
def read_only_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory the process may not write to.

    File modes do not bind root (CI runs as root), so there the denial is simulated
    where the storage asks for it; for everyone else it is real.
    """
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.access(locked, os.W_OK):
        import ledger.store.sqlite

        real_access = os.access

        def deny_writes_to_locked(path: object, mode: int, **kwargs: object) -> bool:
            if Path(str(path)).resolve() == locked.resolve() and mode & os.W_OK:
                return False
            return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(ledger.store.sqlite.os, "access", deny_writes_to_locked)
    try:
        yield locked
    finally:
        locked.chmod(stat.S_IRWXU)


def test_an_unwritable_directory_is_a_storage_error(read_only_dir: Path) -> None:
    url = f"sqlite:///{read_only_dir / 'ledger.db'}"
    with pytest.raises(ledger.StorageError, match="not writable") as error:
        ledger.open(url)
    _assert_one_line_naming(error, url)
    assert not (read_only_dir / "ledger.db").exists()


def test_an_unreachable_postgres_server_is_a_storage_error_and_fails_fast() -> None:
    url = "postgresql://ledger:secret@127.0.0.1:1/ledger_test"
    with pytest.raises(ledger.StorageError, match="refused") as error:
        ledger.open(url)
    _assert_one_line_naming(error, "127.0.0.1:1/ledger_test")
    assert "secret" not in str(error.value)


def test_a_postgres_url_without_a_database_is_a_storage_error() -> None:
    with pytest.raises(ledger.StorageError, match=r"needs a host .* and a database"):
        ledger.open("postgresql://127.0.0.1:5432")


def test_a_postgres_url_without_a_user_is_pguser_else_the_system_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PGUSER", raising=False)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    system = PostgresStorage.from_url("postgresql:///db?host=/var/run/postgresql")
    assert (system.user, system.host, system.password) == (
        getpass.getuser(),
        "/var/run/postgresql",
        "",
    )
    monkeypatch.setenv("PGUSER", "carol")
    monkeypatch.setenv("PGPASSWORD", "from-env")
    found = PostgresStorage.from_url("postgresql://127.0.0.1/db")
    assert (found.user, found.password, found.host) == ("carol", "from-env", "127.0.0.1")
    given = PostgresStorage.from_url("postgresql://dave:pw@127.0.0.1/db")  # the URL wins
    assert (given.user, given.password) == ("dave", "pw")
    assert PostgresStorage.from_url("postgresql://127.0.0.1/db?user=erin").user == "erin"


def test_no_user_anywhere_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def nobody() -> str:
        raise KeyError("getpwuid(): uid not found: 12345")

    monkeypatch.delenv("PGUSER", raising=False)
    monkeypatch.setattr(getpass, "getuser", nobody)
    with pytest.raises(ledger.StorageError, match="names no user, and neither") as error:
        ledger.open("postgresql://127.0.0.1/db")
    _assert_one_line_naming(error, "postgresql://127.0.0.1/db")


@pytest.mark.postgres
def test_a_postgres_url_without_user_or_password_connects_with_pguser_and_pgpassword(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = urlsplit(postgres_url)
    assert parts.username and parts.password
    monkeypatch.setenv("PGUSER", unquote(parts.username))
    monkeypatch.setenv("PGPASSWORD", unquote(parts.password))
    bare = f"postgresql://{parts.hostname}:{parts.port or 5432}{parts.path}?{parts.query}"
    with ledger.open(bare) as book:
        book.add_person("ada")
    with ledger.open(postgres_url, create=False) as book:
        assert book.people() == ["ada"]


@pytest.mark.postgres
def test_bad_postgres_credentials_are_a_storage_error() -> None:
    parts = urlsplit(postgres_or_skip().split("?", 1)[0])
    url = f"postgresql://{parts.username}:not-the-password@{parts.hostname}:{parts.port or 5432}"
    url += parts.path
    with pytest.raises(ledger.StorageError, match="refused the password of role") as error:
        ledger.open(url)
    _assert_one_line_naming(error, f"{parts.hostname}:{parts.port or 5432}{parts.path}")
    assert "not-the-password" not in str(error.value)


# -- PostgreSQL schemas ------------------------------------------------------------------


def _tables_in(dsn: str, schema: str) -> set[str]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
    return {row[0] for row in rows}


@pytest.mark.postgres
def test_postgres_schema_parameter_keeps_the_ledger_in_that_schema(postgres_url: str) -> None:
    dsn, query = postgres_url.split("?", 1)
    schema = query.removeprefix("schema=")
    with ledger.open(postgres_url) as book:
        retracted = _fill(book)
    assert {"ledger_events", "ledger_tracking", "ledger_chain", "ledger_view_rows"} <= _tables_in(
        dsn, schema
    )
    with ledger.open(postgres_url) as again:
        _assert_filled(again, retracted)


@pytest.mark.postgres
def test_two_postgres_schemas_are_isolated(postgres_url: str) -> None:
    import psycopg

    dsn = postgres_url.split("?", 1)[0]
    other = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{other}"')
    try:
        with ledger.open(postgres_url) as first, ledger.open(f"{dsn}?schema={other}") as second:
            first.add_person("ada")
            assert second.people() == []
            assert first.people() == ["ada"]
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{other}" CASCADE')


# -- the process environment is ignored --------------------------------------------------


def test_sqlite_settings_in_the_environment_do_not_redirect_a_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoy = tmp_path / "decoy.db"
    for name in ("LEDGER_SQLITE_DBNAME", "SQLITE_DBNAME"):
        monkeypatch.setenv(name, str(decoy))
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.popo")
    monkeypatch.setenv("LEDGER_PERSISTENCE_MODULE", "eventsourcing.popo")
    monkeypatch.setenv("POSTGRES_PASSWORD", "wrong")
    url = f"sqlite:///{tmp_path / 'real.db'}"
    with ledger.open(url) as book:
        book.add_person("ada")
    assert (tmp_path / "real.db").is_file()
    assert not decoy.exists()
    with ledger.open(url) as again:
        assert again.people() == ["ada"]


@pytest.mark.postgres
def test_postgres_settings_in_the_environment_do_not_redirect_a_ledger(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for prefix in ("", "LEDGER_"):
        monkeypatch.setenv(f"{prefix}POSTGRES_PASSWORD", "wrong")
        monkeypatch.setenv(f"{prefix}POSTGRES_HOST", "192.0.2.1")
        monkeypatch.setenv(f"{prefix}POSTGRES_DBNAME", "no_such_database")
        monkeypatch.setenv(f"{prefix}POSTGRES_SCHEMA", "public")
    with ledger.open(postgres_url) as book:
        book.add_person("ada")
    dsn, query = postgres_url.split("?", 1)
    assert "ledger_events" in _tables_in(dsn, query.removeprefix("schema="))


@pytest.mark.postgres
def test_ledger_errors_and_url_never_show_the_password(postgres_url: str) -> None:
    """A failure to connect (a database that does not exist) and a ledger that is not
    there (a schema without one, opened without create) are StorageErrors that hide the
    password."""
    base, _, _ = postgres_url.partition("?")
    password = urlsplit(base).password
    assert password
    secret = f":{password}@"  # the user name may equal the password, as in CI's role
    no_database = f"{base.rpartition('/')[0]}/no_such_database_{uuid.uuid4().hex[:8]}"
    with pytest.raises(ledger.StorageError, match="does not exist") as error:
        ledger.open(no_database)
    assert secret not in str(error.value)
    no_ledger = f"{base}?schema=no_such_schema_{uuid.uuid4().hex[:8]}"
    with pytest.raises(ledger.StorageError, match="no ledger at") as error:
        ledger.open(no_ledger, create=False)
    assert secret not in str(error.value)
    with ledger.open(postgres_url) as book:
        assert secret not in book.url and ":***@" in book.url


# -- files ---------------------------------------------------------------------------------


def test_a_new_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private.db"
    with ledger.open(f"sqlite:///{path}") as book:
        book.add_person("ada")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for extra in tmp_path.glob("private.db-*"):  # SQLite's WAL and shared-memory files
        assert stat.S_IMODE(extra.stat().st_mode) & 0o077 == 0, extra


def test_opening_without_create_refuses_a_missing_ledger(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing.db'}"
    with pytest.raises(ledger.StorageError, match="no ledger at"):
        ledger.open(url, create=False)
    assert not (tmp_path / "missing.db").exists()


def test_a_file_that_is_not_a_ledger_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just some text that is long enough " * 40)
    with pytest.raises(ledger.StorageError, match="is not a ledger") as error:
        ledger.open(f"sqlite:///{path}")
    assert "\n" not in str(error.value)
    with pytest.raises(ledger.StorageError, match="is not a file"):
        ledger.open(f"sqlite:///{tmp_path}")
    with pytest.raises(ledger.StorageError, match="no SQLite file named"):
        ledger.open("sqlite:///")


@pytest.mark.parametrize("url", ["memory://", "MEMORY://", "memory://x-1"])
def test_memory_urls_open_an_empty_ledger(url: str) -> None:
    with ledger.open(url) as book:
        assert book.people() == [] and book.audit().ok
        book.add_person("ada")
        assert book.people() == ["ada"]
