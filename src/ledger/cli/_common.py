"""What every command shares: the error boundary, opening the ledger, parameter types.

Errors: a :class:`ledger.LedgerError` (or an OS error) in any command becomes one line
``error: <message>`` on stderr and exit status 1; a usage error (bad option, malformed
value) becomes one line and exit status 2. No traceback reaches the user unless
``LEDGER_DEBUG=1`` is set.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import attrs
import click

import ledger
from ledger import default_url
from ledger.errors import InvalidTimeError, LedgerError
from ledger.facts.kinds import Kind
from ledger.facts.time import parse_time
from ledger.projections.decay import INTRODUCED

__all__ = [
    "DAY_END",
    "DAY_START",
    "EXACT",
    "WEIGHT",
    "CliState",
    "DomainError",
    "LedgerGroup",
    "OneLineUsageError",
    "TimeParam",
    "db_option",
    "open_book",
    "png_option",
    "points_option",
    "since_option",
    "stderr_is_terminal",
    "until_option",
]

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    _ParamType = click.ParamType[Any, Any]
else:  # click < 8.3 has no type arguments on ParamType at run time
    _ParamType = click.ParamType

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DomainError(click.ClickException):
    """A domain error: ``error: <message>`` on stderr, exit status 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file or sys.stderr)


class OneLineUsageError(click.UsageError):
    """A usage error on one line, with where to find help; exit status 2."""

    def show(self, file: IO[Any] | None = None) -> None:
        where = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        click.echo(f"error: {self.format_message()}{where}", file=file or sys.stderr)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """Turn every error a command can raise into a one-line click exception."""
    try:
        yield
    except (click.exceptions.Exit, click.Abort, DomainError, OneLineUsageError):
        raise
    except click.UsageError as error:
        raise OneLineUsageError(error.format_message(), error.ctx) from None
    except click.ClickException as error:  # click's others (FileError, ...) all exit 1
        raise DomainError(error.format_message()) from None
    except LedgerError as error:
        raise DomainError(str(error)) from None
    except BrokenPipeError:
        # The reader went away (`ledger timeline ada | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise click.exceptions.Exit(1) from None
    except OSError as error:
        raise DomainError(f"{error.strerror or error} ({error.filename or ''})") from None
    except Exception as error:
        if os.environ.get("LEDGER_DEBUG"):
            raise
        raise DomainError(
            f"unexpected {type(error).__name__}: {error} (set LEDGER_DEBUG=1 for details)"
        ) from None


class LedgerGroup(click.Group):
    """A plain click group whose commands (and their subcommands, and commands added
    later with ``add_command``) all report errors on one line."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with _one_line_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _one_line_errors():
            return super().invoke(ctx)


@attrs.define
class CliState:
    """What the group's options leave for the commands: the ledger URL, if given."""

    url: str | None = None


def _remember_db(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(CliState).url = value


def db_option(function: F) -> F:
    """``--db URL`` on a command as well as on the group (the command's one wins)."""
    return click.option(
        "--db",
        metavar="URL",
        expose_value=False,
        is_eager=True,
        callback=_remember_db,
        help="Ledger URL (default: $LEDGER_DB, else sqlite:///ledger.db).",
    )(function)


def open_book(
    ctx: click.Context, *, create: bool = False, catch_up: bool = True, **options: Any
) -> ledger.Ledger:
    """Open the ledger named by ``--db`` for the rest of the command (closed after it).

    Unless ``create``, a SQLite file that does not exist is an error: a mistyped path
    must not silently start an empty ledger. ``options`` go to :func:`ledger.open`.
    With ``catch_up`` (not for commands that only write, or rebuild anyway), views
    that are far behind the log (a large import, recorded by another process) are
    caught up now, under a progress bar on a terminal, rather than by the first query
    in silence.
    """
    url = ctx.ensure_object(CliState).url or default_url()
    path = _sqlite_path(url)
    if not create and path is not None and not path.exists():
        raise DomainError(f"db: no ledger at {str(path)!r} (create one with 'ledger init')")
    book = ctx.with_resource(ledger.open(url, **options))
    if catch_up and stderr_is_terminal() and book.pending > _CATCH_UP_SHOWN:
        from ledger.cli._output import progress  # noqa: PLC0415 - a cycle at import time

        with progress("catching up the views", book.pending) as update:
            book.catch_up(progress=update)
    return book


_CATCH_UP_SHOWN = 20_000
"""Events behind from which catching up takes over a second: a bar is shown."""


def _sqlite_path(url: str) -> Path | None:
    url = url.strip()
    scheme, sep, _ = url.partition("://")
    if not sep:
        return Path(url).expanduser()
    if scheme.lower() == "sqlite":
        return Path(url[len("sqlite:///") :]).expanduser()
    return None


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


class TimeParam(_ParamType):
    """A time: ISO 8601 with a zone, ``@UNIXSECONDS`` or ``now``; optionally a plain
    date ``YYYY-MM-DD`` (UTC), read as the start or the end of that day."""

    name = "TIME"

    def __init__(self, dates: str | None) -> None:
        self.dates = dates  # "start", "end", or None: a plain date is not a time here

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        if text.lower() == "now":
            return datetime.now(UTC)
        if self.dates is not None and _DATE.fullmatch(text):
            return self._day(text, param, ctx)
        field = param.name if param is not None and param.name else "time"
        try:
            return parse_time(text, field)
        except InvalidTimeError as error:
            self.fail(f"{error.reason} (got {text!r})", param, ctx)

    def _day(self, text: str, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.fail(f"no such date (got {text!r})", param, ctx)
        start = datetime.combine(day, time(0), tzinfo=UTC)
        return start if self.dates == "start" else start + timedelta(days=1, microseconds=-1)


EXACT = TimeParam(None)
DAY_START = TimeParam("start")
DAY_END = TimeParam("end")

# Options several commands share, spelled once.
since_option = click.option(
    "--since", type=DAY_START, help="From this time (a date is its start, UTC)."
)
until_option = click.option("--until", type=DAY_END, help="Up to this time (default: now).")
png_option = click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The PNG file to write.",
)


def points_option(default: int, minimum: int, help: str) -> Callable[[F], F]:
    """``--points N``: how many instants a series is computed at."""
    return click.option(
        "--points", type=click.IntRange(min=minimum), default=default, show_default=True, help=help
    )


class WeightParam(_ParamType):
    """``KIND=WEIGHT``: a decay weight for one kind (or ``introduced``)."""

    name = "KIND=W"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        key, sep, number = str(value).partition("=")
        key = key.strip().lower()
        known = sorted({kind.value for kind in Kind} | {INTRODUCED})
        if not sep or key not in known:
            self.fail(
                f"expected KIND=WEIGHT with KIND one of {', '.join(known)} (got {value!r})",
                param,
                ctx,
            )
        try:
            weight = float(number)
        except ValueError:
            self.fail(f"the weight must be a number (got {number!r})", param, ctx)
        if not weight >= 0 or weight == float("inf"):
            self.fail(f"the weight must be a finite number >= 0 (got {number!r})", param, ctx)
        return key, weight


WEIGHT = WeightParam()
