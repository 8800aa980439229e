"""The ``ledger`` command: a thin shell over the Python API.

Every command takes ``--db URL`` (default ``$LEDGER_DB``, else ``sqlite:///ledger.db``).
Exit status: 0 on success, 1 on a domain error (unknown person, bad value, ...), 2 on
a usage error; each error is one line ``error: ...`` on stderr.

Other modules add commands with ``main.add_command(...)``; ``main`` is a click group
(with a one-line error boundary that covers added commands too).
"""

from __future__ import annotations

from datetime import datetime

import click

from ledger.cli._audit import audit_command
from ledger.cli._common import (
    EXACT,
    WEIGHT,
    CliState,
    DomainError,
    LedgerGroup,
    db_option,
    open_book,
)
from ledger.cli._files import export, plot
from ledger.cli._output import progress
from ledger.cli._pairs import pair, timeline
from ledger.cli._people import person, show
from ledger.cli.imports import import_group
from ledger.cli.insights import COMMANDS as INSIGHT_COMMANDS
from ledger.cli.insights import PLOT_COMMANDS as INSIGHT_PLOTS
from ledger.facts.kinds import Kind

__all__ = ["main"]

_TIMES = (
    "Times are ISO 8601 with a zone (2024-03-01T09:30:00+01:00, ...Z), @UNIXSECONDS or "
    "'now'. --as-of, --since and --until also take a plain date YYYY-MM-DD (UTC): "
    "--since means its start, --as-of and --until its end."
)


@click.group(
    "ledger",
    cls=LedgerGroup,
    epilog=_TIMES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    metavar="URL",
    help="Ledger URL: sqlite:///PATH, postgresql://USER:PASS@HOST/DB or memory://. "
    "Default: $LEDGER_DB, else sqlite:///ledger.db.",
)
@click.version_option(package_name="ledger")
@click.pass_context
def main(ctx: click.Context, /, db: str | None) -> None:
    """An event-sourced relationship ledger: record touchpoints between people, and ask
    how deep, how reciprocal and how strong each relationship was at any time."""
    state = ctx.ensure_object(CliState)
    state.url = state.url or db


@main.command()
@click.option(
    "--half-life",
    "half_life_days",
    type=click.FloatRange(min=0, min_open=True),
    metavar="DAYS",
    help="Decay half-life to remember (default 90; a change rebuilds the views).",
)
@click.option(
    "--weight",
    "weights",
    type=WEIGHT,
    multiple=True,
    help="Decay weight KIND=W to remember, e.g. meeting=5; repeat for several.",
)
@db_option
@click.pass_context
def init(
    ctx: click.Context, /, half_life_days: float | None, weights: tuple[tuple[str, float], ...]
) -> None:
    """Create the ledger (or open an existing one), optionally setting its decay model."""
    book = open_book(ctx, create=True, half_life_days=half_life_days, weights=dict(weights) or None)
    events = book.log_position
    model = book.decay_model
    click.echo(f"ledger {book.url}: {events} events, decay half-life {model.half_life_days:g} days")


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
@click.option("--at", "occurred_at", required=True, type=EXACT, help="When it happened.")
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
    open_book(ctx, catch_up=False).retract(touchpoint_id, reason)
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
        with progress("replaying events", total) as update:
            applied = book.rebuild(progress=update)
        click.echo(f"replayed {applied} events")
        return
    book.catch_up()  # as any read does: so that the check covers every event
    with progress("verifying events", total) as update:
        differences = book.verify(progress=update)
    if differences:
        for difference in differences:
            click.echo(difference)
        more = f" (and {len(differences) - 1} more above)" if len(differences) > 1 else ""
        raise DomainError(f"views differ from a replay of the log: {differences[0]}{more}")
    click.echo(f"consistent: the views match a replay of all {total} events")


main.add_command(person)
main.add_command(show)
main.add_command(pair)
main.add_command(timeline)
main.add_command(export)
main.add_command(plot)
main.add_command(audit_command)
main.add_command(import_group, "import")
for _command in INSIGHT_COMMANDS:
    main.add_command(_command)
for _command in INSIGHT_PLOTS:
    plot.add_command(_command)
