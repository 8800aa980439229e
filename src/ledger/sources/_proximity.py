"""Reading SocioPatterns proximity logs: ``t i j`` or ``t i j Ci Cj`` lines, metadata.

Times are ASCII whole seconds. A log whose first time lies before 2000 counts its
times from the start of the recording (SocioPatterns' office and conference logs:
``28840`` is 08:00:40 on the first day); such a log needs ``start``, the moment its
times count from, and a log of Unix times must not get one.

The last line of a file that ends without a newline is *cut* (a partial download)
when it has fewer fields than the lines before it, or a last field shorter than in
every line before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import attrs

from ledger.errors import InvalidInputError, quote
from ledger.facts.time import EPOCH
from ledger.sources._keys import key, name
from ledger.sources._rows import ImportFileError, Progress, ends_cut, read_text, text_lines
from ledger.sources._summary import Tally
from ledger.sources._times import BadValue, seconds_after, whole_seconds

__all__ = ["RELATIVE_BEFORE", "Log", "Window", "read_groups", "read_log"]

RELATIVE_BEFORE = 946_684_800
"""2000-01-01 in Unix seconds: a proximity log's earlier times are relative."""
_LAYOUTS = {3: "'t i j'", 5: "'t i j Ci Cj'"}


@attrs.frozen
class Window:
    """One line: ``i`` and ``j`` were close during the window ending at ``end``."""

    end: datetime
    i: str
    j: str
    line: int


@attrs.define
class Log:
    """A proximity log read: its windows and the groups (classes) its lines name."""

    windows: list[Window] = attrs.field(factory=list)
    groups: dict[str, tuple[str, int]] = attrs.field(factory=dict)  # person -> (group, line)
    width: int = 0
    shortest_last: int = 0


def read_log(
    path: str | Path, start: datetime | None, tally: Tally, progress: Progress | None
) -> Log:
    """Every window of the log at ``path``; bad lines go to ``tally``."""
    text = read_text(path)
    lines = text_lines(text)
    cut_line = len(lines) if ends_cut(text) else 0
    log = Log()
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        tally.rows_read += 1
        if progress is not None and number % 50_000 == 0:
            progress("read", number, len(lines))
        try:
            _read_line(path, log, fields, number, number == cut_line, start)
        except BadValue as error:
            tally.invalid(path, number, error.reason)
    if progress is not None:
        progress("read", len(lines), len(lines))
    return log


def _read_line(
    path: str | Path,
    log: Log,
    fields: list[str],
    number: int,
    last: bool,
    start: datetime | None,
) -> None:
    if last and log.width and (len(fields) < log.width or len(fields[-1]) < log.shortest_last):
        raise BadValue(
            "the file ends in the middle of this line (no final newline, "
            f"{len(fields)} fields, last one {len(fields[-1])} long): cut short?"
        )
    if not log.width and len(fields) in _LAYOUTS:
        log.width = len(fields)
    if len(fields) != log.width:
        layout = _LAYOUTS.get(log.width, "'t i j' or 't i j Ci Cj'")
        raise BadValue(f"expected {layout}, got {len(fields)} fields")
    seconds = whole_seconds(fields[0])
    if not log.windows and start is None and seconds < RELATIVE_BEFORE:
        raise ImportFileError(path, number, _relative_reason(seconds))
    if not log.windows and start is not None and seconds >= RELATIVE_BEFORE:
        reason = f"time {seconds} is a Unix time: drop --start, it is for relative times"
        raise ImportFileError(path, number, reason)
    i, j = (_key(field) for field in fields[1:3])
    if i == j:
        raise BadValue("self-contact: i = j")
    if log.width == 5:
        _remember_groups(log, ((i, fields[3]), (j, fields[4])), number)
    log.shortest_last = min(log.shortest_last or len(fields[-1]), len(fields[-1]))
    log.windows.append(Window(seconds_after(start or EPOCH, seconds), i, j, number))


def _relative_reason(seconds: int) -> str:
    moment = (EPOCH + timedelta(seconds=seconds)).isoformat()
    return (
        f"time {seconds} would be {moment}: this log counts seconds from the start of "
        "the recording; give --start DATE (start=...), the day it began"
    )


@lru_cache(maxsize=1 << 16)  # a log names a few hundred people on 100,000s of lines
def _key(field: str) -> str:
    try:
        return key(field, "person")
    except InvalidInputError as error:
        raise BadValue(str(error)) from None


@lru_cache(maxsize=1 << 12)
def _group(field: str) -> str:
    try:
        return name(field, "class")
    except InvalidInputError as error:
        raise BadValue(str(error)) from None


def _remember_groups(log: Log, pairs: Sequence[tuple[str, str]], number: int) -> None:
    for person, group in pairs:
        cleaned = _group(group)
        known, line = log.groups.setdefault(person, (cleaned, number))
        if known != cleaned:
            raise BadValue(
                f"person {quote(person)} is in class {quote(cleaned)} here "
                f"but in {quote(known)} on line {line}"
            )


def read_groups(path: str | Path) -> dict[str, tuple[str, int]]:
    """A metadata file's ``PERSON GROUP [more ...]`` lines: person -> (group, line).

    Columns after the second (HS2013's gender) are not read: the ledger records no
    such attribute.
    """
    found: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(text_lines(read_text(path)), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) < 2:
            raise ImportFileError(path, number, "expected 'PERSON GROUP'")
        try:
            person, group = key(fields[0], "person"), name(fields[1], "group")
        except InvalidInputError as error:
            raise ImportFileError(path, number, str(error)) from None
        known = found.setdefault(person, (group, number))
        if known[0] != group:
            reason = f"person {quote(person)} is in {quote(group)} here but in {quote(known[0])}"
            raise ImportFileError(path, number, f"{reason} on line {known[1]}")
    return found
