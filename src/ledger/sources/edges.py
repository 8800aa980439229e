"""Temporal edge lists: one touchpoint per line, initiator → counterpart(s) at a time.

Two formats:

* ``snap``: ``SRC DST UNIXTS`` separated by spaces or tabs, no header, ``#`` comments,
  gzip accepted (the SNAP temporal networks).
* ``csv``: any delimited file; :class:`CsvLayout` names the sender, recipient(s) and
  time columns, the time format (``unix``, ``iso`` or a ``strftime`` pattern) and,
  for one-to-many messages, several recipient columns or a recipients separator.

Identity. ``source`` defaults to the file name without its extensions
(``CollegeMsg.txt.gz`` → ``CollegeMsg``). ``source_ref`` is the record itself in a
normal form, ``SRC>DST@TIME``, plus its occurrence among identical records of the file:
``1>2@1082040961#1``. So the second of two identical lines (two messages in the same
second) is a second touchpoint, importing the file again adds nothing, and a newer,
longer export of the same log adds only the records it has in excess. A record's
position (line number) is deliberately *not* part of the ref: re-sorting or
prepending to a log would otherwise make every line new. Records are short, so they
are kept readable rather than hashed.

Person keys are the ids in the file, optionally with a ``person_prefix`` so that two
logs that both number people from 1 do not merge strangers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import attrs

from ledger.api import Ledger
from ledger.facts.kinds import Kind, parse_kind
from ledger.facts.values import Touch
from ledger.sources._rows import (
    CsvTable,
    ImportFileError,
    Progress,
    find_column,
    iter_lines,
    read_csv,
    read_text,
)
from ledger.sources._summary import ImportSummary, Tally, write_touches
from ledger.sources._times import parse_stamp, zone

__all__ = ["CsvLayout", "default_source", "import_edges"]

_PROGRESS_EVERY = 50_000


@attrs.frozen
class CsvLayout:
    """Where a CSV edge list keeps its fields.

    Columns are header names, or 1-based positions (``"1"``) when ``has_header`` is
    false. ``to_cols`` lists one or more recipient columns; ``recipients_separator``
    splits a single recipient cell into several people.
    """

    src_col: str = "src"
    to_cols: tuple[str, ...] = ("dst",)
    time_col: str = "time"
    time_format: str = "unix"
    delimiter: str = ","
    has_header: bool = True
    recipients_separator: str | None = None


def default_source(path: str | Path) -> str:
    """The file name without directory and extensions: ``a/CollegeMsg.txt.gz`` → ``CollegeMsg``."""
    name = Path(path).name
    return name.split(".", 1)[0] or name


def import_edges(
    book: Ledger,
    path: str | Path,
    *,
    format: str = "snap",
    kind: Kind | str = Kind.MESSAGE,
    source: str | None = None,
    layout: CsvLayout | None = None,
    person_prefix: str = "",
    timezone: str = "UTC",
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a temporal edge list; all of it or, on the first bad row, nothing.

    ``timezone`` applies to zone-less times of a CSV (``iso`` or ``strftime``). A SNAP
    log is parsed as it is written, in chunks inside the one transaction: memory grows
    with the people and the distinct records, not with the rows held at once.
    """
    source = source or default_source(path)
    tally = Tally(skip_invalid)
    edge_kind = parse_kind(kind)
    edges: Iterable[Edge]
    if format == "snap":
        edges = _snap_edges(path, tally, progress)
    elif format == "csv":
        edges = _csv_edges(path, layout or CsvLayout(), zone(timezone), tally, progress)
    else:
        raise ImportFileError(path, 0, f"unknown edge format {format!r}; use snap or csv")
    touches = _touches(edges, edge_kind, source, person_prefix)
    return write_touches(book, touches, tally, source, progress)


Edge = tuple[str, tuple[str, ...], datetime, str]
"""sender, recipients, time, the record's normal form (its ref before ``#n``)."""


def _touches(edges: Iterable[Edge], kind: Kind, source: str, prefix: str) -> Iterator[Touch]:
    seen: dict[str, int] = {}  # occurrences of each record so far: its ref's ``#n``
    for sender, recipients, moment, content in edges:
        count = seen[content] = seen.get(content, 0) + 1
        initiator, counterparts = prefix + sender, recipients
        if prefix:
            counterparts = tuple(prefix + r for r in recipients)
        ref = f"{content}#{count}"
        yield Touch(kind, initiator, counterparts, moment, None, source, ref)


