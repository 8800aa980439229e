"""What every command shares: the global options, the ledger it opens, the display zone.

The group's options (``--db``, ``--tz``, ``--read-only``, ``--passphrase-file``,
``--key-file``) leave a :class:`CliState` on the click context; ``--db`` and ``--tz``
are also accepted after the command. :func:`open_book` opens the ledger once per
command, the same way for every command:

* only commands that create (``init``, the imports, ``load``, ``migrate``) create a
  ledger; every other one fails on a missing ledger, so a mistyped path never starts
  an empty one (and :func:`creating` removes a SQLite file it made if the command fails);
* an encrypted ledger opens with ``--key-file``, ``--passphrase-file``,
  ``$LEDGER_KEY`` or ``$LEDGER_PASSPHRASE``, else with a passphrase typed at a prompt
  when stdin is a terminal; a passphrase is never read from the command line;
* views far behind the log are caught up first, under a progress bar on a terminal.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click

import ledger
from ledger import default_url
from ledger.cli._errors import DomainError, OneLineUsageError, close_keys
from ledger.cli._times import local_zone, recorded_zone, zone_named
from ledger.errors import (
    InvalidTimeError,
    KeyRequiredError,
    StorageError,
    ViewsDamagedError,
    quote,
)

__all__ = [
    "CliState",
    "creating",
    "db_option",
    "global_options",
    "key_file_option",
    "ledger_exists",
    "open_book",
    "passphrase_file_option",
    "read_secret",
    "state_of",
]

F = TypeVar("F", bound=Callable[..., Any])

_LOCKED = (
    "this ledger is encrypted: give --passphrase-file FILE or --key-file FILE (before the "
    "command), or set $LEDGER_PASSPHRASE or $LEDGER_KEY; on a terminal it is asked for"
)


@attrs.define
class CliState:
    """The global options, and what a command opened with them."""

    url: str | None = None
    tz: str | None = None
    read_only: bool = False
    passphrase_file: Path | None = None
    key_file: Path | None = None
    csv_raw: bool = False
    now: datetime = attrs.field(factory=lambda: datetime.now(UTC))
    """One "now" for the whole command: ``--since now --until now`` is one instant."""
    book: ledger.Ledger | None = None
    passphrase: str | None = attrs.field(default=None, repr=False)
    key: bytes | str | None = attrs.field(default=None, repr=False)
    _zone: tzinfo | None = None

    @property
    def target(self) -> str:
        """The ledger URL the command works on."""
        return self.url or default_url()

    def secrets(self) -> dict[str, Any]:
        """What unlocked the ledger (for the API calls that open it themselves)."""
        return {"passphrase": self.passphrase, "key": self.key}

    def zone(self, ctx: click.Context | None = None) -> tzinfo:
        """The display zone: ``--tz``, ``$LEDGER_TZ``, the ledger's ``timezone`` setting
        (when one was recorded), else the machine's local zone."""
        if self._zone is None:
            self._zone = self._find_zone(ctx)
        return self._zone

    def _find_zone(self, ctx: click.Context | None) -> tzinfo:
        if self.tz:
            return zone_named(self.tz)
        if os.environ.get("LEDGER_TZ", "").strip():
            try:
                return zone_named(os.environ["LEDGER_TZ"])
            except InvalidTimeError as error:
                raise OneLineUsageError(
                    f"$LEDGER_TZ: {error.reason} (got {quote(os.environ['LEDGER_TZ'])})", ctx
                ) from None
        book = self.book
        if book is None and ctx is not None:
            try:
                book = open_book(ctx, catch_up=False)
            except DomainError:
                raise
            except StorageError:  # no ledger yet (init, import): nothing recorded
                book = None
        try:
            if book is not None and any("timezone" in c.changes for c in book.settings_history()):
                return recorded_zone(book.timezone)
        except ViewsDamagedError:
            # Said by the command that needs the views; audit, replay and init do not,
            # and must run: their times are shown in the machine's zone.
            pass
        return local_zone()

    def suggest(self, key: str) -> list[str]:
        return [] if self.book is None else close_keys(key, self.book.people())


