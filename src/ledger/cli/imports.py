"""``ledger import SOURCE ...``: the importers on the command line.

Each subcommand reads and checks the whole file, writes it in one atomic batch, and
prints a summary (``--format json`` for scripts). A bad row stops the import with one
line ``error: FILE:LINE: what is wrong`` on stderr, exit status 1, and nothing written;
``--skip-invalid`` skips bad rows instead and counts them by reason.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from ledger.cli._common import DAY_END, DAY_START, LedgerGroup, db_option, open_book
from ledger.cli._output import Report, emit
from ledger.facts.kinds import Kind
from ledger.sources._rows import Progress
from ledger.sources._summary import ImportSummary
from ledger.sources.edges import CsvLayout, import_edges
from ledger.sources.linkedin import import_linkedin
from ledger.sources.meetings import WINDOW_SECONDS, import_meetings

__all__ = ["import_group"]

F = TypeVar("F", bound=Callable[..., Any])
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _common(function: F) -> F:
    """Options every importer takes."""
    for option in (
        click.option(
            "--skip-invalid",
            is_flag=True,
            help="Skip bad rows (counted by reason) instead of stopping at the first one.",
        ),
        click.option(
            "--output",
            "fmt",
            type=click.Choice(["table", "json"], case_sensitive=False),
            default="table",
            show_default=True,
            help="How to print the summary: table for reading, json for programs "
            "(--output, since --format names the input format).",
        ),
        db_option,
    ):
        function = option(function)
    return function


@click.group("import", cls=LedgerGroup)
def import_group() -> None:
    """Import history you already have: edge logs, LinkedIn exports, meetings, calendars.

    Importing is atomic (all or nothing) and idempotent (importing again adds nothing).
    """


@import_group.command("edges")
@click.argument("file", type=_FILE)
@click.option(
    "--format",
    "edge_format",
    type=click.Choice(["snap", "csv"]),
    default="snap",
    show_default=True,
    help="snap: 'SRC DST UNIXTS' lines; csv: see the --*-col options.",
)
@click.option(
    "--kind",
    type=click.Choice([k.value for k in Kind]),
    default="message",
    show_default=True,
    help="The kind of every touchpoint.",
)
@click.option("--source", help="Source name for idempotency (default: the file name).")
@click.option("--prefix", default="", help="Prefix for every person key, e.g. 'college:'.")
@click.option("--src-col", default="src", show_default=True, help="csv: sender column.")
@click.option("--dst-col", default="dst", show_default=True, help="csv: recipient column.")
@click.option(
    "--to-col",
    "to_cols",
    multiple=True,
    help="csv: a recipient column; repeat for one-to-many (replaces --dst-col).",
)
@click.option("--recipients-separator", help="csv: split the recipient cell on this.")
@click.option("--time-col", default="time", show_default=True, help="csv: time column.")
@click.option(
    "--time-format",
    default="unix",
    show_default=True,
    help="csv: unix, iso, or a strftime pattern such as '%Y-%m-%d %H:%M'.",
)
@click.option("--delimiter", default=",", show_default=True, help="csv: field separator.")
@click.option("--no-header", is_flag=True, help="csv: no header row; columns are 1-based numbers.")
@click.option("--timezone", default="UTC", show_default=True, help="Zone of zone-less times.")
@_common
@click.pass_context
def edges(
    ctx: click.Context,
    file: Path,
    edge_format: str,
    kind: str,
    source: str | None,
    prefix: str,
    src_col: str,
    dst_col: str,
    to_cols: tuple[str, ...],
    recipients_separator: str | None,
    time_col: str,
    time_format: str,
    delimiter: str,
    no_header: bool,
    timezone: str,
    skip_invalid: bool,
    fmt: str,
) -> None:
    """A temporal edge list: one touchpoint per line, sender → recipient(s) at a time."""
    layout = CsvLayout(
        src_col=src_col,
        to_cols=to_cols or (dst_col,),
        time_col=time_col,
        time_format=time_format,
        delimiter=delimiter.replace("\\t", "\t"),
        has_header=not no_header,
        recipients_separator=recipients_separator,
    )
    _run(
        ctx,
        file,
        fmt,
        import_edges,
        format=edge_format,
        kind=kind,
        source=source,
        layout=layout,
        person_prefix=prefix,
        timezone=timezone,
        skip_invalid=skip_invalid,
    )


@import_group.command("linkedin")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--me", "owner", help="Your name as the export spells it (default: found in it).")
@click.option(
    "--timezone",
    default="UTC",
    show_default=True,
    help="Your account's zone, for the export's zone-less times.",
)
@_common
@click.pass_context
def linkedin(
    ctx: click.Context, folder: Path, owner: str | None, timezone: str, skip_invalid: bool, fmt: str
) -> None:
    """A LinkedIn data export folder (Connections, messages, Invitations, endorsements,
    recommendations)."""
    _run(
        ctx,
        folder,
        fmt,
        import_linkedin,
        owner=owner,
        timezone=timezone,
        skip_invalid=skip_invalid,
    )


@import_group.command("meetings")
@click.argument("file", type=_FILE)
@click.option(
    "--format",
    "meeting_format",
    type=click.Choice(["sociopatterns"]),
    default="sociopatterns",
    show_default=True,
    help="'t i j' proximity windows.",
)
@click.option(
    "--gap",
    type=click.IntRange(min=WINDOW_SECONDS),
    default=WINDOW_SECONDS,
    show_default=True,
    help="Windows at most this many seconds apart are one meeting.",
)
@click.option("--metadata", type=_FILE, help="'PERSON DEPARTMENT' lines: departments as org.")
@click.option("--source", help="Source name for idempotency (default: the file name).")
@_common
@click.pass_context
def meetings(
    ctx: click.Context,
    file: Path,
    meeting_format: str,
    gap: int,
    metadata: Path | None,
    source: str | None,
    skip_invalid: bool,
    fmt: str,
) -> None:
    """Proximity windows merged into meetings with durations."""
    _run(
        ctx,
        file,
        fmt,
        import_meetings,
        gap=gap,
        source=source,
        metadata=metadata,
        skip_invalid=skip_invalid,
    )


@import_group.command("ics")
@click.argument("file", type=_FILE)
@click.option("--me", required=True, metavar="EMAIL", help="Your address in the calendar.")
@click.option("--since", type=DAY_START, help="Start of the window (default: first event).")
@click.option("--until", type=DAY_END, help="End of the window (default: now).")
@click.option("--timezone", default="UTC", show_default=True, help="Zone of floating times.")
@click.option("--source", help="Source name for idempotency (default: the file name).")
@_common
@click.pass_context
def ics(
    ctx: click.Context,
    file: Path,
    me: str,
    since: datetime | None,
    until: datetime | None,
    timezone: str,
    source: str | None,
    skip_invalid: bool,
    fmt: str,
) -> None:
    """Calendar events with attendees: meetings (video calls with a conference link)."""
    # Imported here: icalendar is slow to import, and `ledger --help` should not wait.
    from ledger.sources.calendar import import_ics  # noqa: PLC0415

    _run(
        ctx,
        file,
        fmt,
        import_ics,
        me=me,
        since=since,
        until=until,
        source=source,
        timezone=timezone,
        skip_invalid=skip_invalid,
    )


def _run(
    ctx: click.Context,
    path: Path,
    fmt: str,
    importer: Callable[..., ImportSummary],
    **options: Any,
) -> None:
    """Open the ledger, import ``path`` with ``importer`` (a progress bar on a terminal),
    print the summary."""
    book = open_book(ctx, create=True, catch_up=False)  # an import only writes
    with _progress(path.name) as progress:
        summary = importer(book, path, progress=progress, **options)
    _show(summary, fmt)


@contextmanager
def _progress(label: str) -> Iterator[Progress | None]:
    """Bars on stderr for reading and writing (only on a terminal)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console  # noqa: PLC0415 - rich.progress is slow to import
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn  # noqa: PLC0415

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                verb = "reading" if stage == "read" else "writing"
                tasks[stage] = bar.add_task(f"{verb} {label}", total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)

        yield update


def _show(summary: ImportSummary, fmt: str) -> None:
    facts = summary.as_dict()
    reasons = facts.pop("skipped_by_reason")
    rows = [{"reason": reason, "rows": count} for reason, count in reasons.items()]
    report = Report(
        title=f"import from {summary.source}",
        facts=facts,
        rows=rows,
        columns=("reason", "rows") if rows else (),
        rows_name="skipped_by_reason",
    )
    emit(report, fmt)
