"""Expected faults, named: what a database driver raises, said as a person needs it.

"unexpected" is for bugs. A full disk, a lock held past the wait, a read-only file or
file system, a file the user may not open, a lost PostgreSQL connection each become one
:class:`~ledger.errors.StorageError` line that says what happened, where, and what to
do. Every transaction of the store (and of the views) passes through :func:`named`.

The storage is said by the caller (``postgres``), never guessed from the error: both
drivers' errors reach us wrapped in eventsourcing's same ``PersistenceError`` classes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eventsourcing.persistence import PersistenceError

from ledger.errors import LedgerError, StorageError, ViewsDamagedError

__all__ = ["named", "sqlite_fault"]

_LOST = "lost the connection to PostgreSQL at {where}; nothing was written, run it again"
_UNREACHABLE = "cannot reach PostgreSQL at {where}; nothing was written (is the server up?)"
_PG_FULL = "the disk of the PostgreSQL server at {where} is full; nothing was written"
_READ_ONLY_FS = (
    "{where} is on a read-only file system; nothing was written"
    " (remount it read-write, or copy the ledger to a writable disk)"
)
_POSTGRES = (
    ("idle-in-transaction timeout", _LOST),
    ("terminating connection", _LOST),
    ("server closed the connection", _LOST),
    ("connection is lost", _LOST),
    ("connection is closed", _LOST),
    ("eof detected", _LOST),
    ("shutting down", _UNREACHABLE),
    ("starting up", _UNREACHABLE),
    ("connection", _UNREACHABLE),
    ("could not extend file", _PG_FULL),
    ("no space left", _PG_FULL),
    (
        "lock timeout",
        "PostgreSQL at {where} kept the ledger locked past the wait;"
        " nothing was written, run it again",
    ),
    (
        "deadlock detected",
        "PostgreSQL at {where} found a deadlock; nothing was written, run it again",
    ),
    (
        "read-only transaction",
        "PostgreSQL at {where} is read-only (a replica?); nothing was written"
        " (use the primary server, or --read-only to read)",
    ),
    (
        "permission denied",
        "PostgreSQL at {where} refused: this role may not do that ({detail};"
        " see docs/privacy.md for the roles)",
    ),
)


@contextmanager
def named(where: str, *, postgres: bool = False, views: bool = False) -> Iterator[None]:
    """Run a block, turning a driver's expected faults into one clear StorageError;
    with ``views``, a missing or unreadable view table is :class:`ViewsDamagedError`."""
    try:
        yield
    except LedgerError:
        raise
    except (sqlite3.Error, PersistenceError, OSError) as error:
        raise _named(error, where, postgres, views) from None
    except (ValueError, KeyError, IndexError, TypeError) as error:
        if views:  # a view row that does not read back: edited, or from another version
            raise ViewsDamagedError(f"a row does not read back: {type(error).__name__}") from None
        raise
    except Exception as error:
        if type(error).__module__.startswith("psycopg"):
            raise _named(error, where, postgres, views) from None
        raise


def _named(error: BaseException, where: str, postgres: bool, views: bool) -> LedgerError:
    text = " ".join(str(error).split()).lower()
    damaged = _damaged(text, views)
    if damaged is not None:
        return damaged
    if postgres:
        for needle, message in _POSTGRES:
            if needle in text:  # detail: the server's own first line, e.g. which table
                detail = text.split(" line ")[0][:120]
                return StorageError(message.format(where=where, detail=detail))
    else:
        found = sqlite_fault(text, where)
        if found is not None:
            return StorageError(found)
    if isinstance(error, OSError) and not isinstance(error, sqlite3.Error):
        return StorageError(f"cannot use {where}: {error.strerror or error}")
    return StorageError(f"the database at {where} failed: {text[:200]}")


def _damaged(text: str, views: bool) -> ViewsDamagedError | None:
    """The views' damage, if that is what ``text`` says: a view table (or the views'
    tracking table) missing, a view row clashing with one already there."""
    missing = "no such table" in text or "does not exist" in text or "no such column" in text
    if missing and (views or "view_" in text or "tracking" in text):
        return ViewsDamagedError(text[:200])
    moved_back = "failed to record tracking" in text
    clash = ("unique" in text or "constraint" in text) and "view_" in text
    if views and (moved_back or clash):
        return ViewsDamagedError(
            "their position moved back, or rows were added behind the ledger's back"
        )
    return None


def sqlite_fault(text: str, where: str) -> str | None:
    """The one line for a SQLite error's (lower-case) ``text`` on the file ``where``, or
    None when it is not one of the expected faults."""
    if "disk is full" in text:
        return (
            f"the disk holding {where} is full; nothing was written"
            " (free some space and run it again)"
        )
    if "locked" in text or "busy" in text:
        from ledger.store.sqlite import LOCK_TIMEOUT_SECONDS  # noqa: PLC0415 - its setting

        return (
            f"{where} is busy: another program kept it locked for {LOCK_TIMEOUT_SECONDS:g} s;"
            " nothing was written (run it again when it is done)"
        )
    if any(needle in text for needle in ("readonly", "read-only", "unable to open", "i/o")):
        return _unwritable(text, where)
    if "not a database" in text or "file is encrypted" in text:
        return f"{where} is not a ledger (not a SQLite database)"
    if "malformed" in text:
        return (
            f"{where} is damaged (the SQLite file is malformed);"
            " restore it from a backup or `ledger dump`"
        )
    return None


def _unwritable(text: str, where: str) -> str:
    """Why SQLite could not open or write ``where``: the file system, the process's
    file-size limit, the permissions of the file or its folder, or the disk."""
    if _read_only_file_system(where):
        return _READ_ONLY_FS.format(where=where)
    if "i/o" in text:
        if _file_size_limited():
            return (
                f"{where} reached this process's file-size limit (ulimit -f); nothing was"
                " written (raise the limit, or free the space it guards, and run it again)"
            )
        return f"a disk error while using {where}; nothing was written (check the disk)"
    if "unable to open" in text:
        return (
            f"cannot open {where}: check that it and its folder exist and may be read and"
            " written by you"
        )
    return (
        f"{where} is read-only; nothing was written (check the permissions of the file and"
        " of its folder: SQLite writes a journal beside it)"
    )


def _read_only_file_system(where: str) -> bool:
    try:
        return bool(os.statvfs(Path(where).parent).f_flag & os.ST_RDONLY)
    except (OSError, ValueError, AttributeError):  # no such folder, memory://, no statvfs
        return False


def _file_size_limited() -> bool:
    try:
        import resource  # noqa: PLC0415 - POSIX only
    except ImportError:
        return False
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return bool(soft != resource.RLIM_INFINITY)
