"""Expected faults on SQLite, tried for real: each is one line saying what happened,
where and what to do, exit status 1, never "unexpected", and the ledger as it was.

* a full disk (a small tmpfs, mounted when running as root) during an import and
  during a catch-up; a process file-size limit (``ulimit -f``, anyone may set one);
* the database locked by another program past the wait;
* a read-only file system, a read-only ledger file, a folder that may not be entered
  or written.

Every ``ledger`` here is a process of its own (``tests/fault_support.py``). Running as
root, file permissions are enforced by dropping root's override of them
(``CAP_DAC_OVERRIDE``) in the child, so these tests run on CI (root) as on a laptop.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

import ledger.store.sqlite
from fault_support import clean, clean_cli, cli, edges, error_line, failed, imported, log_state
from ledger.cli.main import main

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
LINES = 30_000
"""Touches of the import that fills the disk (about 2.7 MB of events; the views need 3x)."""
LOG = ("log", "message", "--from", "1", "--to", "1007", "--at", "2024-01-01T10:00:00Z")


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small file system of our own (2 MB), to fill; unmounted afterwards."""
    if not ROOT or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root (the file-size limit test runs anyway)")
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def resize(folder: Path, size: str, *flags: str) -> None:
    options = ",".join(("remount", f"size={size}", *flags))
    subprocess.run(["mount", "-o", options, str(folder)], check=True)


def small_ledger(folder: Path) -> str:
    """A ledger of 50 touches between 100 people, its views caught up."""
    url = f"sqlite:///{folder / 'ledger.db'}"
    added = cli(url, "import", "edges", str(edges(folder / "a.txt", 50)), "--output", "json")
    assert imported(added) == 50
    with ledger.open(url) as book:
        book.catch_up()
    return url


