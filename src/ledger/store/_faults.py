"""Expected faults, named: what a database driver raises, said as a person needs it.

"unexpected" is for bugs. A full disk, a lock held past the wait, a read-only file, a
file the user may not open, a lost PostgreSQL connection each become one
:class:`~ledger.errors.StorageError` line that says what happened, where, and what to
do. Every transaction of the store (and of the views) passes through :func:`named`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import PersistenceError

from ledger.errors import LedgerError, StorageError, ViewsDamagedError

__all__ = ["named"]

_SQLITE = (
    (
        "disk is full",
        "the disk holding {where} is full; nothing was written (free some space and run it again)",
    ),
    (
        "database is locked",
        "{where} is busy: another program kept it locked for 30 s; nothing was written"
        " (run it again when it is done)",
    ),
    (
        "readonly",
        "{where} is read-only; nothing was written (check the file's permissions or the disk)",
    ),
    (
        "unable to open",
        "cannot open {where}: check that the folder exists and may be read and written",
    ),
    ("disk i/o error", "a disk error while using {where}; nothing was written (check the disk)"),
    ("not a database", "{where} is not a ledger (not a SQLite database)"),
    (
        "malformed",
        "{where} is damaged (the SQLite file is malformed);"
        " restore it from a backup or `ledger dump`",
    ),
)
_POSTGRES = (
    (
        "server closed the connection",
        "lost the connection to PostgreSQL at {where}; nothing was written, run it again",
    ),
    (
        "terminating connection",
        "lost the connection to PostgreSQL at {where}; nothing was written, run it again",
    ),
    ("connection", "cannot reach PostgreSQL at {where}; nothing was written (is the server up?)"),
    (
        "could not extend file",
        "the disk of the PostgreSQL server at {where} is full; nothing was written",
    ),
    ("no space left", "the disk of the PostgreSQL server at {where} is full; nothing was written"),
    (
        "lock timeout",
        "PostgreSQL at {where} kept the ledger locked past the wait;"
        " nothing was written, run it again",
    ),
    (
        "permission denied",
        "PostgreSQL at {where} refused: this role may not do that"
        " (see docs/privacy.md for the roles)",
    ),
)


@contextmanager
def named(where: str, *, views: bool = False) -> Iterator[None]:
    """Run a block, turning a driver's expected faults into one clear StorageError;
    with ``views``, a missing or unreadable view table is :class:`ViewsDamagedError`."""
    try:
        yield
    except LedgerError:
        raise
    except (sqlite3.Error, PersistenceError, OSError) as error:
        raise _named(error, where, views) from None
    except (ValueError, KeyError, IndexError, TypeError) as error:
        if views:  # a view row that does not read back: edited, or from another version
            raise ViewsDamagedError(f"a row does not read back: {type(error).__name__}") from None
        raise
    except Exception as error:
        if type(error).__module__.startswith("psycopg"):
            raise _named(error, where, views) from None
        raise


def _named(error: BaseException, where: str, views: bool) -> LedgerError:
    text = " ".join(str(error).split()).lower()
    missing = "no such table" in text or "does not exist" in text or "no such column" in text
    if missing and (views or "view_" in text):
        return ViewsDamagedError(text[:200])
    if views and ("unique" in text or "constraint" in text) and "view_" in text:
        return ViewsDamagedError(
            "their position moved back, or rows were added behind the ledger's back"
        )
    postgres = "psycopg" in type(error).__module__ or "postgres" in text
    for needle, message in _POSTGRES if postgres else _SQLITE:
        if needle in text:
            return StorageError(message.format(where=where))
    if isinstance(error, OSError) and not isinstance(error, sqlite3.Error):
        return StorageError(f"cannot use {where}: {error.strerror or error}")
    return StorageError(f"the database at {where} failed: {text[:200]}")
