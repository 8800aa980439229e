"""Writing output files so that they cannot hurt: all of a file, or nothing at its path,
and never a device, a FIFO or a symlink replaced.

* A regular file (new or existing) is written to a temporary file in the same
  directory, fsynced, and renamed over the path; then the directory is fsynced, so
  that the rename survives a crash. On any error the temporary file is removed and
  the path is left as it was. An existing file keeps its permissions.
* A path that is not a regular file (``/dev/null``, ``/dev/stdout``, a FIFO, a
  terminal, a socket) is written through: opened and written in place, never
  replaced. Nothing can be taken back from those, so an error may leave part written.
* A symlink is followed: its target is written (atomically when it is a regular
  file), and the link stays a link.
* A stream (``sys.stdout.buffer``, an open file) is written as it is.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ledger.errors import LedgerError, quote

__all__ = ["OutputFileError", "Target", "atomic_output"]

Target = str | os.PathLike[str] | BinaryIO
"""Where an output goes: a path, or a writable binary stream."""


class OutputFileError(LedgerError, OSError):
    """An output file (an export, a plot) cannot be written; nothing was left at its path."""


@contextlib.contextmanager
def atomic_output(target: Target) -> Iterator[BinaryIO]:
    """A binary stream for ``target`` (see the module docs): a path that becomes the
    file only when the block succeeds, a non-regular path written through, or a stream
    passed on as it is (and flushed)."""
    if not isinstance(target, str | os.PathLike):
        yield target
        target.flush()
        return
    path = Path(target).expanduser()
    mode = _mode(path)
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputFileError(f"output: {quote(str(path))} is a directory")
    if mode is not None and not stat.S_ISREG(mode):
        with _through(path) as stream:
            yield stream
        return
    with _replacing(Path(os.path.realpath(path)), path, mode) as stream:
        yield stream


def _mode(path: Path) -> int | None:
    """The mode of what ``path`` leads to (symlinks followed); None if nothing is there."""
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _error(path, error) from None


@contextlib.contextmanager
def _through(path: Path) -> Iterator[BinaryIO]:
    """Write into a device, FIFO or socket in place."""
    try:
        stream = path.open("wb")
    except OSError as error:
        raise _error(path, error) from None
    try:
        with stream:
            yield stream
    except LedgerError:  # the ledger's own (damaged views, a lost server): not the file's
        raise
    except OSError as error:
        raise _error(path, error) from None


@contextlib.contextmanager
def _replacing(real: Path, shown: Path, mode: int | None) -> Iterator[BinaryIO]:
    """Write a temporary file beside ``real`` and rename it over ``real``."""
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{real.name}.", suffix=".tmp", dir=real.parent
        )
    except OSError as error:
        raise _error(shown, error) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600): give it the existing file's mode, or
        # the one a plain open() would.
        os.chmod(temporary, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        os.replace(temporary, real)
        _sync_directory(real.parent)
    except LedgerError:  # the ledger's own (damaged views, a lost server): not the file's
        _discard(temporary)
        raise
    except OSError as error:
        _discard(temporary)
        raise _error(shown, error) from None
    except BaseException:
        _discard(temporary)
        raise


def _sync_directory(directory: Path) -> None:
    """fsync the directory, so that a rename in it is on disk (where the OS allows)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems cannot sync a directory
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _discard(temporary: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)


def _error(path: Path, error: OSError) -> OutputFileError:
    reason = error.strerror or str(error)
    return OutputFileError(f"output: cannot write {quote(str(path))}: {reason}")
