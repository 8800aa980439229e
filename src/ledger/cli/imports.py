"""``ledger import SOURCE ...``: the importers on the command line.

Each subcommand reads and checks the whole file, writes what it found through the
importers' one write (atomic with the engine's batches), and prints a summary
(``--output json`` for scripts). A bad row stops the import with one
line ``error: FILE:LINE: what is wrong`` on stderr, exit status 1, and nothing written;
``--skip-invalid`` skips bad rows instead and counts them by reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from ledger.cli._common import DAY_END, DAY_START, LedgerGroup, creating, db_option
from ledger.cli._output import Report, emit
from ledger.cli._progress import stages
from ledger.facts.kinds import Kind
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
            "--allow-forgotten",
            is_flag=True,
            help="Record again people who were forgotten ('ledger forget'); without it, an "
            "import that names one of them stops, writing nothing.",
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
    The ledger is created if it does not exist; a failed import leaves no ledger behind.
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
@click.option(
    "--source",
    help="Source name for idempotency (default: the format and a digest of the columns and "
    "first 8 records, so a renamed copy or a longer export is the same source).",
)
@click.option("--prefix", default="", help="Prefix for every person key, e.g. 'college:'.")
@click.option("--src-col", default="src", show_default=True, help="csv: sender column.")
@click.option("--dst-col", default="dst", show_default=True, help="csv: recipient column.")
@click.option(
    "--to-col",
    "to_cols",
    multiple=True,
    help="csv: a recipient column; repeat for one-to-many (replaces --dst-col).",
)
@click.option(
    "--recipients-separator",
    help="csv: split a recipient cell of ids on this (cells of e-mail addresses are split "
    "on , and ; anyway).",
)
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
    allow_forgotten: bool,
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
        allow_forgotten=allow_forgotten,
    )


@import_group.command("linkedin")
@click.argument("export", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--me",
    "owner",
    help="Your name as the export spells it, or your profile URL (default: found in it).",
)
@click.option(
    "--timezone",
    default="UTC",
    show_default=True,
    help="Your account's zone, for the export's zone-less times.",
)
@_common
@click.pass_context
def linkedin(
    ctx: click.Context,
    export: Path,
    owner: str | None,
    timezone: str,
    skip_invalid: bool,
    allow_forgotten: bool,
    fmt: str,
) -> None:
    """A LinkedIn data export: the .zip as LinkedIn delivers it, or its folder
    (Connections, messages, Invitations, endorsements, recommendations, Profile)."""
    _run(
        ctx,
        export,
        fmt,
        import_linkedin,
        owner=owner,
        timezone=timezone,
        skip_invalid=skip_invalid,
        allow_forgotten=allow_forgotten,
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
@click.option("--metadata", type=_FILE, help="'PERSON GROUP' lines: departments or classes as org.")
@click.option(
    "--start",
    type=DAY_START,
    help="For a log of relative times: when they count from (a date is its midnight in "
    "the display zone, see --tz).",
)
@click.option(
    "--source",
    help="Source name for idempotency (default: sociopatterns; pieces of one log share it).",
)
@_common
@click.pass_context
def meetings(
    ctx: click.Context,
    file: Path,
    meeting_format: str,
    gap: int,
    metadata: Path | None,
    start: datetime | None,
    source: str | None,
    skip_invalid: bool,
    allow_forgotten: bool,
    fmt: str,
) -> None:
    """Proximity windows ('t i j' or 't i j Ci Cj') merged into meetings with durations."""
    _run(
        ctx,
        file,
        fmt,
        import_meetings,
        gap=gap,
        source=source,
        metadata=metadata,
        start=start,
        skip_invalid=skip_invalid,
        allow_forgotten=allow_forgotten,
    )


@import_group.command("ics")
@click.argument("file", type=_FILE)
@click.option(
    "--me",
    required=True,
    multiple=True,
    metavar="EMAIL",
    help="Your address in the calendar; repeat for each address you have.",
)
@click.option(
    "--since",
    type=DAY_START,
    help="Start of the window (default: the first event; a date is its start; any time "
    "'ledger timeline --since' takes).",
)
@click.option("--until", type=DAY_END, help="End of the window (default: now; a date is its end).")
@click.option(
    "--timezone", help="Zone of floating times (default: the calendar's X-WR-TIMEZONE, else UTC)."
)
@click.option("--source", help="Source name for idempotency (default: calendar).")
@_common
@click.pass_context
def ics(
    ctx: click.Context,
    file: Path,
    me: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    timezone: str | None,
    source: str | None,
    skip_invalid: bool,
    allow_forgotten: bool,
    fmt: str,
) -> None:
    """Calendar events with attendees who attended: meetings (video calls with a
    conference link), one per occurrence."""
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
        allow_forgotten=allow_forgotten,
    )


def _run(
    ctx: click.Context,
    path: Path,
    fmt: str,
    importer: Callable[..., ImportSummary],
    **options: Any,
) -> None:
    """Open the ledger (created if needed, and removed again if this import fails),
    import ``path`` with ``importer`` (progress bars on a terminal), print the summary."""
    with creating(ctx) as book, stages(path.name) as progress:  # an import only writes
        summary = importer(book, path, progress=progress, **options)
    _show(summary, fmt)


def _show(summary: ImportSummary, fmt: str) -> None:
    facts = summary.as_dict()
    reasons = facts.pop("skipped_by_reason")
    rows = [{"reason": reason, "rows": count} for reason, count in reasons.items()]
    notes: list[str] = []
    if fmt.lower() != "json":  # JSON keeps the mapping itself
        left_out = facts.pop("left_out_by_reason", {})
        notes = [f"left out: {reason} ({count})" for reason, count in left_out.items()]
    report = Report(
        title=f"import from {summary.source}",
        facts=facts,
        rows=rows,
        columns=("reason", "rows") if rows else (),
        rows_name="skipped_by_reason",
        notes=notes,
    )
    emit(report, fmt)
