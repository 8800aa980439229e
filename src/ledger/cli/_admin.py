"""Keeping a ledger: ``forget``, ``dump``, ``load``, ``migrate``, ``checkpoint`` and
``worker`` (registered through :data:`COMMANDS`)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click

import ledger
from ledger.cli._common import (
    DomainError,
    OneLineUsageError,
    creating,
    db_option,
    open_book,
    output_option,
    state_of,
)
from ledger.cli._output import printable
from ledger.cli._progress import progress
from ledger.cli._state import read_secret
from ledger.errors import InvalidInputError, quote
from ledger.outputs._files import atomic_output

__all__ = ["COMMANDS"]

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command()
@click.argument("person")
@click.option(
    "--reason",
    required=True,
    help="Why (kept in the log): a request number, say; not their name.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation on a terminal.")
@db_option
@click.pass_context
def forget(ctx: click.Context, /, person: str, reason: str, yes: bool) -> None:
    """Forget PERSON for good (crypto-shredding; see docs/privacy.md).

    Their key is destroyed: their name, attributes and every note that concerned them
    can never be read again; the views are rebuilt as if they had never been known,
    and an import that names them again is refused unless it says --allow-forgotten.
    On a terminal, asks first (--yes does not).
    """
    book = open_book(ctx)
    key = book.person(person).key
    if not yes and sys.stdin.isatty():
        click.confirm(
            f"Forget {quote(key)} for good? Nothing about them can be read again",
            abort=True,
            err=True,
        )
    with progress(f"forgetting {printable(key)}", None):
        book.forget(key, reason)
    click.echo(f"forgot {printable(key)}: the views are rebuilt without them")


@click.command()
@output_option("the dump")
@click.option(
    "--passphrase-file",
    "dump_passphrase",
    type=_FILE,
    help="Seal the whole dump under the passphrase in this file (scrypt, AES-GCM).",
)
@db_option
@click.pass_context
def dump(ctx: click.Context, /, out: Path, dump_passphrase: Path | None) -> None:
    """Write every fact of the ledger to a file: its events, secrets, people's keys
    and identities (a backup; 'ledger load' reads it into a new ledger).

    A dump holds every key: without --passphrase-file anyone who reads it can read the
    ledger. The global --passphrase-file (before the command) unlocks an encrypted
    ledger; this one seals the dump.
    """
    target = _binary_target(out, ctx)
    passphrase = _dump_passphrase(dump_passphrase)
    book = open_book(ctx)
    with progress("dumping", None), atomic_output(target) as stream:
        ledger.dump(book, stream, dump_passphrase=passphrase)
    if passphrase is None:
        click.echo(
            "note: this dump is not sealed: it holds every key of the ledger "
            "(--passphrase-file seals it)",
            err=True,
        )
    if target is not sys.stdout.buffer:
        click.echo(f"wrote {book.log_position} events to {printable(str(out))}")


@click.command()
@click.argument("file", type=_FILE)
@click.option(
    "--passphrase-file",
    "dump_passphrase",
    type=_FILE,
    help="The passphrase of a sealed dump, in a file.",
)
@click.option(
    "--encrypt",
    is_flag=True,
    help="Create the new ledger encrypted (unlocked like 'ledger init --encrypt').",
)
@db_option
@click.pass_context
def load(ctx: click.Context, /, file: Path, dump_passphrase: Path | None, encrypt: bool) -> None:
    """Load a dump (from 'ledger dump') into a new, empty ledger (--db): every view,
    export and insight is then the same as the original's. Nothing is left behind
    when it fails."""
    passphrase = _dump_passphrase(dump_passphrase)
    state = state_of(ctx)
    with creating(ctx, encrypt=encrypt):
        url = state.target
        _close(ctx)  # ledger.load opens the new ledger itself
        with progress("loading", None):
            try:
                count = ledger.load(file, url, dump_passphrase=passphrase, **state.secrets())
            except InvalidInputError as error:
                if error.field == "dump" and error.value == "encrypted" and passphrase is None:
                    raise DomainError(
                        f"dump: {quote(str(file))} is sealed: give its passphrase with "
                        "--passphrase-file FILE"
                    ) from None
                raise
    click.echo(f"loaded {count} events into {ledger.redact(url)}; the views are rebuilt")


@click.command()
@click.argument("old")
@click.argument("new")
@click.pass_context
def migrate(ctx: click.Context, /, old: str, new: str) -> None:
    """Move the ledger at OLD, written by ledger 0.1, into the new, empty ledger NEW
    (URLs), fact by fact; OLD is only read. Touchpoints get new ids (printed with
    --format json by 'ledger timeline' on NEW)."""
    state = state_of(ctx)
    state.url = new
    with creating(ctx):
        _close(ctx)  # ledger.migrate opens the new ledger itself
        with progress("migrating", None):
            moved = ledger.migrate(old, new)
    click.echo(
        f"migrated {moved.people} people, {moved.touchpoints} touchpoints, "
        f"{moved.retractions} retractions, {moved.attribute_changes} attribute changes and "
        f"{moved.snoozes} snoozes into {ledger.redact(new)}"
        + (f"; owner {printable(moved.owner)}" if moved.owner else "")
    )


@click.command()
@click.option(
    "--key-file",
    "private_key",
    type=_FILE,
    help="The Ed25519 private key (PEM) that signs the checkpoint.",
)
@click.option(
    "--new-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a new Ed25519 key pair: the private key to this file (yours alone), the "
    "public key beside it (.pub); make no checkpoint.",
)
@output_option("the checkpoint", required=False)
@db_option
@click.pass_context
def checkpoint(
    ctx: click.Context, /, private_key: Path | None, new_key: Path | None, out: Path | None
) -> None:
    """Sign the state of the log now (every event's hash, the chain's head) with a key
    kept away from the database; 'ledger audit --checkpoint FILE --public-key PUB'
    later names every event changed, removed or inserted before it."""
    if (private_key is None) == (new_key is None):
        raise OneLineUsageError("give --key-file PRIVATE.pem, or --new-key PRIVATE.pem", ctx)
    if new_key is not None:
        if new_key.exists():
            raise DomainError(f"--new-key: {quote(str(new_key))} exists already; name a new file")
        public = ledger.new_signing_key(new_key)
        click.echo(
            f"wrote the private key to {printable(str(new_key))} (keep it away from the "
            f"database) and the public key to {printable(str(public))} (for 'ledger audit')"
        )
        return
    assert private_key is not None
    pem = read_secret(private_key, "--key-file", text=False) or b""
    book = open_book(ctx)
    with progress("signing", None):
        signed = book.checkpoint(pem if isinstance(pem, bytes) else pem.encode())
    target = sys.stdout.buffer if out is None or str(out) == "-" else out
    with atomic_output(target) as stream:
        stream.write(signed)
    if target is not sys.stdout.buffer:
        click.echo(f"wrote a checkpoint of {book.log_position} events to {printable(str(out))}")


@click.command()
@click.option(
    "--wait",
    "wait_seconds",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    help="SQLite: seconds between looks at the log (PostgreSQL is notified of new events).",
)
@click.option("-v", "--verbose", is_flag=True, help="Print a line per round that applied events.")
@db_option
@click.pass_context
def worker(ctx: click.Context, /, wait_seconds: float, verbose: bool) -> None:
    """Keep the views caught up with the log until stopped (Ctrl-C or SIGTERM): a
    projection worker, for readers that open the ledger --read-only.

    Each round is one transaction with its position, so a worker stopped at any moment
    and started again applies every event exactly once.
    """
    if state_of(ctx).read_only:
        raise DomainError("read_only: a worker writes the views; drop --read-only")
    book = open_book(ctx, catch_up=False)
    last = [book.position]

    with _stop_signals() as stopped:

        def stop() -> bool:
            if verbose and book.position != last[0]:
                click.echo(f"applied {_events(book.position - last[0])}; position {book.position}")
            last[0] = book.position
            return bool(stopped())

        applied = book.follow(stop=stop, wait_seconds=wait_seconds)
    click.echo(f"stopped after applying {_events(applied)}; the views are at {book.position}")


def _events(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count} events"


@contextmanager
def _stop_signals() -> Iterator[Any]:
    """SIGINT and SIGTERM ask to stop after the round in progress (a second SIGINT
    interrupts it: nothing of the round is kept)."""
    asked: list[int] = []

    def handler(number: int, frame: FrameType | None) -> None:
        asked.append(number)
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield lambda: bool(asked)
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def _close(ctx: click.Context) -> None:
    state = state_of(ctx)
    if state.book is not None:
        state.book.close()
        state.book = None


def _binary_target(out: Path, ctx: click.Context) -> Path | Any:
    if str(out) != "-":
        return out
    if sys.stdout.isatty():
        raise OneLineUsageError("a dump is binary: write it to a file with -o FILE", ctx)
    return sys.stdout.buffer


def _dump_passphrase(path: Path | None) -> str | None:
    found = read_secret(path, "--passphrase-file")
    return None if found is None else str(found)


COMMANDS: tuple[click.Command, ...] = (forget, dump, load, migrate, checkpoint, worker)
