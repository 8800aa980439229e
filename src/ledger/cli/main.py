"""The ``ledger`` command: a thin shell over the Python API.

Global options (before the command; ``--db`` and ``--tz`` also after it): the ledger
URL, the display zone, read-only, and how an encrypted ledger is unlocked
(:mod:`ledger.cli._state`). Exit status: 0 on success, 1 on a domain error, 2 on a
usage error, 130 when interrupted; each error is one line ``error: ...`` on stderr
(:mod:`ledger.cli._errors`).

Other modules add commands with ``main.add_command(...)``; ``main`` is a click group
(with a one-line error boundary that covers added commands too).
"""

from __future__ import annotations

from datetime import datetime

import click

from ledger.cli import identity as _identity  # noqa: F401 - adds person duplicates ...
from ledger.cli import imports_more as _imports_more  # noqa: F401 - adds import mail ...
from ledger.cli._admin import COMMANDS as ADMIN_COMMANDS
from ledger.cli._audit import audit_command
from ledger.cli._common import (
    EXACT,
    HALF_LIFE,
    WEIGHT,
    ZONE,
    DomainError,
    LedgerGroup,
    db_option,
    global_options,
    open_book,
)
from ledger.cli._files import export, plot
from ledger.cli._pairs import pair, timeline
from ledger.cli._people import person, show
from ledger.cli._progress import progress
from ledger.cli._settings import record_settings, settings
from ledger.cli._state import key_file_option, ledger_exists, passphrase_file_option
from ledger.cli._times import ACCEPTED
from ledger.cli.imports import import_group
from ledger.cli.insights import COMMANDS as INSIGHT_COMMANDS
from ledger.cli.insights import PLOT_COMMANDS as INSIGHT_PLOTS
from ledger.cli.serve import serve
from ledger.errors import UnknownTouchpointError, quote
from ledger.facts.kinds import Kind

__all__ = ["main"]

_EPILOG = (
    f"Times (--since, --until, --as-of) take {ACCEPTED}. They are read and shown in the "
    "display zone (--tz). Exit status: 0 done, 1 domain error, 2 usage error, 130 "
    "interrupted. Full reference: docs/cli.md."
)


