"""How commands print: a table for people, JSON, JSON Lines or CSV for programs.

A command builds a :class:`Report` (a title, facts, rows, notes) and :func:`emit`
renders it:

* ``table`` (the default): fitted to the terminal's width (80 columns when the output
  is not a terminal and ``$COLUMNS`` says nothing). Ids a user must copy are never cut;
  names are cut with an ellipsis; other text wraps. When the rows cannot fit on one
  line, the report's ``stack`` puts some values under others, then its ``drop``
  columns are left out (and the caption says so: ``--format json`` has them all).
  Times are shown in the display zone (the caption names it). Text from the ledger is
  printed with control characters and escapes shown escaped, never raw.
* ``json``: one object, the facts, the rows under ``rows_name``, the notes under
  ``notes_name``; ``jsonl`` and ``csv``: the rows only. Times are ISO 8601 in UTC.
  CSV cells that a spreadsheet would run as a formula (text starting with ``=``, ``+``,
  ``-``, ``@``) get a ``'`` before them unless ``--csv-raw`` is given.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar

import attrs
import click
import orjson

from ledger.cli._state import state_of
from ledger.cli._times import shown_time, zone_name
from ledger.errors import quote

__all__ = ["FORMATS", "Report", "emit", "format_option", "printable", "shown"]

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "json", "jsonl", "csv")
_NAME_WIDTH = 24
"""Characters of a name column at most, before the ellipsis."""
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _remember_raw(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        state_of(ctx).csv_raw = True


def format_option(function: F) -> F:
    """``--format`` and ``--csv-raw``."""
    function = click.option(
        "--csv-raw",
        is_flag=True,
        expose_value=False,
        callback=_remember_raw,
        help="csv: write cells as they are, even those a spreadsheet would run as a "
        "formula (by default they get a ' before them).",
    )(function)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS, case_sensitive=False),
        default="table",
        show_default=True,
        help="table for reading; json, jsonl or csv for programs.",
    )(function)


@attrs.frozen
class Report:
    """What a command shows: a title, facts (name → value), rows, and notes.

    ``ids``: columns never cut; ``names``: columns cut with an ellipsis; ``table``:
    the columns a table shows (default: ``columns``); ``stack``: when the rows do not
    fit, the column shown under another (``{"occurred_at": "touchpoint_id"}``);
    ``drop``: columns a narrow table leaves out, first first; ``total``: how many rows
    there are in all (when ``rows`` holds only the first ``--limit``)."""

    title: str
    facts: Mapping[str, Any]
    rows: Sequence[Mapping[str, Any]] = ()
    columns: Sequence[str] = ()
    rows_name: str = "rows"
    notes: Sequence[str] = ()
    notes_name: str = "notes"
    empty: str = "(none)"
    ids: Sequence[str] = ()
    names: Sequence[str] = ()
    table: Sequence[str] = ()
    stack: Mapping[str, Sequence[str]] = attrs.field(factory=dict)
    drop: Sequence[str] = ()
    total: int | None = None
    which: str = "first"
    """Which rows ``--limit`` kept: the "first" or the "latest"."""


def emit(report: Report, fmt: str) -> None:
    """Print ``report`` to stdout in ``fmt`` (one of :data:`FORMATS`)."""
    fmt = fmt.lower()
    if fmt == "json":
        document = {name: _utc(value) for name, value in report.facts.items()}
        assert report.rows_name not in document or not report.columns, report.rows_name
        if report.columns:
            document[report.rows_name] = _program_rows(report)
        if report.notes:
            document[report.notes_name] = list(report.notes)
        _write_bytes(orjson.dumps(document, default=_jsonable, option=orjson.OPT_INDENT_2))
        _write_bytes(b"\n")
    elif fmt == "jsonl":
        for row in _program_rows(report):
            _write_bytes(orjson.dumps(row, default=_jsonable) + b"\n")
    elif fmt == "csv":
        guard = not state_of().csv_raw
        writer = csv.writer(sys.stdout, lineterminator="\n")
        columns = list(report.columns)
        writer.writerow(columns)
        writer.writerows([_cell(row.get(name), guard) for name in columns] for row in report.rows)
    else:
        _print_table(report)


def _program_rows(report: Report) -> list[dict[str, Any]]:
    """The rows without the values made only for tables (``table`` and ``stack``
    names that are not ``columns``)."""
    made = {*report.table, *(n for names in report.stack.values() for n in names)}
    hidden = made - set(report.columns)
    return [{k: _utc(v) for k, v in row.items() if k not in hidden} for row in report.rows]


def _utc(value: Any) -> Any:
    """Times for programs are in UTC, whatever the display zone."""
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _write_bytes(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def _cell(value: Any, guard: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    elif isinstance(value, Mapping):
        value = "; ".join(f"{k}={v}" for k, v in value.items())
    if guard and isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def printable(text: str) -> str:
    """``text`` with every control, format or bidi character escaped (``\\x1b``,
    ``\\u202e``, ``\\n``) as :func:`ledger.errors.quote` escapes them."""
    if all(c.isprintable() for c in text):
        return text
    return "".join(c if c.isprintable() else quote(c)[1:-1] for c in text)


def shown(value: Any, zone: tzinfo) -> str:
    """A value as a person reads it: floats to 3 places, times in ``zone`` to the minute,
    text escaped."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return shown_time(value, zone)
    return printable(_text(value))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, Mapping):
        return ", ".join(
            f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in value.items()
        )
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(item) for item in value)
    return str(value)


def _width() -> int:
    from rich.console import Console  # noqa: PLC0415 - rich only for tables

    if sys.stdout.isatty():
        return Console().width
    try:
        return max(40, int(os.environ.get("COLUMNS", "")))
    except ValueError:
        return 80


def _print_table(report: Report) -> None:
    from rich.console import Console  # noqa: PLC0415 - rich only for tables
    from rich.padding import Padding  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    zone = state_of().zone()
    console = Console(highlight=False, soft_wrap=False, width=_width(), markup=False)
    console.on_broken_pipe = _broken_pipe  # type: ignore[method-assign]
    console.print(Text(printable(report.title), style="bold"))
    for name, value in report.facts.items():
        fact = Text(f"{name.replace('_', ' ')}: {_fact(value, zone)}")
        console.print(Padding(fact, (0, 0, 0, 2), expand=False))
    if report.columns and report.rows:
        from ledger.cli._tables import fitted  # noqa: PLC0415

        console.print(fitted(report, zone, console.width, _caption(report, zone)))
    elif report.columns:
        console.print(Text(report.empty))
    if report.total is not None and report.total > len(report.rows):
        shown = f"the {report.which} {len(report.rows)} of {report.total}"
        console.print(Text(f"  showing {shown} (--limit N for more)"))
    for note in report.notes:  # wrapped lines hang under the first
        console.print(Padding(Text(f"- {printable(note)}"), (0, 0, 0, 2), expand=False))


def _broken_pipe() -> None:
    """rich would exit 1 on its own; the command's error boundary decides instead."""
    raise BrokenPipeError


def _fact(value: Any, zone: tzinfo) -> str:
    text = shown(value, zone)
    return text + f" {zone_name(zone)}" if isinstance(value, datetime) else text


def _caption(report: Report, zone: tzinfo) -> str | None:
    timed = any(isinstance(value, datetime) for row in report.rows[:50] for value in row.values())
    return f"times in {zone_name(zone)}" if timed else None
