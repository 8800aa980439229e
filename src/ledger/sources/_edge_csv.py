"""Edge lists as CSV: columns found by name or position, cells read as ids or addresses.

A record's normal form (its ref before ``#n``) is a digest of its sender, recipients
and parsed time: CSV edge lists often key people by e-mail address, which a ref must
not show.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, tzinfo
from pathlib import Path

import attrs

from ledger.errors import InvalidInputError, quote
from ledger.sources._keys import address_list, key
from ledger.sources._refs import digest
from ledger.sources._rows import CsvTable, ImportFileError, Progress, find_column, parse_csv
from ledger.sources._summary import Tally
from ledger.sources._times import BadValue, parse_stamp

__all__ = ["CsvLayout", "Edge", "csv_edges", "csv_source_content"]

_PROGRESS_EVERY = 50_000
Columns = tuple[int, list[int], int, int]  # sender, recipients, time, width


@attrs.frozen
class CsvLayout:
    """Where a CSV edge list keeps its fields.

    Columns are header names, or 1-based positions (``"1"``) when ``has_header`` is
    false. ``to_cols`` lists one or more recipient columns; ``recipients_separator``
    splits a recipient cell of plain ids into several people (address cells are
    split on ``,`` and ``;`` anyway).
    """

    src_col: str = "src"
    to_cols: tuple[str, ...] = ("dst",)
    time_col: str = "time"
    time_format: str = "unix"
    delimiter: str = ","
    has_header: bool = True
    recipients_separator: str | None = None


@attrs.frozen
class Edge:
    """One record: its line, sender, recipients, time and normal form (ref before #n)."""

    line: int
    sender: str
    recipients: tuple[str, ...]
    moment: datetime
    content: str


def csv_edges(
    path: str | Path,
    text: str,
    layout: CsvLayout,
    tz: tzinfo,
    tally: Tally,
    progress: Progress | None,
) -> tuple[CsvTable, list[Edge]]:
    """The table and its edges; bad rows go to ``tally``."""
    table = parse_csv(text, path, delimiter=layout.delimiter, has_header=layout.has_header)
    columns = _columns(table, layout)
    edges: list[Edge] = []
    last = table.rows[-1][0] if table.rows else 0
    for index, (line, fields) in enumerate(table.rows, 1):
        tally.rows_read += 1
        if progress is not None and index % _PROGRESS_EVERY == 0:
            progress("read", index, len(table.rows))
        if table.cut_last and line == last:
            reason = f"the file ends in the middle of this line (no final newline, {len(fields)}"
            tally.invalid(path, line, f"{reason} fields): cut short?")
            continue
        try:
            edges.append(_edge(fields, line, layout, columns, tz, tally))
        except BadValue as error:
            tally.invalid(path, line, error.reason)
    return table, edges


def csv_source_content(table: CsvTable, layout: CsvLayout) -> tuple[list[str], Iterator[str]]:
    """What a CSV edge list's default source digests: its columns and first records."""
    used = [layout.src_col, *layout.to_cols, layout.time_col, layout.time_format]
    return [*table.header, "\x1e", *used], ("\x1f".join(row) for _, row in table.rows)


def _columns(table: CsvTable, layout: CsvLayout) -> Columns:
    src = _column(table, layout.src_col, "sender")
    tos = [_column(table, col, "recipient") for col in layout.to_cols]
    when = _column(table, layout.time_col, "time")
    return src, tos, when, max(src, when, *tos) + 1


def _edge(
    fields: Sequence[str], line: int, layout: CsvLayout, columns: Columns, tz: tzinfo, tally: Tally
) -> Edge:
    """The row's edge. A sender among their own recipients (people copy themselves)
    is left out of them and counted; a sender alone is a self-loop."""
    src, tos, when, width = columns
    if len(fields) < width:
        raise BadValue(f"expected at least {width} fields, got {len(fields)}")
    senders = _people(fields[src], None, "sender")
    recipients = _people_of([fields[i] for i in tos], layout.recipients_separator)
    if len(senders) != 1:
        raise BadValue("empty sender" if not senders else f"several senders {quote(fields[src])}")
    if not recipients:
        raise BadValue("no recipient")
    sender = senders[0]
    if recipients == (sender,):
        raise BadValue("self-loop: the sender is the only recipient")
    if sender in recipients:
        tally.left_out["the sender among their own recipients"] += 1
        recipients = tuple(r for r in recipients if r != sender)
    moment = parse_stamp(fields[when].strip(), layout.time_format, tz)
    content = digest(sender, ",".join(recipients), moment)
    return Edge(line, sender, recipients, moment, content)


def _people_of(cells: list[str], separator: str | None) -> tuple[str, ...]:
    found: list[str] = []
    for cell in cells:
        found.extend(p for p in _people(cell, separator, "recipient") if p not in found)
    return tuple(found)


def _people(cell: str, separator: str | None, role: str) -> list[str]:
    """The people of a cell: its addresses when it holds an ``@``, else its ids."""
    try:
        if "@" in cell:
            return [_address(found, part, role) for part, _, found in address_list(cell, role)]
        parts = cell.split(separator) if separator else [cell]
        return [key(part, role) for part in parts if part.strip()]
    except InvalidInputError as error:
        raise BadValue(str(error)) from None


def _address(found: str | None, shown: str, role: str) -> str:
    if found is None:
        raise BadValue(f"{role} {quote(shown)} is not an e-mail address")
    return found


def _column(table: CsvTable, column: str, role: str) -> int:
    if not table.header:
        if column.isdigit() and column.isascii() and int(column) >= 1:
            return int(column) - 1
        raise ImportFileError(
            table.path,
            1,
            f"{role} column {quote(column)}: without a header give a 1-based position",
        )
    found = find_column(table.header, column)
    numbered = column.isdigit() and column.isascii()
    if found is None and numbered and 1 <= int(column) <= len(table.header):
        found = int(column) - 1
    if found is None:
        header = quote(", ".join(table.header))
        reason = f"no {role} column {quote(column)} in header: {header}"
        raise ImportFileError(table.path, table.header_line, reason)
    return found