@click.group(
    "ledger",
    cls=LedgerGroup,
    epilog=_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@global_options
@click.version_option(package_name="ledger")
def main() -> None:
    """An event-sourced relationship ledger: record touchpoints between people, and ask
    how deep, how reciprocal and how strong each relationship was at any time."""


@main.command()
@click.option(
    "--half-life",
    "half_life_days",
    type=HALF_LIFE,
    help="Decay half-life in days (default 90), recorded as a setting.",
)
@click.option(
    "--weight",
    "weights",
    type=WEIGHT,
    multiple=True,
    help="Decay weight KIND=W, e.g. meeting=5, recorded as a setting; repeat for several "
    "(the other kinds keep theirs).",
)
@click.option(
    "--timezone",
    type=ZONE,
    help="The time zone days are counted in (an IANA name such as Europe/Paris; default "
    "UTC). Times are then shown in it too, unless --tz or $LEDGER_TZ say otherwise.",
)
@click.option(
    "--encrypt",
    is_flag=True,
    help="Create the ledger encrypted: with --passphrase-file, --key-file, "
    "$LEDGER_PASSPHRASE or $LEDGER_KEY, else a passphrase typed twice at a prompt.",
)
@passphrase_file_option("With --encrypt: the new ledger's passphrase, in a file.")
@key_file_option("With --encrypt: the new ledger's key (32 bytes, hex or base64), in a file.")
@db_option
@click.pass_context
def init(
    ctx: click.Context,
    /,
    half_life_days: float | None,
    weights: tuple[tuple[str, float], ...],
    timezone: str | None,
    encrypt: bool,
) -> None:
    """Create the ledger (or open an existing one), optionally changing its settings.

    Settings are facts in the log (who changed what, and when: 'ledger settings');
    only the values that differ from those in force are recorded. Encryption is
    chosen when a ledger is created; to encrypt an existing one, dump it and load the
    dump into a new encrypted ledger ('ledger load --encrypt').
    """
    if encrypt and ledger_exists(ctx):
        raise DomainError(
            "encrypt: the ledger exists already; encryption is chosen when a ledger is "
            "created ('ledger dump', then 'ledger load --encrypt' into a new one)"
        )
    book = open_book(ctx, create=True, encrypt=encrypt, repair=True)
    changed = record_settings(book, half_life_days, dict(weights), timezone)
    model = book.decay_model
    click.echo(
        f"ledger {book.url}: {book.log_position} events, decay half-life "
        f"{model.half_life_days:g} days, time zone {book.timezone}"
        + (", encrypted" if book.encrypted else "")
    )
    if changed:
        click.echo(f"recorded: {', '.join(changed)}")


@main.command()
@click.argument("kind", type=click.Choice([k.value for k in Kind], case_sensitive=False))
@click.option("--from", "initiator", required=True, metavar="A", help="Who initiated it.")
@click.option(
    "--to",
    "counterparts",
    required=True,
    multiple=True,
    metavar="B",
    help="Who it was with; repeat.",
)
@click.option(
    "--at",
    "occurred_at",
    required=True,
    type=EXACT,
    help="When it happened: ISO 8601 with a zone (2024-03-01T09:30:00+01:00, ...Z), "
    "@UNIXSECONDS, now, or a distance back such as -2h or -3d.",
)
@click.option("--note", help="A note to keep with it.")
@click.option("--personalized", is_flag=True, help="It was personal (not a mass message).")
@click.option(
    "--giver",
    type=click.Choice(["initiator", "counterparts"]),
    help="favor only: who helped (default: the initiator).",
)
@click.option(
    "--duration",
    "duration_seconds",
    type=click.IntRange(min=0),
    metavar="SECONDS",
    help="How long it lasted.",
)
@db_option
@click.pass_context
def log(
    ctx: click.Context,
    /,
    kind: str,
    initiator: str,
    counterparts: tuple[str, ...],
    occurred_at: datetime,
    **details: object,
) -> None:
    """Record one touchpoint of KIND from A to B (and C, ...); print its id.

    Both people must be in the ledger already ('ledger person add'). --at needs a time
    zone: a time without one is ambiguous by hours.
    """
    book = open_book(ctx, catch_up=False)  # only writes
    given = {name: value for name, value in details.items() if value not in (None, False)}
    click.echo(book.record(kind, initiator, list(counterparts), occurred_at, **given))


@main.command()
@click.argument("touchpoint_id")
@click.option("--reason", required=True, help="Why it is withdrawn (kept in the log).")
@db_option
@click.pass_context
def retract(ctx: click.Context, /, touchpoint_id: str, reason: str) -> None:
    """Withdraw the touchpoint TOUCHPOINT_ID, recorded in error.

    The log keeps both facts (the touchpoint and its retraction); every view then
    leaves the touchpoint out.
    """
    book = open_book(ctx, catch_up=False)
    try:
        book.retract(touchpoint_id, reason)
    except UnknownTouchpointError:
        raise DomainError(
            f"touchpoint_id: no touchpoint {quote(touchpoint_id.strip())} in this ledger "
            "(ids are printed by 'ledger log' and listed by 'ledger timeline')"
        ) from None
    click.echo(f"retracted {touchpoint_id.strip()}")


@main.command()
@click.option(
    "--verify",
    is_flag=True,
    help="Replay into a scratch store and compare it with the persisted views; "
    "write nothing, exit 1 naming the first difference.",
)
@db_option
@click.pass_context
def replay(ctx: click.Context, /, verify: bool) -> None:
    """Rebuild every projection from the events, from scratch.

    The views (people, touchpoints, every pair's depth, reciprocity and decay) are
    thrown away and refolded from the event log, which is never changed.
    """
    book = open_book(ctx, catch_up=verify)  # a rebuild would redo a catch-up's work
    total = book.log_position
    if not verify:
        with progress("replaying", total, "events") as update:
            applied = book.rebuild(progress=update)
        click.echo(f"replayed {applied} events")
        return
    with progress("verifying", total, "events") as update:
        differences = book.verify(progress=update)
    if differences:
        for difference in differences:
            click.echo(difference)
        more = f" (and {len(differences) - 1} more above)" if len(differences) > 1 else ""
        raise DomainError(f"views differ from a replay of the log: {differences[0]}{more}")
    click.echo(f"consistent: the views match a replay of all {total} events")


main.add_command(person)
main.add_command(settings)
main.add_command(show)
main.add_command(pair)
main.add_command(timeline)
main.add_command(export)
main.add_command(plot)
main.add_command(audit_command)
main.add_command(import_group, "import")
main.add_command(serve)
for _command in (*INSIGHT_COMMANDS, *ADMIN_COMMANDS):
    main.add_command(_command)
for _command in INSIGHT_PLOTS:
    plot.add_command(_command)
