"""Expected faults on PostgreSQL, tried for real: the connection lost in the middle of an
import (its backend terminated; the server restarted), a server that cannot be
reached, a writer waiting for another. Each fault is one line naming the server
(host:port/db, never the password) and what to do, exit status 1, the log as it was;
the same import run again then adds exactly what it holds.

The restart trial restarts the server (``pg_ctlcluster``): it runs as root where that
tool is, under ``CI=true`` or with ``LEDGER_TEST_PG_RESTART=1``, and never otherwise, so
that a test run on a shared machine does not cut everyone else's connections.
``LEDGER_TEST_PG_CLUSTER`` names the cluster (default ``15 main``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest

import ledger
from conftest import IN_CI
from fault_support import clean, cli, edges, error_line, failed, imported, log_state, popen

pytestmark = pytest.mark.postgres

LINES = 30_000
"""Touches of the import that is cut (some 1.5 s of writing on a 2-core machine)."""
LOG = ("log", "message", "--from", "1", "--to", "1007", "--at", "2024-01-01T10:00:00Z")
_WRITER = """
SELECT l.pid FROM pg_locks l
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.classid::bigint = ((hashtext(%(key)s)::bigint >> 32) & 4294967295)
  AND l.objid::bigint = (hashtext(%(key)s)::bigint & 4294967295)
"""
"""The backend holding a schema's write lock (``pg_advisory_xact_lock(hashtext(KEY))``)."""


def parts(url: str) -> tuple[str, str, str]:
    """The URL's DSN, schema, and where messages must say it is (host:port/db)."""
    dsn, _, query = url.partition("?")
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    where = f"{info.get('host')}:{info.get('port', 5432)}/{info.get('dbname')}"
    return dsn, query.removeprefix("schema="), where


def small_ledger(url: str, folder: Path) -> None:
    added = cli(url, "import", "edges", str(edges(folder / "a.txt", 50)), "--output", "json")
    assert imported(added) == 50


def writer_of(url: str, importing: subprocess.Popen[str]) -> int:
    """The backend of ``importing`` once it holds the write lock (it writes from then on)."""
    dsn, schema, _ = parts(url)
    deadline = time.monotonic() + 60
    with psycopg.connect(dsn, autocommit=True) as conn:
        while time.monotonic() < deadline and importing.poll() is None:
            row = conn.execute(_WRITER, {"key": f"ledger-write:{schema}"}).fetchone()
            if row is not None:
                return int(row[0])
            time.sleep(0.01)
    pytest.fail("the import ended before it was seen writing: make LINES larger")


def cut_mid_import(url: str, folder: Path, cut: object) -> str:
    """Start an import of LINES touches, ``cut`` its connection while it writes; the one
    line it fails with."""
    importing = popen(url, "import", "edges", str(edges(folder / "big.txt", LINES, first=50)))
    backend = writer_of(url, importing)
    time.sleep(0.3)  # well into its inserts
    assert callable(cut)
    cut(backend)
    _, stderr = importing.communicate(timeout=120)
    return error_line(importing.returncode, stderr, url)


def test_a_connection_lost_mid_import_is_one_line_and_the_rerun_is_exact(
    postgres_url: str, tmp_path: Path
) -> None:
    url = postgres_url
    small_ledger(url, tmp_path)
    before = log_state(url)
    dsn, _, where = parts(url)

    def terminate(backend: int) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (backend,))

    line = cut_mid_import(url, tmp_path, terminate)
    assert line == (
        f"error: lost the connection to PostgreSQL at {where}; nothing was written, run it again"
    )
    assert log_state(url) == before
    again = cli(url, "import", "edges", str(tmp_path / "big.txt"), "--output", "json")
    assert imported(again) == LINES
    clean(url, 50 + LINES)


def restart_refused() -> str | None:
    """Why the server may not be restarted here (None: it may)."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        return "restarting PostgreSQL needs root"
    if shutil.which("pg_ctlcluster") is None:
        return "restarting PostgreSQL needs pg_ctlcluster (Debian's postgresql-common)"
    if not (IN_CI or os.environ.get("LEDGER_TEST_PG_RESTART")):
        return "restarts the server every test shares: set LEDGER_TEST_PG_RESTART=1 (CI does)"
    return None


def test_a_server_restart_mid_import_is_one_line_and_the_rerun_is_exact(
    postgres_url: str, tmp_path: Path
) -> None:
    refused = restart_refused()
    if refused:
        pytest.skip(refused)
    url = postgres_url
    small_ledger(url, tmp_path)
    before = log_state(url)
    _, _, where = parts(url)
    cluster = os.environ.get("LEDGER_TEST_PG_CLUSTER", "15 main").split()

    def restart(_: int) -> None:
        subprocess.run(["pg_ctlcluster", *cluster, "restart"], check=True, timeout=120)

    line = cut_mid_import(url, tmp_path, restart)
    assert line in (
        f"error: lost the connection to PostgreSQL at {where}; nothing was written, run it again",
        f"error: cannot reach PostgreSQL at {where}; nothing was written (is the server up?)",
    )
    assert log_state(url) == before
    again = cli(url, "import", "edges", str(tmp_path / "big.txt"), "--output", "json")
    assert imported(again) == LINES
    clean(url, 50 + LINES)


def test_a_writer_waits_for_another_and_then_writes(postgres_url: str, tmp_path: Path) -> None:
    """Writers take one lock (docs/design.md); a second one waits for it, it does not
    fail or write beside it."""
    url = postgres_url
    small_ledger(url, tmp_path)
    dsn, schema, _ = parts(url)
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"ledger-write:{schema}",))
        release = threading.Timer(1.5, other.execute, ("SELECT pg_advisory_unlock_all()",))
        release.start()
        started = time.monotonic()
        logged = cli(url, *LOG)
        release.join()
    assert logged.returncode == 0, logged.stderr
    assert time.monotonic() - started >= 1.4  # it waited for the lock
    clean(url, 51)


def test_a_pause_in_an_imports_input_does_not_cost_its_connection(postgres_url: str) -> None:
    """The server ends a transaction idle between two statements for longer than its
    setting; eventsourcing's 5 s cut PostgreSQL imports whose input paused (tried: a 7 s
    pause between two chunks lost the connection). A writer's session allows 10 min."""
    with ledger.open(postgres_url) as book, book._store.writing() as txn:
        txn.cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert txn.cursor.fetchone()["idle_in_transaction_session_timeout"] == "10min"


def test_a_server_that_cannot_be_reached_is_one_line_without_the_password() -> None:
    url = "postgresql://ledger:s3cret-pw@127.0.0.1:1/ledger_test"  # nothing listens on port 1
    line = failed(cli(url, "person", "list"), url)
    assert line == (
        "error: url: cannot connect to PostgreSQL at 127.0.0.1:1/ledger_test as ledger: the"
        " connection was refused (is the server running, and on that port?)"
    )


def test_a_wrong_password_is_one_line_without_it(postgres_url: str) -> None:
    dsn, schema, where = parts(postgres_url)
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    url = f"postgresql://{info['user']}:Wr0ng-pw@{where}?schema={schema}"
    line = failed(cli(url, "person", "list"), url)
    assert line == (
        f"error: url: cannot connect to PostgreSQL at {where} as {info['user']}: the server"
        f" refused the password of role '{info['user']}' (check the URL)"
    )
