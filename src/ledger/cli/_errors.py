"""How the ``ledger`` command fails: one line on stderr, and an exit status that says why.

* 0: done; an answer that is empty ("no match") is still an answer.
* 1: a domain error: something named does not exist (a person, a touchpoint, a
  ledger), a value the ledger refuses, a file that cannot be written.
* 2: a usage error: an unknown command or option, a malformed value.
* 130: interrupted (Ctrl-C); nothing half-written is kept (every write is one
  transaction, every file is renamed into place only when complete).
* 141: the reader of the output went away (``ledger ... | head``): stopped quietly,
  as other Unix tools do.

Every error is one line ``error: ...`` that quotes the value refused
(:func:`ledger.errors.quote`) and says what would be accepted. No traceback reaches the
user unless ``LEDGER_DEBUG=1`` is set.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

from ledger.errors import LedgerError, UnknownPersonError, quote

__all__ = [
    "BROKEN_PIPE",
    "INTERRUPTED",
    "DomainError",
    "OneLineUsageError",
    "one_line_errors",
]

INTERRUPTED = 130
BROKEN_PIPE = 141


class DomainError(click.ClickException):
    """A domain error: ``error: <message>`` on stderr, exit status 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file or sys.stderr)


class OneLineUsageError(click.UsageError):
    """A usage error on one line, with where to find help; exit status 2."""

    def show(self, file: IO[Any] | None = None) -> None:
        where = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        click.echo(f"error: {self.format_message()}{where}", file=file or sys.stderr)


Suggest = Callable[[str], list[str]]
"""Keys of the open ledger close to a key that was not found."""


@contextmanager
def one_line_errors(suggest: Callable[[], Suggest | None] = lambda: None) -> Iterator[None]:
    """Turn every error a command can raise into a one-line click exception;
    ``suggest`` gives the open ledger's close keys for an unknown person."""
    try:
        yield
    except (click.exceptions.Exit, DomainError, OneLineUsageError):
        raise
    except (KeyboardInterrupt, click.Abort):
        click.echo("error: interrupted; nothing was half-written", err=True)
        raise click.exceptions.Exit(INTERRUPTED) from None
    except click.UsageError as error:
        raise OneLineUsageError(error.format_message(), error.ctx) from None
    except click.ClickException as error:  # click's others (FileError, ...) all exit 1
        raise DomainError(error.format_message()) from None
    except UnknownPersonError as error:
        raise DomainError(_unknown_person(error, suggest())) from None
    except LedgerError as error:
        raise DomainError(str(error)) from None
    except BrokenPipeError:
        _quiet_stdout()
        raise click.exceptions.Exit(BROKEN_PIPE) from None
    except OSError as error:
        where = f" ({quote(error.filename)})" if error.filename else ""
        raise DomainError(f"{error.strerror or error}{where}") from None
    except Exception as error:
        if os.environ.get("LEDGER_DEBUG"):
            raise
        raise DomainError(
            f"unexpected error: {error or 'no message'} (set LEDGER_DEBUG=1 for the traceback)"
        ) from None


def _unknown_person(error: UnknownPersonError, suggest: Suggest | None) -> str:
    close = suggest(error.key) if suggest is not None else []
    hint = (
        f"did you mean {', '.join(map(quote, close))}?"
        if close
        else "'ledger person list' lists everyone; 'ledger person add' adds someone"
    )
    return f"{error.field}: unknown person {quote(error.key)} ({hint})"


def close_keys(key: str, keys: list[str]) -> list[str]:
    """Up to three of ``keys`` that look like ``key`` (a typo, another case)."""
    folded = {k.casefold(): k for k in keys}
    exact = folded.get(key.casefold())
    found = difflib.get_close_matches(key.casefold(), list(folded), n=3, cutoff=0.6)
    return list(dict.fromkeys([*([exact] if exact else []), *(folded[f] for f in found)]))


def _quiet_stdout() -> None:
    """The reader went away: send what is still buffered nowhere, so that Python's
    final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