def _snap_edges(path: str | Path, tally: Tally, progress: Progress | None) -> Iterator[Edge]:
    text = read_text(path)
    total = text.count("\n") + (0 if text.endswith("\n") else 1)
    # Logs are in time order and repeat a second many times: the last time is kept
    # (one datetime per run of equal stamps, which the event encoder also reuses).
    last_stamp, last_moment = "", None
    for number, line in enumerate(iter_lines(text), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        tally.rows_read += 1
        if progress is not None and number % _PROGRESS_EVERY == 0:
            progress("read", number, total)
        if len(fields) != 3:
            tally.invalid(path, number, f"expected 'SRC DST UNIXTS', got {len(fields)} fields")
            continue
        src, dst, stamp = fields
        moment = last_moment if stamp == last_stamp else _unix(stamp)
        if moment is None:
            tally.invalid(path, number, "bad timestamp: expected Unix seconds")
            continue
        last_stamp, last_moment = stamp, moment
        if src == dst:
            tally.invalid(path, number, "self-loop: SRC = DST")
            continue
        yield src, (dst,), moment, f"{src}>{dst}@{stamp}"
    if progress is not None:
        progress("read", total, total)


def _unix(stamp: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(stamp) if "." in stamp else int(stamp), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _csv_edges(
    path: str | Path, layout: CsvLayout, tz: tzinfo, tally: Tally, progress: Progress | None
) -> list[Edge]:
    table = read_csv(path, delimiter=layout.delimiter, has_header=layout.has_header)
    src = _column(table, layout.src_col, "sender")
    tos = [_column(table, col, "recipient") for col in layout.to_cols]
    when = _column(table, layout.time_col, "time")
    width = max(src, when, *tos) + 1
    edges: list[Edge] = []
    for index, (line, fields) in enumerate(table.rows, 1):
        tally.rows_read += 1
        if progress is not None and index % _PROGRESS_EVERY == 0:
            progress("read", index, len(table.rows))
        edge = _csv_edge(fields, line, layout, (src, tos, when, width), tz, tally, path)
        if edge is not None:
            edges.append(edge)
    return edges


def _csv_edge(
    fields: Sequence[str],
    line: int,
    layout: CsvLayout,
    columns: tuple[int, list[int], int, int],
    tz: tzinfo,
    tally: Tally,
    path: str | Path,
) -> Edge | None:
    src, tos, when, width = columns
    if len(fields) < width:
        tally.invalid(path, line, f"expected at least {width} fields, got {len(fields)}")
        return None
    sender = fields[src].strip()
    recipients = _recipients([fields[i] for i in tos], layout.recipients_separator)
    stamp = fields[when].strip()
    moment = parse_stamp(stamp, layout.time_format, tz)
    reason = _edge_problem(sender, recipients, moment)
    if reason is not None:
        tally.invalid(path, line, reason)
        return None
    assert moment is not None
    content = f"{sender}>{','.join(recipients)}@{stamp}"
    return sender, recipients, moment, content


def _recipients(cells: list[str], separator: str | None) -> tuple[str, ...]:
    names: list[str] = []
    for cell in cells:
        parts = cell.split(separator) if separator else [cell]
        names.extend(p.strip() for p in parts if p.strip() and p.strip() not in names)
    return tuple(names)


def _edge_problem(sender: str, recipients: tuple[str, ...], moment: datetime | None) -> str | None:
    if not sender:
        return "empty sender"
    if not recipients:
        return "no recipient"
    if moment is None:
        return "bad timestamp"
    if sender in recipients:
        return (
            "self-loop: sender is a recipient" if len(recipients) == 1 else "sender is a recipient"
        )
    return None


def _column(table: CsvTable, column: str, role: str) -> int:
    if not table.header:
        if column.isdigit() and int(column) >= 1:
            return int(column) - 1
        raise ImportFileError(
            table.path, 1, f"{role} column {column!r}: without a header give a 1-based position"
        )
    found = find_column(table.header, column)
    if found is None and column.isdigit() and 1 <= int(column) <= len(table.header):
        found = int(column) - 1
    if found is None:
        raise ImportFileError(
            table.path,
            table.header_line,
            f"no {role} column {column!r} in header: {', '.join(table.header)}",
        )
    return found
