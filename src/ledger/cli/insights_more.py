"""``ledger suggest-intros``, ``path``, ``intros``, ``givers``, ``invitations``, ``who``
and ``diversity`` (registered through :data:`ledger.cli.insights.COMMANDS`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from ledger.cli._common import db_option, open_book, points_option
from ledger.cli._insight_options import as_of_option, depth_option, me_option, rows_of
from ledger.cli._output import Report, emit, format_option
from ledger.insights._common import resolve_me
from ledger.insights.diversity import FIELDS, diversity
from ledger.insights.givers import givers, taking
from ledger.insights.intros import how_met, introductions_made, suggest_intros, warmest_path
from ledger.insights.invitations import invitations
from ledger.insights.who import who
from ledger.projections.depth import DepthLevel

__all__ = ["COMMANDS"]

_LIMIT = click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Show at most this many rows.",
)


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
    found = suggest_intros(book, me, as_of, min_depth=level, limit=limit)
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
    facts = {"me": resolve_me(book, me), "suggestions": len(found)}
    emit(
        Report(
            "Who should meet whom",
            facts,
            rows_of(found, columns),
            columns,
            rows_name="suggestions",
            empty="(no suggestions)",
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
    hops = warmest_path(book, target, me, as_of, min_depth=DepthLevel[min_depth.upper()])
    columns = ("source", "target", "strength", "depth")
    facts = {
        "from": hops[0].source,
        "to": hops[-1].target,
        "hops": len(hops),
        "weakest": min(hop.strength for hop in hops),
    }
    emit(Report("Warmest path", facts, rows_of(hops, columns), columns, rows_name="hops"), fmt)


@click.command("intros")
@click.option("--broker", metavar="KEY", help="Only this person's introductions.")
@click.option("--met", metavar="KEY", help="How did I (--me) meet KEY?")
@me_option
@as_of_option
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
    fmt: str,
) -> None:
    """Is the connectors' work paying off? Introductions made per person, and how many
    turned into a relationship (a touch between the two introduced afterwards).

    With --met KEY: who introduced me to KEY, and our first touchpoint.
    """
    book = open_book(ctx)
    if met is not None:
        found = how_met(book, met, me, as_of)
        facts: dict[str, Any] = {
            "me": found.other,
            "person": found.person,
            "introduced_by": ", ".join(found.introduced_by) or "(nobody recorded)",
            "first_touch_at": found.first_touch_at,
            "first_kind": found.first_kind,
            "first_source": found.first_source,
        }
        emit(Report(f"How {found.other} met {found.person}", facts), fmt)
        return
    records = introductions_made(book, as_of, broker)
    columns = ("broker", "introductions", "turned_into_relationship", "rate")
    total = sum(r.introductions for r in records)
    facts = {
        "brokers": len(records),
        "introductions": total,
        "turned_into_relationship": sum(r.turned_into_relationship for r in records),
    }
    emit(
        Report(
            "Introductions made",
            facts,
            rows_of(records, columns),
            columns,
            rows_name="brokers",
            empty="(no introductions recorded)",
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
    if mirror:
        balances = taking(book, me, as_of)[:limit]
        mirrored = ("other", "given_by_me", "given_to_me", "net")
        facts = {"me": resolve_me(book, me), "taking_from": len(balances)}
        emit(
            Report(
                "Where I take more than I give",
                facts,
                rows_of(balances, mirrored),
                mirrored,
                rows_name="balances",
                empty="(nowhere)",
            ),
            fmt,
        )
        return
    rows = givers(book, as_of, resolve_me(book, me) if mine else None, limit=limit)
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
    emit(
        Report(
            "Who gives the most",
            {"people": len(rows)},
            rows_of(rows, columns),
            columns,
            rows_name="givers",
        ),
        fmt,
    )


@click.command("invitations")
@me_option
@as_of_option
@format_option
@db_option
@click.pass_context
def invitations_command(
    ctx: click.Context, /, me: str | None, as_of: datetime | None, fmt: str
) -> None:
    """Was that a cold invitation? Connection requests sent and received with no prior
    touchpoint, personalized or not, with acceptance rates; and the people whose only
    contact was a bare request."""
    book = open_book(ctx)
    found = invitations(book, me, as_of)
    columns = ("direction", "warmth", "personalized", "requests", "accepted", "acceptance_rate")
    facts = {
        "me": found.me,
        "as_of": found.as_of,
        "sent": found.sent,
        "received": found.received,
        "cold_share_sent": found.cold_share_sent,
        "cold_share_received": found.cold_share_received,
        "personalized_share_sent": found.personalized_share_sent,
        "bare_request_only": len(found.bare_only),
    }
    shown = list(found.bare_only[:10])
    more = len(found.bare_only) - len(shown)
    notes = [f"only a bare request: {', '.join(shown)}" + (f" and {more} more" if more else "")]
    emit(
        Report(
            "Connection requests",
            facts,
            rows_of(found.groups, columns),
            columns,
            rows_name="groups",
            notes=notes if shown else (),
            notes_name="bare_request_only",
            empty="(no connection requests)",
        ),
        fmt,
    )


@click.command("who")
@click.option("--lives-in", metavar="PLACE", help="Their location contains PLACE.")
@click.option("--knows", metavar="TOPIC", help="A tag, their title or org contains TOPIC.")
@me_option
@as_of_option
@_LIMIT
@format_option
@db_option
@click.pass_context
def who_command(
    ctx: click.Context,
    /,
    lives_in: str | None,
    knows: str | None,
    me: str | None,
    as_of: datetime | None,
    limit: int,
    fmt: str,
) -> None:
    """I'm going to Chicago: who's there? Who knows about X? As of a date (people move
    and change jobs), closest to me first."""
    book = open_book(ctx)
    rows = who(book, me, as_of, lives_in=lives_in, knows=knows, limit=limit)
    columns = ("person", "name", "location", "org", "title", "tags", "strength", "depth")
    facts = {"lives_in": lives_in, "knows": knows, "found": len(rows)}
    emit(
        Report(
            "Who",
            {k: v for k, v in facts.items() if v is not None},
            rows_of(rows, columns),
            columns,
            rows_name="people",
        ),
        fmt,
    )


@click.command("diversity")
@click.option(
    "--by",
    type=click.Choice(FIELDS),
    default="org",
    show_default=True,
    help="The attribute that makes the groups.",
)
@click.option("--all", "everyone", is_flag=True, help="Every relationship in the ledger.")
@points_option(6, 1, "Dates in the history.")
@me_option
@as_of_option
@format_option
@db_option
@click.pass_context
def diversity_command(
    ctx: click.Context,
    /,
    by: str,
    everyone: bool,
    points: int,
    me: str | None,
    as_of: datetime | None,
    fmt: str,
) -> None:
    """Is my network an echo chamber? Blau index of my contacts by --by, the share of
    strength inside my own group, Krackhardt's E-I index, and their history."""
    book = open_book(ctx)
    found = diversity(book, me, as_of, by=by, points=points, everyone=everyone)
    facts = {
        "me": found.me or "(whole ledger)",
        "by": by,
        "as_of": found.as_of,
        "own": ", ".join(found.own) or None,
        "relationships": found.relationships,
        "unknown": found.unknown,
        "blau": found.blau,
        "blau_by_strength": found.blau_by_strength,
        "inside_share": found.inside_share,
        "ei_index": found.ei_index,
    }
    columns = ("group", "contacts", "strength_share")
    notes = [
        f"{p.as_of:%Y-%m-%d}: {p.relationships} relationships, Blau "
        f"{_num(p.blau)}, inside share {_num(p.inside_share)}"
        for p in found.history
    ]
    emit(
        Report(
            "Diversity",
            facts,
            rows_of(found.groups[:20], columns),
            columns,
            rows_name="groups",
            notes=notes,
            notes_name="history",
        ),
        fmt,
    )


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


COMMANDS: tuple[click.Command, ...] = (
    suggest_intros_command,
    path_command,
    intros_command,
    givers_command,
    invitations_command,
    who_command,
    diversity_command,
)
