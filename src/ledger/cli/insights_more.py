"""``ledger suggest-intros``, ``path``, ``intros``, ``givers``, ``invitations``, ``who``
and ``diversity`` (registered through :data:`ledger.cli.insights.COMMANDS`)."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

import click

from ledger.cli import insights_groups
from ledger.cli._common import (
    db_option,
    limit_option,
    open_book,
)
from ledger.cli._insight_options import as_of_option, depth_option, me_option, rows_of
from ledger.cli._output import Report, emit, format_option
from ledger.cli._progress import progress
from ledger.insights._common import NoPathError, resolve_me
from ledger.insights.givers import givers, taking
from ledger.insights.intros import how_met, introductions_made, suggest_intros, warmest_path
from ledger.projections.depth import DepthLevel

__all__ = ["COMMANDS"]

_LIMIT = limit_option(20)
_ALL = sys.maxsize


@click.command("suggest-intros")
@me_option
@as_of_option
@depth_option("two_way")
@_LIMIT
@format_option
@db_option
@click.pass_context
def suggest_intros_command(
    ctx: click.Context,
    /,
    me: str | None,
    as_of: datetime | None,
    min_depth: str,
    limit: int,
    fmt: str,
) -> None:
    """Who should meet whom? Pairs of people I know well, not tied to each other, who
    share an org, a location or tags, or common contacts.

    score = 1 per shared org or location + 0.5 per shared tag + Adamic–Adar over the
    network without me.
    """
    book = open_book(ctx)
    level = DepthLevel[min_depth.upper()]
    with progress("looking for introductions", None):
        found = suggest_intros(book, me, as_of, min_depth=level, limit=_ALL)
    columns = (
        "x",
        "y",
        "score",
        "shared",
        "adamic_adar",
        "common_neighbours",
        "strength_x",
        "strength_y",
    )
    facts = {"me": resolve_me(book, me), "found": len(found)}
    emit(
        Report(
            "Who should meet whom",
            facts,
            rows_of(found[:limit], columns),
            columns,
            rows_name="suggestions",
            empty="(no suggestions)",
            names=("x", "y"),
            drop=("strength_x", "strength_y", "common_neighbours", "adamic_adar"),
            total=len(found),
        ),
        fmt,
    )


@click.command("path")
@click.argument("target")
@me_option
@as_of_option
@depth_option("two_way")
@format_option
@db_option
@click.pass_context
def path_command(
    ctx: click.Context,
    /,
    target: str,
    me: str | None,
    as_of: datetime | None,
    min_depth: str,
    fmt: str,
) -> None:
    """The warmest chain of introductions from me to TARGET: the path that minimises
    the sum of 1/strength over its hops, each hop with its strength."""
    book = open_book(ctx)
    try:
        hops = warmest_path(book, target, me, as_of, min_depth=DepthLevel[min_depth.upper()])
    except NoPathError as error:  # an empty answer, not a failure (docs/cli.md: exit status)
        emit(Report("Warmest path", {"from": error.source, "to": error.target, "length": 0}), fmt)
        if fmt.lower() == "table":
            click.echo(f"  no path: {str(error).partition('(')[2].rstrip(')')}")
        return
    columns = ("source", "target", "strength", "depth")
    facts = {
        "from": hops[0].source,
        "to": hops[-1].target,
        "length": len(hops),
        "weakest": min(hop.strength for hop in hops),
    }
    report = Report(
        "Warmest path",
        facts,
        rows_of(hops, columns),
        columns,
        rows_name="hops",
        names=("source", "target"),
    )
    emit(report, fmt)


@click.command("intros")
@click.option("--broker", metavar="KEY", help="Only this person's introductions.")
@click.option("--met", metavar="KEY", help="How did I (--me) meet KEY?")
@me_option
@as_of_option
@limit_option(None)
@format_option
@db_option
@click.pass_context
def intros_command(
    ctx: click.Context,
    /,
    broker: str | None,
    met: str | None,
    me: str | None,
    as_of: datetime | None,
    limit: int | None,
    fmt: str,
) -> None:
    """Is the connectors' work paying off? Introductions made per person, and how many
    turned into a relationship (a touch between the two introduced afterwards).

    With --met KEY: who introduced me to KEY, and our first touchpoint.
    """
    book = open_book(ctx)
    if met is not None:
        emit(_how_met_report(book, met, me, as_of), fmt)
        return
    records = introductions_made(book, as_of, broker)
    columns = ("broker", "introductions", "turned_into_relationship", "rate")
    total = sum(r.introductions for r in records)
    facts = {
        "people_introducing": len(records),
        "introductions": total,
        "turned_into_relationship": sum(r.turned_into_relationship for r in records),
    }
    emit(
        Report(
            "Introductions made",
            facts,
            rows_of(records[:limit], columns),
            columns,
            rows_name="brokers",
            empty="(no introductions recorded)",
            names=("broker",),
            total=len(records),
        ),
        fmt,
    )


@click.command("givers")
@click.option("--mine", is_flag=True, help="Only what people gave me and took from me.")
@click.option("--taking", "mirror", is_flag=True, help="The mirror: where I take more than I give.")
@me_option
@as_of_option
@_LIMIT
@format_option
@db_option
@click.pass_context
def givers_command(
    ctx: click.Context,
    /,
    mine: bool,
    mirror: bool,
    me: str | None,
    as_of: datetime | None,
    limit: int,
    fmt: str,
) -> None:
    """Who adds the most value? People by what they give (favors, introductions,
    referrals, recommendations, answers) against what they ask, decayed like strength."""
    book = open_book(ctx)
    with progress("weighing what was given", None):
        if mirror:
            emit(_taking_report(book, me, as_of, limit), fmt)
            return
        rows = givers(book, as_of, resolve_me(book, me) if mine else None)
    columns = (
        "person",
        "given",
        "received",
        "net",
        "help_given",
        "answers_given",
        "help_received",
        "answers_received",
    )
    report = Report(
        "Who gives the most",
        {"people": len(rows)},
        rows_of(rows[:limit], columns),
        columns,
        rows_name="givers",
        names=("person",),
        drop=("answers_received", "help_received", "answers_given", "help_given"),
        total=len(rows),
    )
    emit(report, fmt)


def _how_met_report(book: Any, met: str, me: str | None, as_of: datetime | None) -> Report:
    """Who introduced me to ``met``, and our first touchpoint."""
    found = how_met(book, met, me, as_of)
    facts: dict[str, Any] = {
        "me": found.other,
        "person": found.person,
        "introduced_by": ", ".join(found.introduced_by) or "(nobody recorded)",
        "first_touch_at": found.first_touch_at,
        "first_kind": found.first_kind,
        "first_source": found.first_source,
    }
    return Report(f"How {found.other} met {found.person}", facts)


def _taking_report(book: Any, me: str | None, as_of: datetime | None, limit: int) -> Report:
    """The mirror of givers: where I take more than I give."""
    balances = taking(book, me, as_of)
    mirrored = ("other", "given_by_me", "given_to_me", "net")
    return Report(
        "Where I take more than I give",
        {"me": resolve_me(book, me), "taking_from": len(balances)},
        rows_of(balances[:limit], mirrored),
        mirrored,
        rows_name="balances",
        empty="(nowhere)",
        names=("other",),
        total=len(balances),
    )


COMMANDS: tuple[click.Command, ...] = (
    suggest_intros_command,
    path_command,
    intros_command,
    givers_command,
    *insights_groups.COMMANDS,
)
