"""Least privileges on PostgreSQL (docs/privacy.md, "Shared storage"): the writer and the
reader of scripts/postgres-roles.sql, made for a ledger's schema and used for real.

The reader answers questions from the views (``--read-only``), audits the log, its chain
and the index, and is refused every write and the people's keys, each with one clear
line; the writer records and catches the views up, and is refused a forget (whole: it
may not delete a key) and a replay. The rights survive the owner's rebuilds.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from click.testing import CliRunner, Result

import ledger
from conftest import IN_CI, REPO
from ledger.cli.main import main

pytestmark = pytest.mark.postgres

SCRIPT = REPO / "scripts" / "postgres-roles.sql"
NOTE = "met at the clinic about the diagnosis"


def run(*args: str) -> Result:
    env = {"LEDGER_TZ": "UTC", "LEDGER_PASSPHRASE": None, "LEDGER_KEY": None}
    return CliRunner(env=env).invoke(main, list(args))


def refused(result: Result, *needles: str) -> None:
    """Exit 1 with one line on stderr that says why: no traceback, no "unexpected"."""
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


class Roles:
    """A ledger in its own schema, its owner's URL, and a writer and a reader for it."""

    def __init__(self, owner: str) -> None:
        parts = urlsplit(owner)
        self.owner = owner
        self.dsn = owner.split("?", 1)[0]
        self.schema = parse_qs(parts.query)["schema"][0]
        tag = uuid.uuid4().hex[:10]
        self.names = {"writer": f"t_writer_{tag}", "reader": f"t_reader_{tag}"}
        self.passwords = {role: secrets.token_hex(8) for role in self.names}

    def url(self, role: str) -> str:
        server = urlsplit(self.dsn)
        where = f"{server.hostname}:{server.port or 5432}{server.path}?schema={self.schema}"
        return f"postgresql://{self.names[role]}:{self.passwords[role]}@{where}"

    def grant(self) -> None:
        """Run the script as the owner, as docs/privacy.md says to."""
        psql = shutil.which("psql")
        if psql is None:
            if IN_CI:
                pytest.fail("CI=true but psql is missing: the roles script must be run")
            pytest.skip("psql is not installed: the roles script cannot be run")
        variables = [f"schema={self.schema}", *(f"{r}={n}" for r, n in self.names.items())]
        subprocess.run(
            [psql, "-X", "-q", self.dsn, *(a for v in variables for a in ("-v", v)), "-f", SCRIPT],
            check=True,
            capture_output=True,
        )


@pytest.fixture
def roles(postgres_url: str) -> Iterator[Roles]:
    made = Roles(postgres_url)
    with psycopg.connect(made.dsn, autocommit=True) as conn:
        row = conn.execute("SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user")
        if not row.fetchone()[0]:
            message = "the test role may not create roles: run scripts/postgres-up.sh"
            pytest.fail(message) if IN_CI else pytest.skip(message)
        for role, name in made.names.items():
            conn.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{made.passwords[role]}'")
    try:
        yield made
    finally:
        with psycopg.connect(made.dsn, autocommit=True) as conn:
            names = ", ".join(made.names.values())
            schema = f'"{made.schema}"'
            for what in ("TABLES", "SEQUENCES"):
                conn.execute(f"REVOKE ALL ON ALL {what} IN SCHEMA {schema} FROM {names}")
            conn.execute(f"REVOKE ALL ON SCHEMA {schema} FROM {names}")
            conn.execute(f"DROP ROLE {names}")


def _fill(url: str) -> None:
    with ledger.open(url) as book:
        book.add_person("ana", "Ana Example", identifiers=[("email", "ana@example.org")])
        book.add_person("bob", "Bob Example")
        book.record("call", "ana", "bob", "2024-01-01T10:00:00Z", note=NOTE)
        book.record("message", "bob", "ana", "2024-01-02T10:00:00Z")
        book.catch_up()


def test_a_reader_reads_and_audits_and_is_refused_writes_and_the_keys(roles: Roles) -> None:
    _fill(roles.owner)
    roles.grant()
    reader = roles.url("reader")
    with ledger.open(reader, read_only=True, create=False) as book:
        before = book.log_position
        assert book.person("ana@example.org").name == "Ana Example"  # found by digest
        pairs = book.pairs("2024-02-01T00:00:00Z")
        assert [(p.a, p.b, p.decay.touches) for p in pairs] == [("ana", "bob", 2)]
        report = book.audit()
        assert report.ok and report.events == before
        assert "may not read the people's keys" in report.not_checked[0]
    timeline = run("--db", reader, "--read-only", "timeline", "ana", "--format", "json")
    assert timeline.exit_code == 0, timeline.stderr
    assert NOTE not in timeline.stdout  # notes open only with keys
    audited = run("--db", reader, "--read-only", "audit")
    assert audited.exit_code == 0 and "not checked" in audited.stdout, audited.stderr
    # The database refuses a write, whatever the ledger is told; --read-only refuses first.
    write = ("log", "call", "--from", "ana", "--to", "bob", "--at", "2024-03-01T10:00:00Z")
    refused(run("--db", reader, *write), "permission denied for table ledger_events")
    refused(run("--db", reader, "--read-only", *write), "read-only")
    refused(run("--db", reader, "--read-only", "dump", "-o", "-"), "permission denied", "keys")
    with (
        psycopg.connect(reader.split("?", 1)[0]) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="ledger_keys"),
    ):
        conn.execute(f'SELECT person, key FROM "{roles.schema}".ledger_keys')
    for result in (timeline, audited):
        assert roles.passwords["reader"] not in result.stdout + result.stderr
    with ledger.open(roles.owner) as book:
        assert book.log_position == before


def test_a_writer_records_and_is_refused_forget_and_replay(roles: Roles, tmp_path: Path) -> None:
    _fill(roles.owner)
    roles.grant()
    writer, reader = roles.url("writer"), roles.url("reader")
    assert run("--db", writer, "person", "add", "cy", "--name", "Cy").exit_code == 0
    log = tmp_path / "edges.txt"
    log.write_text("cy ana 1704100000\ncy bob 1704200000\n")
    imported = run("--db", writer, "import", "edges", str(log))
    assert imported.exit_code == 0, imported.stderr
    shown = run("--db", writer, "show", "cy")  # caught the views up: the writer may
    assert shown.exit_code == 0 and "ana" in shown.stdout, shown.stderr
    with ledger.open(roles.owner) as book:
        before = book.log_position
    # A forget deletes a key, which the writer may not: refused whole, nothing stored.
    refused(run("--db", writer, "forget", "cy", "--reason", "request 1", "--yes"), "ledger_keys")
    refused(run("--db", writer, "replay"), "must be owner")
    # A merge, an unmerge or a new zone refolds the views, which the writer may not
    # rebuild: refused before anything is stored, so its next commands keep working.
    refused(run("--db", writer, "person", "merge", "cy", "bob", "--reason", "one"), "rebuild")
    refused(run("--db", writer, "init", "--timezone", "Europe/Paris"), "rebuild")
    assert run("--db", writer, "show", "cy").exit_code == 0
    with ledger.open(roles.owner) as book:
        assert book.log_position == before and "cy" in book.people()
        book.forget("cy", "request 1")  # the owner may: it drops and makes the views anew
    shown = run("--db", reader, "--read-only", "person", "list", "--format", "json")
    assert shown.exit_code == 0, shown.stderr  # the reader kept its rights on new views
    assert '"cy"' not in shown.stdout and '"ana"' in shown.stdout
