"""``ledger person duplicates|merge|unmerge|identify``: one human, many identifiers.

Added to the ``person`` group of :mod:`ledger.cli._people` (``main`` imports this
module). Merges and unmerges are facts in the log; ``duplicates --apply`` records its
merges in one unit of work.
"""

from __future__ import annotations

import click

from ledger.cli._common import DAY_END, DomainError, db_option, open_book
from ledger.cli._output import Report, emit, format_option
from ledger.cli._people import person
from ledger.insights.duplicates import DEFAULT_MIN_SCORE, apply, duplicates

__all__ = ["duplicates_command", "identify_command", "merge_command", "unmerge_command"]


@person.command("duplicates")
@click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    default=DEFAULT_MIN_SCORE,
    show_default=True,
    help="Suggest pairs scoring at least this (1: an identifier on both cards).",
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many, best first.")
@click.option("--apply", "do_apply", is_flag=True, help="Merge every pair listed (facts).")
@click.option("--as-of", type=DAY_END, help="Names and organisations as of this time.")
@format_option
@db_option
@click.pass_context
def duplicates_command(
    ctx: click.Context,
    /,
    min_score: float,
    limit: int | None,
    do_apply: bool,
    as_of: object,
    fmt: str,
) -> None:
    """Likely duplicates: two people who are one human, with a score and the evidence.

    Evidence: an identifier on both cards (certain), names alike (initials, "Doe,
    Jane"), the same organisation, counterparts in common, group threads or meetings
    both were on. Never suggested: two people who were in touch with each other, a
    generic or shared mailbox, different first names. --apply merges the pairs listed
    (the second into the first), all in one unit of work; 'ledger person unmerge'
    undoes one.
    """
    book = open_book(ctx)
    found = duplicates(book, min_score=min_score, limit=limit, as_of=as_of)  # type: ignore[arg-type]
    rows = [
        {
            "a": d.a,
            "b": d.b,
            "score": round(d.score, 3),
            "certain": d.certain,
            "evidence": "; ".join(d.evidence),
        }
        for d in found
    ]
    facts: dict[str, object] = {"pairs": len(rows), "min_score": min_score}
    if do_apply:
        facts["merged"] = apply(book, found)
    emit(
        Report(
            "Likely duplicates",
            facts,
            rows,
            ("a", "b", "score", "certain", "evidence"),
            rows_name="duplicates",
        ),
        fmt,
    )


@person.command("merge")
@click.argument("into")
@click.argument("other")
@click.option("--reason", required=True, help="Why they are one human (kept with the fact).")
@db_option
@click.pass_context
def merge_command(ctx: click.Context, /, into: str, other: str, reason: str) -> None:
    """Record that OTHER is INTO: one human from now on, for every time asked about."""
    book = open_book(ctx)
    merge = book.merge(into, other, reason)
    click.echo(f"merged {other.strip()} into {into.strip()} ({merge})")


@person.command("unmerge")
@click.argument("key")
@click.option("--reason", required=True, help="Why they are two (kept with the fact).")
@db_option
@click.pass_context
def unmerge_command(ctx: click.Context, /, key: str, reason: str) -> None:
    """Undo the latest merge of KEY: two people again, as if never merged."""
    book = open_book(ctx)
    book.unmerge(key, reason)
    click.echo(f"unmerged {key.strip()}")


@person.command("identify")
@click.argument("key")
@click.option("--email", "emails", multiple=True, help="An e-mail address; repeat.")
@click.option("--phone", "phones", multiple=True, help="A phone number; repeat.")
@click.option("--url", "urls", multiple=True, help="A profile URL; repeat.")
@click.option("--handle", "handles", multiple=True, help="platform:handle; repeat.")
@click.option("--region", help="Region of phone numbers without +country (GB, US ...).")
@db_option
@click.pass_context
def identify_command(
    ctx: click.Context,
    /,
    key: str,
    emails: tuple[str, ...],
    phones: tuple[str, ...],
    urls: tuple[str, ...],
    handles: tuple[str, ...],
    region: str | None,
) -> None:
    """Give KEY more identifiers: later imports naming any of them find KEY.

    An identifier someone else holds already stays theirs (and shows as a certain
    duplicate in 'ledger person duplicates').
    """
    pairs = [
        *(("email", v) for v in emails),
        *(("phone", v) for v in phones),
        *(("url", v) for v in urls),
        *(("handle", v) for v in handles),
    ]
    if not pairs:
        raise DomainError("give --email, --phone, --url or --handle")
    book = open_book(ctx, catch_up=False)
    claimed = book.identify(key, pairs, region=region)
    held = len(pairs) - claimed
    note = f" ({held} held by someone else or by {key.strip()} already)" if held else ""
    click.echo(f"identified {key.strip()}: {claimed} new{note}")
