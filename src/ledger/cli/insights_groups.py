"""``ledger invitations``, ``who`` and ``diversity`` (registered through
:data:`ledger.cli.insights_more.COMMANDS`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from ledger.cli._common import (
    OneLineUsageError,
    db_option,
    limit_option,
    open_book,
    points_option,
    state_of,
)
from ledger.cli._insight_options import as_of_option, me_option, rows_of
from ledger.cli._output import Report, emit, format_option
from ledger.cli._progress import progress
from ledger.cli._times import shown_time
from ledger.errors import quote
from ledger.insights.diversity import FIELDS, diversity
from ledger.insights.invitations import invitations
from ledger.insights.who import who

__all__ = ["COMMANDS"]

_LIMIT = limit_option(20)


@click.command("invitations")
@me_option
@as_of_option
@limit_option(10)
@format_option
@db_option
@click.pass_context
def invitations_command(
    ctx: click.Context, /, me: str | None, as_of: datetime | None, limit: int, fmt: str
) -> None:
    """Was that a cold invitation? Connection requests sent and received with no prior
    touchpoint, personalized or not, with acceptance rates; and the people whose only
    contact was a bare request (--limit of them named)."""
    book = open_book(ctx)
    with progress("reading the invitations", None):
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
    shown = list(found.bare_only[:limit])
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
    and change jobs), closest to me first. Finding nobody is an answer: exit 0."""
    if not (lives_in or "").strip() and not (knows or "").strip():
        raise OneLineUsageError("give --lives-in PLACE or --knows TOPIC (or both)", ctx)
    book = open_book(ctx)
    rows = who(book, me, as_of, lives_in=lives_in, knows=knows)
    columns = ("person", "name", "location", "org", "title", "tags", "strength", "depth")
    facts = {"lives_in": lives_in, "knows": knows, "found": len(rows)}
    asked = " and ".join(
        f"{what} {quote(value)}"
        for what, value in (("living in", lives_in), ("knowing about", knows))
        if value
    )
    emit(
        Report(
            "Who",
            {k: v for k, v in facts.items() if v is not None},
            rows_of(rows[:limit], columns),
            columns,
            rows_name="people",
            empty=f"(no match: nobody {asked})",
            names=("person", "name", "location", "org", "title"),
            drop=("tags", "title", "name", "strength"),
            total=len(rows),
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
@_LIMIT
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
    limit: int,
    fmt: str,
) -> None:
    """Is my network an echo chamber? Blau index of my contacts by --by, the share of
    strength inside my own group, Krackhardt's E-I index, and their history."""
    book = open_book(ctx)
    with progress("measuring the groups", None):
        found = diversity(book, me, as_of, by=by, points=points, everyone=everyone)
    emit(_diversity_report(found, by, limit), fmt)


def _diversity_report(found: Any, by: str, limit: int) -> Report:
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
    zone = state_of().zone()
    notes = [
        f"{shown_time(p.as_of, zone)[:10]}: {p.relationships} relationships, Blau "
        f"{_num(p.blau)}, inside share {_num(p.inside_share)}"
        for p in found.history
    ]
    return Report(
        "Diversity",
        facts,
        rows_of(found.groups[:limit], columns),
        columns,
        rows_name="groups",
        notes=notes,
        notes_name="history",
        names=("group",),
        total=len(found.groups),
    )


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


COMMANDS: tuple[click.Command, ...] = (invitations_command, who_command, diversity_command)