def state_of(ctx: click.Context | None = None) -> CliState:
    ctx = ctx or click.get_current_context()
    return ctx.find_root().ensure_object(CliState)


def _remember(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None and value is not False:
            setattr(state_of(ctx), name, value)

    return callback


_SECRET_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def global_options(function: F) -> F:
    """The group's options (see the module docs)."""
    options = (
        click.option(
            "--db",
            metavar="URL",
            expose_value=False,
            callback=_remember("url"),
            help="Ledger URL: sqlite:///PATH, postgresql://USER:PASS@HOST:PORT/DB, "
            "postgresql:///DB?host=/SOCKET/DIR or memory://. Default: $LEDGER_DB, else "
            "sqlite:///ledger.db.",
        ),
        _tz_option,
        click.option(
            "--read-only",
            is_flag=True,
            expose_value=False,
            callback=_remember("read_only"),
            help="Open the ledger read-only: answer from the views as they are (a worker "
            "keeps them), refuse anything that writes.",
        ),
        passphrase_file_option("The encrypted ledger's passphrase, in a file."),
        key_file_option("The encrypted ledger's key (32 bytes, hex or base64), in a file."),
    )
    for option in reversed(options):
        function = option(function)
    return function


def passphrase_file_option(help: str) -> Callable[[F], F]:
    return click.option(
        "--passphrase-file",
        type=_SECRET_FILE,
        expose_value=False,
        callback=_remember("passphrase_file"),
        help=help,
    )


def key_file_option(help: str) -> Callable[[F], F]:
    return click.option(
        "--key-file",
        type=_SECRET_FILE,
        expose_value=False,
        callback=_remember("key_file"),
        help=help,
    )


def _remember_zone(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is None:
        return
    try:
        zone_named(value)
    except InvalidTimeError as error:
        raise click.BadParameter(f"{error.reason} (got {quote(value)})") from None
    state_of(ctx).tz = value


_tz_option = click.option(
    "--tz",
    metavar="ZONE",
    expose_value=False,
    is_eager=True,
    callback=_remember_zone,
    help="Show times in ZONE (an IANA name such as Europe/Paris) and count typed days in "
    "it. Default: $LEDGER_TZ, else the ledger's time zone setting, else this machine's.",
)


def db_option(function: F) -> F:
    """``--db URL`` and ``--tz ZONE`` on a command as well as on the group."""
    function = _tz_option(function)
    return click.option(
        "--db",
        metavar="URL",
        expose_value=False,
        is_eager=True,
        callback=_remember("url"),
        help="Ledger URL (default: $LEDGER_DB, else sqlite:///ledger.db).",
    )(function)


def open_book(
    ctx: click.Context,
    *,
    create: bool = False,
    catch_up: bool = True,
    encrypt: bool = False,
    repair: bool = False,
) -> ledger.Ledger:
    """The command's ledger (opened once, closed when the command ends); see the
    module docs. ``encrypt`` creates a new encrypted ledger; with ``repair``, views
    found damaged while catching up are rebuilt from the log (said on stderr)."""
    state = state_of(ctx)
    if state.book is None and create and state.read_only:
        raise DomainError(
            f"read_only: '{ctx.command_path}' creates and writes a ledger; drop --read-only"
        )
    if state.book is None:
        state.book = _open(ctx, state, create, encrypt)
        ctx.find_root().call_on_close(state.book.close)
    book = state.book
    # A repair catches up even with nothing pending: that is when the settings are read.
    if catch_up and not state.read_only and (repair or book.pending):
        _catch_up(book, repair)
    return book


def _catch_up(book: ledger.Ledger, repair: bool) -> None:
    from ledger.cli._progress import progress  # noqa: PLC0415 - rich only when drawn

    try:
        pending = book.pending  # reads the views' position: damaged views may fail here
        with progress("catching up the views", pending, "events") as update:
            book.catch_up(progress=update)
    except ViewsDamagedError as error:
        if not repair:
            raise
        click.echo(f"note: the views were damaged ({error.detail}); rebuilding them", err=True)
        with progress("rebuilding the views", book.log_position, "events") as update:
            book.rebuild(progress=update)


def _open(ctx: click.Context, state: CliState, create: bool, encrypt: bool) -> ledger.Ledger:
    url = state.target
    if state.key is None:
        state.key = read_secret(state.key_file, "--key-file", text=False)
    if state.passphrase is None and state.passphrase_file is not None:
        state.passphrase = str(read_secret(state.passphrase_file, "--passphrase-file"))
    unlocked = state.key is not None or state.passphrase is not None
    if encrypt and not unlocked and not _in_environment():
        state.passphrase = _ask(url, twice=True)
    options: dict[str, Any] = {"create": create, "read_only": state.read_only}
    if encrypt:
        options["encrypt"] = True
    try:
        return ledger.open(url, **state.secrets(), **options)
    except KeyRequiredError:
        if unlocked:
            raise
    state.passphrase = _ask(url, twice=False)
    return ledger.open(url, **state.secrets(), **options)


def _in_environment() -> bool:
    return bool(os.environ.get("LEDGER_PASSPHRASE") or os.environ.get("LEDGER_KEY"))


def _ask(url: str, *, twice: bool) -> str:
    """A passphrase typed at a prompt (not echoed), or an error off a terminal."""
    if not sys.stdin.isatty():
        raise DomainError(
            "encrypt: a new encrypted ledger needs a passphrase or a key: give "
            "--passphrase-file FILE or --key-file FILE, or set $LEDGER_PASSPHRASE or "
            "$LEDGER_KEY"
            if twice
            else _LOCKED
        )
    shown = ledger.redact(url)
    typed = str(
        click.prompt(
            f"passphrase for {shown}" if not twice else f"new passphrase for {shown}",
            hide_input=True,
            confirmation_prompt="repeat it" if twice else False,
            err=True,
        )
    )
    if not typed:
        raise DomainError("passphrase: an empty passphrase opens nothing; type one")
    return typed


def read_secret(path: Path | None, option: str, *, text: bool = True) -> str | bytes | None:
    """A passphrase (one line) or a key from ``path``; refused when others can read it."""
    if path is None:
        return None
    mode = path.stat().st_mode
    if stat.S_ISREG(mode) and mode & 0o077:
        raise DomainError(
            f"{option}: {quote(str(path))} can be read by others; make it yours alone "
            f"(chmod 600 {quote(str(path))})"
        )
    data = path.read_bytes()
    if not text and len(data) == 32:  # a raw key
        return data
    try:
        found = data.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise DomainError(
            f"{option}: {quote(str(path))} is not text (a key is 32 bytes, hex or base64)"
        ) from None
    if not found:
        raise DomainError(f"{option}: {quote(str(path))} is empty")
    return found


@contextmanager
def creating(ctx: click.Context, *, encrypt: bool = False) -> Iterator[ledger.Ledger]:
    """Open the ledger, creating it if needed (``encrypt``: encrypted); if it was
    created here and the block fails, the new SQLite file is removed, so that a failed
    import leaves nothing behind."""
    existed = ledger_exists(ctx)
    if existed and encrypt:
        raise DomainError(
            f"encrypt: {quote(ledger.redact(state_of(ctx).target))} exists already; "
            "encryption is chosen when a ledger is created: name a new one with --db"
        )
    book = open_book(ctx, create=True, catch_up=False, encrypt=encrypt)
    path = book.path
    try:
        yield book
    except BaseException:
        if not existed and path is not None:
            _discard(ctx, path)
        raise


def _discard(ctx: click.Context, path: Path) -> None:
    state = state_of(ctx)
    if state.book is not None:
        state.book.close()
        state.book = None
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)


def ledger_exists(ctx: click.Context) -> bool:
    """Whether the ledger named by ``--db`` exists (opening it if it does)."""
    state = state_of(ctx)
    if state.book is not None:
        return True
    try:
        open_book(ctx, catch_up=False)
    except StorageError:
        return False
    return True
