"""``ledger export`` and ``ledger plot``: files for other tools (or stdout)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from ledger.cli._common import (
    DAY_END,
    WEIGHT,
    OneLineUsageError,
    db_option,
    open_book,
    png_option,
    points_option,
    since_option,
    until_option,
)
from ledger.cli._output import progress

__all__ = ["export", "plot"]

_FORMATS = ("csv", "jsonl", "parquet", "graphml")
_BINARY = ("parquet",)


def _format_of(fmt: str | None, out: Path | None, ctx: click.Context) -> str:
    """The --format given, else the output file's extension, else csv."""
    if fmt is not None:
        return fmt.lower()
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    if suffix in _FORMATS:
        return suffix
    if out is not None and suffix:
        raise OneLineUsageError(
            f"cannot tell the format from {out.name!r}; give --format {'|'.join(_FORMATS)}", ctx
        )
    return "csv"


@click.command()
@click.argument("projection")
@click.option(
    "--as-of",
    type=DAY_END,
    help="Values as of this time (default: now; a plain date is its end, UTC).",
)
@click.option(
    "--half-life",
    "half_life_days",
    type=click.FloatRange(min=0, min_open=True),
    metavar="DAYS",
    help="decay only: use this half-life for this export (default: the ledger's).",
)
@click.option(
    "--weight",
    "weights",
    type=WEIGHT,
    multiple=True,
    help="decay only: weigh KIND so for this export, e.g. meeting=5; repeat for several.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_FORMATS, case_sensitive=False),
    help="Output format (default: from the -o extension, else csv).",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of stdout.",
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
) -> None:
    """Write one row per pair of PROJECTION (decay, depth or reciprocity).

    Each pair appears once with a < b (key order). Columns: decay: a, b, strength,
    touches, first/last touch, last exchange, days since last touch; depth: a, b,
    level, level_name, live_touches, active_months; reciprocity: a, b, a_to_b, b_to_a,
    balance, given_a_to_b, given_b_to_a. GraphML carries the same columns on edges and
    people's attributes on nodes.
    """
    from ledger.outputs import export as exporting  # noqa: PLC0415 - keeps `ledger --help` fast

    fmt = _format_of(fmt, out, ctx)
    if out is None and fmt in _BINARY and sys.stdout.isatty():
        raise OneLineUsageError(f"{fmt} is binary: write it to a file with -o FILE", ctx)
    book = open_book(ctx)
    with progress(f"exporting {projection}", None):
        count = exporting.export(
            book,
            projection,
            fmt,
            out,
            as_of,
            half_life_days=half_life_days,
            weights=dict(weights) if weights else None,
        )
    if out is not None:
        click.echo(f"wrote {count} {projection.strip().lower()} rows to {out}")


@click.group()
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

    --since defaults to their first touchpoint.
    """
    from ledger.outputs import plot as plotting  # noqa: PLC0415 - matplotlib is slow to import

    book = open_book(ctx)
    with progress("drawing", None):
        series = plotting.plot_pair(book, a, b, out, since, until, points)
    click.echo(f"wrote {out} ({len(series.touches)} touchpoints)")


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

    --since defaults to the first touchpoint in the ledger.
    """
    from ledger.outputs import plot as plotting  # noqa: PLC0415 - matplotlib is slow to import

    book = open_book(ctx)
    with progress("computing the network", points) as update:
        series = plotting.plot_network(
            book, out, points, since, until, on_step=lambda done, _total: update(done)
        )
    click.echo(f"wrote {out} ({len(series)} instants)")
