"""Temporal edge lists: one touchpoint per line, initiator → counterpart(s) at a time.

Two formats:

* ``snap``: ``SRC DST UNIXTS`` separated by spaces or tabs, no header, ``#`` comments,
  gzip accepted (the SNAP temporal networks).
* ``csv``: any delimited file; :class:`CsvLayout` names the sender, recipient(s) and
  time columns, the time format (``unix``, ``iso`` or a ``strftime`` pattern) and,
  for one-to-many messages, several recipient columns or a recipients separator. A
  cell holding an ``@`` is an e-mail address list (``"Doe, Jane" <j@x.org>; b@y.org``):
  its people are its addresses, read by ``email.utils`` (see :mod:`._keys`).

Identity. ``source`` defaults to the format plus a digest of the columns used and the
first 8 records (:func:`content_source`), not the file name: a renamed or
recompressed copy, or a longer export of the same log, has the same source. A
re-sorted file, or a log of fewer than 8 records that grows, gets another one (give
``source`` to keep it). Eight records suffice: two logs that begin alike and use the
same ids already share their people, whatever their source. ``source_ref`` is the
record itself in a normal form, ``SRC>DST@TIME``, plus its occurrence among identical
records of the file: ``1>2@1082040961#1``. So the second of two identical lines (two
messages in the same second) is a second touchpoint, importing the file again adds
nothing, and a longer export adds only the records it has in excess. Ids from an
edge log are pseudonymous numbers, so they are kept readable. The line number is
deliberately *not* in the ref.

A SNAP log's last line is *cut* (a partial download) when the file ends without a
newline and that line has fewer than three fields, or a time shorter than every time
before it: ``5 2 10`` after a log of 10-digit times.

Person keys are the ids in the file, optionally with a ``person_prefix`` so that two
logs that both number people from 1 do not merge strangers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ledger.api import Ledger
from ledger.errors import InvalidInputError
from ledger.facts.kinds import Kind, parse_kind
from ledger.facts.values import Touch
from ledger.sources import _write
from ledger.sources._edge_csv import CsvLayout, Edge, csv_edges, csv_source_content
from ledger.sources._refs import digest
from ledger.sources._rows import ImportFileError, Progress, ends_cut, iter_lines, read_text
from ledger.sources._summary import ImportSummary, Tally, summarize
from ledger.sources._times import BadValue, unix_time, zone

__all__ = ["CsvLayout", "Edge", "content_source", "import_edges"]

_PROGRESS_EVERY = 50_000
_SOURCE_RECORDS = 8
_BETWEEN = "\x1e"  # between the columns and the records in a source's digest


def content_source(kind: str, columns: Sequence[str], records: Iterable[str]) -> str:
    """``kind:`` + a digest of the columns used and the first records' normal forms."""
    first = [record for _, record in zip(range(_SOURCE_RECORDS), records, strict=False)]
    return f"{kind}:{digest(*columns, _BETWEEN, *first)[:12]}"


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
    allow_forgotten: bool = False,
) -> ImportSummary:
    """Import a temporal edge list; all of it or, on the first bad row, nothing.

    ``timezone`` applies to zone-less times of a CSV (``iso`` or ``strftime``). A SNAP
    log is parsed as it is written, in chunks inside the one transaction: memory grows
    with the people and the distinct records, not with the rows held at once.
    """
    tally = Tally(skip_invalid)
    edge_kind = parse_kind(kind)
    text = read_text(path)
    edges: Iterable[Edge]
    if format == "snap":
        source = source or content_source("snap", (), _snap_records(text))
        edges = _snap_edges(path, text, tally, progress)
    elif format == "csv":
        chosen = layout or CsvLayout()
        table, edges = csv_edges(path, text, chosen, zone(timezone), tally, progress)
        source = source or content_source("csv", *csv_source_content(table, chosen))
    else:
        raise ImportFileError(path, 0, f"unknown edge format {format!r}; use snap or csv")
    touches = _touches(path, edges, edge_kind, source, person_prefix, tally)
    written = _write.write(book, touches, progress=progress, allow_forgotten=allow_forgotten)
    return summarize(source, tally, written)


def _touches(
    path: str | Path, edges: Iterable[Edge], kind: Kind, source: str, prefix: str, tally: Tally
) -> Iterator[Touch]:
    seen: dict[str, int] = {}  # occurrences of each record so far: its ref's ``#n``
    for edge in edges:
        count = seen[edge.content] = seen.get(edge.content, 0) + 1
        counterparts = tuple(prefix + r for r in edge.recipients) if prefix else edge.recipients
        ref = f"{edge.content}#{count}"
        try:
            yield Touch(kind, prefix + edge.sender, counterparts, edge.moment, None, source, ref)
        except InvalidInputError as error:  # a key the clean-text rule refuses
            tally.invalid(path, edge.line, str(error))


def _snap_records(text: str) -> Iterator[str]:
    """The data lines in a normal form (fields joined by one space), for the source."""
    for line in iter_lines(text):
        fields = line.split()
        if fields and not fields[0].startswith("#"):
            yield " ".join(fields)


def _snap_edges(
    path: str | Path, text: str, tally: Tally, progress: Progress | None
) -> Iterator[Edge]:
    total = text.count("\n") + (1 if ends_cut(text) else 0)
    cut_line = total if ends_cut(text) else 0
    # Logs are in time order and repeat a second many times: the last time is kept
    # (one datetime per run of equal stamps, which the event encoder also reuses).
    last_stamp, last_moment = "", None
    shortest = 0  # the shortest time so far, to recognise a cut last line
    for number, line in enumerate(iter_lines(text), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        tally.rows_read += 1
        if progress is not None and number % _PROGRESS_EVERY == 0:
            progress("read", number, total)
        if number == cut_line and (len(fields) < 3 or len(fields[-1]) < shortest):
            tally.invalid(path, number, _cut_reason(fields, shortest))
            continue
        if len(fields) != 3:
            tally.invalid(path, number, f"expected 'SRC DST UNIXTS', got {len(fields)} fields")
            continue
        src, dst, stamp = fields
        if stamp != last_stamp:
            try:
                last_moment = unix_time(stamp)
            except BadValue as error:
                tally.invalid(path, number, error.reason)
                continue
            last_stamp = stamp
            shortest = min(shortest, len(stamp)) if shortest else len(stamp)
        if src == dst:
            tally.invalid(path, number, "self-loop: SRC = DST")
            continue
        assert last_moment is not None
        yield Edge(number, src, (dst,), last_moment, f"{src}>{dst}@{stamp}")
    if progress is not None:
        progress("read", total, total)


def _cut_reason(fields: Sequence[str], shortest: int) -> str:
    found = (
        f"{len(fields)} of 3 fields"
        if len(fields) < 3
        else f"a {len(fields[-1])}-digit time where every other has {shortest} or more"
    )
    return f"the file ends in the middle of this line (no final newline, {found}): cut short?"
