"""``ledger owner``, ``network``, ``remind``, ``snooze``, and ``plot depth`` /
``plot graph``; :data:`COMMANDS` and :data:`PLOT_COMMANDS` are registered by
:mod:`ledger.cli.main`. The other insight commands are in :mod:`ledger.cli.insights_more`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ledger.cli import insights_more
from ledger.cli._common import (
    AHEAD,
    DAY_START,
    OneLineUsageError,
    as_of_option,
    db_option,
    limit_option,
    open_book,
    png_option,
    points_option,
    state_of,
    until_option,
)
from ledger.cli._files import png_target, wrote, zone
from ledger.cli._insight_options import me_option, rows_of
from ledger.cli._output import Report, emit, format_option, printable
from ledger.cli._progress import progress
from ledger.cli._times import shown_time, zone_name
from ledger.insights._common import get_owner, resolve_me, set_owner
from ledger.insights.network_health import LEVELS, network_health
from ledger.insights.reminders import OVERDUE_FACTOR, Dormant, Reminders, remind, snooze

__all__ = ["COMMANDS", "PLOT_COMMANDS"]

_HISTORY = ("as_of", "size", "talked_to", "inch_deep_share", "one_way_share", "talked_to_share")
_REMIND = (
    "person",
    "status",
    "score",
    "rhythm_days",
    "days_since",
    "last_touch_at",
    "ideal_at",
    "overdue_at",
    "strength",
    "depth",
    "active_days",
)


@click.command()
@click.argument("key", required=False)
@db_option
@click.pass_context
def owner(ctx: click.Context, /, key: str | None) -> None:
    """Show the ledger's owner ("me" in the insights), or make KEY the owner.

    The owner is stored as a fact in the ledger's event log.
    """
    book = open_book(ctx)
    if key is not None:
        click.echo(f"owner: {printable(set_owner(book, key))}")
        return
    current = get_owner(book)
    click.echo(
        f"owner: {printable(current)}" if current else "owner: (not set; 'ledger owner KEY')"
    )


@click.command()
@me_option
@click.option("--all", "everyone", is_flag=True, help="The whole ledger, not one person.")
@as_of_option
@points_option(6, 1, "Dates in the history, from the first touch to --as-of.")
@format_option
@db_option
@click.pass_context
def network(
    ctx: click.Context,
    /,
    me: str | None,
    everyone: bool,
    as_of: datetime | None,
    points: int,
    fmt: str,
) -> None:
    """How many of my connections have I actually talked to? Size, depth, reciprocity,
    and how they changed (bigger but shallower?).

    Inch-deep: no exchange at all; talked to: a two-way exchange or deeper. Rows: the
    same at --points dates.
    """
    book = open_book(ctx)
    who = None if everyone else resolve_me(book, me)
    with progress("computing the network", None):
        health = network_health(book, who, as_of, points)
    facts: dict[str, Any] = {"me": who or "(whole ledger)", "as_of": health.as_of}
    facts.update(
        {
            name: getattr(health, name)
            for name in (
                "size",
                "talked_to",
                "talked_to_share",
                "inch_deep_share",
                "one_way_share",
                "reciprocated_share",
                "reciprocity_coefficient",
                "trend",
            )
        }
    )
    facts.update({f"depth_{level}": health.depth_distribution[level] for level in LEVELS})
    rows = rows_of(health.history, _HISTORY)
    emit(Report("Network health", facts, rows, _HISTORY, rows_name="history"), fmt)


@click.command("remind")
@me_option
@as_of_option
@click.option(
    "--within",
    "within_days",
    type=click.FloatRange(min=0),
    default=0.0,
    metavar="DAYS",
    help="Also list those coming due in the next DAYS days.",
)
@click.option(
    "--overdue-factor",
    type=click.FloatRange(min=1),
    default=OVERDUE_FACTOR,
    show_default=True,
    help="Overdue after this many rhythms.",
)
@click.option(
    "--dormant-years",
    type=click.FloatRange(min=0, min_open=True),
    default=3.0,
    show_default=True,
    help="Deep ties quiet this long go to the reconnect list.",
)
@limit_option(None)
@format_option
@db_option
@click.pass_context
def remind_command(
    ctx: click.Context,
    /,
    me: str | None,
    as_of: datetime | None,
    within_days: float,
    overdue_factor: float,
    dormant_years: float,
    limit: int | None,
    fmt: str,
) -> None:
    """Who is fading? Relationships worth a touch now, from each one's own rhythm
    (median gap between active days, bursts left out) and its strength; then the
    dormant ties (once deep, quiet for years) to reconnect.

    Status: due past the rhythm, overdue past --overdue-factor rhythms, dormant on
    the reconnect list; snoozed pairs ('ledger snooze') are left out.
    """
    book = open_book(ctx)
    with progress("finding who is fading", None):
        found = remind(
            book,
            me,
            as_of,
            within_days=within_days,
            overdue_factor=overdue_factor,
            dormant_years=dormant_years,
        )
    emit(_remind_report(found, limit), fmt)


def _remind_report(found: Reminders, limit: int | None) -> Report:
    """The fading ties, then the dormant ones, with the snoozes as notes."""
    rows = rows_of(found.fading, _REMIND)
    rows.extend(_dormant_row(item) for item in found.dormant)
    total = len(rows)
    facts = {
        "me": found.me,
        "as_of": found.as_of,
        "fading": len(found.fading),
        "dormant": len(found.dormant),
        "snoozed": len(found.snoozed),
        "without_rhythm": found.without_rhythm,
    }
    zone = state_of().zone()
    notes = [
        f"snoozed: {s.a} – {s.b} until {shown_time(s.until, zone)} {zone_name(zone)}"
        + (f" ({s.reason})" if s.reason else "")
        for s in found.snoozed
    ]
    return Report(
        "Who is fading",
        facts,
        rows[:limit],
        _REMIND,
        rows_name="reminders",
        notes=notes,
        empty="(nobody is due)",
        names=("person",),
        drop=("ideal_at", "overdue_at", "active_days", "score", "rhythm_days", "last_touch_at"),
        total=total,
    )


def _dormant_row(item: Dormant) -> dict[str, Any]:
    return {
        "person": item.person,
        "status": "dormant",
        "strength": item.strength,
        "days_since": item.years_quiet * 365.25,
        "depth": item.depth,
        "last_touch_at": item.last_touch_at,
        "active_days": item.active_days,
    }


@click.command("snooze")
@click.argument("person")
@click.argument("other", required=False)
@click.option(
    "--until",
    required=True,
    type=AHEAD,
    help="Silent until this time: a date (its start), 2w (two weeks from now), next "
    "month, ...; 'now', or a time already past, clears a snooze.",
)
@click.option("--since", type=DAY_START, help="From this time (default: now; a date is its start).")
@click.option("--reason", help="Why (kept with the fact).")
@me_option
@db_option
@click.pass_context
def snooze_command(
    ctx: click.Context,
    /,
    person: str,
    other: str | None,
    until: datetime,
    since: datetime | None,
    reason: str | None,
    me: str | None,
) -> None:
    """Silence reminders about PERSON (with me, or with OTHER) until a time.

    Stored as a fact; the latest snooze decides, so '--until now' (or any time already
    past) clears an earlier one. A distance without a sign counts ahead here: '--until
    2w' is two weeks from now.
    """
    state = state_of(ctx)
    start = since or state.now
    if since is None and until < start:  # silent until a time already past: silent no more
        until = start
    if until < start:
        raise OneLineUsageError(
            f"--until ({_shown(until)}) is before --since ({_shown(start)}): a snooze ends "
            "after it starts ('--until now' clears one)",
            ctx,
        )
    book = open_book(ctx)
    a, b = (person, other) if other is not None else (resolve_me(book, me), person)
    done = snooze(book, a, b, until, since=start, reason=reason)
    what = f"{printable(done.a)} – {printable(done.b)}"
    if done.until <= done.since:
        click.echo(f"cleared the snooze of {what}: reminders about them are back")
    else:
        click.echo(f"snoozed {what} until {_shown(done.until)}")


def _shown(moment: datetime) -> str:
    zone = state_of().zone()
    return f"{shown_time(moment, zone)} {zone_name(zone)}"


@click.command("depth")
@me_option
@click.option("--all", "everyone", is_flag=True, help="The whole ledger, not one person.")
@until_option
@points_option(24, 2, "How many dates to compute.")
@png_option
@db_option
@click.pass_context
def plot_depth(
    ctx: click.Context,
    /,
    me: str | None,
    everyone: bool,
    until: datetime | None,
    points: int,
    out: Path,
) -> None:
    """Relationships by depth, and the inch-deep share, over time (until the last
    touchpoint, unless --until)."""
    from ledger.insights import pictures  # noqa: PLC0415 - matplotlib is slow to import

    book = open_book(ctx)
    who = None if everyone else resolve_me(book, me)
    target = png_target(out, ctx)
    with progress("drawing", None):
        series = pictures.plot_depth(book, target, who, points, until, tz=zone(ctx))
    wrote(out, f"{len(series)} dates")


@click.command("graph")
@me_option
@as_of_option
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="How many of the strongest ties to draw.",
)
@png_option
@db_option
@click.pass_context
def plot_graph(
    ctx: click.Context, /, me: str | None, as_of: datetime | None, top: int, out: Path
) -> None:
    """My strongest ties and the ties among them, coloured by organisation, the
    strongest labelled by name."""
    from ledger.insights import pictures  # noqa: PLC0415 - matplotlib is slow to import

    book = open_book(ctx)
    target = png_target(out, ctx)
    with progress("drawing", None):
        summary = pictures.plot_graph(book, target, resolve_me(book, me), as_of, top, tz=zone(ctx))
    wrote(out, f"{summary.people} people, {summary.ties} ties")


COMMANDS: tuple[click.Command, ...] = (
    owner,
    network,
    remind_command,
    snooze_command,
    *insights_more.COMMANDS,
)
PLOT_COMMANDS: tuple[click.Command, ...] = (plot_depth, plot_graph)
