"""An .ics file's text before icalendar reads it: line endings, size, cuts, line numbers.

* Line endings: CRLF (the standard), LF, CR only (old Mac tools) and LF-CR (seen in
  broken exporters) are all read; the file's first line ending decides which.
* A physical line longer than :data:`MAX_LINE` characters is refused at once: calendar
  lines are folded at 75 octets, and icalendar needs seconds for a line of 50 MB.
* A file that ends without a newline and without ``END:VCALENDAR`` is *cut* (a partial
  download): refused, or with ``skip_invalid`` read up to its last complete event.
* icalendar does not say on which line a component starts, so the text is scanned for
  each VEVENT's ``BEGIN`` line, in the order icalendar lists them; the scan also finds
  what icalendar would read silently: non-ASCII digits in a time (``2024٠101``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
import icalendar

from ledger.errors import quote
from ledger.sources._rows import ImportFileError, ends_cut
from ledger.sources._summary import Tally

__all__ = ["MAX_LINE", "Scanned", "calendars", "prepare"]

MAX_LINE = 1_000_000
_TIME_PROPERTIES = {"DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "RRULE", "RDATE", "EXDATE"}
_CUT = "the file ends in the middle of this line (no final newline, no END:VCALENDAR): cut short?"


@attrs.frozen
class Scanned:
    """The text to parse and, for each VEVENT in order, its BEGIN line, the line of
    each of its time properties, and the first defect the scan found in it."""

    text: str
    begins: tuple[int, ...]
    defects: dict[int, tuple[int, str]]  # event index -> (line, reason)
    lines: dict[int, dict[str, int]]  # event index -> time property -> its first line


def prepare(path: str | Path, text: str, tally: Tally) -> Scanned:
    """The calendar text with one kind of line ending, checked and scanned."""
    text = _one_line_ending(text)
    lines = text.split("\n")
    _check_head(path, lines)
    if ends_cut(text) and lines[-1].strip().upper() != "END:VCALENDAR":
        tally.rows_read += 1
        tally.invalid(path, len(lines), _CUT)  # raises unless skip_invalid
        lines = _complete_part(lines)
        text = "\n".join(lines) + "\n"
    return _scan(path, text, lines)


def _one_line_ending(text: str) -> str:
    first = re.search(r"\r\n|\n\r|\r|\n", text)
    ending = first.group() if first else "\n"
    return text if ending == "\n" else text.replace(ending, "\n")


def _check_head(path: str | Path, lines: list[str]) -> None:
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE:
            break
        if line.strip():
            if line.strip().upper() == "BEGIN:VCALENDAR":
                return
            raise ImportFileError(
                path, number, f"not an iCalendar file: it begins with {quote(line)}"
            )
    _check_lengths(path, lines)
    raise ImportFileError(path, 1, "not an iCalendar file: no BEGIN:VCALENDAR")


def _check_lengths(path: str | Path, lines: list[str]) -> None:
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE:
            raise ImportFileError(
                path,
                number,
                f"a line of {len(line):,} characters ({quote(line)}): not a calendar, or "
                "damaged (calendar lines are folded at 75 characters)",
            )


def _complete_part(lines: list[str]) -> list[str]:
    """The lines before the cut event (or the cut line), closed by END:VCALENDAR."""
    upper = [line.strip().upper() for line in lines]
    begin = max((i for i, line in enumerate(upper) if line == "BEGIN:VEVENT"), default=-1)
    end = max((i for i, line in enumerate(upper) if line == "END:VEVENT"), default=-1)
    keep = begin if begin > end else len(lines) - 1
    return [*lines[:keep], "END:VCALENDAR"]


def _scan(path: str | Path, text: str, lines: list[str]) -> Scanned:
    begins: list[int] = []
    defects: dict[int, tuple[int, str]] = {}
    where: dict[int, dict[str, int]] = {}
    stack: list[str] = []
    for number, content in _logical(path, lines):
        name, _, value = content.partition(":")
        prop = name.split(";", 1)[0].strip().upper()
        if prop == "BEGIN":
            stack.append(value.strip().upper())
            if stack == ["VCALENDAR", "VEVENT"]:
                begins.append(number)
        elif prop == "END":
            stack = stack[:-1]
        elif _in_event(stack, prop):
            where.setdefault(len(begins) - 1, {}).setdefault(prop, number)
            if not value.isascii() and len(begins) - 1 not in defects:
                reason = f"{prop} has non-ASCII characters ({quote(value)}): digits must be 0-9"
                defects[len(begins) - 1] = (number, reason)
    return Scanned(text, tuple(begins), defects, where)


def _in_event(stack: list[str], prop: str) -> bool:
    """A time property of a VEVENT itself (not of an alarm inside it)."""
    return stack == ["VCALENDAR", "VEVENT"] and prop in _TIME_PROPERTIES


def _logical(path: str | Path, lines: list[str]) -> list[tuple[int, str]]:
    """Unfolded content lines with the number of their first physical line."""
    found: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE:
            _check_lengths(path, lines)
        if line[:1] in (" ", "\t") and found:
            found[-1] = (found[-1][0], found[-1][1] + line[1:])
        elif line:
            found.append((number, line))
    return found


def calendars(path: str | Path, scanned: Scanned) -> list[Any]:
    """Every VCALENDAR of the text (iTIP mail folders concatenate several)."""
    try:
        return list(icalendar.Calendar.from_ical(scanned.text, multiple=True))
    except (ValueError, KeyError, IndexError, TypeError) as error:
        first = str(error).split("\n", 1)[0]
        raise ImportFileError(
            path, _line_of(scanned.text, first), f"unreadable iCalendar: {quote(first)}"
        ) from None


def _line_of(text: str, message: str) -> int:
    """The line a parse error quotes, when its message quotes one."""
    found = re.search(r"'([^']{4,})'", message)
    if found is not None:
        at = text.find(found.group(1)[:100])
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return 1