def digest(folder: Path) -> dict[str, str]:
    """Every file of the ledger (the database, its journal) by content."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.db*"))
    }


# -- a full disk -------------------------------------------------------------------------
def test_a_full_disk_during_an_import_is_one_line_and_changes_nothing(
    tmpfs: Path, tmp_path: Path
) -> None:
    url = small_ledger(tmpfs)
    before, files = log_state(url), digest(tmpfs)
    big = edges(tmp_path / "big.txt", LINES, first=50)
    line = failed(cli(url, "import", "edges", str(big)))
    where = tmpfs / "ledger.db"
    assert line == (
        f"error: the disk holding {where} is full; nothing was written"
        " (free some space and run it again)"
    )
    assert log_state(url) == before and digest(tmpfs) == files
    resize(tmpfs, "64m")  # space freed: the same import, again, adds every touch
    assert imported(cli(url, "import", "edges", str(big), "--output", "json")) == LINES
    clean_cli(url)
    clean(url, 50 + LINES)


def test_a_full_disk_during_a_catch_up_keeps_the_views_and_the_next_read_is_right(
    tmpfs: Path, tmp_path: Path
) -> None:
    """The first read after an import catches the views up: they need more room than
    the events. It fails whole, and the read after space is freed is right."""
    resize(tmpfs, "5m")
    url = small_ledger(tmpfs)
    big = edges(tmp_path / "big.txt", LINES, first=50)
    assert imported(cli(url, "import", "edges", str(big), "--output", "json")) == LINES
    with ledger.open(url) as book:
        position = book.position
    line = failed(cli(url, "pair", "1", "1007"))
    assert line.startswith(f"error: the disk holding {tmpfs / 'ledger.db'} is full;")
    with ledger.open(url, read_only=True) as book:
        assert book.position == position  # the views did not move
    resize(tmpfs, "64m")
    clean(url, 50 + LINES)


def test_a_file_size_limit_during_an_import_is_one_line_and_changes_nothing(
    tmp_path: Path,
) -> None:
    """``ulimit -f``: writes past the limit fail (SIGXFSZ ignored, as a shell does for
    its jobs when told to), the way a full disk does; any user can try it."""
    url = small_ledger(tmp_path)
    before, files = log_state(url), digest(tmp_path)
    limit = (tmp_path / "ledger.db").stat().st_size + 1_000_000

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    big = edges(tmp_path / "big.txt", LINES, first=50)
    line = failed(cli(url, "import", "edges", str(big), preexec_fn=limited))
    assert line == (
        f"error: {tmp_path / 'ledger.db'} reached this process's file-size limit (ulimit -f);"
        " nothing was written (raise the limit, or free the space it guards, and run it again)"
    )
    assert log_state(url) == before and digest(tmp_path) == files
    assert imported(cli(url, "import", "edges", str(big), "--output", "json")) == LINES
    clean(url, 50 + LINES)


# -- a lock held past the wait -------------------------------------------------------------
def test_a_database_locked_past_the_wait_is_one_line_and_reads_still_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program holds SQLite's write lock: a write waits the lock timeout (made
    1 s here), then says so; a read that needs no catch-up still answers."""
    url = small_ledger(tmp_path)
    before = log_state(url)
    monkeypatch.setattr(ledger.store.sqlite, "LOCK_TIMEOUT_SECONDS", 1)
    runner = CliRunner(env={"LEDGER_TZ": "UTC"})
    with closing(sqlite3.connect(tmp_path / "ledger.db", isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # the write lock, kept
        busy = runner.invoke(main, ["--db", url, *LOG])
        listed = runner.invoke(main, ["--db", url, "person", "list", "--format", "json"])
        other.execute("ROLLBACK")
    line = error_line(busy.exit_code, busy.stderr)
    assert line == (
        f"error: {tmp_path / 'ledger.db'} is busy: another program kept it locked for 1 s;"
        " nothing was written (run it again when it is done)"
    )
    assert listed.exit_code == 0 and '"total": 100' in listed.stdout
    assert log_state(url) == before
    assert runner.invoke(main, ["--db", url, *LOG]).exit_code == 0
    clean(url, 51)


# -- read-only, permissions ------------------------------------------------------------------
def test_a_read_only_file_system_is_one_line_and_changes_nothing(tmpfs: Path) -> None:
    url = small_ledger(tmpfs)
    resize(tmpfs, "2m", "ro")
    files = digest(tmpfs)
    expected = (
        f"error: {tmpfs / 'ledger.db'} is on a read-only file system; nothing was written"
        " (remount it read-write, or copy the ledger to a writable disk)"
    )
    for args in (LOG, ("person", "list"), ("import", "edges", str(tmpfs / "a.txt"))):
        assert failed(cli(url, *args)) == expected, args
    assert digest(tmpfs) == files
    resize(tmpfs, "2m", "rw")
    assert cli(url, *LOG).returncode == 0
    clean(url, 51)


def unprivileged() -> Callable[[], None] | None:
    """A child's start that makes file permissions bind, even for root: root drops its
    override of them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) before running ``ledger``."""
    if not ROOT:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, overrides = 24, (1, 2)

    def drop() -> None:
        for capability in overrides:
            if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    probe = subprocess.run(["true"], preexec_fn=drop, check=False)
    if probe.returncode != 0:
        pytest.skip("running as root without the right to drop CAP_DAC_OVERRIDE")
    return drop


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[Path]:
    """A folder whose permissions the test changes (and gives back, to be removed)."""
    folder = tmp_path / f"guarded-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    yield folder
    folder.chmod(0o700)
    for path in folder.glob("*"):
        path.chmod(0o600)


def test_a_read_only_ledger_file_is_one_line_and_read_only_reads_still_work(
    guarded: Path,
) -> None:
    url = small_ledger(guarded)
    (guarded / "ledger.db").chmod(0o444)
    files, as_user = digest(guarded), unprivileged()
    expected = (
        f"error: {guarded / 'ledger.db'} is read-only; nothing was written (check the"
        " permissions of the file and of its folder: SQLite writes a journal beside it)"
    )
    for args in (LOG, ("replay",), ("import", "edges", str(guarded / "a.txt"))):
        assert failed(cli(url, *args, preexec_fn=as_user)) == expected, args
    for reading in ((), ("--read-only",)):  # the views are caught up: nothing to write
        found = cli(url, *reading, "person", "list", "--format", "json", preexec_fn=as_user)
        assert found.returncode == 0 and '"total": 100' in found.stdout
    assert {k: v for k, v in digest(guarded).items() if k == "ledger.db"} == {
        "ledger.db": files["ledger.db"]
    }


def test_a_folder_that_may_not_be_entered_or_written_is_one_line(guarded: Path) -> None:
    url = small_ledger(guarded)
    as_user = unprivileged()
    guarded.chmod(0o555)  # may be read, not written: no journal can be made beside it
    line = failed(cli(url, *LOG, preexec_fn=as_user))
    assert line.startswith(f"error: {guarded / 'ledger.db'} is read-only; nothing was written")
    new = f"sqlite:///{guarded / 'new.db'}"
    line = failed(cli(new, "init", preexec_fn=as_user))
    assert line == f"error: url: directory '{guarded}' is not writable (from '{new}')"
    guarded.chmod(0o000)  # may not even be entered
    for args in (LOG, ("person", "list"), ("audit",)):
        line = failed(cli(url, *args, preexec_fn=as_user))
        assert line.startswith(f"error: url: permission denied to open '{guarded / 'ledger.db'}'")
        assert "check that you may enter its folder" in line
    guarded.chmod(0o700)
    clean(url, 50)
