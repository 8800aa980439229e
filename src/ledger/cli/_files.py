"""``ledger export`` and ``ledger plot``: files for other tools (or stdout)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import click

from ledger.cli._common import (
    LedgerGroup,
    OneLineUsageError,
    as_of_option,
    db_option,
    model_of,
    model_options,
    open_book,
    output_option,
    png_option,
    points_option,
    since_option,
    state_of,
    until_option,
)
from ledger.cli._output import printable
from ledger.cli._progress import progress
from ledger.errors import quote

__all__ = ["export", "plot", "png_target", "wrote", "zone"]

_FORMATS = ("csv", "jsonl", "parquet", "graphml")
_BINARY = ("parquet",)


def png_target(out: Path, ctx: click.Context) -> Path | BinaryIO:
    """Where a PNG goes: the path, or stdout for ``-`` (refused on a terminal)."""
    if str(out) != "-":
        return out
    if sys.stdout.isatty():
        raise OneLineUsageError("a PNG is binary: write it to a file with -o FILE", ctx)
    return sys.stdout.buffer


def wrote(out: Path, what: str) -> None:
    """Say what was written, on stderr when the file itself went to stdout."""
    if str(out) == "-":
        click.echo(f"wrote {what} to standard output", err=True)
    else:
        click.echo(f"wrote {printable(str(out))} ({what})")


def _format_of(fmt: str | None, out: Path | None, ctx: click.Context) -> str:
    """The --format given, else the output file's extension, else csv."""
    if fmt is not None:
        return fmt.lower()
    suffix = out.suffix.lower().lstrip(".") if out is not None and str(out) != "-" else ""
    if suffix in _FORMATS:
        return suffix
    if out is not None and suffix:
        raise OneLineUsageError(
            f"cannot tell the format from {quote(out.name)}; give --format {'|'.join(_FORMATS)}",
            ctx,
        )
    return "csv"


@click.command()
@click.argument(
    "projection",
    metavar="PROJECTION",
    type=click.Choice(["decay", "depth", "reciprocity"], case_sensitive=False),
)
@as_of_option
@model_options("for this export only (decay; nothing is stored)")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_FORMATS, case_sensitive=False),
    help="Output format (default: from the -o extension, else csv).",
)
@output_option("the rows", required=False)
@click.option(
    "--csv-raw",
    is_flag=True,
    help="csv: write cells as they are, even those a spreadsheet would run as a formula "
    "(text starting with = + - @; by default they get a ' before them).",
)
@db_option
@click.pass_context
def export(
    ctx: click.Context,
    /,
    projection: str,
    as_of: datetime | None,
    half_life_days: float | None,
    weights: tuple[tuple[str, float], ...],
    fmt: str | None,
    out: Path | None,
    csv_raw: bool,
) -> None:
    """Write one row per pair of PROJECTION (decay, depth or reciprocity).

    Each pair appears once with a < b (key order). Columns: decay: a, b, strength,
    touches, first/last touch, last exchange, days since last touch; depth: a, b,
    level, level_name, live_touches, two_way_days; reciprocity: a, b, a_to_b, b_to_a
    (conversations, calls and help opened), balance, given_a_to_b, given_b_to_a. CSV
    and JSON Lines end each row with as_of and model; Parquet (typed timestamps) and
    GraphML (node label, edge weight: what Gephi reads) keep them as file metadata.
    """
    from ledger.outputs import export as exporting  # noqa: PLC0415 - keeps `ledger --help` fast

    fmt = _format_of(fmt, out, ctx)
    to_stdout = out is None or str(out) == "-"
    if to_stdout and fmt in _BINARY and sys.stdout.isatty():
        raise OneLineUsageError(f"{fmt} is binary: write it to a file with -o FILE", ctx)
    book = open_book(ctx)
    moment = as_of or state_of(ctx).now
    with progress(f"exporting {printable(projection)}", None):
        count = exporting.export(
            book,
            projection,
            fmt,
            None if to_stdout else out,
            moment,
            guard=not csv_raw,
            **model_of(half_life_days, weights),
        )
    if not to_stdout:
        assert out is not None
        wrote(out, f"{count} {projection.strip().lower()} rows")


@click.group(cls=LedgerGroup)
def plot() -> None:
    """Draw relationships over time as PNG images."""


@plot.command("pair")
@click.argument("a")
@click.argument("b")
@since_option
@until_option
@points_option(400, 2, "How many instants to sample (besides each touch).")
@png_option
@db_option
@click.pass_context
def plot_pair(
    ctx: click.Context,
    /,
    a: str,
    b: str,
    since: datetime | None,
    until: datetime | None,
    points: int,
    out: Path,
) -> None:
    """Strength of the relationship A–B over time, each touchpoint marked.

    --since defaults to their first touchpoint, --until to their last.
    """
    from ledger.outputs import plot as plotting  # noqa: PLC0415 - matplotlib is slow to import

    book = open_book(ctx)
    target = png_target(out, ctx)
    with progress("drawing", None):
        series = plotting.plot_pair(book, a, b, target, since, until, points, tz=zone(ctx))
    wrote(out, f"{len(series.touches)} touchpoints")


@plot.command("network")
@since_option
@until_option
@points_option(24, 2, "How many instants to compute the network at.")
@png_option
@db_option
@click.pass_context
def plot_network(
    ctx: click.Context, /, since: datetime | None, until: datetime | None, points: int, out: Path
) -> None:
    """Network size (people, pairs) and pairs by depth level over time.

    --since defaults to the first touchpoint in the ledger, --until to the last.
    """
    from ledger.outputs import plot as plotting  # noqa: PLC0415 - matplotlib is slow to import

    book = open_book(ctx)
    target = png_target(out, ctx)
    with progress("computing the network", points, "dates") as update:
        series = plotting.plot_network(
            book,
            target,
            points,
            since,
            until,
            on_step=lambda done, _total: update(done),
            tz=zone(ctx),
        )
    wrote(out, f"{len(series)} dates")


def zone(ctx: click.Context) -> Any:
    return state_of(ctx).zone(ctx)
