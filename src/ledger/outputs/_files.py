"""Writing output files atomically: all of the file, or nothing at its path."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ledger.errors import LedgerError

__all__ = ["OutputFileError", "atomic_output"]


class OutputFileError(LedgerError, OSError):
    """An output file (an export, a plot) cannot be written; nothing was left at its path."""


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary stream that becomes ``path`` only when the block succeeds.

    The data goes to a temporary file in the same directory (so the final rename is
    atomic on every platform) and is renamed over ``path`` at the end; on any error the
    temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path).expanduser()
    if target.is_dir():
        raise OutputFileError(f"output: {str(target)!r} is a directory")
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
    except OSError as error:
        raise OutputFileError(f"output: cannot write {str(target)!r}: {_reason(error)}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except OSError as error:
        _discard(temporary)
        raise OutputFileError(f"output: cannot write {str(target)!r}: {_reason(error)}") from None
    except BaseException:
        _discard(temporary)
        raise


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _discard(temporary: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
